#pragma once
// `hpopt layout SPEC [--ranks N]`: the rank map of a spec's layout, without MPI, for planning a
// batch job.
#include <optional>
#include <string>

namespace hpopt::cli {

// Returns the exit status; throws config::InvalidConfig for a bad spec.
int layout_command(const std::string& spec_path, std::optional<int> ranks);

}  // namespace hpopt::cli
