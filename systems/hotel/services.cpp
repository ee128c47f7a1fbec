#include "systems/hotel/services.hpp"

#include "systems/hotel/payment/module.hpp"
#include "systems/hotel/reservation-view/module.hpp"
#include "systems/hotel/reservation/module.hpp"
#include "systems/hotel/room/module.hpp"

namespace reservo::hotel {

std::vector<service::ServiceModule> HotelServices() {
    return {RoomModule(), ReservationModule(), PaymentModule(), ReservationViewModule()};
}

}  // namespace reservo::hotel
