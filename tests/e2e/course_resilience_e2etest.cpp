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
#include <string>
#include <vector>

#include "tests/e2e/load_tally.hpp"
#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kProfessorBase = 500'000;  // a course's professor: kProfessorBase + its id

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

// What the clients of a load were answered (the tally), and the courses each worker drives.
// Touched only by the load's own thread until it stops. The answers a load accepts: under a crash
// kAnswersUnderCrash, under a rolling restart kAnswersUnderRestart (only success).
struct LoadRecord : LoadTally {
    std::map<int, std::vector<Tracked>> workers;
};

class CourseResilienceE2E : public SystemTest {
  protected:
    static void SetUpTestSuite() { StartSystem({.system = "course"}); }

    bool AllSettled() {
        return SystemTest::AllSettled({"course-management", "professor-applyment", "professor-evaluation"},
                                      {"professor-applyment", "professor-evaluation", "notification", "my-page"});
    }

    // Each worker keeps at most two courses in progress and, per step, moves the oldest one step on
    // (entry found → applied → evaluation found → confirmed) and registers a new one.
    static LoadLoop::Step Steps(LoadRecord& record, const AllowedAnswers& allowed, int64_t course_no, int port) {
        return [&record, allowed, course_no, port](Http& http, int worker) -> Awaitable<void> {
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
                    record.Count("GET", r, allowed.get, "GET entry");
                    bj::value v = r.Json();
                    if (r.status == 200 && v.is_object() && v.as_object().contains("_embedded")) {
                        auto& rows = v.as_object()["_embedded"].as_object()["professorApplyments"].as_array();
                        if (rows.size() == 1) t.applyment = AsInt(rows[0].as_object().at("id"));
                    }
                } else if (!t.applied) {
                    Reply r = co_await http.Send(port, "PATCH", "/professorApplyments/" + std::to_string(t.applyment),
                                                 ApplyBody(t.professor()));
                    record.Count("PATCH", r, allowed.patch, "PATCH apply");
                    t.applied = r.status == 200;
                } else if (t.evaluation < 0) {
                    Reply r = co_await http.Send(
                        port, "GET",
                        "/professorEvaluations/search/findByApplymentId?applymentId=" + std::to_string(t.applyment));
                    record.Count("GET", r, allowed.get, "GET evaluation");
                    bj::value v = r.Json();
                    if (r.status == 200 && v.is_object() && v.as_object().contains("_embedded")) {
                        auto& rows = v.as_object()["_embedded"].as_object()["professorEvaluations"].as_array();
                        if (rows.size() == 1) t.evaluation = AsInt(rows[0].as_object().at("id"));
                    }
                } else {
                    Reply r = co_await http.Send(port, "PATCH", "/professorEvaluations/" + std::to_string(t.evaluation),
                                                 kConfirm);
                    record.Count("PATCH", r, allowed.patch, "PATCH confirm");
                    t.confirmed = r.status == 200;
                }
            }
            if (in_progress < 2) {
                Reply r = co_await http.Send(port, "POST", "/courseManagements", CourseBody(course_no));
                record.Count("POST", r, allowed.post, "POST course");
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

    void RunLoad(const AllowedAnswers& allowed, int64_t course_no, const std::function<void(LoadLoop&)>& meanwhile) {
        LoadRecord record;
        {
            LoadLoop load(4, Steps(record, allowed, course_no, gateway()), 20ms);
            ASSERT_TRUE(load.WaitSteps(21, 0ms, 10s));
            meanwhile(load);
            EXPECT_TRUE(load.WaitSteps(21, 0ms, 15s));
            load.Stop();
        }
        std::cout << "load: " << record.Summary() << "\n";
        EXPECT_EQ(record.failures.size(), 0u) << record.FailureReport(LoadTally::kAll);
        Finish(record);
        ExpectConsistent(record, course_no);
    }
};

// SIGKILL every service in turn under load (the load going on between the kills): each comes
// back, and no registration, application, evaluation, confirmation or SMS is lost or doubled.
TEST_F(CourseResilienceE2E, ServicesKilledMidLoadLoseNothingAndDoubleNothing) {
    RunLoad(kAnswersUnderCrash, 7001, [&](LoadLoop& load) {
        for (const std::string& service : system().services()) {
            // Slowed down first, so the kill finds requests in flight.
            Reply slow = CallService(service, "POST", "/actuator/faults", R"({"latencyMs":[100,200],"errorRate":0})");
            EXPECT_EQ(slow.status, 200) << slow.Describe();
            EXPECT_TRUE(load.WaitSteps(5, 0ms, 15s));
            auto old = system().KillService(service, SIGKILL);
            EXPECT_FALSE(old.empty()) << service;
            EXPECT_TRUE(system().WaitReplaced(service, old, 20s)) << service << " did not come back";
            EXPECT_TRUE(load.WaitSteps(31, 0ms, 15s)) << "no load after " << service;
        }
    });
}

// A rolling restart of every service under load: not one request fails.
TEST_F(CourseResilienceE2E, RollingRestartUnderLoadFailsNoRequest) {
    RunLoad(kAnswersUnderRestart, 7002, [&](LoadLoop&) {
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
    // partitions, together all (and nothing left to apply).
    std::map<int64_t, std::string> seen;
    auto split = [&](const std::string& service) {
        seen = ReplicaMetrics(service);
        return ReplicasSplit(seen, service);
    };
    for (const auto& service : scaled) {
        EXPECT_TRUE(Eventually([&] { return split(service); }, 15s, 200ms))
            << service << ": replicas seen " << seen.size();
    }
    RunLoad(kAnswersUnderRestart, 7003, [&](LoadLoop& load) {
        EXPECT_TRUE(load.WaitSteps(101, 0ms, 20s));
        for (const auto& service : scaled) ScaleService(service, 1);
    });
}

// my-page is a view: its store lost, it rebuilds every row from the event log.
TEST_F(CourseResilienceE2E, ALostMyPageIsRebuiltFromTheEventLog) {
    RunLoad(kAnswersUnderRestart, 7004, [&](LoadLoop& load) { EXPECT_TRUE(load.WaitSteps(41, 0ms, 20s)); });
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
