#include <doctest/doctest.h>

#include <chrono>
#include <cmath>

#include "analytic_plugin.hpp"
#include "test_functions.hpp"

using namespace hpopt;

TEST_CASE("each test function takes its known minimum at its known minimizer") {
    for (const auto& function : analytic::test_functions()) {
        for (int d : {function.dimensions ? function.dimensions : std::max(2, function.min_dimensions), function.dimensions ? function.dimensions : 10}) {
            CAPTURE(function.name);
            CAPTURE(d);
            const double value = function.evaluate(function.argmin(d));
            CHECK(value == doctest::Approx(function.minimum).epsilon(1e-6).scale(1.0));
            // Nearby points are worse.
            auto moved = function.argmin(d);
            moved[0] += moved[0] < function.domain(d)[0].high ? 0.01 : -0.01;
            CHECK(function.evaluate(moved) > function.minimum);
            CHECK(function.domain(d).size() == static_cast<std::size_t>(d));
        }
    }
}

TEST_CASE("the multi-objective problems' Pareto-optimal points lie on their known fronts") {
    const auto objectives = [](const std::string& name, const std::vector<double>& x) {
        return analytic::find_test_function(name)->objectives(x);
    };
    for (double t : {0.0, 0.25, 0.64, 1.0}) {
        CAPTURE(t);
        // ZDT: x2..xd = 0 puts a point on the front, f2 = 1 - sqrt(f1) or 1 - f1^2.
        auto zdt1 = objectives("zdt1", {t, 0, 0, 0, 0, 0});
        CHECK(zdt1[0] == t);
        CHECK(zdt1[1] == doctest::Approx(1 - std::sqrt(t)));
        auto zdt2 = objectives("zdt2", {t, 0, 0, 0, 0, 0});
        CHECK(zdt2[1] == doctest::Approx(1 - t * t));
        // Elsewhere, g > 1 lifts f2 above the front.
        CHECK(objectives("zdt1", {t, 0.5, 0, 0, 0, 0})[1] > 1 - std::sqrt(t));
        // DTLZ2: x3..xd = 1/2 puts a point on the unit sphere.
        const auto f = objectives("dtlz2", {t, 1 - t, 0.5, 0.5, 0.5, 0.5});
        REQUIRE(f.size() == 3);
        CHECK(f[0] * f[0] + f[1] * f[1] + f[2] * f[2] == doctest::Approx(1.0));
        const auto off = objectives("dtlz2", {t, 1 - t, 0.9, 0.5, 0.5, 0.5});
        CHECK(off[0] * off[0] + off[1] * off[1] + off[2] * off[2] > 1.0);
    }
    CHECK(analytic::find_test_function("zdt1")->front_hypervolume == doctest::Approx(0.876667).epsilon(1e-5));
    CHECK(!analytic::find_test_function("branin")->objectives);
}

TEST_CASE("Branin has three global minima") {
    const auto* branin = analytic::find_test_function("branin");
    REQUIRE(branin);
    for (const auto& x : {std::vector<double>{-M_PI, 12.275}, {M_PI, 2.275}, {9.42478, 2.475}}) {
        CHECK(branin->evaluate(x) == doctest::Approx(0.397887).epsilon(1e-5));
    }
}

namespace {

std::unique_ptr<workload::Workload> make(const Json& options, const space::Space& space) {
    return analytic::plugin().create(options, space, train::TrainingSettings{});
}

workload::TrialContext seeded(std::uint64_t seed) {
    workload::TrialContext context;
    context.seed = seed;
    return context;
}

const space::Space branin_space({{"x1", space::RealRange{-5, 10, false}}, {"x2", space::RealRange{0, 15, false}}});
const Json at_minimum = {{"x1", M_PI}, {"x2", 2.275}};

}  // namespace

TEST_CASE("the workload evaluates the function of x1..xd") {
    const auto workload = make({{"plugin", "analytic"}, {"function", "branin"}}, branin_space);
    CHECK(workload->fom_name() == "branin");
    CHECK(workload->evaluate(at_minimum, {}) == doctest::Approx(0.397887).epsilon(1e-5));
}

