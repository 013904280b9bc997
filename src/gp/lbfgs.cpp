#include "hpopt/gp/lbfgs.hpp"

#include <cmath>
#include <limits>

#include <nlopt.hpp>

namespace hpopt::gp {
namespace {

struct Tracked {
    const Objective& f;
    Maximum best;
};

double call(const std::vector<double>& x, std::vector<double>& gradient, void* data) {
    auto& tracked = *static_cast<Tracked*>(data);
    const double value = tracked.f(x, gradient);
    if (!std::isfinite(value)) {
        std::fill(gradient.begin(), gradient.end(), 0.0);
        return -1e300;  // NLopt needs a number; this one loses to any real value
    }
    if (value > tracked.best.value) tracked.best = {x, value};
    return value;
}

}  // namespace

Maximum maximize_lbfgs(const Objective& f, const std::vector<double>& start, const std::vector<double>& lower,
                       const std::vector<double>& upper, const LbfgsOptions& options) {
    Tracked tracked{f, {start, -std::numeric_limits<double>::infinity()}};
    nlopt::opt optimizer(nlopt::LD_LBFGS, static_cast<unsigned>(start.size()));
    optimizer.set_lower_bounds(lower);
    optimizer.set_upper_bounds(upper);
    optimizer.set_max_objective(call, &tracked);
    optimizer.set_maxeval(options.max_evaluations);
    if (options.ftol_rel > 0) optimizer.set_ftol_rel(options.ftol_rel);
    if (options.xtol_abs > 0) optimizer.set_xtol_abs(options.xtol_abs);
    std::vector<double> x = start;
    double value = 0;
    try {
        optimizer.optimize(x, value);
    } catch (const std::exception&) {
        // Round-off or a failed line search: the best point seen stands.
    }
    return tracked.best;
}

}  // namespace hpopt::gp
