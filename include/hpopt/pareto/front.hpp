#pragma once
// Pareto dominance among loss vectors (every objective minimized): the non-dominated fronts of
// a set and the crowding distance within a front, as NSGA-II ranks a population (Deb, Pratap,
// Agarwal and Meyarivan, "A fast and elitist multiobjective genetic algorithm: NSGA-II", IEEE
// TEC 2002).
#include <cstddef>
#include <vector>

namespace hpopt::pareto {

using Losses = std::vector<double>;

// a is no worse than b in every objective and better in one.
bool dominates(const Losses& a, const Losses& b);

// The indices of `points` by front: the first front is the non-dominated set, the second the
// non-dominated set of the rest, and so on. Within a front, indices ascend.
std::vector<std::vector<std::size_t>> nondominated_fronts(const std::vector<Losses>& points);

// The crowding distance of each member of `front` (indices into `points`), in its order: the
// sum over objectives of the gap between its neighbours along that objective, over the
// objective's range in the front; infinite at each objective's extremes.
std::vector<double> crowding_distances(const std::vector<Losses>& points, const std::vector<std::size_t>& front);

// Every index of `points`, best first: by front, then by crowding distance (larger first),
// then by index.
std::vector<std::size_t> nsga2_order(const std::vector<Losses>& points);

// The indices of the non-dominated points (the first front); of equal points, the first.
std::vector<std::size_t> nondominated(const std::vector<Losses>& points);

}  // namespace hpopt::pareto