TEST_CASE("a multi-objective problem reports each objective as a figure; its FoM is the first") {
    const space::Space space({{"x1", space::RealRange{0, 1, false}}, {"x2", space::RealRange{0, 1, false}}, {"x3", space::RealRange{0, 1, false}}});
    const auto workload = make({{"plugin", "analytic"}, {"function", "dtlz2"}}, space);
    Json figures;
    workload::TrialContext context;
    context.report_figures = [&](const Json& reported) { figures = reported; };
    const double fom = workload->evaluate({{"x1", 0.0}, {"x2", 1.0}, {"x3", 0.5}}, context);
    CHECK(fom == doctest::Approx(0.0).scale(1));
    CHECK(figures["f1"].get<double>() == fom);
    CHECK(figures["f2"].get<double>() == doctest::Approx(1.0));
    CHECK(figures["f3"].get<double>() == doctest::Approx(0.0).scale(1));
    CHECK_THROWS_WITH(make({{"plugin", "analytic"}, {"function", "zdt1"}, {"epochs", 3}}, space),
                      doctest::Contains("zdt1 has several objectives: it has no learning curve"));
}

TEST_CASE("functions of any dimension take as many inputs as the space has") {
    const space::Space space({{"x1", space::RealRange{-5, 5, false}},
                              {"x2", space::IntRange{-5, 5, false}},
                              {"x3", space::Fixed{0}},
                              {"lr", space::RealRange{0.1, 1, false}}});
    const auto workload = make({{"plugin", "analytic"}, {"function", "rastrigin"}}, space);
    CHECK(workload->evaluate({{"x1", 0.0}, {"x2", 1}, {"x3", 0}, {"lr", 0.5}}, {}) == doctest::Approx(1.0));
}

TEST_CASE("noise is Gaussian with the given deviation, and reproducible by seed") {
    const auto workload = make({{"plugin", "analytic"}, {"function", "branin"}, {"noise", 0.5}}, branin_space);
    double sum = 0, sum_of_squares = 0;
    const int n = 4000;
    for (int i = 0; i < n; ++i) {
        const double noise = workload->evaluate(at_minimum, seeded(static_cast<std::uint64_t>(i))) - 0.397887;
        sum += noise;
        sum_of_squares += noise * noise;
    }
    CHECK(sum / n == doctest::Approx(0).epsilon(0.05).scale(1));
    CHECK(std::sqrt(sum_of_squares / n) == doctest::Approx(0.5).epsilon(0.05));
    workload::TrialContext other_trial = seeded(99);
    other_trial.trial_id = 1;
    CHECK(workload->evaluate(at_minimum, seeded(99)) == workload->evaluate(at_minimum, other_trial));
    CHECK(workload->evaluate(at_minimum, seeded(99)) != workload->evaluate(at_minimum, seeded(98)));
}

TEST_CASE("the injected failure rate fails about that share of trials") {
    const auto workload = make({{"plugin", "analytic"}, {"function", "branin"}, {"failure_rate", 0.3}}, branin_space);
    int failures = 0;
    for (std::uint64_t seed = 0; seed < 2000; ++seed) {
        try {
            workload->evaluate(at_minimum, seeded(seed));
        } catch (const workload::TrialFailure& failure) {
            CHECK(std::string(failure.what()) == "injected failure (failure_rate 0.3)");
            ++failures;
        }
    }
    CHECK(failures / 2000.0 == doctest::Approx(0.3).epsilon(0.1));
}

TEST_CASE("the simulated run time is spent") {
    const auto fixed = make({{"plugin", "analytic"}, {"function", "branin"}, {"duration_s", 0.05}}, branin_space);
    const auto start = std::chrono::steady_clock::now();
    fixed->evaluate(at_minimum, {});
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(50));

    const auto uniform = make({{"plugin", "analytic"},
                               {"function", "branin"},
                               {"duration_s", {{"distribution", "uniform"}, {"low", 0.0}, {"high", 0.02}}}},
                              branin_space);
    const auto start_uniform = std::chrono::steady_clock::now();
    for (std::uint64_t seed = 0; seed < 10; ++seed) uniform->evaluate(at_minimum, seeded(seed));
    const auto elapsed = std::chrono::steady_clock::now() - start_uniform;
    CHECK(elapsed >= std::chrono::milliseconds(20));
    CHECK(elapsed < std::chrono::milliseconds(400));
}

TEST_CASE("the simulated run time stops at the trial's deadline") {
    const auto slow = make({{"plugin", "analytic"}, {"function", "branin"}, {"duration_s", 10}}, branin_space);
    workload::TrialContext context;
    context.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(slow->evaluate(at_minimum, context), "stopped at the trial's deadline");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(200));
}
