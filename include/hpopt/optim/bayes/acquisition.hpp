#pragma once
// Acquisition functions of a GP posterior N(mean, sd^2) at a point, for minimization, each as
// a value to maximize with its partial derivatives with respect to the mean and the standard
// deviation. EI and PI are taken in log space, which stays finite and informative far from the
// incumbent where EI itself underflows to 0 (Ament et al. 2023, "Unexpected improvements to
// expected improvement").
#include <string>

namespace hpopt::optim::bayes {

enum class Acquisition { expected_improvement, probability_of_improvement, lower_confidence_bound };

std::string to_string(Acquisition acquisition);

struct AcquisitionValue {
    double value = 0;
    double d_mean = 0;
    double d_sd = 0;
};

// log E[max(best - xi - f, 0)].
AcquisitionValue log_expected_improvement(double mean, double sd, double best, double xi);
// log P(f < best - xi).
AcquisitionValue log_probability_of_improvement(double mean, double sd, double best, double xi);
// -(mean - kappa sd): maximizing it minimizes the lower confidence bound.
AcquisitionValue negative_lower_confidence_bound(double mean, double sd, double kappa);

struct AcquisitionParameters {
    double xi = 0.0;
    double kappa = 1.96;
};

AcquisitionValue evaluate(Acquisition acquisition, double mean, double sd, double best,
                          const AcquisitionParameters& parameters);

// log(z Phi(z) + phi(z)) for any z, accurate where the sum underflows.
double log_h(double z);

}  // namespace hpopt::optim::bayes
