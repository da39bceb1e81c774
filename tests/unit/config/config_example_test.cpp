// The shipped configuration files: the example documents every key of the schema table,
// and the sandbox configuration loads from a fresh clone.
#include "daemon/config/config.hpp"
#include "daemon/config/schema.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace hrmaild::config {
namespace {

TEST(ConfigExample, DocumentsEveryKeyOfTheSchema) {
    auto path = test::source_dir() / "config/hrmaild.example.yaml";
    YAML::Node root = YAML::LoadFile(path.string());
    for (const auto& spec : schema()) {
        std::string p(spec.path);
        auto dot = p.find('.');
        EXPECT_TRUE(root[p.substr(0, dot)][p.substr(dot + 1)].IsDefined())
            << "config/hrmaild.example.yaml does not document " << p;
    }
}

TEST(ConfigExample, HasNoProblemButItsAbsentSecretFiles) {
    ::unsetenv("CREDENTIALS_DIRECTORY");
    auto r = load_config(test::source_dir() / "config/hrmaild.example.yaml");
    for (const auto& d : r.diagnostics.all()) {
        if (d.severity == Severity::error && d.message.starts_with("secret file not found"))
            continue;
        ADD_FAILURE() << d.to_string();
    }
}

TEST(ConfigExample, DefaultsInTheExampleMatchTheSchema) {
    // A default changed in one place and not the other would mislead operators.
    YAML::Node root = YAML::LoadFile((test::source_dir() / "config/hrmaild.example.yaml").string());
    for (const auto& spec : schema()) {
        if (spec.required || spec.default_value.empty() || spec.kind == Kind::free_map ||
            spec.kind == Kind::token_list || spec.path == "bitrix.approvers" ||
            spec.path == "bitrix.webhook_user_id" || spec.path == "bitrix.approver_department" ||
            spec.path == "policy.protected_accounts" ||
            spec.path == "policy.requester_departments" || spec.path == "workflows.dir")
            continue;  // examples, not defaults
        std::string p(spec.path);
        auto dot = p.find('.');
        YAML::Node given = root[p.substr(0, dot)][p.substr(dot + 1)];
        YAML::Node def = YAML::Load(std::string(spec.default_value));
        EXPECT_EQ(YAML::Dump(given), YAML::Dump(def)) << p;
    }
}

TEST(ConfigSandbox, LoadsFromTheRepository) {
    ::unsetenv("CREDENTIALS_DIRECTORY");
    auto r = load_config(test::source_dir() / "config/sandbox.yaml");
    ASSERT_TRUE(r.config) << r.diagnostics.to_string();
    EXPECT_EQ(r.diagnostics.error_count(), 0u);
    EXPECT_EQ(r.config->bitrix.portal_url, "http://127.0.0.1:8790");
    EXPECT_EQ(r.config->bitrix.webhook_secret->value.reveal(), "sandbox-webhook-secret");
    EXPECT_EQ(r.config->workflows.dir, test::source_dir() / "workflows");
}

}  // namespace
}  // namespace hrmaild::config
