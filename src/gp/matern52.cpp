#include "hpopt/gp/matern52.hpp"

#include <cmath>

namespace hpopt::gp {
namespace {

const double sqrt5 = std::sqrt(5.0);

}  // namespace

Matern52::Matern52(Eigen::VectorXd lengths, double signal_variance)
    : lengths_(std::move(lengths)), inverse_lengths_(lengths_.cwiseInverse()), signal_variance_(signal_variance) {}

Matern52::AtDistance Matern52::at_distance(double r) const {
    const double e = signal_variance_ * std::exp(-sqrt5 * r);
    return {(1 + sqrt5 * r + 5.0 / 3.0 * r * r) * e, 5.0 / 3.0 * (1 + sqrt5 * r) * e};
}

Eigen::MatrixXd Matern52::matrix(const Eigen::MatrixXd& scaled_a, const Eigen::MatrixXd& scaled_b) const {
    Eigen::MatrixXd K(scaled_a.cols(), scaled_b.cols());
    for (Eigen::Index j = 0; j < scaled_b.cols(); ++j) {
        for (Eigen::Index i = 0; i < scaled_a.cols(); ++i) {
            K(i, j) = at_distance((scaled_a.col(i) - scaled_b.col(j)).norm()).value;
        }
    }
    return K;
}

Eigen::MatrixXd Matern52::gradient(const Eigen::VectorXd& scaled_x, const Eigen::MatrixXd& scaled_b) const {
    // d k / d x_d = -shared(r) (x_d - b_d) / l_d^2: no singularity at r = 0.
    Eigen::MatrixXd result = (-scaled_b).colwise() + scaled_x;  // scaled differences
    for (Eigen::Index i = 0; i < scaled_b.cols(); ++i) {
        const double shared = at_distance(result.col(i).norm()).shared;
        result.col(i) = -shared * result.col(i).cwiseProduct(inverse_lengths_);
    }
    return result;
}

}  // namespace hpopt::gp
