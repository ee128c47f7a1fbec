// End-to-end resilience of system `course` (seed 004): services SIGKILLed in the middle of a load
// of registrations, applications and confirmations, a rolling restart of every service under load
// with no failed request, and the course-management URL taken from the environment (the seed's
// ConfigMap value).
//
// Each load registers its courses under its own course number; every course gets a professor of
// its own, who applies and is confirmed. Once the consumers caught up, ExpectConsistent checks that
// nothing was lost or doubled: one application entry and one my-page row per course, one
// evaluation per application, each course's professor the one its evaluation confirmed, two SMS
// per professor (applied, confirmed), and every answer the clients got matching what is stored.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kProfessorBase = 500'000;  // a course's professor: kProfessorBase + its id

std::string Str(const bj::object& o, std::string_view key) {
    const bj::value* v = o.if_contains(key);
    return v && !v->is_null() ? AsString(*v) : "";
}
int64_t Int(const bj::object& o, std::string_view key) {
    const bj::value* v = o.if_contains(key);
    return v && !v->is_null() ? AsInt(*v) : -1;
}

std::string CourseBody(int64_t course_no) {
    return bj::serialize(bj::object{{"courseNo", std::to_string(course_no)},
                                    {"title", "국어"},
                                    {"courseInfo", "국어과목"},
                                    {"dueDate", "2021-07-01"}});
}
std::string ApplyBody(int64_t professor) {
    return bj::serialize(bj::object{{"professorNo", std::to_string(professor)},
                                    {"professorNm", "P" + std::to_string(professor)},
                                    {"phoneNumber", "000-0000-0001"},
                                    {"age", "40"},
                                    {"career", "15"},
                                    {"professorSpec", "TEST"}});
}
const std::string kConfirm = R"({"successFlag":"true","score":"85"})";

// One course a load drives from registration to confirmation.
struct Tracked {
    int64_t course = -1;
    int64_t applyment = -1;
    int64_t evaluation = -1;
    bool applied = false;
    bool confirmed = false;
    int64_t professor() const { return kProfessorBase + course; }
};

// What the clients of a load were answered. Touched only by the load's own thread until it stops.
struct LoadRecord {
    std::map<int, int> post, patch, get;  // answers by status
    std::vector<std::string> failures;    // answers this test does not allow
    std::map<int, std::vector<Tracked>> workers;
    int64_t requests = 0;

    std::string Summary() const {
        std::ostringstream out;
        out << requests << " requests; POST";
        for (auto [s, n] : post) out << " " << s << "x" << n;
        out << "; PATCH";
        for (auto [s, n] : patch) out << " " << s << "x" << n;
        out << "; GET";
        for (auto [s, n] : get) out << " " << s << "x" << n;
        return out.str();
    }
};

struct Allowed {
    std::set<int> post, patch, get;
};
// Under a crash, 503 (dependency down, circuit open) and 504 (lost in flight) are honest; under a
// rolling restart nothing but success.
const Allowed kUnderCrash{{201, 503, 504}, {200, 503, 504}, {200, 503, 504}};
const Allowed kUnderRestart{{201}, {200}, {200}};

class CourseResilienceE2E : public SystemTest {
  protected:
    static void SetUpTestSuite() { StartSystem({.system = "course"}); }

    bool AllSettled() {
        for (std::string_view producer : {"course-management", "professor-applyment", "professor-evaluation"}) {
            if (ServiceMetric(producer, "reservo_outbox_backlog") != 0) return false;
        }
        for (std::string_view consumer : {"professor-applyment", "professor-evaluation", "notification", "my-page"}) {
            if (!ConsumerCaughtUp(consumer)) return false;
        }
        return true;
    }

