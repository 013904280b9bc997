#include "mixed_functions.hpp"

#include <cmath>

namespace hpopt::benchmarks {
namespace {

double square(double x) { return x * x; }

double number(const Json& params, const char* name) { return params.at(name).get<double>(); }

// An MLP: capacity (log2 width times depth) wants dropout, the best learning rate depends on
// the optimizer and grows with the batch (the linear scaling rule), too large a rate diverges.
double mlp7(const Json& p) {
    const std::string optimizer = p.at("optimizer"), activation = p.at("activation");
    const double depth = number(p, "depth"), batch = number(p, "batch");
    const double best_lr = (optimizer == "sgd" ? -1.5 : optimizer == "adam" ? -3.0 : -3.3) + 0.5 * std::log10(batch / 128);
    const double lr_gap = std::log10(number(p, "lr")) - best_lr;
    const double capacity = std::log2(number(p, "width")) * depth;
    const double best_dropout = 0.1 + 0.005 * capacity;
    double error = 0.03 * square(lr_gap) + (lr_gap > 1.5 ? 0.4 : 0.0);
    error += 0.0004 * square(capacity - 30) + 0.1 * square(number(p, "dropout") - best_dropout);
    error += 0.002 * square(std::log2(batch) - 6);
    error += optimizer == "sgd" ? 0.01 : optimizer == "rmsprop" ? 0.003 : 0.0;
    error += activation == "gelu" ? 0.0 : activation == "relu" ? 0.004 + (depth > 5 ? 0.006 : 0.0) : 0.015 + 0.004 * depth;
    return error;
}

// Gradient boosting: what matters is learning rate times trees; depth's best depends on the
// booster, the column share's on the depth; gblinear ignores depth and is worse.
double boosting6(const Json& p) {
    const std::string booster = p.at("booster");
    const double lr = number(p, "lr"), depth = number(p, "max_depth");
    double error = 0.05 * square(std::log10(lr * number(p, "trees") / 50));
    error += lr > 0.3 ? 0.1 * std::log10(lr / 0.3) : 0.0;
    if (booster == "gblinear") {
        error += 0.05;
    } else {
        error += 0.004 * square(depth - (booster == "gbtree" ? 6 : 4)) + (booster == "dart" ? 0.002 : 0.0);
        error += 0.05 * square(number(p, "colsample") - (0.4 + 0.03 * depth));
    }
    return error + 0.05 * square(number(p, "subsample") - 0.8);
}

// A CNN, mostly discrete: the receptive field (layers and kernel) wants 13 pixels, no
// normalization wants a smaller learning rate, no pooling hurts more the deeper the net.
double cnn6(const Json& p) {
    const std::string pooling = p.at("pooling"), norm = p.at("norm");
    const double layers = number(p, "layers");
    const double kernel = std::stod(p.at("kernel").get<std::string>());
    double error = 0.002 * square(layers * (kernel - 1) + 1 - 13) + 0.01 * square(std::log2(number(p, "filters")) - 6);
    error += pooling == "max" ? 0.0 : pooling == "avg" ? 0.01 : 0.03 + 0.005 * layers;
    error += norm == "batch" ? 0.0 : norm == "layer" ? 0.008 : 0.02;
    return error + 0.03 * square(std::log10(number(p, "lr")) - (norm == "batch" ? -2.5 : -3.0));
}

space::Dimension real(const char* name, double low, double high, bool log = false) { return {name, space::RealRange{low, high, log}}; }
space::Dimension integer(const char* name, std::int64_t low, std::int64_t high, bool log = false) {
    return {name, space::IntRange{low, high, log}};
}
space::Dimension choice(const char* name, std::vector<Json> values) { return {name, space::Choices{std::move(values)}}; }

}  // namespace

const std::vector<MixedFunction>& mixed_functions() {
    static const std::vector<MixedFunction> functions = {
        {"mlp7",
         {real("lr", 1e-5, 1, true), integer("batch", 16, 1024, true), integer("width", 16, 1024, true), integer("depth", 1, 8),
          real("dropout", 0, 0.8), choice("optimizer", {"sgd", "adam", "rmsprop"}), choice("activation", {"relu", "tanh", "gelu"})},
         mlp7},
        {"boosting6",
         {real("lr", 1e-3, 1, true), integer("trees", 10, 2000, true), integer("max_depth", 1, 12), real("subsample", 0.3, 1),
          real("colsample", 0.3, 1), choice("booster", {"gbtree", "dart", "gblinear"})},
         boosting6},
        {"cnn6",
         {integer("filters", 8, 256, true), choice("kernel", {"3", "5", "7"}), integer("layers", 1, 6),
          choice("pooling", {"max", "avg", "none"}), choice("norm", {"batch", "layer", "none"}), real("lr", 1e-4, 0.1, true)},
         cnn6},
    };
    return functions;
}

const MixedFunction* find_mixed_function(const std::string& name) {
    for (const auto& function : mixed_functions()) {
        if (function.name == name) return &function;
    }
    return nullptr;
}

Json space_json(const std::vector<space::Dimension>& dimensions) {
    Json space = Json::object();
    for (const auto& d : dimensions) {
        if (const auto* r = std::get_if<space::RealRange>(&d.domain)) {
            space[d.name] = {{"type", "real"}, {"low", r->low}, {"high", r->high}, {"log", r->log}};
        } else if (const auto* i = std::get_if<space::IntRange>(&d.domain)) {
            space[d.name] = {{"type", "int"}, {"low", i->low}, {"high", i->high}, {"log", i->log}};
        } else if (const auto* c = std::get_if<space::Choices>(&d.domain)) {
            space[d.name] = {{"type", "categorical"}, {"choices", c->values}};
        }
    }
    return space;
}

}  // namespace hpopt::benchmarks
