#include "hpopt/report/run_view.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "hpopt/journal/journal_reader.hpp"
#include "hpopt/journal/run_directory.hpp"
#include "hpopt/pareto/front.hpp"
#include "hpopt/pareto/hypervolume.hpp"

namespace hpopt::report {

RunView::RunView(journal::RunHistory history)
    : history_(std::move(history)), spec_(spec::outline(history_.spec, history_.spec.value("name", "run"))) {}

RunView RunView::read(const std::filesystem::path& run_dir) {
    const journal::RunDirectory run{run_dir};
    if (!std::filesystem::exists(run.journal())) {
        throw journal::JournalError(fmt::format("{} has no journal.jsonl: not the output dir of a run", run_dir.string()));
    }
    return RunView(journal::read_run_history(run.journal()));
}

std::int64_t RunView::finished() const {
    std::int64_t count = 0;
    for (const auto& trial : history_.trials) count += trial.result ? 1 : 0;
    return count;
}

std::int64_t RunView::finished_as(journal::TrialStatus status) const {
    std::int64_t count = 0;
    for (const auto& trial : history_.trials) count += trial.result && trial.result->status == status ? 1 : 0;
    return count;
}

std::int64_t RunView::running() const {
    std::int64_t count = 0;
    for (const auto& run : history_.runs) count += run.outcome == journal::TrialRun::Outcome::running ? 1 : 0;
    return count;
}

std::int64_t RunView::paused() const {
    return std::count_if(history_.trials.begin(), history_.trials.end(), [](const journal::TrialHistory& trial) { return trial.paused; });
}

const journal::TrialHistory* RunView::best() const {
    const journal::TrialHistory* best = nullptr;
    for (const auto* trial : history_.finished()) {
        if (contends(*trial->result) && (!best || better(trial->result->fom, best->result->fom))) best = trial;
    }
    return best;
}

std::string RunView::status(const journal::TrialHistory& trial) const {
    if (trial.result) return journal::to_string(trial.result->status);
    if (trial.paused) return "paused";
    const bool running = !trial.runs.empty() && history_.runs[trial.runs.back()].outcome == journal::TrialRun::Outcome::running;
    return running ? "running" : "unfinished";
}

std::vector<RunView::BestSoFar> RunView::best_so_far() const {
    std::vector<BestSoFar> points;
    std::int64_t finished = 0;
    for (const auto* trial : history_.finished()) {
        ++finished;
        const journal::TrialResult& result = *trial->result;
        if (contends(result) && (points.empty() || better(result.fom, points.back().fom))) {
            points.push_back({finished, trial->finished_s, result.fom, trial->trial.id});
        }
    }
    return points;
}

std::vector<const journal::TrialHistory*> RunView::pareto_front() const {
    if (!spec_.objective.several()) return {};
    std::vector<const journal::TrialHistory*> contenders;
    std::vector<pareto::Losses> losses;
    for (const auto* trial : history_.finished()) {
        if (!contends(*trial->result)) continue;
        contenders.push_back(trial);
        losses.push_back(spec_.objective.losses(trial->result->fom, trial->result->figures));
    }
    std::vector<std::size_t> front = pareto::nondominated(losses);
    std::stable_sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) { return losses[a] < losses[b]; });
    std::vector<const journal::TrialHistory*> members;
    for (std::size_t i : front) members.push_back(contenders[i]);
    return members;
}

RunView::HypervolumeSoFar RunView::hypervolume_so_far() const {
    HypervolumeSoFar result;
    if (!spec_.objective.several()) return result;
    std::vector<pareto::Losses> losses;  // one per finished trial; none for those that do not contend
    std::vector<double> worst, best;
    for (const auto* trial : history_.finished()) {
        losses.emplace_back();
        if (!contends(*trial->result)) continue;
        losses.back() = spec_.objective.losses(trial->result->fom, trial->result->figures);
        if (worst.empty()) worst = best = losses.back();
        for (std::size_t j = 0; j < worst.size(); ++j) {
            worst[j] = std::max(worst[j], losses.back()[j]);
            best[j] = std::min(best[j], losses.back()[j]);
        }
    }
    if (worst.empty()) return result;
    pareto::Losses reference = worst;
    for (std::size_t j = 0; j < reference.size(); ++j) reference[j] += worst[j] > best[j] ? 0.1 * (worst[j] - best[j]) : 1.0;
    // A trial that does not contend adds nothing: it stands beyond the reference.
    for (pareto::Losses& l : losses) {
        if (l.empty()) l = reference;
    }
    result.by_finished = pareto::hypervolume_by_count(losses, reference);
    for (std::size_t j = 0; j < reference.size(); ++j) {
        const bool maximized = spec_.objective.criteria[j].direction == spec::Direction::maximize;
        result.reference.push_back(maximized ? -reference[j] : reference[j]);
    }
    return result;
}

std::vector<double> RunView::busy_s_per_group() const {
    std::vector<double> busy(static_cast<std::size_t>(history_.groups()), 0.0);
    for (const auto& run : history_.runs) busy[static_cast<std::size_t>(run.group)] += run.end_s - run.start_s;
    return busy;
}

double RunView::utilization() const {
    const double available = history_.groups() * history_.active_s();
    if (available <= 0) return 0;
    double busy = 0;
    for (double seconds : busy_s_per_group()) busy += seconds;
    return busy / available;
}

std::string objectives_text(const spec::Objective& objective) {
    std::vector<std::string> criteria;
    for (const spec::Criterion& criterion : objective.criteria) criteria.push_back(spec::to_string(criterion.direction) + " " + criterion.name);
    return fmt::format("{}", fmt::join(criteria, ", "));
}

std::string failed_and_stopped(std::int64_t failed, std::int64_t stopped) {
    return stopped > 0 ? fmt::format("{} failed, {} stopped early", failed, stopped) : fmt::format("{} failed", failed);
}

std::string running_and_paused(std::int64_t running, std::int64_t paused) {
    return paused > 0 ? fmt::format("{} running, {} paused", running, paused) : fmt::format("{} running", running);
}

std::string readable_duration(double seconds) {
    if (seconds < 10) return fmt::format("{:.2f} s", seconds);
    if (seconds < 120) return fmt::format("{:.1f} s", seconds);
    if (seconds < 7200) return fmt::format("{:.1f} min", seconds / 60);
    return fmt::format("{:.2f} h", seconds / 3600);
}

}  // namespace hpopt::report
