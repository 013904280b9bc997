#include "hpopt/journal/results_files.hpp"

#include <fmt/format.h>

#include "hpopt/config/json.hpp"
#include "hpopt/journal/csv.hpp"

namespace hpopt::journal {

ResultsFiles::ResultsFiles(RunDirectory run, const space::Space& space) : run_(std::move(run)) {
    for (const auto& dimension : space.dimensions()) parameter_names_.push_back(dimension.name);
}

std::string ResultsFiles::csv_header() const {
    std::string header = "trial,status,fom,fom_std";
    for (const auto& name : parameter_names_) header += "," + csv_field(name);
    return header + ",started_s,duration_s,stopped_at_epoch,reason\n";
}

std::string ResultsFiles::csv_row(const Trial& trial, const TrialResult& result) const {
    std::string row = fmt::format("{},{},{},{}", trial.id, to_string(result.status), csv_number(result.fom),
                                  result.has_fom() ? csv_number(result.fom_std) : "");
    for (const auto& name : parameter_names_) row += "," + csv_value(trial.params.at(name));
    const std::string stopped_at = result.status == TrialStatus::stopped ? std::to_string(result.stopped_epoch) : "";
    return row + fmt::format(",{:.3f},{:.3f},{},{}\n", result.started_s, result.duration_s, stopped_at, csv_field(result.reason));
}

void ResultsFiles::add(const Trial& trial, const TrialResult& result) {
    rows_ += csv_row(trial, result);
    if (std::chrono::steady_clock::now() - last_write_ >= std::chrono::seconds(1)) flush();
}

void ResultsFiles::flush() {
    write_atomically(run_.results_csv(), csv_header() + rows_);
    last_write_ = std::chrono::steady_clock::now();
}

void ResultsFiles::write_best(const Trial& trial, const TrialResult& result, const std::string& fom_name) {
    Json best = {{"trial", trial.id},       {"fom", result.fom},     {"fom_std", result.fom_std},
                 {"fom_name", fom_name},   {"params", trial.params}, {"duration_s", result.duration_s}};
    if (result.status == TrialStatus::stopped) {
        best["stopped_at_epoch"] = result.stopped_epoch;
        best["note"] = "no trial has trained to its last epoch yet: the best of those stopped early, by the FoM it was stopped at";
    }
    write_atomically(run_.best_json(), best.dump(2) + "\n");
}

}  // namespace hpopt::journal
