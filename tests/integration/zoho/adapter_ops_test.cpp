// Every operation of the Zoho Mail adapter (app::ZohoMailDirectory) run against the sandbox's
// Zoho emulator over real HTTP: a plan-like step bound to its target from a fresh snapshot,
// applied through the adapter; the emulator's own state (read in-process, not through our
// client) must show the effect, and the adapter's probe, not_done before, answers done after.
// Policy time runs on a ManualClock the driver advances together with the sandbox clock.
#include "daemon/app/net_settings.hpp"
#include "daemon/app/zoho_directory.hpp"
#include "daemon/config/config.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/net/http_client.hpp"
#include "daemon/zoho/connection.hpp"
#include "daemon/zoho/directory_cache.hpp"
#include "daemon/zoho/zoho_client.hpp"
#include "tests/sandbox/seed.hpp"
#include "tests/sandbox/server.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace hrmaild::service {
// gtest prints a probe state by name.
void PrintTo(ProbeState s, std::ostream* os) {
    *os << (s == ProbeState::done ? "done" : s == ProbeState::not_done ? "not_done" : "conflict");
}
}  // namespace hrmaild::service

namespace hrmaild::zoho {
namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using domain::OpKind;
using service::ProbeState;

constexpr std::int64_t kZoid = 60012345678;
const std::string kJuan = "juan.perez@tarmexico.com";
const std::string kOperaciones = "operaciones@tarmexico.com";

class ZohoAdapterOps : public ::testing::Test {
  protected:
    void SetUp() override {
        sandbox_ = std::make_unique<sandbox::BackgroundSandbox>(sandbox::ServerOptions{});
        std::string error;
        auto seed =
            sandbox::load_seed_dir(hrmaild::test::source_dir() / "tests/fixtures/tickets", error);
        ASSERT_TRUE(seed) << error;
        sandbox_->seed(*seed);
        const auto base = sandbox_->base_url();
        auto http_config = app::default_http_settings();
        http_config.total_timeout = 5s;
        http_config.read_timeout = 5s;
        net::HttpClientOptions no_env;
        no_env.env = [](const char*) -> std::optional<std::string> { return std::nullopt; };
        http_ = std::make_unique<net::HttpClient>(ioc_.get_executor(), http_config, no_env);
        TokenSettings ts;
        ts.accounts_url = base;
        ts.client_id = "1000.SANDBOXCLIENT";
        ts.client_secret = Secret("sandbox-client-secret");
        ts.refresh_token = Secret("1000.sandbox-refresh-token");
        ts.refresh_token_file = "/etc/hrmaild/zoho-refresh-token";
        tokens_ = std::make_unique<TokenManager>(*http_, clock_, ts);
        ClientOptions o;
        o.seed = 11;
        net::RetrySettings retry{8, 1000ms, 900000ms};
        client_ = std::make_unique<ZohoClient>(*http_, clock_, *tokens_, base, kZoid, 25, retry, o);
        cache_ = std::make_unique<DirectoryCache>(*client_, clock_, 15min);
        mail_ = std::make_unique<app::ZohoMailDirectory>(*client_, *cache_);
    }
    void TearDown() override {
        mail_.reset();
        cache_.reset();
        client_.reset();
        tokens_.reset();
        http_.reset();
        sandbox_.reset();
    }

    /// Runs `aw` to completion: real I/O on the io_context; when a coroutine sleeps on the
    /// virtual clock, jumps it (and the sandbox clock by the same amount) to the next deadline.
    template <typename T>
    T go(asio::awaitable<T> aw) {
        hrmaild::test::RunOptions o;
        o.limit = 60s;
        o.io_grace = 2ms;
        o.when_idle = hrmaild::test::jump_clock(clock_, [this](std::chrono::milliseconds jump) {
            sandbox_->call([jump](sandbox::Sandbox& s) { s.clock().advance(jump); });
        });
        return hrmaild::test::run_coro(ioc_, std::move(aw), o);
    }