    // Each worker keeps at most two courses in progress and, per step, moves the oldest one step on
    // (entry found → applied → evaluation found → confirmed) and registers a new one.
    static LoadLoop::Step Steps(LoadRecord& record, const Allowed& allowed, int64_t course_no, int port) {
        return [&record, allowed, course_no, port](Http& http, int worker) -> Awaitable<void> {
            auto note = [&](std::map<int, int>& by_status, const std::set<int>& ok, const char* what, const Reply& r) {
                ++record.requests;
                ++by_status[r.status];
                if (!ok.contains(r.status)) record.failures.push_back(std::string(what) + ": " + r.Describe());
            };
            auto& mine = record.workers[worker];
            Tracked* next = nullptr;
            int in_progress = 0;
            for (Tracked& t : mine) {
                if (t.confirmed) continue;
                ++in_progress;
                if (!next) next = &t;
            }
            if (next) {
                Tracked& t = *next;
                if (t.applyment < 0) {
                    Reply r = co_await http.Send(
                        port, "GET", "/professorApplyments/search/findByCourseId?courseId=" + std::to_string(t.course));
                    note(record.get, allowed.get, "GET entry", r);
                    bj::value v = r.Json();
                    if (r.status == 200 && v.is_object() && v.as_object().contains("_embedded")) {
                        auto& rows = v.as_object()["_embedded"].as_object()["professorApplyments"].as_array();
                        if (rows.size() == 1) t.applyment = AsInt(rows[0].as_object().at("id"));
                    }
                } else if (!t.applied) {
                    Reply r = co_await http.Send(port, "PATCH", "/professorApplyments/" + std::to_string(t.applyment),
                                                 ApplyBody(t.professor()));
                    note(record.patch, allowed.patch, "PATCH apply", r);
                    t.applied = r.status == 200;
                } else if (t.evaluation < 0) {
                    Reply r = co_await http.Send(
                        port, "GET",
                        "/professorEvaluations/search/findByApplymentId?applymentId=" + std::to_string(t.applyment));
                    note(record.get, allowed.get, "GET evaluation", r);
                    bj::value v = r.Json();
                    if (r.status == 200 && v.is_object() && v.as_object().contains("_embedded")) {
                        auto& rows = v.as_object()["_embedded"].as_object()["professorEvaluations"].as_array();
                        if (rows.size() == 1) t.evaluation = AsInt(rows[0].as_object().at("id"));
                    }
                } else {
                    Reply r = co_await http.Send(port, "PATCH", "/professorEvaluations/" + std::to_string(t.evaluation),
                                                 kConfirm);
                    note(record.patch, allowed.patch, "PATCH confirm", r);
                    t.confirmed = r.status == 200;
                }
            }
            if (in_progress < 2) {
                Reply r = co_await http.Send(port, "POST", "/courseManagements", CourseBody(course_no));
                note(record.post, allowed.post, "POST course", r);
                if (r.status == 201) mine.push_back(Tracked{.course = AsInt(r.Json().as_object().at("id"))});
            }
        };
    }

    // Drives every course of the load to its confirmation (retrying what failed under the load).
    void Finish(LoadRecord& record) {
        for (auto& [worker, courses] : record.workers) {
            for (Tracked& t : courses) {
                Reply last;
                if (t.applyment < 0) {
                    EXPECT_TRUE(Eventually([&] {
                        auto rows =
                            ListAll("/professorApplyments/search/findByCourseId?courseId=" + std::to_string(t.course),
                                    "professorApplyments");
                        if (rows.size() == 1) t.applyment = Int(rows[0], "id");
                        return t.applyment > 0;
                    })) << "course "
                        << t.course;
                }
                if (!t.applied) {
                    EXPECT_TRUE(Eventually([&] {
                        last = Call("PATCH", "/professorApplyments/" + std::to_string(t.applyment),
                                    ApplyBody(t.professor()));
                        return last.status == 200;
                    })) << last.Describe();
                    t.applied = true;
                }
                if (t.evaluation < 0) {
                    EXPECT_TRUE(Eventually([&] {
                        auto rows = ListAll(
                            "/professorEvaluations/search/findByApplymentId?applymentId=" + std::to_string(t.applyment),
                            "professorEvaluations");
                        if (rows.size() == 1) t.evaluation = Int(rows[0], "id");
                        return t.evaluation > 0;
                    })) << "application "
                        << t.applyment;
                }
                if (!t.confirmed) {
                    EXPECT_TRUE(Eventually(
                        [&] {
                            last = Call("PATCH", "/professorEvaluations/" + std::to_string(t.evaluation), kConfirm);
                            return last.status == 200;
                        },
                        15s, 250ms))
                        << last.Describe();
                    t.confirmed = true;
                }
            }
        }
    }

