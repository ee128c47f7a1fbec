// Professor application domain: one application entry per course, opened when the course is
// registered. A professor applies (Open or ApplyCanceled → Applied), may cancel (→ ApplyCanceled,
// and another may apply), is confirmed by the evaluation (→ Confirmed), and the entry closes when
// its course is canceled (→ CourseCanceled). Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"

namespace reservo::course::apply {

inline constexpr std::string_view kOpen = "Open";
inline constexpr std::string_view kApplied = "Applied";
inline constexpr std::string_view kApplyCanceled = "ApplyCanceled";
inline constexpr std::string_view kConfirmed = "Confirmed";
inline constexpr std::string_view kCourseCanceled = "CourseCanceled";

// An application entry (the aggregate): the resource `/professorApplyments`.
struct Applyment {
    int64_t id = 0;
    int64_t courseId = 0;
    int64_t courseNo = 0;
    std::string title;
    std::optional<int64_t> professorNo;
    std::string professorNm;
    std::string phoneNumber;
    std::optional<int64_t> age;
    std::optional<int64_t> career;  // years
    std::string professorSpec;
    std::string applyStatus;
};
BOOST_DESCRIBE_STRUCT(Applyment, (),
                      (id, courseId, courseNo, title, professorNo, professorNm, phoneNumber, age, career, professorSpec,
                       applyStatus))

// What a professor sends to apply (the seed's PATCH body).
struct Application {
    int64_t professorNo = 0;
    std::string professorNm;
    std::string phoneNumber;
    std::optional<int64_t> age;
    std::optional<int64_t> career;
    std::string professorSpec;
};

// A professor number and name, a phone number of digits (and `-`, `+`, spaces), a plausible age
// and career.
Status ValidateApplication(const Application& application);

// The entry for a newly registered course.
Applyment Opened(int64_t course_id, int64_t course_no, std::string title);

// Applies: true when the entry changed (→ ProfessorApplied); false for a repeat of the same
// application; FailedPrecondition when another professor applied, or it was confirmed or closed.
Result<bool> Apply(Applyment& entry, const Application& application);

// Cancels the application: true when it changed (→ ApplymentCanceled); false when it was canceled
// already; FailedPrecondition when nobody applied or the professor was confirmed.
Result<bool> CancelApplication(Applyment& entry);

// The course was canceled: the entry closes; true when an application was canceled with it.
bool CloseForCourse(Applyment& entry);

// The evaluation confirmed `professor_no`: true when the entry changed.
bool Confirm(Applyment& entry, int64_t professor_no);

}  // namespace reservo::course::apply
