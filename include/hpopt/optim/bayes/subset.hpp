#pragma once
// Which observations a GP is fitted on when there are too many for a cubic-cost model.
#include <vector>

#include <Eigen/Dense>

namespace hpopt::optim::bayes {

// Indices into the columns of `inputs` (and `losses`), at most `budget` of them, ascending;
// all of them when there are no more than `budget`.
// A global view, for the likelihood: the best half of the budget by loss, and a space-filling
// half from the others, picked greedily as the point farthest from all already picked (max-min
// distance in feature space).
std::vector<std::size_t> choose_subset(const Eigen::MatrixXd& inputs, const std::vector<double>& losses,
                                       std::size_t budget);

// A local view, for the model of a search that outgrew it: the `budget` observations nearest the
// best one, each input's distance in units of its length scale. Their bounding box is the trust
// region the search goes on in (after Eriksson et al., "Scalable global optimization via local
// Bayesian optimization", NeurIPS 2019, whose TuRBO fits its GP inside such a region).
std::vector<std::size_t> nearest_to_best(const Eigen::MatrixXd& inputs, const std::vector<double>& losses, std::size_t budget,
                                         const Eigen::VectorXd& length_scales);

}  // namespace hpopt::optim::bayes
