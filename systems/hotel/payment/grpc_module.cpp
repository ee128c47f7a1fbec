// libreservo_hotel_grpc.so: payment's gRPC server and reservation's client behind the C table of
// grpc_module.hpp. Only this file (and the generated code) includes gRPC's headers.
#include "systems/hotel/payment/grpc_module.hpp"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "systems/hotel/payment/payment.grpc.pb.h"

namespace v1 = reservo::hotel::payment::v1;

// ---- payment's server ---------------------------------------------------------------------------

struct ReservoPayCall {
    grpc::ServerUnaryReactor* reactor;
    v1::PayReply* reply;
};

struct ReservoPayServer final : v1::Payments::CallbackService {
    ReservoPayServer(ReservoPayOnCall on_call, void* user) : on_call(on_call), user(user) {}

    ~ReservoPayServer() override {
        Stop(std::chrono::system_clock::now());
        if (stopper.joinable()) stopper.join();
    }

    // gRPC's thread: hand the call over.
    grpc::ServerUnaryReactor* Pay(grpc::CallbackServerContext* context, const v1::PayRequest* request,
                                  v1::PayReply* reply) override {
        auto* reactor = context->DefaultReactor();
        int64_t deadline = 0;
        const auto at = context->deadline();
        if (at < std::chrono::system_clock::time_point::max() - std::chrono::hours(24 * 365)) {
            deadline = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
        }
        const auto& metadata = context->client_metadata();
        auto incoming = metadata.find("traceparent");
        std::string traceparent =
            incoming != metadata.end() ? std::string(incoming->second.data(), incoming->second.size()) : "";
        const ReservoPayRequest plain{.reservation_id = request->reservation_id(),
                                      .user_id = request->user_id().c_str(),
                                      .amount = request->amount(),
                                      .pay_method = request->pay_method().c_str()};
        on_call(user, new ReservoPayCall{reactor, reply}, &plain, deadline, traceparent.c_str());
        return reactor;
    }

    // Shutdown blocks until every call is answered, and answers come from the caller's loop:
    // never on the caller's thread.
    void Stop(std::chrono::system_clock::time_point by) {
        std::lock_guard lock(stop_mutex);
        if (stopping || !server) return;
        stopping = true;
        stopper = std::thread([server = server.get(), by] { server->Shutdown(by); });
    }

    ReservoPayOnCall on_call;
    void* user;
    std::unique_ptr<grpc::Server> server;
    int port = 0;
    std::mutex stop_mutex;
    bool stopping = false;
    std::thread stopper;
};

// ---- reservation's client -----------------------------------------------------------------------

struct ReservoPayChannel {
    std::unique_ptr<v1::Payments::Stub> stub;
    std::mutex mutex;
    std::condition_variable idle;
    std::vector<grpc::ClientContext*> flights;  // in flight, for cancelling at disconnect
};

namespace reservo::hotel::pay {
namespace {

namespace chrono = std::chrono;

const char* GrpcCodeName(int code) {
    static const char* const kNames[] = {
        "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
        "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
        "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
        "DATA_LOSS", "UNAUTHENTICATED"};
    return code >= 0 && code < 17 ? kNames[code] : "UNKNOWN";
}

void CopyError(const std::string& what, char* error, size_t error_size) {
    if (error != nullptr && error_size > 0) std::snprintf(error, error_size, "%s", what.c_str());
}

ReservoPayServer* Serve(const char* address, int reuse_port, ReservoPayOnCall on_call, void* user, int* port,
                        char* error, size_t error_size) {
    try {
        auto server = std::make_unique<ReservoPayServer>(on_call, user);
        grpc::ServerBuilder builder;
        builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, reuse_port != 0 ? 1 : 0);
        builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &server->port);
        builder.RegisterService(server.get());
        server->server = builder.BuildAndStart();
        if (!server->server || server->port == 0) {
            CopyError(std::string("cannot serve gRPC on ") + address + " (in use?)", error, error_size);
            return nullptr;
        }
        if (port != nullptr) *port = server->port;
        return server.release();
    } catch (const std::exception& e) {
        CopyError(std::string("cannot serve gRPC on ") + address + ": " + e.what(), error, error_size);
        return nullptr;
    }
}

const char* Answer(ReservoPayCall* call, const ReservoPayOutcome* outcome) {
    std::unique_ptr<ReservoPayCall> gone(call);
    const int code = GrpcCodeOf(static_cast<Code>(outcome->code));
    if (code == 0) {
        auto* out = call->reply->mutable_payment();
        out->set_id(outcome->id);
        out->set_reservation_id(outcome->reservation_id);
        out->set_user_id(outcome->user_id != nullptr ? outcome->user_id : "");
        out->set_amount(outcome->amount);
        out->set_pay_method(outcome->pay_method != nullptr ? outcome->pay_method : "");
        out->set_pay_status(outcome->pay_status != nullptr ? outcome->pay_status : "");
        out->set_pay_date(outcome->pay_date != nullptr ? outcome->pay_date : "");
        call->reply->set_created(outcome->created != 0);
        call->reactor->Finish(grpc::Status::OK);
    } else {
        call->reactor->Finish(
            grpc::Status(static_cast<grpc::StatusCode>(code), outcome->message != nullptr ? outcome->message : ""));
    }
    return GrpcCodeName(code);
}

void Shutdown(ReservoPayServer* server, int64_t by_unix_ns) {
    server->Stop(chrono::system_clock::time_point(
        chrono::duration_cast<chrono::system_clock::duration>(chrono::nanoseconds(by_unix_ns))));
}

void Destroy(ReservoPayServer* server) { delete server; }

