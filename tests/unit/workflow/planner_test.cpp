#include "daemon/workflow/planner.hpp"
#include "daemon/core/hash.hpp"
#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/loader.hpp"
#include "daemon/workflow/plan_json.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace hrmaild::workflow {
namespace {

// The shipped workflows against the sandbox config, with a directory each test shapes.
class Planning : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto cfg = config::load_config(test::source_dir() / "config" / "sandbox.yaml");
        ASSERT_TRUE(cfg.config) << cfg.diagnostics.to_string();
        auto r = load_workflows(*cfg.config);
        ASSERT_TRUE(r.set) << r.diagnostics.to_string();
        set_ = new WorkflowSet(std::move(*r.set));
    }
    static void TearDownTestSuite() {
        delete set_;
        set_ = nullptr;
    }

    static domain::Task task(std::string tag, std::string description, std::string title = "t") {
        domain::Task t;
        t.id = 99;
        t.title = std::move(title);
        if (!tag.empty())
            t.tags.push_back(std::move(tag));
        t.description = std::move(description);
        t.group_id = 42;
        return t;
    }

    static domain::DirectorySnapshot base_directory() {
        domain::DirectorySnapshot d;
        d.users.push_back({"juan.perez@tarmexico.com", {}, "Juan", "Pérez", "", "member", true});
        d.users.push_back(
            {"luis.martinez@tarmexico.com", {}, "Luis", "Martínez", "", "member", true});
        d.groups.push_back(
            {"operaciones@tarmexico.com", "Operaciones", {"juan.perez@tarmexico.com"}});
        d.groups.push_back(
            {"mantenimiento@tarmexico.com", "Mantenimiento", {"luis.martinez@tarmexico.com"}});
        d.groups.push_back({"comercial@tarmexico.com", "Comercial", {}});
        d.groups.push_back({"todos@tarmexico.com",
                            "Todos",
                            {"juan.perez@tarmexico.com", "luis.martinez@tarmexico.com"}});
        return d;
    }

    static Evaluation eval(const domain::Task& t, const domain::DirectorySnapshot& d) {
        return evaluate(*set_, t, d);
    }

    static std::string hire(const std::string& nombre, const std::string& paterno,
                            const std::string& materno = "") {
        std::string s =
            "[B]Nombre(s):[/B] " + nombre + "\n[B]Apellido paterno:[/B] " + paterno + "\n";
        if (!materno.empty())
            s += "[B]Apellido materno:[/B] " + materno + "\n";
        return s + "[B]Departamento:[/B] Comercial";
    }

    static inline WorkflowSet* set_ = nullptr;
};

TEST_F(Planning, FirstFreeSkipsUsersAliasesAndGroups) {
    auto d = base_directory();
    d.users[1].aliases.push_back(
        "juan.perez.salinas@tarmexico.com");  // the 2nd candidate is an alias
    d.groups.push_back({"juan-carlos.perez@tarmexico.com", "Un grupo", {}});  // the 3rd is a group
    auto e = eval(task("alta", hire("Juan Carlos", "Pérez", "Salinas")), d);
    ASSERT_EQ(e.outcome, Outcome::automatic) << (e.errors.empty() ? "" : e.errors.front());
    EXPECT_EQ(e.plan->steps.front().text("email"), "juan.perez-salinas@tarmexico.com");
}

TEST_F(Planning, NoFreeAddressIsAnErrorNamingTheCandidates) {
    auto d = base_directory();
    d.users.push_back({"ana.ruiz@tarmexico.com", {}, "Ana", "Ruiz", "", "member", true});
    auto e = eval(task("alta", hire("Ana", "Ruiz")), d);
    EXPECT_EQ(e.outcome, Outcome::invalid);
    ASSERT_EQ(e.errors.size(), 1u);
    EXPECT_NE(e.errors.front().find("ana.ruiz@tarmexico.com"), std::string::npos)
        << e.errors.front();
    EXPECT_NE(e.comment.find("No hay una dirección libre"), std::string::npos);
}

