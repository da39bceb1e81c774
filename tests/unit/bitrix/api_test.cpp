#include "daemon/bitrix/client.hpp"
#include "tests/unit/bitrix/fake_portal.hpp"

#include <gtest/gtest.h>

namespace hrmaild::bitrix::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

using BitrixApiTest = ClientFixture;

json::object task_json(std::int64_t id, std::int64_t chat_id = 0) {
    json::object t{{"id", std::to_string(id)},
                   {"title", "Tarea " + std::to_string(id)},
                   {"status", "2"},
                   {"groupId", "42"},
                   {"createdBy", "12"},
                   {"responsibleId", "1"},
                   {"tags", json::object{{"35", json::object{{"id", 35}, {"title", "alta"}}}}}};
    if (chat_id != 0)
        t["chatId"] = chat_id;
    return t;
}

TEST_F(BitrixApiTest, FastWalkOverMoreThanTwoPages) {
    // 120 tasks with ids 1..120: the walk asks >0, >50, >100 and stops on the short page.
    portal.handler = [](const net::HttpRequest& r) {
        auto body = FakePortal::body_of(r);
        auto after = body.at("filter").at(">ID").as_int64();
        json::array tasks;
        for (std::int64_t id = after + 1; id <= 120 && id <= after + 50; ++id)
            tasks.push_back(task_json(id));
        return FakePortal::ok(json::object{{"tasks", tasks}});
    };
    auto tasks = run(client->walk_tasks(json::object{{"GROUP_ID", 42}}));
    ASSERT_TRUE(tasks) << tasks.error().describe();
    ASSERT_EQ(tasks->size(), 120u);
    EXPECT_EQ(tasks->front().task.id, 1);
    EXPECT_EQ(tasks->back().task.id, 120);
    EXPECT_EQ(tasks->back().task.tags, (std::vector<std::string>{"alta"}));
    ASSERT_EQ(portal.requests.size(), 3u);
    auto first = FakePortal::body_of(portal.requests[0]);
    EXPECT_EQ(first.at("order"), (json::object{{"ID", "asc"}}));
    EXPECT_EQ(first.at("start"), -1);
    EXPECT_EQ(first.at("filter"), (json::object{{"GROUP_ID", 42}, {">ID", 0}}));
    EXPECT_EQ(FakePortal::body_of(portal.requests[1]).at("filter").at(">ID"), 50);
    EXPECT_EQ(FakePortal::body_of(portal.requests[2]).at("filter").at(">ID"), 100);
    auto select = first.at("select").as_array();
    EXPECT_NE(std::find(select.begin(), select.end(), json::value("TAGS")), select.end());
    EXPECT_NE(std::find(select.begin(), select.end(), json::value("CHAT_ID")), select.end());
}

TEST_F(BitrixApiTest, ExactlyFiftyTasksNeedOneMoreEmptyPage) {
    portal.handler = [](const net::HttpRequest& r) {
        auto after = FakePortal::body_of(r).at("filter").at(">ID").as_int64();
        json::array tasks;
        for (std::int64_t id = after + 1; id <= 50; ++id)
            tasks.push_back(task_json(id));
        return FakePortal::ok(json::object{
            {"tasks", tasks.empty() ? json::value(json::array{}) : json::value(tasks)}});
    };
    auto tasks = run(client->walk_tasks({}));
    ASSERT_TRUE(tasks);
    EXPECT_EQ(tasks->size(), 50u);
    EXPECT_EQ(portal.requests.size(), 2u);
}

TEST_F(BitrixApiTest, WalkEndsWhenThePortalIgnoresTheFilter) {
    portal.handler = [](const net::HttpRequest&) {
        json::array tasks;
        for (std::int64_t id = 50; id >= 1; --id)
            tasks.push_back(task_json(id));  // always the same
        return FakePortal::ok(json::object{{"tasks", tasks}});
    };
    auto tasks = run(client->walk_tasks({}));
    ASSERT_TRUE(tasks);
    EXPECT_EQ(tasks->size(), 50u);
    EXPECT_EQ(tasks->front().task.id, 1);  // sorted even when the page was not
    EXPECT_EQ(portal.requests.size(), 2u);
}

