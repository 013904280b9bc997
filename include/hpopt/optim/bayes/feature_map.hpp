#pragma once
// What the GP sees of a point of the unit cube: a real coordinate as it is, an int at the
// centre of its bin (so the acquisition is evaluated at the rounded value), a categorical as a
// one-hot vector of its choices.
#include <vector>

#include <Eigen/Dense>

#include "hpopt/space/space.hpp"

namespace hpopt::optim::bayes {

class FeatureMap {
public:
    explicit FeatureMap(const space::Space& space);

    Eigen::Index size() const { return size_; }
    Eigen::VectorXd features(const space::Point& point) const;
    Eigen::MatrixXd features(const std::vector<space::Point>& points) const;  // one column per point

    // The coordinates of real dimensions, the only ones the acquisition has a gradient for,
    // and the feature each maps to.
    const std::vector<std::size_t>& continuous() const { return continuous_; }
    Eigen::Index feature_of(std::size_t coordinate) const { return coordinates_[coordinate].first_feature; }

private:
    struct Coordinate {
        Eigen::Index first_feature;
        std::size_t choices;  // > 0: a categorical, one-hot over this many features
    };

    space::Space space_;
    std::vector<Coordinate> coordinates_;
    std::vector<std::size_t> continuous_;
    Eigen::Index size_ = 0;
};

}  // namespace hpopt::optim::bayes
