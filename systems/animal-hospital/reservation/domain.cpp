#include "systems/animal-hospital/reservation/domain.hpp"

namespace reservo::animal_hospital::booking {
namespace {

constexpr size_t kMaxPhoneChars = 20;

Status ValidatePhone(std::string_view phone) {
    if (auto st = json::ValidateName("phoneNumber", phone, kMaxPhoneChars); !st) return st;
    int digits = 0;
    for (char c : phone) {
        if (c >= '0' && c <= '9') {
            ++digits;
        } else if (c != '-' && c != '+' && c != ' ' && c != '(' && c != ')') {
            return Fail(Code::kInvalidArgument, "phoneNumber: only digits, '+', '-', spaces and parentheses");
        }
    }
    if (digits < 3) return Fail(Code::kInvalidArgument, "phoneNumber: at least 3 digits");
    return Ok();
}

Status ValidateDate(std::string_view date) {
    auto normalized = json::NormalizeDate(date);
    if (!normalized) return Fail(Code::kInvalidArgument, "reservationDate: expected a date YYYY-MM-DD");
    return Ok();
}

}  // namespace

Status ValidateReserve(const ReserveCommand& c) {
    if (auto st = json::ValidateName("reservatorName", c.reservatorName, 100); !st) return st;
    if (auto st = ValidateDate(c.reservationDate); !st) return st;
    return ValidatePhone(c.phoneNumber);
}

Result<bool> Change(Reservation& r, const ChangeCommand& c) {
    if (r.status == kCanceled) {
        return Fail(Code::kFailedPrecondition, "reservation " + std::to_string(r.id) + " is canceled");
    }
    Reservation after = r;
    if (c.reservatorName) after.reservatorName = *c.reservatorName;
    if (c.reservationDate) after.reservationDate = {*c.reservationDate};
    if (c.phoneNumber) after.phoneNumber = *c.phoneNumber;
    if (auto st = ValidateReserve({after.reservatorName, after.reservationDate.iso, after.phoneNumber}); !st) {
        return Fail(st.error());
    }
    if (after.reservatorName == r.reservatorName && after.reservationDate == r.reservationDate &&
        after.phoneNumber == r.phoneNumber) {
        return false;
    }
    after.status = std::string(kChanged);
    r = std::move(after);
    return true;
}

bool Cancel(Reservation& r) {
    if (r.status == kCanceled) return false;
    r.status = std::string(kCanceled);
    return true;
}

}  // namespace reservo::animal_hospital::booking
