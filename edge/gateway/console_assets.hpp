// The web console's files (edge/gateway/console/assets/), compiled into the binary at build time
// by cmake/EmbedAssets.cmake: the gateway serves them with no files around and no CDN.
//
//   for (const ConsoleAsset& a : ConsoleAssets()) ...   // "index.html", "app.js", "img/logo.svg"
#pragma once

#include <span>
#include <string_view>

namespace reservo::edge {

struct ConsoleAsset {
    std::string_view path;   // relative to the assets folder: "index.html", "img/logo.svg"
    std::string_view bytes;  // the file's content
    std::string_view etag;   // a strong ETag of the content, quoted: "\"3f2a...\""
};

// Every asset, sorted by path.
std::span<const ConsoleAsset> ConsoleAssets();

}  // namespace reservo::edge
