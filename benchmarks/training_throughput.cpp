// Training throughput of the Fashion-MNIST MLP 784-256-128-10 or a small CNN (SGD, momentum
// 0.9): hpopt's training engine against a plain libtorch loop on one rank, hpopt's all-reduce
// on every rank of MPI_COMM_WORLD under mpirun (its exchange overlapped with the backward pass or
// after it), the gradient exchange's bandwidth against memcpy, and the time of one all-reduce of
// the model's gradients. Prints Markdown rows for BENCHMARKS.md, or a figure (rank 0 only).
//
//   training_throughput --mode plain|hpopt|exchange|model-exchange [--model mlp|cnn] [--overlap 0|1]
//                       [--samples 12000] [--epochs 2] [--batch 128]
#include <mpi.h>

#include <chrono>
#include <cstring>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "hpopt/cluster/mpi_session.hpp"
#include "hpopt/data/dataset.hpp"
#include "hpopt/train/fold_trainer.hpp"
#include "hpopt/train/trained_workload.hpp"

using namespace hpopt;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string mode = "hpopt";
    std::string model = "mlp";
    bool overlap = true;
    double bucket_mb = 1;
    bool report_exchange = false;
    std::int64_t samples = 12000;
    std::int64_t epochs = 2;
    std::int64_t batch = 128;
};

constexpr double holdout = 0.02;  // hpopt validates every epoch: a small set, counted in its time

class Fashion : public train::ModelWorkload {
public:
    Fashion(std::shared_ptr<const data::Dataset> data, std::string model) : data_(std::move(data)), model_(std::move(model)) {}
    std::shared_ptr<const data::Dataset> training_data() override { return data_; }
    std::shared_ptr<const data::Dataset> test_data() override { return nullptr; }
    std::string description() const override { return model_ == "cnn" ? "CNN conv16-conv32-128-10" : "MLP 784-256-128-10"; }
    torch::nn::Sequential build_model(const space::Params&) override {
        using namespace torch::nn;
        if (model_ == "cnn") {
            return Sequential(Conv2d(Conv2dOptions(1, 16, 3).padding(1)), ReLU(), MaxPool2d(2), Conv2d(Conv2dOptions(16, 32, 3).padding(1)),
                              ReLU(), MaxPool2d(2), Flatten(), Linear(32 * 7 * 7, 128), ReLU(), Linear(128, 10));
        }
        return Sequential(Flatten(), Linear(784, 256), ReLU(), Linear(256, 128), ReLU(), Linear(128, 10));
    }

private:
    std::shared_ptr<const data::Dataset> data_;
    std::string model_;
};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int rank_of(MPI_Comm comm) {
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    return rank;
}

int size_of(MPI_Comm comm) {
    int size = 0;
    MPI_Comm_size(comm, &size);
    return size;
}

// The training samples both loops see: the first `samples` of the holdout split's training part.
train::FoldData fold(Fashion& workload) {
    const auto data = workload.training_data();
    return train::fold_data(*data, data::split_fold(*data, {1, holdout, true, 1}, 0));
}

double plain_samples_per_s(Fashion& workload, const Options& options) {
    const train::FoldData data = fold(workload);
    torch::manual_seed(1);
    torch::nn::Sequential model = workload.build_model(Json::object());
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
    const std::int64_t n = data.training_inputs.size(0);
    const auto start = Clock::now();
    for (std::int64_t epoch = 0; epoch < options.epochs; ++epoch) {
        const torch::Tensor order = torch::randperm(n, torch::kLong);
        for (std::int64_t begin = 0; begin < n; begin += options.batch) {
            const torch::Tensor indices = order.slice(0, begin, std::min(n, begin + options.batch));
            optimizer.zero_grad();
            const torch::Tensor loss = torch::nn::functional::cross_entropy(
                model->forward(data.training_inputs.index_select(0, indices)), data.training_targets.index_select(0, indices));
            loss.backward();
            optimizer.step();
        }
    }
    return static_cast<double>(n * options.epochs) / seconds_since(start);
}

// Samples per second, and the seconds the first rank's steps waited for the gradient exchange.
std::pair<double, double> hpopt_samples_per_s(Fashion& workload, const Options& options, MPI_Comm team) {
    const train::FoldData data = fold(workload);
    train::TrainingSettings settings;
    settings.defaults = {options.epochs, options.batch, "sgd", 0.01, 0.9, 0.0};
    settings.checkpoints = false;
    settings.overlap_communication = options.overlap;
    settings.bucket_mb = options.bucket_mb;
    workload::TrialContext context;
    context.seed = 1;
    context.team = size_of(team) > 1 ? team : MPI_COMM_NULL;
    MPI_Barrier(team);
    const auto start = Clock::now();
    const train::FoldTraining trained = train::train_fold(workload, settings, Json::object(), data, context);
    return {static_cast<double>(data.training_inputs.size(0) * options.epochs) / seconds_since(start), trained.exchange_s};
}