    /// The adapter's fresh view of the organization (what a planner binds steps against).
    domain::DirectorySnapshot fresh() {
        auto s = go(mail_->snapshot(true));
        if (!s)
            throw std::runtime_error("snapshot failed: " + s.error().describe());
        return **s;
    }

    /// A step as a plan holds it: parameters in the spec's order, target bound from a fresh
    /// snapshot (empty for what the step creates).
    domain::Operation step(OpKind kind, std::vector<std::pair<std::string, domain::Value>> params) {
        domain::Operation op{kind, std::move(params), 0};
        if (!domain::creates_target(kind)) {
            op.target = domain::resolve_target(fresh(), op);
            EXPECT_FALSE(op.target.empty()) << domain::op_name(kind) << " found no target";
        }
        return op;
    }

    /// Applies `op` through the adapter; fails the test with Zoho's error if it does not succeed.
    std::string apply(const domain::Operation& op, const Secret* password = nullptr) {
        auto r = go(mail_->apply(op, password));
        EXPECT_TRUE(r.has_value()) << domain::op_name(op.kind) << ": " << r.error().describe();
        return r ? *r : std::string();
    }

    ProbeState probe(const domain::Operation& op, std::int64_t started_at_ms = 0) {
        auto p = go(mail_->probe(op, started_at_ms));
        if (!p)
            throw std::runtime_error("probe failed: " + p.error().describe());
        return p->state;
    }

    /// The emulator's own record of the account (std::nullopt when it has none).
    std::optional<json::object> sandbox_user(const std::string& address) {
        auto st = sandbox_->call([](sandbox::Sandbox& s) { return s.zoho().state(); });
        for (const auto& u : st.at("users").as_array())
            if (u.at("primaryEmailAddress").as_string() == address)
                return u.as_object();
        return std::nullopt;
    }
    std::optional<json::object> sandbox_group(const std::string& address) {
        auto st = sandbox_->call([](sandbox::Sandbox& s) { return s.zoho().state(); });
        for (const auto& g : st.at("groups").as_array())
            if (g.at("emailId").as_string() == address)
                return g.as_object();
        return std::nullopt;
    }
    static std::vector<std::string> aliases(const json::object& user) {
        std::vector<std::string> out;
        for (const auto& a : user.at("emailAddress").as_array())
            if (a.at("isAlias").as_bool())
                out.emplace_back(a.at("mailId").as_string());
        return out;
    }
    static std::vector<std::string> members(const json::object& group) {
        std::vector<std::string> out;
        for (const auto& m : group.at("mailGroupMemberList").as_array())
            out.emplace_back(m.at("memberEmailId").as_string());
        return out;
    }
    static bool contains(const std::vector<std::string>& v, const std::string& s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    }

    asio::io_context ioc_;
    core::ManualClock clock_;
    std::unique_ptr<sandbox::BackgroundSandbox> sandbox_;
    std::unique_ptr<net::HttpClient> http_;
    std::unique_ptr<TokenManager> tokens_;
    std::unique_ptr<ZohoClient> client_;
    std::unique_ptr<DirectoryCache> cache_;
    std::unique_ptr<app::ZohoMailDirectory> mail_;
};

TEST_F(ZohoAdapterOps, CreateUserMakesTheAccountAndTheProbeAdoptsIt) {
    const std::string address = "sofia.ruiz@tarmexico.com";
    ASSERT_FALSE(sandbox_user(address));
    auto op = step(OpKind::create_user, {{"email", address},
                                         {"first_name", std::string("Sofía")},
                                         {"last_name", std::string("Ruiz")},
                                         {"display_name", std::string("Sofi Ruiz (Carga)")}});
    const auto started_ms = sandbox_->call([](sandbox::Sandbox& s) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   s.clock().now().time_since_epoch())
            .count();
    });
    EXPECT_EQ(probe(op, started_ms), ProbeState::not_done);
    Secret password("Initial-Pass-7-kR2!");
    auto r = apply(op, &password);
    EXPECT_NE(r.find("created " + address), std::string::npos) << r;
    auto u = sandbox_user(address);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->at("firstName").as_string(), "Sofía");
    EXPECT_EQ(u->at("lastName").as_string(), "Ruiz");
    EXPECT_EQ(u->at("displayName").as_string(), "Sofi Ruiz (Carga)");  // not the default
    EXPECT_EQ(u->at("role").as_string(), "member");
    EXPECT_TRUE(u->at("passwordSet").as_bool());
    EXPECT_TRUE(u->at("oneTimePassword").as_bool());
    auto p = go(mail_->probe(op, started_ms));
    ASSERT_TRUE(p.has_value()) << p.error().describe();
    EXPECT_EQ(p->state, ProbeState::done) << p->detail;
    EXPECT_EQ(p->found.zuid, std::to_string(u->at("zuid").to_number<std::int64_t>()));
}