ReservoPayChannel* Connect(const char* target) {
    grpc::ChannelArguments args;
    // Payment back after an outage is found within a second or two, not gRPC's default minutes.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    // Retrying is the call policy's decision (retry.* of the dependency), not the channel's.
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    auto* channel = new ReservoPayChannel;
    channel->stub = v1::Payments::NewStub(grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
    return channel;
}

// One call in flight: what gRPC fills in, kept alive until it calls back.
struct Flight {
    grpc::ClientContext context;
    v1::PayRequest request;
    v1::PayReply reply;
};

void Pay(ReservoPayChannel* channel, const ReservoPayRequest* request, int64_t timeout_ms, const char* traceparent,
         ReservoPayDone done, void* user) {
    auto* flight = new Flight;
    flight->request.set_reservation_id(request->reservation_id);
    flight->request.set_user_id(request->user_id != nullptr ? request->user_id : "");
    flight->request.set_amount(request->amount);
    flight->request.set_pay_method(request->pay_method != nullptr ? request->pay_method : "");
    flight->context.set_deadline(chrono::system_clock::now() + chrono::milliseconds(timeout_ms));
    if (traceparent != nullptr && *traceparent != '\0') flight->context.AddMetadata("traceparent", traceparent);
    {
        std::lock_guard lock(channel->mutex);
        channel->flights.push_back(&flight->context);
    }
    channel->stub->async()->Pay(&flight->context, &flight->request, &flight->reply,
                                [channel, flight, done, user](grpc::Status status) {
                                    ReservoPayOutcome outcome{};
                                    const auto& p = flight->reply.payment();
                                    outcome.code = static_cast<int>(CodeOfGrpc(static_cast<int>(status.error_code())));
                                    const std::string message = status.error_message();  // by value
                                    outcome.message = message.c_str();
                                    if (status.ok()) {
                                        outcome.id = p.id();
                                        outcome.reservation_id = p.reservation_id();
                                        outcome.user_id = p.user_id().c_str();
                                        outcome.amount = p.amount();
                                        outcome.pay_method = p.pay_method().c_str();
                                        outcome.pay_status = p.pay_status().c_str();
                                        outcome.pay_date = p.pay_date().c_str();
                                        outcome.created = flight->reply.created() ? 1 : 0;
                                    }
                                    done(user, &outcome);
                                    std::lock_guard lock(channel->mutex);
                                    std::erase(channel->flights, &flight->context);
                                    delete flight;
                                    if (channel->flights.empty()) channel->idle.notify_all();
                                });
}

void Disconnect(ReservoPayChannel* channel) {
    {
        std::unique_lock lock(channel->mutex);
        for (grpc::ClientContext* f : channel->flights) f->TryCancel();
        channel->idle.wait(lock, [channel] { return channel->flights.empty(); });
    }
    delete channel;
}

constexpr ReservoHotelGrpcApi kApi{
    .version = kReservoHotelGrpcApiVersion,
    .serve = Serve,
    .answer = Answer,
    .shutdown = Shutdown,
    .destroy = Destroy,
    .connect = Connect,
    .pay = Pay,
    .disconnect = Disconnect,
};

}  // namespace

const ReservoHotelGrpcApi* HotelGrpcApi() { return &kApi; }

int GrpcCodeOf(Code code) {
    grpc::StatusCode out = grpc::StatusCode::INTERNAL;
    switch (code) {
        case Code::kOk:
            out = grpc::StatusCode::OK;
            break;
        case Code::kInvalidArgument:
            out = grpc::StatusCode::INVALID_ARGUMENT;
            break;
        case Code::kNotFound:
            out = grpc::StatusCode::NOT_FOUND;
            break;
        case Code::kAlreadyExists:
            out = grpc::StatusCode::ALREADY_EXISTS;
            break;
        case Code::kFailedPrecondition:
            out = grpc::StatusCode::FAILED_PRECONDITION;
            break;
        case Code::kAborted:
            out = grpc::StatusCode::ABORTED;
            break;
        case Code::kPayloadTooLarge:
        case Code::kResourceExhausted:
            out = grpc::StatusCode::RESOURCE_EXHAUSTED;
            break;
        case Code::kUnavailable:
            out = grpc::StatusCode::UNAVAILABLE;
            break;
        case Code::kDeadlineExceeded:
            out = grpc::StatusCode::DEADLINE_EXCEEDED;
            break;
        case Code::kUnknown:
            out = grpc::StatusCode::UNKNOWN;
            break;
        case Code::kInternal:
            out = grpc::StatusCode::INTERNAL;
            break;
    }
    return static_cast<int>(out);
}

Code CodeOfGrpc(int grpc_code) {
    switch (static_cast<grpc::StatusCode>(grpc_code)) {
        case grpc::StatusCode::OK:
            return Code::kOk;
        case grpc::StatusCode::INVALID_ARGUMENT:
        case grpc::StatusCode::OUT_OF_RANGE:
            return Code::kInvalidArgument;
        case grpc::StatusCode::NOT_FOUND:
            return Code::kNotFound;
        case grpc::StatusCode::ALREADY_EXISTS:
            return Code::kAlreadyExists;
        case grpc::StatusCode::FAILED_PRECONDITION:
            return Code::kFailedPrecondition;
        case grpc::StatusCode::ABORTED:
            return Code::kAborted;
        case grpc::StatusCode::RESOURCE_EXHAUSTED:
            return Code::kResourceExhausted;
        case grpc::StatusCode::UNAVAILABLE:
            return Code::kUnavailable;
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return Code::kDeadlineExceeded;
        case grpc::StatusCode::UNKNOWN:
        case grpc::StatusCode::CANCELLED:
            return Code::kUnknown;
        default:
            return Code::kInternal;  // UNIMPLEMENTED, UNAUTHENTICATED, PERMISSION_DENIED, DATA_LOSS, INTERNAL
    }
}

}  // namespace reservo::hotel::pay
