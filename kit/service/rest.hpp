// An entity's REST resource in the Spring Data REST shape, from its declaration (store::Table):
//
//   ExposeReads(ctx.router(), ctx.db(), kLots.shape());   // GET /vaccineMgmts, /{id}, /search, finders
//   ExposeWrites(ctx.router(), uow, kLots, {             // POST, PATCH (merge), PUT, DELETE
//       .read_only = {"vaccineStatus"},
//       .prepare = [](VaccineLot& lot) { lot.vaccineStatus = "registered"; return Ok(); },
//       .validate = mgmt::ValidateLot,
//       .created = [](const VaccineLot& lot, Tx& tx) { return tx.Publish(VaccineRegistered{...}); },
//   });
//
// A context writes only what differs: its rules (`validate`), the fields it owns (`read_only`,
// set by `prepare`), the events a change causes, a guard against deleting; routes that are
// commands rather than edits (a reservation's cancel) are its own, with `.patch = false`.
// Input is read leniently (kit/json); a field a client may not set is ignored, like Jackson's
// read-only properties; every write is one transaction (UnitOfWork).
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <vector>

#include "kit/core/try.hpp"
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/http/router.hpp"
#include "kit/json/json.hpp"
#include "kit/service/dependency.hpp"
#include "kit/service/resource.hpp"
#include "kit/service/unit_of_work.hpp"
#include "kit/store/table.hpp"

