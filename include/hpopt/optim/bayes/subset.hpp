#pragma once
// Which observations a GP is fitted on when there are too many for a cubic-cost model: the
// best half of the budget by loss, and a space-filling half from the others, picked greedily
// as the point farthest from all already picked (max-min distance in feature space).
#include <vector>

#include <Eigen/Dense>

namespace hpopt::optim::bayes {

// Indices into the columns of `inputs` (and `losses`), at most `budget` of them, ascending;
// all of them when there are no more than `budget`.
std::vector<std::size_t> choose_subset(const Eigen::MatrixXd& inputs, const std::vector<double>& losses,
                                       std::size_t budget);

}  // namespace hpopt::optim::bayes
