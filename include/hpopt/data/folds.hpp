#pragma once
// k-fold cross-validation splits: deterministic for a seed, optionally stratified by class.
// Fold f is validation and the others training; with one fold, a holdout fraction is.
#include <cstdint>
#include <vector>

#include "hpopt/data/dataset.hpp"

namespace hpopt::data {

struct FoldSplit {
    std::vector<std::size_t> training;    // indices into the dataset, ascending
    std::vector<std::size_t> validation;  // indices into the dataset, ascending
};

struct FoldSettings {
    int folds = 1;
    double holdout = 0.2;     // with folds == 1: the validation fraction
    bool stratified = true;   // each fold keeps the class proportions (classification only)
    std::uint64_t seed = 0;
};

// Fold `fold` of `dataset` split as `settings` say. Throws std::invalid_argument when a fold
// would be empty.
FoldSplit split_fold(const Dataset& dataset, const FoldSettings& settings, int fold);

}  // namespace hpopt::data
