// How a bounded context plugs into the service host: one module, wired in one place.
//
//   ServiceModule ReservationModule() {
//       return {.system = "vaccine", .name = "reservation", .migrations = kMigrations,
//               .wire = [](ServiceContext& ctx) -> Status {
//                   auto app = std::make_shared<Reservations>(ctx.db(), ctx);
//                   ctx.router().PostAsync("/reservations", ...);
//                   ctx.On("ReservationCancelled", ...);
//                   return Ok();
//               }};
//   }
//
// The host owns everything with a lifetime: event loop, server, store, event log, outbox relay,
// consumer, dependencies, metrics, actuator endpoints, fault injection and graceful drain.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kit/core/config.hpp"
#include "kit/core/config_schema.hpp"
#include "kit/http/router.hpp"
#include "kit/messaging/cloud_event.hpp"
#include "kit/service/dependency.hpp"
#include "kit/service/metrics.hpp"
#include "kit/store/database.hpp"

namespace boost::asio {
class io_context;
}

namespace reservo::messaging {
class EventLog;
}

namespace reservo::service {

// Called inside the consumer's transaction; the event's effect and its inbox record commit together.
using EventHandler = std::function<Status(const messaging::CloudEvent&, store::Database&)>;

class ServiceContext {
  public:
    virtual ~ServiceContext() = default;

    virtual const Config& config() const = 0;
    virtual const std::string& system() const = 0;
    virtual const std::string& name() const = 0;
    // CloudEvents `source` of this service: "/<system>/<service>".
    virtual std::string source() const = 0;

    virtual boost::asio::io_context& io() = 0;
    virtual http::Router& router() = 0;
    // Operator endpoints under /actuator/…, dispatched by the host like its own (health, metrics);
    // the gateway never routes /actuator, so nothing here is reachable from outside.
    virtual http::Router& actuator() = 0;
    virtual store::Database& db() = 0;
    virtual Metrics& metrics() = 0;

    // Adds an event to the outbox inside the caller's open transaction; relayed after commit.
    virtual Status Publish(const messaging::CloudEvent& event) = 0;
    // Subscribes this service's consumer group to an event type. A service listed in the system
    // YAML subscribes to exactly the types under its `consumes:` and publishes only those under
    // its `publishes:` (the host refuses others), so the YAML's picture of the flows stays true.
    virtual void On(std::string type, EventHandler handler) = 0;
    // The named synchronous dependency declared under `services.<me>.dependencies.<name>`.
    virtual service::Dependency& Dep(const std::string& name) = 0;
    // Notices when this process's event loop stood still (for calls that must not blame others).
    virtual const LoopWatch* loop_watch() const = 0;
    // Runs `task` on the event loop every `period` until the service stops; an exception it throws
    // is logged and the next tick runs. It must not wait on a lock (use TryBegin, skip when busy).
    virtual void Every(std::chrono::milliseconds period, std::function<void()> task) = 0;

    // The system's event log; nullptr when the service uses no events.
    virtual messaging::EventLog* event_log() = 0;
    // The log for reading the topic beside the service's own consumer (a view rebuild, a saga's event
    // list): on Kafka its reads keep positions of their own, so it is another client, opened on first
    // use; the embedded log reads by offset alone and is its own reader. nullptr without events.
    virtual messaging::EventLog* reader_log() { return event_log(); }
    // The topic this service publishes to and consumes from (`events.topic`).
    virtual const std::string& topic() const = 0;
    // Reports why `component` is unusable: readiness turns DOWN with it under `details`. An empty
    // `why` clears it.
    virtual void SetProblem(const std::string& component, std::string why) = 0;
    // Runs `hook` on the event loop when the service begins to drain (SIGTERM/SIGINT), before its
    // HTTP server stops taking requests: a listener of the module's own (a gRPC server) stops with
    // it. The loop keeps running until the drain ends, so work in flight can still finish.
    virtual void OnDrain(std::function<void()> /*hook*/) {}
    // Lists a dependency the module made itself (the gateway's upstreams) under circuitBreakers in
    // /actuator/health; those from Dep() are listed already. `dep` must outlive the service.
    virtual void ShowInHealth(const Dependency& /*dep*/) {}
};

struct ServiceModule {
    std::string system;
    std::string name;
    std::vector<store::Migration> migrations;
    // The keys the module itself reads under `services.<name>.` (`abandon-after-ms`), checked with
    // the kit's before the process starts: cli/catalog.cpp builds a system's schema from them.
    std::vector<SettingSpec> settings;
    std::function<Status(ServiceContext&)> wire;
    bool uses_store = true;   // false for stateless processes such as the gateway
    bool uses_events = true;  // opens the system's event log (outbox relay and consumer)
    // Reads the system's event log without a store, relay or consumer of its own (the gateway's
    // event timelines): reader_log() opens it on first use.
    bool reads_events = false;
    // An edge process faces the outside world (the gateway): it has no operator endpoints that
    // change the process (fault injection, dead-letter replay), whatever the environment says, and
    // believes no header that only the gateway may set (the request's deadline).
    bool edge = false;
    // The key of the largest request body this process reads: the gateway, facing the outside,
    // has its own.
    std::string max_body_key = "http.max-body-bytes";
    // A CQRS view built from events only: > 0 is the version of its projection. When its store is
    // new (lost, replaced) or the version changed, the view is rebuilt from the event log, after
    // emptying the tables of its projections (service::Projection registers them). A service that
    // is not a view refuses to serve with a lost store.
    int view_version = 0;
};

struct RunOptions {
    int port = 0;
    int listen_fd = -1;  // inherited listening socket, or -1 to bind `port`
    std::string data_dir = "./data";
    bool faults_enabled = false;
    int port_base = -1;
};

// The `wire` of a module whose parts (unit of work, use cases, adapters) live in one object, made
// from the context when the service starts and kept until the process exits:
//
//   struct NotificationService {
//       explicit NotificationService(ServiceContext& ctx);
//       Status Wire(ServiceContext& ctx);   // routes, policies, tables
//   };
//   ServiceModule{.system = "vaccine", .name = "notification", .wire = WireParts<NotificationService>()};
template <class Parts>
std::function<Status(ServiceContext&)> WireParts() {
    return [](ServiceContext& ctx) -> Status {
        static std::unique_ptr<Parts> parts;  // one service per process
        parts = std::make_unique<Parts>(ctx);
        return parts->Wire(ctx);
    };
}

// ... and of parts made with one setting, read (and refused, naming the key) first:
//
//   .wire = WireParts<ReservationService>(
//       [](const Config& c) { return c.RequireMillis("services.reservation.abandon-after-ms"); }),
template <class Parts, class Read>
std::function<Status(ServiceContext&)> WireParts(Read read) {
    return [read = std::move(read)](ServiceContext& ctx) -> Status {
        auto setting = read(ctx.config());
        if (!setting) return Fail(setting.error());
        static std::unique_ptr<Parts> parts;  // one service per process
        parts = std::make_unique<Parts>(ctx, std::move(*setting));
        return parts->Wire(ctx);
    };
}

// Runs the module until SIGTERM/SIGINT, then drains. Returns the process exit code: 2, before
// anything opens, when a setting the host reads is missing or bad.
int RunService(const Config& system, const ServiceModule& module, const RunOptions& options);

}  // namespace reservo::service
