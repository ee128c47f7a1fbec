// `reservo completion bash`: a bash completion script for the `reservo` command — its commands,
// their options, and SYSTEM and SYSTEM/SERVICE names from the catalog.
//
//   CompletionSpec spec{.commands = {{"stop", {"--data"}}}, .systems = {"vaccine"},
//                       .targets = {"vaccine/reservation"}};
//   std::cout << BashCompletion(spec);   // then: source <(reservo completion bash)
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace reservo::cli {

struct CompletionSpec {
    // Each command with its options ("--data", "--json", ...).
    std::vector<std::pair<std::string, std::vector<std::string>>> commands;
    // Options that take a value (completion offers no names after them; --data and --config: paths).
    std::vector<std::string> options_with_value;
    std::vector<std::string> systems;  // "vaccine", ...
    std::vector<std::string> targets;  // "vaccine/reservation", "vaccine/gateway", ...
};

// The script: defines `_reservo` and registers it with `complete -F _reservo reservo`.
std::string BashCompletion(const CompletionSpec& spec);

}  // namespace reservo::cli
