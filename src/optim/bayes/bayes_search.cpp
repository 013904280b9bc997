#include "hpopt/optim/bayes/bayes_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "hpopt/gp/likelihood.hpp"
#include "hpopt/optim/bayes/subset.hpp"
#include "hpopt/pareto/scalarization.hpp"

namespace hpopt::optim::bayes {
namespace {

constexpr double initial_noise_variance = 1e-4;
constexpr std::size_t best_observations_to_perturb = 5;
constexpr int perturbations_per_observation = 20;
constexpr double perturbation_sd = 0.05;
constexpr double log_warp_offset = 0.1;  // of the losses' range, below the best (OutputWarp::log)

struct Moments {
    double mean, sd;
};

Moments moments(const std::vector<double>& values) {
    const double n = static_cast<double>(values.size());
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
    double squares = 0;
    for (double v : values) squares += (v - mean) * (v - mean);
    const double sd = std::sqrt(squares / n);
    return {mean, sd > 0 ? sd : 1.0};
}

Json observations_to_json(const std::vector<BayesSearch::Observation>& observations) {
    Json json = Json::array();
    for (const auto& o : observations) {
        json.push_back({{"point", o.point}, {"loss", o.loss}});
        if (!o.losses.empty()) json.back()["losses"] = o.losses;
    }
    return json;
}

}  // namespace

BayesSearch::BayesSearch(space::Space space, BayesSettings settings, std::uint64_t seed, Limits limits)
    : space_(std::move(space)),
      settings_(settings),
      limits_(limits),
      features_(space_),
      rng_(seed),
      initial_design_(space_.size(), true, random::derive_seed(seed, 1)),
      hyperparameters_(gp::Hyperparameters::initial(static_cast<int>(features_.size()), initial_noise_variance)),
      trust_region_{Point(space_.size(), 0.0), Point(space_.size(), 1.0)} {}

std::size_t BayesSearch::enough() const { return static_cast<std::size_t>(std::max(settings_.initial_points, 2)); }

// The finished trials' results once there are enough, else the highest rung with enough.
std::optional<std::int64_t> BayesSearch::model_level() const {
    if (observations_.size() >= enough()) return std::nullopt;
    for (auto rung = rung_observations_.rbegin(); rung != rung_observations_.rend(); ++rung) {
        if (rung->second.size() >= enough()) return rung->first;
    }
    return std::nullopt;
}

// A model of another level starts anew: fitted at the next ask.
void BayesSearch::follow_level() {
    const auto level = model_level();
    if (level == model_rung_) return;
    model_rung_ = level;
    model_.reset();
    model_indices_.clear();
    factorized_ = 0;
    observations_at_fit_ = 0;
}

const std::vector<BayesSearch::Observation>& BayesSearch::data() const {
    return model_rung_ ? rung_observations_.at(*model_rung_) : observations_;
}

bool BayesSearch::in_initial_design() const { return data().size() < enough(); }

std::optional<Point> BayesSearch::ask(const std::vector<Point>& pending) {
    std::vector<Point> batch = ask_batch(pending, 1);
    if (batch.empty()) return std::nullopt;
    return std::move(batch.front());
}

std::vector<Point> BayesSearch::ask_batch(const std::vector<Point>& pending, std::size_t count) {
    std::vector<Point> with_batch = pending;
    std::vector<Point> batch;
    std::optional<Predictions> shared;  // see ranked_by_random_kappa
    while (batch.size() < count) {
        std::optional<Point> point = next_point(with_batch, shared);
        if (!point) break;
        with_batch.push_back(*point);
        batch.push_back(std::move(*point));
    }
    return batch;
}

std::optional<Point> BayesSearch::next_point(const std::vector<Point>& pending, std::optional<Predictions>& shared) {
    follow_level();
    if (in_initial_design()) {
        if (auto point = history_.next_new(space_, [this] { return initial_design_.next(); })) return point;
        return random_new_point();
    }
    draw_scalarization();
    try {
        if (auto point = ask_model(pending, shared)) return point;
    } catch (const gp::NumericalFailure&) {
        // The model cannot be trusted now; an unexplored point is still a useful suggestion.
    }
    return random_new_point();
}

std::optional<Point> BayesSearch::ask_model(const std::vector<Point>& pending, std::optional<Predictions>& shared) {
    update_model();
    if (settings_.pending == PendingStrategy::randomized_lcb && !pending.empty()) {
        return first_new(ranked_by_random_kappa(shared), pending);
    }
    if (!settings_.acquisition) update_hedge_gains();
    const Fantasized fantasized = model_with_fantasies(pending);
    return first_new(ranked_points(fantasized.model, fantasized.best), pending);
}

void BayesSearch::tell(const Evaluation& evaluation) {
    if (!evaluation.loss || !std::isfinite(*evaluation.loss)) return;  // its point stays in the history
    if (settings_.model_rungs && evaluation.stopped_epoch) return;      // its rungs told it
    model_current_ = false;
    if (evaluation.again) {
        // The model keeps its inputs: only the targets change (see update_model).
        const auto told = std::find_if(observations_.begin(), observations_.end(), [&](const Observation& o) { return o.point == evaluation.point; });
        if (told != observations_.end()) {
            told->loss = *evaluation.loss;
            return;
        }
    }
    observations_.push_back({evaluation.point, *evaluation.loss, features_.features(evaluation.point), evaluation.losses});
}

// ParEGO: with several objectives, each suggestion of the model minimizes another random
// weighting of them (the GP keeps its inputs and hyper-parameters; only its targets change).
void BayesSearch::draw_scalarization() {
    if (observations_.empty() || observations_.front().losses.empty()) return;
    const std::vector<double> weights = pareto::random_weights(observations_.front().losses.size(), rng_);
    std::vector<pareto::Losses> losses;
    for (const Observation& o : observations_) losses.push_back(o.losses);
    const std::vector<pareto::Losses> scaled = pareto::normalized(losses);
    for (std::size_t i = 0; i < observations_.size(); ++i) observations_[i].loss = pareto::augmented_chebyshev(scaled[i], weights);
    model_current_ = false;
}

void BayesSearch::tell_rung(const Point& point, std::int64_t epoch, double loss) {
    if (!settings_.model_rungs || !std::isfinite(loss)) return;
    rung_observations_[epoch].push_back({point, loss, features_.features(point)});
    model_current_ = false;
}

void BayesSearch::update_model() {
    if (model_current_ && model_) return;
    model_current_ = true;
    const std::vector<Observation>& observations = data();
    const std::size_t n = observations.size();
    const bool new_data = n > observations_at_fit_;
    const bool refit_due = n <= limits_.refit_every_ask_until ||
                           static_cast<double>(n) >= limits_.refit_growth * static_cast<double>(observations_at_fit_);
    if (!model_ || (new_data && refit_due)) {
        refit();
        return;
    }
    for (std::size_t i = observations_at_fit_ + (model_indices_.size() - factorized_); i < n; ++i) {
        model_->add(observations[i].features, 0.0);
        model_indices_.push_back(i);
    }
    model_->set_targets(standardized_losses(model_indices_));
}

void BayesSearch::refit() {
    const std::vector<Observation>& observations = data();
    std::vector<std::size_t> all(observations.size());
    std::iota(all.begin(), all.end(), 0);
    const Eigen::MatrixXd X = inputs(all);
    std::vector<double> losses;
    for (const auto& o : observations) losses.push_back(o.loss);

    // The neighbourhood of the best observation by the last fit's length scales; the likelihood
    // on a spread of it.
    model_indices_ = nearest_to_best(X, losses, limits_.model_points, hyperparameters_.log_lengths.array().exp().matrix());
    std::vector<double> model_losses;
    for (std::size_t i : model_indices_) model_losses.push_back(losses[i]);
    std::vector<std::size_t> fit_points;
    for (std::size_t k : choose_subset(inputs(model_indices_), model_losses, limits_.likelihood_points)) {
        fit_points.push_back(model_indices_[k]);
    }
    const Eigen::MatrixXd fit_inputs = inputs(fit_points);
    double best_evidence = -std::numeric_limits<double>::infinity();
    const gp::Hyperparameters start = hyperparameters_;
    for (const OutputWarp warp : {OutputWarp::none, OutputWarp::log}) {
        const Targets fit_targets = targets(fit_points, warp);
        const gp::Hyperparameters fitted = gp::fit_hyperparameters(fit_inputs, fit_targets.y, start, rng_, {});
        const double evidence =
            gp::log_marginal_likelihood(fit_inputs, fit_targets.y, fitted.theta(), nullptr) + fit_targets.log_jacobian;
        if (evidence > best_evidence) {
            best_evidence = evidence;
            hyperparameters_ = fitted;
            warp_ = warp;
        }
    }
    factorized_ = model_indices_.size();
    observations_at_fit_ = observations.size();
    rebuild_model();
}

// The GP from the model's state, by the same steps that built it: factorize the points of the
// last fit, then add the later ones one by one. So a loaded optimizer holds the very same
// numbers as the one that was saved.
void BayesSearch::rebuild_model() {
    const std::vector<std::size_t> factorized(model_indices_.begin(), model_indices_.begin() + static_cast<std::ptrdiff_t>(factorized_));
    trust_region_ = {Point(space_.size(), 0.0), Point(space_.size(), 1.0)};
    if (observations_at_fit_ > limits_.model_points) {  // a local model: see refit
        trust_region_ = {Point(space_.size(), 1.0), Point(space_.size(), 0.0)};
        for (std::size_t i : factorized) {
            for (std::size_t d = 0; d < space_.size(); ++d) {
                trust_region_.lower[d] = std::min(trust_region_.lower[d], data()[i].point[d]);
                trust_region_.upper[d] = std::max(trust_region_.upper[d], data()[i].point[d]);
            }
        }
    }
    model_.emplace(hyperparameters_);
    model_->fit(inputs(factorized), Eigen::VectorXd::Zero(static_cast<Eigen::Index>(factorized.size())));
    for (std::size_t i = factorized_; i < model_indices_.size(); ++i) model_->add(data()[model_indices_[i]].features, 0.0);
    model_->set_targets(standardized_losses(model_indices_));
}

Eigen::MatrixXd BayesSearch::inputs(const std::vector<std::size_t>& indices) const {
    Eigen::MatrixXd X(features_.size(), static_cast<Eigen::Index>(indices.size()));
    for (std::size_t j = 0; j < indices.size(); ++j) X.col(static_cast<Eigen::Index>(j)) = data()[indices[j]].features;
    return X;
}

BayesSearch::Targets BayesSearch::targets(const std::vector<std::size_t>& indices, OutputWarp warp) const {
    std::vector<double> values;
    for (std::size_t i : indices) values.push_back(data()[i].loss);
    double log_jacobian = 0;
    if (warp == OutputWarp::log && !values.empty()) {
        const auto [best, worst] = std::minmax_element(values.begin(), values.end());
        const double shift = *best - log_warp_offset * std::max(*worst - *best, 1e-300);
        for (double& v : values) {
            log_jacobian -= std::log(v - shift);
            v = std::log(v - shift);
        }
    }
    const Moments m = moments(values);
    Eigen::VectorXd y(static_cast<Eigen::Index>(indices.size()));
    for (std::size_t j = 0; j < indices.size(); ++j) y(static_cast<Eigen::Index>(j)) = (values[j] - m.mean) / m.sd;
    return {y, log_jacobian - static_cast<double>(indices.size()) * std::log(m.sd)};
}

// The model with the pending points added as if their losses were known, and the best loss
// among observations and fantasies: a fantasy better than the best observation is improved on
// only by beating it, so the next suggestion moves away from it.
BayesSearch::Fantasized BayesSearch::model_with_fantasies(const std::vector<Point>& pending) const {
    gp::GaussianProcess model = *model_;
    const Eigen::VectorXd y = standardized_losses(model_indices_);
    double best = y.minCoeff();
    for (const Point& point : pending) {
        const Eigen::VectorXd x = features_.features(point);
        double fantasy = 0;
        switch (settings_.pending) {
            case PendingStrategy::kriging_believer: fantasy = model.predict(x).mean; break;
            case PendingStrategy::constant_liar_min: fantasy = y.minCoeff(); break;
            case PendingStrategy::constant_liar_mean: fantasy = y.mean(); break;
            case PendingStrategy::constant_liar_max: fantasy = y.maxCoeff(); break;
            case PendingStrategy::randomized_lcb: break;  // not modelled: see ask_model
        }
        model.add(x, fantasy);
        best = std::min(best, fantasy);
    }
    return {std::move(model), best};
}

// Quasi-random points over the trust region (the whole cube until the model is local), and
// perturbations of the best observations. Fewer quasi-random points as the model grows, since
// each costs O(n^2) to score.
std::vector<Point> BayesSearch::candidates() {
    const double n = static_cast<double>(model_->size());
    const double dimensions = static_cast<double>(space_.size());
    const auto spread = static_cast<int>(std::clamp(3e7 / (n * n), 256.0, std::clamp(128 * dimensions, 512.0, 2048.0)));
    std::vector<Point> points;
    SobolSequence sequence(space_.size(), true, rng_());
    for (int i = 0; i < spread; ++i) {
        Point point = sequence.next();
        for (std::size_t d = 0; d < point.size(); ++d) {
            point[d] = trust_region_.lower[d] + point[d] * (trust_region_.upper[d] - trust_region_.lower[d]);
        }
        points.push_back(std::move(point));
    }

    const std::vector<Observation>& observations = data();
    std::vector<std::size_t> order(observations.size());
    std::iota(order.begin(), order.end(), 0);
    const std::size_t best = std::min(best_observations_to_perturb, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(best), order.end(),
                      [&](std::size_t a, std::size_t b) { return observations[a].loss < observations[b].loss; });
    const auto& continuous = features_.continuous();
    for (std::size_t k = 0; k < best; ++k) {
        for (int j = 0; j < perturbations_per_observation; ++j) {
            Point point = observations[order[k]].point;
            for (std::size_t c : continuous) point[c] = std::clamp(point[c] + perturbation_sd * rng_.normal(), 0.0, 1.0);
            for (std::size_t c = 0; c < point.size(); ++c) {
                const bool discrete = std::find(continuous.begin(), continuous.end(), c) == continuous.end();
                if (discrete && rng_.uniform() < 1.0 / static_cast<double>(point.size())) point[c] = rng_.uniform();
            }
            points.push_back(point);
        }
    }
    return points;
}

// The lower confidence bound of the model as it is, with kappa drawn from an exponential
// distribution of mean settings_.parameters.kappa. The model's predictions at the candidates are
// `shared` by the asks of one batch: the first draws the candidates, predicts there and refines
// the best as a single ask would; the others take their best candidates as they are (a thousand
// groups want many suggestions soon rather than a few polished ones late; on Hartmann6 with 64
// pending, batches of 16 found as good points without the refinement, at a fifth of the cost).
std::vector<ScoredPoint> BayesSearch::ranked_by_random_kappa(std::optional<Predictions>& shared) {
    AcquisitionParameters parameters = settings_.parameters;
    parameters.kappa = -settings_.parameters.kappa * std::log1p(-rng_.uniform());
    MaximizerOptions options;
    if (shared) {
        options.local_starts = 0;
    } else {
        shared = predict(features_, *model_, candidates());
    }
    constexpr double no_incumbent = 0;  // the bound needs none
    return AcquisitionMaximizer(features_, *model_, Acquisition::lower_confidence_bound, parameters, no_incumbent)
        .maximize(*shared, options);
}

std::vector<ScoredPoint> BayesSearch::ranked_points(const gp::GaussianProcess& model, double best) {
    const std::vector<Point> starts = candidates();
    const auto rank = [&](Acquisition acquisition) {
        return AcquisitionMaximizer(features_, model, acquisition, settings_.parameters, best).maximize(starts, {});
    };
    if (settings_.acquisition) return rank(*settings_.acquisition);

    // gp_hedge: every acquisition proposes; one is followed, drawn with probability
    // proportional to exp(gain).
    const Acquisition all[] = {Acquisition::expected_improvement, Acquisition::probability_of_improvement,
                               Acquisition::lower_confidence_bound};
    std::vector<std::vector<ScoredPoint>> rankings;
    hedge_proposals_.clear();
    for (Acquisition acquisition : all) {
        rankings.push_back(rank(acquisition));
        if (!rankings.back().empty()) hedge_proposals_.push_back(rankings.back().front().point);
    }
    if (hedge_proposals_.size() != rankings.size()) hedge_proposals_.clear();
    const double top = *std::max_element(gains_.begin(), gains_.end());
    std::vector<double> weights;
    for (double gain : gains_) weights.push_back(std::exp(gain - top));
    double draw = rng_.uniform() * std::accumulate(weights.begin(), weights.end(), 0.0);
    std::size_t chosen = 0;
    while (chosen + 1 < weights.size() && (draw -= weights[chosen]) > 0) ++chosen;
    return rankings[chosen];
}

// gp_hedge's reward: each acquisition gains minus the model's (standardized) mean at the point
// it proposed last time, so the ones that point at low predicted losses are followed more.
void BayesSearch::update_hedge_gains() {
    for (std::size_t i = 0; i < hedge_proposals_.size(); ++i) {
        gains_[i] -= model_->predict(features_.features(hedge_proposals_[i])).mean;
    }
    hedge_proposals_.clear();
}

// The best ranked point that was never suggested and keeps its distance from the pending ones.
std::optional<Point> BayesSearch::first_new(const std::vector<ScoredPoint>& ranked, const std::vector<Point>& pending) {
    const auto near_pending = [&](const Point& point) {
        return std::any_of(pending.begin(), pending.end(), [&](const Point& other) {
            for (std::size_t i = 0; i < point.size(); ++i) {
                if (std::fabs(point[i] - other[i]) > limits_.pending_separation) return false;
            }
            return true;
        });
    };
    for (const ScoredPoint& candidate : ranked) {
        const Point point = space_.snap(candidate.point);
        if (!history_.contains_near(point, limits_.duplicate_tolerance) && !near_pending(point)) {
            history_.insert(point);
            return point;
        }
    }
    return std::nullopt;
}

std::optional<Point> BayesSearch::random_new_point() {
    return history_.next_new(space_, [this] {
        Point point(space_.size());
        for (double& u : point) u = rng_.uniform();
        return point;
    });
}

std::vector<BayesSearch::Observation> BayesSearch::observations_from_json(const Json& json) const {
    std::vector<Observation> observations;
    for (const auto& o : json) {
        const Point point = o.at("point").get<Point>();
        observations.push_back({point, o.at("loss").get<double>(), features_.features(point), o.value("losses", std::vector<double>{})});
    }
    return observations;
}

Json BayesSearch::save() const {
    Json rungs = Json::object();
    for (const auto& [epoch, observations] : rung_observations_) rungs[std::to_string(epoch)] = observations_to_json(observations);
    return {{"kind", "bayes"},
            {"rng", rng_.save()},
            {"initial_design", initial_design_.save()},
            {"suggested", history_.save()},
            {"observations", observations_to_json(observations_)},
            {"rung_observations", rungs},
            {"model_rung", model_rung_ ? Json(*model_rung_) : Json(nullptr)},
            {"hyperparameters", hyperparameters_.to_json()},
            {"output_warp", warp_ == OutputWarp::log ? "log" : "none"},
            {"model_indices", model_indices_},
            {"factorized", factorized_},
            {"observations_at_fit", observations_at_fit_},
            {"hedge_gains", gains_},
            {"hedge_proposals", hedge_proposals_}};
}

void BayesSearch::load(const Json& state) {
    rng_.load(state.at("rng").get<std::string>());
    initial_design_.load(state.at("initial_design"));
    history_.load(state.at("suggested"));
    observations_ = observations_from_json(state.at("observations"));
    rung_observations_.clear();
    const Json rungs = state.value("rung_observations", Json::object());
    for (const auto& [epoch, observations] : rungs.items()) {
        rung_observations_[std::stoll(epoch)] = observations_from_json(observations);
    }
    const Json rung = state.value("model_rung", Json(nullptr));
    model_rung_ = rung.is_null() ? std::nullopt : std::optional(rung.get<std::int64_t>());
    hyperparameters_ = gp::Hyperparameters::from_json(state.at("hyperparameters"));
    warp_ = state.value("output_warp", "none") == "log" ? OutputWarp::log : OutputWarp::none;
    model_indices_ = state.at("model_indices").get<std::vector<std::size_t>>();
    factorized_ = state.at("factorized").get<std::size_t>();
    observations_at_fit_ = state.at("observations_at_fit").get<std::size_t>();
    gains_ = state.at("hedge_gains").get<std::vector<double>>();
    hedge_proposals_ = state.at("hedge_proposals").get<std::vector<Point>>();
    model_.reset();
    if (!model_indices_.empty()) rebuild_model();
    model_current_ = false;
}

}  // namespace hpopt::optim::bayes
