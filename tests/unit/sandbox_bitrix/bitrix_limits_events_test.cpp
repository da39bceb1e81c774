// The leaky bucket, the operating-time limit, and outgoing events.
#include "tests/unit/sandbox_bitrix/bitrix_fixture.hpp"

namespace hrmaild::sandbox::test {
namespace {

// The sandbox clock is real time plus an offset, so the bucket also drains while a test runs
// (a slow sanitizer build takes a second for 50 batches). Exact counts therefore use a slow
// drain, and drains are tested with clock jumps that dwarf the real time spent.
class BitrixLimits : public BitrixTest {
  protected:
    void SetUp() override {
        BitrixTest::SetUp();
        set_bucket(50, 0.01);
    }
    void set_bucket(int burst, double drain) {
        BitrixOptions o;
        o.bucket_burst = burst;
        o.bucket_drain_per_sec = drain;
        bitrix.configure(o);
    }
};

TEST_F(BitrixLimits, DefaultsAreFiftyAndTwoPerSecond) {
    BitrixOptions o;
    EXPECT_EQ(o.bucket_burst, 50);
    EXPECT_EQ(o.bucket_drain_per_sec, 2.0);
}

TEST_F(BitrixLimits, BucketOverflowsThenDrainsOnTheSandboxClock) {
    for (int i = 0; i < 50; ++i) {
        ASSERT_EQ(get("user.current").status, 200) << i;
    }
    auto a = get("user.current");
    EXPECT_EQ(a.status, 503);
    EXPECT_EQ(a.error(), "QUERY_LIMIT_EXCEEDED");
    EXPECT_EQ(a.description(), "Too many requests");
    EXPECT_EQ(bitrix.state().at("rejected").at("bucket"), json::value(1));
    clock.advance(std::chrono::seconds(300));  // drains 3 at 0.01/s
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(get("user.current").status, 200) << i;
    }
    EXPECT_EQ(get("user.current").status, 503);
    clock.advance(std::chrono::hours(2));
    EXPECT_EQ(bitrix.state().at("bucket").at("level").as_double(), 0.0);
    EXPECT_EQ(get("user.current").status, 200);
}

TEST_F(BitrixLimits, BatchCountsAsOneRequest) {
    json::object cmd;
    for (int i = 0; i < 50; ++i) {
        cmd["c" + std::to_string(i)] = "user.current";
    }
    for (int i = 0; i < 50; ++i) {
        ASSERT_EQ(call("batch", {{"cmd", cmd}}).status, 200) << i;
    }
    EXPECT_EQ(call("batch", {{"cmd", cmd}}).status, 503);
}

TEST_F(BitrixLimits, DefaultDrainRate) {
    set_bucket(50, 2);
    for (int i = 0; i < 50; ++i) {
        ASSERT_EQ(get("user.current").status, 200) << i;
    }
    clock.advance(std::chrono::seconds(10));  // 20 drained at 2/s (plus the real time spent)
    int admitted = 0;
    while (get("user.current").status == 200 && admitted < 100) {
        ++admitted;
    }
    EXPECT_GE(admitted, 20);
    EXPECT_LE(admitted, 24);  // a test run does not take two seconds
}

TEST_F(BitrixLimits, ConfiguredBurstAndDrain) {
    set_bucket(3, 0.5);
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(get("user.current").status, 200);
    }
    EXPECT_EQ(get("user.current").status, 503);
    clock.advance(std::chrono::milliseconds(1000));
    EXPECT_EQ(get("user.current").status, 503);  // 0.5 drained: not yet room for one
    clock.advance(std::chrono::milliseconds(1200));
    EXPECT_EQ(get("user.current").status, 200);
}

TEST_F(BitrixTest, OperatingLimitBlocksOneMethodUntilReset) {
    BitrixOptions o = bitrix.options();
    o.operating_limit = true;
    o.operating_limit_seconds = 10;
    o.operating_cost_seconds = 4;
    bitrix.configure(o);
    double first_call = clock.unix_seconds();
    for (int i = 0; i < 3; ++i) {
        auto a = call("tasks.task.list");
        ASSERT_EQ(a.status, 200) << i;
        EXPECT_DOUBLE_EQ(a.body.at("time").at("operating").as_double(), 4.0 * (i + 1));
    }
    auto blocked = call("tasks.task.list");
    EXPECT_EQ(blocked.status, 429);
    EXPECT_EQ(blocked.error(), "OPERATION_TIME_LIMIT");
    EXPECT_EQ(blocked.description(), "Method is blocked due to operation time limit.");
    auto reset_at = blocked.body.at("time").at("operating_reset_at").as_int64();
    EXPECT_NEAR(static_cast<double>(reset_at), first_call + 600, 2.0);
    EXPECT_EQ(get("user.current").status, 200);  // other methods still work
    // Inside a batch the blocked method fails alone.
    auto b = call("batch", {{"cmd", {{"l", "tasks.task.list"}, {"u", "user.current"}}}});
    EXPECT_EQ(b.result().at("result_error").at("l").at("error"),
              json::value("OPERATION_TIME_LIMIT"));
    EXPECT_TRUE(b.result().at("result").as_object().contains("u"));
    clock.advance(std::chrono::seconds(601));
    EXPECT_EQ(call("tasks.task.list").status, 200);
    EXPECT_EQ(bitrix.state().at("rejected").at("operating"), json::value(2));
}

