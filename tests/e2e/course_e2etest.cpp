// End-to-end tests of system `course` (seed 004) through its gateway: the seed's whole scenario
// with httpie's string fields (a course registered, applied for, evaluated and confirmed
// synchronously on course-management, SMS and my-page following), the same professor confirmed
// twice (409), course-management down (503, the evaluation unchanged) and its circuit opening,
// professor-evaluation down (registration and applications go on, it catches up without
// duplicates), a deleted course canceling its application and evaluation, a canceled application,
// and bad input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kBreakerOpen =
    "resilience4j_circuitbreaker_state{name=\"course-management\",state=\"open\"}";

class CourseE2E : public SystemTest {
  protected:
    static void SetUpTestSuite() { StartSystem({.system = "course"}); }

    // A professor number no other test uses.
    static int64_t NewProfessor() {
        static int64_t n = 200;
        return ++n;
    }

    // `http POST :8480/courseManagements courseNo=1 title=국어 courseInfo=국어과목 dueDate=2021-07-01`:
    // httpie sends every field as a string. The course id (-1 on failure).
    int64_t RegisterCourse(int64_t course_no = 1, const std::string& title = "국어") {
        bj::object body{{"courseNo", std::to_string(course_no)},
                        {"title", title},
                        {"courseInfo", title + "과목"},
                        {"dueDate", "2021-07-01"}};
        return Create("/courseManagements", bj::serialize(body));
    }

    // The course's application entry, once professor-applyment opened it (-1 otherwise).
    int64_t ApplymentOf(int64_t course) {
        int64_t id = -1;
        Eventually([&] {
            auto rows = ListBy("professorApplyments", "courseId", course);
            if (rows.size() == 1) id = Int(rows[0], "id");
            return rows.size() == 1;
        });
        EXPECT_GT(id, 0) << "no application entry for course " << course;
        return id;
    }

    // `http PATCH :8480/professorApplyments/1 professorNo=201 professorNm=P01 phoneNumber=000-0000-0001
    // age=40 career=15 professorSpec=TEST`
    static std::string ApplyBody(int64_t professor) {
        return bj::serialize(bj::object{{"professorNo", std::to_string(professor)},
                                        {"professorNm", "P" + std::to_string(professor)},
                                        {"phoneNumber", "000-0000-0001"},
                                        {"age", "40"},
                                        {"career", "15"},
                                        {"professorSpec", "TEST"}});
    }
    Reply Apply(int64_t applyment, int64_t professor) {
        return Call("PATCH", "/professorApplyments/" + std::to_string(applyment), ApplyBody(professor));
    }

    std::vector<bj::object> EvaluationsOf(int64_t applyment) {
        return ListBy("professorEvaluations", "applymentId", applyment);
    }
    // The application's evaluation being evaluated, once professor-evaluation opened it (-1 otherwise).
    int64_t EvaluationOf(int64_t applyment) {
        int64_t id = -1;
        Eventually([&] {
            for (auto& e : EvaluationsOf(applyment)) {
                if (Str(e, "evaluationStatus") == "Evaluating") id = Int(e, "id");
            }
            return id > 0;
        });
        EXPECT_GT(id, 0) << "no evaluation for application " << applyment;
        return id;
    }
    // `http PATCH :8480/professorEvaluations/2 successFlag=true score=85`
    Reply Evaluate(int64_t evaluation, const std::string& flag = "true", const std::string& score = "85") {
        return Call("PATCH", "/professorEvaluations/" + std::to_string(evaluation),
                    bj::serialize(bj::object{{"successFlag", flag}, {"score", score}}));
    }

    // A course with an application of `professor` under evaluation: {course, applyment, evaluation}.
    struct Flow {
        int64_t course = -1, applyment = -1, evaluation = -1;
    };
    Flow AppliedCourse(int64_t professor) {
        Flow f;
        f.course = RegisterCourse();
        if (f.course < 0) return f;
        f.applyment = ApplymentOf(f.course);
        if (f.applyment < 0) return f;
        Reply r = Apply(f.applyment, professor);
        EXPECT_EQ(r.status, 200) << r.Describe();
        f.evaluation = EvaluationOf(f.applyment);
        return f;
    }

