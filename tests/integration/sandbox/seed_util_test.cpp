// Seed folders (file-name order, errors naming the file) and the small helpers the server and
// emulators share (form decoding, globs, atomic writes, listen addresses).
#include "tests/sandbox/seed.hpp"
#include "tests/sandbox/server.hpp"
#include "tests/sandbox/util.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace hrmaild::sandbox::test {
namespace {
namespace json = boost::json;

TEST(Seed, RequestsLoadInFileNameOrder) {
    hrmaild::test::TempDir dir;
    dir.write("portal.json", R"({"portal":"x.bitrix24.com"})");
    for (const char* name : {"b.json", "10-x.json", "a.json", "2-y.json"})
        dir.write(std::string("requests/") + name, std::string(R"({"TITLE":")") + name + "\"}");
    dir.write("requests/notes.txt", "ignored");
    std::string error;
    auto seed = load_seed_dir(dir.path(), error);
    ASSERT_TRUE(seed) << error;
    EXPECT_EQ(seed->request_files,
              (std::vector<std::string>{"10-x.json", "2-y.json", "a.json", "b.json"}));
    EXPECT_EQ(seed->requests.at(0).at("TITLE"), "10-x.json");
    EXPECT_TRUE(seed->org.is_null());
    EXPECT_FALSE(seed->portal.is_null());
}

TEST(Seed, TheProjectFixturesLoad) {
    std::string error;
    auto seed = load_seed_dir(hrmaild::test::source_dir() / "tests/fixtures/tickets", error);
    ASSERT_TRUE(seed) << error;
    EXPECT_EQ(seed->requests.size(), 14u);
    EXPECT_EQ(seed->request_files.front(), "01-alta-basica.json");
    EXPECT_EQ(seed->org.at("zoid"), 60012345678);
}

TEST(Seed, ErrorsNameTheFile) {
    hrmaild::test::TempDir dir;
    std::string error;
    EXPECT_FALSE(load_seed_dir(dir.path(), error));
    EXPECT_NE(error.find("none of"), std::string::npos);
    dir.write("requests/01.json", "[1,2]");
    EXPECT_FALSE(load_seed_dir(dir.path(), error));
    EXPECT_NE(error.find("01.json"), std::string::npos);
    dir.write("requests/01.json", "{");
    EXPECT_FALSE(load_seed_dir(dir.path(), error));
    EXPECT_NE(error.find("01.json"), std::string::npos);
    EXPECT_FALSE(seed_from_json(json::object{{"org", 5}}, error));
    EXPECT_TRUE(seed_from_json(json::object{{"requests", json::array{json::object{}}}}, error));
}

TEST(Util, FormDecodingAndGlobs) {
    auto form = util::parse_form("a=1&fields%5BTITLE%5D=Hola+mundo&empty=&flag&x=%E2%86%92");
    ASSERT_EQ(form.size(), 5u);
    EXPECT_EQ(form[1].first, "fields[TITLE]");
    EXPECT_EQ(form[1].second, "Hola mundo");
    EXPECT_EQ(form[2].second, "");
    EXPECT_EQ(form[3].first, "flag");
    EXPECT_EQ(form[4].second, "→");
    EXPECT_EQ(util::percent_decode("100%", false), "100%");
    EXPECT_EQ(util::percent_decode("a+b%2", true), "a b%2");
    // Decoding goes through Boost.URL: text with a bad escape is kept as sent (but for '+'),
    // and a form that is not valid percent-encoding gives no pairs; empty parts are skipped.
    EXPECT_EQ(util::percent_decode("a%20%zz", false), "a%20%zz");
    EXPECT_EQ(util::percent_decode("a%2Bb+c", false), "a+b+c");
    EXPECT_TRUE(util::parse_form("a=1&b=%zz").empty());
    auto sparse = util::parse_form("&&a=%C3%B3&");
    ASSERT_EQ(sparse.size(), 1u);
    EXPECT_EQ(sparse[0].second, "\xC3\xB3");
    EXPECT_EQ(util::form_encode("a b&[x]"), "a%20b%26%5Bx%5D");
    EXPECT_TRUE(util::glob_match("/api/*/accounts", "/api/organization/1/accounts"));
    EXPECT_FALSE(util::glob_match("/api/*/accounts", "/api/organization/1/accounts/2"));
    EXPECT_TRUE(util::glob_match("*", ""));
    EXPECT_TRUE(util::glob_match("/rest/*tasks.task.add*", "/rest/1/s/tasks.task.add.json"));
    EXPECT_FALSE(util::glob_match("/oauth/v2/token", "/oauth/v2/token/revoke"));
}

TEST(Util, ListenAddressesAndAtomicWrites) {
    std::string host;
    unsigned short port = 1;
    ASSERT_TRUE(parse_listen("127.0.0.1:0", host, port));
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_EQ(port, 0);
    ASSERT_TRUE(parse_listen("[::1]:8790", host, port));
    EXPECT_EQ(host, "::1");
    EXPECT_EQ(port, 8790);
    EXPECT_FALSE(parse_listen("127.0.0.1", host, port));
    EXPECT_FALSE(parse_listen("127.0.0.1:99999", host, port));
    EXPECT_FALSE(parse_listen(":80", host, port));

    hrmaild::test::TempDir dir;
    std::string error;
    ASSERT_TRUE(write_file_atomic(dir.path() / "r.json", "{}\n", error)) << error;
    EXPECT_EQ(hrmaild::test::read_file(dir.path() / "r.json"), "{}\n");
    EXPECT_FALSE(write_file_atomic(dir.path() / "missing/r.json", "{}", error));
    EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace hrmaild::sandbox::test
