#include "cli/run_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include <fmt/format.h>

#include "cli/problems_report.hpp"
#include "cli/progress_display.hpp"
#include "hpopt/cluster/coordinator.hpp"
#include "hpopt/cluster/mpi_executor.hpp"
#include "hpopt/cluster/mpi_session.hpp"
#include "hpopt/cluster/simulated_executor.hpp"
#include "hpopt/cluster/stop_signals.hpp"
#include "hpopt/cluster/trial_evaluation.hpp"
#include "hpopt/journal/journal_reader.hpp"
#include "hpopt/journal/run_directory.hpp"
#include "hpopt/log/log.hpp"
#include "hpopt/random/rng.hpp"
#include "hpopt/report/run_view.hpp"
#include "hpopt/report/timeline.hpp"
#include "hpopt/version.hpp"
#include "hpopt/workload/plugin_loader.hpp"

namespace hpopt::cli {
namespace {

std::string describe_budget(const spec::Budget& budget) {
    std::vector<std::string> parts;
    if (budget.trials) parts.push_back(fmt::format("{} trials", *budget.trials));
    if (budget.wall_time_s) parts.push_back(fmt::format("{} s", *budget.wall_time_s));
    if (budget.target) parts.push_back(fmt::format("target {}", *budget.target));
    return fmt::format("{}", fmt::join(parts, ", "));
}

std::string optimizer_time(const cluster::SearchMetrics& metrics) {
    return fmt::format("{} suggestions in {:.3f} s ({:.2f} ms each), telling {:.3f} s", metrics.suggested, metrics.model_s,
                       1e3 * metrics.model_s_per_suggestion(), metrics.tell_s);
}

// With several objectives, how many trials the front holds and how each was judged.
void print_front(const cluster::SearchProgress& progress, const spec::Objective& objective, const journal::RunDirectory& run) {
    fmt::print("Pareto front: {} trial(s) ({}): {}\n", progress.front.size(), report::objectives_text(objective),
               run.pareto_json().string());
}

void print_outcome(const cluster::SearchOutcome& outcome, const spec::Spec& spec, const std::string& fom_name,
                   const journal::RunDirectory& run) {
    const cluster::SearchProgress& progress = outcome.progress;
    fmt::print("done: {} after {} trials ({}) in {:.2f} s\n", cluster::to_string(outcome.stop_reason), progress.finished,
               report::failed_and_stopped(progress.failed, progress.stopped), progress.elapsed_s);
    const cluster::SearchMetrics& metrics = outcome.metrics;
    fmt::print("groups: {}, utilization {:.1f}%, mean dispatch latency {:.2f} ms, optimizer: {}\n", progress.groups,
               100 * progress.utilization(), 1e3 * metrics.mean_dispatch_latency_s(), optimizer_time(metrics));
    if (spec.objective.several()) {
        print_front(progress, spec.objective, run);
    } else if (progress.best) {
        const auto& best = *progress.best;
        fmt::print("best trial {}: {} = {:.6g}", best.trial.id, fom_name, best.result.fom);
        if (best.result.fold_foms.size() > 1) fmt::print(" (std {:.3g} over {} folds)", best.result.fom_std, best.result.fold_foms.size());
        fmt::print("\n");
        for (const auto& item : best.trial.params.items()) fmt::print("  {} = {}\n", item.key(), item.value().dump());
    } else {
        fmt::print("no trial succeeded\n");
    }
    fmt::print("results: {}  {}  (journal: {})\n", run.results_csv().string(), run.best_json().string(),
               run.journal().string());
}

void write_timeline(const journal::RunDirectory& run) {
    try {
        const report::RunView view = report::RunView::read(run.dir);
        journal::write_atomically(run.timeline_json(), report::chrome_trace(view).dump() + "\n");
    } catch (const std::exception& error) {  // the results are safe in the journal: say so and go on
        log::warning("{} not written: {}", run.timeline_json().string(), error.what());
    }
}

std::string checkpoint_root(const spec::Spec& spec) { return journal::RunDirectory{spec.output_dir}.checkpoints().string(); }

// The best trial on the workload's test set, when it has one: printed and kept in test.json.
void report_test_figures(const spec::Spec& spec, workload::Workload& workload, const cluster::SearchOutcome& outcome,
                         const journal::RunDirectory& run) {
    if (!outcome.progress.best) return;
    const journal::Trial& best = outcome.progress.best->trial;
    workload::TrialContext context;
    context.trial_id = best.id;
    context.folds = spec.layout.folds;
    context.checkpoint_dir = cluster::checkpoint_dir(checkpoint_root(spec), best.id);
    Json figures;
    try {
        figures = workload.test_figures(best.params, context);
    } catch (const std::exception& error) {
        fmt::print("test set: not evaluated: {}\n", error.what());
        return;
    }
    if (figures.is_null()) return;
    figures["trial"] = best.id;
    journal::write_atomically(run.test_json(), figures.dump(2) + "\n");
    std::vector<std::string> parts;
    for (const auto& item : figures.items()) {
        if (item.key() != "trial") parts.push_back(fmt::format("{} {}", item.key(), item.value().dump()));
    }
    fmt::print("test set, best trial {} (mean over its folds' models): {}\n", best.id, fmt::join(parts, ", "));
}

// A run that `hpopt resume` cannot go on with: the exit status is 2.
class ResumeRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The journal of the run to resume, checked against its spec. Every rank reads it, so that
// all of them refuse alike.
journal::JournalContents journal_to_resume(const spec::Spec& spec) {
    const journal::RunDirectory run{spec.output_dir};
    if (!std::filesystem::exists(run.journal())) {
        throw ResumeRefused(fmt::format("{} has no journal: nothing to resume", run.dir.string()));
    }
    journal::JournalContents contents;
    try {
        contents = journal::read_journal(run.journal());
    } catch (const journal::JournalError& error) {
        throw ResumeRefused(error.what());
    }
    const Json* first = contents.records.empty() ? nullptr : &contents.records.front();
    if (!first || journal::event_of(*first) != journal::Event::run_started) {
        throw ResumeRefused(fmt::format("{} does not begin with run_started: not an hpopt journal", run.journal().string()));
    }
    if (first->contains("simulation")) {
        throw ResumeRefused(fmt::format("{} is a simulation (hpopt simulate): nothing to resume; hpopt run runs the search for real",
                                        run.dir.string()));
    }
    if (first->value("spec_fingerprint", "") != spec::fingerprint(spec.document)) {
        throw ResumeRefused(fmt::format("{} belongs to another spec than {}: refusing to mix two searches",
                                        run.journal().string(), run.spec().string()));
    }
    return contents;
}

int exit_status(const cluster::SearchOutcome& outcome) { return outcome.interrupted ? exit_interrupted : 0; }

// The run dir, ready for this run: made afresh (the spec written in it), or the one to resume.
// Throws journal::RunDirectoryInUse when it holds another run, or one that goes on.
journal::RunDirectory open_run_directory(const spec::Spec& spec, const RunOptions& options, bool resumed) {
    if (!resumed) {
        const journal::RunDirectory run = journal::prepare_run_directory(spec.output_dir, options.force);
        journal::write_atomically(run.spec(), spec.document.dump(2) + "\n");
        return run;
    }
    const journal::RunDirectory run{spec.output_dir};
    journal::refuse_if_being_written(run.journal());
    return run;
}

// Every rank logs to its own file in the run dir; only rank 0 says more than warnings on stderr.
void start_log(const journal::RunDirectory& run, const RunOptions& options, const cluster::Role& role, bool resumed) {
    log::Settings settings;
    settings.level = *log::level_from(options.log_level);
    settings.stderr_level = role.rank == 0 ? settings.level : std::min(settings.level, log::Level::warning);
    settings.who = cluster::label(role);
    settings.file = run.logs() / fmt::format("rank-{}.log", role.rank);
    settings.append = resumed;
    log::configure(settings);
}

// hpopt simulate: the journal's times are virtual, and its first record says it is a simulation.
void on_virtual_time(const SimulationOptions& simulation, const cluster::Executor& executor, journal::Journal& journal,
                     cluster::Coordinator& coordinator) {
    const auto wall_start = std::chrono::system_clock::now();
    const auto virtual_start = executor.now();
    journal.stamp_with([&executor, wall_start, virtual_start] {
        return log::utc_timestamp(wall_start + std::chrono::duration_cast<std::chrono::system_clock::duration>(executor.now() - virtual_start));
    });
    coordinator.simulation({{"groups", simulation.groups},
                            {"trial_time_s", simulation.trial_time_s},
                            {"spread", simulation.spread},
                            {"free_coordinator", simulation.free_coordinator}});
}

void print_simulated(const cluster::SearchOutcome& outcome, const std::string& fom_name) {
    const cluster::SearchProgress& progress = outcome.progress;
    fmt::print("simulated {} group(s) for {} of virtual time (optimizer: {}): utilization {:.1f}%, best {}\n", progress.groups,
               report::readable_duration(progress.elapsed_s), optimizer_time(outcome.metrics), 100 * progress.utilization(),
               progress.best ? fmt::format("{} {:.6g}", fom_name, progress.best->result.fom) : "none");
}

// The coordinator's part: the journal and the search through `executor`.
cluster::SearchOutcome coordinate(const spec::Spec& spec, const journal::RunDirectory& run, const RunOptions& options,
                                  cluster::Executor& executor, workload::Workload& workload,
                                  const std::optional<journal::JournalContents>& resumed) {
    const std::string fom_name = workload.fom_name();
    const auto optimizer = optim::make_optimizer(spec.optimizer, spec.space, spec.seed);
    journal::Journal journal(run.journal(), resumed ? journal::Journal::Open::append : journal::Journal::Open::create);
    if (resumed && !resumed->torn.empty()) {  // cut once the journal is ours, never under a live run
        log::warning("the journal's last record was torn (a crash while writing it): dropped {}", resumed->torn);
        journal::cut_torn_tail(run.journal(), *resumed);
    }
    journal::ResultsFiles results(run, spec.space);

    fmt::print("hpopt {}: search \"{}\", {} over {} dimensions, {} group(s), budget {} -> {}\n", version, spec.name,
               optim::kind_name(spec.optimizer), spec.space.size(), executor.groups(), describe_budget(spec.budget),
               run.dir.string());
    cluster::Coordinator coordinator(spec, *optimizer, executor, journal, results, fom_name);
    if (options.simulation) on_virtual_time(*options.simulation, executor, journal, coordinator);
    if (resumed) {
        const std::int64_t differed = coordinator.resume(resumed->records, resumed->torn);
        fmt::print("resuming from {} journal records\n", resumed->records.size());
        if (differed > 0) {
            fmt::print("note: {} replayed suggestions differed from the journal's (several groups ask ahead); those trials "
                       "keep the journal's parameters\n", differed);
        }
    }
    const cluster::SearchOutcome outcome = [&] {
        ProgressDisplay progress({spec.budget.trials, spec.budget.wall_time_s, fom_name, ::isatty(STDERR_FILENO) == 1,
                                  options.progress_interval_s});
        coordinator.on_progress([&](const cluster::SearchProgress& now) { progress.update(now); });
        coordinator.on_notice([](const std::string& notice) { log::warning("{}", notice); });
        coordinator.stop_when(cluster::stop_signal_received);
        coordinator.prune_checkpoints(checkpoint_root(spec));
        return coordinator.run(version);
    }();
    write_timeline(run);
    print_outcome(outcome, spec, fom_name, run);
    if (options.simulation) {  // no models were trained, and it cannot be resumed
        print_simulated(outcome, fom_name);
    } else if (outcome.interrupted) {
        fmt::print("the search can go on: hpopt resume {}\n", run.dir.string());
    } else {
        report_test_figures(spec, workload, outcome, run);
    }
    return outcome;
}

// Sends the groups away if the coordinator leaves early (an error), so that no rank hangs.
class ShutdownGuard {
public:
    explicit ShutdownGuard(cluster::Executor& executor) : executor_(executor) {}
    ~ShutdownGuard() {
        if (std::uncaught_exceptions() > 0) executor_.shutdown();
    }

private:
    cluster::Executor& executor_;
};

// A resumed run may have another number of ranks than the first (a job resubmitted on more or
// fewer nodes): it runs with as many groups as fit, its fold teams as they were (their shape
// makes the FoM and the training checkpoints).
void regroup_to_resume(spec::Spec& spec, const cluster::MpiSession& mpi) {
    const auto shape = cluster::Layout(spec.layout).regrouped(mpi.size());
    if (!shape || shape->groups == spec.layout.groups) return;
    if (mpi.rank() == 0) {
        fmt::print("resuming on {} ranks: {} group(s) instead of {}, fold teams unchanged\n", mpi.size(), shape->groups,
                   spec.layout.groups);
    }
    spec.layout = *shape;
}

// `hpopt resume --workers N`: fold teams of N workers from now on. All-reduce training every
// step only, with data parallelism: its replicas hold the same state, so a checkpoint that a team
// of another size left goes on with the new one (a learner schedule's stages are capped at N).
void resize_fold_teams(spec::Spec& spec, int workers) {
    if (workers < 1) throw ResumeRefused(fmt::format("--workers must be >= 1 (got {})", workers));
    const train::TrainingSettings& training = spec.training;
    if (spec.layout.masters != 0 || training.algorithm != train::Algorithm::allreduce ||
        training.averaging != train::Averaging::every_step || training.parallelism != train::Parallelism::data) {
        throw ResumeRefused("--workers applies to all-reduce training every step (data parallelism), with no masters");
    }
    spec.layout.workers = workers;
    spec.training.layout.workers = workers;
}

// Trials still running past the grace, or hung, would keep the job alive (their groups' ranks,
// or this process's trial thread): the journal is complete, so the job ends here, resumably.
[[noreturn]] void end_leaving_abandoned_trials() {
    std::fflush(stdout);
    std::fflush(stderr);
    if (cluster::MpiSession::launched_by_mpi()) MPI_Abort(MPI_COMM_WORLD, exit_interrupted);
    std::_Exit(exit_interrupted);  // no destructors under the trial thread's workload
}

int run_distributed(spec::Spec& spec, const RunOptions& options, workload::Workload& workload, const cluster::MpiSession& mpi,
                    const std::optional<journal::JournalContents>& resumed) {
    if (resumed) regroup_to_resume(spec, mpi);
    const cluster::Layout layout(spec.layout);
    if (const std::string mismatch = layout.mismatch(mpi.size()); !mismatch.empty()) {
        if (mpi.rank() == 0) {
            fmt::print(stderr, "hpopt: {}: {}{}\n", options.spec_path, mismatch,
                       resumed ? fmt::format(" (to resume: 1 + a multiple of {})", layout.ranks_per_group()) : "");
        }
        MPI_Barrier(MPI_COMM_WORLD);  // every rank leaves after rank 0 has said why
        return exit_bad_input;
    }
    // Rank 0 prepares the run dir; the others wait for it before they write their logs there.
    std::optional<journal::RunDirectory> run;
    int usable = 1;
    if (mpi.rank() == 0) {
        try {
            run = open_run_directory(spec, options, resumed.has_value());
        } catch (const journal::RunDirectoryInUse& error) {
            fmt::print(stderr, "hpopt: {}\n", error.what());
            usable = 0;
        }
    }
    MPI_Bcast(&usable, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!usable) return exit_bad_input;
    if (!run) run = journal::RunDirectory{spec.output_dir};
    start_log(*run, options, layout.role(mpi.rank()), resumed.has_value());

    const cluster::Communicators comms(layout, mpi.rank(), MPI_COMM_WORLD);
    if (mpi.rank() != 0) {
        cluster::serve(layout, mpi.rank(), workload, MPI_COMM_WORLD, comms);
        return 0;
    }
    cluster::MpiExecutor executor(layout, MPI_COMM_WORLD, spec.budget.trial_timeout_s, spec.budget.silence_limit_s,
                                  checkpoint_root(spec));
    const ShutdownGuard guard(executor);
    const cluster::SearchOutcome outcome = coordinate(spec, *run, options, executor, workload, resumed);
    if (outcome.abandoned > 0) end_leaving_abandoned_trials();
    return exit_status(outcome);
}

int simulate(spec::Spec& spec, const RunOptions& options, workload::Workload& workload, bool under_mpi) {
    if (under_mpi) {
        fmt::print(stderr, "hpopt simulate: runs in one process, not under mpirun\n");
        return exit_bad_input;
    }
    if (options.trials) spec.budget.trials = *options.trials;
    const SimulationOptions& simulation = *options.simulation;
    const journal::RunDirectory run = open_run_directory(spec, options, false);
    start_log(run, options, cluster::Layout(spec.layout).role(0), false);
    cluster::SimulatedExecutor executor(workload, simulation.groups, spec.layout.folds,
                                        {simulation.trial_time_s, simulation.spread, simulation.free_coordinator},
                                        hpopt::random::derive_seed(spec.seed, hpopt::random::stream::simulation),
                                        spec.budget.trial_timeout_s);
    return exit_status(coordinate(spec, run, options, executor, workload, std::nullopt));
}

}  // namespace

int run_command(const RunOptions& options, int& argc, char**& argv) {
    cluster::catch_stop_signals(exit_interrupted, true);
    std::optional<cluster::MpiSession> mpi;
    if (cluster::MpiSession::launched_by_mpi()) mpi.emplace(argc, argv);
    if (mpi && mpi->rank() != 0) cluster::catch_stop_signals(exit_interrupted, false);  // rank 0 speaks for the job
    const workload::PluginLoader plugins;
    std::optional<spec::Spec> loaded;
    try {
        loaded = spec::load(options.spec_path, plugins);
    } catch (const config::InvalidConfig& error) {
        if (!mpi) throw;
        // Every rank finds the same problems: rank 0 reports them, once, and no rank leaves
        // before it has (mpirun ends the job when the first rank fails).
        if (mpi->rank() == 0) report_problems(options.spec_path, error);
        MPI_Barrier(MPI_COMM_WORLD);
        return exit_bad_input;
    }
    spec::Spec& spec = *loaded;
    if (!options.output_dir.empty()) spec.output_dir = options.output_dir;
    optim::resolve_for_groups(spec.optimizer, options.simulation ? options.simulation->groups : spec.layout.groups);
    std::optional<journal::JournalContents> resumed;
    if (!options.resume_dir.empty()) {
        try {
            resumed = journal_to_resume(spec);
            if (options.workers) resize_fold_teams(spec, *options.workers);
        } catch (const ResumeRefused& error) {
            if (!mpi || mpi->rank() == 0) fmt::print(stderr, "hpopt resume: {}\n", error.what());
            if (mpi) MPI_Barrier(MPI_COMM_WORLD);
            return exit_bad_input;
        }
        if (options.trials) spec.budget.trials = *options.trials;
        if (options.wall_time_s) spec.budget.wall_time_s = *options.wall_time_s;
    }
    const auto workload = plugins.find(spec.workload.plugin)->create(spec.workload.options, spec.space, spec.training);

    if (options.simulation) return simulate(spec, options, *workload, mpi.has_value());
    if (mpi && mpi->size() > 1) return run_distributed(spec, options, *workload, *mpi, resumed);
    if (const int ranks = cluster::Layout(spec.layout).ranks(); ranks > 2) {
        fmt::print("one process: trials run one after another (the layout needs mpirun -np {})\n", ranks);
    }
    const journal::RunDirectory run = open_run_directory(spec, options, resumed.has_value());
    start_log(run, options, cluster::Layout(spec.layout).role(0), resumed.has_value());
    cluster::InProcessExecutor executor(*workload, spec.layout.folds, spec.budget.trial_timeout_s, checkpoint_root(spec));
    const cluster::SearchOutcome outcome = coordinate(spec, run, options, executor, *workload, resumed);
    if (outcome.abandoned > 0) end_leaving_abandoned_trials();
    return exit_status(outcome);
}

}  // namespace hpopt::cli