class BitrixEvents : public BitrixTest {
  protected:
    void SetUp() override {
        BitrixTest::SetUp();
        bitrix.set_event_target("http://127.0.0.1:9/events");
    }

    static json::object decode(const std::string& body) {
        json::object o;
        php::parse_str(body, o);
        return o;
    }
};

TEST_F(BitrixEvents, NoTargetNoEvents) {
    bitrix.set_event_target("");
    call("tasks.task.start", {{"taskId", 1}});
    EXPECT_TRUE(bitrix.take_outgoing_events().empty());
}

TEST_F(BitrixEvents, SeedingRaisesNoEvents) {
    EXPECT_TRUE(bitrix.take_outgoing_events().empty());
}

TEST_F(BitrixEvents, UpdateEventBodyMatchesTheReference) {
    auto now = static_cast<long long>(clock.unix_seconds());
    ASSERT_EQ(call("tasks.task.update", {{"taskId", 3}, {"fields", {{"TITLE", "x"}}}}).status, 200);
    auto events = bitrix.take_outgoing_events();
    ASSERT_EQ(events.size(), 1u);
    const auto& e = events[0];
    EXPECT_EQ(e.rfind("event=ONTASKUPDATE&event_handler_id=2&data[FIELDS_BEFORE][ID]=3"
                      "&data[FIELDS_AFTER][ID]=3&data[IS_ACCESSIBLE_BEFORE]=undefined"
                      "&data[IS_ACCESSIBLE_AFTER]=undefined&ts=",
                      0),
              0u)
        << e;
    auto o = decode(e);
    EXPECT_NEAR(static_cast<double>(std::stoll(str(o.at("ts")))), static_cast<double>(now), 2.0);
    const auto& auth = o.at("auth").as_object();
    EXPECT_EQ(auth.at("domain"), json::value("tarmexico.bitrix24.com"));
    EXPECT_EQ(auth.at("client_endpoint"), json::value("https://tarmexico.bitrix24.com/rest/"));
    EXPECT_EQ(auth.at("server_endpoint"), json::value("https://oauth.bitrix.info/rest/"));
    EXPECT_EQ(auth.at("application_token"), json::value("sandbox-app-token"));
    EXPECT_EQ(str(auth.at("member_id")).size(), 32u);
    EXPECT_EQ(auth.size(), 5u);                          // an outgoing webhook carries no tokens
    EXPECT_TRUE(bitrix.take_outgoing_events().empty());  // taken once
}

struct EventCase {
    const char* name;
    std::vector<std::pair<std::string, std::string>> calls;  // method, JSON params
    std::vector<std::string> events;
};

class BitrixEventKinds : public BitrixEvents, public ::testing::WithParamInterface<EventCase> {};

TEST_P(BitrixEventKinds, RaisesTheRightEvents) {
    for (const auto& [m, p] : GetParam().calls) {
        ASSERT_EQ(call(m, json::parse(p).as_object()).status, 200) << m;
    }
    std::vector<std::string> names;
    for (const auto& e : bitrix.take_outgoing_events()) {
        names.push_back(str(decode(e).at("event")));
    }
    EXPECT_EQ(names, GetParam().events) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, BitrixEventKinds,
    ::testing::Values(
        EventCase{"add", {{"tasks.task.add", R"({"fields":{"TITLE":"x"}})"}}, {"ONTASKADD"}},
        EventCase{
            "status_changes",
            {{"tasks.task.start", R"({"taskId":1})"}, {"tasks.task.complete", R"({"taskId":1})"}},
            {"ONTASKUPDATE", "ONTASKUPDATE"}},
        EventCase{
            "defer_renew",
            {{"tasks.task.defer", R"({"taskId":1})"}, {"tasks.task.renew", R"({"taskId":1})"}},
            {"ONTASKUPDATE", "ONTASKUPDATE"}},
        EventCase{"comment",
                  {{"task.commentitem.add", R"({"TASKID":2,"FIELDS":{"POST_MESSAGE":"x"}})"}},
                  {"ONTASKCOMMENTADD"}},
        EventCase{"read_only",
                  {{"tasks.task.get", R"({"taskId":1})"},
                   {"tasks.task.list", "{}"},
                   {"im.notify.personal.add", R"({"USER_ID":12,"MESSAGE":"x"})"}},
                  {}}),
    [](const auto& tp) { return std::string(tp.param.name); });

