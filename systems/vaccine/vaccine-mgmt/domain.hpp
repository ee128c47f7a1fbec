// Vaccine management domain: dose lots registered by date and hospital, and the doses taken
// from them by reservations. Pure rules, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kit/core/error.hpp"

namespace reservo::vaccine::mgmt {

inline constexpr int64_t kMaxQty = 1'000'000;

struct VaccineLot {
    int64_t id = 0;
    std::string vaccineType;
    std::string hospital;
    std::string availableDate;  // YYYY-MM-DD
    int64_t qty = 0;
    std::string vaccineStatus;  // "registered"
};

// What happened to the dose a reservation asked for.
enum class DoseState { kTaken, kReturned, kVoided };
std::string_view DoseStateName(DoseState s);
std::optional<DoseState> ParseDoseState(std::string_view s);

// Registering a lot: types and places must be named, quantities within range.
Status ValidateLot(const VaccineLot& lot);

// Taking one dose: refused when none is left.
Result<VaccineLot> TakeOne(VaccineLot lot);

// A reservation asks for its dose again: taken before → same lot (idempotent); returned or voided →
// refused, the reservation was given up.
Status CheckRepeatTake(DoseState previous);

}  // namespace reservo::vaccine::mgmt