TEST_F(Planning, HireWithTheSameNamesGoesToApprovalShowingTheExistingAddress) {
    auto d = base_directory();
    d.users.push_back(
        {"mariana.torres@tarmexico.com", {}, "Mariana", "Torres Ibarra", "", "member", true});
    auto e = eval(task("alta", hire("MARIANA", "Tórres", "Ibarra")), d);
    ASSERT_EQ(e.outcome, Outcome::approval);
    EXPECT_EQ(e.plan->steps.front().text("email"), "mariana.torres.ibarra@tarmexico.com");
    bool shown = false;
    for (const auto& r : e.decision.reasons)
        shown = shown || r.find("mariana.torres@tarmexico.com") != std::string::npos;
    EXPECT_TRUE(shown);
    EXPECT_NE(e.comment.find("mariana.torres@tarmexico.com"), std::string::npos);
}

TEST_F(Planning, PreflightRejectsAMissingUserAndAMissingGroup) {
    auto d = base_directory();
    auto e = eval(task("contrasena", "Correo: nadie@tarmexico.com"), d);
    EXPECT_EQ(e.outcome, Outcome::invalid);
    EXPECT_EQ(e.errors, (std::vector<std::string>{"No existe la cuenta nadie@tarmexico.com."}));
    e = eval(task("grupo", "Acción: Eliminar grupo\nCorreo del grupo: ventas@tarmexico.com"), d);
    EXPECT_EQ(e.errors, (std::vector<std::string>{"No existe el grupo ventas@tarmexico.com."}));
    e = eval(task("grupo",
                  "Acción: Crear grupo\nCorreo del grupo: operaciones@tarmexico.com\nNombre: X"),
             d);
    EXPECT_EQ(
        e.errors,
        (std::vector<std::string>{
            "La dirección operaciones@tarmexico.com ya está en uso por otra cuenta o grupo."}));
    e = eval(task("grupo",
                  "Acción: Actualizar miembros\nCorreo del grupo: "
                  "comercial@tarmexico.com\nAgregar: fantasma@tarmexico.com"),
             d);
    EXPECT_EQ(e.errors, (std::vector<std::string>{"No existe la cuenta fantasma@tarmexico.com."}));
}

TEST_F(Planning, MembersAlreadyThereOrAbsentAreNotesNotSteps) {
    auto d = base_directory();
    auto e = eval(task("grupo",
                       "Acción: Actualizar miembros\nCorreo del grupo: operaciones@tarmexico.com\n"
                       "Agregar: juan.perez@tarmexico.com, luis.martinez@tarmexico.com\n"
                       "Quitar: luis.martinez@tarmexico.com"),
                  d);
    ASSERT_EQ(e.outcome, Outcome::automatic) << (e.errors.empty() ? "" : e.errors.front());
    // juan is already a member (note); luis is added, then removed again within the same plan.
    ASSERT_EQ(e.plan->steps.size(), 2u);
    EXPECT_EQ(e.plan->steps[0].kind, domain::OpKind::add_group_member);
    EXPECT_EQ(e.plan->steps[1].kind, domain::OpKind::remove_group_member);
    ASSERT_EQ(e.plan->notes.size(), 1u);
    EXPECT_NE(e.plan->notes.front().find("juan.perez@tarmexico.com ya es miembro"),
              std::string::npos);
    e = eval(task("grupo",
                  "Acción: Actualizar miembros\nCorreo del grupo: comercial@tarmexico.com\nQuitar: "
                  "juan.perez@tarmexico.com"),
             d);
    ASSERT_TRUE(e.plan);
    EXPECT_TRUE(e.plan->steps.empty());
    EXPECT_EQ(e.plan->notes.size(), 1u);
}

TEST_F(Planning, ARequestThatAsksNothingIsInvalid) {
    auto e = eval(
        task("grupo", "Acción: Actualizar miembros\nCorreo del grupo: comercial@tarmexico.com"),
        base_directory());
    EXPECT_EQ(e.outcome, Outcome::invalid);
    EXPECT_NE(e.errors.front().find("no pide ningún cambio"), std::string::npos);
}

