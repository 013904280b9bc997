#pragma once
// The log marginal likelihood of GP hyper-parameters, its gradient, and its maximization.
#include <Eigen/Dense>

#include "hpopt/gp/hyperparameters.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::gp {

// log p(y | X, theta) = -1/2 y^T alpha - sum log diag(L) - n/2 log 2 pi, and, when `gradient` is
// not null, its gradient with respect to theta (log space):
// d/dtheta_j = 1/2 tr((alpha alpha^T - K^-1) dK/dtheta_j). -infinity when K cannot be factorized.
double log_marginal_likelihood(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& theta,
                               Eigen::VectorXd* gradient);

struct FitBounds {
    double min_length = 0.01, max_length = 100;                    // inputs live in the unit cube
    double min_signal_variance = 0.01, max_signal_variance = 100;  // targets are standardized
    // A floor low enough for noiseless objectives to be located precisely; jitter (see
    // GaussianProcess::fit) keeps K factorizable when the fit goes down to it.
    double min_noise_variance = 1e-10, max_noise_variance = 1;
};

struct FitOptions {
    FitBounds bounds;
    int random_restarts = 1;   // besides the start given
    int max_evaluations = 20;  // per local search
    double ftol_rel = 1e-4;    // stop a local search when the likelihood improves by less
};

// Maximizes the log marginal likelihood with L-BFGS (NLopt) from `start` and from random
// restarts drawn from `rng`, within the bounds; returns the best found (the start clamped to the
// bounds if nothing better turns up).
Hyperparameters fit_hyperparameters(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Hyperparameters& start,
                                    random::Rng& rng, const FitOptions& options);

}  // namespace hpopt::gp
