// Pipeline training (training.parallelism "pipeline") of a wide MLP, 784-W-W-W-W-10, whose
// layers dominate memory, on Fashion-MNIST: every rank of MPI_COMM_WORLD one stage of a single
// worker's pipeline, or one rank alone (mpirun -np 1). Prints one Markdown row (rank 0): ranks,
// schedule, micro-batches, samples/s, the largest stage's parameters and training state
// (parameters, gradients, momentum), and the most resident memory a rank gained from just before
// training to its peak (VmHWM).
//
//   pipeline_throughput [--micro-batches 4] [--schedule gpipe|1f1b] [--width 2048] [--samples 6000] [--batch 256]
#include <mpi.h>

#include <chrono>
#include <fstream>
#include <string>

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
    std::int64_t micro_batches = 4;
    std::string schedule = "gpipe";
    std::int64_t width = 2048;
    std::int64_t samples = 6000;
    std::int64_t batch = 256;
};

constexpr double holdout = 0.02;

class WideMlp : public train::ModelWorkload {
public:
    WideMlp(std::shared_ptr<const data::Dataset> data, std::int64_t width) : data_(std::move(data)), width_(width) {}
    std::shared_ptr<const data::Dataset> training_data() override { return data_; }
    std::shared_ptr<const data::Dataset> test_data() override { return nullptr; }
    std::string description() const override { return fmt::format("MLP 784-{0}-{0}-{0}-{0}-10", width_); }
    torch::nn::Sequential build_model(const space::Params&) override {
        torch::nn::Sequential model{torch::nn::Flatten(), torch::nn::Linear(784, width_), torch::nn::ReLU()};
        for (int layer = 0; layer < 3; ++layer) {
            model->push_back(torch::nn::Linear(width_, width_));
            model->push_back(torch::nn::ReLU());
        }
        model->push_back(torch::nn::Linear(width_, 10));
        return model;
    }

private:
    std::shared_ptr<const data::Dataset> data_;
    std::int64_t width_;
};

// A field of /proc/self/status in bytes (VmRSS, VmHWM).
double status_bytes(const std::string& field) {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind(field + ":", 0) == 0) return 1024.0 * std::stod(line.substr(field.size() + 1));
    }
    return 0;
}

double largest_over_ranks(double value) {
    MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("Pipeline training throughput and memory of a wide MLP");
    Options options;
    app.add_option("--micro-batches", options.micro_batches, "micro-batches per batch");
    app.add_option("--schedule", options.schedule, "gpipe or 1f1b")->check(CLI::IsMember({"gpipe", "1f1b"}));
    app.add_option("--width", options.width, "the hidden layers' width");
    app.add_option("--samples", options.samples, "training samples (one epoch)");
    app.add_option("--batch", options.batch, "batch size");
    CLI11_PARSE(app, argc, argv);
    const cluster::MpiSession mpi(argc, argv);
    train::prepare_process_for_training(1);  // as hpopt runs a trial
    int rank = 0, ranks = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);

    data::DataSpec spec;
    spec.path = "/usr/share/datasets/fashion-mnist";
    spec.subset = static_cast<std::int64_t>(static_cast<double>(options.samples) / (1 - holdout));
    WideMlp workload(data::load(spec, data::Split::train), options.width);
    const auto dataset = workload.training_data();
    const train::FoldData data = train::fold_data(*dataset, data::split_fold(*dataset, {1, holdout, true, 1}, 0));

    train::TrainingSettings settings;
    settings.defaults = {1, options.batch, "sgd", 0.01, 0.9, 0.0};
    settings.checkpoints = false;
    settings.layout.ranks_per_worker = ranks;
    if (ranks > 1) {
        settings.parallelism = train::Parallelism::pipeline;
        settings.pipeline.micro_batches = options.micro_batches;
        settings.pipeline.schedule = options.schedule == "1f1b" ? train::PipelineSchedule::one_f_one_b : train::PipelineSchedule::gpipe;
    }
    workload::TrialContext context;
    context.seed = 1;
    context.team = ranks > 1 ? MPI_COMM_WORLD : MPI_COMM_NULL;

    const double resident_before = status_bytes("VmRSS");
    MPI_Barrier(MPI_COMM_WORLD);
    const auto start = Clock::now();
    const train::FoldTraining trained = train::train_fold(workload, settings, Json::object(), data, context);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double gained = largest_over_ranks(status_bytes("VmHWM") - resident_before);
    const double stage_parameters = largest_over_ranks(static_cast<double>(trained.parameters.numel()));
    if (rank == 0) {
        const double samples_per_s = static_cast<double>(data.training_inputs.size(0)) / largest_over_ranks(seconds);
        fmt::print("| {} | {} | {} | {:.0f} | {:.2f} M of {:.2f} M | {:.0f} MB | {:.0f} MB |\n", ranks, ranks > 1 ? options.schedule : "-",
                   ranks > 1 ? fmt::format("{}", options.micro_batches) : "-", samples_per_s, stage_parameters / 1e6,
                   static_cast<double>(trained.parameter_count) / 1e6, 3 * 4 * stage_parameters / 1e6, gained / 1e6);
    } else {
        largest_over_ranks(seconds);
    }
    return 0;
}