TEST_F(BitrixApiTest, ChangedSinceFilterUsesIsoDateWithOffset) {
    auto since = core::WallTime{std::chrono::seconds{1764324000}};  // 2025-11-28T10:00:00Z
    EXPECT_EQ(BitrixClient::iso_date(since), "2025-11-28T10:00:00+00:00");
    auto f = BitrixClient::changed_since_filter(42, since);
    EXPECT_EQ(json::serialize(f),
              R"({"GROUP_ID":42,">=CHANGED_DATE":"2025-11-28T10:00:00+00:00"})");
    portal.handler = [](const net::HttpRequest&) {
        return FakePortal::ok(json::object{{"tasks", json::array{task_json(3)}}});
    };
    auto tasks = run(client->tasks_changed_since(42, since));
    ASSERT_TRUE(tasks);
    EXPECT_EQ(tasks->size(), 1u);
    auto filter = FakePortal::body_of(portal.requests[0]).at("filter").as_object();
    EXPECT_EQ(filter.at(">=CHANGED_DATE"), "2025-11-28T10:00:00+00:00");
    EXPECT_EQ(filter.at(">ID"), 0);
}

TEST_F(BitrixApiTest, ListPageKeepsTotalAndNext) {
    portal.handler = [](const net::HttpRequest&) {
        auto r = FakePortal::json(
            200, json::object{{"result", json::object{{"tasks", json::array{task_json(1)}}}},
                              {"total", 137},
                              {"next", 50}});
        return net::Outcome<net::HttpResponse>(r);
    };
    TaskQuery q;
    q.filter = json::object{{"REAL_STATUS", 2}};
    q.select = {"ID", "TITLE", "UF_AUTO_1"};
    q.order = json::object{{"CHANGED_DATE", "desc"}};
    auto page = run(client->list_tasks(q));
    ASSERT_TRUE(page);
    EXPECT_EQ(page->total, 137);
    EXPECT_EQ(page->next, 50);
    EXPECT_EQ(
        portal.requests[0].body,
        R"({"order":{"CHANGED_DATE":"desc"},"filter":{"REAL_STATUS":2},"select":["ID","TITLE","UF_AUTO_1"]})");
}

TEST_F(BitrixApiTest, MissingTaskIsNotFound) {
    portal.handler = [](const net::HttpRequest&) { return FakePortal::ok(json::array{}); };
    auto t = run(client->get_task(999));
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->has_value());
    auto body = FakePortal::body_of(portal.requests[0]);
    EXPECT_EQ(body.at("taskId"), 999);
    EXPECT_EQ(FakePortal::method_of(portal.requests[0]), "tasks.task.get");
}

TEST_F(BitrixApiTest, GetTaskDecodesTheTask) {
    portal.handler = [](const net::HttpRequest&) {
        auto t = task_json(7, 501);
        t["ufAuto4998"] = "QRO";
        t["action"] = json::object{{"complete", true}};
        return FakePortal::ok(json::object{{"task", t}});
    };
    auto t = run(client->get_task(7));
    ASSERT_TRUE(t);
    ASSERT_TRUE(t->has_value());
    EXPECT_EQ((*t)->task.id, 7);
    EXPECT_EQ((*t)->chat_id, 501);
    EXPECT_EQ((*t)->task.uf.at("UF_AUTO_4998"), "QRO");
}

TEST_F(BitrixApiTest, UpdateAndStatusTransitions) {
    portal.handler = [](const net::HttpRequest& r) {
        auto t = task_json(FakePortal::body_of(r).at("taskId").as_int64());
        auto m = FakePortal::method_of(r);
        t["status"] = m == "tasks.task.start"      ? "3"
                      : m == "tasks.task.complete" ? "5"
                      : m == "tasks.task.defer"    ? "6"
                                                   : "2";
        return FakePortal::ok(json::object{{"task", t}});
    };
    json::object fields;
    fields["TAGS"] = json::array{"alta", "hecho"};
    fields["UF_AUTO_1"] = "x";
    auto u = run(client->update_task(5, fields));
    ASSERT_TRUE(u);
    EXPECT_EQ(portal.requests[0].body,
              R"({"taskId":5,"fields":{"TAGS":["alta","hecho"],"UF_AUTO_1":"x"}})");
    auto s = run(client->start_task(5));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->status(), TaskStatus::in_progress);
    auto c = run(client->complete_task(5));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->status(), TaskStatus::completed);
    auto d = run(client->defer_task(5));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->status(), TaskStatus::deferred);
    ASSERT_EQ(portal.requests.size(), 4u);
    EXPECT_EQ(FakePortal::method_of(portal.requests[3]), "tasks.task.defer");
    EXPECT_EQ(portal.requests[3].body, R"({"taskId":5})");
}

