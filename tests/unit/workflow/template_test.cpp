#include "daemon/workflow/template.hpp"

#include <gtest/gtest.h>

namespace hrmaild::workflow {
namespace {

Scope scope_with(std::string name, std::string surname) {
    Scope s;
    s["nombre"] = std::move(name);
    s["apellidos"] = std::move(surname);
    s["config.domain"] = std::string("tarmexico.com");
    s["config.groups"] = StringMap{{"Operaciones", "operaciones@tarmexico.com"},
                                   {"Mantenimiento", "mantenimiento@tarmexico.com"}};
    s["lista"] = std::vector<std::string>{"a@x.com", "b@x.com"};
    s["vacio"] = std::string();
    return s;
}

std::string render(const std::string& text, const Scope& s) {
    std::string err;
    auto t = Template::compile(text, err);
    EXPECT_TRUE(t) << err;
    if (!t)
        return "<compile error>";
    RenderEnv env;
    auto r = t->render_text(s, env, err);
    EXPECT_TRUE(r) << err;
    return r ? *r : "<render error: " + err + ">";
}

const char* kEmail =
    "{{ nombre | first_word | slug }}.{{ apellidos | surname | slug }}@{{ config.domain }}";

struct NameCase {
    const char* nombre;
    const char* apellidos;
    const char* email;
};

class EmailTemplate : public ::testing::TestWithParam<NameCase> {};

TEST_P(EmailTemplate, BuildsTheAddress) {
    EXPECT_EQ(render(kEmail, scope_with(GetParam().nombre, GetParam().apellidos)),
              GetParam().email);
}

INSTANTIATE_TEST_SUITE_P(
    Names, EmailTemplate,
    ::testing::Values(NameCase{"Mariana", "Torres", "mariana.torres@tarmexico.com"},
                      NameCase{"María José", "Núñez de la Peña", "maria.nunez@tarmexico.com"},
                      NameCase{"José", "Güemes", "jose.guemes@tarmexico.com"},
                      NameCase{"Íñigo", "de los Santos", "inigo.santos@tarmexico.com"},
                      NameCase{"Ana", "del Río y Valle", "ana.rio@tarmexico.com"},
                      NameCase{"Ana-Sofía", "Pérez", "ana-sofia.perez@tarmexico.com"},
                      NameCase{"Shane", "O'Connor", "shane.oconnor@tarmexico.com"},
                      NameCase{"Zoë", "D’Angelo", "zoe.dangelo@tarmexico.com"},
                      NameCase{"  LUIS   ", "  MARTÍNEZ  ", "luis.martinez@tarmexico.com"},
                      NameCase{"Ñoño", "Las Heras", "nono.heras@tarmexico.com"}));

TEST(Template, Filters) {
    auto s = scope_with("María José", "Núñez de la Peña");
    EXPECT_EQ(render("{{ nombre | ascii }}", s), "Maria Jose");
    EXPECT_EQ(render("{{ nombre | lower }}", s), "maría josé");
    EXPECT_EQ(render("{{ nombre | upper }}", s), "MARÍA JOSÉ");
    EXPECT_EQ(render("{{ nombre | first_word }}", s), "María");
    EXPECT_EQ(render("{{ apellidos | surname }}", s), "Núñez");
    EXPECT_EQ(render("{{ apellidos | slug }}", s), "nunez-de-la-pena");
    EXPECT_EQ(render("{{ lista | join: ' y ' }}", s), "a@x.com y b@x.com");
    EXPECT_EQ(render("{{ lista }}", s), "a@x.com, b@x.com");
    EXPECT_EQ(render("{{ lista | join: \"\\n\" }}", s), "a@x.com\nb@x.com");
    EXPECT_EQ(render("{{ vacio | default: 'ninguno' }}", s), "ninguno");
    EXPECT_EQ(render("{{ nombre | default: 'ninguno' }}", s), "María José");
    EXPECT_EQ(render("{{ vacio | default: nombre }}", s), "María José");
}

TEST(Template, MapLooksUpWithoutCaseOrAccents) {
    auto s = scope_with("", "");
    s["dep"] = std::string("OPERACIONES");
    EXPECT_EQ(render("{{ dep | map: config.groups }}", s), "operaciones@tarmexico.com");
    s["dep"] = std::string("Ventas");
    std::string err;
    auto t = Template::compile("{{ dep | map: config.groups }}", err);
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->render_text(s, RenderEnv{}, err));
    EXPECT_NE(err.find("Ventas"), std::string::npos);
}

TEST(Template, SurnameWithOnlyParticlesKeepsTheFirstWord) {
    EXPECT_EQ(surname_word("de la"), "de");
    EXPECT_EQ(surname_word(""), "");
    EXPECT_EQ(surname_word("Y Griega"), "Griega");
}

TEST(Template, VeryLongNamesStayWhole) {
    std::string longname;
    for (int i = 0; i < 40; ++i)
        longname += "Ñúñez ";
    auto s = scope_with(longname, "de la Peña");
    auto slugged = render("{{ nombre | slug }}", s);
    EXPECT_EQ(slugged.size(), 40u * 6 - 1);
    EXPECT_EQ(slugged.substr(0, 12), "nunez-nunez-");
    EXPECT_EQ(render("{{ nombre | first_word | ascii | lower }}", s), "nunez");
}

TEST(Template, SingleExpressionKeepsLists) {
    std::string err;
    auto t = Template::compile("{{ lista }}", err);
    ASSERT_TRUE(t);
    auto v = t->render(scope_with("", ""), RenderEnv{}, err);
    ASSERT_TRUE(v);
    EXPECT_TRUE(std::holds_alternative<std::vector<std::string>>(*v));
}

TEST(Template, TaskValuesAreDataNeverTemplates) {
    auto s = scope_with("{{ config.domain }}", "{{ apellidos | upper }}");
    EXPECT_EQ(render("Hola {{ nombre }} {{ apellidos }}", s),
              "Hola {{ config.domain }} {{ apellidos | upper }}");
    EXPECT_EQ(render("{{ nombre | slug }}", s), "config-domain");
}

TEST(Template, GroupsOfReadsTheDirectory) {
    domain::DirectorySnapshot d;
    d.groups.push_back({"ops@x.com", "Ops", {"a@x.com"}});
    d.groups.push_back({"all@x.com", "All", {"a@x.com", "b@x.com"}});
    std::string err;
    auto t = Template::compile("{{ who | groups_of }}", err);
    ASSERT_TRUE(t);
    Scope s{{"who", std::string("A@x.com")}};
    RenderEnv env{&d};
    auto v = t->render(s, env, err);
    ASSERT_TRUE(v);
    EXPECT_EQ(std::get<std::vector<std::string>>(*v),
              (std::vector<std::string>{"ops@x.com", "all@x.com"}));
}

struct BadCase {
    const char* text;
    const char* error_mentions;
};

class BadTemplate : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadTemplate, IsRejectedAtCompileTime) {
    std::string err;
    EXPECT_FALSE(Template::compile(GetParam().text, err));
    EXPECT_NE(err.find(GetParam().error_mentions), std::string::npos) << err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadTemplate,
    ::testing::Values(BadCase{"{{ nombre | shout }}", "unknown filter 'shout'"},
                      BadCase{"{{ nombre ", "unclosed"}, BadCase{"{{ }}", "expected a name"},
                      BadCase{"{{ a | map }}", "needs an argument"},
                      BadCase{"{{ a | lower: 'x' }}", "takes no argument"},
                      BadCase{"{{ a | default: 'x }}", "unclosed quote"}));

TEST(Template, NamesListsEveryReference) {
    std::string err;
    auto t = Template::compile(
        "{{ a | map: config.t }} {{ b | default: c }} {{ d | default: 'lit' }}", err);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->names(), (std::vector<std::string>{"a", "config.t", "b", "c", "d"}));
}

}  // namespace
}  // namespace hrmaild::workflow
