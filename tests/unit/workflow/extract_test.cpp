#include "daemon/workflow/extract.hpp"
#include "daemon/workflow/engine.hpp"
#include "daemon/workflow/loader.hpp"

#include <gtest/gtest.h>

namespace hrmaild::workflow {
namespace {

TEST(BbCode, StripsTagsAndDecodesEntities) {
    EXPECT_EQ(bbcode_to_text("[B]Nombre(s):[/B] Mariana"), "Nombre(s): Mariana");
    EXPECT_EQ(bbcode_to_text("[URL=mailto:a@x.com]a@x.com[/URL]"), "a@x.com");
    EXPECT_EQ(bbcode_to_text("[COLOR=#ff0000][I]x[/I][/COLOR]"), "x");
    EXPECT_EQ(bbcode_to_text("Mu&ntilde;oz &amp; P&eacute;rez &#241; &#xF1; &lt;a&gt;"),
              "Muñoz & Pérez ñ ñ <a>");
    EXPECT_EQ(bbcode_to_text("a<br>b<br />c\r\nd"), "a\nb\nc\nd");
    EXPECT_EQ(bbcode_to_text("[LIST][*]uno[*]dos[/LIST]"), "\nuno\ndos");
    EXPECT_EQ(bbcode_to_text("[1] nota & otra"), "[1] nota & otra");
}

// Entities are decoded first, so an encoded tag is a tag like any other and is removed: it
// can never come back to life in the daemon's own comment.
TEST(BbCode, EncodedTagsAreTagsToo) {
    EXPECT_EQ(bbcode_to_text("&#91;URL=http://x&#93;click&#91;/URL&#93;"), "click");
    EXPECT_EQ(bbcode_to_text("&#91;USER=7&#93;Ana&#91;/USER&#93; &#x5B;B&#x5D;x"), "Ana x");
    EXPECT_EQ(bbcode_to_text("&lt;br&gt;uno"), "\nuno");
    EXPECT_EQ(bbcode_to_text("&amp;#91;B&amp;#93;"), "&#91;B&#93;");  // decoded once only
}

TEST(BbCode, InvisibleCharactersCannotHideATag) {
    EXPECT_EQ(bbcode_to_text("[U\u200BRL=http://x]click[/URL]"), "click");
    EXPECT_EQ(bbcode_to_text("Ro\u200Bci\u0301o"), "Roc\u00EDo");
}

// Hostile shapes that used to cost quadratic time; here only what they turn into.
TEST(BbCode, UnclosedBracketsAndEntitiesSurviveAsText) {
    EXPECT_EQ(bbcode_to_text("a < b <br> c"), "a < b \n c");
    EXPECT_EQ(bbcode_to_text("<<<<br>"), "<<<\n");
    EXPECT_EQ(bbcode_to_text("[[[B]x"), "[[x");
    EXPECT_EQ(bbcode_to_text("&&&amp;"), "&&&");
    EXPECT_EQ(bbcode_to_text("&" + std::string(50, 'a') + ";"), "&" + std::string(50, 'a') + ";");
}

struct LabelCase {
    const char* label;
    const char* key;
};
class LabelKey : public ::testing::TestWithParam<LabelCase> {};
TEST_P(LabelKey, Normalizes) {
    EXPECT_EQ(label_key(GetParam().label), GetParam().key);
}
INSTANTIATE_TEST_SUITE_P(Cases, LabelKey,
                         ::testing::Values(LabelCase{"[B]Nombre(s):[/B]", "nombres"},
                                           LabelCase{"Nombres", "nombres"},
                                           LabelCase{"Apellido(s)", "apellidos"},
                                           LabelCase{"APELLIDOS::", "apellidos"},
                                           LabelCase{"  Acción ", "accion"},
                                           LabelCase{"- Correo del  grupo", "correo del grupo"},
                                           LabelCase{"*Área nueva*", "area nueva"}));

TEST(LabeledLines, MarkdownBoldAroundTheLabel) {
    auto lines = labeled_lines("**Nombre(s):** Mariana\n__Correo:__ a@x.com");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].key, "nombres");
    EXPECT_EQ(lines[0].value, "Mariana");
    EXPECT_EQ(lines[1].key, "correo");
    EXPECT_EQ(lines[1].value, "a@x.com");
}

