// Fuzz target: decoding Bitrix24 answers -- the envelope (`result`, `error`, `time`, `total`,
// `next`; HTML error pages) and every record the client reads out of a `result`: task lists
// and single tasks with custom fields, comments, chat messages, users, departments, tags.
//
// Input: the first byte is the HTTP status class, the rest the response body.
#include "daemon/bitrix/decode.hpp"
#include "daemon/bitrix/errors.hpp"
#include "daemon/bitrix/types.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hrmaild;
namespace json = boost::json;

namespace {

const std::vector<std::string> kUfs{"UF_AUTO_4998", "UF_CRM_TASK"};

void decode_records(const json::value& result) {
    // tasks.task.list: {"tasks":[...]} or a bare list; tasks.task.get: {"task":{...}}.
    const json::value* tasks = bitrix::field(result, {"tasks"});
    for (const auto& t : bitrix::list_values(tasks ? *tasks : result)) {
        if (!t.is_object())
            continue;
        auto task = bitrix::decode_task(t, kUfs);
        (void)task.new_card();
        (void)bitrix::decode_comment_item(t);
        (void)bitrix::decode_chat_message(t);
        (void)bitrix::decode_user(t).full_name();
        (void)bitrix::decode_department(t);
    }
    if (const json::value* task = bitrix::field(result, {"task"}); task && task->is_object())
        (void)bitrix::decode_task(*task, kUfs);
    // im.dialog.messages.get: {"messages":[...]}.
    if (const json::value* messages = bitrix::field(result, {"messages"}))
        for (const auto& m : bitrix::list_values(*messages))
            (void)bitrix::decode_chat_message(m);
    if (const json::value* tags = bitrix::field(result, {"tags", "TAGS"}))
        (void)bitrix::decode_tags(*tags);
    (void)bitrix::int_list(result);
    (void)bitrix::to_text(result);
    (void)bitrix::to_bool(result);
    (void)bitrix::to_int_or(result, -1);
    if (result.is_object())
        for (const auto& [key, value] : result.get_object()) {
            if (bitrix::is_uf_key(key))
                if (auto uf = bitrix::camel_to_uf(key))
                    (void)bitrix::uf_to_camel(*uf);
            (void)bitrix::is_empty(value);
        }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    static constexpr int kStatus[] = {200, 400, 401, 403, 404, 429, 500, 503};
    net::HttpResponse response;
    response.status = kStatus[data[0] % std::size(kStatus)];
    response.body = std::string(fuzz::as_text(data + 1, size - 1));
    const auto mode = (data[0] & 0x80) != 0 ? bitrix::AuthMode::oauth : bitrix::AuthMode::webhook;
    auto reply = bitrix::decode_response("tasks.task.list", response, mode);
    if (reply)
        decode_records(reply->result);
    else
        (void)reply.error().describe();
    (void)bitrix::strip_html(response.body);
    (void)bitrix::uf_to_camel(response.body);
    (void)bitrix::camel_to_uf(response.body);
    return 0;
}
