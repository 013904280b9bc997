#include "test_functions.hpp"

#include <algorithm>
#include <cmath>

namespace hpopt::analytic {
namespace {

constexpr double pi = M_PI;

double square(double x) { return x * x; }

double branin(const std::vector<double>& x) {
    const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
    return square(x[1] - b * square(x[0]) + c * x[0] - 6) + 10 * (1 - t) * std::cos(x[0]) + 10;
}

double hartmann6(const std::vector<double>& x) {
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static const double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                   {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8},
                                   {17, 8, 0.05, 10, 0.1, 14}};
    static const double p[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                   {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                   {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                   {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double sum = 0;
    for (int i = 0; i < 4; ++i) {
        double exponent = 0;
        for (int j = 0; j < 6; ++j) exponent += a[i][j] * square(x[j] - p[i][j]);
        sum += alpha[i] * std::exp(-exponent);
    }
    return -sum;
}

double ackley(const std::vector<double>& x) {
    const double d = static_cast<double>(x.size());
    double squares = 0, cosines = 0;
    for (double xi : x) {
        squares += xi * xi;
        cosines += std::cos(2 * pi * xi);
    }
    return -20 * std::exp(-0.2 * std::sqrt(squares / d)) - std::exp(cosines / d) + 20 + std::exp(1.0);
}

double rosenbrock(const std::vector<double>& x) {
    double sum = 0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) sum += 100 * square(x[i + 1] - x[i] * x[i]) + square(x[i] - 1);
    return sum;
}

double rastrigin(const std::vector<double>& x) {
    double sum = 10 * static_cast<double>(x.size());
    for (double xi : x) sum += xi * xi - 10 * std::cos(2 * pi * xi);
    return sum;
}

double levy(const std::vector<double>& x) {
    std::vector<double> w(x.size());
    std::transform(x.begin(), x.end(), w.begin(), [](double xi) { return 1 + (xi - 1) / 4; });
    const double last = w.back();
    double sum = square(std::sin(pi * w[0])) + square(last - 1) * (1 + square(std::sin(2 * pi * last)));
    for (std::size_t i = 0; i + 1 < w.size(); ++i) sum += square(w[i] - 1) * (1 + 10 * square(std::sin(pi * w[i] + 1)));
    return sum;
}

std::vector<Bounds> same_bounds(int d, double low, double high) { return std::vector<Bounds>(d, Bounds{low, high}); }


// ZDT's distance from the front: 1 + 9 * mean(x2..xd).
double zdt_g(const std::vector<double>& x) {
    double sum = 0;
    for (std::size_t i = 1; i < x.size(); ++i) sum += x[i];
    return 1 + 9 * sum / static_cast<double>(x.size() - 1);
}

std::vector<double> zdt1(const std::vector<double>& x) {
    const double g = zdt_g(x);
    return {x[0], g * (1 - std::sqrt(x[0] / g))};
}

std::vector<double> zdt2(const std::vector<double>& x) {
    const double g = zdt_g(x);
    return {x[0], g * (1 - square(x[0] / g))};
}

// Three objectives on the sphere of radius 1 + g, g = sum over x3..xd of (x - 1/2)^2.
std::vector<double> dtlz2(const std::vector<double>& x) {
    double g = 0;
    for (std::size_t i = 2; i < x.size(); ++i) g += square(x[i] - 0.5);
    const double a = x[0] * pi / 2, b = x[1] * pi / 2;
    return {(1 + g) * std::cos(a) * std::cos(b), (1 + g) * std::cos(a) * std::sin(b), (1 + g) * std::sin(a)};
}

}  // namespace

const std::vector<TestFunction>& test_functions() {
    static const std::vector<TestFunction> functions = {
        {"branin", 2, 2, 0.397887357729738, branin,
         [](int) { return std::vector<double>{pi, 2.275}; },
         [](int) { return std::vector<Bounds>{{-5, 10}, {0, 15}}; }},
        {"hartmann6", 6, 6, -3.32236801141551, hartmann6,
         [](int) { return std::vector<double>{0.20168952, 0.15001069, 0.47687398, 0.27533243, 0.31165162, 0.65730054}; },
         [](int d) { return same_bounds(d, 0, 1); }},
        {"ackley", 0, 1, 0.0, ackley,
         [](int d) { return std::vector<double>(d, 0.0); },
         [](int d) { return same_bounds(d, -32.768, 32.768); }},
        {"rosenbrock", 0, 2, 0.0, rosenbrock,
         [](int d) { return std::vector<double>(d, 1.0); },
         [](int d) { return same_bounds(d, -5, 10); }},
        {"rastrigin", 0, 1, 0.0, rastrigin,
         [](int d) { return std::vector<double>(d, 0.0); },
         [](int d) { return same_bounds(d, -5.12, 5.12); }},
        {"levy", 0, 1, 0.0, levy,
         [](int d) { return std::vector<double>(d, 1.0); },
         [](int d) { return same_bounds(d, -10, 10); }},
        // The fronts' hypervolumes: the reference box less the area under f2 = 1 - sqrt(f1) (1/3)
        // or 1 - f1^2 (2/3), or less the unit sphere's octant (pi/6).
        {"zdt1", 0, 2, 0.0, [](const std::vector<double>& x) { return zdt1(x)[0]; },
         [](int d) { return std::vector<double>(d, 0.0); },
         [](int d) { return same_bounds(d, 0, 1); }, zdt1, 1.21 - 1.0 / 3},
        {"zdt2", 0, 2, 0.0, [](const std::vector<double>& x) { return zdt2(x)[0]; },
         [](int d) { return std::vector<double>(d, 0.0); },
         [](int d) { return same_bounds(d, 0, 1); }, zdt2, 1.21 - 2.0 / 3},
        {"dtlz2", 0, 3, 0.0, [](const std::vector<double>& x) { return dtlz2(x)[0]; },
         [](int d) { std::vector<double> x(d, 0.5); x[0] = 1; return x; },
         [](int d) { return same_bounds(d, 0, 1); }, dtlz2, 1.331 - pi / 6},
    };
    return functions;
}

const TestFunction* find_test_function(const std::string& name) {
    for (const auto& function : test_functions()) {
        if (function.name == name) return &function;
    }
    return nullptr;
}

std::vector<std::string> test_function_names() {
    std::vector<std::string> names;
    for (const auto& function : test_functions()) names.push_back(function.name);
    return names;
}

}  // namespace hpopt::analytic