TEST_F(ZohoAdapterOps, DisableUserTurnsTheBoundAccountOff) {
    auto op = step(OpKind::disable_user, {{"email", kJuan}, {"block_incoming", true}});
    ASSERT_TRUE(sandbox_user(kJuan)->at("status").as_bool());
    EXPECT_EQ(probe(op), ProbeState::not_done);
    apply(op);
    auto u = sandbox_user(kJuan);
    ASSERT_TRUE(u);
    EXPECT_FALSE(u->at("status").as_bool());
    EXPECT_TRUE(u->at("incomingBlocked").as_bool());
    EXPECT_EQ(probe(op), ProbeState::done);
}

TEST_F(ZohoAdapterOps, EnableUserTurnsADisabledAccountBackOn) {
    auto juan = go(client_->get_user(kJuan));
    ASSERT_TRUE(juan.has_value()) << juan.error().describe();
    DisableOptions block;
    block.block_incoming = true;
    ASSERT_TRUE(go(client_->disable_user(juan->ref(), block)).has_value());
    ASSERT_FALSE(sandbox_user(kJuan)->at("status").as_bool());
    ASSERT_TRUE(sandbox_user(kJuan)->at("incomingBlocked").as_bool());
    auto op = step(OpKind::enable_user, {{"email", kJuan}, {"unblock_incoming", true}});
    EXPECT_EQ(probe(op), ProbeState::not_done);
    apply(op);
    auto u = sandbox_user(kJuan);
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->at("status").as_bool());
    EXPECT_FALSE(u->at("incomingBlocked").as_bool());
    EXPECT_EQ(probe(op), ProbeState::done);
}

TEST_F(ZohoAdapterOps, ResetPasswordSetsANewOneTimePassword) {
    auto before = sandbox_user(kJuan);
    ASSERT_TRUE(before);
    const auto reset_before = before->at("lastPasswordReset").to_number<std::int64_t>();
    auto op = step(OpKind::reset_password, {{"email", kJuan}});
    sandbox_->call([](sandbox::Sandbox& s) { s.clock().advance(5s); });
    Secret password("Reset-Pass-4-mW9!");
    auto r = apply(op, &password);
    EXPECT_NE(r.find("password reset for " + kJuan), std::string::npos) << r;
    auto u = sandbox_user(kJuan);
    ASSERT_TRUE(u);
    EXPECT_GT(u->at("lastPasswordReset").to_number<std::int64_t>(), reset_before);
    EXPECT_TRUE(u->at("oneTimePassword").as_bool());
    // A new password is never "already there": the probe cannot see one, so it never adopts
    // a reset (the executor runs it again instead).
    EXPECT_EQ(probe(op), ProbeState::not_done);
}

