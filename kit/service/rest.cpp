#include "kit/service/rest.hpp"

#include <algorithm>
#include <any>
#include <memory>
#include <vector>

#include "kit/service/openapi.hpp"

namespace reservo::service {

namespace detail {

bool Contains(const std::vector<std::string>& list, std::string_view s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace detail

void ExposeReads(http::Router& router, store::Database& db, const store::TableShape& shape) {
    // The collections exposed on this router, for its root index and profiles.
    using Shapes = std::vector<const store::TableShape*>;
    std::any& exposed = router.Extension("service.collections");
    if (!exposed.has_value()) {  // the first collection: the index routes, listing all that follow
        auto shapes = std::make_shared<Shapes>();
        exposed = shapes;
        router.Get("/", [shapes](http::Request& req) { return RootIndex(req, *shapes); });
        router.Get("/profile", [shapes](http::Request& req) { return ProfileIndex(req, *shapes); });
        router.Get("/v3/api-docs", [&router, shapes](http::Request&) {
            const std::any& named = router.Extension("service.name");
            const auto* title = std::any_cast<std::string>(&named);
            return http::JsonResponse(200, OpenApiDocument(title ? *title : "reservo service", router, *shapes));
        });
    }
    std::any_cast<std::shared_ptr<Shapes>&>(exposed)->push_back(&shape);
    router.Get("/profile/" + shape.collection(), [&shape](http::Request& req) { return Profile(req, shape); });
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
