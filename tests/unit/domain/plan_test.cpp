#include "daemon/domain/plan.hpp"

#include <gtest/gtest.h>

namespace hrmaild::domain {
namespace {

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

}  // namespace
}  // namespace hrmaild::domain
