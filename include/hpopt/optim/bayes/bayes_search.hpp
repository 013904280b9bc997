#pragma once
// Gaussian-process Bayesian optimization.
//
// Until `initial_points` trials have succeeded, suggestions follow a scrambled Sobol sequence
// (so with many groups at once the model starts from as many observations as it would alone).
// After that, each ask fits a GP (Matern 5/2 ARD, learned noise) to the standardized losses
// (warped as OutputWarp says, the warp chosen at each fit by its evidence), lets the pending
// points in as fantasies (Kriging believer or a constant liar), and returns the maximizer of
// the acquisition (EI, PI, LCB, or a hedge over the three as in scikit-optimize's gp_hedge),
// never a point within 1e-9 (in the unit cube) of one suggested before, nor within 1e-3 of a
// pending one. Failed trials stay out of the model but their points are never suggested again.
// With several objectives, the model's losses are ParEGO's scalarization of them, by weights
// drawn afresh for each suggestion (see pareto/scalarization.hpp).
//
// Cost: hyper-parameters are refitted (maximum likelihood, L-BFGS with restarts) at every ask
// while there are at most 100 observations, then whenever the observations have grown by 10%
// since the last fit; in between, new observations join the model by a rank-one update of
// its Cholesky factor. The model holds at most 1,000 observations: beyond that it is local, the
// 1,000 nearest the best one, and the search goes on in their bounding box, a trust region that
// narrows as the search fills it. The likelihood is maximized on at most 150 of the model's
// observations, the best half by loss plus a space-filling half (see subset.hpp).
//
// With early stopping's rung losses (settings.model_rungs), the model is fitted to the results
// of finished trials once there are enough of them (as for the initial design), and before that
// to the losses at the highest rung epoch that enough trials reached (Falkner et al., "BOHB",
// ICML 2018, which fits its densities so); it moves to a higher rung, then to the results, as
// they fill, fitted anew each time.
#include <map>
#include <optional>

#include "hpopt/gp/gaussian_process.hpp"
#include "hpopt/optim/bayes/acquisition_maximizer.hpp"
#include "hpopt/optim/bayes/bayes_settings.hpp"
#include "hpopt/optim/bayes/feature_map.hpp"
#include "hpopt/optim/optimizer.hpp"
#include "hpopt/optim/sobol_sequence.hpp"
#include "hpopt/optim/suggestion_history.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::optim::bayes {

// How losses are warped before the GP sees them. HPO losses are often flat near their best and
// steep far from it (a learning rate that diverges): a log warp lets the GP resolve the region
// near the best instead of fitting the cliffs. Each fit keeps the warp whose maximized
// likelihood, with the warp's Jacobian, is larger (the evidence of the losses themselves).
enum class OutputWarp {
    none,
    log,  // log(loss - best + 0.1 (worst - best))
};

struct Limits {
    std::size_t refit_every_ask_until = 100;
    double refit_growth = 1.1;
    std::size_t likelihood_points = 150;
    std::size_t model_points = 1000;
    double duplicate_tolerance = 1e-9;
    // Near a sharp optimum the Kriging believer can suggest points next to the pending ones;
    // a suggestion keeps at least this distance from them in some coordinate.
    double pending_separation = 1e-3;
};

class BayesSearch : public Optimizer {
public:
    BayesSearch(space::Space space, BayesSettings settings, std::uint64_t seed, Limits limits = {});

    std::optional<Point> ask(const std::vector<Point>& pending) override;
    // With pending "randomized_lcb", the batch's asks share the model's predictions at one set
    // of candidates: each draws its own kappa, ranks them, and refines the best.
    std::vector<Point> ask_batch(const std::vector<Point>& pending, std::size_t count) override;
    void tell(const Evaluation& evaluation) override;
    void tell_rung(const Point& point, std::int64_t epoch, double loss) override;
    Json save() const override;
    void load(const Json& state) override;

    struct Observation {
        Point point;
        double loss;  // with several objectives, their scalarization by the last weights drawn
        Eigen::VectorXd features;
        std::vector<double> losses = {};  // each objective's, with several
    };

private:
    std::vector<Observation> observations_from_json(const Json& json) const;

    std::size_t enough() const;
    std::optional<std::int64_t> model_level() const;
    void follow_level();
    const std::vector<Observation>& data() const;
    bool in_initial_design() const;
    std::optional<Point> next_point(const std::vector<Point>& pending, std::optional<Predictions>& shared);
    std::optional<Point> ask_model(const std::vector<Point>& pending, std::optional<Predictions>& shared);
    void draw_scalarization();
    void update_model();
    void refit();
    void rebuild_model();
    Eigen::MatrixXd inputs(const std::vector<std::size_t>& indices) const;
    // The GP's targets: the losses of `indices`, warped by `warp`, standardized; and the log of
    // the warp's Jacobian, which makes the evidence of two warps comparable.
    struct Targets {
        Eigen::VectorXd y;
        double log_jacobian;
    };
    Targets targets(const std::vector<std::size_t>& indices, OutputWarp warp) const;
    Eigen::VectorXd standardized_losses(const std::vector<std::size_t>& indices) const { return targets(indices, warp_).y; }
    struct Fantasized {
        gp::GaussianProcess model;
        double best;  // standardized
    };
    Fantasized model_with_fantasies(const std::vector<Point>& pending) const;
    std::vector<Point> candidates();
    std::vector<ScoredPoint> ranked_points(const gp::GaussianProcess& model, double best);
    std::vector<ScoredPoint> ranked_by_random_kappa(std::optional<Predictions>& shared);
    void update_hedge_gains();
    std::optional<Point> first_new(const std::vector<ScoredPoint>& ranked, const std::vector<Point>& pending);
    std::optional<Point> random_new_point();

    space::Space space_;
    BayesSettings settings_;
    Limits limits_;
    FeatureMap features_;
    random::Rng rng_;
    SobolSequence initial_design_;
    SuggestionHistory history_;
    std::vector<Observation> observations_;  // of trials trained to their end (or stopped, without rungs)
    std::map<std::int64_t, std::vector<Observation>> rung_observations_;  // by rung epoch
    std::optional<std::int64_t> model_rung_;  // the rung whose losses the model is fitted to; none: observations_

    // The model: hyper-parameters from the last fit, the observations in the GP in the order
    // they joined it, the first `factorized_` of them factorized at the last fit, the others
    // added one by one since. The GP itself is derived from these.
    gp::Hyperparameters hyperparameters_;
    OutputWarp warp_ = OutputWarp::none;  // chosen at the last fit
    std::vector<std::size_t> model_indices_;
    std::size_t factorized_ = 0;
    std::size_t observations_at_fit_ = 0;
    std::optional<gp::GaussianProcess> model_;
    struct Box {
        Point lower, upper;
    };
    Box trust_region_;  // where candidates are drawn: the local model's points' bounding box
    bool model_current_ = false;  // nothing told since the last update_model()

    // gp_hedge: each acquisition's gain, and where each pointed at the last ask.
    std::vector<double> gains_ = {0, 0, 0};
    std::vector<Point> hedge_proposals_;
};

}  // namespace hpopt::optim::bayes
