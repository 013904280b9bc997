#include "hpopt/optim/bayes/feature_map.hpp"

#include <algorithm>

namespace hpopt::optim::bayes {

FeatureMap::FeatureMap(const space::Space& space) : space_(space) {
    for (std::size_t i = 0; i < space.size(); ++i) {
        const space::Domain& domain = space.coordinate(i).domain;
        const auto* choices = std::get_if<space::Choices>(&domain);
        coordinates_.push_back({size_, choices ? choices->values.size() : 0});
        if (std::holds_alternative<space::RealRange>(domain)) continuous_.push_back(i);
        size_ += choices ? static_cast<Eigen::Index>(choices->values.size()) : 1;
    }
}

Eigen::VectorXd FeatureMap::features(const space::Point& point) const {
    const space::Point snapped = space_.snap(point);
    Eigen::VectorXd result = Eigen::VectorXd::Zero(size_);
    for (std::size_t i = 0; i < coordinates_.size(); ++i) {
        const Coordinate& c = coordinates_[i];
        if (c.choices == 0) {
            result(c.first_feature) = snapped[i];
        } else {
            const auto bin = std::min(c.choices - 1, static_cast<std::size_t>(snapped[i] * static_cast<double>(c.choices)));
            result(c.first_feature + static_cast<Eigen::Index>(bin)) = 1.0;
        }
    }
    return result;
}

Eigen::MatrixXd FeatureMap::features(const std::vector<space::Point>& points) const {
    Eigen::MatrixXd result(size_, static_cast<Eigen::Index>(points.size()));
    for (std::size_t j = 0; j < points.size(); ++j) result.col(static_cast<Eigen::Index>(j)) = features(points[j]);
    return result;
}

}  // namespace hpopt::optim::bayes