    std::vector<bj::object> SmsOf(int64_t professor) { return ListBy("smsHistories", "professorNo", professor); }
    std::vector<bj::object> MyPageOf(int64_t professor) {
        return ListBy("applyStatusInquiries", "professorNo", professor);
    }

    bool AllSettled() {
        return SystemTest::AllSettled({"course-management", "professor-applyment", "professor-evaluation"},
                                      {"professor-applyment", "professor-evaluation", "notification", "my-page"});
    }
    static void ExpectProblem(const Reply& r, int status, const std::string& what) {
        EXPECT_EQ(r.status, status) << what << ": " << r.Describe();
        EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << what;
    }
};

// The seed's scenario, step by step through the gateway.
TEST_F(CourseE2E, TheSeedsScenarioConfirmsAProfessorForACourse) {
    const int64_t professor = NewProfessor();
    // 1. A course is registered (httpie's strings).
    int64_t course = RegisterCourse(1, "국어");
    ASSERT_GT(course, 0);
    bj::object registered = Get("/courseManagements/" + std::to_string(course));
    EXPECT_EQ(Int(registered, "courseNo"), 1);
    EXPECT_EQ(Str(registered, "title"), "국어");
    EXPECT_EQ(Str(registered, "courseInfo"), "국어과목");
    EXPECT_EQ(Str(registered, "dueDate"), "2021-07-01");
    EXPECT_EQ(registered["successFlag"], bj::value(false));
    EXPECT_TRUE(registered["professorNo"].is_null());

    // 1-1. Its application entry is opened.
    int64_t applyment = ApplymentOf(course);
    ASSERT_GT(applyment, 0);
    bj::object entry = Get("/professorApplyments/" + std::to_string(applyment));
    EXPECT_EQ(Str(entry, "applyStatus"), "Open");
    EXPECT_EQ(Str(entry, "title"), "국어");

    // 2. A professor applies.
    Reply applied = Apply(applyment, professor);
    ASSERT_EQ(applied.status, 200) << applied.Describe();
    bj::object a = applied.Json().as_object();
    EXPECT_EQ(Str(a, "applyStatus"), "Applied");
    EXPECT_EQ(Int(a, "professorNo"), professor);
    EXPECT_EQ(Int(a, "age"), 40);
    EXPECT_EQ(Int(a, "career"), 15);
    EXPECT_EQ(Str(a, "phoneNumber"), "000-0000-0001");

    // 2-1. An evaluation is opened; 2-2. an SMS is recorded.
    int64_t evaluation = EvaluationOf(applyment);
    ASSERT_GT(evaluation, 0);
    bj::object e = Get("/professorEvaluations/" + std::to_string(evaluation));
    EXPECT_EQ(Int(e, "courseId"), course);
    EXPECT_EQ(Int(e, "professorNo"), professor);
    std::vector<bj::object> sms;
    ASSERT_TRUE(Eventually([&] { return (sms = SmsOf(professor)).size() == 1; }));
    EXPECT_EQ(Str(sms[0], "eventType"), "ProfessorApplied");
    EXPECT_EQ(Str(sms[0], "phoneNumber"), "000-0000-0001");
    EXPECT_EQ(Int(sms[0], "courseId"), course);
    bj::object one = Get("/smsHistories/" + std::to_string(Int(sms[0], "id")));
    EXPECT_EQ(Str(one, "message"), Str(sms[0], "message"));
    EXPECT_TRUE(one.contains("_links"));

    // 3. The evaluator confirms the professor; 3-1. the course shows its professor.
    Reply confirmed = Evaluate(evaluation);
    ASSERT_EQ(confirmed.status, 200) << confirmed.Describe();
    EXPECT_EQ(Str(confirmed.Json().as_object(), "evaluationStatus"), "Confirmed");
    EXPECT_EQ(Int(confirmed.Json().as_object(), "score"), 85);
    bj::object done = Get("/courseManagements/" + std::to_string(course));
    EXPECT_EQ(Int(done, "professorNo"), professor);
    EXPECT_EQ(Str(done, "professorNm"), "P" + std::to_string(professor));
    EXPECT_EQ(Str(done, "phoneNumber"), "000-0000-0001");
    EXPECT_EQ(done["successFlag"], bj::value(true));

    // The SMS of the confirmation, the application Confirmed, and 4. my-page by professor.
    EXPECT_TRUE(Eventually([&] { return (sms = SmsOf(professor)).size() == 2; })) << sms.size();
    EXPECT_TRUE(Eventually(
        [&] { return Field("/professorApplyments/" + std::to_string(applyment), "applyStatus") == "Confirmed"; }));
    std::vector<bj::object> page;
    ASSERT_TRUE(Eventually([&] {
        page = MyPageOf(professor);
        return page.size() == 1 && Str(page[0], "confirmStatus") == "Confirmed";
    }));
    EXPECT_EQ(Int(page[0], "courseId"), course);
    EXPECT_EQ(Str(page[0], "title"), "국어");
    EXPECT_EQ(Str(page[0], "courseStatus"), "Registered");
    EXPECT_EQ(Str(page[0], "applyStatus"), "Confirmed");
    EXPECT_EQ(Int(page[0], "evaluationId"), evaluation);
    EXPECT_EQ(Int(page[0], "score"), 85);
    bj::object row = Get("/applyStatusInquiries/" + std::to_string(Int(page[0], "id")));
    EXPECT_EQ(Int(row, "professorNo"), professor);

    // completeCourse is professor-evaluation's call, not the outside world's.
    Reply internal = Call("POST", "/courseManagements/completeCourse",
                          R"({"courseId":1,"evaluationId":1,"professorNo":999,"professorNm":"X"})");
    EXPECT_EQ(internal.status, 404) << internal.Describe();
}