TEST_F(BitrixApiTest, ClassicCommentsReadOnlyNewOnes) {
    portal.handler = [](const net::HttpRequest&) {
        json::array items;
        for (int id : {11, 12})
            items.push_back(json::object{{"ID", std::to_string(id)},
                                         {"AUTHOR_ID", "7"},
                                         {"POST_DATE", "2026-11-28T04:02:15-06:00"},
                                         {"POST_MESSAGE", "/aprobar"}});
        return FakePortal::ok(items);
    };
    auto c = run(client->comments({42, 0, 10}));
    ASSERT_TRUE(c);
    ASSERT_EQ(c->size(), 2u);
    EXPECT_EQ((*c)[0].id, 11);
    EXPECT_EQ((*c)[0].author_id, 7);
    EXPECT_EQ(FakePortal::method_of(portal.requests[0]), "task.commentitem.getlist");
    EXPECT_EQ(portal.requests[0].body, R"({"TASKID":42,"ORDER":{"ID":"asc"},"FILTER":{">ID":10}})");
}

/// A chat of `n` messages with ids 1..n, served newest first like the portal does.
json::object chat_page(const json::object& params, int n) {
    std::int64_t last = params.contains("LAST_ID") ? params.at("LAST_ID").as_int64() : n + 1;
    auto limit = params.at("LIMIT").as_int64();
    json::array messages;
    for (std::int64_t id = last - 1; id >= 1 && static_cast<std::int64_t>(messages.size()) < limit;
         --id)
        messages.push_back(json::object{{"id", id},
                                        {"chat_id", 501},
                                        {"author_id", id % 3},
                                        {"date", "2026-11-28T04:02:15-06:00"},
                                        {"text", "m" + std::to_string(id)}});
    return json::object{{"chat_id", 501}, {"messages", messages}, {"users", json::array{}}};
}

TEST_F(BitrixApiTest, NewCardCommentsPageThroughTheChat) {
    portal.handler = [](const net::HttpRequest& r) {
        return FakePortal::ok(chat_page(FakePortal::body_of(r), 120));
    };
    auto c = run(client->comments({42, 501, 0}));
    ASSERT_TRUE(c) << c.error().describe();
    ASSERT_EQ(c->size(), 120u);
    EXPECT_EQ(c->front().id, 1);
    EXPECT_EQ(c->back().id, 120);
    EXPECT_EQ(c->back().text, "m120");
    ASSERT_EQ(portal.requests.size(), 3u);
    EXPECT_EQ(portal.requests[0].body, R"({"DIALOG_ID":"chat501","LIMIT":50})");
    EXPECT_EQ(portal.requests[1].body, R"({"DIALOG_ID":"chat501","LAST_ID":71,"LIMIT":50})");
    EXPECT_EQ(portal.requests[2].body, R"({"DIALOG_ID":"chat501","LAST_ID":21,"LIMIT":50})");

    // Only what is newer than the cursor, and no page beyond it.
    portal.requests.clear();
    auto newer = run(client->comments({42, 501, 100}));
    ASSERT_TRUE(newer);
    EXPECT_EQ(newer->size(), 20u);
    EXPECT_EQ(newer->front().id, 101);
    EXPECT_EQ(portal.requests.size(), 1u);
}

TEST_F(BitrixApiTest, ClassicReadRefusedFallsBackToTheChat) {
    portal.handler = [](const net::HttpRequest& r) {
        auto m = FakePortal::method_of(r);
        if (m == "task.commentitem.getlist")
            return FakePortal::error(400, "ERROR_CORE", "new task card");
        if (m == "tasks.task.get")
            return FakePortal::ok(json::object{{"task", task_json(42, 501)}});
        return FakePortal::ok(chat_page(FakePortal::body_of(r), 3));
    };
    auto c = run(client->comments({42, 0, 0}));
    ASSERT_TRUE(c) << c.error().describe();
    EXPECT_EQ(c->size(), 3u);
    EXPECT_EQ(portal.count("im.dialog.messages.get"), 1u);
}

