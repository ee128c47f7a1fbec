#include "kit/service/rest.hpp"

#include <algorithm>

namespace reservo::service {

namespace detail {

bool Contains(const std::vector<std::string>& list, std::string_view s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace detail

void ExposeReads(http::Router& router, store::Database& db, const store::TableShape& shape) {
    const std::string collection = "/" + shape.collection();
    router.Get(collection, [&db, &shape](http::Request& req) { return ListResource(req, db, shape); });
    router.Get(collection + "/{id}", [&db, &shape](http::Request& req) { return ShowResource(req, db, shape); });
    router.Get(collection + "/search", [&shape](http::Request& req) { return SearchIndex(req, shape); });
    for (const auto& field : shape.options().finders) {
        std::string name = "findBy" + field;
        name[6] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[6])));
        router.Get(collection + "/search/" + name,
                   [&db, &shape, field](http::Request& req) { return FindResource(req, db, shape, field); });
    }
}

}  // namespace reservo::service
