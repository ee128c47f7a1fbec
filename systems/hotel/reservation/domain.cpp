#include "systems/hotel/reservation/domain.hpp"

#include <charconv>
#include <chrono>

namespace reservo::hotel::booking {
namespace {

// Days since the epoch of an ISO date, or nothing when it is not one.
std::optional<std::chrono::sys_days> DayOf(std::string_view iso) {
    auto normalized = json::NormalizeDate(iso);
    if (!normalized || normalized->size() != 10) return std::nullopt;
    int y = 0;
    unsigned m = 0, d = 0;
    const char* s = normalized->data();
    std::from_chars(s, s + 4, y);
    std::from_chars(s + 5, s + 7, m);
    std::from_chars(s + 8, s + 10, d);
    std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
    if (!day.ok()) return std::nullopt;
    return std::chrono::sys_days(day);
}

}  // namespace

bool Overlap(const Stay& a, const Stay& b) { return a.start < b.end && b.start < a.end; }

Result<int64_t> Nights(const Stay& stay) {
    auto start = DayOf(stay.start);
    if (!start) return Fail(Code::kInvalidArgument, "reservStartDate: expected a date YYYY-MM-DD");
    auto end = DayOf(stay.end);
    if (!end) return Fail(Code::kInvalidArgument, "reservEndDate: expected a date YYYY-MM-DD");
    int64_t nights = (*end - *start).count();
    if (nights <= 0) return Fail(Code::kInvalidArgument, "reservEndDate: must be after reservStartDate");
    if (nights > kMaxNights) {
        return Fail(Code::kInvalidArgument, "a stay is at most " + std::to_string(kMaxNights) + " nights");
    }
    return nights;
}

Status ValidateReserve(const ReserveCommand& c) {
    if (c.roomId <= 0) return Fail(Code::kInvalidArgument, "roomId: must be a positive number");
    if (auto st = json::ValidateName("userId", c.userId, 100); !st) return st;
    if (json::CharCount(c.userName) > 100) return Fail(Code::kInvalidArgument, "userName: at most 100 characters");
    if (c.peopleQty < 1 || c.peopleQty > kMaxPeople) {
        return Fail(Code::kInvalidArgument, "peopleQty: 1 to " + std::to_string(kMaxPeople));
    }
    if (auto st = json::ValidateName("payMethod", c.payMethod, 50); !st) return st;
    if (auto nights = Nights(c.stay); !nights) return Fail(nights.error());
    return Ok();
}

Result<Quote> QuoteStay(const ReserveCommand& c, const std::optional<KnownRoom>& room) {
    if (!room || room->removed) return Fail(Code::kNotFound, "room " + std::to_string(c.roomId) + " does not exist");
    int64_t nights = 0;
    if (auto n = Nights(c.stay); n) {
        nights = *n;
    } else {
        return Fail(n.error());
    }
    return Quote{.roomId = room->id, .roomNo = room->roomNo, .nights = nights, .amount = room->price * nights};
}

std::string_view HoldStateName(HoldState state) {
    switch (state) {
        case HoldState::kHeld:
            return "held";
        case HoldState::kBooked:
            return "booked";
        case HoldState::kReleased:
            return "released";
    }
    return "held";
}

std::optional<HoldState> ParseHoldState(std::string_view name) {
    if (name == "held") return HoldState::kHeld;
    if (name == "booked") return HoldState::kBooked;
    if (name == "released") return HoldState::kReleased;
    return std::nullopt;
}

Status CheckFree(int64_t room_id, const Stay& wanted, const std::optional<Hold>& overlapping) {
    if (!overlapping || overlapping->state == HoldState::kReleased || !Overlap(wanted, overlapping->stay)) return Ok();
    return Fail(Code::kFailedPrecondition, "room " + std::to_string(room_id) + " is taken from " +
                                               overlapping->stay.start + " to " + overlapping->stay.end);
}

Result<bool> IsCancelRequest(std::string_view requested, std::string_view current) {
    if (requested == kCancelRequest) return true;
    if (requested == current) return false;
    if (requested == kCompleted) {
        return Fail(Code::kFailedPrecondition, "a canceled reservation cannot be completed again");
    }
    if (requested == kCancelCompleted) {
        return Fail(Code::kFailedPrecondition,
                    "a cancellation completes once the payment is refunded; request \"CancelRequest\"");
    }
    return Fail(Code::kInvalidArgument, "reservStatus: only \"CancelRequest\" can be requested");
}

bool RequestCancel(Reservation& r) {
    if (r.reservStatus != kCompleted) return false;
    r.reservStatus = std::string(kCancelRequest);
    return true;
}

bool CompleteCancel(Reservation& r, std::string_view pay_status) {
    if (r.reservStatus == kCancelCompleted) return false;
    r.reservStatus = std::string(kCancelCompleted);
    r.payStatus = std::string(pay_status);
    return true;
}

}  // namespace reservo::hotel::booking
