// End-to-end tests of the confirmation saga of system `course` (seed 004): professor-evaluation
// confirms a professor by calling course-management synchronously (completeCourse, keyed by the
// evaluation id) under a pending saga step. When the call's outcome stays unknown — it timed out
// and nobody retried the verdict, or professor-evaluation was SIGKILLed mid-call — the sweeper
// aborts the step after abandon-after-ms (shortened here) and ProfessorConfirmationAborted makes
// course-management undo the professor it set and refuse that evaluation from then on. Afterwards
// every course's professor is set iff its evaluation is Confirmed, and ProfessorConfirmed (its SMS,
// my-page's Confirmed) appears exactly for those.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

std::string Str(const bj::object& o, std::string_view key) {
    const bj::value* v = o.if_contains(key);
    return v && !v->is_null() ? AsString(*v) : "";
}
int64_t Int(const bj::object& o, std::string_view key) {
    const bj::value* v = o.if_contains(key);
    return v && !v->is_null() ? AsInt(*v) : -1;
}

class CourseConfirmationE2E : public SystemTest {
  protected:
    static void SetUpTestSuite() {
        StartSystem({.system = "course", .env = {{"RESERVO_SERVICES_PROFESSOR_EVALUATION_ABANDON_AFTER_MS", "1500"}}});
    }

    // A professor number no other test uses.
    static int64_t NewProfessor() {
        static int64_t n = 700;
        return ++n;
    }
    // A course number no other test uses (each test lists its own courses by it).
    static int64_t NewCourseNo() {
        static int64_t n = 9100;
        return ++n;
    }

    int64_t RegisterCourse(int64_t course_no) {
        bj::object body{{"courseNo", std::to_string(course_no)},
                        {"title", "국어"},
                        {"courseInfo", "국어과목"},
                        {"dueDate", "2021-07-01"}};
        Reply r = Call("POST", "/courseManagements", bj::serialize(body));
        EXPECT_EQ(r.status, 201) << r.Describe();
        return r.status == 201 ? AsInt(r.Json().as_object().at("id")) : -1;
    }

    struct Flow {
        int64_t course = -1, applyment = -1, evaluation = -1, professor = -1;
    };
    // A course of `course_no` with an application under evaluation.
    Flow AppliedCourse(int64_t course_no) {
        Flow f{.professor = NewProfessor()};
        f.course = RegisterCourse(course_no);
        if (f.course < 0) return f;
        EXPECT_TRUE(Eventually([&] {
            auto rows = ListAll("/professorApplyments/search/findByCourseId?courseId=" + std::to_string(f.course),
                                "professorApplyments");
            if (rows.size() == 1) f.applyment = Int(rows[0], "id");
            return f.applyment > 0;
        })) << "no application entry for course "
            << f.course;
        if (f.applyment < 0) return f;
        bj::object apply{{"professorNo", std::to_string(f.professor)},
                         {"professorNm", "P" + std::to_string(f.professor)},
                         {"phoneNumber", "000-0000-0001"},
                         {"age", "40"},
                         {"career", "15"},
                         {"professorSpec", "TEST"}};
        Reply r = Call("PATCH", "/professorApplyments/" + std::to_string(f.applyment), bj::serialize(apply));
        EXPECT_EQ(r.status, 200) << r.Describe();
        EXPECT_TRUE(Eventually([&] {
            auto rows =
                ListAll("/professorEvaluations/search/findByApplymentId?applymentId=" + std::to_string(f.applyment),
                        "professorEvaluations");
            if (rows.size() == 1) f.evaluation = Int(rows[0], "id");
            return f.evaluation > 0;
        })) << "no evaluation for application "
            << f.applyment;
        return f;
    }

    Reply Evaluate(int64_t evaluation) {
        return Call("PATCH", "/professorEvaluations/" + std::to_string(evaluation),
                    R"({"successFlag":"true","score":"85"})");
    }

    bool AllSettled() {
        return SystemTest::AllSettled(
            {"course-management", "professor-applyment", "professor-evaluation"},
            {"course-management", "professor-applyment", "professor-evaluation", "notification", "my-page"});
    }

    // The event types the system published with the course as their subject (the saga timeline).
    std::vector<std::string> EventsAbout(int64_t course) {
        Reply r = CallService("professor-evaluation", "GET", "/actuator/sagas/" + std::to_string(course));
        std::vector<std::string> out;
        bj::value v = r.Json();
        if (r.status != 200 || !v.is_object()) return out;
        if (const bj::value* events = v.as_object().if_contains("events"); events && events->is_array()) {
            for (const auto& e : events->as_array()) out.push_back(Str(e.as_object(), "type"));
        }
        return out;
    }
    int Count(const std::vector<std::string>& types, std::string_view type) {
        return static_cast<int>(std::count(types.begin(), types.end(), type));
    }