TEST_F(ZohoAdapterOps, UpdateDisplayNameRenamesTheAccount) {
    auto op = step(OpKind::update_display_name,
                   {{"email", kJuan}, {"display_name", std::string("Juan Pérez Soto")}});
    ASSERT_NE(sandbox_user(kJuan)->at("displayName").as_string(), "Juan Pérez Soto");
    EXPECT_EQ(probe(op), ProbeState::not_done);
    apply(op);
    EXPECT_EQ(sandbox_user(kJuan)->at("displayName").as_string(), "Juan Pérez Soto");
    EXPECT_EQ(probe(op), ProbeState::done);
}

TEST_F(ZohoAdapterOps, ChangeRoleMakesAMemberAnAdmin) {
    ASSERT_EQ(sandbox_user(kJuan)->at("role").as_string(), "member");
    auto op = step(OpKind::change_role, {{"email", kJuan}, {"role", std::string("admin")}});
    EXPECT_EQ(probe(op), ProbeState::not_done);
    auto r = apply(op);
    EXPECT_NE(r.find("role of " + kJuan + " is admin"), std::string::npos) << r;
    EXPECT_EQ(sandbox_user(kJuan)->at("role").as_string(), "admin");
    EXPECT_EQ(probe(op), ProbeState::done);
}

TEST_F(ZohoAdapterOps, AddAliasGivesTheAccountANewAddress) {
    const std::string alias = "jperez@tarmexico.com";
    ASSERT_FALSE(contains(aliases(*sandbox_user(kJuan)), alias));
    auto op = step(OpKind::add_alias, {{"email", kJuan}, {"alias", alias}});
    EXPECT_EQ(probe(op), ProbeState::not_done);
    apply(op);
    EXPECT_TRUE(contains(aliases(*sandbox_user(kJuan)), alias));
    EXPECT_EQ(probe(op), ProbeState::done);
}

TEST_F(ZohoAdapterOps, RemoveAliasTakesTheAddressAway) {
    const std::string alias = "jperez@tarmexico.com";
    auto juan = go(client_->get_user(kJuan));
    ASSERT_TRUE(juan.has_value()) << juan.error().describe();
    ASSERT_TRUE(go(client_->add_aliases(juan->ref(), {alias})).has_value());
    ASSERT_TRUE(contains(aliases(*sandbox_user(kJuan)), alias));
    auto op = step(OpKind::remove_alias, {{"email", kJuan}, {"alias", alias}});
    EXPECT_EQ(probe(op), ProbeState::not_done);
    apply(op);
    auto u = sandbox_user(kJuan);
    ASSERT_TRUE(u);  // the account stays; only the alias goes
    EXPECT_FALSE(contains(aliases(*u), alias));
    EXPECT_EQ(probe(op), ProbeState::done);
}

TEST_F(ZohoAdapterOps, CreateGroupMakesTheGroupWithItsMembers) {
    const std::string address = "carga@tarmexico.com";
    ASSERT_FALSE(sandbox_group(address));
    auto op = step(OpKind::create_group,
                   {{"group", address},
                    {"name", std::string("Carga")},
                    {"members", std::vector<std::string>{kJuan, "ana.lopez@tarmexico.com"}}});
    EXPECT_EQ(probe(op), ProbeState::not_done);
    auto r = apply(op);
    EXPECT_NE(r.find("created group " + address), std::string::npos) << r;
    auto g = sandbox_group(address);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->at("name").as_string(), "Carga");
    auto m = members(*g);
    EXPECT_TRUE(contains(m, kJuan));
    EXPECT_TRUE(contains(m, "ana.lopez@tarmexico.com"));
    EXPECT_EQ(probe(op), ProbeState::done);
}

TEST_F(ZohoAdapterOps, DeleteGroupRemovesTheBoundGroup) {
    ASSERT_TRUE(sandbox_group(kOperaciones));
    auto op = step(OpKind::delete_group, {{"group", kOperaciones}});
    ASSERT_FALSE(op.target.zgid.empty());
    EXPECT_EQ(probe(op), ProbeState::not_done);
    apply(op);
    EXPECT_FALSE(sandbox_group(kOperaciones));
    EXPECT_TRUE(sandbox_group("todos@tarmexico.com"));  // only the bound group
    EXPECT_EQ(probe(op), ProbeState::done);
}

