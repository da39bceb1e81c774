#include "daemon/store/detail/audit_chain.hpp"

#include <gtest/gtest.h>

namespace hrmaild::store::detail {
namespace {

TEST(AuditChain, Sha256KnownVector) {
    // FIPS 180-2 test vector.
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(kAuditGenesis.size(), 64U);
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
