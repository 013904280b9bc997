#include "cli/status_command.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "hpopt/journal/journal.hpp"
#include "hpopt/journal/run_directory.hpp"
#include "hpopt/report/run_view.hpp"

namespace hpopt::cli {
namespace {

double now_since_start(const journal::RunHistory& history) {
    const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    return now - journal::utc_seconds(history.started_at);
}

std::string state_line(const report::RunView& run, const std::string& run_dir) {
    const journal::RunHistory& history = run.history();
    switch (history.state) {
        case journal::RunState::finished: return fmt::format("finished: {}", history.stop_reason);
        case journal::RunState::interrupted: {
            // A stop signal's reason is "interrupted"; the wall time's says so.
            const std::string why = history.stop_reason == "interrupted" ? "" : fmt::format(" ({})", history.stop_reason);
            return fmt::format("interrupted{}: `hpopt resume {}` goes on with it", why, run_dir);
        }
        case journal::RunState::unfinished: break;
    }
    if (journal::is_being_written(journal::RunDirectory{run_dir}.journal())) return "running";
    // The coordinator holds a lock on the journal; a file system whose locks do not reach this
    // node (Lustre without -o flock, say) hides it, so the line says so.
    return fmt::format("stopped without an end (killed, or its node lost; or running where this node cannot see its lock), "
                       "last record {} ago: `hpopt resume {}` goes on with it",
                       report::readable_duration(now_since_start(history) - history.last_record_s), run_dir);
}

void print_best(const report::RunView& run) {
    const journal::TrialHistory* best = run.best();
    if (!best) {
        fmt::print("best: none yet\n");
        return;
    }
    const journal::TrialResult& result = *best->result;
    fmt::print("best: trial {}, {} = {:.6g}", best->trial.id, run.history().fom_name, result.fom);
    if (result.fold_foms.size() > 1) fmt::print(" (std {:.3g} over {} folds)", result.fom_std, result.fold_foms.size());
    fmt::print("\n");
    for (const auto& item : best->trial.params.items()) fmt::print("  {} = {}\n", item.key(), item.value().dump());
}

// With several objectives, the Pareto front in place of one best trial: its first members by
// the first objective.
void print_front(const report::RunView& run) {
    constexpr std::size_t shown = 10;
    const auto front = run.pareto_front();
    fmt::print("Pareto front: {} trial(s) ({})\n", front.size(), report::objectives_text(run.spec().objective));
    for (std::size_t i = 0; i < std::min(front.size(), shown); ++i) {
        const std::vector<double> values = run.objective_values(*front[i]->result);
        std::vector<std::string> named;
        for (std::size_t j = 0; j < values.size(); ++j) named.push_back(fmt::format("{} = {:.6g}", run.spec().objective.criteria[j].name, values[j]));
        fmt::print("  trial {}: {}\n", front[i]->trial.id, fmt::join(named, ", "));
    }
    if (front.size() > shown) fmt::print("  and {} more (pareto.json)\n", front.size() - shown);
}

void print_running(const report::RunView& run, bool live) {
    const journal::RunHistory& history = run.history();
    const double now_s = live ? now_since_start(history) : history.last_record_s;
    for (const journal::TrialRun& each : history.runs) {
        if (each.outcome != journal::TrialRun::Outcome::running) continue;
        const journal::TrialHistory& trial = history.trial(each.trial);
        fmt::print("  trial {} on group {} for {}", each.trial, each.group, report::readable_duration(now_s - each.start_s));
        if (!trial.epochs.empty()) {
            const journal::EpochPoint& epoch = trial.epochs.back();
            fmt::print("; fold {} epoch {}: {:.6g}", epoch.fold, epoch.epoch, epoch.fom);
        }
        fmt::print("\n");
    }
}

}  // namespace

int status_command(const std::string& run_dir) {
    const report::RunView run = report::RunView::read(run_dir);
    const journal::RunHistory& history = run.history();
    const auto& budget = run.spec().budget;
    fmt::print("search \"{}\" in {}: {}\n", run.spec().name, run_dir, state_line(run, run_dir));
    fmt::print("started {}; {} of wall time in {} session(s)\n", history.started_at, report::readable_duration(history.active_s()),
               history.sessions.size());
    fmt::print("trials: {} finished{} ({}), {}; {} group(s), utilization {:.1f}%\n", run.finished(),
               budget.trials ? fmt::format(" of {}", *budget.trials) : "", report::failed_and_stopped(run.failed(), run.stopped()),
               report::running_and_paused(run.running(), run.paused()), history.groups(), 100 * run.utilization());
    if (!history.lost_groups.empty()) {
        fmt::print("lost (hung) group(s): {}; they got no more trials in this session\n", fmt::join(history.lost_groups, ", "));
    }
    if (run.spec().objective.several()) {
        print_front(run);
    } else {
        print_best(run);
    }
    if (run.running() > 0) {
        fmt::print("running:\n");
        print_running(run, history.state == journal::RunState::unfinished);
    }
    if (!history.torn.empty()) fmt::print("(a last record being written was left out: {})\n", history.torn);
    return 0;
}

}  // namespace hpopt::cli
