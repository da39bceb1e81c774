// Fuzz target: decoding Zoho Mail answers -- the JSON reader that keeps 64-bit ids exact, the
// `status`/`data` envelope, the records the client reads (users with their addresses, groups
// with their members, the organization) and the classification of error answers.
//
// Input: the first byte is the HTTP status class, the rest the response body.
#include "daemon/core/clock.hpp"
#include "daemon/core/text.hpp"
#include "daemon/zoho/errors.hpp"
#include "daemon/zoho/json.hpp"
#include "daemon/zoho/zoho_client.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hrmaild;
namespace json = boost::json;

namespace {

void decode_record(const json::object& o) {
    (void)zoho::parse_user(o);
    (void)zoho::parse_group(o);
    (void)zoho::parse_organization(o);
    for (const auto& [key, value] : o) {
        (void)zoho::read_id(value);
        (void)zoho::id_field(o, key);
        (void)zoho::string_field(o, key);
        (void)zoho::bool_field(o, key);
        (void)zoho::int_field(o, key);
        (void)zoho::object_field(o, key);
        (void)zoho::array_field(o, key);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    static constexpr int kStatus[] = {200, 201, 400, 401, 404, 429, 500, 503};
    net::HttpResponse response;
    response.status = kStatus[data[0] % std::size(kStatus)];
    response.body = std::string(fuzz::as_text(data + 1, size - 1));
    if ((data[0] & 0x80) != 0)
        response.headers.push_back({"Retry-After", "120"});

    (void)zoho::parse_decimal_id(response.body);
    (void)core::ascii_lower(response.body);
    (void)zoho::is_throttle_response(response);
    auto error = zoho::classify_api_error(response, "ZohoMail.organization.accounts.ALL",
                                          core::from_unix_seconds(1'760'000'000));
    (void)error.describe();
    (void)zoho::is_not_found(error);
    (void)zoho::is_throttle(error);
    (void)zoho::is_token_rejected(error);

    auto value = zoho::parse_json(response.body);
    if (!value || !value->is_object())
        return 0;
    const auto& root = value->get_object();
    if (const json::object* status = zoho::object_field(root, "status"))
        (void)zoho::int_field(*status, "code");
    decode_record(root);
    if (auto it = root.find("data"); it != root.end()) {
        if (it->value().is_object())
            decode_record(it->value().get_object());
        else if (it->value().is_array())
            for (const auto& row : it->value().get_array())
                if (row.is_object())
                    decode_record(row.get_object());
    }
    return 0;
}
