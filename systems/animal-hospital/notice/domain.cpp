#include "systems/animal-hospital/notice/domain.hpp"

namespace reservo::animal_hospital::notice {

std::string MessageFor(std::string_view status, std::string_view name, std::string_view date) {
    std::string what = status == "canceled"  ? "예약 취소 되었습니다."
                       : status == "changed" ? "예약 변경 되었습니다."
                                             : "예약 되었습니다.";
    return "[동물병원] " + std::string(name) + "님, " + std::string(date) + " " + what;
}

}  // namespace reservo::animal_hospital::notice