TEST_F(BitrixApiTest, CommentsOfManyTasksCostOneBatchPerFifty) {
    // 120 waiting tasks, every third one a new-card task.
    portal.handler = [](const net::HttpRequest& r) {
        json::object result;
        for (const auto& kv : cmds(r)) {
            std::string cmd(kv.value().as_string());
            if (cmd.rfind("im.dialog.messages.get?", 0) == 0) {
                EXPECT_NE(cmd.find("DIALOG_ID=chat"), std::string::npos);
                EXPECT_NE(cmd.find("LIMIT=50"), std::string::npos);
                json::object p{{"LIMIT", 50}};
                result[kv.key()] = chat_page(p, 2);
            } else {
                EXPECT_EQ(cmd.rfind("task.commentitem.getlist?TASKID=", 0), 0u) << cmd;
                EXPECT_NE(cmd.find("&ORDER%5BID%5D=asc&FILTER%5B%3EID%5D=5"), std::string::npos)
                    << cmd;
                result[kv.key()] = json::array{
                    json::object{{"ID", "6"}, {"AUTHOR_ID", "8"}, {"POST_MESSAGE", "ok"}}};
            }
        }
        return FakePortal::ok(json::object{{"result", result}, {"result_error", json::array{}}});
    };
    std::vector<CommentCursor> cursors;
    for (int i = 0; i < 120; ++i)
        cursors.push_back({1000 + i, i % 3 == 0 ? 500 + i : 0, 5});
    auto all = run(client->comments_many(cursors));
    ASSERT_EQ(all.size(), 120u);
    EXPECT_EQ(portal.requests.size(), 3u);  // ceil(120 / 50)
    ASSERT_TRUE(all[0]);
    EXPECT_EQ(all[0]->size(), 0u);  // chat ids 1 and 2 are not newer than 5
    ASSERT_TRUE(all[1]);
    ASSERT_EQ(all[1]->size(), 1u);
    EXPECT_EQ((*all[1])[0].id, 6);
    EXPECT_EQ((*all[1])[0].author_id, 8);
}