TEST_F(Planning, TerminationRemovesEveryGroupNowAndDeletesLater) {
    auto e = eval(task("baja", "Correo: luis.martinez@tarmexico.com"), base_directory());
    ASSERT_EQ(e.outcome, Outcome::approval);
    ASSERT_EQ(e.plan->steps.size(), 4u);
    EXPECT_EQ(e.plan->steps[0].text("group"), "mantenimiento@tarmexico.com");
    EXPECT_EQ(e.plan->steps[1].text("group"), "todos@tarmexico.com");
    EXPECT_EQ(e.plan->steps[2].kind, domain::OpKind::disable_user);
    EXPECT_TRUE(e.plan->steps[2].flag("block_incoming"));
    EXPECT_EQ(e.plan->steps[2].after_days, 0);
    EXPECT_EQ(e.plan->steps[3].kind, domain::OpKind::delete_user);
    EXPECT_EQ(e.plan->steps[3].after_days, set_->retention_days);
}

TEST_F(Planning, VeryLongNamesValidateAndNeverMakeAnOverlongAddress) {
    auto d = base_directory();
    // 60 letters each: within the field limits, but every candidate's local part would pass
    // 64 characters, so no address can be formed and HR is told.
    std::string nombre(60, 'a');
    std::string apellido(60, 'b');
    auto e = eval(task("alta", hire(nombre, apellido)), d);
    EXPECT_EQ(e.outcome, Outcome::invalid);
    ASSERT_EQ(e.errors.size(), 1u);
    EXPECT_NE(e.errors.front().find("No se pudo formar una dirección"), std::string::npos);
    // Over the limit: the length error names the field.
    e = eval(task("alta", hire(std::string(61, 'a'), "Ruiz")), d);
    ASSERT_EQ(e.errors.size(), 1u);
    EXPECT_EQ(e.errors.front(), "«Nombre(s)»: tiene 61 caracteres; el máximo es 60.");
    // Long but fine: a 30-letter compound name with particles.
    e = eval(task("alta",
                  hire("María de los Ángeles Guadalupe", "de la Santísima Trinidad", "y Güemes")),
             d);
    ASSERT_EQ(e.outcome, Outcome::automatic) << (e.errors.empty() ? "" : e.errors.front());
    EXPECT_EQ(e.plan->steps.front().text("email"), "maria.santisima@tarmexico.com");
    EXPECT_EQ(e.plan->steps.front().text("last_name"), "de la Santísima Trinidad y Güemes");
}

TEST_F(Planning, PasswordsNeverAppearInAPlan) {
    auto e = eval(task("alta", hire("Ana", "Ruiz")), base_directory());
    ASSERT_TRUE(e.plan);
    EXPECT_EQ(e.plan->steps.front().text("password"), "generate");
    auto json = pretty_json(to_json(e));
    EXPECT_NE(json.find("\"password\": \"generate\""), std::string::npos);
}

TEST_F(Planning, SameInputSameHash) {
    auto d = base_directory();
    auto a = eval(task("alta", hire("María José", "Núñez", "de la Peña")), d);
    auto b = eval(task("alta", hire("María José", "Núñez", "de la Peña")), d);
    ASSERT_TRUE(a.plan && b.plan);
    EXPECT_EQ(a.plan_hash, b.plan_hash);
    EXPECT_EQ(a.plan_hash.size(), 64u);
    EXPECT_EQ(a.plan_hash, core::sha256_hex(canonical_text(*a.plan)));
}

TEST_F(Planning, AnyFieldChangeChangesTheHash) {
    auto d = base_directory();
    const std::string base_desc =
        hire("Ana", "Ruiz", "Soto") + "\nPuesto: Agente\nFecha de ingreso: 01/12/2026";
    auto base = eval(task("alta", base_desc), d);
    ASSERT_TRUE(base.plan);
    const std::vector<std::pair<std::string, std::string>> edits = {
        {"Ana", "Anabel"},         {"Ruiz", "Ruíz"},
        {"Soto", "Sotelo"},        {"Comercial", "Operaciones"},
        {"Agente", "Supervisora"}, {"01/12/2026", "02/12/2026"}};
    for (const auto& [from, to] : edits) {
        auto desc = base_desc;
        desc.replace(desc.find(from), from.size(), to);
        auto e = eval(task("alta", desc), d);
        ASSERT_TRUE(e.plan) << from;
        EXPECT_NE(e.plan_hash, base.plan_hash) << from << " -> " << to;
    }
    auto other = task("alta", base_desc);
    other.id = 100;
    EXPECT_NE(eval(other, d).plan_hash, base.plan_hash);
}

