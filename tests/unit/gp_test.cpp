#include <doctest/doctest.h>

#include <cmath>

#include "hpopt/gp/gaussian_process.hpp"
#include "hpopt/gp/likelihood.hpp"

using namespace hpopt;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

// n points of [0,1]^d and a smooth function of them.
struct Data {
    MatrixXd X;
    VectorXd y;
};

Data sample(int d, int n, std::uint64_t seed) {
    random::Rng rng(seed);
    Data data{MatrixXd(d, n), VectorXd(n)};
    for (int j = 0; j < n; ++j) {
        for (int i = 0; i < d; ++i) data.X(i, j) = rng.uniform();
        data.y(j) = std::sin(3 * data.X(0, j)) + data.X.col(j).squaredNorm();
    }
    return data;
}

gp::Hyperparameters hyperparameters(int d, double length, double noise) {
    return {VectorXd::Constant(d, std::log(length)), std::log(1.5), std::log(noise)};
}

}  // namespace

TEST_CASE("the Matern 5/2 kernel has its closed form") {
    const gp::Matern52 kernel(VectorXd::Constant(2, 0.5), 2.0);
    MatrixXd a(2, 1), b(2, 1);
    a << 0.1, 0.2;
    b << 0.4, 0.6;
    const double r = std::sqrt((0.3 / 0.5) * (0.3 / 0.5) + (0.4 / 0.5) * (0.4 / 0.5));  // 1.0
    const double expected = 2.0 * (1 + std::sqrt(5.0) * r + 5.0 / 3.0 * r * r) * std::exp(-std::sqrt(5.0) * r);
    CHECK(kernel.matrix(kernel.scale(a), kernel.scale(b))(0, 0) == doctest::Approx(expected));
    CHECK(kernel.matrix(kernel.scale(a), kernel.scale(a))(0, 0) == doctest::Approx(2.0));
}

TEST_CASE("a noiseless GP interpolates its data and its variance vanishes there") {
    const Data data = sample(3, 25, 1);
    gp::GaussianProcess model(hyperparameters(3, 0.4, 1e-10));
    model.fit(data.X, data.y);
    for (int j = 0; j < 25; ++j) {
        const gp::Prediction p = model.predict(data.X.col(j));
        CHECK(p.mean == doctest::Approx(data.y(j)).epsilon(1e-5));
        CHECK(p.variance < 1e-6);
    }
    const gp::Prediction far = model.predict(VectorXd::Constant(3, 20.0));
    CHECK(far.mean == doctest::Approx(0.0).scale(1.0));
    CHECK(far.variance == doctest::Approx(1.5));
}

TEST_CASE("adding a point updates the model as a fit from scratch would") {
    const Data data = sample(2, 30, 2);
    gp::GaussianProcess incremental(hyperparameters(2, 0.3, 1e-4));
    incremental.fit(data.X.leftCols(20), data.y.head(20));
    for (int j = 20; j < 30; ++j) incremental.add(data.X.col(j), data.y(j));
    gp::GaussianProcess full(hyperparameters(2, 0.3, 1e-4));
    full.fit(data.X, data.y);
    const Data probes = sample(2, 10, 3);
    for (int j = 0; j < 10; ++j) {
        const auto a = incremental.predict(probes.X.col(j));
        const auto b = full.predict(probes.X.col(j));
        CHECK(a.mean == doctest::Approx(b.mean).epsilon(1e-9));
        CHECK(a.variance == doctest::Approx(b.variance).epsilon(1e-7));
    }
}

TEST_CASE("batch predictions and gradients agree with single ones and with finite differences") {
    const Data data = sample(3, 20, 4);
    gp::GaussianProcess model(hyperparameters(3, 0.5, 1e-6));
    model.fit(data.X, data.y);
    const Data probes = sample(3, 5, 5);
    VectorXd means, variances;
    model.predict_many(probes.X, means, variances);
    for (int j = 0; j < 5; ++j) {
        const VectorXd x = probes.X.col(j);
        const gp::PredictionWithGradient p = model.predict_with_gradient(x);
        CHECK(means(j) == doctest::Approx(p.mean));
        CHECK(variances(j) == doctest::Approx(p.variance));
        for (int i = 0; i < 3; ++i) {
            const double h = 1e-6;
            VectorXd up = x, down = x;
            up(i) += h;
            down(i) -= h;
            const auto pu = model.predict(up), pd = model.predict(down);
            CHECK(p.mean_gradient(i) == doctest::Approx((pu.mean - pd.mean) / (2 * h)).epsilon(1e-5));
            CHECK(p.variance_gradient(i) == doctest::Approx((pu.variance - pd.variance) / (2 * h)).epsilon(1e-4).scale(1e-6));
        }
    }
}

TEST_CASE("the likelihood's gradient matches finite differences") {
    const Data data = sample(4, 30, 6);
    VectorXd theta(6);
    theta << std::log(0.3), std::log(0.7), std::log(1.2), std::log(2.0), std::log(0.8), std::log(1e-3);
    VectorXd gradient;
    gp::log_marginal_likelihood(data.X, data.y, theta, &gradient);
    for (int j = 0; j < theta.size(); ++j) {
        const double h = 1e-6;
        VectorXd up = theta, down = theta;
        up(j) += h;
        down(j) -= h;
        const double numeric =
            (gp::log_marginal_likelihood(data.X, data.y, up, nullptr) - gp::log_marginal_likelihood(data.X, data.y, down, nullptr)) / (2 * h);
        CAPTURE(j);
        CHECK(gradient(j) == doctest::Approx(numeric).epsilon(1e-5).scale(1e-3));
    }
}

TEST_CASE("fitting raises the likelihood and stays within the bounds") {
    const Data data = sample(2, 40, 7);
    const VectorXd y = (data.y.array() - data.y.mean()) / std::sqrt((data.y.array() - data.y.mean()).square().mean());
    random::Rng rng(1);
    const gp::Hyperparameters start = hyperparameters(2, 50.0, 0.5);
    const gp::Hyperparameters fitted = gp::fit_hyperparameters(data.X, y, start, rng, {});
    CHECK(gp::log_marginal_likelihood(data.X, y, fitted.theta(), nullptr) >
          gp::log_marginal_likelihood(data.X, y, start.theta(), nullptr) + 10);
    const gp::FitBounds bounds;
    for (int i = 0; i < 2; ++i) CHECK(std::exp(fitted.log_lengths(i)) <= bounds.max_length * (1 + 1e-9));
    CHECK(std::exp(fitted.log_noise_variance) >= bounds.min_noise_variance * (1 - 1e-9));
}

TEST_CASE("repeated points are absorbed by jitter instead of failing") {
    Data data = sample(2, 10, 8);
    data.X.col(9) = data.X.col(3);
    data.y(9) = data.y(3) + 1e-3;
    gp::GaussianProcess model(hyperparameters(2, 0.5, 1e-12));
    model.fit(data.X, data.y);
    model.add(data.X.col(3), data.y(3));
    const gp::Prediction p = model.predict(data.X.col(3));
    CHECK(std::isfinite(p.mean));
    CHECK(p.mean == doctest::Approx(data.y(3)).epsilon(1e-2));
}
