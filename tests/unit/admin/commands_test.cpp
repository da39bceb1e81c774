// The command registry: one place that validates arguments for the API and the CLI.
#include "daemon/admin/commands.hpp"
#include "daemon/log/log.hpp"
#include "tests/support/run_coro.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>
#include <stdexcept>

namespace hrmaild::admin {
namespace {

namespace json = boost::json;

CommandResult run_sync(const CommandRegistry& registry, CommandRequest request) {
    boost::asio::io_context io;
    return hrmaild::test::run_coro(io, registry.run(std::move(request)));
}

std::string error_code(const CommandResult& r) {
    return std::string(r.body.at("error").as_string());
}

/// A handler that echoes what reached it.
Handler echo() {
    return [](CommandRequest r) -> boost::asio::awaitable<CommandResult> {
        co_return CommandResult{
            200,
            json::object{
                {"name", r.name}, {"args", r.args}, {"principal", r.principal}, {"via", r.via}}};
    };
}

CommandRegistry standard_registry() {
    CommandRegistry reg;
    for (const auto& name : standard_command_names())
        reg.add(name, "help for " + name, echo());
    return reg;
}

TEST(CommandRegistry, UnknownCommandIs404) {
    CommandRegistry reg;
    auto r = run_sync(reg, {"queue.nope", {}, "camilo", "api"});
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(error_code(r), "unknown_command");
}

TEST(CommandRegistry, RunPassesArgsPrincipalAndVia) {
    auto reg = standard_registry();
    auto r = run_sync(reg, {"queue.approve", {{"id", 42}, {"plan_hash", "abc"}}, "diana", "cli"});
    ASSERT_EQ(r.status, 200) << json::serialize(r.body);
    EXPECT_EQ(r.body.at("principal"), "diana");
    EXPECT_EQ(r.body.at("via"), "cli");
    EXPECT_EQ(r.body.at("name"), "queue.approve");
    EXPECT_EQ(r.body.at("args").at("id"), 42);
    EXPECT_EQ(r.body.at("args").at("plan_hash"), "abc");
}

TEST(CommandRegistry, StandardCommandsValidateTheirArguments) {
    auto reg = standard_registry();
    struct Case {
        const char* name;
        json::object args;
        const char* code;
    };
    const Case cases[] = {
        {"queue.show", {}, "missing_argument"},
        {"queue.show", {{"id", "7"}}, "bad_argument"},
        {"queue.show", {{"id", 0}}, "bad_argument"},
        {"queue.show", {{"id", -3}}, "bad_argument"},
        {"queue.show", {{"id", 1.5}}, "bad_argument"},
        {"queue.show", {{"id", 7}, {"force", true}}, "unknown_argument"},
        {"queue.reject", {{"id", 7}}, "missing_argument"},
        {"queue.reject", {{"id", 7}, {"reason", ""}}, "bad_argument"},
        {"queue.reject", {{"id", 7}, {"reason", "  \n"}}, "bad_argument"},
        {"queue.reject", {{"id", 7}, {"reason", 5}}, "bad_argument"},
        {"queue.approve", {{"id", 7}, {"plan_hash", ""}}, "bad_argument"},
        {"queue.list", {{"state", ""}}, "bad_argument"},
        {"status", {{"verbose", true}}, "unknown_argument"},
    };
    for (const auto& c : cases) {
        auto r = run_sync(reg, {c.name, c.args, "camilo", "api"});
        EXPECT_EQ(r.status, 400) << c.name << " " << json::serialize(c.args);
        EXPECT_EQ(error_code(r), c.code) << c.name << " " << json::serialize(c.args);
    }
    // And the valid forms pass.
    EXPECT_EQ(
        run_sync(reg, {"queue.reject", {{"id", 7}, {"reason", "duplicada"}}, "c", "api"}).status,
        200);
    EXPECT_EQ(run_sync(reg, {"queue.list", {}, "c", "api"}).status, 200);
    EXPECT_EQ(run_sync(reg, {"queue.list", {{"state", "failed"}}, "c", "api"}).status, 200);
    EXPECT_EQ(
        run_sync(reg, {"queue.approve", {{"id", 7}, {"plan_hash", nullptr}}, "c", "api"}).status,
        200);
}

TEST(CommandRegistry, HandlerThatThrowsGives500AndIsLogged) {
    log::CaptureSink capture;
    CommandRegistry reg;
    reg.add("status", "status", [](CommandRequest) -> boost::asio::awaitable<CommandResult> {
        throw std::runtime_error("store is locked");
        co_return CommandResult{};
    });
    auto r = run_sync(reg, {"status", {}, "camilo", "api"});
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(error_code(r), "internal");
    EXPECT_TRUE(capture.has_event("ADMIN_COMMAND_FAILED"));
    EXPECT_NE(capture.text().find("store is locked"), std::string::npos);
}

TEST(CommandRegistry, HandlerErrorsPassThrough) {
    CommandRegistry reg;
    reg.add("queue.retry", "retry", [](CommandRequest) -> boost::asio::awaitable<CommandResult> {
        co_return error_result(409, "wrong_state", "task 7 is executing");
    });
    auto r = run_sync(reg, {"queue.retry", {{"id", 7}}, "camilo", "api"});
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(error_code(r), "wrong_state");
    EXPECT_EQ(r.body.at("message"), "task 7 is executing");
}

TEST(CommandRegistry, ListIsSortedWithHelpAndArgs) {
    auto reg = standard_registry();
    reg.add("zz.custom", "custom", {{"n", ArgType::integer, true, false, "a number"}}, echo());
    auto list = reg.list();
    ASSERT_EQ(list.size(), standard_command_names().size() + 1);
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end(),
                               [](const auto& a, const auto& b) { return a.name < b.name; }));
    auto reject = std::find_if(list.begin(), list.end(),
                               [](const auto& c) { return c.name == "queue.reject"; });
    ASSERT_NE(reject, list.end());
    EXPECT_EQ(reject->help, "help for queue.reject");
    ASSERT_EQ(reject->args.size(), 2u);
    EXPECT_TRUE(reject->args[1].required);
    EXPECT_EQ(run_sync(reg, {"zz.custom", {}, "c", "api"}).status, 400);
    EXPECT_EQ(run_sync(reg, {"zz.custom", {{"n", 3}}, "c", "api"}).status, 200);
}

TEST(CommandRegistry, AddReplacesAnEarlierHandler) {
    CommandRegistry reg;
    reg.add("version", "v", [](CommandRequest) -> boost::asio::awaitable<CommandResult> {
        co_return CommandResult{200, json::object{{"version", "old"}}};
    });
    reg.add("version", "v", [](CommandRequest) -> boost::asio::awaitable<CommandResult> {
        co_return CommandResult{200, json::object{{"version", "new"}}};
    });
    EXPECT_TRUE(reg.contains("version"));
    EXPECT_FALSE(reg.contains("status"));
    EXPECT_EQ(run_sync(reg, {"version", {}, "c", "api"}).body.at("version"), "new");
}

}  // namespace
}  // namespace hrmaild::admin
