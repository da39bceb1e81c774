#include "tests/support/net_test_pki.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hrmaild::test {
namespace fs = std::filesystem;

namespace {

void run(const std::string& command, const fs::path& dir) {
    auto log = dir / "openssl.log";
    std::string full = "cd '" + dir.string() + "' && " + command + " >>'" + log.string() + "' 2>&1";
    if (std::system(full.c_str()) != 0) {
        std::ifstream in(log);
        std::ostringstream s;
        s << in.rdbuf();
        throw std::runtime_error("test PKI step failed: " + command + "\n" + s.str());
    }
}

void write(const fs::path& p, const std::string& text) {
    std::ofstream out(p);
    out << text;
}

const char* const ec_key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

void leaf(const fs::path& dir, const std::string& name, const std::string& cn,
          const std::string& san) {
    write(dir / (name + ".ext"),
          "basicConstraints=critical,CA:FALSE\n"
          "keyUsage=critical,digitalSignature\n"
          "extendedKeyUsage=serverAuth\n"
          "subjectAltName=" +
              san + "\n");
    run(std::string("openssl req ") + ec_key + " -keyout " + name + ".key -out " + name +
            ".csr -subj '/CN=" + cn + "'",
        dir);
    run("openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out " +
            name + ".pem -days 2 -extfile " + name + ".ext",
        dir);
}

}  // namespace

TestPki make_test_pki(const fs::path& dir) {
    run(std::string("openssl req -x509 ") + ec_key +
            " -keyout ca.key -out ca.pem -days 2 -subj '/CN=hrmaild test CA'"
            " -addext basicConstraints=critical,CA:TRUE"
            " -addext keyUsage=critical,keyCertSign,cRLSign",
        dir);
    leaf(dir, "server", "localhost", "DNS:localhost,IP:127.0.0.1,IP:::1");
    leaf(dir, "wrong", "wrong.example", "DNS:wrong.example");
    run(std::string("openssl req -x509 ") + ec_key +
            " -keyout untrusted.key -out untrusted.pem -days 2 -subj '/CN=localhost'"
            " -addext subjectAltName=DNS:localhost,IP:127.0.0.1",
        dir);
    TestPki pki;
    pki.ca_cert = dir / "ca.pem";
    pki.server_cert = dir / "server.pem";
    pki.server_key = dir / "server.key";
    pki.wrong_name_cert = dir / "wrong.pem";
    pki.wrong_name_key = dir / "wrong.key";
    pki.untrusted_cert = dir / "untrusted.pem";
    pki.untrusted_key = dir / "untrusted.key";
    return pki;
}

}  // namespace hrmaild::test
