#include <doctest/doctest.h>

#include "hpopt/train/staleness.hpp"

using hpopt::train::StalenessCounter;

TEST_CASE("staleness counts the central updates since the weights an update was computed on") {
    StalenessCounter counter(0, false);
    // Two workers start on version 0; A's update lands first (fresh), B's is then 1 behind.
    CHECK(counter.weigh(0) == 1.0);
    CHECK(counter.weigh(0) == 1.0);
    CHECK(counter.version() == 2);
    // A got version 1 back with its reply, B version 2; A's next update is 1 stale, B's then 1.
    CHECK(counter.weigh(1) == 1.0);
    CHECK(counter.weigh(2) == 1.0);
    CHECK(counter.updates() == 4);
    CHECK(counter.largest() == 1);
    CHECK(counter.mean() == doctest::Approx((0 + 1 + 1 + 1) / 4.0));
}

TEST_CASE("updates staler than the bound are rejected, and accepted ones can be weighed by 1/staleness") {
    StalenessCounter bounded(2, true);
    CHECK(bounded.weigh(0) == 1.0);         // staleness 0
    CHECK(bounded.weigh(0) == 1.0);         // 1
    CHECK(bounded.weigh(0) == doctest::Approx(0.5));  // 2
    CHECK(bounded.weigh(0) == 0.0);         // 3: rejected, the version stays
    CHECK(bounded.version() == 3);
    CHECK(bounded.rejected() == 1);
    CHECK(bounded.weigh(3) == 1.0);
    CHECK(bounded.largest() == 3);
}
