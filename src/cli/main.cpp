// hpopt: hyper-parameter optimization for HPC clusters.
// Exit status: 0 done, 1 the run failed, 2 bad input (command line, spec, output dir, world
// size), 3 interrupted by a signal.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "hpopt/config/problems.hpp"
#include "hpopt/journal/journal_reader.hpp"
#include "hpopt/journal/run_directory.hpp"
#include "hpopt/version.hpp"
#include "cli/export_command.hpp"
#include "cli/layout_command.hpp"
#include "cli/problems_report.hpp"
#include "cli/report_command.hpp"
#include "cli/run_command.hpp"
#include "cli/status_command.hpp"

namespace {

using hpopt::cli::exit_bad_input;
using hpopt::cli::exit_failure;

// The options of a run that `run` and `resume` share: how much it says, and how often.
void add_reporting_options(CLI::App& command, hpopt::cli::RunOptions& options) {
    command.add_option("--log-level", options.log_level, "error, warning, info or debug (stderr and <run dir>/logs/)")
        ->check(CLI::IsMember({"error", "warning", "info", "debug"}))
        ->capture_default_str();
    command.add_option("--progress-interval", options.progress_interval_s,
                       "Seconds between progress lines when stderr is not a terminal (on one, a live line)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
}

// `hpopt showers ...` is the program hpopt-showers beside this one (only it loads HDF5): run it
// in this process's place.
int run_showers_program(int argc, char** argv) {
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::string program = (self.parent_path() / "hpopt-showers").string();
    std::vector<char*> arguments{const_cast<char*>(program.c_str())};
    arguments.insert(arguments.end(), argv + 2, argv + argc);
    arguments.push_back(nullptr);
    ::execv(program.c_str(), arguments.data());
    fmt::print(stderr, "hpopt showers: cannot run {}: {}\n", program, std::strerror(errno));
    return exit_failure;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::string_view(argv[1]) == "showers") return run_showers_program(argc, argv);
    CLI::App app{"hpopt: hyper-parameter optimization for HPC clusters"};
    app.set_version_flag("--version", std::string("hpopt ") + hpopt::version);
    app.require_subcommand(1);

    hpopt::cli::RunOptions run;
    CLI::App* run_app = app.add_subcommand("run", "Run the search a spec describes");
    run_app->add_option("spec", run.spec_path, "The search spec (JSON)")->required();
    run_app->add_flag("--force", run.force, "Replace the results of an earlier run in the output dir");
    run_app->add_option("-o,--output", run.output_dir, "Output dir (instead of the spec's output.dir)");
    add_reporting_options(*run_app, run);

    hpopt::cli::RunOptions resume;
    CLI::App* resume_app = app.add_subcommand("resume", "Go on with a run that stopped, from its journal (exit 2: it cannot)");
    resume_app->add_option("run_dir", resume.resume_dir, "The run's output dir")->required();
    resume_app->add_option("--trials", resume.trials, "A new trial budget (the spec's otherwise)");
    resume_app->add_option("--wall-time-s", resume.wall_time_s, "A new wall time, counted from the resume");
    resume_app->add_option("--workers", resume.workers,
                           "Fold teams of this many workers from now on (all-reduce training every step): a trial goes on "
                           "from the checkpoint its team of another size left");
    add_reporting_options(*resume_app, resume);

    std::string layout_spec;
    std::optional<int> layout_ranks;
    hpopt::cli::RunOptions simulate;
    hpopt::cli::SimulationOptions simulation;
    CLI::App* simulate_app =
        app.add_subcommand("simulate", "Run a spec's search against simulated groups on virtual time: how busy would G groups be?");
    simulate_app->add_option("spec", simulate.spec_path, "The search spec (JSON)")->required();
    simulate_app->add_option("--groups", simulation.groups, "Simulated groups")->required()->check(CLI::PositiveNumber);
    simulate_app->add_option("--trials", simulate.trials, "A trial budget (the spec's otherwise)")->check(CLI::PositiveNumber);
    simulate_app->add_option("--trial-time-s", simulation.trial_time_s, "The trials' median time, virtual seconds")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    simulate_app->add_option("--spread", simulation.spread, "The standard deviation of the log of the trials' times")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    simulate_app->add_flag("--free-coordinator", simulation.free_coordinator,
                           "The coordinator's own work takes no virtual time (the trials' times alone)");
    simulate_app->add_flag("--force", simulate.force, "Replace the results of an earlier run in the output dir");
    simulate_app->add_option("-o,--output", simulate.output_dir, "Output dir (instead of the spec's output.dir)");
    add_reporting_options(*simulate_app, simulate);

    CLI::App* layout_app = app.add_subcommand("layout", "Print the rank map of a spec's layout (no MPI needed)");
    layout_app->add_option("spec", layout_spec, "The search spec (JSON)")->required();
    layout_app->add_option("--ranks", layout_ranks, "The world size to check against the layout");

    // Listed for --help; run_showers_program takes the command before it gets here.
    app.add_subcommand("showers", "Simulate calorimeter showers into a CLIC-format HDF5 file (hpopt showers --help)");

    std::string status_dir;
    CLI::App* status_app = app.add_subcommand("status", "What a search has done, from its journal (safe while it runs)");
    status_app->add_option("run_dir", status_dir, "The run's output dir")->required();

    std::string report_dir;
    CLI::App* report_app = app.add_subcommand("report", "<run dir>/report.html with tables and plots, and timeline.json");
    report_app->add_option("run_dir", report_dir, "The run's output dir")->required();

    hpopt::cli::ExportOptions export_options;
    CLI::App* export_app = app.add_subcommand("export", "Every trial of a run as CSV or JSON, for other programs");
    export_app->add_option("run_dir", export_options.run_dir, "The run's output dir")->required();
    export_app->add_option("--format", export_options.format, "csv or json")
        ->check(CLI::IsMember({"csv", "json"}))
        ->capture_default_str();
    export_app->add_option("-o,--output", export_options.output, "The file to write (stdout otherwise)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int status = app.exit(error);
        return status == 0 ? 0 : exit_bad_input;
    }

    try {
        if (run_app->parsed()) return hpopt::cli::run_command(run, argc, argv);
        if (resume_app->parsed()) {
            resume.spec_path = hpopt::journal::RunDirectory{resume.resume_dir}.spec().string();
            resume.output_dir = resume.resume_dir;
            return hpopt::cli::run_command(resume, argc, argv);
        }
        if (simulate_app->parsed()) {
            simulate.simulation = simulation;
            return hpopt::cli::run_command(simulate, argc, argv);
        }
        if (layout_app->parsed()) return hpopt::cli::layout_command(layout_spec, layout_ranks);
        if (status_app->parsed()) return hpopt::cli::status_command(status_dir);
        if (export_app->parsed()) return hpopt::cli::export_command(export_options);
        if (report_app->parsed()) return hpopt::cli::report_command(report_dir);
    } catch (const hpopt::config::InvalidConfig& error) {
        // status, report and export read the spec that the journal's first record holds
        const std::string looked_at = status_app->parsed() ? status_dir : report_app->parsed() ? report_dir : export_options.run_dir;
        const std::string source = run_app->parsed()        ? run.spec_path
                                   : simulate_app->parsed() ? simulate.spec_path
                                   : resume_app->parsed() ? resume.spec_path
                                   : layout_app->parsed() ? layout_spec
                                                          : hpopt::journal::RunDirectory{looked_at}.journal().string();
        hpopt::cli::report_problems(source, error);
        return exit_bad_input;
    } catch (const hpopt::journal::JournalError& error) {  // no journal, or one that cannot be read back
        fmt::print(stderr, "hpopt {}: {}\n", app.get_subcommands().front()->get_name(), error.what());
        return exit_bad_input;
    } catch (const hpopt::journal::RunDirectoryInUse& error) {
        fmt::print(stderr, "hpopt: {}\n", error.what());
        return exit_bad_input;
    } catch (const std::exception& error) {
        fmt::print(stderr, "hpopt: {}\n", error.what());
        return exit_failure;
    }
    return exit_failure;
}