TEST(LabeledLines, ReadsLabelsValuesAndContinuations) {
    auto lines = labeled_lines(
        "Buen día, favor de dar de alta.\n\nNombre(s): Mariana \nMiembros:\n a@x.com\n b@x.com\n\n"
        "Gracias.\nNota: ver http://x.com/a:b\nEnlace http://x.com: no es etiqueta");
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0].label, "Nombre(s)");
    EXPECT_EQ(lines[0].value, "Mariana");
    EXPECT_EQ(lines[1].key, "miembros");
    EXPECT_EQ(lines[1].value, "");
    EXPECT_EQ(lines[1].continuation, (std::vector<std::string>{"a@x.com", "b@x.com"}));
    EXPECT_EQ(lines[2].value, "ver http://x.com/a:b");
}

struct DateCase {
    const char* in;
    const char* out;  // "" for invalid
};
class Dates : public ::testing::TestWithParam<DateCase> {};
TEST_P(Dates, Parse) {
    auto d = parse_date(GetParam().in);
    if (GetParam().out[0] == '\0') {
        EXPECT_FALSE(d) << GetParam().in;
    } else {
        EXPECT_EQ(d.value_or("<none>"), GetParam().out);
    }
}
INSTANTIATE_TEST_SUITE_P(
    Cases, Dates,
    ::testing::Values(DateCase{"01/12/2026", "2026-12-01"}, DateCase{"1/2/2026", "2026-02-01"},
                      DateCase{"2026-12-07", "2026-12-07"}, DateCase{"30-11-2026", "2026-11-30"},
                      DateCase{"29/02/2028", "2028-02-29"}, DateCase{"29/02/2026", ""},
                      DateCase{"31/04/2026", ""}, DateCase{"13/13/2026", ""},
                      DateCase{"mañana", ""}, DateCase{"2026-13-01", ""}, DateCase{"01/12/26", ""},
                      DateCase{"1 de diciembre de 2026", "2026-12-01"},
                      DateCase{"15 de Septiembre del 2026", "2026-09-15"},
                      DateCase{"01-dic-2026", "2026-12-01"}, DateCase{"3 ENE 2027", "2027-01-03"},
                      DateCase{"31 de febrero de 2026", ""},
                      DateCase{"1 de diciembrero de 2026", ""},
                      // Issue 14: the formats HR writes.
                      DateCase{"05/03/2031", "2031-03-05"}, DateCase{"2031-03-05", "2031-03-05"},
                      DateCase{"5 de marzo de 2031", "2031-03-05"},
                      DateCase{"5 de Marzo de 2031", "2031-03-05"},
                      DateCase{"1º de abril de 2031", "2031-04-01"},
                      DateCase{"1° de abril de 2031", "2031-04-01"},
                      DateCase{"1ro de Abril de 2031", "2031-04-01"},
                      DateCase{"1o. de abril de 2031", "2031-04-01"}, DateCase{"31/02/2031", ""},
                      DateCase{"2031-02-29", ""}, DateCase{"05/03/31", ""},
                      DateCase{"03/25/2031", ""}, DateCase{"5 de marzo", ""}));

