#include "hpopt/data/folds.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "hpopt/random/rng.hpp"

namespace hpopt::data {
namespace {

void shuffle(std::vector<std::size_t>& values, random::Rng& rng) {
    for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[rng.index(i)]);
}

// Every index once, shuffled; when stratified, class after class, so that taking every k-th
// position gives each part the classes' proportions.
std::vector<std::size_t> dealing_order(const Dataset& dataset, bool stratified, random::Rng& rng) {
    std::map<float, std::vector<std::size_t>> by_class;
    for (std::size_t i = 0; i < dataset.size(); ++i) by_class[stratified && dataset.classes > 0 ? dataset.targets[i] : 0.0f].push_back(i);
    std::vector<std::size_t> order;
    order.reserve(dataset.size());
    for (auto& [label, indices] : by_class) {
        shuffle(indices, rng);
        order.insert(order.end(), indices.begin(), indices.end());
    }
    return order;
}

// With one fold, position i of the order is validation when it crosses a multiple of 1/holdout.
bool in_validation(std::size_t position, const FoldSettings& settings, int fold) {
    if (settings.folds > 1) return static_cast<int>(position % static_cast<std::size_t>(settings.folds)) == fold;
    return std::floor((static_cast<double>(position) + 1) * settings.holdout) >
           std::floor(static_cast<double>(position) * settings.holdout);
}

}  // namespace

FoldSplit split_fold(const Dataset& dataset, const FoldSettings& settings, int fold) {
    if (settings.folds < 1 || fold < 0 || fold >= settings.folds) {
        throw std::invalid_argument(fmt::format("fold {} of {}", fold, settings.folds));
    }
    random::Rng rng(settings.seed);
    const std::vector<std::size_t> order = dealing_order(dataset, settings.stratified, rng);
    FoldSplit split;
    for (std::size_t position = 0; position < order.size(); ++position) {
        (in_validation(position, settings, fold) ? split.validation : split.training).push_back(order[position]);
    }
    if (split.training.empty() || split.validation.empty()) {
        throw std::invalid_argument(fmt::format("{} samples are too few for fold {} of {} (holdout {})", dataset.size(), fold,
                                                settings.folds, settings.holdout));
    }
    std::sort(split.training.begin(), split.training.end());
    std::sort(split.validation.begin(), split.validation.end());
    return split;
}

}  // namespace hpopt::data
