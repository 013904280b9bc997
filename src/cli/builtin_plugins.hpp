#pragma once
#include "hpopt/workload/workload.hpp"

namespace hpopt::cli {

// The workload plugins built into the hpopt executable.
workload::Registry builtin_plugins();

}  // namespace hpopt::cli
