// GCC 12 sees a false maybe-uninitialized in Eigen's tridiagonalization (SelfAdjointEigenSolver).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "hpopt/optim/cmaes/cma_distribution.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Eigenvalues>

namespace hpopt::optim::cmaes {
namespace {

// Restart tests (Hansen's TolX and TolFun), in units of the unit cube and of the loss. Looser ones
// restart runs that are still refining: Ackley-10 with tolerance_x = 1e-6 stops at regret 1.5e-4.
constexpr double tolerance_x = 1e-9;
constexpr double tolerance_loss = 1e-9;  // relative to the best loss's magnitude (at least 1)
constexpr double max_condition = 1e14;

Json vector_to_json(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

// Losses may be +infinity (failed trials): JSON null.
Json losses_to_json(const std::vector<double>& losses) {
    Json json = Json::array();
    for (const double loss : losses) json.push_back(config::number_to_json(loss));
    return json;
}

double loss_from_json(const Json& json) { return json.is_null() ? std::numeric_limits<double>::infinity() : json.get<double>(); }

Eigen::VectorXd vector_from_json(const Json& json) {
    const auto values = json.get<std::vector<double>>();
    return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

}  // namespace

Eigen::VectorXd recombination_weights(int lambda) {
    Eigen::VectorXd weights(lambda / 2);
    for (Eigen::Index i = 0; i < weights.size(); ++i) weights[i] = std::log((lambda + 1) / 2.0) - std::log(i + 1.0);
    return weights / weights.sum();
}

CmaDistribution::CmaDistribution(Eigen::VectorXd mean, double sigma, int lambda)
    : lambda_(lambda), weights_(recombination_weights(lambda)), mean_(std::move(mean)), sigma_(sigma) {
    const auto n = static_cast<double>(mean_.size());
    mu_eff_ = 1.0 / weights_.squaredNorm();
    c_sigma_ = (mu_eff_ + 2) / (n + mu_eff_ + 5);
    d_sigma_ = 1 + 2 * std::max(0.0, std::sqrt((mu_eff_ - 1) / (n + 1)) - 1) + c_sigma_;
    c_c_ = (4 + mu_eff_ / n) / (n + 4 + 2 * mu_eff_ / n);
    c_1_ = 2 / ((n + 1.3) * (n + 1.3) + mu_eff_);
    c_mu_ = std::min(1 - c_1_, 2 * (mu_eff_ - 2 + 1 / mu_eff_) / ((n + 2) * (n + 2) + mu_eff_));
    chi_n_ = std::sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
    C_ = Eigen::MatrixXd::Identity(mean_.size(), mean_.size());
    p_sigma_ = p_c_ = Eigen::VectorXd::Zero(mean_.size());
    scale_ = Eigen::VectorXd::Ones(mean_.size());
    decompose();
}

void CmaDistribution::decompose() {
    const Eigen::MatrixXd symmetric = 0.5 * (C_ + C_.transpose());  // rounding leaves C slightly asymmetric
    C_ = symmetric;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(C_);
    B_ = solver.eigenvectors();
    D_ = solver.eigenvalues().cwiseMax(1e-300).cwiseSqrt();
    inverse_sqrt_C_ = B_ * D_.cwiseInverse().asDiagonal() * B_.transpose();
}

Eigen::VectorXd CmaDistribution::coordinate_deviations() const {
    return sigma_ * scale_.cwiseProduct(C_.diagonal().cwiseSqrt());
}

Eigen::VectorXd CmaDistribution::sample(random::Rng& rng) const {
    Eigen::VectorXd z(mean_.size());
    for (Eigen::Index i = 0; i < z.size(); ++i) z[i] = rng.normal();
    return mean_ + sigma_ * scale_.cwiseProduct(B_ * D_.cwiseProduct(z));
}

Eigen::VectorXd CmaDistribution::injected(const Eigen::VectorXd& x) const {
    const auto n = static_cast<double>(mean_.size());
    Eigen::VectorXd step = (x - mean_).cwiseQuotient(sigma_ * scale_);
    const double length = (inverse_sqrt_C_ * step).norm();
    const double bound = std::sqrt(n) + 2 * n / (n + 2);
    if (length > bound) step *= bound / length;
    return mean_ + sigma_ * scale_.cwiseProduct(step);
}

void CmaDistribution::update(const std::vector<Eigen::VectorXd>& best, const std::vector<double>& losses) {
    const Eigen::Index n = mean_.size();
    Eigen::MatrixXd steps(n, static_cast<Eigen::Index>(best.size()));  // y_i = (x_i - m) / (sigma A)
    for (std::size_t i = 0; i < best.size(); ++i) steps.col(static_cast<Eigen::Index>(i)) = (best[i] - mean_).cwiseQuotient(sigma_ * scale_);
    const Eigen::VectorXd step = steps * weights_.head(static_cast<Eigen::Index>(best.size()));
    mean_ += sigma_ * scale_.cwiseProduct(step);

    ++generation_;
    p_sigma_ = (1 - c_sigma_) * p_sigma_ + std::sqrt(c_sigma_ * (2 - c_sigma_) * mu_eff_) * (inverse_sqrt_C_ * step);
    const double path_length = p_sigma_.norm() / std::sqrt(1 - std::pow(1 - c_sigma_, 2.0 * generation_));
    const bool h_sigma = path_length < (1.4 + 2 / (static_cast<double>(n) + 1)) * chi_n_;
    p_c_ = (1 - c_c_) * p_c_ + (h_sigma ? std::sqrt(c_c_ * (2 - c_c_) * mu_eff_) : 0.0) * step;

    Eigen::MatrixXd rank_mu = Eigen::MatrixXd::Zero(n, n);
    for (Eigen::Index i = 0; i < steps.cols(); ++i) rank_mu += weights_[i] * steps.col(i) * steps.col(i).transpose();
    const double lost_variance = h_sigma ? 0.0 : c_1_ * c_c_ * (2 - c_c_);
    C_ = (1 - c_1_ - c_mu_ + lost_variance) * C_ + c_1_ * p_c_ * p_c_.transpose() + c_mu_ * rank_mu;
    sigma_ *= std::exp(std::min(1.0, (c_sigma_ / d_sigma_) * (p_sigma_.norm() / chi_n_ - 1)));
    decompose();

    best_losses_.push_back(*std::min_element(losses.begin(), losses.end()));
    const auto [low, high] = std::minmax_element(losses.begin(), losses.end());
    last_loss_range_ = *high - *low;
}

Stop CmaDistribution::stop() const {
    const double steps = sigma_ * std::max(C_.diagonal().cwiseSqrt().maxCoeff(), p_c_.cwiseAbs().maxCoeff());
    if (steps < tolerance_x) return Stop::tiny_steps;
    if ((D_.maxCoeff() / D_.minCoeff()) * (D_.maxCoeff() / D_.minCoeff()) > max_condition) return Stop::ill_conditioned;
    // Hansen's TolFun: the best losses of the last 10 + 30 n / lambda generations, and every loss of
    // the last one, lie within the tolerance.
    const auto window = static_cast<std::size_t>(10 + std::ceil(30.0 * static_cast<double>(mean_.size()) / lambda_));
    if (best_losses_.size() < window) return Stop::running;
    const auto [low, high] = std::minmax_element(best_losses_.end() - static_cast<std::ptrdiff_t>(window), best_losses_.end());
    const double tolerance = tolerance_loss * std::max(1.0, std::fabs(*low));
    return *high - *low < tolerance && last_loss_range_ < tolerance ? Stop::flat_losses : Stop::running;
}

Json CmaDistribution::save() const {
    Json covariance = Json::array();
    for (Eigen::Index i = 0; i < C_.rows(); ++i) covariance.push_back(vector_to_json(C_.row(i).transpose()));
    return {{"lambda", lambda_},
            {"mean", vector_to_json(mean_)},
            {"sigma", sigma_},
            {"covariance", covariance},
            {"p_sigma", vector_to_json(p_sigma_)},
            {"p_c", vector_to_json(p_c_)},
            {"margin_scale", vector_to_json(scale_)},
            {"generation", generation_},
            {"best_losses", losses_to_json(best_losses_)},
            {"last_loss_range", config::number_to_json(last_loss_range_)}};
}

CmaDistribution CmaDistribution::load(const Json& state) {
    CmaDistribution distribution(vector_from_json(state.at("mean")), state.at("sigma").get<double>(), state.at("lambda").get<int>());
    const Json& covariance = state.at("covariance");
    for (std::size_t i = 0; i < covariance.size(); ++i) distribution.C_.row(static_cast<Eigen::Index>(i)) = vector_from_json(covariance[i]).transpose();
    distribution.p_sigma_ = vector_from_json(state.at("p_sigma"));
    distribution.p_c_ = vector_from_json(state.at("p_c"));
    distribution.scale_ = vector_from_json(state.at("margin_scale"));
    distribution.generation_ = state.at("generation").get<int>();
    for (const Json& loss : state.at("best_losses")) distribution.best_losses_.push_back(loss_from_json(loss));
    distribution.last_loss_range_ = loss_from_json(state.at("last_loss_range"));
    distribution.decompose();
    return distribution;
}

}  // namespace hpopt::optim::cmaes
