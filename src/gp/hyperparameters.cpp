#include "hpopt/gp/hyperparameters.hpp"

#include <cmath>
#include <vector>

namespace hpopt::gp {

Hyperparameters Hyperparameters::initial(int dimensions, double noise_variance) {
    return {Eigen::VectorXd::Zero(dimensions), 0.0, std::log(noise_variance)};
}

Hyperparameters Hyperparameters::from_theta(const Eigen::VectorXd& theta) {
    const Eigen::Index d = theta.size() - 2;
    return {theta.head(d), theta(d), theta(d + 1)};
}

Eigen::VectorXd Hyperparameters::theta() const {
    Eigen::VectorXd theta(log_lengths.size() + 2);
    theta << log_lengths, log_signal_variance, log_noise_variance;
    return theta;
}

Json Hyperparameters::to_json() const {
    const Eigen::VectorXd t = theta();
    return std::vector<double>(t.data(), t.data() + t.size());
}

Hyperparameters Hyperparameters::from_json(const Json& json) {
    const auto values = json.get<std::vector<double>>();
    return from_theta(Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size())));
}

}  // namespace hpopt::gp
