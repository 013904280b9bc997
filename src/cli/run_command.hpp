#pragma once
// `hpopt run SPEC`: checks the spec, prepares the run dir and runs the search.
#include <string>

namespace hpopt::cli {

struct RunOptions {
    std::string spec_path;
    std::string output_dir;  // overrides the spec's output.dir when not empty
    bool force = false;
};

// Returns the process's exit status; throws config::InvalidConfig for a bad spec.
int run_command(const RunOptions& options);

}  // namespace hpopt::cli
