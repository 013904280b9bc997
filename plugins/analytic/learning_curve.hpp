#pragma once
// Simulated learning curves for the analytic workload: the FoM a configuration reaches after
// each epoch of a training that ends, at its last epoch, exactly at the test function's value.
//
//   fom(e) = f(x) + gap(x) * (exp(-k(x) t) - exp(-k(x))) / (1 - exp(-k(x))),   t = (e - 1) / (N - 1)
//
// It starts `gap` above f(x) at epoch 1 and falls to f(x) at epoch N: quickly for a large k (a
// configuration that learns early), nearly linearly for a small one (one that learns late).
// gap is in [0.25, 1] * curve_gap and k in [0.5, 8], both drawn from x itself, so that a
// configuration learns alike in every trial and curves cross: a late learner may end best.
#include <cstdint>
#include <string>
#include <vector>

namespace hpopt::analytic {

struct LearningCurve {
    double gap;   // how far above its final value the curve starts
    double rate;  // k

    // The FoM after `epoch` of `epochs`, ending at `final_value`.
    double at(double final_value, std::int64_t epoch, std::int64_t epochs) const;
};

LearningCurve curve_of(const std::vector<double>& x, double curve_gap);

// The FoMs of the epochs a fold has trained, kept in its trial's checkpoint folder, so that a
// trial that early stopping paused and promoted, or that a resume runs again, goes on from its
// last epoch. With no folder, nothing is kept.
class CurveCheckpoint {
public:
    CurveCheckpoint(const std::string& dir, int fold);
    std::vector<double> load() const;  // none without a checkpoint
    void save(const std::vector<double>& foms) const;

private:
    std::string path_;
};

}  // namespace hpopt::analytic
