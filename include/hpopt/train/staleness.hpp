#pragma once
// Downpour's bookkeeping of stale updates: the central model has a version, bumped by every
// update it applies; an update computed on an older version is stale by the difference. An
// update staler than `max_staleness` (when > 0) is rejected; with `scale_by_staleness`, an
// accepted one is weighted by 1 / staleness (1 for a fresh one).
#include <algorithm>
#include <cstdint>

namespace hpopt::train {

class StalenessCounter {
public:
    StalenessCounter(std::int64_t max_staleness, bool scale_by_staleness)
        : max_staleness_(max_staleness), scale_by_staleness_(scale_by_staleness) {}

    std::int64_t version() const { return version_; }

    // The weight of an update computed on `based_on`: 0 for a rejected one. Counts it, and
    // bumps the version when it is applied.
    double weigh(std::int64_t based_on) {
        const std::int64_t staleness = version_ - based_on;
        ++updates_;
        total_staleness_ += staleness;
        largest_ = std::max(largest_, staleness);
        if (max_staleness_ > 0 && staleness > max_staleness_) {
            ++rejected_;
            return 0.0;
        }
        ++version_;
        return scale_by_staleness_ ? 1.0 / static_cast<double>(std::max<std::int64_t>(staleness, 1)) : 1.0;
    }

    std::int64_t updates() const { return updates_; }
    std::int64_t rejected() const { return rejected_; }
    std::int64_t largest() const { return largest_; }
    double mean() const { return updates_ ? static_cast<double>(total_staleness_) / static_cast<double>(updates_) : 0.0; }

private:
    std::int64_t max_staleness_;
    bool scale_by_staleness_;
    std::int64_t version_ = 0;
    std::int64_t updates_ = 0, rejected_ = 0, largest_ = 0, total_staleness_ = 0;
};

}  // namespace hpopt::train
