#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <set>

#include "hpopt/optim/bayes/bayes_search.hpp"
#include "hpopt/optim/bayes/feature_map.hpp"
#include "hpopt/optim/bayes/subset.hpp"
#include "hpopt/optim/settings.hpp"

using namespace hpopt;
using optim::Point;
using optim::bayes::BayesSearch;
using optim::bayes::BayesSettings;

namespace {

const space::Space branin_space({{"x1", space::RealRange{-5, 10, false}}, {"x2", space::RealRange{0, 15, false}}});

double branin(const Point& u) {
    const double x1 = -5 + 15 * u[0], x2 = 15 * u[1];
    const double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
    return std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
}

double chebyshev(const Point& a, const Point& b) {
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
    return d;
}

// Asks `count` times, each ask with the points asked before pending; each suggestion keeps its
// distance from them.
std::vector<Point> ask_while_pending(optim::Optimizer& optimizer, int count) {
    std::vector<Point> pending;
    for (int i = 0; i < count; ++i) {
        const auto point = optimizer.ask(pending);
        REQUIRE(point);
        for (const Point& other : pending) CHECK(chebyshev(*point, other) > 1e-3);
        pending.push_back(*point);
    }
    return pending;
}

// Asks and tells `count` times, one point at a time.
void run(optim::Optimizer& optimizer, int count) {
    for (int i = 0; i < count; ++i) {
        const auto point = optimizer.ask({});
        REQUIRE(point);
        optimizer.tell({*point, branin(*point)});
    }
}

}  // namespace

TEST_CASE("the GP sees ints at the centre of their bin and categoricals one-hot") {
    const space::Space space({{"x", space::RealRange{0, 1, false}},
                              {"n", space::IntRange{0, 3, false}},
                              {"act", space::Choices{{"relu", "tanh", "gelu"}}}});
    const optim::bayes::FeatureMap map(space);
    CHECK(map.size() == 5);
    const Eigen::VectorXd f = map.features({0.3, 0.4, 0.9});
    CHECK(f(0) == doctest::Approx(0.3));
    CHECK(f(1) == doctest::Approx(0.375));  // n = 1, the bin [0.25, 0.5)
    CHECK(f(2) == 0.0);
    CHECK(f(3) == 0.0);
    CHECK(f(4) == 1.0);  // gelu
    CHECK(map.continuous() == std::vector<std::size_t>{0});
}

TEST_CASE("the subset keeps the best half and spreads the rest") {
    Eigen::MatrixXd X(1, 10);
    std::vector<double> losses;
    for (int i = 0; i < 10; ++i) {
        X(0, i) = i / 9.0;
        losses.push_back(i);
    }
    CHECK(optim::bayes::choose_subset(X, losses, 20).size() == 10);
    const auto chosen = optim::bayes::choose_subset(X, losses, 4);
    CHECK(chosen == std::vector<std::size_t>{0, 1, 5, 9});  // best two, then the farthest: 9, then 5
}

TEST_CASE("Bayesian optimization finds Branin's minimum") {
    BayesSearch optimizer(branin_space, {}, 1);
    run(optimizer, 50);
    const Json state = optimizer.save();
    double best = 1e9;
    for (const auto& o : state["observations"]) best = std::min(best, o["loss"].get<double>());
    CHECK(best - 0.397887 < 1e-3);
}

TEST_CASE("the losses are log-warped where their evidence says so: cliffs far from a flat best") {
    const space::Space square({{"x", space::RealRange{0, 1, false}}, {"y", space::RealRange{0, 1, false}}});
    const auto warp_after = [&](const std::function<double(const Point&)>& loss) {
        BayesSearch optimizer(square, {}, 3);
        for (int i = 0; i < 30; ++i) {
            const auto point = optimizer.ask({});
            REQUIRE(point);
            optimizer.tell({*point, loss(*point)});
        }
        return optimizer.save().at("output_warp").get<std::string>();
    };
    const auto distance = [](const Point& u) { return std::pow(u[0] - 0.3, 2) + std::pow(u[1] - 0.6, 2); };
    CHECK(warp_after([&](const Point& u) { return std::exp(20 * distance(u)); }) == "log");
    CHECK(warp_after([&](const Point& u) { return std::sin(6 * u[0]) + std::cos(5 * u[1]); }) == "none");
}

