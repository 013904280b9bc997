#include "hpopt/journal/results_files.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hpopt/config/json.hpp"
#include "hpopt/journal/csv.hpp"

namespace hpopt::journal {

ResultsFiles::ResultsFiles(RunDirectory run, const space::Space& space) : run_(std::move(run)) {
    for (const auto& dimension : space.dimensions()) parameter_names_.push_back(dimension.name);
}

namespace {

// The columns before the parameters and after the figures.
const std::vector<std::string> leading_columns = {"trial", "status", "fom", "fom_std"};
const std::vector<std::string> trailing_columns = {"started_s", "duration_s", "stopped_at_epoch", "reason"};

bool among(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::string ResultsFiles::csv_header() const {
    std::string header = fmt::format("{}", fmt::join(leading_columns, ","));
    for (const auto& name : parameter_names_) header += "," + csv_field(name);
    for (const auto& name : figure_names_) {
        const bool taken = among(leading_columns, name) || among(trailing_columns, name) || among(parameter_names_, name);
        header += "," + csv_field(taken ? "figure_" + name : name);
    }
    return header + fmt::format(",{}\n", fmt::join(trailing_columns, ","));
}

ResultsFiles::Row ResultsFiles::row_of(const Trial& trial, const TrialResult& result) const {
    std::string before = fmt::format("{},{},{},{}", trial.id, to_string(result.status), csv_number(result.fom),
                                     result.has_fom() ? csv_number(result.fom_std) : "");
    for (const auto& name : parameter_names_) before += "," + csv_value(trial.params.at(name));
    const std::string stopped_at = result.status == TrialStatus::stopped ? std::to_string(result.stopped_epoch) : "";
    return {before, result.figures,
            fmt::format(",{:.3f},{:.3f},{},{}\n", result.started_s, result.duration_s, stopped_at, csv_field(result.reason))};
}

std::string ResultsFiles::csv_row(const Row& row) const {
    std::string line = row.before_figures;
    for (const auto& name : figure_names_) line += "," + (row.figures.contains(name) ? csv_value(row.figures.at(name)) : "");
    return line + row.after_figures;
}

void ResultsFiles::add_figure_columns(const Json& figures) {
    for (const auto& [name, value] : figures.items()) {
        if (!among(figure_names_, name)) figure_names_.push_back(name);
    }
}

void ResultsFiles::add(const Trial& trial, const TrialResult& result) {
    rows_.push_back(row_of(trial, result));
    add_figure_columns(result.figures);
    if (std::chrono::steady_clock::now() - last_write_ >= std::chrono::seconds(1)) flush();
}

void ResultsFiles::flush() {
    std::string text = csv_header();
    for (const Row& row : rows_) text += csv_row(row);
    write_atomically(run_.results_csv(), text);
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

void ResultsFiles::write_pareto(const Json& front) { write_atomically(run_.pareto_json(), front.dump(2) + "\n"); }

}  // namespace hpopt::journal
