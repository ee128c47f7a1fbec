#include "systems/course/notification/documents.hpp"

#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"

namespace reservo::course::sms {
namespace {

constexpr std::string_view kCollection = "smsHistories";

constexpr store::Sql kInsert{"sms_insert", "INSERT INTO sms_histories (doc) VALUES (?) RETURNING id"};
constexpr store::Sql kLoad{"sms_load", "SELECT id, doc FROM sms_histories WHERE id = ?"};
constexpr store::Sql kPageAsc{"sms_page_asc", "SELECT id, doc FROM sms_histories ORDER BY id ASC LIMIT ? OFFSET ?"};
constexpr store::Sql kPageDesc{"sms_page_desc", "SELECT id, doc FROM sms_histories ORDER BY id DESC LIMIT ? OFFSET ?"};
constexpr store::Sql kCount{"sms_count", "SELECT COUNT(*) FROM sms_histories"};
constexpr store::Sql kByProfessor{"sms_by_professor",
                                  "SELECT id, doc FROM sms_histories WHERE json_extract(doc, '$.professorNo') = ? "
                                  "ORDER BY id LIMIT ? OFFSET ?"};
constexpr store::Sql kCountByProfessor{
    "sms_count_by_professor", "SELECT COUNT(*) FROM sms_histories WHERE json_extract(doc, '$.professorNo') = ?"};
constexpr store::Sql kByCourse{"sms_by_course",
                               "SELECT id, doc FROM sms_histories WHERE json_extract(doc, '$.courseId') = ? "
                               "ORDER BY id LIMIT ? OFFSET ?"};
constexpr store::Sql kCountByCourse{"sms_count_by_course",
                                    "SELECT COUNT(*) FROM sms_histories WHERE json_extract(doc, '$.courseId') = ?"};

// A stored row as its resource: the document with its key as `id`.
Result<boost::json::object> Entity(const store::Row& row) {
    auto doc = json::ParseObject(row.Text(1));
    if (!doc) return Fail(Code::kInternal, "smsHistories/" + std::to_string(row.Int(0)) + ": unreadable document");
    doc->insert_or_assign("id", row.Int(0));
    return std::move(*doc);
}

Result<std::vector<boost::json::object>> Entities(const std::vector<store::Row>& rows) {
    std::vector<boost::json::object> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        auto entity = Entity(row);
        if (!entity) return Fail(entity.error());
        out.push_back(std::move(*entity));
    }
    return out;
}

}  // namespace

Result<int64_t> SmsDocuments::Insert(store::Database& db, const boost::json::object& doc) const {
    boost::json::object stored = doc;
    stored.erase("id");  // the key is the table's
    auto rows = db.Query(kInsert, {json::Serialize(stored)});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(Code::kInternal, "sms_histories: insert returned no id");
    return rows->front().Int(0);
}

Result<std::optional<boost::json::object>> SmsDocuments::Find(store::Database& db, int64_t id) const {
    auto rows = db.Query(kLoad, {id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<boost::json::object>();
    auto entity = Entity(rows->front());
    if (!entity) return Fail(entity.error());
    return std::optional<boost::json::object>(std::move(*entity));
}

http::Response SmsDocuments::List(const http::Request& req, store::Database& db) const {
    auto page = http::ParsePage(req, {"id"});
    if (!page) return http::ProblemFrom(page.error());
    auto rows = db.Query(page->descending ? kPageDesc : kPageAsc, {page->size, page->page * page->size});
    if (!rows) return http::ProblemFrom(rows.error());
    auto count = db.QueryOne(kCount);
    if (!count) return http::ProblemFrom(count.error());
    auto items = Entities(*rows);
    if (!items) return http::ProblemFrom(items.error());
    return http::CollectionResponse(req, kCollection, std::move(*items), *page, count->Int(0));
}

http::Response SmsDocuments::Show(const http::Request& req, store::Database& db) const {
    auto id = http::ParseId(req.Param("id"));
    if (!id) return http::ProblemFrom(id.error());
    auto found = Find(db, *id);
    if (!found) return http::ProblemFrom(found.error());
    if (!*found) return http::Problem(404, "", "smsHistories/" + std::to_string(*id) + " does not exist");
    return http::EntityResponse(req, 200, kCollection, *id, std::move(**found));
}

http::Response SmsDocuments::Search(const http::Request& req) const {
    std::string base = http::BaseUrl(req) + "/smsHistories/search";
    boost::json::object links{{"self", {{"href", base}}}};
    for (std::string_view field : {"professorNo", "courseId"}) {
        std::string name = "findBy" + std::string(field);
        name[6] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[6])));
        links[name] = {{"href", base + "/" + name + "{?" + std::string(field) + ",page,size,sort}"},
                       {"templated", true}};
    }
    return http::JsonResponse(200, boost::json::object{{"_links", std::move(links)}});
}

http::Response SmsDocuments::FindBy(const http::Request& req, store::Database& db, std::string_view field) const {
    auto text = req.Query(field);
    if (!text) return http::Problem(400, "", std::string(field) + ": query parameter is required");
    auto value = json::ToInt(boost::json::value(*text), field);
    if (!value) return http::ProblemFrom(value.error());
    auto page = http::ParsePage(req, {"id"});
    if (!page) return http::ProblemFrom(page.error());
    const bool by_professor = field == "professorNo";
    auto rows = db.Query(by_professor ? kByProfessor : kByCourse, {*value, page->size, page->page * page->size});
    if (!rows) return http::ProblemFrom(rows.error());
    auto count = db.QueryOne(by_professor ? kCountByProfessor : kCountByCourse, {*value});
    if (!count) return http::ProblemFrom(count.error());
    auto items = Entities(*rows);
    if (!items) return http::ProblemFrom(items.error());
    return http::SearchResponse(req, kCollection, std::move(*items), *page, count->Int(0));
}

}  // namespace reservo::course::sms
