#pragma once
// The "analytic" workload: a test function of the space's parameters x1..xd, with optional
// simulated run time, Gaussian noise and injected failures. It is how the optimizers and the
// coordinator are tested and benchmarked without training anything.
#include "hpopt/workload/plugin.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::analytic {

workload::Plugin plugin();

}  // namespace hpopt::analytic