// The seed's rule: the professor is set only when different from the current one.
TEST_F(CourseE2E, ConfirmingTheSameProfessorTwiceIsRefused) {
    const int64_t professor = NewProfessor();
    Flow f = AppliedCourse(professor);
    ASSERT_GT(f.evaluation, 0);
    ASSERT_EQ(Evaluate(f.evaluation).status, 200);
    Reply again = Evaluate(f.evaluation, "true", "90");
    ExpectProblem(again, 409, "confirming again");
    bj::object e = Get("/professorEvaluations/" + std::to_string(f.evaluation));
    EXPECT_EQ(Int(e, "score"), 85);  // unchanged
    EXPECT_EQ(Int(Get("/courseManagements/" + std::to_string(f.course)), "evaluationId"), f.evaluation);
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    EXPECT_EQ(SmsOf(professor).size(), 2u);  // applied, confirmed once
}

// Ten professors race for one course's application: one wins, the others are refused. Ten
// evaluators confirm the winner at once: confirmed once (one SMS), each answered 200 or 409.
TEST_F(CourseE2E, ConcurrentApplicationsAndConfirmationsTakeEffectOnce) {
    int64_t course = RegisterCourse();
    ASSERT_GT(course, 0);
    int64_t applyment = ApplymentOf(course);
    ASSERT_GT(applyment, 0);
    std::vector<int64_t> professors;
    for (int i = 0; i < 10; ++i) professors.push_back(NewProfessor());
    std::vector<Reply> applied(10);
    http_.RunConcurrently(10, [&](int i) -> Awaitable<void> {
        applied[i] = co_await http_.Send(gateway(), "PATCH", "/professorApplyments/" + std::to_string(applyment),
                                         ApplyBody(professors[i]));
    });
    int64_t winner = -1;
    for (int i = 0; i < 10; ++i) {
        if (applied[i].status == 200) {
            EXPECT_EQ(winner, -1) << "two professors applied";
            winner = professors[i];
        } else {
            ExpectProblem(applied[i], 409, "a losing application");
        }
    }
    ASSERT_GT(winner, 0);
    int64_t evaluation = EvaluationOf(applyment);
    ASSERT_GT(evaluation, 0);

    std::vector<Reply> confirmed(10);
    http_.RunConcurrently(10, [&](int i) -> Awaitable<void> {
        confirmed[i] = co_await http_.Send(gateway(), "PATCH", "/professorEvaluations/" + std::to_string(evaluation),
                                           R"({"successFlag":"true","score":"85"})");
    });
    int ok = 0;
    for (const Reply& r : confirmed) {
        if (r.status == 200) {
            ++ok;
        } else {
            ExpectProblem(r, 409, "a late confirmation");
        }
    }
    EXPECT_GE(ok, 1);
    EXPECT_EQ(Int(Get("/courseManagements/" + std::to_string(course)), "evaluationId"), evaluation);
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    EXPECT_EQ(EvaluationsOf(applyment).size(), 1u);
    auto sms = SmsOf(winner);
    ASSERT_EQ(sms.size(), 2u);
    EXPECT_EQ(Str(sms[1], "eventType"), "ProfessorConfirmed");
    for (int64_t p : professors) {
        if (p != winner) {
            EXPECT_TRUE(SmsOf(p).empty()) << "professor " << p;
        }
    }
}

