#include <doctest/doctest.h>

#include <cmath>
#include <utility>

#include "hpopt/optim/bayes/acquisition.hpp"

using namespace hpopt::optim::bayes;

namespace {

double normal_pdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI); }
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// Central differences of an acquisition with respect to the mean and the sd.
template <class F>
void check_gradient(F f, double mean, double sd) {
    const double h = 1e-6 * std::max(1.0, std::fabs(mean));
    const AcquisitionValue a = f(mean, sd);
    CHECK(a.d_mean == doctest::Approx((f(mean + h, sd).value - f(mean - h, sd).value) / (2 * h)).epsilon(1e-4));
    CHECK(a.d_sd == doctest::Approx((f(mean, sd + 1e-6).value - f(mean, sd - 1e-6).value) / 2e-6).epsilon(1e-4));
}

}  // namespace

TEST_CASE("log EI is the log of the textbook expected improvement") {
    struct Case {
        double mean, sd, best;
    };
    for (const auto& [mean, sd, best] : {Case{0.0, 1.0, 0.0}, {0.5, 0.3, 0.2}, {-1.0, 2.0, 0.5}, {3.0, 0.5, 0.0}}) {
        const double z = (best - mean) / sd;
        const double ei = (best - mean) * normal_cdf(z) + sd * normal_pdf(z);
        CHECK(log_expected_improvement(mean, sd, best, 0.0).value == doctest::Approx(std::log(ei)));
    }
    CHECK(log_expected_improvement(0.0, 1.0, 0.0, 0.0).value == doctest::Approx(std::log(0.3989422804014327)));
    // xi moves the threshold: EI(best, xi) = EI(best - xi).
    CHECK(log_expected_improvement(0.3, 0.4, 1.0, 0.25).value ==
          doctest::Approx(log_expected_improvement(0.3, 0.4, 0.75, 0.0).value));
}

TEST_CASE("log EI stays finite and accurate where EI underflows") {
    // EI at z = -40 is about 1e-351, below the smallest double.
    const double z = -40;
    CHECK(std::exp(log_expected_improvement(40.0, 1.0, 0.0, 0.0).value) == 0.0);
    const double t2 = z * z;
    const double expected = -0.5 * t2 - 0.5 * std::log(2 * M_PI) + std::log(1 / t2 - 3 / (t2 * t2) + 15 / (t2 * t2 * t2));
    CHECK(log_expected_improvement(40.0, 1.0, 0.0, 0.0).value == doctest::Approx(expected).epsilon(1e-10));
    // Continuous where the computation changes method, and decreasing.
    for (double at : {-1.0, -25.0}) {
        CHECK(log_h(at - 1e-9) == doctest::Approx(log_h(at + 1e-9)).epsilon(1e-7));
    }
    double previous = log_h(5.0);
    for (double zz = 4.5; zz > -200; zz -= 0.5) {
        const double value = log_h(zz);
        CHECK(std::isfinite(value));
        CHECK(value < previous);
        previous = value;
    }
}

TEST_CASE("log PI and LCB have their closed forms") {
    CHECK(log_probability_of_improvement(0.0, 1.0, 0.0, 0.0).value == doctest::Approx(std::log(0.5)));
    CHECK(log_probability_of_improvement(1.0, 2.0, 0.0, 0.0).value == doctest::Approx(std::log(normal_cdf(-0.5))));
    CHECK(std::isfinite(log_probability_of_improvement(100.0, 1.0, 0.0, 0.0).value));
    CHECK(log_probability_of_improvement(100.0, 1.0, 0.0, 0.0).value == doctest::Approx(-5005.524).epsilon(1e-6));
    CHECK(negative_lower_confidence_bound(0.7, 0.2, 1.96).value == doctest::Approx(-(0.7 - 1.96 * 0.2)));
}

TEST_CASE("acquisition gradients match finite differences, far from the incumbent too") {
    for (const auto& [mean, sd] : {std::pair{0.1, 0.8}, {2.0, 0.5}, {-1.0, 0.3}, {12.0, 0.4}, {40.0, 1.0}}) {
        CAPTURE(mean);
        check_gradient([](double m, double s) { return log_expected_improvement(m, s, 0.0, 0.01); }, mean, sd);
        check_gradient([](double m, double s) { return log_probability_of_improvement(m, s, 0.0, 0.01); }, mean, sd);
        check_gradient([](double m, double s) { return negative_lower_confidence_bound(m, s, 1.96); }, mean, sd);
    }
}
