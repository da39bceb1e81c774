// Fuzz target: the approval-command parser (`/aprobar`, `/rechazar <motivo>`, `/cancelar`)
// with its quote, BB-code and entity handling.
//
// Input: the text of a task comment.
#include "daemon/service/chat_command.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hrmaild;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = fuzz::as_text(data, size);
    (void)service::lines_outside_quotes(text);
    if (auto command = service::parse_chat_command(text)) {
        (void)service::verb_name(command->verb);
        (void)service::verb_name(command->intended);
        if (command->verb == service::ChatVerb::unclear)
            (void)service::unclear_command_hint(*command);
    }
    return 0;
}