    // Nothing lost, nothing doubled, and what the clients were told is what is stored.
    void ExpectConsistent(const LoadRecord& record, int64_t course_no) {
        ASSERT_TRUE(Eventually([&] { return AllSettled(); }, 20s)) << "the consumers did not catch up";
        const std::string no = std::to_string(course_no);
        auto courses = ListAll("/courseManagements/search/findByCourseNo?courseNo=" + no, "courseManagements");
        auto entries = ListAll("/professorApplyments/search/findByCourseNo?courseNo=" + no, "professorApplyments");
        auto evaluations =
            ListAll("/professorEvaluations/search/findByCourseNo?courseNo=" + no, "professorEvaluations");
        auto rows = ListAll("/applyStatusInquiries/search/findByCourseNo?courseNo=" + no, "applyStatusInquiries");
        std::map<int64_t, std::vector<bj::object>> entries_of, evaluations_of, rows_of;
        for (auto& e : entries) entries_of[Int(e, "courseId")].push_back(e);
        for (auto& e : evaluations) evaluations_of[Int(e, "courseId")].push_back(e);
        for (auto& r : rows) rows_of[Int(r, "courseId")].push_back(r);

        std::map<int64_t, const Tracked*> tracked;
        for (const auto& [worker, list] : record.workers) {
            for (const Tracked& t : list) tracked[t.course] = &t;
        }
        EXPECT_GE(courses.size(), tracked.size());
        int untracked = 0;
        for (auto& c : courses) {
            int64_t id = Int(c, "id");
            ASSERT_EQ(entries_of[id].size(), 1u) << "application entries of course " << id;
            ASSERT_EQ(rows_of[id].size(), 1u) << "my-page rows of course " << id;
            auto it = tracked.find(id);
            if (it == tracked.end()) {  // registered, but the client was not told (504)
                ++untracked;
                EXPECT_EQ(Str(entries_of[id][0], "applyStatus"), "Open");
                EXPECT_TRUE(evaluations_of[id].empty());
                continue;
            }
            const Tracked& t = *it->second;
            EXPECT_EQ(Int(c, "professorNo"), t.professor()) << "course " << id;
            EXPECT_EQ(Int(c, "evaluationId"), t.evaluation) << "course " << id;
            EXPECT_EQ(Str(entries_of[id][0], "applyStatus"), "Confirmed") << "course " << id;
            ASSERT_EQ(evaluations_of[id].size(), 1u) << "evaluations of course " << id;
            EXPECT_EQ(Str(evaluations_of[id][0], "evaluationStatus"), "Confirmed");
            EXPECT_EQ(Str(rows_of[id][0], "confirmStatus"), "Confirmed") << "course " << id;
            EXPECT_EQ(Int(rows_of[id][0], "professorNo"), t.professor());
            auto sms = ListAll("/smsHistories/search/findByProfessorNo?professorNo=" + std::to_string(t.professor()),
                               "smsHistories");
            ASSERT_EQ(sms.size(), 2u) << "SMS of professor " << t.professor();
            EXPECT_EQ(Str(sms[0], "eventType"), "ProfessorApplied");
            EXPECT_EQ(Str(sms[1], "eventType"), "ProfessorConfirmed");
        }
        EXPECT_EQ(courses.size(), tracked.size() + untracked);
        EXPECT_GT(tracked.size(), 5u) << record.Summary();
    }

