#pragma once
// Bounded maximization with NLopt's L-BFGS that always returns the best point it evaluated,
// also when NLopt gives up on round-off or a failed line search.
#include <functional>
#include <vector>

namespace hpopt::gp {

// Returns f(x) and, when `gradient` is not empty, fills it with the gradient at x.
using Objective = std::function<double(const std::vector<double>& x, std::vector<double>& gradient)>;

struct LbfgsOptions {
    int max_evaluations = 50;
    double ftol_rel = 0;  // 0: not a stopping criterion
    double xtol_abs = 0;
};

struct Maximum {
    std::vector<double> x;
    double value;
};

// Non-finite values count as minus infinity.
Maximum maximize_lbfgs(const Objective& f, const std::vector<double>& start, const std::vector<double>& lower,
                       const std::vector<double>& upper, const LbfgsOptions& options);

}  // namespace hpopt::gp
