// The CLI's side of the admin API: which call carries a command, which token it presents,
// where it goes and how answers print.
#include "daemon/admin/client.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace hrmaild::admin {
namespace {

namespace json = boost::json;

TEST(QueueCall, EachVerbMapsToItsRoute) {
    auto list = build_queue_call({"list", 0, "", "", ""});
    ASSERT_TRUE(list);
    EXPECT_EQ(list->method, "GET");
    EXPECT_EQ(list->target, "/api/v1/queue");
    EXPECT_EQ(build_queue_call({"list", 0, "awaiting_approval", "", ""})->target,
              "/api/v1/queue?state=awaiting_approval");
    auto show = build_queue_call({"show", 12, "", "", ""});
    EXPECT_EQ(show->method, "GET");
    EXPECT_EQ(show->target, "/api/v1/queue/12");
    EXPECT_TRUE(show->body.empty());

    auto approve = build_queue_call({"approve", 12, "", "", ""});
    EXPECT_EQ(approve->method, "POST");
    EXPECT_EQ(approve->target, "/api/v1/queue/12/approve");
    EXPECT_EQ(json::parse(approve->body), json::parse("{}"));
    approve = build_queue_call({"approve", 12, "", "", "a1b2c3"});
    EXPECT_EQ(json::parse(approve->body), json::parse(R"({"plan_hash":"a1b2c3"})"));

    auto reject = build_queue_call({"reject", 5, "", "falta \"firma\" del jefe", ""});
    EXPECT_EQ(reject->target, "/api/v1/queue/5/reject");
    EXPECT_EQ(json::parse(reject->body).at("reason"), "falta \"firma\" del jefe");

    EXPECT_EQ(build_queue_call({"retry", 5, "", "", ""})->target, "/api/v1/queue/5/retry");
    EXPECT_EQ(build_queue_call({"cancel", 5, "", "", ""})->target, "/api/v1/queue/5/cancel");
}

TEST(QueueCall, UsageErrors) {
    std::string why;
    EXPECT_FALSE(build_queue_call({"reject", 5, "", "   ", ""}, &why));
    EXPECT_NE(why.find("reason"), std::string::npos);
    EXPECT_FALSE(build_queue_call({"reject", 5, "", "", ""}, &why));
    EXPECT_FALSE(build_queue_call({"show", 0, "", "", ""}, &why));
    EXPECT_NE(why.find("positive"), std::string::npos);
    EXPECT_FALSE(build_queue_call({"approve", -4, "", "", ""}, &why));
    EXPECT_FALSE(build_queue_call({"delete", 4, "", "", ""}, &why));
    EXPECT_FALSE(build_queue_call({"list", 0, "done&x=1", "", ""}, &why));
}

std::vector<config::AdminToken> tokens(std::initializer_list<const char*> names) {
    std::vector<config::AdminToken> out;
    for (const char* n : names)
        out.push_back({n, {"/run/credentials/" + std::string(n), Secret(std::string("tok-") + n)}});
    return out;
}

TEST(PickToken, TheOnlyOneOrByName) {
    std::string why;
    auto one = pick_token(tokens({"camilo"}), "", &why);
    ASSERT_TRUE(one);
    EXPECT_EQ(one->name, "camilo");
    EXPECT_EQ(one->token.value.reveal(), "tok-camilo");

    auto two = tokens({"camilo", "diana"});
    EXPECT_FALSE(pick_token(two, "", &why));
    EXPECT_NE(why.find("--as"), std::string::npos);
    EXPECT_NE(why.find("camilo, diana"), std::string::npos);
    EXPECT_EQ(pick_token(two, "diana")->name, "diana");
    EXPECT_FALSE(pick_token(two, "eve", &why));
    EXPECT_NE(why.find("'eve'"), std::string::npos);
    EXPECT_NE(why.find("camilo, diana"), std::string::npos);
    EXPECT_FALSE(pick_token({}, "", &why));
    EXPECT_NE(why.find("admin.tokens"), std::string::npos);
}

TEST(AdminBaseUrl, WildcardsGoThroughLoopback) {
    EXPECT_EQ(admin_base_url("127.0.0.1:8791"), "http://127.0.0.1:8791");
    EXPECT_EQ(admin_base_url("0.0.0.0:8791"), "http://127.0.0.1:8791");
    EXPECT_EQ(admin_base_url("[::]:8791"), "http://[::1]:8791");
    EXPECT_EQ(admin_base_url("[::1]:9"), "http://[::1]:9");
    EXPECT_EQ(admin_base_url("localhost:8791"), "http://localhost:8791");
    EXPECT_FALSE(admin_base_url("8791"));
}

/// Records the request and answers with a canned response or error.
class FakeTransport : public net::HttpTransport {
  public:
    std::optional<net::HttpRequest> seen;
    net::Outcome<net::HttpResponse> answer = net::HttpResponse{};
    boost::asio::awaitable<net::Outcome<net::HttpResponse>> send(net::HttpRequest r) override {
        seen = std::move(r);
        co_return answer;
    }
};

ApiAnswer send_sync(FakeTransport& t, const ApiCall& call) {
    boost::asio::io_context io;
    ApiAnswer out;
    boost::asio::co_spawn(io, send_api_call(t, "http://127.0.0.1:8791", Secret("tok-camilo"), call),
                          [&](std::exception_ptr e, ApiAnswer a) {
                              if (e)
                                  std::rethrow_exception(e);
                              out = std::move(a);
                          });
    io.run();
    return out;
}

std::string header(const net::HttpRequest& r, std::string_view name) {
    for (const auto& h : r.headers)
        if (h.name == name)
            return h.value;
    return "<none>";
}

TEST(SendApiCall, PresentsTheTokenAndSaysItIsTheCli) {
    FakeTransport t;
    t.answer = net::HttpResponse{200, {}, R"({"id":5,"state":"rejected"})"};
    auto a = send_sync(t, *build_queue_call({"reject", 5, "", "duplicada", ""}));
    ASSERT_TRUE(t.seen);
    EXPECT_EQ(t.seen->method, "POST");
    EXPECT_EQ(t.seen->url, "http://127.0.0.1:8791/api/v1/queue/5/reject");
    EXPECT_EQ(header(*t.seen, "Authorization"), "Bearer tok-camilo");
    EXPECT_EQ(header(*t.seen, "X-Hrmaild-Via"), "cli");
    EXPECT_EQ(t.seen->content_type, "application/json");
    EXPECT_EQ(json::parse(t.seen->body).at("reason"), "duplicada");
    EXPECT_TRUE(a.reached);
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.body.at("state"), "rejected");
    EXPECT_TRUE(a.error.empty());
}

