#include "kit/core/fiber.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kit/core/deadline.hpp"
#include "kit/core/trace.hpp"

namespace reservo::fiber {
namespace {

namespace asio = boost::asio;
namespace bc = boost::context;

constexpr size_t kStackBytes = 256 * 1024;

// Stacks with a guard page below them (an overflow faults instead of corrupting the heap), kept
// for reuse: a fiber per store call would otherwise cost an mmap, an mprotect and a munmap.
class StackPool final {
  public:
    ~StackPool() {
        for (auto& sc : free_) bc::protected_fixedsize_stack(kStackBytes).deallocate(sc);
    }
    bc::stack_context Take() {
        if (free_.empty()) return bc::protected_fixedsize_stack(kStackBytes).allocate();
        bc::stack_context sc = free_.back();
        free_.pop_back();
        return sc;
    }
    void Give(bc::stack_context& sc) noexcept {
        if (free_.size() < kKept) {
            free_.push_back(sc);
            return;
        }
        bc::protected_fixedsize_stack(kStackBytes).deallocate(sc);
    }

  private:
    static constexpr size_t kKept = 64;
    std::vector<bc::stack_context> free_;
};

thread_local StackPool stacks;

// The stack allocator Boost.Context is given (copied into each fiber).
struct PooledStack {
    bc::stack_context allocate() { return stacks.Take(); }
    void deallocate(bc::stack_context& sc) noexcept { stacks.Give(sc); }
};

struct State : std::enable_shared_from_this<State> {
    asio::io_context* io = nullptr;
    const std::function<void()>* fn = nullptr;
    std::function<void(std::exception_ptr)> done;
    bc::fiber self;  // the fiber, between runs
    bc::fiber back;  // where it goes when it suspends or ends
    bool running = false;
    bool finished = false;
    std::exception_ptr error;

    ~State() {
        // Suspended for good: the loop went away with the fiber's wait pending (shutdown). Unwinding
        // its stack would run destructors that need that loop (a transaction's rollback): leave it.
        if (self) new bc::fiber(std::move(self));  // deliberately not freed
    }
};

thread_local State* current = nullptr;

// Runs the fiber until it suspends or ends; reports its end.
void Enter(const std::shared_ptr<State>& s) {
    State* outer = std::exchange(current, s.get());
    s->running = true;
    s->self = std::move(s->self).resume();
    s->running = false;
    current = outer;
    if (s->finished && s->done) std::exchange(s->done, nullptr)(s->error);
}

void Start(asio::io_context& io, const std::function<void()>& fn, std::function<void(std::exception_ptr)> done) {
    auto s = std::make_shared<State>();
    s->io = &io;
    s->fn = &fn;
    s->done = std::move(done);
    State* raw = s.get();
    s->self = bc::fiber(std::allocator_arg, PooledStack{}, [raw](bc::fiber&& back) {
        raw->back = std::move(back);
        try {
            (*raw->fn)();
        } catch (const bc::detail::forced_unwind&) {
            throw;
        } catch (...) {
            raw->error = std::current_exception();
        }
        raw->fn = nullptr;
        raw->finished = true;
        return std::move(raw->back);
    });
    Enter(s);
}

}  // namespace

bool Inside() { return current != nullptr; }

const void* Id() { return current; }

asio::io_context& Loop() {
    if (!current) throw std::logic_error("fiber::Loop() off a fiber");
    return *current->io;
}

void Suspend(const std::function<void(Resume)>& arm) {
    State* s = current;
    if (!s) throw std::logic_error("fiber::Suspend() off a fiber");
    const std::string trace = trace::Current();
    const auto deadline = deadline::Current();
    std::shared_ptr<State> self = s->shared_from_this();
    arm([self] {
        // Called before the fiber got away (by `arm` itself): continue it from the loop instead.
        if (self->running) {
            asio::post(*self->io, [self] { Enter(self); });
            return;
        }
        if (!self->finished) Enter(self);
    });
    self.reset();  // the pending wait holds it now
    s->back = std::move(s->back).resume();
    trace::SetCurrent(trace);
    deadline::SetCurrent(deadline);
}

void Sleep(std::chrono::milliseconds pause) {
    auto timer = std::make_shared<asio::steady_timer>(Loop(), pause);
    Suspend(
        [timer](Resume resume) { timer->async_wait([timer, resume](const boost::system::error_code&) { resume(); }); });
}

asio::awaitable<void> Run(asio::io_context& io, const std::function<void()>& fn) {
    struct Done {
        explicit Done(asio::io_context& io) : signal(io, asio::steady_timer::time_point::max()) {}
        asio::steady_timer signal;
        bool finished = false;
        std::exception_ptr error;
    };
    auto d = std::make_shared<Done>(io);
    const std::string trace = trace::Current();
    const auto deadline = deadline::Current();
    Start(io, fn, [d](std::exception_ptr e) {
        d->finished = true;
        d->error = e;
        d->signal.cancel();
    });
    while (!d->finished) co_await d->signal.async_wait(asio::as_tuple(asio::use_awaitable));
    trace::SetCurrent(trace);
    deadline::SetCurrent(deadline);
    if (d->error) std::rethrow_exception(d->error);
}

}  // namespace reservo::fiber
