// Course management use cases, each inside one transaction (a Tx from the unit of work): the
// events of a course's life (registered, changed, canceled) and CompleteCourse, the synchronous
// call of professor-evaluation that sets a course's professor (→ CourseCompleted), idempotent per
// evaluation, and its compensation (ProfessorConfirmationAborted), after which that evaluation is
// refused.
#pragma once

#include "kit/service/unit_of_work.hpp"
#include "kit/store/table.hpp"
#include "systems/course/course-management/domain.hpp"
#include "systems/course/events.hpp"

namespace reservo::course::mgmt {

struct CompleteResult {
    Course course;
    bool assigned = false;  // false: a repeat answered with the course as the first call left it
};

class Courses final {
  public:
    Courses(const store::Table<Course>& courses, const store::Table<Confirmation>& confirmations)
        : courses_(courses), confirmations_(confirmations) {}

    Status Registered(service::Tx& tx, const Course& course) const;
    // CourseChanged when what the other services know of the course changed.
    Status Changed(service::Tx& tx, const Course& before, const Course& after) const;
    Status Canceling(service::Tx& tx, const Course& course) const;

    // Sets the course's professor once per evaluation (→ CourseCompleted); NotFound for a course
    // that does not exist (any more), FailedPrecondition when that professor is the course's already
    // or the evaluation's confirmation was aborted.
    Result<CompleteResult> CompleteCourse(service::Tx& tx, const Completion& completion) const;
    // ProfessorConfirmationAborted: the professor that evaluation set (if it is still the course's) is
    // replaced by the one before it, and the evaluation refused from then on; once (a redelivery,
    // or an abort arriving before the late call, changes nothing more).
    Status ConfirmationAborted(service::Tx& tx, const ProfessorConfirmationAborted& aborted) const;

  private:
    const store::Table<Course>& courses_;
    const store::Table<Confirmation>& confirmations_;
};

}  // namespace reservo::course::mgmt