    // One course as every service shows it.
    struct Seen {
        bool professor_set = false;  // course-management
        bool confirmed = false;      // professor-evaluation
        int confirmed_sms = 0;       // notification
        bool my_page_confirmed = false;
    };
    Seen SeenOf(const Flow& f) {
        Seen s;
        Reply c = Call("GET", "/courseManagements/" + std::to_string(f.course));
        if (c.status == 200) s.professor_set = Int(c.Json().as_object(), "professorNo") > 0;
        Reply e = Call("GET", "/professorEvaluations/" + std::to_string(f.evaluation));
        if (e.status == 200) s.confirmed = Str(e.Json().as_object(), "evaluationStatus") == "Confirmed";
        for (auto& sms : ListAll("/smsHistories/search/findByProfessorNo?professorNo=" + std::to_string(f.professor),
                                 "smsHistories")) {
            if (Str(sms, "eventType") == "ProfessorConfirmed") ++s.confirmed_sms;
        }
        for (auto& row : ListAll("/applyStatusInquiries/search/findByCourseId?courseId=" + std::to_string(f.course),
                                 "applyStatusInquiries")) {
            if (Str(row, "confirmStatus") == "Confirmed") s.my_page_confirmed = true;
        }
        return s;
    }
    // The professor is set iff the evaluation is Confirmed, and the confirmation's effects follow.
    bool Consistent(const Flow& f, std::string* why) {
        Seen s = SeenOf(f);
        bool ok = s.professor_set == s.confirmed && s.confirmed_sms == (s.confirmed ? 1 : 0) &&
                  s.my_page_confirmed == s.confirmed;
        if (!ok && why) {
            *why = "course " + std::to_string(f.course) + ": professor set " + std::to_string(s.professor_set) +
                   ", evaluation confirmed " + std::to_string(s.confirmed) + ", ProfessorConfirmed SMS " +
                   std::to_string(s.confirmed_sms) + ", my-page confirmed " + std::to_string(s.my_page_confirmed);
        }
        return ok;
    }
    void ExpectAllConsistent(const std::vector<Flow>& flows) {
        std::string why;
        auto all = [&] {
            if (!AllSettled()) {
                why = "not settled";
                return false;
            }
            for (const auto& f : flows) {
                if (!Consistent(f, &why)) return false;
            }
            return true;
        };
        ASSERT_TRUE(Eventually(all, 20s, 250ms)) << why;
        std::this_thread::sleep_for(2s);  // past another abandon-after-ms: nothing changes any more
        ASSERT_TRUE(Eventually(all, 10s, 250ms)) << why;
        ExpectNoDeadLetters();
    }

    void SlowCourseManagement(std::string_view latency) {
        Reply r = CallService("course-management", "POST", "/actuator/faults",
                              R"({"latencyMs":)" + std::string(latency) + R"(,"errorRate":0})");
        ASSERT_EQ(r.status, 200) << r.Describe();
    }
    void ClearFaults() {
        Reply r = CallService("course-management", "DELETE", "/actuator/faults");
        EXPECT_LT(r.status, 300) << r.Describe();
    }
};

// A call that timed out and was never retried: course-management set the professor after the caller
// gave up; the sweeper aborts the step and course-management undoes it. A verdict retried after the
// abort is refused (409), even though course-management answers at once again.
TEST_F(CourseConfirmationE2E, ATimedOutConfirmationNobodyRetriedIsUndone) {
    Flow f = AppliedCourse(NewCourseNo());
    ASSERT_GT(f.evaluation, 0);
    SlowCourseManagement("[700,800]");
    Reply r = Evaluate(f.evaluation);
    EXPECT_EQ(r.status, 503) << r.Describe();
    // course-management sets the professor once its (slowed) handling ends.
    EXPECT_TRUE(Eventually(
        [&] { return Int(Get("/courseManagements/" + std::to_string(f.course)), "professorNo") == f.professor; }, 5s,
        50ms));
    ClearFaults();

    ASSERT_TRUE(
        Eventually([&] { return Count(EventsAbout(f.course), "ProfessorConfirmationAborted") == 1; }, 15s, 100ms))
        << "the sweeper did not abort the step";
    ExpectAllConsistent({f});
    bj::object course = Get("/courseManagements/" + std::to_string(f.course));
    EXPECT_TRUE(course["professorNo"].is_null()) << bj::serialize(course);
    EXPECT_TRUE(course["evaluationId"].is_null()) << bj::serialize(course);
    EXPECT_EQ(Str(Get("/professorEvaluations/" + std::to_string(f.evaluation)), "evaluationStatus"), "Evaluating");

    Reply late = Evaluate(f.evaluation);
    EXPECT_EQ(late.status, 409) << late.Describe();
    ExpectAllConsistent({f});
    EXPECT_FALSE(SeenOf(f).professor_set);
    auto types = EventsAbout(f.course);
    EXPECT_EQ(Count(types, "ProfessorConfirmed"), 0);
    EXPECT_EQ(Count(types, "ProfessorConfirmationAborted"), 1);
}

