#include <doctest/doctest.h>

#include <set>

#include "hpopt/optim/sobol_sequence.hpp"

using hpopt::optim::SobolSequence;

TEST_CASE("the unscrambled sequence starts with the textbook Sobol points") {
    SobolSequence sequence(2, false, 0);
    const std::vector<std::vector<double>> expected = {
        {0, 0}, {0.5, 0.5}, {0.75, 0.25}, {0.25, 0.75}, {0.375, 0.375}, {0.875, 0.875}, {0.625, 0.125}, {0.125, 0.625}};
    for (const auto& point : expected) CHECK(sequence.next() == point);
}

// Every elementary box of volume 1/n holds exactly one of the first n points: the first two
// Sobol coordinates form a (0, m, 2)-net in base 2. A digital shift keeps that property.
void check_net_property(SobolSequence sequence, int m) {
    const int n = 1 << m;
    std::vector<std::vector<double>> points;
    for (int i = 0; i < n; ++i) points.push_back(sequence.next());
    for (int a = 0; a <= m; ++a) {
        const int rows = 1 << a, columns = 1 << (m - a);
        std::set<std::pair<int, int>> boxes;
        for (const auto& p : points) boxes.insert({static_cast<int>(p[0] * rows), static_cast<int>(p[1] * columns)});
        CHECK(boxes.size() == static_cast<std::size_t>(n));
    }
}

TEST_CASE("the first 2^m points stratify the unit square, scrambled or not") {
    check_net_property(SobolSequence(2, false, 0), 8);
    check_net_property(SobolSequence(5, true, 42), 8);
}

TEST_CASE("the points cover every dimension evenly") {
    SobolSequence sequence(10, true, 7);
    std::vector<double> sums(10, 0.0);
    const int n = 1024;
    for (int i = 0; i < n; ++i) {
        const auto point = sequence.next();
        for (int d = 0; d < 10; ++d) {
            CHECK(point[d] >= 0.0);
            CHECK(point[d] < 1.0);
            sums[d] += point[d];
        }
    }
    for (double sum : sums) CHECK(sum / n == doctest::Approx(0.5).epsilon(0.01));
}

TEST_CASE("the scramble depends on the seed") {
    CHECK(SobolSequence(3, true, 1).next() != SobolSequence(3, true, 2).next());
    CHECK(SobolSequence(3, true, 1).next() == SobolSequence(3, true, 1).next());
}

TEST_CASE("skip_to resumes the sequence where it was") {
    SobolSequence uninterrupted(4, true, 3);
    for (int i = 0; i < 37; ++i) uninterrupted.next();
    for (std::uint64_t index : {0, 1, 37}) {
        SobolSequence resumed(4, true, 3);
        resumed.skip_to(index);
        SobolSequence reference(4, true, 3);
        for (std::uint64_t i = 0; i < index; ++i) reference.next();
        for (int i = 0; i < 5; ++i) CHECK(resumed.next() == reference.next());
    }
    CHECK(uninterrupted.index() == 37);
}