// Course-management stopped: 503 with Retry-After, the evaluation unchanged; once the circuit
// opened the answer is immediate; once course-management is back the same verdict confirms.
TEST_F(CourseE2E, CourseManagementDownAnswers503AndLeavesTheEvaluationUnchanged) {
    const int64_t professor = NewProfessor();
    Flow f = AppliedCourse(professor);
    ASSERT_GT(f.evaluation, 0);
    const std::string path = "/professorEvaluations/" + std::to_string(f.evaluation);

    StopService("course-management");
    for (int i = 0; i < 12; ++i)
        ExpectUnavailable(Evaluate(f.evaluation), "confirming while course-management is down");
    Reply fast = Evaluate(f.evaluation);
    ExpectUnavailable(fast, "confirming with the circuit open");
    EXPECT_LT(fast.elapsed.count(), 300) << fast.Describe();
    EXPECT_EQ(ServiceMetric("professor-evaluation", kBreakerOpen), 1);
    bj::object e = Get(path);
    EXPECT_EQ(Str(e, "evaluationStatus"), "Evaluating");
    EXPECT_TRUE(e["score"].is_null());
    EXPECT_TRUE(e["successFlag"].is_null());
    StartService("course-management");

    Reply last;
    ASSERT_TRUE(Eventually([&] { return (last = Evaluate(f.evaluation)).status == 200; }, 15s, 250ms))
        << last.Describe();
    EXPECT_EQ(Str(Get(path), "evaluationStatus"), "Confirmed");
    EXPECT_EQ(Int(Get("/courseManagements/" + std::to_string(f.course)), "professorNo"), professor);
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    EXPECT_EQ(SmsOf(professor).size(), 2u);
}

// Course-management too slow (beyond the call's 600 ms timeout): 503, the evaluation unchanged,
// though course-management may have set the professor after the caller gave up. The retried
// verdict is answered by course-management as a repeat (same evaluation): confirmed once.
TEST_F(CourseE2E, ASlowCourseManagementTimesOutAndTheRetryConfirmsOnce) {
    const int64_t professor = NewProfessor();
    Flow f = AppliedCourse(professor);
    ASSERT_GT(f.evaluation, 0);
    Reply slow =
        CallService("course-management", "POST", "/actuator/faults", R"({"latencyMs":[700,800],"errorRate":0})");
    ASSERT_EQ(slow.status, 200) << slow.Describe();
    ExpectUnavailable(Evaluate(f.evaluation), "confirming while course-management is slow");
    EXPECT_EQ(Str(Get("/professorEvaluations/" + std::to_string(f.evaluation)), "evaluationStatus"), "Evaluating");
    Reply clear = CallService("course-management", "DELETE", "/actuator/faults");
    EXPECT_LT(clear.status, 300) << clear.Describe();

    Reply last;
    ASSERT_TRUE(Eventually([&] { return (last = Evaluate(f.evaluation)).status == 200; }, 15s, 250ms))
        << last.Describe();
    bj::object course = Get("/courseManagements/" + std::to_string(f.course));
    EXPECT_EQ(Int(course, "professorNo"), professor);
    EXPECT_EQ(Int(course, "evaluationId"), f.evaluation);
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    auto sms = SmsOf(professor);
    ASSERT_EQ(sms.size(), 2u);
    EXPECT_EQ(Str(sms[1], "eventType"), "ProfessorConfirmed");
}

