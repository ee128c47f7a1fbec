// A collection of JSON documents in the service's store: the SMS history is kept as documents,
// as the seed keeps it in a non-relational store. The table holds the key and the document, no
// other column; a finder reads a field of the documents (SQLite's json_extract).
//
//   DocumentCollection sms("smsHistories", kSmsSchema);         // table sms_histories (id, doc)
//   Result<int64_t> id = sms.Insert(tx.db(), json::ToObject(history));
//   router.Get("/smsHistories", [&](http::Request& req) { return sms.List(req, db); });
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kit/http/message.hpp"
#include "kit/store/database.hpp"

namespace reservo::course::sms {

// The schema of the SMS history: one key, one document.
inline constexpr store::Migration kSmsSchema[] = {
    {1, "CREATE TABLE IF NOT EXISTS sms_histories (id INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL)"},
};

// The SMS history as Spring Data REST shows a repository: `/smsHistories` (paged by id),
// `/smsHistories/{id}`, `/smsHistories/search` and finders by professorNo and courseId.
class SmsDocuments final {
  public:
    // Stores a document; its id.
    Result<int64_t> Insert(store::Database& db, const boost::json::object& doc) const;
    Result<std::optional<boost::json::object>> Find(store::Database& db, int64_t id) const;

    http::Response List(const http::Request& req, store::Database& db) const;
    http::Response Show(const http::Request& req, store::Database& db) const;
    http::Response Search(const http::Request& req) const;
    // `field` is "professorNo" or "courseId" (integers in every document).
    http::Response FindBy(const http::Request& req, store::Database& db, std::string_view field) const;
};

}  // namespace reservo::course::sms
