#pragma once
// `hpopt run SPEC`: checks the spec, prepares the run dir and runs the search: in this process,
// or, started by mpirun on several ranks, across the layout's groups.
#include <string>

namespace hpopt::cli {

struct RunOptions {
    std::string spec_path;
    std::string output_dir;  // overrides the spec's output.dir when not empty
    bool force = false;
};

constexpr int exit_failure = 1;
constexpr int exit_bad_input = 2;
constexpr int exit_interrupted = 3;  // stopped by SIGINT or SIGTERM

// Returns the process's exit status; throws config::InvalidConfig for a bad spec.
int run_command(const RunOptions& options, int& argc, char**& argv);

}  // namespace hpopt::cli