TEST_F(Planning, UnclaimedAndUntaggedTasks) {
    auto d = base_directory();
    EXPECT_EQ(eval(task("", "Correo: juan.perez@tarmexico.com", "Compra de sillas"), d).outcome,
              Outcome::unclaimed);
    EXPECT_EQ(eval(task("", "Correo: juan.perez@tarmexico.com", "BAJA: Juan"), d).workflow->name,
              "baja");
    // A tagged task is not claimed by the untagged title rule.
    EXPECT_EQ(eval(task("otra", "Correo: juan.perez@tarmexico.com", "Baja de algo"), d).outcome,
              Outcome::unclaimed);
}

TEST_F(Planning, GroupActionsAreToldApartByTheAccionLine) {
    auto d = base_directory();
    struct Case {
        const char* accion;
        const char* workflow;
    };
    for (auto c :
         {Case{"Crear grupo", "grupo-alta"}, Case{"Nueva lista", "grupo-alta"},
          Case{"Dar de alta el grupo", "grupo-alta"},
          Case{"Dar de alta miembros", "grupo-miembros"},
          Case{"Actualizar miembros", "grupo-miembros"}, Case{"Agregar personas", "grupo-miembros"},
          Case{"Eliminar grupo", "grupo-baja"}, Case{"Dar de baja el grupo", "grupo-baja"},
          Case{"Baja de miembros", "grupo-miembros"}}) {
        auto e = eval(task("grupo", std::string("[B]Acción:[/B] ") + c.accion +
                                        "\nCorreo del grupo: comercial@tarmexico.com"),
                      d);
        ASSERT_NE(e.workflow, nullptr) << c.accion;
        EXPECT_EQ(e.workflow->name, c.workflow) << c.accion;
    }
    EXPECT_EQ(eval(task("grupo", "Acción: Renombrar"), d).outcome, Outcome::unclaimed);
}

TEST_F(Planning, TaskTextIsNeverEvaluated) {
    auto e = eval(
        task("cambio",
             "Correo: juan.perez@tarmexico.com\nNuevo nombre para mostrar: {{ config.domain }}"),
        base_directory());
    ASSERT_TRUE(e.plan);
    EXPECT_EQ(e.plan->steps.front().text("display_name"), "{{ config.domain }}");
    EXPECT_NE(e.comment.find("«{{ config.domain }}»"), std::string::npos) << e.comment;
}

// Issue 9 B: every step names its target by Zoho id as well as by address.
static domain::DirectorySnapshot with_ids(domain::DirectorySnapshot d) {
    int n = 0;
    for (auto& u : d.users) {
        u.zuid = std::to_string(18014398509481985 + 2 * n);
        u.account_id = std::to_string(2560636000000008003 + 2 * n++);
    }
    n = 0;
    for (auto& g : d.groups)
        g.zgid = std::to_string(6917529027641081857 + 2 * n++);
    return d;
}

TEST_F(Planning, PlannedStepsCarryTheirTargetsZohoIds) {
    auto d = with_ids(base_directory());
    auto e = eval(task("baja", "Correo: luis.martinez@tarmexico.com"), d);
    ASSERT_TRUE(e.plan) << (e.errors.empty() ? "" : e.errors.front());
    ASSERT_EQ(e.plan->steps.size(), 4u);
    // remove from mantenimiento@ (group 2 of the directory), luis is user 2.
    EXPECT_EQ(e.plan->steps[0].target.zgid, "6917529027641081859");
    EXPECT_EQ(e.plan->steps[0].target.address, "mantenimiento@tarmexico.com");
    EXPECT_EQ(e.plan->steps[0].target.member_zuid, "18014398509481987");
    for (int i : {2, 3}) {
        const auto& t = e.plan->steps[static_cast<std::size_t>(i)].target;
        EXPECT_EQ(t.zuid, "18014398509481987");
        EXPECT_EQ(t.account_id, "2560636000000008005");
        EXPECT_EQ(t.address, "luis.martinez@tarmexico.com");
    }
    // The ids are in the canonical text the hash is taken over.
    EXPECT_NE(canonical_text(*e.plan).find("\"zuid\":\"18014398509481987\""), std::string::npos);
    // A new account has no id yet.
    auto h = eval(task("alta", hire("Ana", "Ruiz")), d);
    ASSERT_TRUE(h.plan);
    EXPECT_TRUE(h.plan->steps.front().target.empty());
}

