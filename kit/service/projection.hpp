// CQRS views: a table of rows built only from events, one row per correlation key.
//
//   store::Table<MyPage> kMyPages({.collection = "myPages", .finders = {"userId"}, .unique = {"reservationId"}});
//   service::Projection<MyPage> view(uow, kMyPages, "reservationId");   // rows keyed like the events
//   view.Create<VaccineReserved>([](const VaccineReserved& e, MyPage& row) { row.userId = e.userId; ... });
//   view.Update<ReservationCancelled>([](const ReservationCancelled& e, MyPage& row) {
//       row.reservationStatus = e.reservationStatus;
//   });
//
// An event's row is the one whose key field equals the event's correlation key (its subject).
// `Create` makes the row when there is none (and fills it again when there is: a replay changes
// nothing); `Update` changes the row when there is one. Each event is applied in the consumer's
// transaction with its inbox record, so a redelivery has no second effect. A view can be rebuilt
// online from the event log: POST /actuator/views/rebuild (kit/service/view_rebuild.hpp).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kit/core/try.hpp"
#include "kit/service/unit_of_work.hpp"
#include "kit/service/view_rebuild.hpp"
#include "kit/store/table.hpp"

namespace reservo::service {

// What every projection is to the kit (the service host, a rebuild): event types and how to apply
// one event to a table of the view's shape (the live one, or a shadow being rebuilt).
class View {
  public:
    virtual ~View() = default;
    virtual const store::TableShape& shape() const = 0;
    virtual std::vector<std::string> EventTypes() const = 0;
    virtual Status Apply(const messaging::CloudEvent& event, store::Database& db, const std::string& table) const = 0;
};

template <class Row>
class Projection final : public View {
  public:
    Projection(UnitOfWork& uow, const store::Table<Row>& table, std::string key_field)
        : uow_(uow), table_(table), key_field_(std::move(key_field)) {
        RegisterView(uow.context(), *this);  // POST /actuator/views/rebuild
    }

    template <messaging::DeclaredEvent E>
    Projection& Create(std::function<void(const E&, Row&)> fill) {
        return Add<E>(std::move(fill), true);
    }
    template <messaging::DeclaredEvent E>
    Projection& Update(std::function<void(const E&, Row&)> change) {
        return Add<E>(std::move(change), false);
    }

    const store::TableShape& shape() const override { return table_.shape(); }
    std::vector<std::string> EventTypes() const override {
        std::vector<std::string> out;
        for (const auto& [type, _] : appliers_) out.push_back(type);
        return out;
    }
    Status Apply(const messaging::CloudEvent& event, store::Database& db, const std::string& table) const override {
        auto it = appliers_.find(event.type);
        if (it == appliers_.end()) return Ok();
        if (table == table_.shape().table()) return it->second(event, db, table_);
        store::Table<Row> other(table_.shape().Renamed(table));
        return it->second(event, db, other);
    }

  private:
    using Applier = std::function<Status(const messaging::CloudEvent&, store::Database&, const store::Table<Row>&)>;

    template <messaging::DeclaredEvent E>
    Projection& Add(std::function<void(const E&, Row&)> apply, bool create) {
        std::string key_field = key_field_;
        appliers_[std::string(messaging::TypeOf<E>())] = [apply = std::move(apply), create, key_field](
                                                             const messaging::CloudEvent& event, store::Database& db,
                                                             const store::Table<Row>& table) -> Status {
            E decoded = RESERVO_TRY(messaging::Decode<E>(event));
            const store::ColumnShape* key = table.shape().Field(key_field);
            if (!key) return Fail(Code::kInternal, table.shape().table() + " has no key field " + key_field);
            store::Value value = event.subject;
            if (key->type == store::ColumnType::kInt) {
                auto n = json::ToInt(boost::json::value(event.subject), "subject");
                if (!n) return Fail(Code::kInvalidArgument, event.type + " " + event.id + ": " + n.error().message);
                value = *n;
            }
            auto row = RESERVO_TRY(table.FindBy(db, key_field, value));
            if (!row && !create) return Ok();  // nothing to update: the view never saw the row's creation
            Row target = row ? std::move(*row) : Row{};
            apply(decoded, target);
            if (row) return table.Update(db, target);
            target.id = 0;
            RESERVO_TRY(table.Insert(db, std::move(target)));
            return Ok();
        };
        uow_.context().On(std::string(messaging::TypeOf<E>()),
                          [this, type = std::string(messaging::TypeOf<E>())](const messaging::CloudEvent& event,
                                                                             store::Database& db) {
                              return appliers_.at(type)(event, db, table_);
                          });
        return *this;
    }

    UnitOfWork& uow_;
    const store::Table<Row>& table_;
    std::string key_field_;
    std::map<std::string, Applier> appliers_;
};

}  // namespace reservo::service
