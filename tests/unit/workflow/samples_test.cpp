// Every sample request of tests/fixtures/tickets through load → match → extract → plan → policy
// against org.json, checked against its `expect` and against its golden plan in tests/golden/.
//
// Golden files are never written by a test. After an intended change, regenerate one with
//   hrmaild plan --config config/sandbox.yaml --directory tests/fixtures/tickets/org.json
//     --file tests/fixtures/tickets/requests/NN-*.json --json > tests/golden/NN.json
// (one command line)
// and review the diff.
#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/loader.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace hrmaild::workflow {
namespace {

namespace fs = std::filesystem;

class Samples : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto cfg = config::load_config(test::source_dir() / "config" / "sandbox.yaml");
        ASSERT_TRUE(cfg.config) << cfg.diagnostics.to_string();
        auto r = load_workflows(*cfg.config);
        ASSERT_TRUE(r.set) << r.diagnostics.to_string();
        set_ = new WorkflowSet(std::move(*r.set));
        std::string err;
        auto d = directory_from_json(test::read_file(fixtures() / "org.json"), err);
        ASSERT_TRUE(d) << err;
        dir_ = new domain::DirectorySnapshot(std::move(*d));
    }
    static void TearDownTestSuite() {
        delete set_;
        delete dir_;
        set_ = nullptr;
        dir_ = nullptr;
    }
    static fs::path fixtures() { return test::source_dir() / "tests" / "fixtures" / "tickets"; }

    static fs::path request(const std::string& prefix) {
        for (const auto* folder : {"requests", "dated"})
            for (const auto& e : fs::directory_iterator(fixtures() / folder))
                if (e.path().filename().string().starts_with(prefix + "-"))
                    return e.path();
        ADD_FAILURE() << "no request " << prefix;
        return {};
    }

    static Evaluation run(const std::string& prefix) {
        std::string err;
        auto t = task_from_json(test::read_file(request(prefix)), err);
        EXPECT_TRUE(t) << err;
        if (!t)
            return {};
        return evaluate(*set_, *t, *dir_);
    }

    static std::vector<std::string> ops(const Evaluation& e) {
        std::vector<std::string> out;
        if (e.plan)
            for (const auto& s : e.plan->steps)
                out.emplace_back(domain::op_name(s.kind));
        return out;
    }

    static bool any_contains(const std::vector<std::string>& v, std::string_view s) {
        return std::any_of(v.begin(), v.end(),
                           [&](const std::string& x) { return x.find(s) != std::string::npos; });
    }

    static inline WorkflowSet* set_ = nullptr;
    static inline domain::DirectorySnapshot* dir_ = nullptr;
};

TEST_F(Samples, Alta01_RoutineHireWithoutApproval) {
    auto e = run("01");
    ASSERT_EQ(e.outcome, Outcome::automatic);
    EXPECT_EQ(e.workflow->name, "alta");
    const auto& s = e.plan->steps;
    ASSERT_EQ(ops(e),
              (std::vector<std::string>{"create_user", "add_group_member", "add_group_member"}));
    EXPECT_EQ(s[0].text("email"), "mariana.torres@tarmexico.com");
    EXPECT_EQ(s[0].text("first_name"), "Mariana");
    EXPECT_EQ(s[0].text("last_name"), "Torres Ibarra");
    EXPECT_EQ(s[0].text("password"), "generate");
    EXPECT_TRUE(s[0].flag("one_time_password"));
    EXPECT_EQ(s[1].text("group"), "operaciones@tarmexico.com");
    EXPECT_EQ(s[1].text("member"), "mariana.torres@tarmexico.com");
    EXPECT_FALSE(e.decision.approval_required);
    EXPECT_NE(e.comment.find("mariana.torres@tarmexico.com"), std::string::npos);
}

TEST_F(Samples, Alta02_AccentsAndCompoundNames) {
    auto e = run("02");
    ASSERT_EQ(e.outcome, Outcome::automatic);
    const auto& s = e.plan->steps;
    EXPECT_EQ(s[0].text("email"), "maria.nunez@tarmexico.com");
    EXPECT_EQ(s[0].text("display_name"), "María José Núñez de la Peña");
    EXPECT_EQ(s[0].text("first_name"), "María José");
    EXPECT_EQ(s[1].text("group"), "mantenimiento@tarmexico.com");
}