// professor-evaluation stopped: courses are registered and applied for as usual; restarted, it
// opens each evaluation once, and the confirmation works.
TEST_F(CourseE2E, RegistrationAndApplicationsGoOnWhileProfessorEvaluationIsDown) {
    StopService("professor-evaluation");
    std::vector<std::pair<int64_t, int64_t>> applied;  // {applyment, professor}
    for (int i = 0; i < 3; ++i) {
        int64_t professor = NewProfessor();
        int64_t course = RegisterCourse(10 + i, "과목" + std::to_string(i));
        ASSERT_GT(course, 0);
        int64_t applyment = ApplymentOf(course);
        ASSERT_GT(applyment, 0);
        Reply r = Apply(applyment, professor);
        ASSERT_EQ(r.status, 200) << r.Describe();
        applied.emplace_back(applyment, professor);
    }
    StartService("professor-evaluation");
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }, 15s));
    for (auto [applyment, professor] : applied) {
        auto evaluations = EvaluationsOf(applyment);
        ASSERT_EQ(evaluations.size(), 1u) << "application " << applyment;
        EXPECT_EQ(Str(evaluations[0], "evaluationStatus"), "Evaluating");
        EXPECT_EQ(SmsOf(professor).size(), 1u);
    }
    // Restarted again, nothing is applied twice.
    RestartService("professor-evaluation");
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }, 15s));
    for (auto [applyment, professor] : applied) EXPECT_EQ(EvaluationsOf(applyment).size(), 1u);
    Reply confirmed = Evaluate(Int(EvaluationsOf(applied[0].first)[0], "id"));
    EXPECT_EQ(confirmed.status, 200) << confirmed.Describe();
}

// The seed's cancellation: a deleted course takes its application and evaluation with it.
TEST_F(CourseE2E, DeletingACourseCancelsItsApplicationAndEvaluation) {
    const int64_t professor = NewProfessor();
    Flow f = AppliedCourse(professor);
    ASSERT_GT(f.evaluation, 0);
    Reply removed = Call("DELETE", "/courseManagements/" + std::to_string(f.course));
    ASSERT_EQ(removed.status, 204) << removed.Describe();
    EXPECT_EQ(Call("GET", "/courseManagements/" + std::to_string(f.course)).status, 404);
    ExpectProblem(Call("DELETE", "/courseManagements/" + std::to_string(f.course)), 404, "deleting again");

    EXPECT_TRUE(Eventually([&] {
        return Field("/professorApplyments/" + std::to_string(f.applyment), "applyStatus") == "CourseCanceled";
    }));
    EXPECT_TRUE(Eventually([&] {
        return Field("/professorEvaluations/" + std::to_string(f.evaluation), "evaluationStatus") == "Canceled";
    }));
    EXPECT_TRUE(Eventually([&] {
        auto rows = MyPageOf(professor);
        return rows.size() == 1 && Str(rows[0], "courseStatus") == "Canceled" &&
               Str(rows[0], "applyStatus") == "CourseCanceled";
    }));
    std::vector<bj::object> sms;
    EXPECT_TRUE(Eventually([&] { return (sms = SmsOf(professor)).size() == 2; }));
    if (sms.size() == 2) {
        EXPECT_EQ(Str(sms[1], "eventType"), "ApplymentCanceled");
    }

    ExpectProblem(Evaluate(f.evaluation), 409, "confirming a canceled evaluation");
    ExpectProblem(Apply(f.applyment, NewProfessor()), 409, "applying for a canceled course");
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    EXPECT_EQ(EvaluationsOf(f.applyment).size(), 1u);
}