TEST_F(ZohoAdapterOps, RenameGroupChangesItsNameNotItsAddress) {
    ASSERT_EQ(sandbox_group(kOperaciones)->at("name").as_string(), "Operaciones");
    auto op = step(OpKind::rename_group,
                   {{"group", kOperaciones}, {"name", std::string("Operaciones de Vuelo")}});
    EXPECT_EQ(probe(op), ProbeState::not_done);
    apply(op);
    auto g = sandbox_group(kOperaciones);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->at("name").as_string(), "Operaciones de Vuelo");
    EXPECT_EQ(probe(op), ProbeState::done);
}

TEST_F(ZohoAdapterOps, AddGroupMemberPutsTheAddressInTheGroup) {
    const std::string laura = "laura.mendez@tarmexico.com";
    ASSERT_FALSE(contains(members(*sandbox_group(kOperaciones)), laura));
    auto op = step(OpKind::add_group_member, {{"group", kOperaciones}, {"member", laura}});
    EXPECT_EQ(probe(op), ProbeState::not_done);
    apply(op);
    auto m = members(*sandbox_group(kOperaciones));
    EXPECT_TRUE(contains(m, laura));
    EXPECT_EQ(m.size(), 4u);  // the three it had, and Laura
    EXPECT_EQ(probe(op), ProbeState::done);
}

TEST_F(ZohoAdapterOps, RemoveGroupMemberTakesOnlyThatAddressOut) {
    const std::string pedro = "pedro.gomez@tarmexico.com";
    ASSERT_TRUE(contains(members(*sandbox_group(kOperaciones)), pedro));
    auto op = step(OpKind::remove_group_member, {{"group", kOperaciones}, {"member", pedro}});
    EXPECT_EQ(probe(op), ProbeState::not_done);
    apply(op);
    auto m = members(*sandbox_group(kOperaciones));
    EXPECT_FALSE(contains(m, pedro));
    EXPECT_TRUE(contains(m, kJuan));
    EXPECT_EQ(m.size(), 2u);
    EXPECT_TRUE(sandbox_user(pedro));  // the account itself stays
    EXPECT_EQ(probe(op), ProbeState::done);
}

TEST_F(ZohoAdapterOps, DeleteUserRemovesTheBoundDisabledAccount) {
    auto juan = go(client_->get_user(kJuan));
    ASSERT_TRUE(juan.has_value()) << juan.error().describe();
    ASSERT_TRUE(go(client_->disable_user(juan->ref(), DisableOptions{})).has_value());
    auto op = step(OpKind::delete_user, {{"email", kJuan}});
    ASSERT_FALSE(op.target.zuid.empty());
    EXPECT_EQ(probe(op), ProbeState::not_done);
    auto r = apply(op);
    EXPECT_NE(r.find("deleted " + kJuan), std::string::npos) << r;
    EXPECT_FALSE(sandbox_user(kJuan));
    EXPECT_TRUE(sandbox_user("ana.lopez@tarmexico.com"));  // only the bound account
    EXPECT_EQ(probe(op), ProbeState::done);
    // Applied again (a retry after a lost answer): the target is gone, nothing left to do.
    auto again = apply(op);
    EXPECT_NE(again.find("already gone"), std::string::npos) << again;
}

TEST_F(ZohoAdapterOps, DeleteUserRefusesAnAccountEnabledAgainSincePlanning) {
    auto juan = go(client_->get_user(kJuan));
    ASSERT_TRUE(juan.has_value()) << juan.error().describe();
    ASSERT_TRUE(go(client_->disable_user(juan->ref(), DisableOptions{})).has_value());
    auto op = step(OpKind::delete_user, {{"email", kJuan}});
    // Someone enables the account in the console between planning and the step.
    ASSERT_TRUE(go(client_->enable_user(juan->ref(), false)).has_value());
    auto r = go(mail_->apply(op, nullptr));
    ASSERT_FALSE(r.has_value()) << "an enabled account must not be deleted";
    EXPECT_EQ(r.error().kind, core::ErrorKind::conflict) << r.error().describe();
    EXPECT_NE(r.error().message.find("target changed"), std::string::npos) << r.error().message;
    EXPECT_TRUE(sandbox_user(kJuan));
}

