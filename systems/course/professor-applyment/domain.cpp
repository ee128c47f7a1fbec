#include "systems/course/professor-applyment/domain.hpp"

#include "kit/json/json.hpp"

namespace reservo::course::apply {
namespace {

bool IsPhoneNumber(std::string_view s) {
    if (s.empty() || s.size() > 30) return false;
    int digits = 0;
    for (char c : s) {
        if (c >= '0' && c <= '9') {
            ++digits;
        } else if (c != '-' && c != '+' && c != ' ') {
            return false;
        }
    }
    return digits > 0;
}

std::string Entry(const Applyment& e) { return "application " + std::to_string(e.id); }

}  // namespace

Status ValidateApplication(const Application& a) {
    if (a.professorNo <= 0) return Fail(Code::kInvalidArgument, "professorNo: must be a positive number");
    if (auto st = json::ValidateName("professorNm", a.professorNm, 100); !st) return st;
    if (!IsPhoneNumber(a.phoneNumber)) {
        return Fail(Code::kInvalidArgument, "phoneNumber: digits, '-', '+' or spaces, at most 30 characters");
    }
    if (a.age && (*a.age < 1 || *a.age > 120)) return Fail(Code::kInvalidArgument, "age: 1 to 120");
    if (a.career && (*a.career < 0 || *a.career > 100)) return Fail(Code::kInvalidArgument, "career: 0 to 100");
    if (a.age && a.career && *a.career > *a.age) {
        return Fail(Code::kInvalidArgument, "career: not longer than the professor's age");
    }
    if (json::CharCount(a.professorSpec) > 1000) {
        return Fail(Code::kInvalidArgument, "professorSpec: at most 1000 characters");
    }
    return Ok();
}

Applyment Opened(int64_t course_id, int64_t course_no, std::string title) {
    return Applyment{
        .courseId = course_id, .courseNo = course_no, .title = std::move(title), .applyStatus = std::string(kOpen)};
}

Result<bool> Apply(Applyment& e, const Application& a) {
    if (e.applyStatus == kCourseCanceled)
        return Fail(Code::kFailedPrecondition, "course " + std::to_string(e.courseId) + " was canceled");
    if (e.applyStatus == kConfirmed) {
        return Fail(Code::kFailedPrecondition,
                    Entry(e) + ": professor " + std::to_string(*e.professorNo) + " was confirmed already");
    }
    if (e.applyStatus == kApplied) {
        if (e.professorNo == a.professorNo && e.professorNm == a.professorNm && e.phoneNumber == a.phoneNumber &&
            e.age == a.age && e.career == a.career && e.professorSpec == a.professorSpec) {
            return false;
        }
        return Fail(Code::kFailedPrecondition, Entry(e) + " was made by professor " + std::to_string(*e.professorNo) +
                                                   "; it must be canceled first");
    }
    e.professorNo = a.professorNo;
    e.professorNm = a.professorNm;
    e.phoneNumber = a.phoneNumber;
    e.age = a.age;
    e.career = a.career;
    e.professorSpec = a.professorSpec;
    e.applyStatus = std::string(kApplied);
    return true;
}

Result<bool> CancelApplication(Applyment& e) {
    if (e.applyStatus == kApplyCanceled || e.applyStatus == kCourseCanceled) return false;
    if (e.applyStatus == kOpen) return Fail(Code::kFailedPrecondition, Entry(e) + ": nobody applied");
    if (e.applyStatus == kConfirmed) {
        return Fail(Code::kFailedPrecondition,
                    Entry(e) + ": professor " + std::to_string(*e.professorNo) + " was confirmed already");
    }
    e.applyStatus = std::string(kApplyCanceled);
    return true;
}

bool CloseForCourse(Applyment& e) {
    if (e.applyStatus == kCourseCanceled) return false;
    bool had_application = e.applyStatus == kApplied || e.applyStatus == kConfirmed;
    e.applyStatus = std::string(kCourseCanceled);
    return had_application;
}

bool Confirm(Applyment& e, int64_t professor_no) {
    if (e.applyStatus != kApplied || e.professorNo != professor_no) return false;
    e.applyStatus = std::string(kConfirmed);
    return true;
}

}  // namespace reservo::course::apply
