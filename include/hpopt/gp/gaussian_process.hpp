#pragma once
// Gaussian-process regression with the Matern 5/2 kernel and Gaussian noise, for fixed
// hyper-parameters: the Cholesky factor of K + noise I, grown one point at a time in O(n^2)
// when a point is added, and predictions of the latent function's mean and variance (with
// their gradients).
//
// Targets are taken as given: the caller standardizes them.
#include <stdexcept>

#include <Eigen/Dense>

#include "hpopt/gp/hyperparameters.hpp"
#include "hpopt/gp/matern52.hpp"

namespace hpopt::gp {

// Even the largest jitter left the kernel matrix not positive definite.
class NumericalFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Prediction {
    double mean = 0;
    double variance = 0;
};

struct PredictionWithGradient {
    double mean = 0;
    double variance = 0;
    Eigen::VectorXd mean_gradient;
    Eigen::VectorXd variance_gradient;
};

class GaussianProcess {
public:
    explicit GaussianProcess(const Hyperparameters& hyperparameters);

    // Factorizes for inputs X (one point per column) and targets y. When the factorization
    // fails, jitter (1e-10 of the signal variance, growing tenfold up to 1e-2) is added to the
    // diagonal; NumericalFailure past that.
    void fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y);
    // Adds one observation without refactorizing (a new row of the Cholesky factor).
    void add(const Eigen::VectorXd& x, double y);
    // New targets for the same inputs.
    void set_targets(const Eigen::VectorXd& y);

    Eigen::Index size() const { return X_.cols(); }
    const Eigen::MatrixXd& inputs() const { return X_; }
    const Hyperparameters& hyperparameters() const { return hyperparameters_; }
    double jitter() const { return jitter_; }

    Prediction predict(const Eigen::VectorXd& x) const;
    PredictionWithGradient predict_with_gradient(const Eigen::VectorXd& x) const;
    // Means and variances at the columns of Xs, in one pass.
    void predict_many(const Eigen::MatrixXd& Xs, Eigen::VectorXd& mean, Eigen::VectorXd& variance) const;

private:
    void factorize();
    double diagonal() const { return kernel_.signal_variance() + noise_variance_ + jitter_; }
    // k(X, x) for a point given unscaled.
    Eigen::VectorXd cross_covariance(const Eigen::VectorXd& x) const { return kernel_.matrix(scaled_X_, kernel_.scale(x)); }

    Hyperparameters hyperparameters_;
    Matern52 kernel_;
    double noise_variance_;
    double jitter_ = 0;
    Eigen::MatrixXd X_;
    Eigen::MatrixXd scaled_X_;  // X divided by the length scales
    Eigen::VectorXd y_;
    // The factor: lower triangular, L L^T = K + (noise + jitter) I, in the top left corner of L_,
    // which keeps room for points to come.
    auto L() const { return L_.topLeftCorner(size(), size()); }

    Eigen::MatrixXd L_;
    Eigen::VectorXd alpha_;  // (K + noise I)^-1 y
};

}  // namespace hpopt::gp
