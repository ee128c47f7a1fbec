// Fibers: synchronous code that waits on the event loop without blocking it.
//
// Use cases and repositories are synchronous (they take a Tx& or a Database&, and return). A store
// whose calls cross the network (PostgreSQL) must not hold the event loop for each round trip, so
// such code runs on a fiber — a stack of its own — and a call that has to wait suspends the fiber
// instead; the loop serves other requests meanwhile and resumes the fiber when the socket is ready:
//
//   Result<Reservation> r = co_await fiber::Call(io, [&] { return Reserve(tx, command); });
//
//   // deep inside, in the store adapter:
//   if (fiber::Inside()) fiber::Suspend([&](fiber::Resume resume) { socket.async_wait(..., resume); });
//
// Everything stays on the loop's thread: a fiber runs only while the loop runs it, so nothing needs
// a lock — but other work interleaves wherever a fiber suspends. trace::Current() and
// deadline::Current() are the fiber's own again after each suspension.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace boost::asio {
class io_context;
}

namespace reservo::fiber {

// Continues a suspended fiber; call it once, from the loop (an asio completion handler).
using Resume = std::function<void()>;

// Whether the calling code runs on a fiber (and so may suspend).
bool Inside();
// The running fiber's identity; nullptr off a fiber.
const void* Id();
// The loop that runs the calling fiber. Only on a fiber.
boost::asio::io_context& Loop();

// Suspends the calling fiber until the Resume given to `arm` is called. `arm` starts the wait (an
// async_wait, a timer) with that Resume as its completion; it must not call it itself. Only on a fiber.
void Suspend(const std::function<void(Resume)>& arm);

// Suspends the calling fiber for `pause`, the loop going on meanwhile. Only on a fiber.
void Sleep(std::chrono::milliseconds pause);

// Runs `fn` on a new fiber until it returns, the loop going on while it is suspended. What `fn`
// throws is thrown here. `fn` is used in place: it must outlive the call (a local of the caller).
boost::asio::awaitable<void> Run(boost::asio::io_context& io, const std::function<void()>& fn);

// Run for a function with a result. Pass a lambda capturing by reference (GCC 12 mishandles a
// temporary with a destructor that lives across a co_await).
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> Call(boost::asio::io_context& io, F&& fn) {
    using R = std::invoke_result_t<F&>;
    std::optional<R> out;
    const std::function<void()> body = [&] { out.emplace(fn()); };
    co_await Run(io, body);
    co_return std::move(*out);
}

}  // namespace reservo::fiber
