#include "cli/up_plan.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "kit/core/try.hpp"
#include "kit/service/topology.hpp"

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

Result<UpPolicy> ReadUpPolicy(const Config& system, bool faults_flag, const Config::EnvLookup& env) {
    UpPolicy policy;
    policy.faults = faults_flag || (env && env(kFaultsVariable) == std::optional<std::string>("1"));
    policy.gateway_bind_address = RESERVO_TRY(system.RequireString("gateway.bind-address"));
    policy.service_bind_address = RESERVO_TRY(system.RequireString("runtime.bind-address"));
    return policy;
}

void ApplyUpPolicy(const UpPolicy& policy, ProcessSpec& spec) {
    bool gateway = spec.name == "gateway";
    spec.bind_address = gateway ? policy.gateway_bind_address : policy.service_bind_address;
    SetEnv(spec, kFaultsVariable, policy.faults && !gateway ? "1" : "0");
}

Result<std::vector<ProcessSpec>> PlanUp(const std::vector<SystemToStart>& systems, const UpOptions& options) {
    std::vector<ProcessSpec> specs;
    std::set<std::string> seen;
    std::map<int, std::string> port_owner;  // port → "system/process"
    for (size_t i = 0; i < systems.size(); ++i) {
        const auto& [system, config] = systems[i];
        if (!seen.insert(system).second) return Fail(Code::kInvalidArgument, "system " + system + " named twice");
        auto in_system = [&](const Error& e) { return Fail(e.code, system + ": " + e.message); };
        int base_arg = options.port_base ? *options.port_base + kSystemPortStride * static_cast<int>(i) : -1;
        auto base = service::PortOf(config, "gateway", base_arg);
        if (!base) return in_system(base.error());
        std::string system_dir = options.data_dir + "/" + system;
        auto policy = ReadUpPolicy(config, options.faults, options.env);
        if (!policy) return in_system(policy.error());
        for (const std::string& process : service::ProcessNames(config)) {
            auto port = service::PortOf(config, process, base_arg);
            if (!port) return in_system(port.error());
            std::string target = system + "/" + process;
            if (auto [it, fresh] = port_owner.emplace(*port, target); !fresh) {
                return Fail(Code::kInvalidArgument, "port " + std::to_string(*port) + " planned for both " +
                                                        it->second + " and " + target +
                                                        "; change a gateway.port or use --port-base");
            }
            ProcessSpec spec;
            spec.system = system;
            spec.name = process;
            spec.port = *port;
            spec.argv = {options.exe,           "serve",  target,    "--port", std::to_string(*port), "--port-base",
                         std::to_string(*base), "--data", system_dir};
            ApplyUpPolicy(*policy, spec);
            spec.log_path = system_dir + "/logs/" + process + ".log";
            spec.shutdown_phase = process == "gateway" ? 0 : 1;  // no new requests first
            specs.push_back(std::move(spec));
        }
    }
    return specs;
}

}  // namespace reservo::cli