TEST_CASE("the first asks follow the initial design, then the model") {
    BayesSettings settings;
    settings.initial_points = 5;
    BayesSearch optimizer(branin_space, settings, 2);
    run(optimizer, 5);
    CHECK(optimizer.save()["model_indices"].empty());
    run(optimizer, 1);
    CHECK(optimizer.save()["model_indices"].size() == 5);
}

TEST_CASE("consecutive asks with pending points give distinct, spread suggestions") {
    for (const auto pending_strategy :
         {optim::bayes::PendingStrategy::kriging_believer, optim::bayes::PendingStrategy::constant_liar_min,
          optim::bayes::PendingStrategy::constant_liar_max, optim::bayes::PendingStrategy::randomized_lcb}) {
        CAPTURE(static_cast<int>(pending_strategy));
        BayesSettings settings;
        settings.pending = pending_strategy;
        BayesSearch optimizer(branin_space, settings, 3);
        run(optimizer, 20);
        ask_while_pending(optimizer, 8);
    }
}

TEST_CASE("evaluated, pending and failed points are never suggested again") {
    const space::Space small({{"n", space::IntRange{1, 5, false}}, {"flag", space::Choices{{true, false}}}});
    BayesSettings settings;
    settings.initial_points = 3;
    BayesSearch optimizer(small, settings, 4);
    std::set<std::string> seen;
    std::vector<Point> pending;
    for (int i = 0; i < 10; ++i) {
        const auto point = optimizer.ask(pending);
        REQUIRE(point);
        CHECK(seen.insert(small.decode(*point).dump()).second);
        if (i % 3 == 0) {
            pending.push_back(*point);  // still running
        } else if (i % 3 == 1) {
            optimizer.tell({*point, std::nullopt});  // failed
        } else {
            optimizer.tell({*point, static_cast<double>(i)});
        }
    }
    CHECK_FALSE(optimizer.ask(pending));
}

TEST_CASE("every acquisition and the hedge make suggestions in the cube") {
    for (const char* acquisition : {"ei", "pi", "lcb", "hedge"}) {
        CAPTURE(acquisition);
        config::Problems problems;
        const Json json = {{"kind", "bayes"}, {"acquisition", acquisition}, {"initial_points", 4}};
        config::ObjectReader reader(json, "optimizer", problems);
        const auto settings = optim::read_settings(reader, &branin_space);
        REQUIRE(problems.empty());
        auto optimizer = optim::make_optimizer(settings, branin_space, 5);
        for (int i = 0; i < 15; ++i) {
            const auto point = optimizer->ask({});
            REQUIRE(point);
            for (double u : *point) CHECK((u >= 0 && u <= 1));
            optimizer->tell({*point, branin(*point)});
        }
    }
}

TEST_CASE("degenerate data never yields a crash or a NaN suggestion") {
    BayesSettings settings;
    settings.initial_points = 3;
    BayesSearch constant(branin_space, settings, 6);
    BayesSearch huge(branin_space, settings, 6);
    for (int i = 0; i < 12; ++i) {
        const auto a = constant.ask({});
        const auto b = huge.ask({});
        REQUIRE(a);
        REQUIRE(b);
        for (double u : *a) CHECK(std::isfinite(u));
        for (double u : *b) CHECK(std::isfinite(u));
        constant.tell({*a, 1.0});
        huge.tell({*b, i % 2 ? 1e12 : -1e12});
    }
}

TEST_CASE("after load(save()) the next asks equal those of the uninterrupted optimizer") {
    for (const char* acquisition : {"ei", "hedge"}) {
        CAPTURE(acquisition);
        config::Problems problems;
        const Json json = {{"kind", "bayes"}, {"acquisition", acquisition}};
        config::ObjectReader reader(json, "optimizer", problems);
        const auto settings = std::get<BayesSettings>(optim::read_settings(reader, &branin_space));
        BayesSearch original(branin_space, settings, 7);
        run(original, 25);
        const auto pending = original.ask({});  // one point still running across the save
        const std::string saved = original.save().dump();

        BayesSearch restored(branin_space, settings, 12345);
        restored.load(Json::parse(saved));
        for (int i = 0; i < 6; ++i) {
            const auto expected = original.ask({*pending});
            const auto got = restored.ask({*pending});
            REQUIRE(expected);
            CHECK(got == expected);
            original.tell({*expected, branin(*expected)});
            restored.tell({*got, branin(*got)});
        }
    }
}

