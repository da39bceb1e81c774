// The hostile corpus (tests/fixtures/hostile, issue 13 item 3) end to end: every task is seeded
// into the real hrmaild-sandbox, one real hrmaild run handles them all, the scripted comments,
// moves, creator changes and status changes of each case are played while it runs, and then:
//   - every ticket is in its expected state (or absent: the task was deliberately ignored);
//   - the daemon's comments on each task are exactly the expected kinds (by marker);
//   - the Zoho state changed by exactly the union of the expected effects, nothing else, and
//     the sandbox's request log shows exactly one mutating call per effect;
//   - no canary secret reached the logs, the state store or a comment.
// One daemon run over all cases keeps the CI cost small; the run time is printed.
#include "daemon/log/log.hpp"
#include "tests/e2e/e2e_fixture.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace hrmaild::test {
namespace {

struct Case {
    int id = 0;
    std::string name;
    std::string outcome;
    std::map<std::string, int> comments;  // marker kind -> count
    std::vector<std::string> effects;
    std::string status;  // Bitrix status expected at the end
    json::array script;
    std::size_t step = 0;
    std::vector<std::string> said;  // texts the script posted as the webhook user
    std::string text;               // the task as seeded, for the corpus's own checks
};

// The ticket state each outcome rests in; "" for a task that must never become a ticket.
std::string state_of(const std::string& outcome) {
    if (outcome == "refused")
        return "rejected";
    if (outcome == "ignored")
        return "";
    return outcome;
}

// The scalar fields of a Zoho user or group as text, for a field-by-field comparison.
std::map<std::string, std::string> flat(const json::object& o) {
    std::map<std::string, std::string> out;
    for (const auto& kv : o)
        out[std::string(kv.key())] = json::serialize(kv.value());
    return out;
}

std::string text_of(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

class Hostile : public EndToEnd {
  protected:
    // The test process has a 90 s watchdog; a run takes well under half of this.
    static constexpr std::chrono::seconds kLimit{55};

    void SetUp() override {
        EndToEnd::SetUp();
        log::Options o;
        o.level = log::Level::warn;
        log::setup(o);
        auto hostile = source_dir() / "tests/fixtures/hostile";
        auto portal = json::parse(read_file(hostile / "portal.json")).as_object();
        portal["webhook"].as_object()["secret"] = kCanaries[0];
        portal["outgoing_application_token"] = kCanaries[1];
        dir_.write("seed/portal.json", json::serialize(portal));
        auto org = json::parse(read_file(hostile / "org.json")).as_object();
        org["oauth"].as_object()["client_secret"] = kCanaries[2];
        org["oauth"].as_object()["refresh_token"] = kCanaries[3];
        dir_.write("seed/org.json", json::serialize(org));
        for (const auto& f : fs::directory_iterator(seed_ / "requests"))
            fs::remove(f.path());
        std::vector<fs::path> files;
        for (const auto& f : fs::directory_iterator(hostile / "requests"))
            files.push_back(f.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            auto t = json::parse(read_file(f)).as_object();
            Case c;
            c.id = static_cast<int>(cases_.size()) + 1;  // the sandbox numbers tasks in file order
            c.name = f.stem().string();
            const auto& e = t.at("expect").as_object();
            c.outcome = std::string(e.at("outcome").as_string());
            for (const auto& kv : e.at("comments").as_object())
                c.comments[std::string(kv.key())] = kv.value().to_number<int>();
            for (const auto& x : e.at("effects").as_array())
                c.effects.emplace_back(x.as_string());
            int status = c.outcome == "done" ? 5 : c.outcome == "refused" ? 6 : 2;
            if (const auto* s = e.if_contains("status"))
                status = s->to_number<int>();
            if (const auto* s = t.if_contains("STATUS"); s && !e.contains("status"))
                status = s->to_number<int>();
            c.status = std::to_string(status);
            if (const auto* s = t.if_contains("script"))
                c.script = s->as_array();
            t.erase("script");  // the test's, not the task's
            c.text = json::serialize(t);
            dir_.write((fs::path("seed/requests") / f.filename()).string(), json::serialize(t));
            cases_.push_back(std::move(c));
        }
        check_cases_independent();
    }

    // The cases share one organization and one daemon run, so one case's effect must not change
    // what another case plans while that one waits: a waiting termination's plan lists the
    // person's group removals, and a member added meanwhile by another case rebuilds it (a
    // second plan comment, rightly), so the count of plan comments would depend on which of
    // the two the daemon happened to handle first.
    void check_cases_independent() {
        static const std::set<std::string> waits{"awaiting_approval", "cancelled", "refused"};
        for (const auto& a : cases_)
            for (const auto& e : a.effects) {
                std::istringstream in(e);
                std::string op, group, member;
                in >> op >> group >> member;
                if (op != "add_member" && op != "remove_member")
                    continue;
                for (const auto& b : cases_)
                    if (b.id != a.id && waits.count(b.outcome) &&
                        b.text.find(member.substr(0, member.find('@'))) != std::string::npos)
                        ADD_FAILURE() << "case " << a.name << " changes the groups of " << member
                                      << ", whom case " << b.name << " (" << b.outcome
                                      << ") names: the two cases are not independent";
            }
    }

    void TearDown() override {
        if (HasFailure() || std::getenv("HRMAILD_E2E_SHOW_LOG") != nullptr) {
            auto log = read_file(dir_.path() / "daemon.log");
            std::cerr << "--- daemon.log (last 8000 characters) ---\n"
                      << (log.size() > 8000 ? log.substr(log.size() - 8000) : log) << "\n";
            // The whole log and the sandbox's final state, for a failure seen only under load.
            if (const char* keep = std::getenv("HRMAILD_E2E_KEEP_DIR")) {
                fs::create_directories(keep);
                fs::copy_file(dir_.path() / "daemon.log", fs::path(keep) / "daemon.log",
                              fs::copy_options::overwrite_existing);
                std::ofstream(fs::path(keep) / "sandbox-state.json") << json::serialize(state());
                std::cerr << "kept the daemon's log and the sandbox's state in " << keep << "\n";
            }
        }
    }

    // policy.requesters: HR (12, 13); everyone else's requests wait for approval.
    void restrict_requesters() {
        auto cfg = read_file(config_);
        auto at = cfg.find("policy:\n");
        ASSERT_NE(at, std::string::npos);
        cfg.insert(at + 8, "  requesters: [12, 13]\n");
        dir_.write("hrmaild.yaml", cfg);
    }

    // The daemon's comments on a task by marker kind; "<none>" for one without a marker.
    std::map<std::string, int> kinds(const json::object& st, const Case& c) {
        static const std::regex marker("hrmaild:([0-9]+):([a-z_]+):[^\\s]*\\s*$");
        std::map<std::string, int> out;
        const auto& t = task(st, c.id);
        const auto* list = t.if_contains("comments");
        if (!list)
            return out;
        for (const auto& x : list->as_array()) {
            const auto& o = x.as_object();
            if (text_of(o, "AUTHOR_ID") != "1")
                continue;
            auto text = text_of(o, "POST_MESSAGE");
            if (std::find(c.said.begin(), c.said.end(), text) != c.said.end())
                continue;  // the script's own comment as the webhook user
            std::smatch m;
            if (std::regex_search(text, m, marker) && m[1] == std::to_string(c.id))
                ++out[m[2]];
            else
                ++out["<none>"];
        }
        return out;
    }

    void bitrix_update(int id, const char* field, std::int64_t value) {
        json::object fields{{field, value}};
        json::object params{{"taskId", id}};
        params["fields"] = std::move(fields);
        json::object call{{"method", "tasks.task.update"}, {"user_id", 1}};
        call["params"] = std::move(params);
        auto r = control("POST", "bitrix/call", json::serialize(call));
        EXPECT_TRUE(r.as_object().contains("result")) << json::serialize(r);
    }

    // Plays the next steps of one case's script that can run now; true when it is finished.
    bool advance(Case& c, const json::object& st, const std::map<std::int64_t, std::string>& t) {
        while (c.step < c.script.size()) {
            const auto& s = c.script[c.step].as_object();
            if (const auto* w = s.if_contains("wait")) {
                int want = s.contains("count") ? s.at("count").to_number<int>() : 1;
                if (kinds(st, c)[std::string(w->as_string())] < want)
                    return false;
            } else if (const auto* text = s.if_contains("say")) {
                int as = s.at("as").to_number<int>();
                std::string msg(text->as_string());
                auto r = control("POST", "bitrix/tasks/" + std::to_string(c.id) + "/comments",
                                 json::serialize(json::object{{"author_id", as}, {"text", msg}}));
                EXPECT_TRUE(r.as_object().contains("id")) << c.name << ": " << json::serialize(r);
                if (as == 1)
                    c.said.push_back(msg);
            } else if (const auto* g = s.if_contains("move_to")) {
                bitrix_update(c.id, "GROUP_ID", g->to_number<std::int64_t>());
            } else if (const auto* u = s.if_contains("creator")) {
                bitrix_update(c.id, "CREATED_BY", u->to_number<std::int64_t>());
            } else if (const auto* n = s.if_contains("status")) {
                auto r = control("POST", "bitrix/tasks/" + std::to_string(c.id) + "/status",
                                 json::serialize(json::object{{"status", n->to_number<int>()},
                                                              {"user_id", 12}}));
                EXPECT_TRUE(r.as_object().contains("task")) << c.name << ": " << json::serialize(r);
            } else {
                ADD_FAILURE() << c.name << ": unknown script step " << json::serialize(s);
            }
            ++c.step;
        }
        (void)t;
        return true;
    }

    // Whether a case reached what it expects (state and at least the expected comments).
    bool reached(const Case& c, const json::object& st, std::map<std::int64_t, std::string>& t) {
        if (c.step < c.script.size())
            return false;
        auto want = state_of(c.outcome);
        if (!want.empty() && t[c.id] != want)
            return false;
        auto k = kinds(st, c);
        for (const auto& [kind, n] : c.comments)
            if (k[kind] < n)
                return false;
        return true;
    }

    // The Zoho state as effects, against `before`: what the corpus expects to read in them.
    static std::multiset<std::string> effects(const json::object& before,
                                              const json::object& after) {
        std::multiset<std::string> out;
        auto by_id = [](const json::object& st, const char* list, const char* id) {
            std::map<std::string, json::object> m;
            for (const auto& x : st.at("zoho").at(list).as_array())
                m[json::serialize(x.at(id))] = x.as_object();
            return m;
        };
        auto ub = by_id(before, "users", "zuid");
        auto ua = by_id(after, "users", "zuid");
        for (const auto& [id, u] : ua) {
            auto address = text_of(u, "primaryEmailAddress");
            auto it = ub.find(id);
            if (it == ub.end()) {
                out.insert("create_user " + address + " first=" + text_of(u, "firstName") +
                           " last=" + text_of(u, "lastName") +
                           " display=" + text_of(u, "displayName"));
                continue;
            }
            auto was = flat(it->second);
            auto now = flat(u);
            std::set<std::string> changed;
            for (const auto& [k, v] : now)
                if (was[k] != v)
                    changed.insert(k);
            for (const auto& [k, v] : was)
                if (!now.count(k))
                    changed.insert(k);
            auto take = [&](std::initializer_list<const char*> keys) {
                for (const auto* k : keys)
                    changed.erase(k);
            };
            if (changed.count("lastPasswordReset")) {
                out.insert("reset_password " + address);
                take({"lastPasswordReset", "passwordSet", "oneTimePassword"});
            }
            if (changed.count("status") && now["status"] == "false") {
                out.insert("disable_user " + address);
                take({"status", "iamStatus", "webBlocked", "incomingBlocked"});
            }
            if (changed.count("displayName")) {
                out.insert("display_name " + address + " = " + text_of(u, "displayName"));
                take({"displayName", "accountDisplayName", "sendMailDetails"});
            }
            for (const auto& k : changed)
                out.insert("user_changed " + address + " " + k);
        }
        for (const auto& [id, u] : ub)
            if (!ua.count(id))
                out.insert("delete_user " + text_of(u, "primaryEmailAddress"));
        auto gb = by_id(before, "groups", "zgid");
        auto ga = by_id(after, "groups", "zgid");
        auto members = [](const json::object& g) {
            std::set<std::string> m;
            for (const auto& x : g.at("mailGroupMemberList").as_array())
                m.insert(std::string(x.at("memberEmailId").as_string()));
            return m;
        };
        for (const auto& [id, g] : ga) {
            auto address = text_of(g, "emailId");
            auto it = gb.find(id);
            std::set<std::string> was;
            if (it == gb.end())
                out.insert("create_group " + address);
            else
                was = members(it->second);
            auto now = members(g);
            for (const auto& m : now)
                if (!was.count(m))
                    out.insert("add_member " + address + " " + m);
            for (const auto& m : was)
                if (!now.count(m))
                    out.insert("remove_member " + address + " " + m);
            if (it != gb.end() && text_of(it->second, "name") != text_of(g, "name"))
                out.insert("group_changed " + address + " name");
        }
        for (const auto& [id, g] : gb)
            if (!ga.count(id))
                out.insert("delete_group " + text_of(g, "emailId"));
        return out;
    }

    // Mutating Zoho calls by method and resource ("PUT accounts"), from the request log.
    static std::map<std::string, int> mutations(const json::object& st) {
        std::map<std::string, int> out;
        for (const auto& kv : st.at("requests").at("by_route").as_object()) {
            std::string key(kv.key());
            auto space = key.find(' ');
            auto method = key.substr(0, space);
            auto path = key.substr(space + 1);
            if (method == "GET" || !path.starts_with("/api/"))
                continue;
            auto resource = path.find("/groups") != std::string::npos     ? "groups"
                            : path.find("/accounts") != std::string::npos ? "accounts"
                                                                          : path;
            out[method + " " + resource] += kv.value().to_number<int>();
        }
        return out;
    }
    // The calls each expected effect is made with (one call each, no retries: no faults here).
    // The mutating Zoho calls one case's effects take (issue 11): a new account's memberships
    // ride on its create (groupMailList) and a disabled account's removals on its disable;
    // the other member changes of one group in one ticket are one PUT.
    static void add_calls_for(const std::vector<std::string>& effects,
                              std::map<std::string, int>& out) {
        // The n-th word of an effect ("add_member <group> <address>"); "" past the end.
        auto word = [](const std::string& e, std::size_t n) {
            std::istringstream in(e);
            std::vector<std::string> words{std::istream_iterator<std::string>(in), {}};
            return n < words.size() ? words[n] : std::string();
        };
        std::set<std::string> created, disabled, groups_put;
        for (const auto& e : effects) {
            auto op = word(e, 0);
            if (op == "create_user")
                created.insert(word(e, 1));
            else if (op == "disable_user")
                disabled.insert(word(e, 1));
        }
        for (const auto& e : effects) {
            auto op = word(e, 0);
            if (op == "create_user")
                ++out["POST accounts"];
            else if (op == "reset_password" || op == "disable_user" || op == "display_name")
                ++out["PUT accounts"];
            else if (op == "add_member" && created.count(word(e, 2)))
                continue;  // on the create
            else if (op == "remove_member" && disabled.count(word(e, 2)))
                continue;  // on the disable
            else if (op == "add_member" || op == "remove_member") {
                if (groups_put.insert(word(e, 1)).second)
                    ++out["PUT groups"];
            } else if (op == "create_group")
                ++out["POST groups"];
            else if (op == "delete_group")
                ++out["DELETE groups"];
            else if (op == "delete_user")
                ++out["DELETE accounts"];
        }
    }

    int polls_done() {
        auto log = read_file(dir_.path() / "daemon.log");
        int n = 0;
        for (auto at = log.find("POLL_DONE"); at != std::string::npos;
             at = log.find("POLL_DONE", at + 1))
            ++n;
        return n;
    }

    std::vector<Case> cases_;
};

TEST_F(Hostile, EveryTaskIsAnsweredOrIgnoredAndZohoChangesExactlyAsExpected) {
    ASSERT_GE(cases_.size(), 60u);
    const auto started = std::chrono::steady_clock::now();
    start_sandbox(seed_);
    restrict_requesters();
    const auto before = state();
    start_daemon();

    // Scripts and expectations, round-robin: each case waits only for itself.
    auto deadline = std::chrono::steady_clock::now() + kLimit;
    bool all = false;
    while (!all && std::chrono::steady_clock::now() < deadline) {
        auto st = state();
        auto t = tickets();
        all = true;
        for (auto& c : cases_)
            if (!advance(c, st, t) || !reached(c, st, t))
                all = false;
        if (!all)
            std::this_thread::sleep_for(250ms);
    }
    EXPECT_TRUE(all) << "some cases did not reach their expected outcome in time (listed below)";
    // A few more passes, so that anything the daemon would still do (a late answer, a second
    // effect) happens before the comparison.
    const int polls = polls_done();
    auto settle = std::chrono::steady_clock::now() + 8s;
    while (polls_done() < polls + 3 && std::chrono::steady_clock::now() < settle)
        std::this_thread::sleep_for(100ms);
    EXPECT_EQ(stop_daemon(), 0);
    const auto run_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    auto st = state();
    auto t = tickets();
    std::map<std::string, int> outcomes;
    std::multiset<std::string> expected;
    for (const auto& c : cases_) {
        ++outcomes[c.outcome];
        expected.insert(c.effects.begin(), c.effects.end());
        SCOPED_TRACE("case " + c.name + " (task " + std::to_string(c.id) + ")");
        auto want = state_of(c.outcome);
        if (want.empty())
            EXPECT_EQ(t.count(c.id), 0u) << "taken in as '" << t[c.id] << "', expected ignored";
        else
            EXPECT_EQ(t[c.id], want);
        EXPECT_EQ(kinds(st, c), c.comments) << "the daemon's comments, by marker kind";
        EXPECT_EQ(status(st, c.id), c.status) << "the task's Bitrix status";
        EXPECT_EQ(c.step, c.script.size()) << "the script stopped at step " << c.step;
    }
    auto actual = effects(before, st);
    std::vector<std::string> unexpected, missing;
    std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                        std::back_inserter(unexpected));
    std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                        std::back_inserter(missing));
    for (const auto& e : unexpected)
        ADD_FAILURE() << "unintended Zoho change: " << e;
    for (const auto& e : missing)
        ADD_FAILURE() << "expected Zoho change missing: " << e;
    std::map<std::string, int> want_calls;
    for (const auto& c : cases_)
        add_calls_for(c.effects, want_calls);
    auto before_calls = mutations(before);
    auto after_calls = mutations(st);
    for (auto& [k, n] : after_calls)
        n -= before_calls[k];
    std::erase_if(after_calls, [](const auto& kv) { return kv.second == 0; });
    EXPECT_EQ(after_calls, want_calls) << "mutating Zoho calls by method and resource";

    // Canary secrets: never in the daemon's log, the state store or a comment.
    std::string everything = read_file(dir_.path() / "daemon.log");
    for (const auto& f : fs::directory_iterator(dir_.path() / "state"))
        everything += read_file(f.path());
    for (const auto& task : st.at("bitrix").at("tasks").as_array())
        for (const auto& c : task.at("comments").as_array())
            everything += text_of(c.as_object(), "POST_MESSAGE");
    for (const auto& canary : kCanaries)
        EXPECT_EQ(everything.find(canary), std::string::npos) << "canary " << canary << " leaked";

    std::cout << "hostile: " << cases_.size() << " cases";
    for (const auto& [o, n] : outcomes)
        std::cout << ", " << n << " " << o;
    std::cout << "; " << expected.size() << " expected Zoho effects, " << unexpected.size()
              << " unintended, " << missing.size() << " missing; run " << run_seconds << " s\n";
}

}  // namespace
}  // namespace hrmaild::test
