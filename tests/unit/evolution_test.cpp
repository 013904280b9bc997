#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "hpopt/optim/evolution/evolution_search.hpp"
#include "hpopt/optim/settings.hpp"

using namespace hpopt;
using namespace hpopt::optim::evolution;
using optim::Point;
using optim::fitter;
using optim::Individual;

namespace {

const double failed = std::numeric_limits<double>::infinity();

const space::Space cube({{"x1", space::RealRange{0, 1, false}}, {"x2", space::RealRange{0, 1, false}}});

double sphere(const Point& p) { return (p[0] - 0.3) * (p[0] - 0.3) + (p[1] - 0.7) * (p[1] - 0.7); }

EvolutionSettings settings_of(int population, Mode mode) {
    EvolutionSettings settings;
    settings.population = population;
    settings.generations = 10;
    settings.mode = mode;
    return settings;
}

}  // namespace

TEST_CASE("elitism keeps a fifth of the population, at least one and never all") {
    CHECK(elite_count(20, 0.2) == 4);
    CHECK(elite_count(10, 0.2) == 2);
    CHECK(elite_count(3, 0.2) == 1);
    CHECK(elite_count(20, 0.0) == 1);
    CHECK(elite_count(20, 1.0) == 19);
}

TEST_CASE("a child mutates one gene on average unless the spec says otherwise") {
    EvolutionSettings settings;
    CHECK(mutation_probability(settings, 5) == doctest::Approx(0.2));
    CHECK(mutation_probability(settings, 1) == 1.0);
    settings.mutation_probability = 0.5;
    CHECK(mutation_probability(settings, 5) == 0.5);

    // Breeding from parents that differ in every gene: about one of 10 numeric genes mutates.
    const std::vector<Individual> parents = {{Point(10, 0.3), 1.0}, {Point(10, 0.3), 2.0}};
    random::Rng rng(8);
    int mutated = 0;
    for (int i = 0; i < 2000; ++i) {
        for (double gene : breed(parents, std::vector<std::size_t>(10, 0), 0.0, EvolutionSettings{}, rng)) mutated += gene != 0.3;
    }
    CHECK(mutated / 2000.0 == doctest::Approx(1.0).epsilon(0.1));
}

TEST_CASE("a tournament is won by the fitter of two distinct individuals") {
    random::Rng rng(1);
    const std::vector<Individual> pair = {{{0.1}, 5.0}, {{0.2}, -3.0}};
    for (int i = 0; i < 50; ++i) CHECK(tournament(pair, rng) == 1);

    const std::vector<Individual> five = {{{0.1}, 2.0}, {{0.2}, -1.0}, {{0.3}, 0.0}, {{0.4}, failed}, {{0.5}, -7.5}};
    std::vector<int> wins(5, 0);
    for (int i = 0; i < 5000; ++i) ++wins[tournament(five, rng)];
    CHECK(wins[3] == 0);                      // the failed one never beats anyone
    CHECK(wins[4] == doctest::Approx(2000).epsilon(0.1));  // the best wins every tournament it is in: 2 of 5
    CHECK(wins[4] > wins[1]);
    CHECK(wins[1] > wins[2]);  // -1 beats 0: negative FoMs rank right
    CHECK(wins[2] > wins[0]);
}

TEST_CASE("heuristic crossover extrapolates from the worse parent past the fitter one, within bounds") {
    CHECK(heuristic_crossover(0.6, 0.4, 0.5) == doctest::Approx(0.7));
    CHECK(heuristic_crossover(0.4, 0.6, 0.25) == doctest::Approx(0.35));
    CHECK(heuristic_crossover(0.9, 0.1, 0.5) == 1.0);
    CHECK(heuristic_crossover(0.1, 0.9, 0.5) == 0.0);
    CHECK(heuristic_crossover(0.3, 0.3, 0.9) == doctest::Approx(0.3));
}

TEST_CASE("non-uniform mutation stays in bounds, moves towards the drawn bound, and shrinks with the generation") {
    CHECK(nonuniform_mutation(0.2, 0.0, 3, 0.25, 0.9) == doctest::Approx(0.2 + 0.75 * 0.8));
    CHECK(nonuniform_mutation(0.2, 0.0, 3, 0.25, 0.1) == doctest::Approx(0.2 - 0.75 * 0.2));
    CHECK(nonuniform_mutation(0.2, 1.0, 3, 0.25, 0.9) == doctest::Approx(0.2));  // no step at the horizon
    random::Rng rng(2);
    double previous = 1.0;
    for (double progress : {0.0, 0.25, 0.5, 0.75, 0.9}) {
        double total = 0;
        for (int i = 0; i < 4000; ++i) {
            const double x = rng.uniform();
            const double mutated = nonuniform_mutation(x, progress, 3, rng.uniform(), rng.uniform());
            CHECK((mutated >= 0.0 && mutated <= 1.0));
            total += std::fabs(mutated - x);
        }
        CHECK(total / 4000 < previous);
        previous = total / 4000;
    }
    CHECK(categorical_switch_probability(0.0, 3) == doctest::Approx(0.5));
    CHECK(categorical_switch_probability(1.0, 3) == 0.0);
}