TEST_F(Samples, Alta03_CollisionPicksTheNextFreeCandidate) {
    auto e = run("03");
    ASSERT_EQ(e.outcome, Outcome::automatic);
    for (const auto& s : e.plan->steps)
        for (const auto& a : s.addresses())
            EXPECT_NE(a, "juan.perez@tarmexico.com");
    EXPECT_EQ(e.plan->steps[0].text("email"), "juan.perez.salinas@tarmexico.com");
}

TEST_F(Samples, Baja04_NeedsApprovalAndSchedulesTheDelete) {
    auto e = run("04");
    ASSERT_EQ(e.outcome, Outcome::approval);
    EXPECT_EQ(ops(e), (std::vector<std::string>{"remove_group_member", "remove_group_member",
                                                "disable_user", "delete_user"}));
    EXPECT_EQ(e.plan->steps[0].text("group"), "operaciones@tarmexico.com");
    EXPECT_EQ(e.plan->steps[1].text("group"), "todos@tarmexico.com");
    EXPECT_TRUE(e.plan->steps[2].flag("block_incoming"));
    EXPECT_TRUE(e.plan->steps[2].flag("remove_forwards"));
    EXPECT_EQ(e.plan->steps[2].after_days, 0);
    EXPECT_EQ(e.plan->steps[3].after_days, 30);
    EXPECT_FALSE(e.decision.refused);
}

TEST_F(Samples, Cambio05_DisplayName) {
    auto e = run("05");
    ASSERT_EQ(e.outcome, Outcome::automatic);
    EXPECT_EQ(e.workflow->name, "cambio-datos");
    ASSERT_EQ(ops(e), (std::vector<std::string>{"update_display_name"}));
    EXPECT_EQ(e.plan->steps[0].text("email"), "ana.lopez@tarmexico.com");
    EXPECT_EQ(e.plan->steps[0].text("display_name"), "Ana López Ruiz");
    EXPECT_NE(e.comment.find("Ana López Ruiz"), std::string::npos);
}

TEST_F(Samples, Cambio06_DepartmentMove) {
    auto e = run("06");
    ASSERT_EQ(e.outcome, Outcome::automatic);
    EXPECT_EQ(e.workflow->name, "cambio-departamento");
    ASSERT_EQ(ops(e), (std::vector<std::string>{"remove_group_member", "add_group_member"}));
    EXPECT_EQ(e.plan->steps[0].text("group"), "mantenimiento@tarmexico.com");
    EXPECT_EQ(e.plan->steps[1].text("group"), "operaciones@tarmexico.com");
    for (const auto& s : e.plan->steps)
        EXPECT_NE(s.text("group"), "todos@tarmexico.com");
}

TEST_F(Samples, Contrasena07_ResetWithGeneratedPassword) {
    auto e = run("07");
    ASSERT_EQ(e.outcome, Outcome::automatic);
    ASSERT_EQ(ops(e), (std::vector<std::string>{"reset_password"}));
    EXPECT_EQ(e.plan->steps[0].text("password"), "generate");
    EXPECT_TRUE(e.plan->steps[0].flag("one_time_password"));
}

TEST_F(Samples, Grupo08_CreateWithMembers) {
    auto e = run("08");
    ASSERT_EQ(e.outcome, Outcome::automatic);
    EXPECT_EQ(e.workflow->name, "grupo-alta");
    ASSERT_EQ(ops(e), (std::vector<std::string>{"create_group"}));
    EXPECT_EQ(e.plan->steps[0].text("group"), "mantenimiento-qro@tarmexico.com");
    EXPECT_EQ(e.plan->steps[0].text("name"), "Mantenimiento QRO");
    EXPECT_EQ(
        e.plan->steps[0].list("members"),
        (std::vector<std::string>{"luis.martinez@tarmexico.com", "jorge.ramirez@tarmexico.com"}));
}

TEST_F(Samples, Grupo09_OneStepPerMemberChange) {
    auto e = run("09");
    ASSERT_EQ(e.outcome, Outcome::automatic);
    EXPECT_EQ(e.workflow->name, "grupo-miembros");
    ASSERT_EQ(ops(e), (std::vector<std::string>{"add_group_member", "remove_group_member"}));
    EXPECT_EQ(e.plan->steps[0].text("member"), "ana.lopez@tarmexico.com");
    EXPECT_EQ(e.plan->steps[1].text("member"), "juan.perez@tarmexico.com");
}

