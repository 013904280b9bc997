#include <doctest/doctest.h>

#include <cmath>

#include "hpopt/pareto/front.hpp"
#include "hpopt/pareto/hypervolume.hpp"
#include "hpopt/pareto/scalarization.hpp"

using namespace hpopt;
using pareto::Losses;

TEST_CASE("dominance needs no worse everywhere and better somewhere") {
    CHECK(pareto::dominates({1, 2}, {2, 2}));
    CHECK(pareto::dominates({1, 1}, {2, 3}));
    CHECK_FALSE(pareto::dominates({1, 2}, {1, 2}));  // equal
    CHECK_FALSE(pareto::dominates({1, 3}, {2, 2}));  // a trade-off
    CHECK_FALSE(pareto::dominates({2, 2}, {1, 2}));
}

TEST_CASE("non-dominated sorting of a hand-made set") {
    //   0: (1,5)  1: (2,3)  2: (4,1)   first front
    //   3: (3,4)  4: (5,2)             second: 3 beaten by 1, 4 by 2
    //   5: (4,5)                       third: beaten by 3
    //   6: (1,5)                       equal to 0: the first front too
    const std::vector<Losses> points = {{1, 5}, {2, 3}, {4, 1}, {3, 4}, {5, 2}, {4, 5}, {1, 5}};
    const auto fronts = pareto::nondominated_fronts(points);
    REQUIRE(fronts.size() == 3);
    CHECK(fronts[0] == std::vector<std::size_t>{0, 1, 2, 6});
    CHECK(fronts[1] == std::vector<std::size_t>{3, 4});
    CHECK(fronts[2] == std::vector<std::size_t>{5});
    CHECK(pareto::nondominated(points) == std::vector<std::size_t>{0, 1, 2});  // 6 repeats 0
    CHECK(pareto::nondominated_fronts({}).empty());
}

TEST_CASE("crowding distance: extremes infinite, the inner points by their neighbours' gaps") {
    // A front along f1 + f2 = 4: (0,4) (1,3) (3,1) (4,0); both ranges are 4.
    const std::vector<Losses> points = {{0, 4}, {1, 3}, {3, 1}, {4, 0}};
    const auto distance = pareto::crowding_distances(points, {0, 1, 2, 3});
    CHECK(std::isinf(distance[0]));
    CHECK(std::isinf(distance[3]));
    CHECK(distance[1] == doctest::Approx((3.0 - 0) / 4 + (4.0 - 1) / 4));
    CHECK(distance[2] == doctest::Approx((4.0 - 1) / 4 + (3.0 - 0) / 4));
    // (2,2) between (1,3) and (3,1) is more crowded than both.
    const std::vector<Losses> five = {{0, 4}, {1, 3}, {2, 2}, {3, 1}, {4, 0}};
    const auto crowded = pareto::crowding_distances(five, {0, 1, 2, 3, 4});
    CHECK(crowded[2] == doctest::Approx(1.0));
    CHECK(crowded[1] == doctest::Approx(1.0));
    const auto order = pareto::nsga2_order({{0, 4}, {1.5, 2.6}, {1, 3}, {3, 1}, {4, 0}, {5, 5}});
    // Extremes first, then the lone (3,1) with the larger gap, then the crowded pair, then the dominated one.
    CHECK(order == std::vector<std::size_t>{0, 4, 3, 1, 2, 5});
}

TEST_CASE("hypervolume of hand-made sets and of known fronts") {
    CHECK(pareto::hypervolume({{1, 1}}, {2, 2}) == doctest::Approx(1.0));
    // Two boxes overlapping in [1,2]x[1,2]: 2 + 2 - 1.
    CHECK(pareto::hypervolume({{0, 1}, {1, 0}}, {2, 2}) == doctest::Approx(3.0));
    CHECK(pareto::hypervolume({{0, 1}, {1, 0}, {1, 1}}, {2, 2}) == doctest::Approx(3.0));  // dominated: nothing
    CHECK(pareto::hypervolume({{3, 0}}, {2, 2}) == 0.0);                                   // outside the reference
    CHECK(pareto::hypervolume({{0, 0, 0}}, {1, 2, 3}) == doctest::Approx(6.0));
    // Three unit-offset corners in 3-d: inclusion-exclusion gives 3*4 - 3*2 + 1 = 7 in the 2-cube.
    CHECK(pareto::hypervolume({{0, 0, 1}, {0, 1, 0}, {1, 0, 0}}, {2, 2, 2}) == doctest::Approx(7.0));
    // zdt1's front f2 = 1 - sqrt(f1), densely sampled, against (1.1, 1.1): 1.21 - 1/3.
    std::vector<Losses> front;
    for (int i = 0; i <= 2000; ++i) front.push_back({i / 2000.0, 1 - std::sqrt(i / 2000.0)});
    CHECK(pareto::hypervolume(front, {1.1, 1.1}) == doctest::Approx(1.21 - 1.0 / 3).epsilon(1e-3));
    // The octant of the unit sphere (dtlz2's front) against (1.1, 1.1, 1.1): 1.331 - pi/6.
    std::vector<Losses> sphere;
    for (int i = 0; i <= 60; ++i) {
        for (int k = 0; k <= 60; ++k) {
            const double a = M_PI / 2 * i / 60, b = M_PI / 2 * k / 60;
            sphere.push_back({std::cos(a) * std::cos(b), std::cos(a) * std::sin(b), std::sin(a)});
        }
    }
    CHECK(pareto::hypervolume(sphere, {1.1, 1.1, 1.1}) == doctest::Approx(1.331 - M_PI / 6).epsilon(1e-2));
}

TEST_CASE("hypervolume by count grows with each point that adds to the front") {
    const auto volumes = pareto::hypervolume_by_count({{1, 1}, {1.5, 1.5}, {0, 1}, {3, 0}}, {2, 2});
    CHECK(volumes == std::vector<double>{1.0, 1.0, 2.0, 2.0});
}

TEST_CASE("ParEGO's weights lie on the simplex and cover it; the scalarization weights the normalized losses") {
    random::Rng rng(5);
    double mean_first = 0;
    int small_first = 0;
    constexpr int draws = 4000;
    for (int i = 0; i < draws; ++i) {
        const auto w = pareto::random_weights(3, rng);
        REQUIRE(w.size() == 3);
        CHECK(w[0] + w[1] + w[2] == doctest::Approx(1.0));
        for (double wj : w) CHECK(wj >= 0);
        mean_first += w[0] / draws;
        if (w[0] < 0.1) ++small_first;
    }
    CHECK(mean_first == doctest::Approx(1.0 / 3).epsilon(0.05));
    // Uniform on the 2-simplex: P(w1 < 0.1) = 1 - 0.9^2 = 0.19.
    CHECK(small_first / double(draws) == doctest::Approx(0.19).epsilon(0.15));

    const auto scaled = pareto::normalized({{0, 10}, {2, 30}, {1, 20}});
    CHECK(scaled[2] == Losses{0.5, 0.5});
    CHECK(pareto::normalized({{1, 3}, {1, 5}})[0] == Losses{0, 0});  // a constant objective
    CHECK(pareto::augmented_chebyshev({0.5, 1.0}, {0.8, 0.2}) == doctest::Approx(0.4 + 0.05 * 0.6));
    // With all weight on the first objective, the point best there scalarizes lowest.
    CHECK(pareto::augmented_chebyshev({0, 1}, {1, 0}) < pareto::augmented_chebyshev({0.1, 0}, {1, 0}));
}
