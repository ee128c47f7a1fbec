// Inbound adapters of vaccine-mgmt: REST resource `/vaccineMgmts` and the dose-release policy.
#include <boost/json.hpp>

#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"
#include "kit/service/resource.hpp"
#include "systems/vaccine/vaccine-mgmt/application.hpp"
#include "systems/vaccine/vaccine-mgmt/module.hpp"

namespace reservo::vaccine {
namespace {

using namespace mgmt;
namespace bj = boost::json;

constexpr store::Migration kMigrations[] = {
    {1,
     "CREATE TABLE vaccine_mgmts (id INTEGER PRIMARY KEY AUTOINCREMENT, vaccine_type TEXT NOT NULL, "
     "hospital TEXT NOT NULL, available_date TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty >= 0), "
     "vaccine_status TEXT NOT NULL);"
     "CREATE INDEX vaccine_mgmts_by_place ON vaccine_mgmts (hospital, available_date, vaccine_type);"
     "CREATE TABLE dose_takings (reservation_id TEXT PRIMARY KEY, vaccine_id INTEGER NOT NULL, "
     "state TEXT NOT NULL, updated_at TEXT NOT NULL);"},
    // Deleting a lot asks whether active reservations hold its doses.
    {2, "CREATE INDEX dose_takings_by_lot ON dose_takings (vaccine_id, state);"},
};

const service::Resource kLots{"vaccineMgmts",
                              "vaccine_mgmts",
                              {{"id", "id", service::Column::kInt},
                               {"vaccineType", "vaccine_type"},
                               {"hospital", "hospital"},
                               {"availableDate", "available_date"},
                               {"qty", "qty", service::Column::kInt},
                               {"vaccineStatus", "vaccine_status"}}};

struct NewLot {
    std::string vaccineType;
    std::string hospital;
    json::Date availableDate;
    int64_t qty;
};
BOOST_DESCRIBE_STRUCT(NewLot, (), (vaccineType, hospital, availableDate, qty))

struct LotChange {
    std::optional<std::string> vaccineType;
    std::optional<std::string> hospital;
    std::optional<json::Date> availableDate;
    std::optional<int64_t> qty;
};
BOOST_DESCRIBE_STRUCT(LotChange, (), (vaccineType, hospital, availableDate, qty))

bj::object ToJson(const VaccineLot& lot) {
    return {{"id", lot.id},
            {"vaccineType", lot.vaccineType},
            {"hospital", lot.hospital},
            {"availableDate", lot.availableDate},
            {"qty", lot.qty},
            {"vaccineStatus", lot.vaccineStatus}};
}

class VaccineMgmtApi final {
  public:
    explicit VaccineMgmtApi(service::ServiceContext& ctx)
        : ctx_(ctx),
          lots_(
              ctx.db(), [&ctx](const messaging::CloudEvent& e) { return ctx.Publish(e); }, ctx.source()) {}

    void Wire() {
        auto& r = ctx_.router();
        auto& db = ctx_.db();
        r.Get("/vaccineMgmts", [&](http::Request& req) { return service::ListResource(req, db, kLots); });
        r.Get("/vaccineMgmts/{id}", [&](http::Request& req) { return service::ShowResource(req, db, kLots); });
        r.Get("/vaccineMgmts/search/findByHospital",
              [&](http::Request& req) { return service::FindResource(req, db, kLots, "hospital"); });
        r.Get("/vaccineMgmts/search/findByAvailableDate",
              [&](http::Request& req) { return service::FindResource(req, db, kLots, "availableDate"); });
        r.Post("/vaccineMgmts", [this](http::Request& req) { return Register(req); });
        r.Put("/vaccineMgmts/updateVaccine", [this](http::Request& req) { return TakeDose(req); });
        r.Patch("/vaccineMgmts/{id}", [this](http::Request& req) { return Change(req, false); });
        r.Put("/vaccineMgmts/{id}", [this](http::Request& req) { return Change(req, true); });
        r.Delete("/vaccineMgmts/{id}", [this](http::Request& req) {
            auto id = http::ParseId(req.Param("id"));
            if (!id) return http::ProblemFrom(id.error());
            auto st = lots_.Remove(*id);
            return st ? http::EmptyResponse(204) : http::ProblemFrom(st.error());
        });

        auto release = [this](const messaging::CloudEvent& e, store::Database& db) -> Status {
            const bj::value* id = e.data.if_contains("reservationId");
            if (!id) id = e.data.if_contains("id");
            if (!id) return Fail(Code::kInvalidArgument, e.type + " without reservationId");
            auto rid = json::ToString(*id, "reservationId");
            if (!rid) return Fail(rid.error());
            return lots_.ReleaseDose(db, *rid);
        };
        ctx_.On("ReservationCancelled", release);
        ctx_.On("ReservationAborted", release);
    }

