// The plan JSON codec (daemon/workflow/plan_json.hpp): the canonical bytes the plan hash binds
// (pinned here and by the goldens in tests/golden/, see samples_test.cpp) and the way back.
#include "daemon/workflow/plan_json.hpp"

#include "daemon/core/hash.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <stdexcept>

namespace hrmaild::workflow {
namespace {

using domain::OpKind;

domain::Plan sample() {
    domain::Plan p;
    p.workflow = "alta";
    p.task_id = 7;
    p.fields = {{"nombre", std::string("María \"M\"")}, {"apellidos", std::string("Núñez")}};
    p.steps.push_back({OpKind::create_user,
                       {{"email", std::string("maria.nunez@x.com")},
                        {"first_name", std::string("María")},
                        {"password", std::string("generate")},
                        {"one_time_password", true}},
                       0});
    p.steps.push_back({OpKind::delete_user, {{"email", std::string("a@x.com")}}, 30});
    return p;
}

TEST(PlanJson, CanonicalTextSortsKeysAndEscapes) {
    EXPECT_EQ(canonical_text(sample()),
              "{\"fields\":{\"apellidos\":\"Núñez\",\"nombre\":\"María \\\"M\\\"\"},"
              "\"requester\":0,\"steps\":["
              "{\"op\":\"create_user\",\"params\":{\"email\":\"maria.nunez@x.com\",\"first_name\":"
              "\"María\",\"one_time_password\":true,\"password\":\"generate\"}},"
              "{\"after_days\":30,\"op\":\"delete_user\",\"params\":{\"email\":\"a@x.com\"}}],"
              "\"task_id\":7,\"workflow\":\"alta\"}");
}

TEST(PlanJson, CanonicalHashOfTheSampleIsPinned) {
    // The hash of the sample as the hand-written writer made it before the codec (computed
    // outside C++): stored approvals carry such hashes, so the codec must never move them.
    EXPECT_EQ(core::sha256_hex(canonical_text(sample())),
              "8c24119018962b2e0a5afba4615903c18ed8c482be96dfed920ffd55e8b8bb12");
}

TEST(PlanJson, CanonicalTextIgnoresParamOrderAndNotes) {
    auto a = sample();
    auto b = sample();
    std::reverse(b.steps[0].params.begin(), b.steps[0].params.end());
    b.notes.push_back("x ya es miembro");
    EXPECT_EQ(canonical_text(a), canonical_text(b));
}

TEST(PlanJson, AnyChangeChangesTheCanonicalText) {
    const auto base = canonical_text(sample());
    auto p = sample();
    p.task_id = 8;
    EXPECT_NE(canonical_text(p), base);
    p = sample();
    p.fields["nombre"] = std::string("Maria");
    EXPECT_NE(canonical_text(p), base);
    p = sample();
    p.steps[1].after_days = 31;
    EXPECT_NE(canonical_text(p), base);
    p = sample();
    std::swap(p.steps[0], p.steps[1]);
    EXPECT_NE(canonical_text(p), base);
    p = sample();
    p.workflow = "baja";
    EXPECT_NE(canonical_text(p), base);
    // Issue 9: the requester is bound too (an approval is for one person's request).
    p = sample();
    p.requester = 12;
    EXPECT_NE(canonical_text(p), base);
}

TEST(PlanJson, ControlCharactersAreEscapedAsTheFirstHashesWere) {
    // \b and \f as \u0008 and \u000c (Boost.JSON's own serializer would write \b and \f), the
    // rest of the control bytes in lower-case hex, '/' and UTF-8 untouched.
    EXPECT_EQ(canonical_json(boost::json::value("a\nb\tc\x01\r\b\f\x1f/é\\")),
              "\"a\\nb\\tc\\u0001\\r\\u0008\\u000c\\u001f/é\\\\\"");
}

TEST(PlanJson, CanonicalJsonSortsNestedKeysByByte) {
    auto v = boost::json::parse(R"({"b":[{"z":1,"a":null}],"B":true,"a":-3,"é":"x"})");
    EXPECT_EQ(canonical_json(v), R"({"B":true,"a":-3,"b":[{"a":null,"z":1}],"é":"x"})");
    EXPECT_THROW(canonical_json(boost::json::value(1.5)), std::invalid_argument);
}

TEST(PlanJson, TheBoundTargetIsPartOfTheCanonicalStep) {
    domain::Operation op{OpKind::delete_user, {{"email", std::string("a@x.com")}}, 30};
    op.target = {"a@x.com", "18014398509481985", "2560636000000008003", "", ""};
    EXPECT_EQ(canonical_step(op),
              "{\"after_days\":30,\"op\":\"delete_user\",\"params\":{\"email\":\"a@x.com\"},"
              "\"target\":{\"account_id\":\"2560636000000008003\",\"address\":\"a@x.com\","
              "\"zuid\":\"18014398509481985\"}}");
    auto other = op;
    other.target.zuid = "18014398509481987";
    EXPECT_NE(canonical_step(op), canonical_step(other));
}

TEST(PlanJson, StepsInReadingOrderForPeople) {
    domain::Operation op{OpKind::delete_user, {{"email", std::string("a@x.com")}}, 30};
    op.target = {"a@x.com", "18014398509481985", "", "", ""};
    EXPECT_EQ(boost::json::serialize(step_to_json(op)),
              R"({"op":"delete_user","params":{"email":"a@x.com"},"after_days":30,)"
              R"("target":{"address":"a@x.com","zuid":"18014398509481985"}})");
}

TEST(PlanJson, RoundTripGivesThePlanBack) {
    auto p = sample();
    p.requester = 31;
    p.fields["alias"] = std::vector<std::string>{"m@x.com", "n@x.com"};
    p.fields["dias"] = std::int64_t{-4};
    p.fields["activo"] = false;
    p.steps[1].target = {"a@x.com", "18014398509481985", "2560636000000008003", "9", "10"};
    const auto text = canonical_text(p);
    const auto back = plan_from_text(text);
    EXPECT_EQ(canonical_text(back), text);
    EXPECT_EQ(back.workflow, p.workflow);
    EXPECT_EQ(back.task_id, 7);
    EXPECT_EQ(back.requester, 31);
    EXPECT_EQ(back.fields, p.fields);
    ASSERT_EQ(back.steps.size(), 2u);
    // Parameters come back in the operation's own order, whatever order the text holds.
    EXPECT_EQ(back.steps[0].params, p.steps[0].params);
    EXPECT_EQ(back.steps[1].after_days, 30);
    EXPECT_EQ(back.steps[1].target.member_zuid, "10");
    EXPECT_EQ(back.steps[1].target.zgid, "9");
    EXPECT_TRUE(back.notes.empty());
}

TEST(PlanJson, MalformedTextsAreRefusedWithTheReason) {
    auto fails_with = [](std::string_view text, std::string_view part) {
        try {
            plan_from_text(text);
        } catch (const std::runtime_error& e) {
            return std::string_view(e.what()).find(part) != std::string_view::npos;
        }
        return false;
    };
    EXPECT_TRUE(fails_with("{", "not JSON"));
    EXPECT_TRUE(fails_with("[]", "not an object"));
    const std::string ok = canonical_text(sample());
    auto with = [&](std::string from, std::string to) {
        auto t = ok;
        t.replace(t.find(from), from.size(), to);
        return t;
    };
    EXPECT_TRUE(fails_with(with("\"delete_user\"", "\"launch_rocket\""), "unknown operation"));
    EXPECT_TRUE(fails_with(with("\"email\":\"a@x.com\"", "\"colour\":\"red\""), "parameter"));
    EXPECT_TRUE(fails_with(with("\"task_id\":7", "\"task_id\":\"7\""), "task_id"));
    EXPECT_TRUE(fails_with(with("\"one_time_password\":true", "\"one_time_password\":1.5"),
                           "unknown type"));
}

}  // namespace
}  // namespace hrmaild::workflow
