#pragma once
// A run's trials for other programs (`hpopt export`): every trial the journal knows, finished
// or not, in the order they were suggested.
#include <string>

#include "hpopt/config/json.hpp"
#include "hpopt/report/run_view.hpp"

namespace hpopt::report {

// One row per trial: trial, status, fom, fom_std, one column per parameter, fold_0..fold_{k-1},
// group, attempts, suggested_s, finished_s, duration_s, reason. Times in seconds since the run
// started; a number that is not there (a failed trial's FoM) is an empty field.
std::string trials_csv(const RunView& run);

// {"run": {name, state, fom_name, direction, ...}, "trials": [{trial, status, fom, fom_std,
// fold_foms, params, point, seed, group, runs, epochs, ...}]}; null for a number not there.
Json trials_json(const RunView& run);

}  // namespace hpopt::report