TEST_F(BitrixApiTest, NotificationsArePrivate) {
    portal.handler = [](const net::HttpRequest& r) {
        if (FakePortal::method_of(r) == "im.notify.system.add")
            return FakePortal::ok(false);
        return FakePortal::ok(77);
    };
    auto id = run(client->notify_personal(12, "Contraseña temporal: [B]x[/B]"));
    ASSERT_TRUE(id);
    EXPECT_EQ(*id, 77);
    EXPECT_EQ(portal.requests[0].body,
              R"({"USER_ID":12,"MESSAGE":"Contraseña temporal: [B]x[/B]"})");
    EXPECT_EQ(FakePortal::method_of(portal.requests[0]), "im.notify.personal.add");
    auto refused = run(client->notify_system(12, "hola"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, core::ErrorKind::permanent);
    EXPECT_EQ(FakePortal::method_of(portal.requests[1]), "im.notify.system.add");
}

TEST_F(BitrixApiTest, UsersByIdThroughOneBatch) {
    portal.handler = [](const net::HttpRequest& r) {
        json::object result;
        for (const auto& kv : cmds(r)) {
            std::string cmd(kv.value().as_string());
            auto id = cmd.substr(cmd.find("ID=") + 3);
            if (id == "99")
                result[kv.key()] = json::array{};
            else
                result[kv.key()] = json::array{json::object{{"ID", id},
                                                            {"NAME", "U" + id},
                                                            {"ACTIVE", true},
                                                            {"UF_DEPARTMENT", json::array{2}}}};
        }
        return FakePortal::ok(json::object{{"result", result}, {"result_error", json::array{}}});
    };
    auto users = run(client->users({7, 8, 99}));
    ASSERT_TRUE(users);
    ASSERT_EQ(users->size(), 2u);
    EXPECT_EQ((*users)[1].id, 8);
    EXPECT_EQ((*users)[1].name, "U8");
    EXPECT_EQ(portal.requests.size(), 1u);
    EXPECT_EQ(FakePortal::method_of(portal.requests[0]), "batch");
}

TEST_F(BitrixApiTest, CurrentUserAndSingleUser) {
    portal.handler = [](const net::HttpRequest& r) {
        if (FakePortal::method_of(r) == "user.current")
            return FakePortal::ok(
                json::object{{"ID", "1"}, {"NAME", "Integración"}, {"LAST_NAME", "hrmaild"}});
        return FakePortal::ok(json::array{json::object{{"ID", "7"}, {"NAME", "Camilo"}}});
    };
    auto me = run(client->current_user());
    ASSERT_TRUE(me);
    EXPECT_EQ(me->full_name(), "Integración hrmaild");
    auto one = run(client->users({7}));
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ(portal.requests[1].body, R"({"ID":7})");
    EXPECT_EQ(FakePortal::method_of(portal.requests[1]), "user.get");
}

TEST_F(BitrixApiTest, DepartmentsPagedAndTreeWalk) {
    portal.handler = [](const net::HttpRequest& r) {
        auto body = FakePortal::body_of(r);
        std::int64_t start = body.contains("START") ? body.at("START").as_int64() : 0;
        // 60 departments: 1 is the root, 2 is IT, 10..12 under IT, 13 under 12, others under 1.
        json::array page;
        for (std::int64_t id = start + 1; id <= 60 && id <= start + 50; ++id) {
            std::string parent = id == 1                  ? ""
                                 : (id >= 10 && id <= 12) ? "2"
                                 : id == 13               ? "12"
                                                          : "1";
            json::object d{{"ID", std::to_string(id)}, {"NAME", "D" + std::to_string(id)}};
            d["PARENT"] = parent.empty() ? json::value(nullptr) : json::value(parent);
            page.push_back(d);
        }
        json::object o{{"result", page}, {"total", 60}};
        if (start == 0)
            o["next"] = 50;
        return net::Outcome<net::HttpResponse>(FakePortal::json(200, o));
    };
    auto deps = run(client->departments());
    ASSERT_TRUE(deps);
    ASSERT_EQ(deps->size(), 60u);
    EXPECT_EQ(portal.requests.size(), 2u);
    EXPECT_EQ(FakePortal::body_of(portal.requests[1]).at("START"), 50);
    DepartmentTree tree(*deps);
    auto it = tree.subtree(2);
    std::sort(it.begin(), it.end());
    EXPECT_EQ(it, (std::vector<std::int64_t>{2, 10, 11, 12, 13}));
    User u;
    u.departments = {5, 13};
    EXPECT_TRUE(tree.contains(u, 2));
    u.departments = {3};
    EXPECT_FALSE(tree.contains(u, 2));
    EXPECT_TRUE(tree.contains(3, 1));
}

TEST_F(BitrixApiTest, DepartmentMembersBatchOnePerDepartment) {
    portal.handler = [](const net::HttpRequest& r) {
        auto m = FakePortal::method_of(r);
        if (m == "department.get") {
            json::array d{json::object{{"ID", "1"}, {"NAME", "Root"}},
                          json::object{{"ID", "2"}, {"NAME", "TI"}, {"PARENT", "1"}},
                          json::object{{"ID", "9"}, {"NAME", "Soporte"}, {"PARENT", "2"}},
                          json::object{{"ID", "3"}, {"NAME", "RH"}, {"PARENT", "1"}}};
            return FakePortal::ok(d);
        }
        json::object result;
        for (const auto& kv : cmds(r)) {
            std::string cmd(kv.value().as_string());
            EXPECT_EQ(cmd.rfind("user.get?FILTER%5BUF_DEPARTMENT%5D=", 0), 0u) << cmd;
            std::string dep = cmd.substr(cmd.find('=') + 1);
            json::array users;
            if (dep == "2") {
                users.push_back(
                    json::object{{"ID", "8"}, {"ACTIVE", true}, {"UF_DEPARTMENT", json::array{2}}});
                users.push_back(json::object{
                    {"ID", "4"}, {"ACTIVE", false}, {"UF_DEPARTMENT", json::array{2}}});
            }
            if (dep == "9")
                users.push_back(json::object{
                    {"ID", "7"}, {"ACTIVE", "Y"}, {"UF_DEPARTMENT", json::array{9, 2}}});
            result[kv.key()] = users.empty() ? json::value(json::array{}) : json::value(users);
        }
        return FakePortal::ok(json::object{{"result", result}, {"result_error", json::array{}}});
    };
    auto members = run(client->department_members(2));
    ASSERT_TRUE(members) << members.error().describe();
    ASSERT_EQ(members->size(), 2u);  // the inactive one is left out
    EXPECT_EQ((*members)[0].id, 7);
    EXPECT_EQ((*members)[1].id, 8);
    ASSERT_EQ(portal.requests.size(), 2u);
    EXPECT_EQ(cmds(portal.requests[1]).size(), 2u);  // departments 2 and 9
}

TEST(BitrixDepartmentTree, CyclesEnd) {
    DepartmentTree tree({{1, "a", 2, 0}, {2, "b", 1, 0}});
    EXPECT_EQ(tree.subtree(1).size(), 2u);
}

}  // namespace
}  // namespace hrmaild::bitrix::test
