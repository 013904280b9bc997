#pragma once
// Classic optimization test functions with known global minima (values and locations from
// Surjanovic and Bingham's Virtual Library of Simulation Experiments, sfu.ca/~ssurjano), and
// multi-objective problems on [0, 1]^d with known Pareto fronts: ZDT1 and ZDT2 (Zitzler, Deb
// and Thiele, Evolutionary Computation 2000), DTLZ2 with three objectives (Deb, Thiele, Laumanns
// and Zitzler, CEC 2002).
#include <string>
#include <vector>

namespace hpopt::analytic {

struct Bounds {
    double low, high;
};

struct TestFunction {
    std::string name;
    int dimensions;      // 0: any number of dimensions, from min_dimensions up
    int min_dimensions;
    double minimum;      // the global minimum's value (the same for every d)
    double (*evaluate)(const std::vector<double>& x);
    std::vector<double> (*argmin)(int d);  // one global minimizer
    std::vector<Bounds> (*domain)(int d);  // the usual search domain
    // A multi-objective problem: every objective's value, minimized (`evaluate` is the first's);
    // null for a single objective.
    std::vector<double> (*objectives)(const std::vector<double>& x) = nullptr;
    // The hypervolume of the whole Pareto front against the reference point (1.1, ..., 1.1):
    // what a perfect search reaches.
    double front_hypervolume = 0;
};

constexpr double hypervolume_reference = 1.1;  // in each objective

const std::vector<TestFunction>& test_functions();
const TestFunction* find_test_function(const std::string& name);
std::vector<std::string> test_function_names();

}  // namespace hpopt::analytic
