#include "hpopt/report/timeline.hpp"

#include <cmath>

#include <fmt/format.h>

#include "hpopt/journal/journal.hpp"

namespace hpopt::report {
namespace {

constexpr int coordinator_pid = 0;
int group_pid(int group) { return group + 1; }
constexpr int trials_tid = 0;
int fold_tid(int fold) { return fold + 1; }

double microseconds(double seconds) { return std::round(seconds * 1e6); }

Json name_record(const char* kind, int pid, int tid, const std::string& name) {
    return {{"name", kind}, {"ph", "M"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}};
}

void name_tracks(const RunView& run, Json& events) {
    events.push_back(name_record("process_name", coordinator_pid, 0, "coordinator"));
    events.push_back(name_record("thread_name", coordinator_pid, 0, "sessions"));
    for (int group = 0; group < run.history().groups(); ++group) {
        events.push_back(name_record("process_name", group_pid(group), trials_tid, fmt::format("group {}", group)));
        events.push_back(name_record("thread_name", group_pid(group), trials_tid, "trials"));
        for (int fold = 0; fold < run.spec().layout.folds; ++fold) {
            events.push_back(name_record("thread_name", group_pid(group), fold_tid(fold), fmt::format("fold {} epochs", fold)));
        }
    }
}

Json trial_args(const RunView& run, const journal::TrialHistory& trial, journal::TrialRun::Outcome outcome) {
    Json args = {{"outcome", journal::to_string(outcome)}, {"params", trial.trial.params}};
    if (trial.result && (outcome == journal::TrialRun::Outcome::ok || outcome == journal::TrialRun::Outcome::failed ||
                         outcome == journal::TrialRun::Outcome::stopped)) {
        const journal::TrialResult& result = *trial.result;
        if (result.has_fom()) args[run.history().fom_name] = result.fom;
        if (!result.ok()) args["reason"] = result.reason;
    }
    return args;
}

// The group a trial ran on at `time_s`: after a resume or a retry it may be another.
int group_at(const journal::RunHistory& history, const journal::TrialHistory& trial, double time_s) {
    for (std::size_t index : trial.runs) {
        const journal::TrialRun& each = history.runs[index];
        if (each.start_s <= time_s && time_s <= each.end_s) return each.group;
    }
    return trial.group;
}

}  // namespace

Json chrome_trace(const RunView& run) {
    const journal::RunHistory& history = run.history();
    Json events = Json::array();
    name_tracks(run, events);
    for (std::size_t i = 0; i < history.sessions.size(); ++i) {
        const auto& session = history.sessions[i];
        events.push_back({{"name", i == 0 ? std::string("run") : fmt::format("resume {}", i)},
                          {"ph", "X"}, {"pid", coordinator_pid}, {"tid", 0}, {"ts", microseconds(session.start_s)},
                          {"dur", microseconds(session.end_s - session.start_s)}});
    }
    for (const journal::TrialRun& each : history.runs) {
        const journal::TrialHistory& trial = history.trial(each.trial);
        events.push_back({{"name", fmt::format("trial {}", each.trial)}, {"cat", journal::to_string(each.outcome)},
                          {"ph", "X"}, {"pid", group_pid(each.group)}, {"tid", trials_tid}, {"ts", microseconds(each.start_s)},
                          {"dur", microseconds(each.end_s - each.start_s)}, {"args", trial_args(run, trial, each.outcome)}});
    }
    for (const journal::TrialHistory& trial : history.trials) {
        for (const journal::EpochPoint& epoch : trial.epochs) {
            Json args = {{"trial", trial.trial.id}, {run.history().fom_name, config::number_to_json(epoch.fom)}};
            events.push_back({{"name", fmt::format("trial {} epoch {}", trial.trial.id, epoch.epoch)}, {"ph", "i"}, {"s", "t"},
                              {"pid", group_pid(group_at(history, trial, epoch.time_s))}, {"tid", fold_tid(epoch.fold)},
                              {"ts", microseconds(epoch.time_s)}, {"args", std::move(args)}});
        }
    }
    for (const RunView::BestSoFar& best : run.best_so_far()) {
        events.push_back({{"name", "best " + history.fom_name}, {"ph", "C"}, {"pid", coordinator_pid},
                          {"ts", microseconds(best.time_s)}, {"args", {{history.fom_name, best.fom}}}});
    }
    return {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"},
            {"otherData", {{"search", run.spec().name}, {"started_at", history.started_at}}}};
}

}  // namespace hpopt::report
