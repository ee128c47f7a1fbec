#include "cli/completion.hpp"

#include <gtest/gtest.h>

namespace reservo::cli {
namespace {

TEST(Completion, NamesCommandsOptionsAndTargets) {
    CompletionSpec spec{.commands = {{"stop", {"--data", "--help"}}, {"logs", {"--follow", "--since", "--data"}}},
                        .options_with_value = {"--data", "--since"},
                        .systems = {"vaccine"},
                        .targets = {"vaccine/reservation", "vaccine/gateway"}};
    std::string script = BashCompletion(spec);
    EXPECT_NE(script.find("complete -F _reservo reservo"), std::string::npos);
    EXPECT_NE(script.find("local commands=\"stop logs\""), std::string::npos);
    EXPECT_NE(script.find("vaccine/reservation vaccine/gateway"), std::string::npos);
    EXPECT_NE(script.find("logs) options=\"--follow --since --data\""), std::string::npos);
    EXPECT_NE(script.find(" --data --since "), std::string::npos);
}

}  // namespace
}  // namespace reservo::cli