// A professor cancels: the evaluation goes, an SMS tells them, and another professor may apply.
TEST_F(CourseE2E, CancelingAnApplicationCancelsItsEvaluationAndReopensTheCourse) {
    const int64_t first = NewProfessor();
    Flow f = AppliedCourse(first);
    ASSERT_GT(f.evaluation, 0);
    const std::string entry = "/professorApplyments/" + std::to_string(f.applyment);
    ExpectProblem(Apply(f.applyment, NewProfessor()), 409, "another professor while one applied");
    EXPECT_EQ(Apply(f.applyment, first).status, 200);  // the same application again: nothing new

    ASSERT_EQ(Call("DELETE", entry).status, 204);
    EXPECT_EQ(Field(entry, "applyStatus"), "ApplyCanceled");
    EXPECT_EQ(Call("DELETE", entry).status, 204);  // canceled already
    EXPECT_TRUE(Eventually([&] {
        return Field("/professorEvaluations/" + std::to_string(f.evaluation), "evaluationStatus") == "Canceled";
    }));
    std::vector<bj::object> sms;
    EXPECT_TRUE(Eventually([&] { return (sms = SmsOf(first)).size() == 2; }));
    if (sms.size() == 2) {
        EXPECT_EQ(Str(sms[1], "eventType"), "ApplymentCanceled");
    }
    ExpectProblem(Evaluate(f.evaluation), 409, "confirming a canceled application");

    const int64_t second = NewProfessor();
    ASSERT_EQ(Apply(f.applyment, second).status, 200);
    int64_t evaluation = EvaluationOf(f.applyment);
    ASSERT_GT(evaluation, 0);
    EXPECT_NE(evaluation, f.evaluation);
    ASSERT_EQ(Evaluate(evaluation).status, 200);
    EXPECT_EQ(Int(Get("/courseManagements/" + std::to_string(f.course)), "professorNo"), second);
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    EXPECT_EQ(EvaluationsOf(f.applyment).size(), 2u);
    EXPECT_EQ(SmsOf(first).size(), 2u);
    EXPECT_EQ(SmsOf(second).size(), 2u);
}

// A negative verdict is recorded without asking course-management.
TEST_F(CourseE2E, ANegativeVerdictIsRecordedAndTheProfessorNotSet) {
    Flow f = AppliedCourse(NewProfessor());
    ASSERT_GT(f.evaluation, 0);
    Reply r = Evaluate(f.evaluation, "false", "40");
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(Str(r.Json().as_object(), "evaluationStatus"), "NotSelected");
    EXPECT_TRUE(Get("/courseManagements/" + std::to_string(f.course))["professorNo"].is_null());
}

