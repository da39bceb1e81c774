#include "daemon/workflow/loader.hpp"

#include "daemon/core/messages.hpp"
#include "daemon/workflow/engine.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace hrmaild::workflow {
namespace {

YAML::Node vars() {
    return YAML::Load(
        "{domain: x.com, departments: [A, B], department_groups: {A: a@x.com, B: b@x.com}}");
}

config::PolicyConfig policy() {
    config::PolicyConfig p;
    p.allowed_domains = {"x.com"};
    p.retention_days = 30;
    p.max_destructive_per_plan = 10;
    return p;
}

const char* kGood = R"(name: good
match: { tag: good }
fields:
  correo: { label: Correo, type: address, required: true }
steps:
  - reset_password: { email: "{{ correo }}", password: generate }
messages:
  done: "Hecho {{ correo }}"
  invalid: "{{ errors }}"
)";

LoadResult load(std::vector<std::pair<std::string, std::string>> files) {
    return load_workflow_texts(files, vars(), policy());
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
    auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    if (pos != std::string::npos)
        text.replace(pos, from.size(), to);
    return text;
}

TEST(Loader, LoadsAValidWorkflow) {
    auto r = load({{"good.yaml", kGood}});
    ASSERT_TRUE(r.set) << r.diagnostics.to_string();
    ASSERT_EQ(r.set->workflows.size(), 1u);
    const auto& wf = r.set->workflows.front();
    EXPECT_EQ(wf.name, "good");
    EXPECT_EQ(wf.steps.size(), 1u);
    // Messages left out get the Spanish defaults.
    EXPECT_TRUE(wf.messages.count(MessageKind::approval));
    EXPECT_TRUE(wf.messages.count(MessageKind::refused));
}

// `workflows.language` picks the catalog: the defaults a workflow leaves out, and every text
// the daemon adds (policy reasons, plan lines, field errors), come in that language.
struct LanguageCase {
    const char* language;
    const char* approval;  // the approval comment for a reset of ana@x.com
    const char* invalid;   // the invalid comment for a task without the address
};

class CommentLanguage : public ::testing::TestWithParam<LanguageCase> {};

TEST_P(CommentLanguage, RendersTheCommentsInTheSelectedCatalog) {
    messages::ScopedLanguage selected(GetParam().language);
    auto r = load({{"good.yaml", kGood}});
    ASSERT_TRUE(r.set) << r.diagnostics.to_string();
    EXPECT_EQ(r.set->language, GetParam().language);
    domain::Task t;
    t.id = 7;
    t.title = "reset";
    t.tags = {"good"};
    t.description = "Correo: ana@x.com";
    // A requester outside policy.requesters: the plan waits for approval, with the default
    // approval message (the workflow has none).
    domain::DirectorySnapshot directory;
    domain::DirectoryUser ana;
    ana.address = "ana@x.com";
    ana.zuid = "5";
    directory.users.push_back(ana);
    auto e = evaluate(*r.set, t, directory, false);
    ASSERT_EQ(e.outcome, Outcome::approval) << e.comment;
    EXPECT_EQ(e.comment, GetParam().approval);
    t.description = "nada";
    e = evaluate(*r.set, t, directory);
    ASSERT_EQ(e.outcome, Outcome::invalid) << e.comment;
    EXPECT_EQ(e.comment, GetParam().invalid);
}

INSTANTIATE_TEST_SUITE_P(
    Catalogs, CommentLanguage,
    ::testing::Values(
        LanguageCase{
            "es-MX",
            "Esta solicitud requiere aprobación de TI antes de ejecutarse.\n"
            "Motivos: Quien hizo la solicitud no está autorizado para cambios "
            "automáticos (policy.requesters): requiere aprobación de TI.\n"
            "Plan:\n1. Restablecer la contraseña de ana@x.com (id Zoho 5) (contraseña temporal, "
            "entregada en privado).",
            "Falta «Correo»: agregue a la descripción una línea «Correo: ...»."},
        LanguageCase{
            "en-US",
            "This request needs IT approval before it runs.\n"
            "Reasons: The requester is not allowed automatic changes "
            "(policy.requesters): IT approval is needed.\n"
            "Plan:\n1. Reset the password of ana@x.com (Zoho id 5) (temporary password, delivered "
            "privately).",
            "“Correo” is missing: add a line “Correo: ...” to the description."}),
    [](const auto& param_info) {
        std::string name = param_info.param.language;
        name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
        return name;
    });

TEST(Loader, AnUnknownLanguageFallsBackToTheSelectedCatalog) {
    auto r = load_workflow_texts({{"good.yaml", kGood}}, vars(), policy(), "fr-FR");
    ASSERT_TRUE(r.set) << r.diagnostics.to_string();
    EXPECT_EQ(r.set->language, messages::selected());
}

