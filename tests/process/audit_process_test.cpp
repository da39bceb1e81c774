// `hrmaild audit verify` on a real SQLite state file: a clean chain verifies (exit 0, one
// line), a row changed behind the store's back is named (exit 1).
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/store/store_test_support.hpp"

#include <gtest/gtest.h>

namespace hrmaild::test {
namespace {

const std::string kBin = HRMAILD_BIN;

class AuditVerify : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = dir_.path() / "state.db";
        auto s = store::test::open_at(db_);
        ASSERT_TRUE(s) << s.error().describe();
        for (int i = 1; i <= 5; ++i)
            ASSERT_TRUE(
                (*s)->append_audit({"cli:ana", "note", 100 + i, "record " + std::to_string(i)}));
    }
    ProcessResult verify(std::vector<std::string> extra = {}) {
        std::vector<std::string> argv{kBin, "audit", "verify", "--state", db_.string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run_process(argv);
    }

    TempDir dir_;
    std::filesystem::path db_;
};

TEST_F(AuditVerify, AnIntactChainVerifiesWithOneLine) {
    auto r = verify();
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("audit ok: 5 record(s)"), std::string::npos) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    r = verify({"--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(R"("ok":true)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(R"("records_checked":5)"), std::string::npos) << r.out;
}

TEST_F(AuditVerify, AChangedRowFailsNamingTheFirstBrokenRecord) {
    {
        store::test::RawDb raw(db_);
        ASSERT_EQ(raw.exec("DROP TRIGGER audit_no_update"), "");
        ASSERT_EQ(raw.exec("UPDATE audit SET detail = 'forged' WHERE seq = 3"), "");
    }
    auto r = verify();
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("audit BROKEN at record 3"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("content does not match"), std::string::npos) << r.out;
    r = verify({"--json"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find(R"("first_broken_seq":3)"), std::string::npos) << r.out;
}

TEST_F(AuditVerify, ARemovedRowIsAGap) {
    {
        store::test::RawDb raw(db_);
        ASSERT_EQ(raw.exec("DROP TRIGGER audit_no_delete"), "");
        ASSERT_EQ(raw.exec("DELETE FROM audit WHERE seq = 2"), "");
    }
    auto r = verify();
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("audit BROKEN at record 3"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("missing"), std::string::npos) << r.out;
}

TEST_F(AuditVerify, AMissingFileOrBadConfigIsAClearError) {
    auto r = run_process({kBin, "audit", "verify", "--state", (dir_.path() / "nope.db").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("nope.db: no such state file"), std::string::npos) << r.err;
    r = run_process({kBin, "audit", "verify", "--config", (dir_.path() / "missing.yaml").string()});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("missing.yaml"), std::string::npos) << r.err;
    EXPECT_EQ(run_process({kBin, "audit"}).exit_code, 2);
}

}  // namespace
}  // namespace hrmaild::test
