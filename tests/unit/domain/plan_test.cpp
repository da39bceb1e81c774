#include "daemon/domain/plan.hpp"

#include <gtest/gtest.h>

namespace hrmaild::domain {
namespace {

Plan sample() {
    Plan p;
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

TEST(Plan, CanonicalTextSortsKeysAndEscapes) {
    EXPECT_EQ(sample().canonical_text(),
              "{\"fields\":{\"apellidos\":\"Núñez\",\"nombre\":\"María \\\"M\\\"\"},"
              "\"requester\":0,\"steps\":["
              "{\"op\":\"create_user\",\"params\":{\"email\":\"maria.nunez@x.com\",\"first_name\":"
              "\"María\",\"one_time_password\":true,\"password\":\"generate\"}},"
              "{\"after_days\":30,\"op\":\"delete_user\",\"params\":{\"email\":\"a@x.com\"}}],"
              "\"task_id\":7,\"workflow\":\"alta\"}");
}

TEST(Plan, CanonicalTextIgnoresParamOrderAndNotes) {
    auto a = sample();
    auto b = sample();
    std::reverse(b.steps[0].params.begin(), b.steps[0].params.end());
    b.notes.push_back("x ya es miembro");
    EXPECT_EQ(a.canonical_text(), b.canonical_text());
}

TEST(Plan, AnyChangeChangesTheCanonicalText) {
    const auto base = sample().canonical_text();
    auto p = sample();
    p.task_id = 8;
    EXPECT_NE(p.canonical_text(), base);
    p = sample();
    p.fields["nombre"] = std::string("Maria");
    EXPECT_NE(p.canonical_text(), base);
    p = sample();
    p.steps[1].after_days = 31;
    EXPECT_NE(p.canonical_text(), base);
    p = sample();
    std::swap(p.steps[0], p.steps[1]);
    EXPECT_NE(p.canonical_text(), base);
    p = sample();
    p.workflow = "baja";
    EXPECT_NE(p.canonical_text(), base);
    // Issue 9: the requester is bound too (an approval is for one person's request).
    p = sample();
    p.requester = 12;
    EXPECT_NE(p.canonical_text(), base);
}

TEST(Plan, ControlCharactersAreEscaped) {
    std::string out;
    append_json_string(out, std::string("a\nb\tc\x01"));
    EXPECT_EQ(out, "\"a\\nb\\tc\\u0001\"");
}

struct AddressCase {
    const char* address;
    bool valid;
};

class AddressValidity : public ::testing::TestWithParam<AddressCase> {};

TEST_P(AddressValidity, Classifies) {
    EXPECT_EQ(is_valid_address(GetParam().address), GetParam().valid) << GetParam().address;
}

INSTANTIATE_TEST_SUITE_P(Cases, AddressValidity,
                         ::testing::Values(AddressCase{"maria.nunez@tarmexico.com", true},
                                           AddressCase{"o'neil@tarmexico.com", true},
                                           AddressCase{"ana-sofia.perez@tar-mexico.com.mx", true},
                                           AddressCase{"juan.perez.@tarmexico.com", false},
                                           AddressCase{".juan@tarmexico.com", false},
                                           AddressCase{"juan..perez@tarmexico.com", false},
                                           AddressCase{"juan@tarmexico", false},
                                           AddressCase{"juan", false},
                                           AddressCase{"a@b@c.com", false},
                                           AddressCase{"josé@tarmexico.com", false},
                                           AddressCase{"juan perez@tarmexico.com", false},
                                           AddressCase{"@tarmexico.com", false}));

TEST(Plan, LocalPartLongerThan64IsInvalid) {
    EXPECT_TRUE(is_valid_address(std::string(64, 'a') + "@x.com"));
    EXPECT_FALSE(is_valid_address(std::string(65, 'a') + "@x.com"));
}

TEST(Plan, AddressDomain) {
    EXPECT_EQ(address_domain("A@TarMexico.COM"), "tarmexico.com");
    EXPECT_EQ(address_domain("nodomain"), "");
}

TEST(Plan, TheBoundTargetIsPartOfTheCanonicalStep) {
    Operation op{OpKind::delete_user, {{"email", std::string("a@x.com")}}, 30};
    op.target = {"a@x.com", "18014398509481985", "2560636000000008003", "", ""};
    EXPECT_EQ(canonical_step(op),
              "{\"after_days\":30,\"op\":\"delete_user\",\"params\":{\"email\":\"a@x.com\"},"
              "\"target\":{\"account_id\":\"2560636000000008003\",\"address\":\"a@x.com\","
              "\"zuid\":\"18014398509481985\"}}");
    auto other = op;
    other.target.zuid = "18014398509481987";
    EXPECT_NE(canonical_step(op), canonical_step(other));
}

}  // namespace
}  // namespace hrmaild::domain