struct BadCase {
    const char* name;
    const char* from;
    const char* to;
    const char* expected;  // the whole first diagnostic line
};

class BadWorkflow : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadWorkflow, IsRejectedWithAPositionedError) {
    auto r = load({{"w.yaml", replace(kGood, GetParam().from, GetParam().to)}});
    EXPECT_FALSE(r.set);
    ASSERT_FALSE(r.diagnostics.all().empty());
    EXPECT_EQ(r.diagnostics.all().front().to_string(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadWorkflow,
    ::testing::Values(
        BadCase{"unknown_operation", "reset_password:", "reset_pasword:",
                "w.yaml:6:5: steps[0].reset_pasword: unknown operation (did you mean "
                "'reset_password'?); known: "
                "create_user, disable_user, enable_user, delete_user, reset_password, "
                "update_display_name, "
                "change_role, add_alias, remove_alias, create_group, delete_group, rename_group, "
                "add_group_member, remove_group_member (modifiers: for_each, when, after_days)"},
        BadCase{"unknown_field_in_template", "Hecho {{ correo }}", "Hecho {{ corre }}",
                "w.yaml:8:9: messages.done: '{{ corre }}' names no field, var or known value (did "
                "you mean 'correo'?)"},
        BadCase{"unknown_config_value", "Hecho {{ correo }}", "{{ config.domian }}",
                "w.yaml:8:9: messages.done: '{{ config.domian }}' is not in the config's "
                "workflows.vars (did you mean 'config.domain'?)"},
        BadCase{"unknown_filter", "{{ correo }}\", password",
                "{{ correo | lowercase }}\", password",
                "w.yaml:6:30: steps[0].reset_password.email: bad template: unknown filter "
                "'lowercase' (known: ascii, lower, upper, "
                "first_word, surname, slug, map, join, default, trim, groups_of)"},
        BadCase{"bad_regex", "{ tag: good }", "{ title: '(baja' }",
                "w.yaml:2:17: match.title: bad regular expression '(baja': "
                "U_REGEX_MISMATCHED_PAREN at offset 5"},
        BadCase{"missing_message", "  invalid: \"{{ errors }}\"\n", "",
                "w.yaml:8:3: messages.invalid: missing message 'invalid' (what HR reads when the "
                "request must be corrected)"},
        BadCase{
            "unknown_param", "password: generate", "password: generate, passwrd: x",
            "w.yaml:6:66: steps[0].reset_password.passwrd: unknown parameter for reset_password "
            "(did you mean 'password'?); "
            "known: email, password, one_time_password"},
        BadCase{"literal_password", "password: generate", "password: Secreto123",
                "w.yaml:6:56: steps[0].reset_password.password: must be 'generate': passwords are "
                "made by the executor, never "
                "written in a workflow"},
        BadCase{"missing_required_param", "email: \"{{ correo }}\", ", "",
                "w.yaml:6:21: steps[0].reset_password: missing required parameter 'email'"},
        BadCase{"unknown_key", "name: good", "name: good\nnmae: x",
                "w.yaml:2:1: nmae: unknown key (did you mean 'name'?); known: name, description, "
                "priority, match, fields, vars, "
                "approval, steps, messages, not_before"},
        BadCase{"bad_type", "type: address", "type: email",
                "w.yaml:4:34: fields.correo.type: unknown type 'email'; known: text, address, "
                "addresses, date"},
        BadCase{"approval_value", "name: good", "name: good\napproval: maybe",
                "w.yaml:2:11: approval: must be 'auto' or 'required'"},
        BadCase{
            "no_match", "match: { tag: good }\n", "",
            "w.yaml:1:1: match: missing: say which tasks the workflow takes (tag, title, ...)"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Loader, YamlSyntaxErrorsArePositioned) {
    auto r = load({{"w.yaml", "name: [unclosed\n"}});
    EXPECT_FALSE(r.set);
    ASSERT_EQ(r.diagnostics.all().size(), 1u);
    EXPECT_EQ(r.diagnostics.all().front().file, "w.yaml");
    EXPECT_GT(r.diagnostics.all().front().line, 0);
    EXPECT_NE(r.diagnostics.all().front().message.find("YAML syntax"), std::string::npos);
}

TEST(Loader, ApprovalRequiredNeedsAnApprovalMessage) {
    auto r = load({{"w.yaml", replace(kGood, "name: good", "name: good\napproval: required")}});
    EXPECT_FALSE(r.set);
    EXPECT_NE(r.diagnostics.to_string().find("missing message 'approval'"), std::string::npos);
}

TEST(Loader, DuplicateNamesAreRejected) {
    auto r = load({{"a.yaml", kGood}, {"b.yaml", replace(kGood, "tag: good", "tag: other")}});
    EXPECT_FALSE(r.set);
    EXPECT_EQ(r.diagnostics.all().front().to_string(),
              "b.yaml:1:1: name: duplicate workflow name 'good' (also in a.yaml:1)");
}

TEST(Loader, OverlappingClaimsNeedDistinctPriorities) {
    auto second = replace(kGood, "name: good", "name: second");
    auto r = load({{"a.yaml", kGood}, {"b.yaml", second}});
    EXPECT_FALSE(r.set);
    EXPECT_EQ(r.diagnostics.all().front().to_string(),
              "b.yaml:2:8: match: workflow 'second' can claim the same tasks as 'good' (a.yaml:1) "
              "and both "
              "have priority 0; give one of them a different 'priority' or make the match criteria "
              "exclusive");
    // A priority settles it.
    auto r2 = load({{"a.yaml", kGood},
                    {"b.yaml", replace(second, "name: second", "name: second\npriority: 5")}});
    EXPECT_TRUE(r2.set) << r2.diagnostics.to_string();
    EXPECT_EQ(r2.set->workflows.front().name, "second");
}

struct ExclusiveCase {
    const char* name;
    const char* match_a;
    const char* match_b;
    bool conflict;
};

class Exclusive : public ::testing::TestWithParam<ExclusiveCase> {};

TEST_P(Exclusive, DecidesWhetherTwoWorkflowsCanClaimTheSameTask) {
    auto a = replace(kGood, "{ tag: good }", GetParam().match_a);
    auto b =
        replace(replace(kGood, "name: good", "name: other"), "{ tag: good }", GetParam().match_b);
    auto r = load({{"a.yaml", a}, {"b.yaml", b}});
    EXPECT_EQ(!r.set.has_value(), GetParam().conflict) << r.diagnostics.to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Exclusive,
    ::testing::Values(
        ExclusiveCase{"different_tags", "{ tag: a }", "{ tag: b }", false},
        ExclusiveCase{"shared_tag", "{ tag: [a, b] }", "{ tag: b }", true},
        ExclusiveCase{"tag_vs_title", "{ tag: a }", "{ title: '^a' }", true},
        ExclusiveCase{"tag_vs_untagged_title", "{ tag: a }", "{ untagged: true, title: '^a' }",
                      false},
        ExclusiveCase{"different_projects", "{ project: 1 }", "{ project: 2 }", false},
        ExclusiveCase{"different_label_patterns", "{ tag: g, label: { Acción: crear } }",
                      "{ tag: g, label: { Acción: eliminar } }", false},
        ExclusiveCase{"different_uf", "{ uf: { UF_T: x } }", "{ uf: { UF_T: y } }", false},
        ExclusiveCase{"has_label_is_not_exclusive", "{ tag: c, has_label: X }",
                      "{ tag: c, has_label: Y }", true}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Loader, ReadsAFolderAndReportsAnEmptyOne) {
    test::TempDir dir;
    dir.write("good.yaml", kGood);
    dir.write("notes.txt", "ignored");
    auto cfg = config::load_config_text(
        "bitrix: {portal_url: 'http://127.0.0.1:1', webhook_user_id: 1, webhook_secret_file: s, "
        "project_id: 1}\n"
        "zoho: {accounts_url: 'http://127.0.0.1:1', api_url: 'http://127.0.0.1:1', client_id: c, "
        "client_secret_file: s, refresh_token_file: s}\n"
        "policy: {allowed_domains: [x.com]}\n"
        "workflows: {dir: " +
            dir.path().string() + ", vars: {domain: x.com}}\n",
        dir.write("s", "secret\n").parent_path() / "hrmaild.yaml");
    ASSERT_TRUE(cfg.config) << cfg.diagnostics.to_string();
    auto r = load_workflows(*cfg.config);
    ASSERT_TRUE(r.set) << r.diagnostics.to_string();
    EXPECT_EQ(r.set->workflows.size(), 1u);
    std::filesystem::remove(dir.path() / "good.yaml");
    auto d = validate_workflows(*cfg.config);
    EXPECT_TRUE(d.has_errors());
    EXPECT_NE(d.to_string().find("holds no *.yaml workflow"), std::string::npos);
}

TEST(Loader, ShippedWorkflowsLoadCleanAgainstTheSandboxConfig) {
    auto cfg = config::load_config(test::source_dir() / "config" / "sandbox.yaml");
    ASSERT_TRUE(cfg.config) << cfg.diagnostics.to_string();
    auto r = load_workflows(*cfg.config);
    ASSERT_TRUE(r.set) << r.diagnostics.to_string();
    EXPECT_EQ(r.diagnostics.all().size(), 0u);
    std::vector<std::string> names;
    for (const auto& w : r.set->workflows)
        names.push_back(w.name);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"alta", "baja", "cambio-datos",
                                               "cambio-departamento", "contrasena", "grupo-alta",
                                               "grupo-baja", "grupo-miembros"}));
}

}  // namespace
}  // namespace hrmaild::workflow
