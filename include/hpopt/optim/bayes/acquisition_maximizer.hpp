#pragma once
// Maximizes an acquisition function over the unit cube: scores many candidate points at once,
// then refines the best few with bounded L-BFGS (NLopt) over their real coordinates, using the
// acquisition's gradient; ints and categoricals keep the values of the candidate they start from.
#include <vector>

#include "hpopt/gp/gaussian_process.hpp"
#include "hpopt/optim/bayes/acquisition.hpp"
#include "hpopt/optim/bayes/feature_map.hpp"

namespace hpopt::optim::bayes {

struct ScoredPoint {
    space::Point point;
    double value;
};

struct MaximizerOptions {
    int local_starts = 3;
    int local_evaluations = 30;
    std::size_t kept = 64;  // candidates returned besides the refined points
};

// The model's predictions at candidate points, computed once for several acquisitions (a
// batch's randomized lower confidence bounds).
struct Predictions {
    std::vector<space::Point> points;
    Eigen::VectorXd mean, variance;
};

Predictions predict(const FeatureMap& features, const gp::GaussianProcess& model, std::vector<space::Point> points);

class AcquisitionMaximizer {
public:
    AcquisitionMaximizer(const FeatureMap& features, const gp::GaussianProcess& model, Acquisition acquisition,
                         AcquisitionParameters parameters, double best);

    double value(const space::Point& point) const;
    // The best candidates and the refined points, best first.
    std::vector<ScoredPoint> maximize(std::vector<space::Point> candidates, const MaximizerOptions& options) const;
    // The same from the model's predictions at the candidates.
    std::vector<ScoredPoint> maximize(const Predictions& candidates, const MaximizerOptions& options) const;

private:
    std::vector<ScoredPoint> score(const Predictions& candidates) const;
    ScoredPoint refine(const space::Point& start, int evaluations) const;
    // The acquisition and its gradient with respect to the real coordinates.
    double value_and_gradient(const space::Point& point, std::vector<double>& gradient) const;

    const FeatureMap& features_;
    const gp::GaussianProcess& model_;
    Acquisition acquisition_;
    AcquisitionParameters parameters_;
    double best_;
};

}  // namespace hpopt::optim::bayes
