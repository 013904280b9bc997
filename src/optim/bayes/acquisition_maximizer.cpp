#include "hpopt/optim/bayes/acquisition_maximizer.hpp"

#include <algorithm>
#include <cmath>

#include "hpopt/gp/lbfgs.hpp"

namespace hpopt::optim::bayes {

Predictions predict(const FeatureMap& features, const gp::GaussianProcess& model, std::vector<space::Point> points) {
    Predictions predictions;
    model.predict_many(features.features(points), predictions.mean, predictions.variance);
    predictions.points = std::move(points);
    return predictions;
}

AcquisitionMaximizer::AcquisitionMaximizer(const FeatureMap& features, const gp::GaussianProcess& model,
                                           Acquisition acquisition, AcquisitionParameters parameters, double best)
    : features_(features), model_(model), acquisition_(acquisition), parameters_(parameters), best_(best) {}

double AcquisitionMaximizer::value(const space::Point& point) const {
    const gp::Prediction p = model_.predict(features_.features(point));
    return evaluate(acquisition_, p.mean, std::sqrt(p.variance), best_, parameters_).value;
}

std::vector<ScoredPoint> AcquisitionMaximizer::score(const Predictions& candidates) const {
    std::vector<ScoredPoint> scored;
    scored.reserve(candidates.points.size());
    for (std::size_t i = 0; i < candidates.points.size(); ++i) {
        const auto k = static_cast<Eigen::Index>(i);
        const double v = evaluate(acquisition_, candidates.mean(k), std::sqrt(candidates.variance(k)), best_, parameters_).value;
        if (std::isfinite(v)) scored.push_back({candidates.points[i], v});
    }
    return scored;
}

double AcquisitionMaximizer::value_and_gradient(const space::Point& point, std::vector<double>& gradient) const {
    const gp::PredictionWithGradient p = model_.predict_with_gradient(features_.features(point));
    const double sd = std::sqrt(p.variance);
    const AcquisitionValue a = evaluate(acquisition_, p.mean, sd, best_, parameters_);
    const auto& continuous = features_.continuous();
    for (std::size_t j = 0; j < gradient.size(); ++j) {
        const Eigen::Index f = features_.feature_of(continuous[j]);
        const double d_sd = sd > 0 ? p.variance_gradient(f) / (2 * sd) : 0.0;
        gradient[j] = a.d_mean * p.mean_gradient(f) + a.d_sd * d_sd;
    }
    return a.value;
}

ScoredPoint AcquisitionMaximizer::refine(const space::Point& start, int evaluations) const {
    const auto& continuous = features_.continuous();
    const auto with = [&](const std::vector<double>& x) {
        space::Point point = start;
        for (std::size_t j = 0; j < x.size(); ++j) point[continuous[j]] = x[j];
        return point;
    };
    const gp::Objective objective = [&](const std::vector<double>& x, std::vector<double>& grad) {
        std::vector<double> gradient(x.size());
        const double v = value_and_gradient(with(x), gradient);
        if (!grad.empty()) grad = gradient;
        return v;
    };
    std::vector<double> x;
    for (std::size_t c : continuous) x.push_back(start[c]);
    gp::LbfgsOptions options;
    options.max_evaluations = evaluations;
    options.xtol_abs = 1e-9;
    const gp::Maximum found = gp::maximize_lbfgs(objective, x, std::vector<double>(x.size(), 0.0),
                                                 std::vector<double>(x.size(), 1.0), options);
    return {with(found.x), found.value};
}

std::vector<ScoredPoint> AcquisitionMaximizer::maximize(std::vector<space::Point> candidates,
                                                        const MaximizerOptions& options) const {
    return maximize(predict(features_, model_, std::move(candidates)), options);
}

std::vector<ScoredPoint> AcquisitionMaximizer::maximize(const Predictions& candidates, const MaximizerOptions& options) const {
    std::vector<ScoredPoint> ranked = score(candidates);
    const auto by_value = [](const ScoredPoint& a, const ScoredPoint& b) { return a.value > b.value; };
    const std::size_t kept = std::min<std::size_t>(options.kept, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(kept), ranked.end(), by_value);
    ranked.resize(kept);
    if (!features_.continuous().empty()) {
        const std::size_t starts = std::min<std::size_t>(options.local_starts, ranked.size());
        for (std::size_t i = 0; i < starts; ++i) ranked.push_back(refine(ranked[i].point, options.local_evaluations));
        std::sort(ranked.begin(), ranked.end(), by_value);
    }
    return ranked;
}

}  // namespace hpopt::optim::bayes
