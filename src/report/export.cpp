#include "hpopt/report/export.hpp"

#include <algorithm>
#include <cmath>

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

}  // namespace

std::string trials_csv(const RunView& run) {
    const std::size_t folds = most_folds(run);
    std::string csv = "trial,status,fom,fom_std";
    for (const auto& dimension : run.spec().space.dimensions()) csv += "," + csv_field(dimension.name);
    for (std::size_t fold = 0; fold < folds; ++fold) csv += fmt::format(",fold_{}", fold);
    csv += ",group,attempts,suggested_s,finished_s,duration_s,reason\n";
    for (const auto& trial : run.history().trials) {
        const journal::TrialResult* result = trial.result ? &*trial.result : nullptr;
        csv += fmt::format("{},{},{},{}", trial.trial.id, run.status(trial), result ? csv_number(result->fom) : "",
                           result && result->ok() ? csv_number(result->fom_std) : "");
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
    for (const auto& trial : history.trials) {
        Json entry = {{"trial", trial.trial.id},   {"status", run.status(trial)}, {"params", trial.trial.params},
                      {"point", trial.trial.point}, {"seed", trial.trial.seed},    {"group", trial.group},
                      {"suggested_s", trial.suggested_s}, {"runs", Json::array()},  {"epochs", Json::array()}};
        if (const auto& result = trial.result) {
            entry["fom"] = config::number_to_json(result->fom);
            entry["fom_std"] = result->ok() ? config::number_to_json(result->fom_std) : Json(nullptr);
            entry["fold_foms"] = config::numbers_to_json(result->fold_foms);
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
