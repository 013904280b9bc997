#pragma once
// Journal records as the coordinator writes them, at chosen times, for tests of what reads them.
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hpopt/journal/journal.hpp"

namespace hpopt::test {

// Records as the coordinator writes them, each at `second` past 12:00:00 UTC.
struct Records {
    std::vector<Json> list;

    Records& at(double second, Json record) {
        record["time"] = fmt::format("2026-11-22T12:{:02d}:{:06.3f}Z", static_cast<int>(second) / 60, std::fmod(second, 60.0));
        list.push_back(std::move(record));
        return *this;
    }
    Records& suggested(double second, std::int64_t id, int group) {
        return at(second, journal::trial_suggested_record({id, {{"x", 0.1 * id}}, {0.1 * id}, 7}, group, {0, std::vector<std::int64_t>{}, std::nullopt}));
    }
    Records& finished(double second, std::int64_t id, double fom, journal::TrialStatus status = journal::TrialStatus::ok) {
        journal::TrialResult result;
        result.id = id;
        result.status = status;
        result.fom = fom;
        result.fold_foms = {fom};
        if (status != journal::TrialStatus::ok) result.reason = "diverged";
        return at(second, journal::trial_finished_record(result));
    }
};

inline Records started(Json spec = {{"name", "s"}}) {
    Records records;
    records.at(0, journal::run_started_record(spec, "f", "v", "loss"));
    return records;
}

}  // namespace hpopt::test
