#include "daemon/store/detail/audit_chain.hpp"

#include <gtest/gtest.h>

namespace hrmaild::store::detail {
namespace {

TEST(AuditChain, GenesisIsAHashWide) {
    // The SHA-256 itself is core::sha256_hex, tested in tests/unit/core/hash_test.cpp.
    EXPECT_EQ(kAuditGenesis.size(), 64U);
    EXPECT_EQ(kAuditGenesis.find_first_not_of('0'), std::string_view::npos);
}

TEST(AuditChain, EveryFieldChangesTheHash) {
    const auto base = audit_hash(kAuditGenesis, 1, 1000, "daemon", "ticket.state", 42, "a -> b");
    EXPECT_EQ(base.size(), 64U);
    EXPECT_EQ(base, audit_hash(kAuditGenesis, 1, 1000, "daemon", "ticket.state", 42, "a -> b"));
    EXPECT_NE(base,
              audit_hash(std::string(64, '1'), 1, 1000, "daemon", "ticket.state", 42, "a -> b"));
    EXPECT_NE(base, audit_hash(kAuditGenesis, 2, 1000, "daemon", "ticket.state", 42, "a -> b"));
    EXPECT_NE(base, audit_hash(kAuditGenesis, 1, 1001, "daemon", "ticket.state", 42, "a -> b"));
    EXPECT_NE(base, audit_hash(kAuditGenesis, 1, 1000, "ana", "ticket.state", 42, "a -> b"));
    EXPECT_NE(base, audit_hash(kAuditGenesis, 1, 1000, "daemon", "plan.recorded", 42, "a -> b"));
    EXPECT_NE(base, audit_hash(kAuditGenesis, 1, 1000, "daemon", "ticket.state", 43, "a -> b"));
    EXPECT_NE(base,
              audit_hash(kAuditGenesis, 1, 1000, "daemon", "ticket.state", std::nullopt, "a -> b"));
    EXPECT_NE(base, audit_hash(kAuditGenesis, 1, 1000, "daemon", "ticket.state", 42, "a -> c"));
}

TEST(AuditChain, FieldBoundariesCannotBeShifted) {
    // Without length prefixes "ab"+"c" and "a"+"bc" would hash alike.
    EXPECT_NE(audit_hash(kAuditGenesis, 1, 1, "ab", "c", std::nullopt, ""),
              audit_hash(kAuditGenesis, 1, 1, "a", "bc", std::nullopt, ""));
    EXPECT_NE(audit_hash(kAuditGenesis, 1, 1, "a\n1:b", "c", std::nullopt, ""),
              audit_hash(kAuditGenesis, 1, 1, "a", "b\n1:c", std::nullopt, ""));
}

}  // namespace
}  // namespace hrmaild::store::detail
