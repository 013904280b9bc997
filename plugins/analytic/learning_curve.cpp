#include "learning_curve.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "hpopt/config/json.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::analytic {

double LearningCurve::at(double final_value, std::int64_t epoch, std::int64_t epochs) const {
    if (epochs <= 1) return final_value;
    const double t = static_cast<double>(epoch - 1) / static_cast<double>(epochs - 1);
    const double floor = std::exp(-rate);
    return final_value + gap * (std::exp(-rate * t) - floor) / (1 - floor);
}

LearningCurve curve_of(const std::vector<double>& x, double curve_gap) {
    std::uint64_t seed = 0x5eed;
    for (double value : x) {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &value, sizeof bits);
        seed = random::derive_seed(seed, bits);
    }
    random::Rng rng(seed);
    const double gap = curve_gap * (0.25 + 0.75 * rng.uniform());
    const double rate = 0.5 + 7.5 * rng.uniform();
    return {gap, rate};
}

CurveCheckpoint::CurveCheckpoint(const std::string& dir, int fold)
    : path_(dir.empty() ? "" : fmt::format("{}/analytic-fold-{}.json", dir, fold)) {}

std::vector<double> CurveCheckpoint::load() const {
    if (path_.empty() || !std::filesystem::exists(path_)) return {};
    std::ifstream in(path_);
    return Json::parse(in).at("epoch_foms").get<std::vector<double>>();
}

// Written aside and renamed, so that a kill leaves the last whole checkpoint.
void CurveCheckpoint::save(const std::vector<double>& foms) const {
    if (path_.empty()) return;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
    const std::string aside = path_ + ".new";
    {
        std::ofstream out(aside);
        out << Json{{"epoch_foms", foms}}.dump();
        if (!out) throw std::runtime_error("cannot write " + aside);
    }
    std::filesystem::rename(aside, path_);
}

}  // namespace hpopt::analytic
