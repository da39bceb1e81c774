// The console's templates: embedded, valid, never unescaped, and escaping what they show.
#include "daemon/console/render.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace hrmaild::console {
namespace {

TEST(Embedded, HoldsTheTemplatesTheStyleSheetAndTheScript) {
    for (const char* name : {"cabecera.mustache", "pie.mustache", "cola.mustache",
                             "solicitud.mustache", "programadas.mustache", "tablero.mustache",
                             "conciliacion.mustache", "entrar.mustache", "app.css", "app.js"})
        EXPECT_TRUE(embedded(name)) << name;
    EXPECT_FALSE(embedded("nope.mustache"));
}

TEST(Embedded, NoTemplateUsesTheUnescapedForms) {
    // `{{{x}}}` and `{{&x}}` would put data into the page as markup.
    for (auto name : embedded_names()) {
        auto text = *embedded(name);
        EXPECT_EQ(text.find("{{{"), std::string_view::npos) << name;
        EXPECT_EQ(text.find("{{&"), std::string_view::npos) << name;
        EXPECT_EQ(text.find("{{="), std::string_view::npos) << name;  // no delimiter changes
    }
}

TEST(Embedded, NoPageLoadsAnythingFromElsewhere) {
    for (auto name : embedded_names()) {
        auto text = *embedded(name);
        EXPECT_EQ(text.find("http://"), std::string_view::npos) << name;
        EXPECT_EQ(text.find("https://"), std::string_view::npos) << name;
        EXPECT_EQ(text.find("style=\""), std::string_view::npos) << name;  // CSP: no inline style
        EXPECT_EQ(text.find("onclick"), std::string_view::npos) << name;
    }
}

TEST(Render, EveryPageRendersWithNoData) {
    for (const char* page : {"cola", "solicitud", "programadas", "tablero", "conciliacion",
                             "entrar", "mensaje", "sesion_iniciada"}) {
        std::string html;
        EXPECT_NO_THROW(html = render(page, Data{})) << page;
        EXPECT_NE(html.find("</html>"), std::string::npos) << page;
    }
}

TEST(Render, EscapesMarkupAndScriptInData) {
    Data d;
    d.set("titulo", std::string("<script>alert(1)</script>"));
    d.set("texto", std::string("\"><img src=x onerror=alert(1)> & 'q'"));
    auto html = render("mensaje", d);
    EXPECT_EQ(html.find("<script>alert"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_EQ(html.find("<img src=x"), std::string::npos);
    EXPECT_NE(html.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &apos;q&apos;"),
              std::string::npos);
}

TEST(Render, ThrowsOnAMissingTemplate) {
    EXPECT_THROW(render("nope", Data{}), std::runtime_error);
}

TEST(ToData, KeepsTheShapeAndEscapesTheDashboardsStrings) {
    auto v = boost::json::parse(R"({"actualizado":"hoy <b>","dias":"30",
        "trabajo":{"en_espera":42,"p50":"3 min <i>"}})");
    Data d;
    d.set("tablero", to_data(v));
    d.set("graficas", Data{Data::type::list});
    auto html = render("tablero", d);
    EXPECT_NE(html.find("hoy &lt;b&gt;"), std::string::npos);
    EXPECT_NE(html.find("data-cifra=\"en_espera\">42<"), std::string::npos);
    EXPECT_NE(html.find("data-cifra=\"p50\">3 min &lt;i&gt;<"), std::string::npos);
    EXPECT_NE(html.find("Esperan aprobación"), std::string::npos);
    EXPECT_NE(html.find("últimos 30 días"), std::string::npos);
}

}  // namespace
}  // namespace hrmaild::console
