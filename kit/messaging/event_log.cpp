#include "kit/messaging/event_log.hpp"

namespace reservo::messaging {

bool EventLog::HasNewData() {
    int64_t version = Version();
    bool changed = version != seen_version_;
    seen_version_ = version;
    return changed;
}

int32_t Murmur2(std::string_view bytes) {
    constexpr uint32_t kSeed = 0x9747b28c;
    constexpr uint32_t kM = 0x5bd1e995;
    constexpr int kR = 24;
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const size_t length = bytes.size();
    uint32_t h = kSeed ^ static_cast<uint32_t>(length);
    const size_t length4 = length / 4;
    for (size_t i = 0; i < length4; ++i) {
        const size_t i4 = i * 4;
        uint32_t k = uint32_t{data[i4]} | (uint32_t{data[i4 + 1]} << 8) | (uint32_t{data[i4 + 2]} << 16) |
                     (uint32_t{data[i4 + 3]} << 24);
        k *= kM;
        k ^= k >> kR;
        k *= kM;
        h *= kM;
        h ^= k;
    }
    const size_t tail = length & ~size_t{3};
    switch (length % 4) {
        case 3:
            h ^= uint32_t{data[tail + 2]} << 16;
            [[fallthrough]];
        case 2:
            h ^= uint32_t{data[tail + 1]} << 8;
            [[fallthrough]];
        case 1:
            h ^= uint32_t{data[tail]};
            h *= kM;
    }
    h ^= h >> 13;
    h *= kM;
    h ^= h >> 15;
    return static_cast<int32_t>(h);
}

int PartitionFor(std::string_view subject, int partitions) {
    if (partitions <= 1) return 0;
    auto positive = static_cast<uint32_t>(Murmur2(subject)) & 0x7fffffffu;
    return static_cast<int>(positive % static_cast<uint32_t>(partitions));
}

std::vector<int> AssignedPartitions(int partitions, int members, int index) {
    std::vector<int> out;
    if (members <= 0 || index < 0 || index >= members) return out;
    for (int p = index; p < partitions; p += members) out.push_back(p);
    return out;
}

}  // namespace reservo::messaging
