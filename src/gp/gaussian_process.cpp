#include "hpopt/gp/gaussian_process.hpp"

#include <cmath>

namespace hpopt::gp {

GaussianProcess::GaussianProcess(const Hyperparameters& hyperparameters)
    : hyperparameters_(hyperparameters),
      kernel_(hyperparameters.log_lengths.array().exp().matrix(), std::exp(hyperparameters.log_signal_variance)),
      noise_variance_(std::exp(hyperparameters.log_noise_variance)) {}

void GaussianProcess::fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
    X_ = X;
    scaled_X_ = kernel_.scale(X);
    y_ = y;
    jitter_ = 0;
    factorize();
}

void GaussianProcess::factorize() {
    const Eigen::MatrixXd K = kernel_.matrix(scaled_X_, scaled_X_);
    const double largest_jitter = 1e-2 * kernel_.signal_variance();
    for (double jitter = 0;; jitter = jitter == 0 ? 1e-10 * kernel_.signal_variance() : jitter * 10) {
        if (jitter > largest_jitter) throw NumericalFailure("the GP's kernel matrix is not positive definite");
        Eigen::MatrixXd A = K;
        A.diagonal().array() += noise_variance_ + jitter;
        Eigen::LLT<Eigen::MatrixXd> llt(A);
        if (llt.info() != Eigen::Success || !llt.matrixLLT().allFinite()) continue;
        jitter_ = jitter;
        L_ = llt.matrixL();  // no room to grow yet: see add()
        break;
    }
    set_targets(y_);
}

void GaussianProcess::set_targets(const Eigen::VectorXd& y) {
    y_ = y;
    alpha_ = L().triangularView<Eigen::Lower>().solve(y_);
    L().transpose().triangularView<Eigen::Upper>().solveInPlace(alpha_);
}

void GaussianProcess::add(const Eigen::VectorXd& x, double y) {
    const Eigen::Index n = size();
    const Eigen::VectorXd row = L().triangularView<Eigen::Lower>().solve(cross_covariance(x));
    const double pivot_squared = diagonal() - row.squaredNorm();

    X_.conservativeResize(Eigen::NoChange, n + 1);
    X_.col(n) = x;
    scaled_X_.conservativeResize(Eigen::NoChange, n + 1);
    scaled_X_.col(n) = kernel_.scale(x);
    y_.conservativeResize(n + 1);
    y_(n) = y;
    if (!(pivot_squared > 1e-12 * kernel_.signal_variance())) {
        factorize();  // too close to a known point for a stable update: start over, with jitter
        return;
    }
    if (L_.rows() == n) {  // the factor's room doubles, so that adding n points copies O(n^2), not O(n^3)
        Eigen::MatrixXd larger = Eigen::MatrixXd::Zero(2 * n + 1, 2 * n + 1);
        larger.topLeftCorner(n, n) = L_.topLeftCorner(n, n);
        L_.swap(larger);
    }
    L_.row(n).head(n) = row.transpose();
    L_(n, n) = std::sqrt(pivot_squared);
    set_targets(y_);
}

Prediction GaussianProcess::predict(const Eigen::VectorXd& x) const {
    const Eigen::VectorXd k = cross_covariance(x);
    const Eigen::VectorXd v = L().triangularView<Eigen::Lower>().solve(k);
    return {k.dot(alpha_), std::max(kernel_.signal_variance() - v.squaredNorm(), 0.0)};
}

PredictionWithGradient GaussianProcess::predict_with_gradient(const Eigen::VectorXd& x) const {
    const Eigen::VectorXd k = cross_covariance(x);
    Eigen::VectorXd w = L().triangularView<Eigen::Lower>().solve(k);
    const double variance = kernel_.signal_variance() - w.squaredNorm();
    L().transpose().triangularView<Eigen::Upper>().solveInPlace(w);  // w = K^-1 k
    const Eigen::MatrixXd dk = kernel_.gradient(kernel_.scale(x), scaled_X_);  // D x n
    PredictionWithGradient prediction;
    prediction.mean = k.dot(alpha_);
    prediction.mean_gradient = dk * alpha_;
    if (variance > 0) {
        prediction.variance = variance;
        prediction.variance_gradient = -2.0 * dk * w;
    } else {
        prediction.variance = 0;
        prediction.variance_gradient = Eigen::VectorXd::Zero(x.size());
    }
    return prediction;
}

void GaussianProcess::predict_many(const Eigen::MatrixXd& Xs, Eigen::VectorXd& mean, Eigen::VectorXd& variance) const {
    // In blocks of columns, so that the temporaries stay small and are reused.
    constexpr Eigen::Index block = 64;
    const Eigen::Index m = Xs.cols();
    mean.resize(m);
    variance.resize(m);
    for (Eigen::Index start = 0; start < m; start += block) {
        const Eigen::Index width = std::min(block, m - start);
        Eigen::MatrixXd K = kernel_.matrix(scaled_X_, kernel_.scale(Xs.middleCols(start, width)));  // n x width
        mean.segment(start, width) = K.transpose() * alpha_;
        L().triangularView<Eigen::Lower>().solveInPlace(K);
        variance.segment(start, width) =
            (kernel_.signal_variance() - K.colwise().squaredNorm().array()).max(0.0).matrix().transpose();
    }
}

}  // namespace hpopt::gp
