// Adapters of diagnosis: the resource `/medicalRecords` (reads, the opening call reservation
// makes, and the doctor's PATCH), and the policies that follow the reservation's events.
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/rest.hpp"
#include "systems/animal-hospital/diagnosis/application.hpp"
#include "systems/animal-hospital/diagnosis/module.hpp"
#include "systems/animal-hospital/events.hpp"

namespace reservo::animal_hospital {
namespace {

using namespace care;

const store::Table<MedicalRecord> kRecords({.collection = "medicalRecords",
                                            .finders = {"reservationId", "doctor", "status"},
                                            .unique = {"reservationId"}});

// Not a resource: the reservations whose saga was aborted.
const store::Table<ClosedReservation> kClosed({.collection = "closedReservations", .assigned_ids = true});

// `POST /medicalRecords {reservationId, doctor, medicalOpinion, treatment, status}`: status is the
// service's (ignored, like any unknown field).
struct OpenBody {
    int64_t reservationId;
    std::optional<json::Date> reservationDate;
    std::string doctor;
    std::optional<std::string> medicalOpinion;
    std::optional<std::string> treatment;
};
BOOST_DESCRIBE_STRUCT(OpenBody, (), (reservationId, reservationDate, doctor, medicalOpinion, treatment))

struct ChangeBody {
    std::optional<std::string> doctor;
    std::optional<std::string> medicalOpinion;
    std::optional<std::string> treatment;
    std::optional<std::string> status;
};
BOOST_DESCRIBE_STRUCT(ChangeBody, (), (doctor, medicalOpinion, treatment, status))

http::Response RecordResponse(const http::Request& req, int status, const MedicalRecord& r) {
    auto entity = service::EntityJson(kRecords, r);
    if (status == 201) return http::CreatedResponse(req, "medicalRecords", r.id, std::move(entity));
    return http::EntityResponse(req, status, "medicalRecords", r.id, std::move(entity));
}

struct DiagnosisService {
    explicit DiagnosisService(service::ServiceContext& ctx) : uow(ctx), records(kRecords, kClosed) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kRecords.shape().Ensure(ctx.db()); !st) return st;
        if (auto st = kClosed.shape().Ensure(ctx.db()); !st) return st;
        auto& r = ctx.router();
        service::ExposeReads(r, ctx.db(), kRecords.shape());
        r.PostAsync("/medicalRecords", [this](http::Request& req) -> http::Awaitable<http::Response> {
            auto body = json::Parse<OpenBody>(req.body);
            if (!body) co_return http::ProblemFrom(body.error());
            OpenRequest request{.reservationId = body->reservationId,
                                .reservationDate = body->reservationDate ? body->reservationDate->iso : "",
                                .doctor = body->doctor,
                                .medicalOpinion = body->medicalOpinion.value_or(""),
                                .treatment = body->treatment.value_or("")};
            auto opened = co_await uow.Write([&](service::Tx& tx) { return records.Open(tx, request); });
            if (!opened) co_return http::ProblemFrom(opened.error());
            co_return RecordResponse(req, opened->created ? 201 : 200, opened->record);
        });
        r.PatchAsync("/medicalRecords/{id}", [this](http::Request& req) -> http::Awaitable<http::Response> {
            auto id = http::ParseId(req.Param("id"));
            if (!id) co_return http::ProblemFrom(id.error());
            auto body = json::Parse<ChangeBody>(req.body);
            if (!body) co_return http::ProblemFrom(body.error());
            RecordChange change{body->doctor, body->medicalOpinion, body->treatment, body->status};
            auto recorded =
                co_await uow.Write([&](service::Tx& tx) { return records.RecordTreatment(tx, *id, change); });
            if (!recorded) co_return http::ProblemFrom(recorded.error());
            co_return RecordResponse(req, 200, *recorded);
        });
        service::On<ReservationChanged>(
            uow, [this](const ReservationChanged& e, service::Tx& tx) { return records.Reschedule(tx, e); });
        service::On<ReservationCanceled>(
            uow, [this](const ReservationCanceled& e, service::Tx& tx) { return records.CancelFor(tx, e); });
        service::On<ReservationAborted>(
            uow, [this](const ReservationAborted& e, service::Tx& tx) { return records.Close(tx, e); });
        return Ok();
    }

    service::UnitOfWork uow;
    Records records;
};

}  // namespace

service::ServiceModule DiagnosisModule() {
    return service::ServiceModule{
        .system = "animal-hospital",
        .name = "diagnosis",
        .wire = service::WireParts<DiagnosisService>(),
    };
}

}  // namespace reservo::animal_hospital
