#pragma once
// CMA-ES on the unit cube (see cma_distribution.hpp): real and integer coordinates are the
// Gaussian's, with the margin that keeps integers moving (integer_margin.hpp); categorical ones
// have their own adapted distribution (categorical_distribution.hpp). The first run starts at
// the centre of the cube with sigma0; with IPOP restarts, a run that has converged (or whose
// samples are all points suggested before) restarts from a random mean with twice the population.
//
// Asynchronous: every ask samples the current distribution, and a generation closes when
// lambda results are back, whichever they are. Groups never wait for a generation's
// stragglers; a straggler that comes back after its generation closed joins the next one as an
// injected solution (CmaDistribution::injected), so no result is lost to the model. Samples
// that fall outside the cube are drawn again (then clipped).
#include <map>
#include <optional>

#include "hpopt/optim/cmaes/categorical_distribution.hpp"
#include "hpopt/optim/cmaes/cma_distribution.hpp"
#include "hpopt/optim/cmaes/cmaes_settings.hpp"
#include "hpopt/optim/individual.hpp"
#include "hpopt/optim/optimizer.hpp"
#include "hpopt/optim/suggestion_history.hpp"

namespace hpopt::optim::cmaes {

// Hansen's default population for n coordinates: 4 + floor(3 ln n).
int default_population(std::size_t n);

class CmaesSearch : public Optimizer {
public:
    CmaesSearch(space::Space space, CmaesSettings settings, std::uint64_t seed);

    std::optional<Point> ask(const std::vector<Point>& pending) override;
    void tell(const Evaluation& evaluation) override;
    Json save() const override;
    void load(const Json& state) override;

    int restarts() const { return restarts_; }
    int lambda() const { return lambda_; }
    const CategoricalDistribution& categories() const { return categories_; }

private:
    // A point handed out, as drawn: its Gaussian coordinates before rounding, its choices.
    struct Sample {
        std::vector<double> x;
        Choices choices;
        int generation;  // of the distribution that drew it
    };

    void start_run();
    Sample draw();
    Point point_of(const Sample& sample) const;
    void close_generation();
    static Json sample_to_json(const Sample& sample);
    static Sample sample_from_json(const Json& json);

    space::Space space_;
    CmaesSettings settings_;
    std::vector<std::size_t> numeric_;      // the coordinates of the Gaussian
    std::vector<std::size_t> bins_;         // their numbers of values: 0 for a real one
    std::vector<std::size_t> categorical_;  // the other coordinates
    std::vector<std::size_t> choice_counts_;
    random::Rng rng_;
    SuggestionHistory history_;

    int restarts_ = 0;
    int lambda_ = 0;
    int generation_ = 0;  // generations closed, over all runs
    std::optional<CmaDistribution> gaussian_;  // none when every coordinate is categorical
    CategoricalDistribution categories_;
    std::map<Point, Sample> out_;  // drawn by this run and not yet told, by the point returned
    std::vector<std::pair<Sample, Individual>> told_;  // this generation's results
};

}  // namespace hpopt::optim::cmaes