TEST_CASE("categorical genes are inherited from a parent, mostly the fitter, and switch choice early on") {
    const space::Space space({{"act", space::Choices{{"relu", "tanh", "gelu", "silu"}}}});
    CHECK(categorical_sizes(space) == std::vector<std::size_t>{4});
    EvolutionSettings settings;
    random::Rng rng(3);
    int from_fitter = 0, switched = 0;
    for (int i = 0; i < 4000; ++i) {
        const double late = categorical_gene(0.125, 0.625, 4, 1.0, 1.0, settings, rng);  // relu (fitter), gelu
        CHECK((late == 0.125 || late == 0.625));  // at the horizon: no switch
        from_fitter += late == 0.125;
        const double early = categorical_gene(0.125, 0.625, 4, 0.0, 1.0, settings, rng);
        CHECK(std::fmod(early * 8, 2.0) == doctest::Approx(1.0));  // always the centre of a choice's bin
        switched += early == 0.375 || early == 0.875;  // a choice neither parent has
    }
    CHECK(from_fitter / 4000.0 == doctest::Approx(0.7).epsilon(0.05));
    // Half switch early on, and two thirds of those go to a choice neither parent has.
    CHECK(switched / 4000.0 == doctest::Approx(0.5 * 2.0 / 3.0).epsilon(0.1));
}

TEST_CASE("bred children of a mixed space decode into the space") {
    const space::Space space({{"x", space::RealRange{0, 1, false}},
                              {"n", space::IntRange{1, 5, false}},
                              {"act", space::Choices{{"relu", "tanh"}}}});
    const std::vector<Individual> parents = {{{0.2, 0.1, 0.25}, 1.0}, {{0.8, 0.9, 0.75}, 2.0}, {{0.5, 0.5, 0.25}, 3.0}};
    random::Rng rng(8);
    for (int i = 0; i < 200; ++i) {
        const Point child = breed(parents, categorical_sizes(space), 0.3, EvolutionSettings{}, rng);
        const Json params = space.decode(child);
        CHECK((params["n"] >= 1 && params["n"] <= 5));
        CHECK((params["act"] == "relu" || params["act"] == "tanh"));
    }
}

TEST_CASE("generational mode breeds once the whole generation is back; meanwhile extras compete for elite places") {
    EvolutionSearch optimizer(cube, settings_of(5, Mode::generational), 4);  // one elite, four children
    std::vector<Point> generation;
    for (int i = 0; i < 5; ++i) generation.push_back(*optimizer.ask({}));
    const auto extra = optimizer.ask(generation);  // all five out: an idle group gets an extra
    REQUIRE(extra);
    const std::vector<double> losses = {3.0, -2.0, 0.0, 7.0, -0.5};
    for (int i = 0; i < 4; ++i) optimizer.tell({generation[i], losses[i]});
    optimizer.tell({*extra, -9.0});
    CHECK(optimizer.generation() == 0);  // a straggler holds the next generation
    optimizer.tell({generation[4], losses[4]});

    std::vector<Point> children;
    for (int i = 0; i < 4; ++i) children.push_back(*optimizer.ask({}));
    CHECK(optimizer.generation() == 1);
    const auto late_extra = optimizer.ask(children);  // bred from the population, not yet told
    REQUIRE(late_extra);
    for (const Point& child : children) optimizer.tell({child, 50.0});
    REQUIRE(optimizer.ask({}));
    CHECK(optimizer.generation() == 2);
    const Json state = optimizer.save();
    std::vector<double> kept;
    for (const auto& individual : state["population"]) kept.push_back(individual["loss"].get<double>());
    CHECK(kept == std::vector<double>{-9.0, 50, 50, 50, 50});  // the extra is the elite; the children
    CHECK(state["extras"].size() == 1);  // the late extra waits for its result

    EvolutionSearch restored(cube, settings_of(5, Mode::generational), 4);
    restored.load(state);
    restored.tell({*late_extra, -20.0});
    optimizer.tell({*late_extra, -20.0});
    for (int i = 0; i < 3; ++i) CHECK(restored.ask({}) == optimizer.ask({}));
}

