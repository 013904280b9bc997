#pragma once
// Classic optimization test functions with known global minima (values and locations from
// Surjanovic and Bingham's Virtual Library of Simulation Experiments, sfu.ca/~ssurjano).
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
};

const std::vector<TestFunction>& test_functions();
const TestFunction* find_test_function(const std::string& name);
std::vector<std::string> test_function_names();

}  // namespace hpopt::analytic
