// Boost.JSON and Boost.URL built from source into the fuzz targets, with the fuzzer's instrumentation,
// instead of linking Debian's uninstrumented libraries.
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
