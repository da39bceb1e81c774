#include "tests/sandbox/seed.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace hrmaild::sandbox {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

std::optional<json::value> read_json(const fs::path& file, std::string& error) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        error = file.string() + ": cannot be read";
        return std::nullopt;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    json::value v = json::parse(ss.str(), ec);
    if (ec) {
        error = file.string() + ": not valid JSON: " + ec.message();
        return std::nullopt;
    }
    return v;
}

}  // namespace

std::optional<SeedData> load_seed_dir(const fs::path& dir, std::string& error) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        error = dir.string() + ": not a folder";
        return std::nullopt;
    }
    SeedData seed;
    seed.source = dir.string();
    bool any = false;
    if (fs::exists(dir / "portal.json", ec)) {
        auto v = read_json(dir / "portal.json", error);
        if (!v)
            return std::nullopt;
        seed.portal = std::move(*v);
        any = true;
    }
    if (fs::exists(dir / "org.json", ec)) {
        auto v = read_json(dir / "org.json", error);
        if (!v)
            return std::nullopt;
        seed.org = std::move(*v);
        any = true;
    }
    fs::path requests = dir / "requests";
    if (fs::is_directory(requests, ec)) {
        any = true;
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(requests, ec)) {
            if (entry.is_regular_file() && entry.path().extension() == ".json")
                files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end(),
                  [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
        for (const auto& f : files) {
            auto v = read_json(f, error);
            if (!v)
                return std::nullopt;
            if (!v->is_object()) {
                error = f.string() + ": a request must be a JSON object";
                return std::nullopt;
            }
            seed.requests.push_back(std::move(*v));
            seed.request_files.push_back(f.filename().string());
        }
    }
    if (!any) {
        error = dir.string() + ": holds none of portal.json, org.json, requests/";
        return std::nullopt;
    }
    return seed;
}

std::optional<SeedData> seed_from_json(const json::object& body, std::string& error) {
    if (auto it = body.find("dir"); it != body.end()) {
        if (!it->value().is_string()) {
            error = "dir must be a string";
            return std::nullopt;
        }
        return load_seed_dir(fs::path(std::string(it->value().get_string())), error);
    }
    SeedData seed;
    seed.source = "inline";
    bool any = false;
    for (const auto& kv : body) {
        if (kv.key() == "portal") {
            if (!kv.value().is_object()) {
                error = "portal must be an object";
                return std::nullopt;
            }
            seed.portal = kv.value();
            any = true;
        } else if (kv.key() == "org") {
            if (!kv.value().is_object()) {
                error = "org must be an object";
                return std::nullopt;
            }
            seed.org = kv.value();
            any = true;
        } else if (kv.key() == "requests") {
            if (!kv.value().is_array()) {
                error = "requests must be an array of objects";
                return std::nullopt;
            }
            for (const auto& r : kv.value().as_array()) {
                if (!r.is_object()) {
                    error = "requests must be an array of objects";
                    return std::nullopt;
                }
                seed.requests.push_back(r);
            }
            any = true;
        } else if (kv.key() != "append") {
            error = "unknown key: " + std::string(kv.key());
            return std::nullopt;
        }
    }
    if (!any) {
        error = "give dir, or one of portal, org, requests";
        return std::nullopt;
    }
    return seed;
}

}  // namespace hrmaild::sandbox
