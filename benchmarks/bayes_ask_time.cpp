// How long one ask() of the Bayesian optimizer takes as observations accumulate, in 6-d
// (Hartmann6): with a refit of the hyper-parameters (the first ask on the data), and with the
// incremental update that follows one more observation between refits (up to 100
// observations every ask refits), and per suggestion of a batch (ask_batch, as the coordinator's
// model thread asks, with as many trials pending). Prints Markdown.
//
//   bayes_ask_time --observations 50,200,1000,5000 --repeats 3 --batch 32
#include <algorithm>
#include <chrono>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "hpopt/optim/bayes/bayes_search.hpp"
#include "test_functions.hpp"

using namespace hpopt;

namespace {

double seconds_of(const std::function<void()>& work) {
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ask() time of the Bayesian optimizer against the number of observations"};
    std::vector<int> sizes = {50, 200, 1000, 5000};
    int repeats = 3;
    app.add_option("--observations", sizes, "Numbers of observations")->delimiter(',');
    app.add_option("--repeats", repeats, "Repeats per size (the median is reported)");
    int batch = 32;
    app.add_option("--batch", batch, "Suggestions per ask_batch, asked with as many pending");
    CLI11_PARSE(app, argc, argv);

    const auto* hartmann = analytic::find_test_function("hartmann6");
    std::vector<space::Dimension> dimensions;
    for (int i = 0; i < 6; ++i) dimensions.push_back({"x" + std::to_string(i + 1), space::RealRange{0, 1, false}});
    const space::Space space(dimensions);

    fmt::print("| observations | d | ask with refit | next ask, one observation later | per suggestion in a batch of {} | points in the model |\n", batch);
    fmt::print("|---|---|---|---|---|---|\n");
    for (int n : sizes) {
        std::vector<double> with_refit, incremental, batched;
        std::size_t model_points = 0;
        for (int repeat = 0; repeat < repeats; ++repeat) {
            random::Rng rng(static_cast<std::uint64_t>(repeat));
            optim::bayes::BayesSearch optimizer(space, {}, static_cast<std::uint64_t>(repeat));
            const auto observe = [&] {
                optim::Point point(6);
                for (double& u : point) u = rng.uniform();
                optimizer.tell({point, hartmann->evaluate(point)});
            };
            for (int i = 0; i < n; ++i) observe();
            with_refit.push_back(seconds_of([&] { optimizer.ask({}); }));
            observe();
            incremental.push_back(seconds_of([&] { optimizer.ask({}); }));
            observe();
            std::vector<optim::Point> pending;  // as a model thread asks: with the groups' trials running
            for (int i = 0; i < batch; ++i) pending.push_back(*optimizer.ask({}));
            batched.push_back(seconds_of([&] { optimizer.ask_batch(pending, static_cast<std::size_t>(batch)); }) / batch);
            model_points = optimizer.save()["model_indices"].size();
        }
        fmt::print("| {} | 6 | {:.1f} ms | {:.1f} ms | {:.1f} ms | {} |\n", n, median(with_refit) * 1e3, median(incremental) * 1e3,
                   median(batched) * 1e3, model_points);
    }
}
