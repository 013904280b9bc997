#pragma once
// `hpopt status RUN_DIR`: what a search has done, from its journal only, so that it is safe to
// call from a login node while the search runs: the state, the trials, the groups' use, the
// best trial and the trials running now.
#include <string>

namespace hpopt::cli {

// Returns the exit status; throws journal::JournalError when RUN_DIR holds no readable run.
int status_command(const std::string& run_dir);

}  // namespace hpopt::cli