  private:
    http::Response Register(http::Request& req) {
        auto in = json::Parse<NewLot>(req.body);
        if (!in) return http::ProblemFrom(in.error());
        auto lot =
            lots_.RegisterVaccine(VaccineLot{0, in->vaccineType, in->hospital, in->availableDate.iso, in->qty, ""});
        if (!lot) return http::ProblemFrom(lot.error());
        return http::CreatedResponse(req, "vaccineMgmts", lot->id, ToJson(*lot));
    }

    http::Response TakeDose(http::Request& req) {
        DoseRequest dose;
        if (auto v = req.Query("vaccineId")) {
            auto id = json::ToInt(bj::value(*v), "vaccineId");
            if (!id) return http::ProblemFrom(id.error());
            if (*id <= 0) return http::Problem(400, "", "vaccineId: must be positive");
            dose.vaccineId = *id;
        } else {
            dose.hospital = req.Query("hospital").value_or("");
            dose.vaccineType = req.Query("vaccineType").value_or("");
            auto date = json::NormalizeDate(req.Query("availableDate").value_or(""));
            if (json::IsBlank(dose.hospital) || json::IsBlank(dose.vaccineType) || !date) {
                return http::Problem(400, "", "give vaccineId, or hospital, availableDate and vaccineType");
            }
            dose.availableDate = *date;
        }
        dose.reservationId = req.Query("reservationId").value_or("");
        if (dose.reservationId.size() > 64) return http::Problem(400, "", "reservationId: at most 64 characters");
        auto lot = lots_.TakeDose(dose);
        if (!lot) return http::ProblemFrom(lot.error());
        return http::EntityResponse(req, 200, "vaccineMgmts", lot->id, ToJson(*lot));
    }

    http::Response Change(http::Request& req, bool replace) {
        auto id = http::ParseId(req.Param("id"));
        if (!id) return http::ProblemFrom(id.error());
        Result<VaccineLot> lot = Fail(Code::kInternal, "unset");
        if (replace) {
            auto in = json::Parse<NewLot>(req.body);
            if (!in) return http::ProblemFrom(in.error());
            lot = lots_.Update(*id, [&](VaccineLot& l) {
                l.vaccineType = in->vaccineType;
                l.hospital = in->hospital;
                l.availableDate = in->availableDate.iso;
                l.qty = in->qty;
                return Ok();
            });
        } else {
            auto in = json::Parse<LotChange>(req.body);
            if (!in) return http::ProblemFrom(in.error());
            lot = lots_.Update(*id, [&](VaccineLot& l) {
                if (in->vaccineType) l.vaccineType = *in->vaccineType;
                if (in->hospital) l.hospital = *in->hospital;
                if (in->availableDate) l.availableDate = in->availableDate->iso;
                if (in->qty) l.qty = *in->qty;
                return Ok();
            });
        }
        if (!lot) return http::ProblemFrom(lot.error());
        return http::EntityResponse(req, 200, "vaccineMgmts", lot->id, ToJson(*lot));
    }

    service::ServiceContext& ctx_;
    VaccineLots lots_;
};

}  // namespace

service::ServiceModule VaccineMgmtModule() {
    return service::ServiceModule{
        .system = "vaccine",
        .name = "vaccine-mgmt",
        .migrations = {std::begin(kMigrations), std::end(kMigrations)},
        .wire = [](service::ServiceContext& ctx) -> Status {
            static std::unique_ptr<VaccineMgmtApi> api;  // one per process, lives until exit
            api = std::make_unique<VaccineMgmtApi>(ctx);
            api->Wire();
            return Ok();
        },
    };
}

}  // namespace reservo::vaccine
