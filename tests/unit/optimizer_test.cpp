#include <doctest/doctest.h>

#include <set>

#include "hpopt/optim/settings.hpp"

using namespace hpopt;

namespace {

space::Space small_finite_space() {
    return space::Space({{"n", space::IntRange{1, 4, false}}, {"act", space::Choices{{"relu", "tanh", "gelu"}}}});
}

space::Space mixed_space() {
    return space::Space({{"x", space::RealRange{-5, 10, false}},
                         {"lr", space::RealRange{1e-5, 0.1, true}},
                         {"units", space::IntRange{8, 512, true}},
                         {"act", space::Choices{{"relu", "tanh"}}}});
}

const std::vector<optim::Settings> all_kinds = {optim::RandomSettings{}, optim::SobolSettings{true},
                                                optim::SobolSettings{false}, optim::cmaes::CmaesSettings{}};

}  // namespace

TEST_CASE("an optimizer never suggests the same parameters twice and says when the space is exhausted") {
    const space::Space space = small_finite_space();
    for (const auto& settings : all_kinds) {
        CAPTURE(optim::kind_name(settings));
        auto optimizer = optim::make_optimizer(settings, space, 3);
        std::set<std::string> seen;
        for (int i = 0; i < 12; ++i) {
            const auto point = optimizer->ask({});
            REQUIRE(point);
            CHECK(seen.insert(space.decode(*point).dump()).second);
            optimizer->tell({*point, 1.0});
        }
        CHECK_FALSE(optimizer->ask({}));
    }
}

TEST_CASE("suggestions stay in the unit cube and decode into the space") {
    const space::Space space = mixed_space();
    for (const auto& settings : all_kinds) {
        auto optimizer = optim::make_optimizer(settings, space, 11);
        for (int i = 0; i < 200; ++i) {
            const auto point = optimizer->ask({});
            REQUIRE(point);
            for (double u : *point) CHECK((u >= 0.0 && u <= 1.0));
            const space::Point round_trip = space.encode(space.decode(*point));
            for (std::size_t d = 0; d < point->size(); ++d) CHECK(round_trip[d] == doctest::Approx((*point)[d]));
            optimizer->tell({*point, std::nullopt});
        }
    }
}

TEST_CASE("the same seed gives the same suggestions, another seed others") {
    const space::Space space = mixed_space();
    for (const auto& settings : {all_kinds[0], all_kinds[1]}) {
        auto a = optim::make_optimizer(settings, space, 5);
        auto b = optim::make_optimizer(settings, space, 5);
        auto c = optim::make_optimizer(settings, space, 6);
        const auto first = a->ask({});
        CHECK(first == b->ask({}));
        CHECK(first != c->ask({}));
    }
}

TEST_CASE("after load(save()) an optimizer continues exactly as the uninterrupted one") {
    const space::Space space = mixed_space();
    for (const auto& settings : all_kinds) {
        CAPTURE(optim::kind_name(settings));
        auto original = optim::make_optimizer(settings, space, 21);
        for (int i = 0; i < 25; ++i) original->tell({*original->ask({}), 0.5 * i});
        const std::string saved = original->save().dump();

        auto restored = optim::make_optimizer(settings, space, 999);
        restored->load(Json::parse(saved));
        for (int i = 0; i < 25; ++i) {
            const auto expected = original->ask({});
            CHECK(restored->ask({}) == expected);
        }
    }
}