TEST_F(ZohoAdapterOps, SnapshotShowsTheOrganizationAndFreshRereadsIt) {
    auto st = sandbox_->call([](sandbox::Sandbox& s) { return s.zoho().state(); });
    auto snap = fresh();
    ASSERT_EQ(snap.users.size(), st.at("users").as_array().size());
    ASSERT_EQ(snap.groups.size(), st.at("groups").as_array().size());
    for (const auto& v : st.at("users").as_array()) {
        const auto& u = v.as_object();
        const std::string address(u.at("primaryEmailAddress").as_string());
        const auto* du = snap.find_user(address);
        ASSERT_NE(du, nullptr) << address;
        EXPECT_EQ(du->zuid, std::to_string(u.at("zuid").to_number<std::int64_t>())) << address;
        EXPECT_EQ(du->enabled, u.at("status").as_bool()) << address;
        EXPECT_EQ(du->role, std::string(u.at("role").as_string())) << address;
        EXPECT_EQ(du->aliases, aliases(u)) << address;
    }
    for (const auto& v : st.at("groups").as_array()) {
        const auto& g = v.as_object();
        const std::string address(g.at("emailId").as_string());
        const auto* dg = snap.find_group(address);
        ASSERT_NE(dg, nullptr) << address;
        EXPECT_EQ(dg->name, std::string(g.at("name").as_string())) << address;
        EXPECT_EQ(dg->members, members(g)) << address;
    }

    // An admin adds a user in the console: the cached snapshot does not know yet, a fresh one
    // does.
    const std::string added = "nuevo.ingreso@tarmexico.com";
    auto created = sandbox_->call([&](sandbox::Sandbox& s) {
        return s.zoho().control_add_user(json::object{
            {"primaryEmailAddress", added}, {"firstName", "Nuevo"}, {"lastName", "Ingreso"}});
    });
    ASSERT_EQ(created.status, 201) << created.body;
    auto cached = go(mail_->snapshot(false));
    ASSERT_TRUE(cached.has_value()) << cached.error().describe();
    EXPECT_EQ((*cached)->find_user(added), nullptr);
    EXPECT_NE(fresh().find_user(added), nullptr);
}

// ---- issue 11: the directory stays current, and one call does what several steps plan

class ZohoAdapterCalls : public ZohoAdapterOps {
  protected:
    std::size_t requests() const { return client_->stats().requests; }
    /// Requests the emulator answered on routes starting with `prefix` ("POST /api/...").
    long long routed(const std::string& prefix) {
        auto st = sandbox_->call([](sandbox::Sandbox& s) { return s.state(); });
        long long n = 0;
        for (const auto& [k, v] :
             st.as_object().at("requests").as_object().at("by_route").as_object())
            if (std::string_view(k).starts_with(prefix))
                n += v.to_number<long long>();
        return n;
    }
    domain::Operation member_step(OpKind kind, const std::string& group,
                                  const std::string& member) {
        // Bound as the planner binds it, from the snapshot (the member may not exist yet).
        domain::Operation op{kind, {{"group", group}, {"member", member}}, 0};
        op.target = domain::resolve_target(fresh(), op);
        EXPECT_FALSE(op.target.zgid.empty());
        return op;
    }
    std::string apply_fused(const domain::Operation& op,
                            const std::vector<domain::Operation>& riders,
                            const Secret* password = nullptr) {
        auto r = go(mail_->apply_fused(op, password, riders));
        EXPECT_TRUE(r.has_value()) << r.error().describe();
        return r ? *r : std::string();
    }
};

