#include "cli/up_plan.hpp"

#include <algorithm>

namespace reservo::cli {

namespace {

constexpr const char* kFaultsVariable = "RESERVO_FAULTS";

void SetEnv(ProcessSpec& spec, const std::string& key, const std::string& value) {
    auto it = std::find_if(spec.env.begin(), spec.env.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != spec.env.end()) {
        it->second = value;
    } else {
        spec.env.emplace_back(key, value);
    }
}

}  // namespace

UpPolicy ReadUpPolicy(const Config& system, bool faults_flag, const Config::EnvLookup& env) {
    UpPolicy policy;
    policy.faults = faults_flag || (env && env(kFaultsVariable) == std::optional<std::string>("1"));
    policy.gateway_bind_address = system.GetString("gateway.bind-address", policy.gateway_bind_address);
    policy.service_bind_address = system.GetString("runtime.bind-address", policy.service_bind_address);
    return policy;
}

void ApplyUpPolicy(const UpPolicy& policy, ProcessSpec& spec) {
    bool gateway = spec.name == "gateway";
    spec.bind_address = gateway ? policy.gateway_bind_address : policy.service_bind_address;
    SetEnv(spec, kFaultsVariable, policy.faults && !gateway ? "1" : "0");
}

}  // namespace reservo::cli
