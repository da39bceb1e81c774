// The service's in-memory caches stay within ServiceOptions::cache_limit, and forgetting an
// entry changes no outcome (a forgotten task is read again, a forgotten unclaimed task is
// assessed again, a forgotten backoff only lets a ticket retry sooner).
#include "tests/unit/service/service_fixture.hpp"

namespace hrmaild::test {
namespace {

class CacheBoundTest : public ServiceTest {
  protected:
    void SetUp() override {
        ServiceTest::SetUp();
        options_.cache_limit = 2;
        make_service();
    }
};

TEST_F(CacheBoundTest, UnclaimedTasksAndTheTaskCacheStayWithinTheLimit) {
    for (std::int64_t id = 1; id <= 5; ++id) {
        add_fixture("12-sin-etiqueta.json", id);
        // Nobody's: no tag, and a title no workflow matches.
        tickets_.tasks[id].title = "Reunión de equipo " + std::to_string(id);
        tickets_.tasks[id].tags.clear();
    }
    run(service_->cycle());
    auto sizes = service_->cache_sizes();
    EXPECT_EQ(sizes.unclaimed, 2u);
    EXPECT_EQ(sizes.tasks, 2u);
    // Assessed again after being forgotten: still nobody's, still no ticket and no comment.
    run(service_->cycle());
    for (std::int64_t id = 1; id <= 5; ++id) {
        EXPECT_EQ(state_or_new(id), TicketState::new_) << id;
        EXPECT_TRUE(tickets_.daemon_comments(id).empty()) << id;
    }
    EXPECT_LE(service_->cache_sizes().unclaimed, 2u);
    EXPECT_LE(service_->cache_sizes().tasks, 2u);
}

TEST_F(CacheBoundTest, BackoffStaysWithinTheLimitAndEveryHireStillRunsOnce) {
    add_fixture("01-alta-basica.json", 1);
    add_fixture("02-alta-acentos.json", 2);
    add_fixture("06-cambio-departamento.json", 3);
    add_fixture("07-contrasena.json", 4);
    mail_.fail_next_retryable = 1000;  // every first step fails retryably: all back off
    run(service_->cycle());
    EXPECT_EQ(service_->cache_sizes().backoff, 2u);
    EXPECT_LE(service_->cache_sizes().tasks, 2u);
    mail_.fail_next_retryable = 0;
    for (int i = 0; i < 6; ++i) {
        clock_.advance(std::chrono::hours(2));
        run(service_->cycle());
    }
    for (std::int64_t id = 1; id <= 4; ++id)
        EXPECT_EQ(state(id), TicketState::done) << id;
    EXPECT_EQ(applied_count("create_user"), 2);
    EXPECT_EQ(applied_count("reset_password"), 1);
    EXPECT_EQ(service_->cache_sizes().backoff, 0u);
    EXPECT_LE(service_->cache_sizes().tasks, 2u);
}

// Found by the crash harness (tests/crash): completing a task whose answer was lost read the
// task back and then aborted the daemon ("free(): invalid pointer"): the reporter's
// `cond ? co_await a : co_await b` is miscompiled by GCC 12 (temporaries of a co_await in a
// conditional expression destroyed twice).
TEST_F(ServiceTest, ACompletionWhoseAnswerWasLostIsSettledByReadingTheTask) {
    add_fixture("01-alta-basica.json", 1);
    tickets_.lose_next_complete_answers = 1;
    run(service_->cycle());
    EXPECT_EQ(state(1), TicketState::done);
    EXPECT_EQ(tickets_.complete_calls, 1) << "completed once, never re-sent";
    EXPECT_TRUE(store_->pending_answers(std::nullopt).value().empty());
    run(service_->cycle());
    EXPECT_EQ(tickets_.complete_calls, 1);
}

}  // namespace
}  // namespace hrmaild::test
