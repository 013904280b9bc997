#include "hpopt/gp/likelihood.hpp"

#include <cmath>
#include <limits>

#include "hpopt/gp/lbfgs.hpp"
#include "hpopt/gp/matern52.hpp"

namespace hpopt::gp {
namespace {

struct Bounds {
    Eigen::VectorXd lower, upper;
};

Bounds theta_bounds(Eigen::Index dimensions, const FitBounds& b) {
    Bounds bounds{Eigen::VectorXd(dimensions + 2), Eigen::VectorXd(dimensions + 2)};
    bounds.lower << Eigen::VectorXd::Constant(dimensions, std::log(b.min_length)), std::log(b.min_signal_variance),
        std::log(b.min_noise_variance);
    bounds.upper << Eigen::VectorXd::Constant(dimensions, std::log(b.max_length)), std::log(b.max_signal_variance),
        std::log(b.max_noise_variance);
    return bounds;
}

// The gradient's length-scale part: for each d, 1/2 sum_ij C_ij (x_di - x_dj)^2 / l_d^2 with
// C = W o shared (the kernel factor of at_distance), expanded so that each d costs one matrix-vector product.
void length_scale_gradient(const Eigen::MatrixXd& X, const Eigen::MatrixXd& C, const Eigen::VectorXd& lengths,
                           Eigen::VectorXd& gradient) {
    const Eigen::VectorXd row_sums = C.rowwise().sum();
    for (Eigen::Index d = 0; d < X.rows(); ++d) {
        const Eigen::VectorXd x = X.row(d).transpose();
        const double quadratic = x.cwiseAbs2().dot(row_sums) - x.dot(C * x);
        gradient(d) = quadratic / (lengths(d) * lengths(d));
    }
}

}  // namespace

double log_marginal_likelihood(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& theta,
                               Eigen::VectorXd* gradient) {
    const Hyperparameters h = Hyperparameters::from_theta(theta);
    const Matern52 kernel(h.log_lengths.array().exp().matrix(), std::exp(h.log_signal_variance));
    const double noise = std::exp(h.log_noise_variance);
    const Eigen::Index n = X.cols();

    // The kernel and the factor its derivatives share, for each pair from one exponential.
    const Eigen::MatrixXd scaled = kernel.scale(X);
    Eigen::MatrixXd K_signal(n, n), shared(n, n);
    for (Eigen::Index j = 0; j < n; ++j) {
        for (Eigen::Index i = 0; i <= j; ++i) {
            const Matern52::AtDistance k = kernel.at_distance((scaled.col(i) - scaled.col(j)).norm());
            K_signal(i, j) = K_signal(j, i) = k.value;
            shared(i, j) = shared(j, i) = k.shared;
        }
    }

    Eigen::MatrixXd K = K_signal;
    K.diagonal().array() += noise;
    const Eigen::LLT<Eigen::MatrixXd> llt(K);
    if (llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
    const Eigen::VectorXd alpha = llt.solve(y);
    const double log_det_half = llt.matrixLLT().diagonal().array().log().sum();
    const double value = -0.5 * y.dot(alpha) - log_det_half - 0.5 * static_cast<double>(n) * std::log(2 * M_PI);
    if (!std::isfinite(value)) return -std::numeric_limits<double>::infinity();
    if (!gradient) return value;

    const Eigen::MatrixXd W = alpha * alpha.transpose() - llt.solve(Eigen::MatrixXd::Identity(n, n));
    const Eigen::MatrixXd C = W.cwiseProduct(shared);
    gradient->resize(theta.size());
    length_scale_gradient(X, C, kernel.lengths(), *gradient);
    (*gradient)(X.rows()) = 0.5 * W.cwiseProduct(K_signal).sum();
    (*gradient)(X.rows() + 1) = 0.5 * noise * W.trace();
    return value;
}

Hyperparameters fit_hyperparameters(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Hyperparameters& start,
                                    random::Rng& rng, const FitOptions& options) {
    const Eigen::Index dimensions = X.rows();
    const Bounds bounds = theta_bounds(dimensions, options.bounds);
    Eigen::VectorXd best_theta = start.theta().cwiseMax(bounds.lower).cwiseMin(bounds.upper);
    double best_value = log_marginal_likelihood(X, y, best_theta, nullptr);

    const Objective objective = [&](const std::vector<double>& x, std::vector<double>& grad) {
        const Eigen::Map<const Eigen::VectorXd> theta(x.data(), static_cast<Eigen::Index>(x.size()));
        Eigen::VectorXd gradient;
        const double value = log_marginal_likelihood(X, y, theta, grad.empty() ? nullptr : &gradient);
        if (std::isfinite(value) && !grad.empty()) std::copy(gradient.data(), gradient.data() + gradient.size(), grad.begin());
        return value;
    };
    const auto as_vector = [](const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); };
    const std::vector<double> lower = as_vector(bounds.lower), upper = as_vector(bounds.upper);
    LbfgsOptions lbfgs;
    lbfgs.max_evaluations = options.max_evaluations;
    lbfgs.ftol_rel = options.ftol_rel;

    std::vector<Eigen::VectorXd> starts = {best_theta};
    for (int i = 0; i < options.random_restarts; ++i) {
        Eigen::VectorXd theta(dimensions + 2);
        for (Eigen::Index j = 0; j < theta.size(); ++j) theta(j) = rng.uniform(bounds.lower(j), bounds.upper(j));
        starts.push_back(theta);
    }
    for (const Eigen::VectorXd& theta : starts) {
        const Maximum found = maximize_lbfgs(objective, as_vector(theta), lower, upper, lbfgs);
        if (found.value > best_value) {
            best_value = found.value;
            best_theta = Eigen::Map<const Eigen::VectorXd>(found.x.data(), static_cast<Eigen::Index>(found.x.size()));
        }
    }
    return Hyperparameters::from_theta(best_theta);
}

}  // namespace hpopt::gp