TEST_F(Planning, ThePlanHashChangesWhenATargetsIdChanges) {
    auto d = with_ids(base_directory());
    auto t = task("baja", "Correo: luis.martinez@tarmexico.com");
    auto before = eval(t, d);
    d.users[1].zuid = "18014398509481999";  // same address, another account (a rehire)
    auto after = eval(t, d);
    ASSERT_TRUE(before.plan && after.plan);
    EXPECT_NE(before.plan_hash, after.plan_hash);
}

TEST_F(Planning, AStepOnAnAliasActsOnItsOwnerAndSaysSo) {
    auto d = with_ids(base_directory());
    d.users[0].aliases.push_back("ventas@tarmexico.com");
    auto e = eval(task("contraseña", "Correo: ventas@tarmexico.com"), d);
    ASSERT_TRUE(e.plan) << (e.errors.empty() ? "" : e.errors.front());
    const auto& step = e.plan->steps.front();
    EXPECT_EQ(step.target.zuid, "18014398509481985");
    EXPECT_EQ(step.target.address, "juan.perez@tarmexico.com");
    auto text = describe_step(step);
    EXPECT_NE(text.find("ventas@tarmexico.com es un alias de juan.perez@tarmexico.com"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Restablecer la contraseña de juan.perez@tarmexico.com"), std::string::npos)
        << text;
    EXPECT_NE(text.find("18014398509481985"), std::string::npos) << text;
}

TEST_F(Planning, DeletingAnAccountThatStaysEnabledIsAnError) {
    // Only a disabled account is deleted; the termination workflow disables it first.
    auto d = with_ids(base_directory());
    auto e = eval(task("baja", "Correo: luis.martinez@tarmexico.com"), d);
    ASSERT_TRUE(e.plan);
    domain::DirectorySnapshot work = d;
    for (const auto& s : e.plan->steps) {
        EXPECT_NE(domain::expected_effect(work, s).state, domain::EffectState::conflict)
            << describe_step(s);
        domain::simulate(work, s);
    }
    domain::Operation del{
        domain::OpKind::delete_user,
        {{"email", std::string("juan.perez@tarmexico.com")}},
        0,
        domain::resolve_target(d, {domain::OpKind::delete_user,
                                   {{"email", std::string("juan.perez@tarmexico.com")}},
                                   0,
                                   {}})};
    EXPECT_EQ(domain::expected_effect(d, del).state, domain::EffectState::conflict);
}

// ---- issue 11: the steps one Zoho call performs together

domain::DirectorySnapshot fusion_directory() {
    domain::DirectorySnapshot d;
    domain::DirectoryUser juan;
    juan.address = "juan.perez@tarmexico.com";
    juan.zuid = "11";
    juan.account_id = "12";
    d.users.push_back(juan);
    for (auto [address, zgid] :
         {std::pair{"ops@tarmexico.com", "101"}, std::pair{"todos@tarmexico.com", "102"}}) {
        domain::DirectoryGroup g;
        g.address = address;
        g.zgid = zgid;
        d.groups.push_back(g);
    }
    d.groups[0].members.push_back("juan.perez@tarmexico.com");
    d.groups[1].members.push_back("juan.perez@tarmexico.com");
    return d;
}

domain::Operation member(domain::OpKind kind, const std::string& group, const std::string& zgid,
                         const std::string& who, const std::string& who_zuid = "") {
    domain::Operation op{kind, {{"group", group}, {"member", who}}, 0};
    op.target.address = group;
    op.target.zgid = zgid;
    op.target.member_zuid = who_zuid;
    return op;
}

TEST(FusedSteps, AHireTakesItsMembershipsOfExistingGroups) {
    using K = domain::OpKind;
    const auto d = fusion_directory();
    std::vector<domain::Operation> steps{
        {K::create_user, {{"email", std::string("ana.ruiz@tarmexico.com")}}, 0},
        member(K::add_group_member, "ops@tarmexico.com", "101", "ana.ruiz@tarmexico.com"),
        member(K::add_group_member, "todos@tarmexico.com", "102", "Ana.Ruiz@tarmexico.com"),
        member(K::add_group_member, "ops@tarmexico.com", "101", "otra@tarmexico.com"),
        // a group the directory does not know (made by this plan, or gone): not folded
        member(K::add_group_member, "nuevo@tarmexico.com", "", "ana.ruiz@tarmexico.com"),
        member(K::add_group_member, "viejo@tarmexico.com", "999", "ana.ruiz@tarmexico.com"),
    };
    EXPECT_EQ(fused_steps(steps, 0, d), (std::vector<int>{1, 2}));
    // a later membership that waits for its time never rides on the create
    steps[2].after_days = 3;
    EXPECT_EQ(fused_steps(steps, 0, d), (std::vector<int>{1}));
    // a group renamed (or deleted) in between keeps its own step
    steps.insert(
        steps.begin() + 1,
        domain::Operation{K::rename_group, {{"group", std::string("ops@tarmexico.com")}}, 0});
    EXPECT_TRUE(fused_steps(steps, 0, d).empty());
    for (int i = 0; i < static_cast<int>(steps.size()); ++i)
        EXPECT_EQ(fused_into(steps, i), -1) << "forward folds leave no step waiting";
}

TEST(FusedSteps, MemberChangesOfOneGroupAreOneCallUntilTheOppositeChange) {
    using K = domain::OpKind;
    const auto d = fusion_directory();
    std::vector<domain::Operation> steps{
        member(K::add_group_member, "ops@tarmexico.com", "101", "a@tarmexico.com"),
        member(K::add_group_member, "todos@tarmexico.com", "102", "b@tarmexico.com"),
        member(K::add_group_member, "ops@tarmexico.com", "101", "c@tarmexico.com"),
        member(K::remove_group_member, "ops@tarmexico.com", "101", "d@tarmexico.com"),
        member(K::remove_group_member, "ops@tarmexico.com", "101", "e@tarmexico.com"),
        member(K::add_group_member, "ops@tarmexico.com", "101", "f@tarmexico.com"),
    };
    EXPECT_EQ(fused_steps(steps, 0, d), (std::vector<int>{2}));
    EXPECT_EQ(fused_steps(steps, 3, d), (std::vector<int>{4}));
    EXPECT_TRUE(fused_steps(steps, 5, d).empty());
}

TEST(FusedSteps, ADisableThatLeavesTheGroupsTakesTheRemovalsBeforeIt) {
    using K = domain::OpKind;
    const auto d = fusion_directory();
    domain::Operation disable{
        K::disable_user,
        {{"email", std::string("juan.perez@tarmexico.com")}, {"remove_groups", true}},
        0};
    disable.target.address = "juan.perez@tarmexico.com";
    disable.target.zuid = "11";
    std::vector<domain::Operation> steps{
        member(K::remove_group_member, "ops@tarmexico.com", "101", "juan.perez@tarmexico.com",
               "11"),
        member(K::remove_group_member, "todos@tarmexico.com", "102", "juan.perez@tarmexico.com"),
        disable,
    };
    EXPECT_EQ(fused_steps(steps, 2, d), (std::vector<int>{0, 1}));
    EXPECT_EQ(fused_into(steps, 0), 2);
    EXPECT_EQ(fused_into(steps, 1), 2);
    // without remove_groups the disable leaves the memberships: nothing is folded
    steps[2].params.back().second = false;
    EXPECT_TRUE(fused_steps(steps, 2, d).empty());
    EXPECT_EQ(fused_into(steps, 0), -1);
}

}  // namespace
}  // namespace hrmaild::workflow