TEST_F(ZohoAdapterCalls, AChangeZohoConfirmedIsInTheSnapshotWithoutAReload) {
    const auto before_any = fresh();
    const std::string address = "rita.solis@tarmexico.com";
    auto create = step(OpKind::create_user, {{"email", address},
                                             {"first_name", std::string("Rita")},
                                             {"last_name", std::string("Solís")}});
    domain::Operation add{OpKind::add_group_member,
                          {{"group", std::string("comercial@tarmexico.com")}, {"member", address}},
                          0};
    add.target = domain::resolve_target(before_any, add);
    ASSERT_FALSE(add.target.zgid.empty());
    const auto loads = cache_->stats().loads;
    Secret password("Initial-Pass-7-kR2!");
    apply(create, &password);
    const auto before = requests();
    apply(add);
    // The cache knows the group by its id and the new member is not in it: the PUT alone
    // (issue 11; an add removes nothing, so the group need not be read first).
    EXPECT_EQ(requests() - before, 1u) << "one PUT, the group not read";
    const auto after_writes = requests();
    auto s = go(mail_->snapshot(false));
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(requests(), after_writes) << "no reload after the daemon's own changes";
    EXPECT_EQ(cache_->stats().loads, loads);
    const auto* u = (*s)->find_user(address);
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->zuid, std::to_string(sandbox_user(address)->at("zuid").to_number<std::int64_t>()))
        << "the ids Zoho gave the account";
    EXPECT_TRUE(contains((*s)->find_group("comercial@tarmexico.com")->members, address));
}

TEST_F(ZohoAdapterCalls, AFailedCallMakesTheNextSnapshotReload) {
    auto add = member_step(OpKind::add_group_member, "comercial@tarmexico.com", kJuan);
    // The group vanished behind our back: the call fails, and the cache is not the truth.
    ASSERT_TRUE(go(client_->delete_group(std::stoll(add.target.zgid))).has_value());
    const auto loads = cache_->stats().loads;
    auto r = go(mail_->apply(add, nullptr));
    EXPECT_FALSE(r.has_value());
    (void)go(mail_->snapshot(false));
    EXPECT_EQ(cache_->stats().loads, loads + 1);
}

// Issue 11: an add that skipped the read on the cache's word, where the member had been added
// behind the daemon's back, still ends as planned (the client settles MEMBER_ALREADY_EXISTS by
// reading the group), and the member is in the group once.
TEST_F(ZohoAdapterCalls, AnAddOnAStaleCacheEndsAsPlanned) {
    auto add = member_step(OpKind::add_group_member, "comercial@tarmexico.com", kJuan);
    zoho::GroupMember member;
    member.address = kJuan;
    std::vector<zoho::GroupMember> one{member};
    ASSERT_TRUE(go(client_->add_members(std::stoll(add.target.zgid), one)).has_value());
    const auto puts = routed("PUT /api/organization/{zoid}/groups");
    auto r = go(mail_->apply(add, nullptr));
    ASSERT_TRUE(r.has_value()) << r.error().describe();
    EXPECT_EQ(routed("PUT /api/organization/{zoid}/groups") - puts, 1)
        << "refused, not added twice";
    auto m = members(*sandbox_group("comercial@tarmexico.com"));
    EXPECT_EQ(std::count(m.begin(), m.end(), kJuan), 1);
}

