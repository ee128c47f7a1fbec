// Sets of client addresses from the configuration: IP addresses and CIDR ranges, IPv4 or IPv6
// (`gateway.trusted-proxies`, `gateway.console.operators`).
//
//   AddressList proxies(cfg.RequireList("gateway.trusted-proxies").value(), "gateway.trusted-proxies");
//   AddressList operators({"127.0.0.0/8", "::1"}, "gateway.console.operators");
//   if (operators.Contains(ClientAddress(req, proxies))) { ... }
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kit/http/message.hpp"

namespace reservo::edge {

class AddressList final {
  public:
    // `key` names the setting in the warning about a malformed entry (which is skipped).
    AddressList(const std::vector<std::string>& entries, std::string_view key);
    ~AddressList();
    AddressList(AddressList&&) noexcept;
    AddressList& operator=(AddressList&&) noexcept;

    // Whether `address` (an IP literal) is one of the entries or in one of their ranges; an IPv4
    // address mapped into IPv6 (::ffff:127.0.0.1) counts as the IPv4 one.
    bool Contains(std::string_view address) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The address a request comes from: its TCP peer, or, when the peer is one of `trusted_proxies`,
// the last X-Forwarded-For entry that is not itself a trusted proxy (proxies append the address
// they received the request from, so entries to its left are what the client claimed). A client
// reaching us directly cannot speak for anyone else however it sets the header.
std::string ClientAddress(const http::Request& req, const AddressList& trusted_proxies);

}  // namespace reservo::edge
