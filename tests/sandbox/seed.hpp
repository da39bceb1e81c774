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

/// What is wrong with one org.json user object (`users[i]` of org.json, or the body of
/// `POST /_sandbox/zoho/users`), or nullopt: `primaryEmailAddress` an address; `role` member,
/// admin or super_admin; `aliases` a list of addresses; `enabled` and `mailEnabled` booleans;
/// names strings.
std::optional<std::string> org_user_problem(const boost::json::object& user);

/// Checks seed data before anything is loaded, so a typo fails the seed with a message naming
/// the file, the entry and the key instead of loading something else: org.json users
/// (`org_user_problem`, and no address, alias or group address twice), and each request's
/// `STATUS` (1..7), `CREATED_DATE` and `CHANGED_DATE` (dates the portal reads, changed not
/// before created). False with `error` set.
bool validate_seed(const SeedData& seed, std::string& error);

/// Reads a seed folder. Missing portal.json, org.json or requests/ are allowed (that part
/// stays empty) but a folder with none of them, a file that is not valid JSON, or data that
/// `validate_seed` refuses, is an error: nothing with `error` set (naming the file).
std::optional<SeedData> load_seed_dir(const std::filesystem::path& dir, std::string& error);

/// Reads an inline seed: `{"portal": {...}, "org": {...}, "requests": [{...}, ...]}`, or
/// `{"dir": "/path"}` for a folder; checked by `validate_seed`.
std::optional<SeedData> seed_from_json(const boost::json::object& body, std::string& error);

}  // namespace hrmaild::sandbox