TEST_F(BitrixEvents, AddAndCommentBodies) {
    auto t = call("tasks.task.add", {{"fields", {{"TITLE", "x"}}}});
    auto c = call("task.commentitem.add", {{"TASKID", 15}, {"FIELDS", {{"POST_MESSAGE", "y"}}}});
    auto events = bitrix.take_outgoing_events();
    ASSERT_EQ(events.size(), 2u);
    auto add = decode(events[0]);
    EXPECT_EQ(add.at("event_handler_id"), json::value("1"));
    EXPECT_EQ(add.at("data").at("FIELDS_BEFORE"), json::value("undefined"));
    EXPECT_EQ(add.at("data").at("FIELDS_AFTER").at("ID"), json::value("15"));
    auto com = decode(events[1]);
    EXPECT_EQ(com.at("event"), json::value("ONTASKCOMMENTADD"));
    EXPECT_EQ(com.at("data").at("FIELDS_AFTER").at("ID"),
              json::value(std::to_string(c.result().as_int64())));
    EXPECT_EQ(com.at("data").at("FIELDS_AFTER").at("TASK_ID"), json::value("15"));
    EXPECT_FALSE(com.at("data").at("FIELDS_AFTER").as_object().contains("MESSAGE_ID"));
}

TEST_F(BitrixEvents, NewCardCommentEventCarriesTheMessageId) {
    seed_more({json::parse(R"({"TITLE":"chat","CREATED_BY":12,"RESPONSIBLE_ID":1,"CHAT":true})")});
    auto chat = task(15).at("chatId").as_int64();
    auto a = call("task.commentitem.add", {{"TASKID", 15}, {"FIELDS", {{"POST_MESSAGE", "y"}}}});
    auto b =
        call("im.message.add", {{"DIALOG_ID", "chat" + std::to_string(chat)}, {"MESSAGE", "z"}});
    auto events = bitrix.take_outgoing_events();
    ASSERT_EQ(events.size(), 2u);
    auto first = decode(events[0]).at("data").at("FIELDS_AFTER").as_object();
    EXPECT_EQ(first.at("ID"), json::value("0"));
    EXPECT_EQ(first.at("TASK_ID"), json::value("15"));
    EXPECT_EQ(first.at("MESSAGE_ID"), json::value(std::to_string(a.result().as_int64())));
    auto second = decode(events[1]).at("data").at("FIELDS_AFTER").as_object();
    EXPECT_EQ(second.at("MESSAGE_ID"), json::value(std::to_string(b.result().as_int64())));
}

// The control API acts through act_as: the portal raises the same events as for REST, the
// named user is the actor, and nothing counts as a request or fills the bucket.
TEST_F(BitrixEvents, ActingAsAUserRaisesEventsButIsNoRequest) {
    BitrixOptions o = bitrix.options();
    o.bucket_burst = 1;
    bitrix.configure(o);
    auto before = bitrix.state().at("requests_total");
    for (int i = 0; i < 3; ++i) {  // more than the bucket holds
        auto r = bitrix.act_as(7, "task.commentitem.add",
                               {{"TASKID", 2}, {"FIELDS", {{"POST_MESSAGE", "/aprobar"}}}});
        ASSERT_EQ(r.status, 200) << r.body;
    }
    auto r = bitrix.act_as(12, "tasks.task.update", {{"taskId", 2}, {"fields", {{"STATUS", 6}}}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto events = bitrix.take_outgoing_events();
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(str(decode(events[0]).at("event")), "ONTASKCOMMENTADD");
    EXPECT_EQ(str(decode(events[3]).at("event")), "ONTASKUPDATE");
    auto st = bitrix.state();
    EXPECT_EQ(st.at("requests_total"), before);
    auto t = task(2);
    EXPECT_EQ(t.at("status"), json::value("6"));
    EXPECT_EQ(t.at("changedBy"), json::value("12"));
    for (const auto& c : st.at("tasks").at(1).at("comments").as_array())
        EXPECT_EQ(c.at("AUTHOR_ID"), json::value("7"));
    EXPECT_EQ(bitrix.act_as(7, "tasks.task.nothing", {}).status, 404);
    EXPECT_TRUE(bitrix.has_user(7));
    EXPECT_FALSE(bitrix.has_user(999));
    EXPECT_EQ(bitrix.webhook_user(), 1);
}

}  // namespace
}  // namespace hrmaild::sandbox::test