TEST_F(Samples, Grupo10_DeleteNeedsApproval) {
    auto e = run("10");
    ASSERT_EQ(e.outcome, Outcome::approval);
    EXPECT_EQ(e.workflow->name, "grupo-baja");
    EXPECT_EQ(ops(e), (std::vector<std::string>{"delete_group"}));
}

TEST_F(Samples, Alta11_MissingSurnameIsNamed) {
    auto e = run("11");
    ASSERT_EQ(e.outcome, Outcome::invalid);
    EXPECT_FALSE(e.plan);
    ASSERT_EQ(e.errors.size(), 1u);
    EXPECT_NE(e.errors[0].find("Apellido"), std::string::npos);
    EXPECT_NE(e.comment.find("Apellido paterno"), std::string::npos);
    EXPECT_NE(e.comment.find("Corrija la descripción"), std::string::npos);
}

TEST_F(Samples, Baja12_TitleAloneSelectsTermination) {
    auto e = run("12");
    ASSERT_EQ(e.outcome, Outcome::approval);
    EXPECT_EQ(e.workflow->name, "baja");
    EXPECT_EQ(e.plan->steps.back().text("email"), "juan.perez@tarmexico.com");
}

TEST_F(Samples, Baja13_ProtectedAccountIsRefused) {
    auto e = run("13");
    ASSERT_EQ(e.outcome, Outcome::refused);
    EXPECT_TRUE(e.decision.refused);
    EXPECT_TRUE(any_contains(e.decision.reasons, "admin@tarmexico.com está protegida"));
    EXPECT_NE(e.comment.find("no se puede ejecutar"), std::string::npos);
}

TEST_F(Samples, Grupo14_OutsideAddressNeedsApproval) {
    auto e = run("14");
    ASSERT_EQ(e.outcome, Outcome::approval);
    EXPECT_TRUE(any_contains(e.decision.reasons, "soporte@proveedor-externo.com"));
    EXPECT_NE(e.comment.find("soporte@proveedor-externo.com"), std::string::npos);
}

// Issue 14: the dated samples carry the instant of their effective date in the plan.
TEST_F(Samples, Baja15_DatedTerminationRunsAtTheEndOfItsDay) {
    auto e = run("15");
    ASSERT_EQ(e.outcome, Outcome::approval);
    ASSERT_TRUE(e.plan);
    EXPECT_EQ(e.plan->not_before_local, "31/01/2031 23:59 (America/Mexico_City)");
    // 23:59 at UTC-6 is 05:59 UTC on 1 February 2031.
    EXPECT_EQ(e.plan->not_before_ms,
              (core::days_from_civil(2031, 2, 1) * 86400 + 5 * 3600 + 59 * 60) * 1000);
}

TEST_F(Samples, Alta16_DatedHireIsCreatedThreeDaysBefore) {
    auto e = run("16");
    ASSERT_EQ(e.outcome, Outcome::automatic);
    ASSERT_TRUE(e.plan);
    EXPECT_EQ(e.plan->not_before_local, "31/01/2031 00:00 (America/Mexico_City)");
    EXPECT_EQ(e.plan->steps.front().text("email"), "sofia.herrera@tarmexico.com");
}

TEST_F(Samples, EveryRequestMatchesItsGoldenPlan) {
    int checked = 0;
    std::vector<fs::directory_entry> entries;
    for (const auto* folder : {"requests", "dated"})
        for (const auto& entry : fs::directory_iterator(fixtures() / folder))
            entries.push_back(entry);
    for (const auto& entry : entries) {
        auto name = entry.path().filename().string();
        auto nn = name.substr(0, 2);
        auto golden = test::source_dir() / "tests" / "golden" / (nn + ".json");
        ASSERT_TRUE(fs::exists(golden))
            << "no golden plan for " << name << " (see the header of this file)";
        auto actual = pretty_json(to_json(run(nn)));
        EXPECT_EQ(actual, test::read_file(golden)) << name << " differs from " << golden.string();
        ++checked;
    }
    EXPECT_EQ(checked, 16);
}

}  // namespace
}  // namespace hrmaild::workflow