TEST_CASE("evolution left to the groups is steady state with several groups, generational alone") {
    optim::Settings several = optim::evolution::EvolutionSettings{};
    optim::resolve_for_groups(several, 8);
    CHECK(std::get<optim::evolution::EvolutionSettings>(several).mode == Mode::steady_state);
    optim::Settings alone = optim::evolution::EvolutionSettings{};
    optim::resolve_for_groups(alone, 1);
    CHECK(std::get<optim::evolution::EvolutionSettings>(alone).mode == Mode::generational);
    optim::evolution::EvolutionSettings chosen;
    chosen.mode = Mode::generational;
    optim::Settings kept = chosen;
    optim::resolve_for_groups(kept, 8);
    CHECK(std::get<optim::evolution::EvolutionSettings>(kept).mode == Mode::generational);
}

TEST_CASE("a failed trial ranks last and is never an elite") {
    EvolutionSearch optimizer(cube, settings_of(3, Mode::generational), 5);
    std::vector<Point> generation;
    for (int i = 0; i < 3; ++i) generation.push_back(*optimizer.ask({}));
    optimizer.tell({generation[0], std::nullopt});
    optimizer.tell({generation[1], 0.0});
    optimizer.tell({generation[2], 4.0});
    for (int i = 0; i < 2; ++i) optimizer.tell({*optimizer.ask({}), 10.0});
    REQUIRE(optimizer.ask({}));
    const Json state = optimizer.save();
    CHECK(state["population"][0]["loss"] == 0.0);
}

TEST_CASE("steady-state mode never waits and replaces the worst with a better result") {
    EvolutionSearch optimizer(cube, settings_of(4, Mode::steady_state), 6);
    std::vector<Point> pending;
    for (int i = 0; i < 10; ++i) {
        const auto point = optimizer.ask(pending);
        REQUIRE(point);
        pending.push_back(*point);
    }
    for (int i = 0; i < 10; ++i) optimizer.tell({pending[i], static_cast<double>(10 - i)});
    const Json state = optimizer.save();
    const Json& population = state["population"];
    REQUIRE(population.size() == 4);
    std::vector<double> kept;
    for (const auto& individual : population) kept.push_back(individual["loss"].get<double>());
    std::sort(kept.begin(), kept.end());
    CHECK(kept == std::vector<double>{1, 2, 3, 4});
}

TEST_CASE("both modes minimize, and after load(save()) continue identically") {
    for (const Mode mode : {Mode::generational, Mode::steady_state}) {
        EvolutionSearch original(cube, settings_of(8, mode), 7);
        for (int i = 0; i < 120; ++i) {
            const auto point = original.ask({});
            REQUIRE(point);
            original.tell({*point, sphere(*point)});
        }
        double best = 1e9;
        const Json state = original.save();
        for (const auto& individual : state["population"]) best = std::min(best, individual["loss"].get<double>());
        CHECK(best < 1e-3);

        const auto straggler = original.ask({});
        EvolutionSearch restored(cube, settings_of(8, mode), 99);
        restored.load(Json::parse(original.save().dump()));
        original.tell({*straggler, sphere(*straggler)});
        restored.tell({*straggler, sphere(*straggler)});
        for (int i = 0; i < 20; ++i) {
            const auto expected = original.ask({});
            REQUIRE(expected);
            CHECK(restored.ask({}) == expected);
            original.tell({*expected, sphere(*expected)});
            restored.tell({*expected, sphere(*expected)});
        }
    }
}

TEST_CASE("the generations default to what the trial budget allows") {
    EvolutionSettings settings;
    settings.population = 10;  // 2 elites, 8 children a generation
    CHECK(generations_for_budget(settings, 2000) == 249);
    CHECK(generations_for_budget(settings, 5) == 1);
}

TEST_CASE("an individual that trained further is fitter than one early stopping stopped, whatever their losses") {
    const Point p{0.5, 0.5};
    const Individual full{p, 9.0};
    const Individual at_rung_3{p, 0.2, 3}, at_rung_1{p, 0.1, 1}, crashed{p, failed, 0};
    CHECK(fitter(full, at_rung_3));
    CHECK(fitter(at_rung_3, at_rung_1));
    CHECK(fitter(at_rung_1, crashed));
    CHECK(fitter(Individual{p, 0.1, 3}, at_rung_3));  // at the same rung, the lower loss
    CHECK_FALSE(fitter(at_rung_1, full));
}

TEST_CASE("a trial told again (paused, then promoted) replaces its result in the generation") {
    EvolutionSearch search(cube, settings_of(4, Mode::generational), 8);
    const auto point = search.ask({});
    REQUIRE(point);
    search.tell({*point, 3.0, false, 1});
    search.tell({*point, 0.5, true});
    const Json told = search.save().at("brood")[0].at("told");
    CHECK(told.at("loss").get<double>() == 0.5);
    CHECK(told.at("epochs").get<std::int64_t>() == Individual::trained_to_the_end);
}
