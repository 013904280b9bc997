#include "hpopt/optim/bayes/acquisition.hpp"

#include <cmath>
#include <limits>

namespace hpopt::optim::bayes {
namespace {

const double log_sqrt_2pi = 0.5 * std::log(2 * M_PI);
constexpr double min_sd = 1e-12;

double log_phi(double z) { return -0.5 * z * z - log_sqrt_2pi; }
double phi(double z) { return std::exp(log_phi(z)); }
double cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// For t > 0: Mills' ratio m = Phi(-t) / phi(t), and q = 1 - t m, which shrinks like 1/t^2.
// Directly from erfc while phi(t) is representable and q keeps enough digits; past that from
// q's asymptotic series 1/t^2 - 3/t^4 + 15/t^6 - ...
struct MillsRatio {
    double m, q;
};

MillsRatio mills_ratio(double t) {
    if (t <= 25) {
        const double m = 0.5 * std::erfc(t / std::sqrt(2.0)) / phi(t);
        return {m, 1 - t * m};
    }
    const double inverse_square = 1 / (t * t);
    double term = inverse_square, q = 0;
    for (int k = 1; k <= 6; ++k) {
        q += term;
        term *= -(2 * k + 1) * inverse_square;
    }
    return {(1 - q) / t, q};
}

double log_cdf(double z) {
    if (z > -5) return std::log(cdf(z));
    return log_phi(z) + std::log(mills_ratio(-z).m);
}

}  // namespace

std::string to_string(Acquisition acquisition) {
    switch (acquisition) {
        case Acquisition::expected_improvement: return "ei";
        case Acquisition::probability_of_improvement: return "pi";
        case Acquisition::lower_confidence_bound: return "lcb";
    }
    return "?";
}

double log_h(double z) {
    if (z > -1) return std::log(z * cdf(z) + phi(z));
    return log_phi(z) + std::log(mills_ratio(-z).q);
}

AcquisitionValue log_expected_improvement(double mean, double sd, double best, double xi) {
    sd = std::max(sd, min_sd);
    const double z = (best - xi - mean) / sd;
    // EI = sd h(z), h' = Phi: d log EI / d mean = -Phi(z) / (sd h(z)), d / d sd = phi(z) / (sd h(z)).
    double cdf_over_h, phi_over_h;
    if (z > -1) {
        const double h = z * cdf(z) + phi(z);
        cdf_over_h = cdf(z) / h;
        phi_over_h = phi(z) / h;
    } else {
        const MillsRatio r = mills_ratio(-z);  // h = phi(z) q, Phi(z) = phi(z) m
        cdf_over_h = r.m / r.q;
        phi_over_h = 1 / r.q;
    }
    return {std::log(sd) + log_h(z), -cdf_over_h / sd, phi_over_h / sd};
}

AcquisitionValue log_probability_of_improvement(double mean, double sd, double best, double xi) {
    sd = std::max(sd, min_sd);
    const double z = (best - xi - mean) / sd;
    // d log Phi(z) / dz = phi(z) / Phi(z), which is 1 / m(-z) in the far tail.
    const double phi_over_cdf = z > -5 ? phi(z) / cdf(z) : 1 / mills_ratio(-z).m;
    return {log_cdf(z), -phi_over_cdf / sd, -z * phi_over_cdf / sd};
}

AcquisitionValue negative_lower_confidence_bound(double mean, double sd, double kappa) {
    return {-(mean - kappa * sd), -1.0, kappa};
}

AcquisitionValue evaluate(Acquisition acquisition, double mean, double sd, double best,
                          const AcquisitionParameters& parameters) {
    switch (acquisition) {
        case Acquisition::expected_improvement: return log_expected_improvement(mean, sd, best, parameters.xi);
        case Acquisition::probability_of_improvement:
            return log_probability_of_improvement(mean, sd, best, parameters.xi);
        case Acquisition::lower_confidence_bound: return negative_lower_confidence_bound(mean, sd, parameters.kappa);
    }
    return {};
}

}  // namespace hpopt::optim::bayes
