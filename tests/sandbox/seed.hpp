#pragma once
/// Seed data for the sandbox: portal.json (Bitrix24), org.json (Zoho Mail) and requests/*.json
/// (one task each), in the format of tests/fixtures/tickets (see its README.md).
#include <boost/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::sandbox {

/// Everything a seed folder or an inline seed holds; absent parts are null.
struct SeedData {
    boost::json::value portal;                 ///< portal.json, or null
    boost::json::value org;                    ///< org.json, or null
    std::vector<boost::json::value> requests;  ///< requests/*.json in file-name order
    std::vector<std::string> request_files;    ///< their file names (empty for inline seeds)
    std::string source;                        ///< the folder, or "inline"
};

/// Reads a seed folder. Missing portal.json, org.json or requests/ are allowed (that part
/// stays empty) but a folder with none of them, or a file that is not valid JSON, is an
/// error: nothing with `error` set (naming the file).
std::optional<SeedData> load_seed_dir(const std::filesystem::path& dir, std::string& error);

/// Reads an inline seed: `{"portal": {...}, "org": {...}, "requests": [{...}, ...]}`, or
/// `{"dir": "/path"}` for a folder.
std::optional<SeedData> seed_from_json(const boost::json::object& body, std::string& error);

}  // namespace hrmaild::sandbox
