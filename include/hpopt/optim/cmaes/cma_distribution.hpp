#pragma once
// The search distribution of the (mu/mu_w, lambda) CMA-ES with cumulative step-size adaptation,
// as in Hansen's tutorial ("The CMA Evolution Strategy: A Tutorial", arXiv:1604.00772): samples
// x = m + sigma * A (B D z), z ~ N(0, I), C = B D^2 B^T; each generation moves the mean to the
// weighted mean of the mu best of lambda, adapts C by the rank-one and rank-mu updates and sigma
// by the length of its evolution path. A is a diagonal scale that stays 1 but where the margin
// for integer coordinates (see integer_margin.hpp) widens it.
#include <Eigen/Dense>

#include "hpopt/config/json.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::optim::cmaes {

// The mu = lambda / 2 positive recombination weights, best first, summing to 1.
Eigen::VectorXd recombination_weights(int lambda);

// Why a run should restart: it has converged or can no longer make progress.
enum class Stop { running, tiny_steps, flat_losses, ill_conditioned };

class CmaDistribution {
public:
    // `lambda` samples per generation, from `mean` with step size `sigma`.
    CmaDistribution(Eigen::VectorXd mean, double sigma, int lambda);

    int lambda() const { return lambda_; }
    const Eigen::VectorXd& mean() const { return mean_; }
    double sigma() const { return sigma_; }
    // The standard deviation of each coordinate of a sample.
    Eigen::VectorXd coordinate_deviations() const;
    Eigen::VectorXd& margin_scale() { return scale_; }

    Eigen::VectorXd sample(random::Rng& rng) const;
    // A point drawn by an earlier distribution, made fit for update(): its step from the mean is
    // shortened to a Mahalanobis length of at most sqrt(n) + 2n / (n + 2), as Hansen's
    // "Injecting external solutions into CMA-ES" (2011) does, so that it cannot throw the
    // step size off.
    Eigen::VectorXd injected(const Eigen::VectorXd& x) const;
    // One generation: `best` holds the mu best samples (of this distribution), best first, and
    // `losses` every loss of the generation (for the stopping tests).
    void update(const std::vector<Eigen::VectorXd>& best, const std::vector<double>& losses);
    Stop stop() const;

    Json save() const;
    static CmaDistribution load(const Json& state);

private:
    void decompose();

    int lambda_;
    Eigen::VectorXd weights_;  // mu positive weights, summing to 1
    double mu_eff_;
    double c_sigma_, d_sigma_, c_c_, c_1_, c_mu_, chi_n_;

    Eigen::VectorXd mean_;
    double sigma_;
    Eigen::MatrixXd C_;
    Eigen::VectorXd p_sigma_, p_c_;
    Eigen::VectorXd scale_;  // A
    int generation_ = 0;
    std::vector<double> best_losses_;  // the best loss of each generation, for the flat-loss test
    double last_loss_range_ = 0;       // the spread of the last generation's losses

    Eigen::MatrixXd B_;
    Eigen::VectorXd D_;
    Eigen::MatrixXd inverse_sqrt_C_;
};

}  // namespace hpopt::optim::cmaes