// A verdict retried before the sweeper's abort resumes the pending step: confirmed once.
TEST_F(CourseConfirmationE2E, AConfirmationRetriedInTimeCompletesItsPendingStep) {
    Flow f = AppliedCourse(NewCourseNo());
    ASSERT_GT(f.evaluation, 0);
    SlowCourseManagement("[700,800]");
    Reply r = Evaluate(f.evaluation);
    EXPECT_EQ(r.status, 503) << r.Describe();
    ClearFaults();
    Reply retry = Evaluate(f.evaluation);  // well within abandon-after-ms
    ASSERT_EQ(retry.status, 200) << retry.Describe();
    ExpectAllConsistent({f});
    EXPECT_TRUE(SeenOf(f).confirmed);
    auto types = EventsAbout(f.course);
    EXPECT_EQ(Count(types, "ProfessorConfirmed"), 1);
    EXPECT_EQ(Count(types, "ProfessorConfirmationAborted"), 0);
}

// professor-evaluation SIGKILLed while confirmations wait on a slowed course-management (some
// answer within the call's timeout, some after it): after the restart the sweeper aborts the steps
// it left pending, and every course agrees with its evaluation. Verdicts retried afterwards either
// confirm (the step was never opened, or dropped) or are refused (it was aborted), still agreeing.
TEST_F(CourseConfirmationE2E, ProfessorEvaluationKilledMidCallLeavesNoProfessorUnconfirmed) {
    std::vector<Flow> flows;
    const int64_t course_no = NewCourseNo();
    for (int i = 0; i < 8; ++i) {
        flows.push_back(AppliedCourse(course_no));
        ASSERT_GT(flows.back().evaluation, 0);
    }
    SlowCourseManagement("[300,900]");
    std::vector<pid_t> old = system().Pids("professor-evaluation");
    std::vector<int> statuses(flows.size(), 0);
    {
        std::vector<std::thread> calls;
        for (size_t i = 0; i < flows.size(); ++i) {
            calls.emplace_back([&, i] {
                Http http;
                statuses[i] =
                    http.Call(gateway(), "PATCH", "/professorEvaluations/" + std::to_string(flows[i].evaluation),
                              R"({"successFlag":"true","score":"85"})")
                        .status;
            });
            std::this_thread::sleep_for(40ms);
        }
        std::this_thread::sleep_for(250ms);  // some answered, most still waiting on course-management
        EXPECT_EQ(system().KillService("professor-evaluation", SIGKILL), old);
        for (auto& t : calls) t.join();
    }
    EXPECT_TRUE(system().WaitReplaced("professor-evaluation", old, 20s));
    ClearFaults();
    std::map<int, int> answers;
    for (int s : statuses) ++answers[s];
    for (auto [status, n] : answers) std::cout << "[   info   ] answered " << status << ": " << n << "\n";

    ExpectAllConsistent(flows);
    int aborted = 0, confirmed = 0;
    for (size_t i = 0; i < flows.size(); ++i) {
        aborted += Count(EventsAbout(flows[i].course), "ProfessorConfirmationAborted");
        if (SeenOf(flows[i]).confirmed) {
            ++confirmed;
            EXPECT_EQ(statuses[i], 200) << "confirmed although the client was told " << statuses[i];
        }
    }
    std::cout << "[   info   ] confirmed " << confirmed << ", aborted by the sweeper " << aborted << "\n";

    // Whatever was not confirmed is either confirmable still or refused for good.
    for (const Flow& f : flows) {
        if (SeenOf(f).confirmed) continue;
        Reply r = Evaluate(f.evaluation);
        EXPECT_TRUE(r.status == 200 || r.status == 409) << r.Describe();
        if (r.status == 409) {
            EXPECT_EQ(Count(EventsAbout(f.course), "ProfessorConfirmationAborted"), 1) << r.Describe();
        }
    }
    ExpectAllConsistent(flows);
}

}  // namespace
}  // namespace reservo::e2e
