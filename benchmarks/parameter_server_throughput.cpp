// Parameter-server training (issue 7), on every rank of MPI_COMM_WORLD as one fold team of one
// master and size - 1 workers (or, for allreduce, size workers). Prints one Markdown row on rank 0.
//
//   parameter_server_throughput --mode train --algorithm allreduce|downpour|easgd|gem [--samples 12000]
//       samples/s and the final validation loss of the Fashion-MNIST MLP 784-256-128-10
//   parameter_server_throughput --mode master_rate --algorithm downpour|gem
//       updates per second a master applies for a 1M-parameter model, against memcpy
#include <mpi.h>

#include <chrono>
#include <cstring>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "hpopt/cluster/mpi_session.hpp"
#include "hpopt/data/dataset.hpp"
#include "hpopt/random/rng.hpp"
#include "hpopt/train/fold_trainer.hpp"

using namespace hpopt;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string mode = "train";
    std::string algorithm = "downpour";
    std::int64_t samples = 12000;
    std::int64_t epochs = 3;
    std::int64_t batch = 32;
};

// A model workload of a fixed network on fixed data.
class Fixed : public train::ModelWorkload {
public:
    Fixed(std::shared_ptr<const data::Dataset> data, std::function<torch::nn::Sequential()> build)
        : data_(std::move(data)), build_(std::move(build)) {}
    std::shared_ptr<const data::Dataset> training_data() override { return data_; }
    std::shared_ptr<const data::Dataset> test_data() override { return nullptr; }
    std::string description() const override { return "benchmark"; }
    torch::nn::Sequential build_model(const space::Params&) override { return build_(); }

private:
    std::shared_ptr<const data::Dataset> data_;
    std::function<torch::nn::Sequential()> build_;
};

torch::nn::Sequential mlp() {
    return torch::nn::Sequential(torch::nn::Flatten(), torch::nn::Linear(784, 256), torch::nn::ReLU(),
                                 torch::nn::Linear(256, 128), torch::nn::ReLU(), torch::nn::Linear(128, 10));
}

torch::nn::Sequential million() { return torch::nn::Sequential(torch::nn::Linear(1000, 1000)); }  // 1,001,000 parameters

// 1000 random inputs of 1000 features in 1000 classes.
std::shared_ptr<const data::Dataset> million_parameter_data() {
    auto dataset = std::make_shared<data::Dataset>();
    dataset->sample_shape = {1000};
    dataset->classes = 1000;
    random::Rng rng(1);
    for (int i = 0; i < 1000; ++i) {
        for (int d = 0; d < 1000; ++d) dataset->features.push_back(static_cast<float>(rng.normal()));
        dataset->targets.push_back(static_cast<float>(i));
    }
    return dataset;
}

int world_size() {
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

struct Result {
    double seconds = 0;
    train::FoldTraining trained;
    std::int64_t updates = 0;  // applied by the master
};

Result train_on_world(train::ModelWorkload& workload, const Options& options, double holdout) {
    const auto data = workload.training_data();
    const train::FoldData fold = train::fold_data(*data, data::split_fold(*data, {1, holdout, true, 1}, 0));
    train::TrainingSettings settings;
    settings.defaults = {options.epochs, options.batch, "sgd", 0.01, 0.9, 0.0};
    settings.checkpoints = false;
    const bool allreduce = options.algorithm == "allreduce";
    settings.algorithm = allreduce ? train::Algorithm::allreduce
                         : options.algorithm == "downpour" ? train::Algorithm::downpour
                         : options.algorithm == "easgd"    ? train::Algorithm::easgd
                                                           : train::Algorithm::gem;
    settings.layout = allreduce ? spec::Layout{1, 1, 0, world_size(), 1} : spec::Layout{1, 1, 1, world_size() - 1, 1};
    Result result;
    workload::TrialContext context;
    context.seed = 1;
    context.team = MPI_COMM_WORLD;
    context.report_epoch = [&](std::int64_t, double, const Json& details) {
        if (details.contains("staleness")) result.updates = details["staleness"]["updates"];
    };
    MPI_Barrier(MPI_COMM_WORLD);
    const auto start = Clock::now();
    result.trained = train::train_fold(workload, settings, Json::object(), fold, context);
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

double memcpy_seconds(std::int64_t count) {
    std::vector<float> from(static_cast<std::size_t>(count), 1.0f), to(from.size());
    std::vector<double> times;
    for (int repeat = 0; repeat < 21; ++repeat) {
        const auto start = Clock::now();
        std::memcpy(to.data(), from.data(), from.size() * sizeof(float));
        times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
    std::nth_element(times.begin(), times.begin() + 10, times.end());
    return times[10];
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("Parameter-server training throughput");
    Options options;
    app.add_option("--mode", options.mode, "train or master_rate")->check(CLI::IsMember({"train", "master_rate"}));
    app.add_option("--algorithm", options.algorithm)->check(CLI::IsMember({"allreduce", "downpour", "easgd", "gem"}));
    app.add_option("--samples", options.samples, "training samples (train)");
    app.add_option("--epochs", options.epochs, "epochs");
    app.add_option("--batch", options.batch, "batch size per worker");
    CLI11_PARSE(app, argc, argv);
    const cluster::MpiSession mpi(argc, argv);
    torch::set_num_threads(1);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (options.mode == "train") {
        constexpr double holdout = 0.1;
        data::DataSpec spec;
        spec.path = "/usr/share/datasets/fashion-mnist";
        spec.subset = static_cast<std::int64_t>(static_cast<double>(options.samples) / (1 - holdout));
        Fixed workload(data::load(spec, data::Split::train), mlp);
        const Result result = train_on_world(workload, options, holdout);
        if (rank == 0) {
            const double samples = static_cast<double>(options.samples * options.epochs);
            fmt::print("| {} | {} | {:.0f} | {:.4f} |\n", options.algorithm, world_size(), samples / result.seconds,
                       result.trained.epochs.back().validation_loss);
        }
    } else {
        Fixed workload(million_parameter_data(), million);
        const Result result = train_on_world(workload, options, 0.05);
        if (rank == 0) {
            const std::int64_t count = result.trained.parameters.numel();
            const double per_update = result.seconds / static_cast<double>(result.updates);
            const double copy = memcpy_seconds(count);
            // An update moves the buffer in and the weights out: two copies at the least.
            fmt::print("| {} | {:.2f} M | {:.0f} | {:.2f} ms | {:.2f} ms | {:.0f}% |\n", options.algorithm,
                       static_cast<double>(count) / 1e6, 1 / per_update, 1e3 * per_update, 2e3 * copy,
                       100 * 2 * copy / per_update);
        }
    }
    return 0;
}
