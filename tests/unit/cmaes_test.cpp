#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include <boost/math/distributions/normal.hpp>

#include "hpopt/optim/cmaes/cmaes_search.hpp"
#include "hpopt/optim/cmaes/integer_margin.hpp"

using namespace hpopt;
using namespace hpopt::optim::cmaes;
using optim::Point;

namespace {

space::Space reals(int d) {
    std::vector<space::Dimension> dimensions;
    for (int i = 0; i < d; ++i) dimensions.push_back({"x" + std::to_string(i), space::RealRange{-1, 1, false}});
    return space::Space(dimensions);
}

// The best loss of `evaluations` asked and told one at a time.
double minimize(optim::Optimizer& optimizer, const space::Space& space, int evaluations,
                const std::function<double(const Json&)>& loss) {
    double best = INFINITY;
    for (int i = 0; i < evaluations; ++i) {
        const auto point = optimizer.ask({});
        REQUIRE(point);
        const double value = loss(space.decode(*point));
        best = std::min(best, value);
        optimizer.tell({*point, value});
    }
    return best;
}

// A rotated, ill-conditioned quadratic with its minimum at x_i = 0.3 - 0.1 i.
double quadratic(const Json& params, int d) {
    double sum = 0;
    for (int i = 0; i < d; ++i) {
        const double a = params.at("x" + std::to_string(i)).get<double>() - (0.3 - 0.1 * i);
        const double b = i + 1 < d ? params.at("x" + std::to_string(i + 1)).get<double>() - (0.3 - 0.1 * (i + 1)) : 0;
        sum += std::pow(10.0, i) * (a + 0.5 * b) * (a + 0.5 * b);
    }
    return sum;
}

}  // namespace

TEST_CASE("CMA-ES finds the minimum of a rotated, ill-conditioned quadratic") {
    const space::Space space = reals(5);
    CmaesSearch search(space, {}, 1);
    CHECK(search.lambda() == default_population(5));
    CHECK(minimize(search, space, 2000, [](const Json& p) { return quadratic(p, 5); }) < 1e-10);
}

TEST_CASE("CMA-ES reaches the optimum of an integer-only problem, which stalls without the margin") {
    std::vector<space::Dimension> dimensions;
    for (int i = 0; i < 6; ++i) dimensions.push_back({"n" + std::to_string(i), space::IntRange{0, 40, false}});
    const space::Space space(dimensions);
    const auto loss = [](const Json& p) {
        double sum = 0;
        for (int i = 0; i < 6; ++i) sum += std::pow(p.at("n" + std::to_string(i)).get<double>() - 7 - 3 * i, 2);
        return sum;
    };
    int solved = 0;
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
        CmaesSearch search(space, {}, seed);
        solved += minimize(search, space, 600, loss) == 0;
    }
    CHECK(solved == 5);
}

TEST_CASE("the integer margin keeps the chance of reaching the neighbouring integer at least alpha") {
    CmaDistribution distribution(Eigen::VectorXd::Constant(2, 0.52), 1e-4, 10);  // bins of 0.1: the mean at 0.02 from an edge
    apply_integer_margin(distribution, {10, 0});
    const double alpha = margin_alpha(2, 10);
    const double deviation = distribution.coordinate_deviations()[0];
    const double crossing = boost::math::cdf(boost::math::complement(boost::math::normal(), 0.02 / deviation));
    CHECK(crossing == doctest::Approx(alpha).epsilon(1e-9));
    CHECK(distribution.margin_scale()[1] == 1.0);  // a real coordinate keeps its scale
    apply_integer_margin(distribution, {10, 0});     // already wide enough: unchanged
    CHECK(distribution.coordinate_deviations()[0] == doctest::Approx(deviation));
}

TEST_CASE("a categorical coordinate learns its best choice and keeps a margin for the others") {
    const space::Space space({{"x", space::RealRange{0, 1, false}}, {"act", space::Choices{{"relu", "tanh", "gelu", "silu"}}}});
    CmaesSearch search(space, {}, 4);
    minimize(search, space, 400, [](const Json& p) {
        return std::pow(p.at("x").get<double>() - 0.7, 2) + (p.at("act") == "gelu" ? 0.0 : 1.0);
    });
    const auto& probabilities = search.categories().probabilities().at(0);
    CHECK(probabilities[2] > 0.7);
    double sum = 0;
    for (const double p : probabilities) {
        CHECK(p >= margin_alpha(2, search.lambda()) - 1e-12);
        sum += p;
    }
    CHECK(sum == doctest::Approx(1.0));
}

