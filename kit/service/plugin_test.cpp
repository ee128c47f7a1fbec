#include "kit/service/plugin.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace reservo::service {
namespace {

constexpr char kModule[] = "libreservo_plugin_test_module.so";  // built beside this test

bool Mapped(std::string_view file) {
    std::ifstream maps("/proc/self/maps");
    std::stringstream all;
    all << maps.rdbuf();
    return all.str().find(file) != std::string::npos;
}

TEST(Plugin, ABareNameIsLookedForNextToTheExecutable) {
    EXPECT_EQ(ModulePath("/opt/x/libm.so"), "/opt/x/libm.so");
    const std::string path = ModulePath(kModule);
    EXPECT_TRUE(path.ends_with(std::string("/") + kModule)) << path;
    EXPECT_TRUE(path.starts_with("/")) << path;
}

TEST(Plugin, LoadsOnFirstUseOnceAndFindsTheSymbol) {
    EXPECT_FALSE(Mapped(kModule)) << "loaded before anyone asked";
    auto first = LoadSymbol(kModule, "reservo_plugin_test_answer");
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(Mapped(kModule));
    EXPECT_EQ(reinterpret_cast<int (*)()>(*first)(), 42);
    auto again = LoadSymbol(ModulePath(kModule), "reservo_plugin_test_answer");  // by its path: the same
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *first);
}

TEST(Plugin, AMissingSymbolNamesTheModuleAndTheSymbol) {
    auto missing = LoadSymbol(kModule, "reservo_no_such_entry");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Code::kFailedPrecondition);
    EXPECT_NE(missing.error().message.find(ModulePath(kModule)), std::string::npos) << missing.error().message;
    EXPECT_NE(missing.error().message.find("reservo_no_such_entry"), std::string::npos) << missing.error().message;
}

TEST(Plugin, AMissingModuleNamesTheFileAndWhatDlopenSaid) {
    auto missing = LoadSymbol("libreservo_no_such_module.so", "entry");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Code::kFailedPrecondition);
    const std::string& m = missing.error().message;
    EXPECT_NE(m.find("cannot load module " + ModulePath("libreservo_no_such_module.so")), std::string::npos) << m;
    EXPECT_NE(m.find("No such file"), std::string::npos) << m;  // dlerror()'s words
}

}  // namespace
}  // namespace reservo::service
