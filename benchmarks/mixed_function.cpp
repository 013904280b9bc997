// The mixed-space test functions for programs in other languages (benchmarks/optuna_samplers.py):
//
//   mixed_function describe mlp7    # the space, as a spec's "space" object
//   mixed_function evaluate mlp7    # reads a JSON object of parameters per line, prints each loss
#include <iostream>
#include <string>

#include "mixed_functions.hpp"

using namespace hpopt;

int main(int argc, char** argv) {
    const std::string command = argc == 3 ? argv[1] : "";
    const auto* function = argc == 3 ? benchmarks::find_mixed_function(argv[2]) : nullptr;
    if (!function || (command != "describe" && command != "evaluate")) {
        std::cerr << "usage: mixed_function describe|evaluate mlp7|boosting6|cnn6\n";
        return 2;
    }
    if (command == "describe") {
        std::cout << benchmarks::space_json(function->dimensions).dump() << "\n";
        return 0;
    }
    std::cout.precision(17);
    for (std::string line; std::getline(std::cin, line);) {
        std::cout << function->evaluate(Json::parse(line)) << std::endl;
    }
}
