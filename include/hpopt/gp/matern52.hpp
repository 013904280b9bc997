#pragma once
// The Matern 5/2 kernel with one length scale per input dimension (ARD):
//   k(a, b) = s2 (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r),  r = |(a - b) / l|.
// Points are the columns of a matrix. Most functions take points already divided by the
// length scales (scale()), which a GP does once for its training inputs.
#include <Eigen/Dense>

namespace hpopt::gp {

class Matern52 {
public:
    Matern52(Eigen::VectorXd lengths, double signal_variance);

    const Eigen::VectorXd& lengths() const { return lengths_; }
    double signal_variance() const { return signal_variance_; }

    Eigen::MatrixXd scale(const Eigen::MatrixXd& points) const { return inverse_lengths_.asDiagonal() * points; }

    // K(i, j) = k(A.col(i), B.col(j)) for scaled points.
    Eigen::MatrixXd matrix(const Eigen::MatrixXd& scaled_a, const Eigen::MatrixXd& scaled_b) const;
    // Column i: the gradient of k(x, B.col(i)) with respect to the unscaled x, for scaled x and B.
    Eigen::MatrixXd gradient(const Eigen::VectorXd& scaled_x, const Eigen::MatrixXd& scaled_b) const;

    // k at scaled distance r, and the factor s2 * 5/3 (1 + sqrt5 r) exp(-sqrt5 r) that its
    // derivatives share (dk/dr = -r * shared), from one exponential.
    struct AtDistance {
        double value, shared;
    };
    AtDistance at_distance(double r) const;

private:
    Eigen::VectorXd lengths_;
    Eigen::VectorXd inverse_lengths_;
    double signal_variance_;
};

}  // namespace hpopt::gp
