// Error propagation in one line, instead of `if (!x) return Fail(x.error());` after every call:
//
//   Result<Reservation> Cancel(store::Database& db, int64_t id) {
//       Reservation r = RESERVO_TRY(reservations.Load(db, id));   // a failure returns it as is
//       RESERVO_TRY(reservations.Update(db, r));                   // Status works too
//       return r;
//   }
//
// In a coroutine, RESERVO_CO_TRY does the same with `co_return` — on a value already awaited:
// `auto r = co_await x(); T v = RESERVO_CO_TRY(std::move(r));` (a co_await inside a statement
// expression crashes GCC 12). Both are GNU statement expressions (GCC and Clang), the only way for
// an expression to return from its function.
#pragma once

#include <type_traits>
#include <utility>

#include "kit/core/error.hpp"

namespace reservo::detail {

// The value of a successful Result, moved out; nothing for a Status.
template <class R>
auto TakeValue(R&& r) {
    if constexpr (std::is_void_v<typename std::remove_cvref_t<R>::value_type>) {
        return;
    } else {
        return std::move(*r);
    }
}

}  // namespace reservo::detail

#define RESERVO_TRY(...)                                                                          \
    ({                                                                                            \
        auto&& reservo_try_result_ = (__VA_ARGS__);                                               \
        if (!reservo_try_result_) return ::reservo::Fail(std::move(reservo_try_result_).error()); \
        ::reservo::detail::TakeValue(std::move(reservo_try_result_));                             \
    })

#define RESERVO_CO_TRY(...)                                                                          \
    ({                                                                                               \
        auto&& reservo_try_result_ = (__VA_ARGS__);                                                  \
        if (!reservo_try_result_) co_return ::reservo::Fail(std::move(reservo_try_result_).error()); \
        ::reservo::detail::TakeValue(std::move(reservo_try_result_));                                \
    })