TEST(SendApiCall, RefusalsAndUnreachableDaemon) {
    FakeTransport t;
    t.answer = net::HttpResponse{
        409, {}, R"({"error":"not_awaiting_approval","message":"task 5 is done"})"};
    auto a = send_sync(t, *build_queue_call({"approve", 5, "", "", ""}));
    EXPECT_TRUE(a.reached);
    EXPECT_EQ(a.status, 409);
    EXPECT_EQ(describe_refusal(a), "409 not_awaiting_approval: task 5 is done");

    t.answer = net::HttpResponse{502, {}, "<html>bad gateway</html>"};
    a = send_sync(t, *build_queue_call({"list", 0, "", "", ""}));
    EXPECT_TRUE(a.body.is_null());
    EXPECT_EQ(describe_refusal(a), "502 HTTP 502");

    t.answer = net::retryable_error("connect to 127.0.0.1:8791: Connection refused");
    a = send_sync(t, *build_queue_call({"list", 0, "", "", ""}));
    EXPECT_FALSE(a.reached);
    EXPECT_NE(a.error.find("Connection refused"), std::string::npos);
}

TEST(Format, QueueListIsATable) {
    auto text = format_queue_list(json::parse(R"({"tickets":[
        {"id":101,"workflow":"alta","state":"awaiting_approval","updated_at":1764324000000,
         "plan_hash":"0123456789abcdef0123"},
        {"id":7,"workflow":"baja_de_empleado","state":"done","updated_at":0}]})"));
    EXPECT_EQ(text,
              "ID   STATE              WORKFLOW          UPDATED               PLAN\n"
              "101  awaiting_approval  alta              2025-11-28 10:00:00Z  0123456789ab\n"
              "7    done               baja_de_empleado  0                     -\n");
    EXPECT_EQ(format_queue_list(json::parse(R"({"tickets":[]})")), "no tickets\n");
}

TEST(Format, ShowIsABlock) {
    auto text = format_ticket(json::parse(R"({"id":7,"state":"failed","workflow":"alta",
        "approvals":[{"approver":"cli:camilo","decision":"approve","at":1764324000000}],
        "audit":[]})"));
    EXPECT_EQ(text,
              "id:        7\n"
              "state:     failed\n"
              "workflow:  alta\n"
              "approvals:\n"
              "  - approver=cli:camilo  decision=approve  at=2025-11-28 10:00:00Z\n"
              "audit:\n"
              "  (none)\n");
}

TEST(Format, ActionIsOneLine) {
    EXPECT_EQ(format_action(json::parse(R"({"id":7,"state":"approved"})")), "ticket 7: approved\n");
    EXPECT_EQ(format_action(json::parse(R"({"id":7,"cancelled":2})")), "ticket 7\n");
    EXPECT_EQ(format_action(json::parse("{}")), "ok\n");
}

}  // namespace
}  // namespace hrmaild::admin
