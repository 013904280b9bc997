#include "hpopt/report/export.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "hpopt/journal/csv.hpp"
#include "hpopt/journal/journal.hpp"

namespace hpopt::report {
namespace {

using journal::csv_field;
using journal::csv_number;

std::size_t most_folds(const RunView& run) {
    std::size_t folds = 0;
    for (const auto& trial : run.history().trials) {
        if (trial.result) folds = std::max(folds, trial.result->fold_foms.size());
    }
    return folds;
}

// With several objectives, each is a column ("objective_" and its name), beside a column that
// marks the trials on the Pareto front.
std::string objective_headers(const RunView& run) {
    std::string headers;
    for (const spec::Criterion& criterion : run.spec().objective.criteria) headers += "," + csv_field("objective_" + criterion.name);
    return run.spec().objective.several() ? headers + ",pareto" : headers;
}

std::string objective_cells(const RunView& run, const journal::TrialResult* result, const std::set<std::int64_t>& front) {
    if (!run.spec().objective.several()) return "";
    std::string cells;
    const bool valued = result && run.contends(*result);
    const std::vector<double> values = valued ? run.objective_values(*result) : std::vector<double>{};
    for (std::size_t j = 0; j < run.spec().objective.criteria.size(); ++j) cells += "," + (valued ? csv_number(values[j]) : "");
    return cells + (result && front.count(result->id) ? ",1" : ",0");
}

std::set<std::int64_t> front_ids(const RunView& run) {
    std::set<std::int64_t> ids;
    for (const auto* trial : run.pareto_front()) ids.insert(trial->trial.id);
    return ids;
}

}  // namespace

std::string trials_csv(const RunView& run) {
    const std::size_t folds = most_folds(run);
    const std::set<std::int64_t> front = front_ids(run);
    std::string csv = "trial,status,fom,fom_std" + objective_headers(run);
    for (const auto& dimension : run.spec().space.dimensions()) csv += "," + csv_field(dimension.name);
    for (std::size_t fold = 0; fold < folds; ++fold) csv += fmt::format(",fold_{}", fold);
    csv += ",group,attempts,suggested_s,finished_s,duration_s,reason\n";
    for (const auto& trial : run.history().trials) {
        const journal::TrialResult* result = trial.result ? &*trial.result : nullptr;
        csv += fmt::format("{},{},{},{}", trial.trial.id, run.status(trial), result ? csv_number(result->fom) : "",
                           result && result->ok() ? csv_number(result->fom_std) : "");
        csv += objective_cells(run, result, front);
        for (const auto& dimension : run.spec().space.dimensions()) {
            const auto value = trial.trial.params.find(dimension.name);
            csv += "," + (value == trial.trial.params.end() ? std::string() : journal::csv_value(*value));
        }
        for (std::size_t fold = 0; fold < folds; ++fold) {
            csv += "," + (result && fold < result->fold_foms.size() ? csv_number(result->fold_foms[fold]) : "");
        }
        csv += fmt::format(",{},{},{:.3f},{},{},{}\n", trial.group, trial.runs.size(), trial.suggested_s,
                           result ? fmt::format("{:.3f}", trial.finished_s) : "",
                           result ? fmt::format("{:.3f}", result->duration_s) : "", csv_field(result ? result->reason : ""));
    }
    return csv;
}

Json trials_json(const RunView& run) {
    const journal::RunHistory& history = run.history();
    const journal::TrialHistory* best = run.best();
    Json document = {{"run",
                      {{"name", run.spec().name},
                       {"state", journal::to_string(history.state)},
                       {"stop_reason", history.stop_reason},
                       {"fom_name", history.fom_name},
                       {"direction", spec::to_string(run.spec().objective.direction)},
                       {"started_at", history.started_at},
                       {"elapsed_s", history.last_record_s},
                       {"sessions", history.sessions.size()},
                       {"groups", history.groups()},
                       {"utilization", run.utilization()},
                       {"best_trial", best ? Json(best->trial.id) : Json(nullptr)},
                       {"spec", history.spec}}},
                     {"trials", Json::array()}};
    const std::set<std::int64_t> front = front_ids(run);
    if (run.spec().objective.several()) {
        Json objectives = Json::array();
        for (const spec::Criterion& criterion : run.spec().objective.criteria) {
            objectives.push_back({{"name", criterion.name}, {"direction", spec::to_string(criterion.direction)}});
        }
        document["run"]["objectives"] = objectives;
        document["run"]["pareto_front"] = front;
    }
    for (const auto& trial : history.trials) {
        Json entry = {{"trial", trial.trial.id},   {"status", run.status(trial)}, {"params", trial.trial.params},
                      {"point", trial.trial.point}, {"seed", trial.trial.seed},    {"group", trial.group},
                      {"suggested_s", trial.suggested_s}, {"runs", Json::array()},  {"epochs", Json::array()}};
        if (const auto& result = trial.result) {
            entry["fom"] = config::number_to_json(result->fom);
            entry["fom_std"] = result->ok() ? config::number_to_json(result->fom_std) : Json(nullptr);
            entry["fold_foms"] = config::numbers_to_json(result->fold_foms);
            entry["figures"] = result->figures;
            if (run.spec().objective.several() && run.contends(*result)) {
                const std::vector<double> values = run.objective_values(*result);
                for (std::size_t j = 0; j < values.size(); ++j) entry["objectives"][run.spec().objective.criteria[j].name] = values[j];
                entry["pareto"] = front.count(result->id) > 0;
            }
            entry["finished_s"] = trial.finished_s;
            entry["duration_s"] = result->duration_s;
            if (!result->ok()) entry["reason"] = result->reason;
        }
        for (std::size_t index : trial.runs) {
            const journal::TrialRun& each = history.runs[index];
            entry["runs"].push_back({{"group", each.group}, {"start_s", each.start_s}, {"end_s", each.end_s},
                                     {"outcome", journal::to_string(each.outcome)}});
        }
        for (const auto& epoch : trial.epochs) {
            entry["epochs"].push_back(
                {{"fold", epoch.fold}, {"epoch", epoch.epoch}, {"fom", config::number_to_json(epoch.fom)}, {"time_s", epoch.time_s}});
        }
        document["trials"].push_back(std::move(entry));
    }
    return document;
}

}  // namespace hpopt::report
