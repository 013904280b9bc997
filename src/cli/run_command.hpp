#pragma once
// `hpopt run SPEC`: checks the spec, prepares the run dir and runs the search: in this process,
// or, started by mpirun on several ranks, across the layout's groups. `hpopt resume RUN_DIR`
// goes on with a run that stopped (a crash, a kill, a signal, or a budget to raise) from its
// journal: nothing finished is lost or run again. `hpopt simulate SPEC --groups G` runs the
// spec's search in this process against G simulated groups on virtual time (see
// cluster::SimulatedExecutor) into an ordinary run dir.
#include <cstdint>
#include <optional>
#include <string>

#include "cli/exit_status.hpp"

namespace hpopt::cli {

// hpopt simulate's settings.
struct SimulationOptions {
    int groups = 1;
    double trial_time_s = 60;  // the median
    double spread = 0.5;       // of the log of trial times
    bool free_coordinator = false;
};

struct RunOptions {
    std::string spec_path;
    std::string output_dir;  // overrides the spec's output.dir when not empty
    bool force = false;
    // `hpopt resume RUN_DIR`: the run dir's spec and journal, and budget overrides.
    std::string resume_dir;
    std::optional<std::int64_t> trials;
    std::optional<double> wall_time_s;
    std::optional<int> workers;  // a new number of workers per fold team (allreduce every step)
    std::string log_level = "info";
    double progress_interval_s = 30;  // between progress lines when stderr is not a terminal
    std::optional<SimulationOptions> simulation;
};

// Returns the process's exit status; throws config::InvalidConfig for a bad spec.
int run_command(const RunOptions& options, int& argc, char**& argv);

}  // namespace hpopt::cli
