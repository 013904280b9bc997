#pragma once
// The GP's hyper-parameters, kept in log space where they are fitted:
// theta = [log l_1 .. log l_D, log signal variance, log noise variance].
#include <Eigen/Dense>

#include "hpopt/config/json.hpp"

namespace hpopt::gp {

struct Hyperparameters {
    Eigen::VectorXd log_lengths;
    double log_signal_variance = 0;
    double log_noise_variance = 0;

    // Unit length scales and signal variance, the given noise variance.
    static Hyperparameters initial(int dimensions, double noise_variance);
    static Hyperparameters from_theta(const Eigen::VectorXd& theta);
    Eigen::VectorXd theta() const;

    Json to_json() const;
    static Hyperparameters from_json(const Json& json);
};

}  // namespace hpopt::gp