namespace reservo::service {

// GET /<collection> (paged, sorted), /<collection>/{id}, /<collection>/search and each finder.
void ExposeReads(http::Router& router, store::Database& db, const store::TableShape& shape);

// The entity as its resource's JSON (hidden fields left out).
template <class T>
boost::json::object EntityJson(const store::Table<T>& table, const T& entity) {
    boost::json::object out = json::ToObject(entity);
    for (const auto& h : table.shape().options().hidden) out.erase(h);
    return out;
}

template <class T>
struct Writes {
    std::vector<std::string> read_only;                                   // set by the service only (id always)
    std::function<Status(T&)> prepare;                                    // a new entity: the fields the service sets
    std::function<Status(const T&)> validate;                             // every state that is stored
    std::function<Status(const T&, Tx&)> created;                         // after the insert, same transaction
    std::function<Status(const T& before, const T& after, Tx&)> changed;  // after an update
    std::function<Status(const T&, Tx&)> removing;                        // before a delete; a failure refuses it
    bool create = true;
    bool patch = true;
    bool put = true;
    bool remove = true;
};

namespace detail {

bool Contains(const std::vector<std::string>& list, std::string_view s);

// `base` with the fields of `body` a client may set (JSON merge patch: null clears a field).
template <class T>
Result<T> Merge(const store::Table<T>& table, const Writes<T>& writes, boost::json::object base,
                const boost::json::object& body) {
    for (const auto& [key, value] : body) {
        if (key == "id" || !table.shape().Field(key) || table.shape().Hidden(key) || Contains(writes.read_only, key)) {
            continue;
        }
        base[key] = value;
    }
    return json::FromObject<T>(base);
}

template <class T>
http::Response Answer(const http::Request& req, int status, const store::Table<T>& table, const Result<T>& r) {
    if (!r) return http::ProblemFrom(r.error());
    if (status == 201) return http::CreatedResponse(req, table.shape().collection(), r->id, EntityJson(table, *r));
    return http::EntityResponse(req, status, table.shape().collection(), r->id, EntityJson(table, *r));
}

}  // namespace detail

template <class T>
void ExposeWrites(http::Router& router, UnitOfWork& uow, const store::Table<T>& table, Writes<T> writes) {
    const std::string collection = "/" + table.shape().collection();
    auto shared = std::make_shared<Writes<T>>(std::move(writes));
    const Writes<T>& w = *shared;

    if (w.create) {
        router.PostAsync(collection, [&uow, &table, shared](http::Request& req) -> http::Awaitable<http::Response> {
            const Writes<T>& w = *shared;
            auto body = json::ParseObject(req.body);
            if (!body) co_return http::ProblemFrom(body.error());
            // Fields the service owns start from their defaults; the client's are required as declared.
            boost::json::object base;
            boost::json::object defaults = json::ToObject(T{});
            defaults["id"] = 0;
            for (const auto& f : w.read_only) base[f] = defaults[f];
            for (const auto& h : table.shape().options().hidden) base[h] = defaults[h];
            base["id"] = 0;
            auto entity = detail::Merge(table, w, std::move(base), *body);
            if (!entity) co_return http::ProblemFrom(entity.error());
            if (w.prepare) {
                if (auto st = w.prepare(*entity); !st) co_return http::ProblemFrom(st.error());
            }
            if (w.validate) {
                if (auto st = w.validate(*entity); !st) co_return http::ProblemFrom(st.error());
            }
            auto stored = co_await uow.Write([&](Tx& tx) -> Result<T> {
                T row = RESERVO_TRY(table.Insert(tx.db(), std::move(*entity)));
                if (w.created) RESERVO_TRY(w.created(row, tx));
                return row;
            });
            co_return detail::Answer(req, 201, table, stored);
        });
    }

    auto edit = [&uow, &table, shared](bool replace) {
        return [&uow, &table, shared, replace](http::Request& req) -> http::Awaitable<http::Response> {
            const Writes<T>& w = *shared;
            auto id = http::ParseId(req.Param("id"));
            if (!id) co_return http::ProblemFrom(id.error());
            auto body = json::ParseObject(req.body);
            if (!body) co_return http::ProblemFrom(body.error());
            auto stored = co_await uow.Write([&](Tx& tx) -> Result<T> {
                T before = RESERVO_TRY(table.Load(tx.db(), *id));
                boost::json::object base = json::ToObject(before);
                if (replace) {  // PUT: the client's fields are all given again; the service's stay
                    boost::json::object kept{{"id", *id}};
                    for (const auto& f : w.read_only) kept[f] = base[f];
                    for (const auto& h : table.shape().options().hidden) kept[h] = base[h];
                    base = std::move(kept);
                }
                T after = RESERVO_TRY(detail::Merge(table, w, std::move(base), *body));
                after.id = *id;
                if (w.validate) RESERVO_TRY(w.validate(after));
                RESERVO_TRY(table.Update(tx.db(), after));
                if (w.changed) RESERVO_TRY(w.changed(before, after, tx));
                return after;
            });
            co_return detail::Answer(req, 200, table, stored);
        };
    };
    if (w.patch) router.PatchAsync(collection + "/{id}", edit(false));
    if (w.put) router.PutAsync(collection + "/{id}", edit(true));

    if (w.remove) {
        router.DeleteAsync(collection + "/{id}",
                           [&uow, &table, shared](http::Request& req) -> http::Awaitable<http::Response> {
                               const Writes<T>& w = *shared;
                               auto id = http::ParseId(req.Param("id"));
                               if (!id) co_return http::ProblemFrom(id.error());
                               auto done = co_await uow.Write([&](Tx& tx) -> Status {
                                   T row = RESERVO_TRY(table.Load(tx.db(), *id));
                                   if (w.removing) RESERVO_TRY(w.removing(row, tx));
                                   return table.Delete(tx.db(), *id);
                               });
                               co_return done ? http::EmptyResponse(204) : http::ProblemFrom(done.error());
                           });
    }
}

// `PATCH /<collection>/{id} {"<field>": "<value>"}` where a status change is a command, not an edit
// (a reservation's cancel request): `decide(requested, current)` says whether it is one (true: run
// `command` in the same transaction), a no-op (false: the entity is answered as it is) or a refusal
// (a failure). A body without the field changes nothing. Any other field is ignored.
template <class T>
void ExposeStatusCommand(http::Router& router, UnitOfWork& uow, const store::Table<T>& table, std::string field,
                         std::function<Result<bool>(const std::string& requested, const T& current)> decide,
                         std::function<Result<T>(Tx&, int64_t id)> command) {
    router.PatchAsync("/" + table.shape().collection() + "/{id}",
                      [&uow, &table, field, decide = std::move(decide),
                       command = std::move(command)](http::Request& req) -> http::Awaitable<http::Response> {
                          auto id = http::ParseId(req.Param("id"));
                          if (!id) co_return http::ProblemFrom(id.error());
                          auto body = json::ParseObject(req.body);
                          if (!body) co_return http::ProblemFrom(body.error());
                          std::optional<std::string> requested;
                          if (const auto* v = body->if_contains(field); v && !v->is_null()) {
                              auto text = json::ToString(*v, field);
                              if (!text) co_return http::ProblemFrom(text.error());
                              requested = std::move(*text);
                          }
                          auto changed = co_await uow.Write([&](Tx& tx) -> Result<T> {
                              T current = RESERVO_TRY(table.Load(tx.db(), *id));
                              if (!requested || !RESERVO_TRY(decide(*requested, current))) return current;
                              return command(tx, *id);
                          });
                          co_return detail::Answer(req, 200, table, changed);
                      });
}

// `DELETE /<collection>/{id}` as a command (a reservation's cancel), answered 204 once it is done.
template <class T>
void ExposeDeleteCommand(http::Router& router, UnitOfWork& uow, const store::Table<T>& table,
                         std::function<Result<T>(Tx&, int64_t id)> command) {
    router.DeleteAsync("/" + table.shape().collection() + "/{id}",
                       [&uow, command = std::move(command)](http::Request& req) -> http::Awaitable<http::Response> {
                           auto id = http::ParseId(req.Param("id"));
                           if (!id) co_return http::ProblemFrom(id.error());
                           auto done = co_await uow.Write([&](Tx& tx) { return command(tx, *id); });
                           co_return done ? http::EmptyResponse(204) : http::ProblemFrom(done.error());
                       });
}

// The answer to a command that created `created` after calling `dependency`: 201 with the entity,
// 503 with the dependency's Retry-After when it was unavailable (nothing was done), else the problem.
template <class T>
http::Response CreatedAfterCall(const http::Request& req, const store::Table<T>& table, const Result<T>& created,
                                const Dependency& dependency) {
    if (!created && created.error().code == Code::kUnavailable) {
        return http::Unavailable(created.error().message, dependency.RetryAfterMs());
    }
    return detail::Answer(req, 201, table, created);
}

}  // namespace reservo::service