// Bad input is refused with problem+json (400, 404, 409) and changes nothing; never a 500.
TEST_F(CourseE2E, BadInputIsRefusedAndChangesNothing) {
    Flow f = AppliedCourse(NewProfessor());
    ASSERT_GT(f.evaluation, 0);
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    const int64_t courses = TotalElements("/courseManagements");
    const int64_t sms = TotalElements("/smsHistories");

    const std::vector<std::pair<std::string, std::string>> bad_courses = {
        {R"({"title":"국어","courseInfo":"x","dueDate":"2021-07-01"})", "no courseNo"},
        {R"({"courseNo":"abc","title":"국어","courseInfo":"x","dueDate":"2021-07-01"})", "courseNo not a number"},
        {R"({"courseNo":"-1","title":"국어","courseInfo":"x","dueDate":"2021-07-01"})", "negative courseNo"},
        {R"({"courseNo":1,"title":" ","courseInfo":"x","dueDate":"2021-07-01"})", "blank title"},
        {R"({"courseNo":1,"title":"국어","courseInfo":"x","dueDate":"2021-02-30"})", "no such day"},
        {R"({"courseNo":1,"title":"국어","courseInfo":"x"})", "no dueDate"},
        {R"({"courseNo":1,)", "malformed JSON"},
        {R"([1,2])", "not an object"},
    };
    for (const auto& [body, what] : bad_courses) ExpectProblem(Call("POST", "/courseManagements", body), 400, what);
    ExpectProblem(Call("PATCH", "/courseManagements/" + std::to_string(f.course), R"({"title":""})"), 400,
                  "blanking a title");
    ExpectProblem(Call("GET", "/courseManagements/999999"), 404, "unknown course");
    ExpectProblem(Call("GET", "/courseManagements/abc"), 404, "non-numeric id");

    const std::string entry = "/professorApplyments/" + std::to_string(f.applyment);
    ExpectProblem(Call("PATCH", "/professorApplyments/999999", ApplyBody(NewProfessor())), 404, "unknown entry");
    ExpectProblem(Call("PATCH", entry, R"({"professorNo":"x","professorNm":"P","phoneNumber":"1"})"), 400,
                  "professorNo not a number");
    ExpectProblem(Call("PATCH", entry, R"({"professorNo":7,"professorNm":"P","phoneNumber":"call me"})"), 400,
                  "bad phone number");
    ExpectProblem(Call("PATCH", entry, R"({"professorNo":7,"professorNm":"P","phoneNumber":"1","age":"-3"})"), 400,
                  "negative age");
    ExpectProblem(Call("PATCH", entry, R"({"professorNm":"P","phoneNumber":"1"})"), 400, "no professorNo");
    ExpectProblem(Call("DELETE", "/professorApplyments/999999"), 404, "canceling an unknown application");

    const std::string evaluation = "/professorEvaluations/" + std::to_string(f.evaluation);
    ExpectProblem(Call("PATCH", evaluation, R"({"successFlag":"maybe","score":"85"})"), 400, "successFlag");
    ExpectProblem(Call("PATCH", evaluation, R"({"successFlag":"true","score":"101"})"), 400, "score above 100");
    ExpectProblem(Call("PATCH", evaluation, R"({})"), 400, "empty verdict");
    ExpectProblem(Call("PATCH", evaluation, "not json"), 400, "malformed JSON");
    ExpectProblem(Call("PATCH", "/professorEvaluations/999999", R"({"successFlag":"true"})"), 404,
                  "unknown evaluation");
    ExpectProblem(Call("GET", "/smsHistories/999999"), 404, "unknown SMS");
    ExpectProblem(Call("GET", "/smsHistories/search/findByProfessorNo?professorNo=abc"), 400, "finder");
    ExpectProblem(Call("GET", "/smsHistories?size=-1"), 400, "page size");
    ExpectProblem(Call("GET", "/applyStatusInquiries/999999"), 404, "unknown my-page row");

    EXPECT_EQ(TotalElements("/courseManagements"), courses);
    EXPECT_EQ(Field(entry, "applyStatus"), "Applied");
    bj::object e = Get(evaluation);
    EXPECT_EQ(Str(e, "evaluationStatus"), "Evaluating");
    EXPECT_TRUE(e["score"].is_null());
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    EXPECT_EQ(TotalElements("/smsHistories"), sms);
}

// The SMS history is served in the Spring Data REST shape from its documents, paged.
TEST_F(CourseE2E, SmsHistoriesArePagedLikeASpringDataRestRepository) {
    Flow f = AppliedCourse(NewProfessor());
    ASSERT_GT(f.evaluation, 0);
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    Reply r = Call("GET", "/smsHistories?page=0&size=1&sort=id,desc");
    ASSERT_EQ(r.status, 200) << r.Describe();
    bj::object page = r.Json().as_object();
    ASSERT_TRUE(page.contains("_embedded"));
    auto& items = page["_embedded"].as_object()["smsHistories"].as_array();
    ASSERT_EQ(items.size(), 1u);
    int64_t newest = AsInt(items[0].as_object().at("id"));
    EXPECT_GE(AsInt(page["page"].as_object()["totalElements"]), 1);
    EXPECT_TRUE(items[0].as_object().contains("_links"));
    EXPECT_EQ(AsInt(Get("/smsHistories/" + std::to_string(newest))["id"]), newest);
    EXPECT_EQ(static_cast<int64_t>(ListAll("/smsHistories").size()), TotalElements("/smsHistories"));
    EXPECT_EQ(Call("GET", "/smsHistories/search").status, 200);
    EXPECT_EQ(
        ListAll("/smsHistories/search/findByCourseId?courseId=" + std::to_string(f.course), "smsHistories").size(), 1u);
}

}  // namespace
}  // namespace reservo::e2e
