#pragma once
// The exit statuses of hpopt's commands.

namespace hpopt::cli {

constexpr int exit_failure = 1;
constexpr int exit_bad_input = 2;     // the command line, a spec, an output dir, the world size
constexpr int exit_interrupted = 3;  // stopped by a signal or the wall time: resumable

}  // namespace hpopt::cli