TEST_CASE("IPOP restarts a converged run with twice the population") {
    const space::Space space = reals(2);
    CmaesSearch search(space, {}, 2);
    const int first = search.lambda();
    minimize(search, space, 3000, [](const Json& p) { return quadratic(p, 2); });
    REQUIRE(search.restarts() > 0);
    CHECK(search.lambda() == first << search.restarts());

    CmaesSettings once;
    once.restarts = Restarts::none;
    CmaesSearch single(space, once, 2);
    CHECK(minimize(single, space, 300, [](const Json& p) { return quadratic(p, 2); }) < 1e-8);
    CHECK(single.restarts() == 0);
    bool ended = false;  // once it has converged below the resolution of a double
    for (int i = 0; i < 10000 && !ended; ++i) {
        const auto point = single.ask({});
        ended = !point;
        if (point) single.tell({*point, quadratic(space.decode(*point), 2)});
    }
    CHECK(ended);
    CHECK(single.restarts() == 0);
}

TEST_CASE("a generation closes after lambda results, whichever come back; stragglers join the next one") {
    const space::Space space = reals(3);
    CmaesSearch search(space, {}, 5);
    const int lambda = search.lambda();
    std::vector<Point> out;
    for (int i = 0; i < 2 * lambda; ++i) out.push_back(*search.ask({}));
    const Json before = search.save();
    for (int i = 2 * lambda - 1; i >= lambda; --i) search.tell({out[i], static_cast<double>(i)});  // the later half first
    const Json after_one = search.save();
    CHECK(after_one.at("generation") == 1);
    CHECK(after_one.at("gaussian").at("mean") != before.at("gaussian").at("mean"));
    CHECK(after_one.at("out").size() == static_cast<std::size_t>(lambda));  // drawn by the distribution before, still awaited
    for (int i = 0; i < lambda; ++i) search.tell({out[i], -1.0 - i});
    const Json after_two = search.save();
    CHECK(after_two.at("generation") == 2);  // the stragglers made the next generation
    CHECK(after_two.at("out").empty());
    CHECK(after_two.at("gaussian").at("mean") != after_one.at("gaussian").at("mean"));
}

TEST_CASE("an injected straggler's step is at most sqrt(n) + 2n / (n + 2) long") {
    CmaDistribution distribution(Eigen::VectorXd::Constant(4, 0.5), 0.01, 8);
    const Eigen::VectorXd far = Eigen::VectorXd::Constant(4, 0.9);  // 40 sigma away on each axis
    const Eigen::VectorXd fit = distribution.injected(far);
    const double bound = 2 + 8.0 / 6;
    CHECK(((fit - distribution.mean()) / 0.01).norm() == doctest::Approx(bound));
    CHECK(((fit - distribution.mean()).normalized() - (far - distribution.mean()).normalized()).norm() < 1e-12);
    const Eigen::VectorXd near = Eigen::VectorXd::Constant(4, 0.505);
    CHECK((distribution.injected(near) - near).norm() < 1e-15);
}

TEST_CASE("CMA-ES resumes exactly from its saved state, mid-generation") {
    const space::Space space({{"x", space::RealRange{-5, 10, false}},
                              {"n", space::IntRange{1, 64, true}},
                              {"act", space::Choices{{"relu", "tanh", "gelu"}}}});
    const auto loss = [&](const Point& point) { return std::pow(point[0] - 0.4, 2) + std::pow(point[1] - 0.6, 2) + point[2]; };
    CmaesSearch straight(space, {}, 9);
    for (int i = 0; i < 37; ++i) {
        const auto point = straight.ask({});
        straight.tell({*point, loss(*point)});
    }
    CmaesSearch resumed(space, {}, 123);
    resumed.load(straight.save());
    for (int i = 0; i < 40; ++i) {
        const auto a = straight.ask({});
        const auto b = resumed.ask({});
        REQUIRE(a == b);
        straight.tell({*a, loss(*a)});
        resumed.tell({*b, loss(*b)});
    }
    CHECK(straight.save() == resumed.save());
}