TEST_F(ZohoAdapterCalls, AHireWithItsGroupsIsOneCall) {
    (void)fresh();
    const std::string address = "nora.vidal@tarmexico.com";
    auto create = step(OpKind::create_user, {{"email", address},
                                             {"first_name", std::string("Nora")},
                                             {"last_name", std::string("Vidal")}});
    std::vector<domain::Operation> riders{
        member_step(OpKind::add_group_member, "mantenimiento@tarmexico.com", address),
        member_step(OpKind::add_group_member, "todos@tarmexico.com", address)};
    for (const auto& r : riders)
        EXPECT_EQ(probe(r), ProbeState::not_done);
    const auto before = requests();
    Secret password("Initial-Pass-7-kR2!");
    auto result = apply_fused(create, riders, &password);
    EXPECT_EQ(requests() - before, 1u) << result;
    EXPECT_TRUE(contains(members(*sandbox_group("mantenimiento@tarmexico.com")), address));
    EXPECT_TRUE(contains(members(*sandbox_group("todos@tarmexico.com")), address));
    // Each folded step has its own probe, and it sees its membership.
    for (const auto& r : riders)
        EXPECT_EQ(probe(r), ProbeState::done);
    EXPECT_EQ(probe(create), ProbeState::done);
}

TEST_F(ZohoAdapterCalls, SeveralMembersOfOneGroupAreOnePut) {
    auto a = member_step(OpKind::add_group_member, "comercial@tarmexico.com", kJuan);
    auto b = member_step(OpKind::add_group_member, "comercial@tarmexico.com",
                         "luis.martinez@tarmexico.com");
    auto c = member_step(OpKind::add_group_member, "comercial@tarmexico.com",
                         "ana.lopez@tarmexico.com");  // already a member: left out
    const auto puts = routed("PUT /api/organization/{zoid}/groups");
    apply_fused(a, {b, c});
    EXPECT_EQ(routed("PUT /api/organization/{zoid}/groups") - puts, 1);
    auto m = members(*sandbox_group("comercial@tarmexico.com"));
    EXPECT_TRUE(contains(m, kJuan));
    EXPECT_TRUE(contains(m, "luis.martinez@tarmexico.com"));
    EXPECT_EQ(std::count(m.begin(), m.end(), "ana.lopez@tarmexico.com"), 1);
    auto r1 = member_step(OpKind::remove_group_member, "comercial@tarmexico.com", kJuan);
    auto r2 = member_step(OpKind::remove_group_member, "comercial@tarmexico.com",
                          "luis.martinez@tarmexico.com");
    apply_fused(r1, {r2});
    EXPECT_EQ(routed("PUT /api/organization/{zoid}/groups") - puts, 2);
    m = members(*sandbox_group("comercial@tarmexico.com"));
    EXPECT_FALSE(contains(m, kJuan));
    EXPECT_FALSE(contains(m, "luis.martinez@tarmexico.com"));
}

TEST_F(ZohoAdapterCalls, ADisableWithRemoveGroupsCarriesTheGroupRemovals) {
    auto disable = step(OpKind::disable_user,
                        {{"email", kJuan}, {"block_incoming", true}, {"remove_groups", true}});
    std::vector<domain::Operation> riders{
        member_step(OpKind::remove_group_member, kOperaciones, kJuan),
        member_step(OpKind::remove_group_member, "todos@tarmexico.com", kJuan)};
    const auto before = requests();
    apply_fused(disable, riders);
    EXPECT_EQ(requests() - before, 2u) << "the account read by id, then the disable";
    EXPECT_FALSE(contains(members(*sandbox_group(kOperaciones)), kJuan));
    EXPECT_FALSE(contains(members(*sandbox_group("todos@tarmexico.com")), kJuan));
    for (const auto& r : riders)
        EXPECT_EQ(probe(r), ProbeState::done);
}

TEST_F(ZohoAdapterCalls, ARiderTheCallCannotCarryIsRefusedBeforeAnyRequest) {
    auto disable = step(OpKind::disable_user, {{"email", kJuan}, {"block_incoming", true}});
    auto rider = member_step(OpKind::remove_group_member, kOperaciones, kJuan);
    const auto before = requests();
    auto r = go(mail_->apply_fused(disable, nullptr, {rider}));  // no remove_groups flag
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, core::ErrorKind::permanent);
    EXPECT_EQ(requests(), before);
}

}  // namespace
}  // namespace hrmaild::zoho