    void RunLoad(const Allowed& allowed, int64_t course_no, const std::function<void(LoadLoop&)>& meanwhile) {
        LoadRecord record;
        {
            LoadLoop load(4, Steps(record, allowed, course_no, gateway()), 20ms);
            ASSERT_TRUE(Eventually([&] { return load.iterations() > 20; }, 10s));
            meanwhile(load);
            int64_t after = load.iterations();
            EXPECT_TRUE(Eventually([&] { return load.iterations() > after + 20; }, 15s));
            load.Stop();
        }
        std::cout << "load: " << record.Summary() << "\n";
        for (const auto& f : record.failures) ADD_FAILURE() << f;
        Finish(record);
        ExpectConsistent(record, course_no);
    }
};

// SIGKILL every service in turn under load (the load going on between the kills): each comes
// back, and no registration, application, evaluation, confirmation or SMS is lost or doubled.
TEST_F(CourseResilienceE2E, ServicesKilledMidLoadLoseNothingAndDoubleNothing) {
    RunLoad(kUnderCrash, 7001, [&](LoadLoop& load) {
        for (const std::string& service : system().services()) {
            // Slowed down first, so the kill finds requests in flight.
            Reply slow = CallService(service, "POST", "/actuator/faults", R"({"latencyMs":[100,200],"errorRate":0})");
            EXPECT_EQ(slow.status, 200) << slow.Describe();
            int64_t slowed = load.iterations();
            EXPECT_TRUE(Eventually([&] { return load.iterations() > slowed + 4; }, 15s));
            auto old = system().KillService(service, SIGKILL);
            EXPECT_FALSE(old.empty()) << service;
            EXPECT_TRUE(system().WaitReplaced(service, old, 20s)) << service << " did not come back";
            int64_t before = load.iterations();
            EXPECT_TRUE(Eventually([&] { return load.iterations() > before + 30; }, 15s))
                << "no load after " << service;
        }
    });
}

// A rolling restart of every service under load: not one request fails.
TEST_F(CourseResilienceE2E, RollingRestartUnderLoadFailsNoRequest) {
    RunLoad(kUnderRestart, 7002, [&](LoadLoop&) {
        for (const std::string& service : system().services()) RestartService(service);
    });
}

// Two replicas of each consumer (professor-applyment, professor-evaluation, notification, my-page)
// split the partitions between them under load; scaled back to one, nothing was applied twice.
TEST_F(CourseResilienceE2E, ConsumerReplicasSplitTheEventsWithoutDuplicates) {
    const std::vector<std::string> scaled = {"professor-applyment", "professor-evaluation", "notification", "my-page"};
    for (const auto& service : scaled) {
        ScaleService(service, 2);
        ASSERT_EQ(system().Pids(service).size(), 2u) << service;
    }
    // Each new connection to the shared port goes to either replica: both seen, each owning some
    // partitions, together all.
    auto split = [&](const std::string& service) {
        std::map<int64_t, double> owned;  // by pid
        const std::string series = "reservo_consumer_owned_partitions{group=\"" + service + "\"}";
        for (int i = 0; i < 40 && owned.size() < 2; ++i) {
            http::Client client(http_.io(), "http://127.0.0.1:" + std::to_string(PortOf(service)));
            Reply info = http_.Call(client, "GET", "/actuator/info");
            Reply metrics = http_.Call(client, "GET", "/actuator/prometheus");
            if (info.status != 200 || metrics.status != 200) continue;
            owned[AsInt(info.Json().as_object()["pid"])] = Metric(metrics.body, series).value_or(-1);
        }
        double total = 0;
        for (auto [pid, n] : owned) {
            if (n <= 0) return false;
            total += n;
        }
        return owned.size() == 2 && total == system().partitions();
    };
    for (const auto& service : scaled) EXPECT_TRUE(Eventually([&] { return split(service); }, 15s, 200ms)) << service;
    RunLoad(kUnderRestart, 7003, [&](LoadLoop& load) {
        int64_t before = load.iterations();
        EXPECT_TRUE(Eventually([&] { return load.iterations() > before + 100; }, 20s));
        for (const auto& service : scaled) ScaleService(service, 1);
    });
}

