#include "hpopt/optim/cmaes/cmaes_search.hpp"

#include <algorithm>
#include <cmath>

#include "hpopt/optim/cmaes/integer_margin.hpp"

namespace hpopt::optim::cmaes {
namespace {

constexpr int max_doublings = 9;          // IPOP's population stops growing at 2^9 lambda
constexpr int resamples_inside = 100;     // draws for a sample inside the cube, then it is clipped
constexpr int draws_for_a_new_point = 100;  // then the run has converged onto points suggested before

bool inside_cube(const Eigen::VectorXd& x) { return (x.array() >= 0).all() && (x.array() <= 1).all(); }

Eigen::VectorXd as_vector(const std::vector<double>& x) {
    return Eigen::Map<const Eigen::VectorXd>(x.data(), static_cast<Eigen::Index>(x.size()));
}

}  // namespace

int default_population(std::size_t n) {
    return 4 + static_cast<int>(std::floor(3 * std::log(static_cast<double>(std::max<std::size_t>(n, 1)))));
}

CmaesSearch::CmaesSearch(space::Space space, CmaesSettings settings, std::uint64_t seed)
    : space_(std::move(space)), settings_(settings), rng_(seed) {
    for (std::size_t i = 0; i < space_.size(); ++i) {
        const auto& domain = space_.coordinate(i).domain;
        if (const auto* choices = std::get_if<space::Choices>(&domain)) {
            categorical_.push_back(i);
            choice_counts_.push_back(choices->values.size());
        } else {
            numeric_.push_back(i);
            bins_.push_back(std::holds_alternative<space::IntRange>(domain) ? space_.coordinate(i).cardinality() : 0);
        }
    }
    start_run();
}

// A run of CMA-ES: the first from the centre of the cube, each restart from a random mean
// with twice the population of the one before.
void CmaesSearch::start_run() {
    const int base = settings_.population > 0 ? settings_.population : default_population(space_.size());
    lambda_ = base << std::min(restarts_, max_doublings);
    Eigen::VectorXd mean = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(numeric_.size()), 0.5);
    if (restarts_ > 0) {
        for (Eigen::Index i = 0; i < mean.size(); ++i) mean[i] = rng_.uniform();
    }
    if (!numeric_.empty()) gaussian_.emplace(mean, settings_.sigma0, lambda_);
    categories_ = CategoricalDistribution(choice_counts_, margin_alpha(space_.size(), lambda_));
    out_.clear();  // what is still out was drawn by the run before
    told_.clear();
}

CmaesSearch::Sample CmaesSearch::draw() {
    Sample sample{{}, categories_.sample(rng_), generation_};
    if (!gaussian_) return sample;
    Eigen::VectorXd x = gaussian_->sample(rng_);
    for (int attempt = 1; attempt < resamples_inside && !inside_cube(x); ++attempt) x = gaussian_->sample(rng_);
    x = x.cwiseMax(0.0).cwiseMin(1.0);
    sample.x.assign(x.data(), x.data() + x.size());
    return sample;
}

Point CmaesSearch::point_of(const Sample& sample) const {
    Point point(space_.size());
    for (std::size_t i = 0; i < numeric_.size(); ++i) point[numeric_[i]] = sample.x[i];
    for (std::size_t i = 0; i < categorical_.size(); ++i) {
        point[categorical_[i]] = (static_cast<double>(sample.choices[i]) + 0.5) / static_cast<double>(choice_counts_[i]);
    }
    return point;
}

std::optional<Point> CmaesSearch::ask(const std::vector<Point>&) {
    for (int run = 0; run < 2; ++run) {
        Sample sample;
        const auto point = history_.next_new(space_, [&] { return point_of(sample = draw()); }, draws_for_a_new_point);
        if (point) {
            out_[*point] = sample;
            return point;
        }
        if (settings_.restarts == Restarts::none) break;
        ++restarts_;
        start_run();
    }
    return std::nullopt;  // even a fresh run finds only points suggested before
}

void CmaesSearch::tell(const Evaluation& evaluation) {
    if (evaluation.again) return;  // its first result already counted, for a distribution gone by now
    const auto found = out_.find(evaluation.point);
    if (found == out_.end()) return;  // drawn by the run before a restart
    Sample sample = found->second;
    out_.erase(found);
    if (sample.generation != generation_ && gaussian_) {
        const Eigen::VectorXd fit = gaussian_->injected(as_vector(sample.x));
        sample.x.assign(fit.data(), fit.data() + fit.size());
    }
    told_.emplace_back(sample, individual_of(evaluation));
    if (told_.size() >= static_cast<std::size_t>(lambda_)) close_generation();
}

void CmaesSearch::close_generation() {
    std::stable_sort(told_.begin(), told_.end(), [](const auto& a, const auto& b) { return fitter(a.second, b.second); });
    const auto weights = recombination_weights(lambda_);
    std::vector<Eigen::VectorXd> best_x;
    std::vector<Choices> best_choices;
    std::vector<double> losses;
    for (std::size_t i = 0; i < told_.size(); ++i) {
        losses.push_back(told_[i].second.loss);
        if (i >= static_cast<std::size_t>(weights.size())) continue;
        best_x.push_back(as_vector(told_[i].first.x));
        best_choices.push_back(told_[i].first.choices);
    }
    categories_.update(best_choices, weights);
    if (gaussian_) {
        gaussian_->update(best_x, losses);
        apply_integer_margin(*gaussian_, bins_);
        if (gaussian_->stop() != Stop::running && settings_.restarts == Restarts::ipop) {
            ++restarts_;
            start_run();
            return;
        }
    }
    told_.clear();
    ++generation_;
}

Json CmaesSearch::sample_to_json(const Sample& sample) {
    return {{"x", sample.x}, {"choices", sample.choices}, {"generation", sample.generation}};
}

CmaesSearch::Sample CmaesSearch::sample_from_json(const Json& json) {
    return {json.at("x").get<std::vector<double>>(), json.at("choices").get<Choices>(), json.at("generation").get<int>()};
}

Json CmaesSearch::save() const {
    Json out = Json::array(), told = Json::array();
    for (const auto& [point, sample] : out_) out.push_back({{"point", point}, {"sample", sample_to_json(sample)}});
    for (const auto& [sample, result] : told_) told.push_back({{"sample", sample_to_json(sample)}, {"result", individual_to_json(result)}});
    return {{"kind", "cmaes"},
            {"rng", rng_.save()},
            {"suggested", history_.save()},
            {"restarts", restarts_},
            {"lambda", lambda_},
            {"generation", generation_},
            {"gaussian", gaussian_ ? gaussian_->save() : Json(nullptr)},
            {"categories", categories_.save()},
            {"out", out},
            {"told", told}};
}

void CmaesSearch::load(const Json& state) {
    rng_.load(state.at("rng").get<std::string>());
    history_.load(state.at("suggested"));
    restarts_ = state.at("restarts").get<int>();
    lambda_ = state.at("lambda").get<int>();
    generation_ = state.at("generation").get<int>();
    if (!state.at("gaussian").is_null()) gaussian_ = CmaDistribution::load(state.at("gaussian"));
    categories_.load(state.at("categories"));
    out_.clear();
    for (const Json& entry : state.at("out")) out_[entry.at("point").get<Point>()] = sample_from_json(entry.at("sample"));
    told_.clear();
    for (const Json& entry : state.at("told")) told_.emplace_back(sample_from_json(entry.at("sample")), individual_from_json(entry.at("result")));
}

}  // namespace hpopt::optim::cmaes
