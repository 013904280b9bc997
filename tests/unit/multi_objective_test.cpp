// The optimizers with several objectives: NSGA-II's ranking in evolution, ParEGO in Bayesian
// optimization, exact resume of both.
#include <doctest/doctest.h>

#include <cmath>

#include "hpopt/optim/individual.hpp"
#include "hpopt/optim/settings.hpp"
#include "hpopt/pareto/hypervolume.hpp"

using namespace hpopt;
using optim::Point;

namespace {

// ZDT1 on [0, 1]^4: f1 = x1, f2 = g (1 - sqrt(x1 / g)), g = 1 + 3 (x2 + x3 + x4).
std::vector<double> zdt1(const Point& x) {
    const double g = 1 + 3 * (x[1] + x[2] + x[3]);
    return {x[0], g * (1 - std::sqrt(x[0] / g))};
}

space::Space unit_cube(int d) {
    std::vector<space::Dimension> dimensions;
    for (int i = 0; i < d; ++i) dimensions.push_back({"x" + std::to_string(i + 1), space::RealRange{0, 1, false}});
    return space::Space(dimensions);
}

void tell(optim::Optimizer& optimizer, const Point& point) {
    const std::vector<double> losses = zdt1(point);
    optimizer.tell({point, losses[0], false, std::nullopt, losses});
}

// The hypervolume against (1.1, 1.1) of `evaluations` points asked and told one at a time.
double hypervolume_reached(optim::Optimizer& optimizer, int evaluations) {
    std::vector<pareto::Losses> seen;
    for (int i = 0; i < evaluations; ++i) {
        const auto point = optimizer.ask({});
        REQUIRE(point);
        seen.push_back(zdt1(*point));
        tell(optimizer, *point);
    }
    return pareto::hypervolume(seen, {1.1, 1.1});
}

optim::evolution::EvolutionSettings several_objectives_evolution() {
    optim::evolution::EvolutionSettings settings;
    optim::evolution::several_objectives_defaults(settings, false);
    settings.generations = 10;
    return settings;
}

}  // namespace

TEST_CASE("ranking by objectives: fronts first, the crowded last within a front, failures keep their place") {
    std::vector<optim::Individual> population = {
        {{0.1}, 0, optim::Individual::trained_to_the_end, {2, 2}},  // dominated by (1, 1)
        {{0.2}, 0, optim::Individual::trained_to_the_end, {1, 1}},
        {{0.3}, INFINITY, 0, {}},                                    // failed
        {{0.4}, 0, optim::Individual::trained_to_the_end, {0, 3}},
        {{0.5}, 0, optim::Individual::trained_to_the_end, {3, 0}},
    };
    optim::rank_by_objectives(population);
    CHECK(population[3].loss == 0);  // the front's extremes first
    CHECK(population[4].loss == 1);
    CHECK(population[1].loss == 2);  // its inner member
    CHECK(population[0].loss == 3);  // the second front
    CHECK(std::isinf(population[2].loss));
    std::sort(population.begin(), population.end(), optim::fitter);
    CHECK(population.back().point == Point{0.3});
}

TEST_CASE("NSGA-II evolution and ParEGO reach a far larger hypervolume than random search on ZDT1") {
    const space::Space space = unit_cube(4);
    double random = 0, evolution = 0, bayes = 0;
    constexpr int seeds = 3;
    for (std::uint64_t seed = 0; seed < seeds; ++seed) {
        random += hypervolume_reached(*optim::make_optimizer(optim::RandomSettings{}, space, seed), 100) / seeds;
        evolution += hypervolume_reached(*optim::make_optimizer(several_objectives_evolution(), space, seed), 100) / seeds;
        bayes += hypervolume_reached(*optim::make_optimizer(optim::bayes::BayesSettings{}, space, seed), 60) / seeds;
    }
    CAPTURE(random);
    CAPTURE(evolution);
    CAPTURE(bayes);
    // The whole front's hypervolume is 1.21 - 1/3 = 0.877.
    CHECK(evolution > random + 0.1);
    CHECK(bayes > random + 0.2);
    CHECK(bayes > 0.8);
}

TEST_CASE("after load(save()) evolution and ParEGO continue exactly as uninterrupted, losses included") {
    const space::Space space = unit_cube(4);
    for (const optim::Settings& settings : {optim::Settings(several_objectives_evolution()), optim::Settings(optim::bayes::BayesSettings{})}) {
        CAPTURE(optim::kind_name(settings));
        auto original = optim::make_optimizer(settings, space, 7);
        for (int i = 0; i < 24; ++i) {
            const auto point = original->ask({});
            if (i % 5 == 4) {
                original->tell({*point, std::nullopt});  // a failure (or a trial that missed a constraint) among them
            } else {
                tell(*original, *point);
            }
        }
        auto restored = optim::make_optimizer(settings, space, 99);
        restored->load(Json::parse(original->save().dump()));
        for (int i = 0; i < 6; ++i) {
            const auto expected = original->ask({});
            REQUIRE(expected);
            CHECK(restored->ask({}) == expected);
            tell(*original, *expected);
            tell(*restored, *expected);
        }
    }
}