// Seconds per in-place float all-reduce of `count` values (the median of 21), and per memcpy.
std::pair<double, double> exchange_and_copy_s(std::int64_t count, MPI_Comm comm) {
    std::vector<float> values(static_cast<std::size_t>(count), 1.0f), copy(values.size());
    std::vector<double> reduce_s, copy_s;
    for (int repeat = 0; repeat < 21; ++repeat) {
        MPI_Barrier(comm);
        auto start = Clock::now();
        MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(count), MPI_FLOAT, MPI_SUM, comm);
        reduce_s.push_back(seconds_since(start));
        start = Clock::now();
        std::memcpy(copy.data(), values.data(), values.size() * sizeof(float));
        copy_s.push_back(seconds_since(start));
    }
    std::nth_element(reduce_s.begin(), reduce_s.begin() + 10, reduce_s.end());
    std::nth_element(copy_s.begin(), copy_s.begin() + 10, copy_s.end());
    double slowest = reduce_s[10];
    MPI_Allreduce(MPI_IN_PLACE, &slowest, 1, MPI_DOUBLE, MPI_MAX, comm);
    return {slowest, copy_s[10]};
}

// Seconds per all-reduce of the model's gradients (and the loss and request slots).
double model_exchange_s(Fashion& workload, MPI_Comm comm) {
    std::int64_t count = 2;
    for (const auto& parameter : workload.build_model(Json::object())->parameters()) count += parameter.numel();
    return exchange_and_copy_s(count, comm).first;
}

void print_exchange(MPI_Comm comm) {
    const bool printing = rank_of(comm) == 0;
    if (printing) {
        fmt::print("| buffer | ranks | all-reduce | all-reduce bandwidth | memcpy bandwidth | ratio |\n|---|---|---|---|---|---|\n");
    }
    for (const std::int64_t count : {std::int64_t{235146}, std::int64_t{10'000'000}}) {
        const auto [reduce_s, copy_s] = exchange_and_copy_s(count, comm);
        const double bytes = static_cast<double>(count) * sizeof(float);
        if (printing) {
            fmt::print("| {:.2f} MB{} | {} | {:.3f} ms | {:.2f} GB/s | {:.2f} GB/s | {:.0f}% |\n", bytes / 1e6,
                       count == 235146 ? " (the MLP's gradients)" : "", size_of(comm), 1e3 * reduce_s, bytes / reduce_s / 1e9,
                       bytes / copy_s / 1e9, 100 * copy_s / reduce_s);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("Training throughput of the Fashion-MNIST MLP");
    Options options;
    app.add_option("--mode", options.mode, "plain, hpopt, exchange or model-exchange")
        ->check(CLI::IsMember({"plain", "hpopt", "exchange", "model-exchange"}));
    app.add_option("--model", options.model, "mlp or cnn")->check(CLI::IsMember({"mlp", "cnn"}));
    app.add_option("--overlap", options.overlap, "hpopt: all-reduce gradient buckets during the backward pass (1) or after it (0)");
    app.add_option("--bucket-mb", options.bucket_mb, "hpopt: the buckets' size");
    app.add_flag("--report-exchange", options.report_exchange, "hpopt: also print the seconds the steps waited for the exchange");
    app.add_option("--samples", options.samples, "training samples");
    app.add_option("--epochs", options.epochs, "epochs");
    app.add_option("--batch", options.batch, "batch size per rank");
    CLI11_PARSE(app, argc, argv);
    const cluster::MpiSession mpi(argc, argv);  // with hpopt's Open MPI settings
    train::prepare_process_for_training(1);  // as hpopt runs a trial
    if (options.mode == "exchange") {
        print_exchange(MPI_COMM_WORLD);
    } else {
        data::DataSpec spec;
        spec.path = "/usr/share/datasets/fashion-mnist";
        spec.subset = static_cast<std::int64_t>(static_cast<double>(options.samples) / (1 - holdout));
        Fashion workload(data::load(spec, data::Split::train), options.model);
        if (options.mode == "model-exchange") {
            const double seconds = model_exchange_s(workload, MPI_COMM_WORLD);
            if (rank_of(MPI_COMM_WORLD) == 0) fmt::print("{:.9f}\n", seconds);
            return 0;
        }
        if (options.mode == "plain") {
            fmt::print("{:.0f}\n", plain_samples_per_s(workload, options));
            return 0;
        }
        const auto [rate, exchange_s] = hpopt_samples_per_s(workload, options, MPI_COMM_WORLD);
        if (rank_of(MPI_COMM_WORLD) == 0) fmt::print("{:.0f}{}\n", rate, options.report_exchange ? fmt::format(" {:.6f}", exchange_s) : "");
    }
    return 0;
}