// my-page is a view: its store lost, it rebuilds every row from the event log.
TEST_F(CourseResilienceE2E, ALostMyPageIsRebuiltFromTheEventLog) {
    RunLoad(kUnderRestart, 7004, [&](LoadLoop& load) {
        int64_t before = load.iterations();
        EXPECT_TRUE(Eventually([&] { return load.iterations() > before + 40; }, 20s));
    });
    // courseId → what a professor sees of it
    auto snapshot = [&] {
        std::map<int64_t, std::string> out;
        auto rows = TryListAll(gateway(), "/applyStatusInquiries", "applyStatusInquiries");
        if (!rows) return out;
        for (auto& r : *rows) {
            out[Int(r, "courseId")] = std::to_string(Int(r, "professorNo")) + " " + Str(r, "courseStatus") + " " +
                                      Str(r, "applyStatus") + " " + Str(r, "confirmStatus") + " " +
                                      std::to_string(Int(r, "evaluationId"));
        }
        return out;
    };
    auto before = snapshot();
    ASSERT_GT(before.size(), 5u);

    std::vector<pid_t> pids = system().Pids("my-page");
    ASSERT_EQ(pids.size(), 1u);
    std::filesystem::resize_file(system().data_dir() + "/course/my-page.db", 0);
    ASSERT_EQ(kill(pids[0], SIGKILL), 0);
    EXPECT_TRUE(system().WaitReplaced("my-page", pids, 20s));
    std::map<int64_t, std::string> after;
    EXPECT_TRUE(Eventually([&] { return (after = snapshot()) == before; }, 20s))
        << before.size() << " rows before, " << after.size() << " after";
}

// The course-management URL is configuration: pointed by the environment at a port where nothing
// listens, confirmations fail (503) although course-management runs, and nothing changes.
class CourseConfiguredUrlE2E : public SystemTest {
  protected:
    static void SetUpTestSuite() {
        int nowhere = ReservePorts(1);
        ASSERT_GT(nowhere, 0);
        StartSystem({.system = "course",
                     .env = {{"RESERVO_SERVICES_PROFESSOR_EVALUATION_DEPENDENCIES_COURSE_MANAGEMENT_URL",
                              "http://127.0.0.1:" + std::to_string(nowhere)}}});
    }
};

TEST_F(CourseConfiguredUrlE2E, ProfessorEvaluationCallsTheConfiguredUrl) {
    Reply course = Call("POST", "/courseManagements", CourseBody(1));
    ASSERT_EQ(course.status, 201) << course.Describe();
    int64_t course_id = AsInt(course.Json().as_object().at("id"));
    int64_t applyment = -1;
    ASSERT_TRUE(Eventually([&] {
        auto rows = ListAll("/professorApplyments/search/findByCourseId?courseId=" + std::to_string(course_id),
                            "professorApplyments");
        if (rows.size() == 1) applyment = Int(rows[0], "id");
        return applyment > 0;
    }));
    ASSERT_EQ(Call("PATCH", "/professorApplyments/" + std::to_string(applyment), ApplyBody(201)).status, 200);
    int64_t evaluation = -1;
    ASSERT_TRUE(Eventually([&] {
        auto rows = ListAll("/professorEvaluations/search/findByApplymentId?applymentId=" + std::to_string(applyment),
                            "professorEvaluations");
        if (rows.size() == 1) evaluation = Int(rows[0], "id");
        return evaluation > 0;
    }));
    Reply r = Call("PATCH", "/professorEvaluations/" + std::to_string(evaluation), kConfirm);
    EXPECT_EQ(r.status, 503) << r.Describe();
    EXPECT_FALSE(r.Header("Retry-After").empty());
    Reply e = Call("GET", "/professorEvaluations/" + std::to_string(evaluation));
    EXPECT_EQ(Str(e.Json().as_object(), "evaluationStatus"), "Evaluating");
    Reply c = Call("GET", "/courseManagements/" + std::to_string(course_id));
    ASSERT_EQ(c.status, 200) << c.Describe();  // course-management itself runs
    EXPECT_TRUE(c.Json().as_object()["professorNo"].is_null());
}

}  // namespace
}  // namespace reservo::e2e