TEST_CASE("a trial told again (paused by early stopping, then promoted) replaces its earlier loss") {
    BayesSearch bayes(branin_space, BayesSettings{}, 3);
    const auto point = bayes.ask({});
    REQUIRE(point);
    bayes.tell({*point, 5.0});
    bayes.tell({*point, 1.0, true});
    bayes.tell({*point, std::nullopt, true});  // a failure after the promotion keeps what was learnt
    const Json observations = bayes.save().at("observations");
    REQUIRE(observations.size() == 1);
    CHECK(observations[0].at("loss").get<double>() == 1.0);
}

TEST_CASE("with rung losses the model follows the highest rung that enough trials reached, then the results") {
    BayesSettings settings;
    settings.initial_points = 3;
    settings.model_rungs = true;
    BayesSearch bayes(branin_space, settings, 4);
    std::vector<Point> points;
    for (int i = 0; i < 4; ++i) points.push_back(*bayes.ask({}));
    const auto model_rung = [&] {
        bayes.ask({});
        return bayes.save().at("model_rung");
    };
    for (int i = 0; i < 3; ++i) bayes.tell_rung(points[i], 1, branin(points[i]) + 10);
    CHECK(model_rung() == Json(1));
    bayes.tell({points[3], 2.0, false, 1});  // stopped at the rung of epoch 1: told by its rung already
    CHECK(bayes.save().at("observations").empty());
    for (int i = 0; i < 2; ++i) bayes.tell_rung(points[i], 3, branin(points[i]) + 1);
    CHECK(model_rung() == Json(1));  // two at the rung of epoch 3: not enough
    bayes.tell_rung(points[2], 3, branin(points[2]) + 1);
    CHECK(model_rung() == Json(3));
    for (int i = 0; i < 3; ++i) bayes.tell({points[i], branin(points[i])});
    CHECK(model_rung().is_null());  // enough trials trained to their end
}

TEST_CASE("randomized LCB: with 200 points pending the suggestions stay distinct and spread over the promising region") {
    BayesSettings settings;
    settings.pending = optim::bayes::PendingStrategy::randomized_lcb;
    BayesSearch optimizer(branin_space, settings, 5);
    run(optimizer, 20);
    const std::vector<Point> pending = ask_while_pending(optimizer, 200);
    // Each kappa its own: from the model's best point outwards, over cells of a 10 x 10 grid (a
    // posterior that no result updates keeps them near its minimum: see docs/algorithms.md).
    std::set<long> cells;
    for (const Point& p : pending) cells.insert(std::lround(std::floor(p[0] * 10)) * 10 + std::lround(std::floor(p[1] * 10)));
    CHECK(cells.size() >= 5);
}

TEST_CASE("a batch's first suggestions are those of a smaller batch, and a batch of one is an ask") {
    for (const auto pending_strategy : {optim::bayes::PendingStrategy::kriging_believer, optim::bayes::PendingStrategy::randomized_lcb}) {
        CAPTURE(static_cast<int>(pending_strategy));
        BayesSettings settings;
        settings.pending = pending_strategy;
        BayesSearch original(branin_space, settings, 8);
        run(original, 15);
        const Json state = original.save();
        const std::vector<Point> running = ask_while_pending(original, 3);
        const std::vector<Point> batch = original.ask_batch(running, 6);
        REQUIRE(batch.size() == 6);

        BayesSearch fewer(branin_space, settings, 8);
        fewer.load(state);
        ask_while_pending(fewer, 3);
        CHECK(fewer.ask_batch(running, 4) == std::vector<Point>(batch.begin(), batch.begin() + 4));

        BayesSearch one(branin_space, settings, 8);
        one.load(state);
        ask_while_pending(one, 3);
        CHECK(one.ask(running) == batch.front());
    }
}

TEST_CASE("randomized LCB: a batch of 200 shares one set of candidates and still spreads") {
    BayesSettings settings;
    settings.pending = optim::bayes::PendingStrategy::randomized_lcb;
    BayesSearch optimizer(branin_space, settings, 5);
    run(optimizer, 20);
    const std::vector<Point> batch = optimizer.ask_batch({}, 200);
    REQUIRE(batch.size() == 200);
    std::set<long> cells;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) CHECK(chebyshev(batch[i], batch[j]) > 1e-3);
        cells.insert(std::lround(std::floor(batch[i][0] * 10)) * 10 + std::lround(std::floor(batch[i][1] * 10)));
    }
    CHECK(cells.size() >= 5);
}