TEST(Addresses, SplitOnCommasSemicolonsAndNewLines) {
    EXPECT_EQ(split_addresses("A@x.com, b@x.com;c@x.com\nd@x.com  e@x.com;; a@x.com"),
              (std::vector<std::string>{"a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"}));
    EXPECT_EQ(split_addresses("Jorge Ramírez <jorge@x.com>, mailto:ana@x.com"),
              (std::vector<std::string>{"jorge@x.com", "ana@x.com"}));
    EXPECT_TRUE(split_addresses("  ").empty());
    EXPECT_EQ(split_addresses("a@x.com y b@x.com e c@x.com"),
              (std::vector<std::string>{"a@x.com", "b@x.com", "c@x.com"}));
    EXPECT_EQ(split_addresses("- a@x.com.\n• b@x.com"),
              (std::vector<std::string>{"a@x.com", "b@x.com"}));
}

// A workflow with every validation rule, loaded through the real loader.
class Validation : public ::testing::Test {
  protected:
    void SetUp() override {
        auto vars = YAML::Load("{domain: x.com, departments: [Operaciones, Comercial]}");
        config::PolicyConfig policy;
        policy.allowed_domains = {"x.com"};
        auto r = load_workflow_texts({{"v.yaml", R"yaml(
name: v
match: { tag: v }
fields:
  nombre: { label: ["Nombre(s)", Nombre], required: true, max: 10, min: 2 }
  clave: { label: Clave, pattern: '[A-Z]{3}-\d+', pattern_message: "tres letras, guion y número" }
  correo: { label: Correo, type: address, domains: allowed }
  copia: { label: Copia, type: addresses }
  depto: { label: Departamento, one_of: "{{ config.departments }}" }
  turno: { label: Turno, one_of: [Matutino, Vespertino] }
  fecha: { label: Fecha, type: date }
  extra: { label: Extra, uf: UF_EXTRA, default: "sin dato" }
steps:
  - reset_password: { email: "{{ correo }}", password: generate }
messages: { done: ok, invalid: "{{ errors }}" }
)yaml"}},
                                     vars, policy);
        ASSERT_TRUE(r.set) << r.diagnostics.to_string();
        set_ = std::move(*r.set);
    }
    Extraction run(const std::string& description, std::map<std::string, std::string> uf = {}) {
        domain::Task t;
        t.description = description;
        t.uf = std::move(uf);
        return extract_fields(set_.workflows.front(), t, set_.config_scope, set_.rules);
    }
    WorkflowSet set_;
};

TEST_F(Validation, CleanValuesAreNormalized) {
    auto ex =
        run("[B]Nombre:[/B]  Ana   María\nClave: ABC-12\nCorreo: Ana@X.com\nCopia: a@x.com; "
            "b@y.com\n"
            "Departamento: operaciones\nTurno: MATUTINO\nFecha: 3/1/2027");
    EXPECT_TRUE(ex.errors.empty()) << ex.errors.front();
    EXPECT_EQ(std::get<std::string>(ex.values["nombre"]), "Ana María");
    EXPECT_EQ(std::get<std::string>(ex.values["correo"]), "ana@x.com");
    EXPECT_EQ(std::get<std::vector<std::string>>(ex.values["copia"]).size(), 2u);
    EXPECT_EQ(std::get<std::string>(ex.values["depto"]), "Operaciones");
    EXPECT_EQ(std::get<std::string>(ex.values["turno"]), "Matutino");
    EXPECT_EQ(std::get<std::string>(ex.values["fecha"]), "2027-01-03");
    EXPECT_EQ(std::get<std::string>(ex.values["extra"]), "sin dato");
    EXPECT_EQ(ex.labels["nombre"], "Nombre");
}

TEST_F(Validation, CustomFieldsFillMissingLabels) {
    auto ex = run("Nombre: Ana", {{"UF_EXTRA", "[B]valor[/B]"}});
    EXPECT_EQ(std::get<std::string>(ex.values["extra"]), "valor");
}

struct MessageCase {
    const char* description;
    const char* message;
};

class ValidationMessages : public Validation, public ::testing::WithParamInterface<MessageCase> {};

TEST_P(ValidationMessages, NameTheFieldInSpanish) {
    auto ex = run(GetParam().description);
    ASSERT_EQ(ex.errors.size(), 1u) << (ex.errors.empty() ? "" : ex.errors.front());
    EXPECT_EQ(ex.errors.front(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidationMessages,
    ::testing::Values(
        MessageCase{"Correo: a@x.com",
                    "Falta «Nombre(s)»: agregue a la descripción una línea «Nombre(s): ...» "
                    "(también se acepta «Nombre»)."},
        MessageCase{"Nombre(s): Maximiliano José",
                    "«Nombre(s)»: tiene 16 caracteres; el máximo es 10."},
        MessageCase{"Nombre: A", "«Nombre»: tiene 1 caracteres; el mínimo es 2."},
        MessageCase{"Nombre: Ana\nClave: abc",
                    "«Clave»: el valor «abc» no tiene el formato esperado (tres letras, guion "
                    "y número)."},
        MessageCase{"Nombre: Ana\nCorreo: ana(at)x.com",
                    "«Correo»: «ana(at)x.com» no es una dirección de correo válida."},
        MessageCase{"Nombre: Ana\nCorreo: ana@y.com",
                    "«Correo»: la dirección «ana@y.com» no es de un dominio permitido (x.com)."},
        MessageCase{"Nombre: Ana\nCorreo: a@x.com, b@x.com",
                    "«Correo»: se esperaba una sola dirección y hay 2."},
        MessageCase{"Nombre: Ana\nCopia: a@x.com; nadie",
                    "«Copia»: «nadie» no es una dirección de correo válida."},
        MessageCase{"Nombre: Ana\nDepartamento: Ventas",
                    "«Departamento»: «Ventas» no es un valor válido; use uno de: Operaciones, "
                    "Comercial."},
        MessageCase{"Nombre: Ana\nTurno: Nocturno",
                    "«Turno»: «Nocturno» no es un valor válido; use uno de: Matutino, Vespertino."},
        // Issue 14: an impossible or ambiguous date says what is wrong with it.
        MessageCase{"Nombre: Ana\nFecha: 31/02/2027",
                    "«Fecha»: «31/02/2027» no es una fecha que exista (el mes 2/2027 tiene 28 "
                    "días)."},
        MessageCase{"Nombre: Ana\nFecha: 30 de febrero de 2028",
                    "«Fecha»: «30 de febrero de 2028» no es una fecha que exista (el mes 2/2028 "
                    "tiene 29 días)."},
        MessageCase{"Nombre: Ana\nFecha: 05/03/31",
                    "«Fecha»: «05/03/31» es ambigua: escriba el año con cuatro cifras "
                    "(dd/mm/aaaa)."},
        MessageCase{"Nombre: Ana\nFecha: 03/25/2031",
                    "«Fecha»: «03/25/2031» parece escrita como mes/día/año; escriba día/mes/año "
                    "(dd/mm/aaaa)."},
        MessageCase{"Nombre: Ana\nFecha: 5 de marzo",
                    "«Fecha»: «5 de marzo» no dice el año; escriba la fecha completa "
                    "(dd/mm/aaaa)."},
        MessageCase{"Nombre: Ana\nFecha: pronto",
                    "«Fecha»: «pronto» no es una fecha válida (use dd/mm/aaaa o aaaa-mm-dd)."}));

TEST_F(Validation, EveryProblemIsReportedAtOnce) {
    auto ex = run("Clave: x\nCorreo: nope\nDepartamento: Ventas\nFecha: ayer");
    EXPECT_EQ(ex.errors.size(), 5u);
}

TEST_F(Validation, NamesLoseInvisibleCharactersAndAreComposed) {
    auto ex = run("Nombre: Ro\u200Bcío\nClave: ABC-1");
    EXPECT_TRUE(ex.errors.empty()) << ex.errors.front();
    EXPECT_EQ(std::get<std::string>(ex.values["nombre"]), "Rocío");
    auto decomposed = run("Nombre: Roci\u0301o\u00AD\nClave: ABC-1");
    EXPECT_EQ(std::get<std::string>(decomposed.values["nombre"]), "Roc\u00EDo");
    auto uf = run("Nombre: Ana", {{"UF_EXTRA", "\u202Evalor\u202C"}});
    EXPECT_EQ(std::get<std::string>(uf.values["extra"]), "valor");
}

// Hostile corpus (issue 13): a field written twice with different values is not resolved by
// taking the first line (a white-on-white line above the visible one would win); the same
// value twice, or an empty line and a filled one, is one value.
TEST_F(Validation, AFieldWrittenTwiceWithDifferentValuesIsAnError) {
    for (const char* d : {"Nombre: Ana\nCorreo: a@x.com\nCorreo: b@x.com",
                          "Nombre(s): Ana\nNombre: Eva\nCorreo: a@x.com",
                          "Nombre: Ana\n[COLOR=#ffffff]Correo: b@x.com[/COLOR]\nCorreo: a@x.com"}) {
        auto ex = run(d);
        ASSERT_EQ(ex.errors.size(), 1u) << d;
        EXPECT_NE(ex.errors.front().find("más de una vez con valores distintos"), std::string::npos)
            << ex.errors.front();
    }
    auto ex = run("Nombre: Ana\nCorreo: a@x.com\nCorreo: b@x.com");
    EXPECT_EQ(ex.errors.front(),
              "«Correo»: aparece más de una vez con valores distintos («a@x.com», «b@x.com»); "
              "deje una sola línea con el valor correcto.");
}

TEST_F(Validation, AFieldRepeatedWithTheSameValueOrLeftEmptyOnceIsOneValue) {
    auto same = run("Nombre: Ana\nCorreo: a@x.com\nCorreo: A@X.com");
    EXPECT_TRUE(same.errors.empty()) << same.errors.front();
    EXPECT_EQ(std::get<std::string>(same.values["correo"]), "a@x.com");
    auto empty_first = run("Nombre: Ana\nCorreo:\n\nCorreo: a@x.com");
    EXPECT_TRUE(empty_first.errors.empty()) << empty_first.errors.front();
    EXPECT_EQ(std::get<std::string>(empty_first.values["correo"]), "a@x.com");
}

// An address on the line after a one-address field is a second address, not ignored.
TEST_F(Validation, AnAddressOnTheNextLineOfAOneAddressFieldIsASecondAddress) {
    auto ex = run("Nombre: Ana\nCorreo: a@x.com\nb@x.com");
    ASSERT_EQ(ex.errors.size(), 1u);
    EXPECT_EQ(ex.errors.front(), "«Correo»: se esperaba una sola dirección y hay 2.");
    auto prose = run("Nombre: Ana\nCorreo: a@x.com\nGracias.");
    EXPECT_TRUE(prose.errors.empty()) << prose.errors.front();
}

TEST_F(Validation, AnEchoedValueIsCapped) {
    auto ex = run("Nombre: Ana\nClave: " + std::string(5000, 'x'));
    ASSERT_EQ(ex.errors.size(), 1u);
    EXPECT_LT(ex.errors.front().size(), 300u) << ex.errors.front();
    EXPECT_NE(ex.errors.front().find("…»"), std::string::npos) << ex.errors.front();
}

// evaluate() renders the comment HR reads; these check that comment, not the extraction.
class Rendering : public Validation {
  protected:
    Evaluation evaluate_task(const std::string& description) {
        domain::Task t;
        t.id = 7;
        t.title = "v";
        t.tags = {"v"};
        t.description = description;
        return evaluate(set_, t, domain::DirectorySnapshot{});
    }
};

TEST_F(Rendering, EncodedTagsNeverBecomeLiveInTheComment) {
    auto e = evaluate_task(
        "Nombre: &#91;URL=http://x&#93;click&#91;/URL&#93;\n"
        "Clave: &#91;URL=http://evil&#93;a&#91;/URL&#93; &#91;USER=1&#93;x&#91;/USER&#93;");
    ASSERT_EQ(e.outcome, Outcome::invalid);
    EXPECT_FALSE(e.comment.empty());
    EXPECT_EQ(e.comment.find("[URL"), std::string::npos) << e.comment;
    EXPECT_EQ(e.comment.find("[USER"), std::string::npos) << e.comment;
    EXPECT_EQ(e.comment.find("[/"), std::string::npos) << e.comment;
}

TEST_F(Rendering, AnInvalidLongValueIsCappedInTheComment) {
    auto e = evaluate_task("Nombre: Ana\nClave: " + std::string(5000, 'x'));
    ASSERT_EQ(e.outcome, Outcome::invalid);
    EXPECT_LT(e.comment.size(), 600u) << e.comment;
    EXPECT_NE(e.comment.find("…"), std::string::npos) << e.comment;
}

TEST(MessageRendering, ValuesAreNeutralizedTemplateMarkupIsNot) {
    auto r = load_workflow_texts({{"m.yaml", R"yaml(
name: m
match: { tag: m }
fields:
  nombre: { label: Nombre }
steps:
  - reset_password: { email: "a@x.com", password: generate }
messages:
  done: "[B]Listo[/B] {{ nombre }} {{ task.title }} ({{ config.firma }})"
  invalid: "{{ errors }}"
)yaml"}},
                                 YAML::Load("{firma: '[I]TI[/I]'}"), config::PolicyConfig{});
    ASSERT_TRUE(r.set) << r.diagnostics.to_string();
    const auto& wf = r.set->workflows.front();
    Scope scope = r.set->config_scope;
    scope["nombre"] = std::string("[URL=http://x]Ana[/URL]\x1b[31m");
    scope["task.title"] = std::string(1000, 'T');
    auto text = render_message(wf, MessageKind::done, message_scope(scope, {}, {}, nullptr));
    EXPECT_EQ(text.rfind("[B]Listo[/B] ［URL=http://x］Ana［/URL］［31m TTT", 0), 0u) << text;
    EXPECT_NE(text.find("…"), std::string::npos) << text;
    EXPECT_LT(text.size(), 600u) << text;
    EXPECT_NE(text.find("([I]TI[/I])"), std::string::npos) << text;  // IT's own config
}

TEST(MessageRendering, AnErrorIsListedOnce) {
    auto r = load_workflow_texts({{"m.yaml", R"yaml(
name: m
match: { tag: m }
fields:
  nombre: { label: Nombre }
steps:
  - reset_password: { email: "a@x.com", password: generate }
messages:
  done: ok
  invalid: "{{ errors | join: \"|\" }} / {{ reasons | join: \"|\" }}"
)yaml"}},
                                 YAML::Load("{}"), config::PolicyConfig{});
    ASSERT_TRUE(r.set) << r.diagnostics.to_string();
    auto scope = message_scope({}, {"«Correo»: falta.", "«Fecha»: no válida.", "«Correo»: falta."},
                               {"r1", "r1"}, nullptr);
    auto text = render_message(r.set->workflows.front(), MessageKind::invalid, scope);
    EXPECT_EQ(text, "«Correo»: falta.|«Fecha»: no válida. / r1");
}

TEST_F(Rendering, AThousandBadAddressesDoNotMakeAThousandLines) {
    std::string list;
    for (int i = 0; i < 1000; ++i)
        list += "nadie" + std::to_string(i) + ", ";
    auto e = evaluate_task("Nombre: Ana\nCopia: " + list);
    ASSERT_EQ(e.outcome, Outcome::invalid);
    EXPECT_EQ(e.errors.size(), 1000u);  // all of them for IT (plan --json)
    EXPECT_NE(e.comment.find("… y 971 más"), std::string::npos) << e.comment;
    EXPECT_EQ(e.comment.find("nadie29»"), std::string::npos) << e.comment;
    EXPECT_LT(e.comment.size(), 4000u);
}

}  // namespace
}  // namespace hrmaild::workflow
