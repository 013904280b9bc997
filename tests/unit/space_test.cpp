#include <doctest/doctest.h>

#include <set>

#include "hpopt/space/space.hpp"

using namespace hpopt;
using space::Space;

namespace {

Space one(space::Domain domain) { return Space({{"p", std::move(domain)}}); }

}  // namespace

TEST_CASE("a real dimension maps the unit interval onto its range, linearly or in log space") {
    const Space linear = one(space::RealRange{-5, 10, false});
    CHECK(linear.decode({0.0})["p"].get<double>() == doctest::Approx(-5));
    CHECK(linear.decode({0.5})["p"].get<double>() == doctest::Approx(2.5));
    CHECK(linear.decode({1.0})["p"].get<double>() == doctest::Approx(10));

    const Space log = one(space::RealRange{1e-5, 0.1, true});
    CHECK(log.decode({0.5})["p"].get<double>() == doctest::Approx(1e-3));
    CHECK(log.encode({{"p", 1e-4}})[0] == doctest::Approx(0.25));
}

TEST_CASE("encode and decode are inverse for every kind of dimension") {
    const Space s({{"x", space::RealRange{-5, 10, false}},
                   {"lr", space::RealRange{1e-5, 0.1, true}},
                   {"units", space::IntRange{8, 512, true}},
                   {"layers", space::IntRange{1, 6, false}},
                   {"act", space::Choices{{"relu", "tanh", 3, true}}},
                   {"epochs", space::Fixed{5}}});
    REQUIRE(s.size() == 5);
    const Json params = {{"x", 1.25}, {"lr", 3e-4}, {"units", 100}, {"layers", 4}, {"act", 3}, {"epochs", 5}};
    const Json decoded = s.decode(s.encode(params));
    CHECK(decoded["x"].get<double>() == doctest::Approx(1.25));
    CHECK(decoded["lr"].get<double>() == doctest::Approx(3e-4));
    CHECK(decoded["units"] == 100);
    CHECK(decoded["layers"] == 4);
    CHECK(decoded["act"] == 3);
    CHECK(decoded["epochs"] == 5);

    for (double u : {0.0, 0.1, 0.37, 0.5, 0.99, 1.0}) {
        const space::Point point(5, u);
        const space::Point round_trip = s.encode(s.decode(point));
        const space::Point snapped = s.snap(point);
        for (std::size_t i = 0; i < point.size(); ++i) CHECK(round_trip[i] == doctest::Approx(snapped[i]).epsilon(1e-12));
    }
}

TEST_CASE("decoded parameters keep their types") {
    const Space s({{"n", space::IntRange{1, 10, false}},
                   {"r", space::RealRange{0, 1, false}},
                   {"c", space::Choices{{"a", 2.5, false}}},
                   {"f", space::Fixed{"adam"}}});
    const Json params = s.decode({0.5, 0.5, 0.5});
    CHECK(params["n"].is_number_integer());
    CHECK(params["r"].is_number_float());
    CHECK(params["c"] == 2.5);
    CHECK(params["f"] == "adam");
    const Json last = s.decode({0.5, 0.5, 0.99});
    CHECK(last["c"].is_boolean());
}

TEST_CASE("every int of a range owns a bin of equal width") {
    const Space s = one(space::IntRange{3, 7, false});
    std::vector<int> counts(5, 0);
    const int samples = 5000;
    for (int i = 0; i < samples; ++i) ++counts[s.decode({(i + 0.5) / samples})["p"].get<int>() - 3];
    for (int count : counts) CHECK(count == samples / 5);
    CHECK(s.encode({{"p", 3}})[0] == doctest::Approx(0.1));
    CHECK(s.encode({{"p", 7}})[0] == doctest::Approx(0.9));
}

TEST_CASE("a log int reaches every value, each bin equal in log space") {
    const Space s = one(space::IntRange{1, 100, true});
    std::set<int> seen;
    for (int i = 0; i <= 100000; ++i) seen.insert(s.decode({i / 100000.0})["p"].get<int>());
    CHECK(seen.size() == 100);
    CHECK(*seen.begin() == 1);
    CHECK(*seen.rbegin() == 100);
    for (int n : {1, 2, 50, 99, 100}) CHECK(s.decode(s.encode({{"p", n}}))["p"] == n);
    // The bin of 1 is [0.5, 1.5) of [0.5, 100.5] in log space.
    const double width_of_one = std::log(1.5 / 0.5) / std::log(100.5 / 0.5);
    CHECK(s.decode({width_of_one * 0.999})["p"] == 1);
    CHECK(s.decode({width_of_one * 1.001})["p"] == 2);
}

TEST_CASE("categoricals split the coordinate into one bin per choice") {
    const Space s = one(space::Choices{{"relu", "tanh", "gelu"}});
    CHECK(s.decode({0.0})["p"] == "relu");
    CHECK(s.decode({0.34})["p"] == "tanh");
    CHECK(s.decode({1.0})["p"] == "gelu");
    CHECK(s.encode({{"p", "tanh"}})[0] == doctest::Approx(0.5));
}

TEST_CASE("snap maps points that decode alike to one point") {
    const Space s({{"n", space::IntRange{0, 9, false}}, {"x", space::RealRange{0, 1, false}}});
    CHECK(s.snap({0.31, 0.25}) == s.snap({0.39, 0.25}));
    CHECK(s.snap({0.31, 0.25}) != s.snap({0.41, 0.25}));
    CHECK(s.snap({1.7, -3}) == space::Point{0.95, 0.0});
}

TEST_CASE("encode rejects parameters outside the space") {
    const Space s({{"n", space::IntRange{0, 9, false}}, {"c", space::Choices{{"a", "b"}}}});
    CHECK_THROWS_WITH(s.encode({{"n", 10}, {"c", "a"}}), doctest::Contains("parameter n"));
    CHECK_THROWS_WITH(s.encode({{"n", 1.5}, {"c", "a"}}), doctest::Contains("an integer"));
    CHECK_THROWS_WITH(s.encode({{"n", 1}, {"c", "z"}}), doctest::Contains("one of the choices"));
    CHECK_THROWS_WITH(s.encode({{"c", "a"}}), doctest::Contains("n is missing"));
}

TEST_CASE("a space counts its distinct parameter sets") {
    CHECK(Space({{"n", space::IntRange{1, 4, false}}, {"c", space::Choices{{"a", "b", "c"}}}}).cardinality() == 12);
    CHECK(Space({{"n", space::IntRange{1, 4, false}}, {"x", space::RealRange{0, 1, false}}}).cardinality() == 0);
}

TEST_CASE("a space refuses domains it cannot encode") {
    CHECK_THROWS(one(space::RealRange{1, 1, false}));
    CHECK_THROWS(one(space::RealRange{0, 1, true}));
    CHECK_THROWS(one(space::IntRange{0, 10, true}));
    CHECK_THROWS(one(space::Choices{}));
    CHECK_THROWS(Space({{"a", space::Fixed{1}}, {"a", space::Fixed{2}}}));
}
