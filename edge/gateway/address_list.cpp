#include "edge/gateway/address_list.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include "kit/core/log.hpp"

namespace reservo::edge {

namespace ip = boost::asio::ip;

struct AddressList::Impl {
    std::vector<ip::address> addresses;
    std::vector<ip::network_v4> v4;
    std::vector<ip::network_v6> v6;
};

AddressList::AddressList(const std::vector<std::string>& entries, std::string_view key)
    : impl_(std::make_unique<Impl>()) {
    for (const auto& entry : entries) {
        boost::system::error_code ec;
        if (entry.find('/') == std::string::npos) {
            auto address = ip::make_address(entry, ec);
            if (!ec) {
                impl_->addresses.push_back(address);
                continue;
            }
        } else if (auto v4 = ip::make_network_v4(entry, ec); !ec) {
            impl_->v4.push_back(v4);
            continue;
        } else if (auto v6 = ip::make_network_v6(entry, ec); !ec) {
            impl_->v6.push_back(v6);
            continue;
        }
        log::Warn("ignoring a malformed address entry", {{"key", std::string(key)}, {"entry", entry}});
    }
}

AddressList::~AddressList() = default;
AddressList::AddressList(AddressList&&) noexcept = default;
AddressList& AddressList::operator=(AddressList&&) noexcept = default;

bool AddressList::Contains(std::string_view text) const {
    boost::system::error_code ec;
    auto address = ip::make_address(std::string(text), ec);
    if (ec) return false;
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = ip::make_address_v4(ip::v4_mapped, address.to_v6());
    }
    if (std::find(impl_->addresses.begin(), impl_->addresses.end(), address) != impl_->addresses.end()) return true;
    if (address.is_v4()) {
        for (const auto& net : impl_->v4) {
            if (ip::make_network_v4(address.to_v4(), net.prefix_length()).network() == net.network()) return true;
        }
    } else {
        for (const auto& net : impl_->v6) {
            if (ip::make_network_v6(address.to_v6(), net.prefix_length()).network() == net.network()) return true;
        }
    }
    return false;
}

std::string ClientAddress(const http::Request& req, const AddressList& trusted_proxies) {
    if (!trusted_proxies.Contains(req.remote_address)) return req.remote_address;
    auto forwarded = req.headers.Find("X-Forwarded-For");
    if (!forwarded) return req.remote_address;
    std::vector<std::string> hops;
    std::string_view rest = *forwarded;
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        std::string_view hop = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        while (!hop.empty() && (hop.front() == ' ' || hop.front() == '\t')) hop.remove_prefix(1);
        while (!hop.empty() && (hop.back() == ' ' || hop.back() == '\t')) hop.remove_suffix(1);
        hops.emplace_back(hop);
    }
    if (hops.empty()) return req.remote_address;
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        if (!trusted_proxies.Contains(*it)) return *it;
    }
    return hops.front();  // every hop a trusted proxy: the first one is where it began
}

}  // namespace reservo::edge
