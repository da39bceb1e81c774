// `hrmaild plan` end to end: options, exit codes, and the JSON the golden files hold.
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace hrmaild::test {
namespace {

const std::string kBin = HRMAILD_BIN;

std::string path(const char* rel) {
    return (source_dir() / rel).string();
}

std::vector<std::string> plan_args(const char* request) {
    return {kBin,          "plan",
            "--config",    path("config/sandbox.yaml"),
            "--directory", path("tests/fixtures/tickets/org.json"),
            "--file",      path(request)};
}

TEST(PlanCli, JsonMatchesTheGoldenPlan) {
    auto args = plan_args("tests/fixtures/tickets/requests/01-alta-basica.json");
    args.push_back("--json");
    auto r = run_process(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, read_file(source_dir() / "tests/golden/01.json"));
    auto v = boost::json::parse(r.out).as_object();
    for (const char* key : {"workflow", "fields", "approval_required", "refused", "reasons",
                            "errors", "steps", "plan_hash", "comment"})
        EXPECT_TRUE(v.contains(key)) << key;
    EXPECT_EQ(v["workflow"].as_string(), "alta");
    EXPECT_EQ(v["steps"].as_array()[0].as_object()["params"].as_object()["email"].as_string(),
              "mariana.torres@tarmexico.com");
}

TEST(PlanCli, HumanOutputShowsPlanApprovalAndComment) {
    auto r = run_process(plan_args("tests/fixtures/tickets/requests/04-baja.json"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Flujo: baja (approval)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Aprobación: requerida"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("dentro de 30 días"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Comentario que se publicaría"), std::string::npos) << r.out;
}

// The sandbox configuration pointed at a port nobody listens on.
std::string unreachable_config(const TempDir& dir) {
    auto text = read_file(source_dir() / "config/sandbox.yaml");
    auto replace_all = [&](const std::string& from, const std::string& to) {
        for (auto at = text.find(from); at != std::string::npos;
             at = text.find(from, at + to.size()))
            text.replace(at, from.size(), to);
    };
    replace_all("http://127.0.0.1:8790", "http://127.0.0.1:1");
    replace_all("secrets/", (source_dir() / "config/secrets").string() + "/");
    replace_all("../workflows", (source_dir() / "workflows").string());
    replace_all("../var/", dir.path().string() + "/");
    return dir.write("unreachable.yaml", text + "retry:\n  base_delay: 10ms\n  max_delay: 20ms\n")
        .string();
}

TEST(PlanCli, TaskIdIsReadFromBitrixAndAnUnreachablePortalIsNamed) {
    TempDir dir;
    auto r = run_process({kBin, "plan", "--config", unreachable_config(dir), "--task", "5"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("Bitrix24:"), std::string::npos) << r.err;
}

TEST(PlanCli, WithoutDirectoryItReadsZohoAndNamesItWhenUnreachable) {
    TempDir dir;
    auto r = run_process({kBin, "plan", "--config", unreachable_config(dir), "--file",
                          path("tests/fixtures/tickets/requests/01-alta-basica.json")});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("Zoho Mail:"), std::string::npos) << r.err;
}

TEST(PlanCli, FileAndTaskTogetherIsAUsageError) {
    auto r = run_process({kBin, "plan", "--config", path("config/sandbox.yaml"), "--task", "5",
                          "--file", path("tests/fixtures/tickets/requests/01-alta-basica.json")});
    EXPECT_EQ(r.exit_code, 2);
}

TEST(PlanCli, UnreadableOrMalformedTaskIsAUsageError) {
    TempDir dir;
    auto bad = dir.write("bad.json", "{not json");
    auto args = plan_args("tests/fixtures/tickets/requests/01-alta-basica.json");
    args.back() = bad.string();
    auto r = run_process(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("not JSON"), std::string::npos) << r.err;
    args.back() = (dir.path() / "missing.json").string();
    EXPECT_EQ(run_process(args).exit_code, 2);
    EXPECT_EQ(run_process({kBin, "plan", "--config", path("config/sandbox.yaml")}).exit_code, 2);
}

TEST(PlanCli, UnclaimedTaskIsLeftAlone) {
    TempDir dir;
    auto task = dir.write("t.json", R"({"TITLE":"Compra de sillas","TAGS":[],"DESCRIPTION":"x"})");
    auto args = plan_args("tests/fixtures/tickets/requests/01-alta-basica.json");
    args.back() = task.string();
    args.push_back("--json");
    auto r = run_process(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto v = boost::json::parse(r.out).as_object();
    EXPECT_TRUE(v["workflow"].is_null());
    EXPECT_EQ(v["outcome"].as_string(), "unclaimed");
    EXPECT_TRUE(v["steps"].as_array().empty());
}

}  // namespace
}  // namespace hrmaild::test
