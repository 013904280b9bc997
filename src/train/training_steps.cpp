#include "train/training_steps.hpp"

#include "hpopt/random/rng.hpp"
#include "hpopt/workload/workload.hpp"
#include "train/adadelta.hpp"

namespace hpopt::train {
namespace {

constexpr std::int64_t evaluation_batch = 1000;  // samples per forward pass when evaluating

}  // namespace

torch::nn::Sequential build_model(ModelWorkload& workload, const space::Params& params, std::uint64_t seed) {
    torch::manual_seed(seed);
    torch::nn::Sequential model = workload.build_model(params);
    for (const auto& p : model->parameters()) {
        if (p.scalar_type() != torch::kFloat) throw workload::TrialFailure("the model's parameters must be float32");
    }
    return model;
}

// Weight decay is added to the gradient (AdamW: subtracted from the weights apart), never folded
// into the loss, so that it does not depend on how the loss is normalized over a team's batch.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainingParameters& h, const std::vector<torch::Tensor>& parameters) {
    if (h.optimizer == "adam") {
        return std::make_unique<torch::optim::Adam>(parameters, torch::optim::AdamOptions(h.lr).weight_decay(h.weight_decay));
    }
    if (h.optimizer == "adamw") {
        return std::make_unique<torch::optim::AdamW>(parameters, torch::optim::AdamWOptions(h.lr).weight_decay(h.weight_decay));
    }
    if (h.optimizer == "adagrad") {
        return std::make_unique<torch::optim::Adagrad>(parameters, torch::optim::AdagradOptions(h.lr).weight_decay(h.weight_decay));
    }
    if (h.optimizer == "adadelta") return std::make_unique<Adadelta>(parameters, AdadeltaOptions(h.lr).weight_decay(h.weight_decay));
    if (h.optimizer == "rmsprop") {
        return std::make_unique<torch::optim::RMSprop>(
            parameters, torch::optim::RMSpropOptions(h.lr).momentum(h.momentum).weight_decay(h.weight_decay));
    }
    return std::make_unique<torch::optim::SGD>(
        parameters,
        torch::optim::SGDOptions(h.lr).momentum(h.momentum).weight_decay(h.weight_decay).nesterov(h.optimizer == "nesterov"));
}

std::pair<std::int64_t, std::int64_t> share(std::int64_t count, int rank, int size) {
    const auto boundary = [&](int r) { return count * r / size; };
    return {boundary(rank), boundary(rank + 1)};
}

torch::Tensor epoch_order(std::int64_t count, std::uint64_t seed) {
    random::Rng rng(seed);
    torch::Tensor order = torch::arange(count, torch::kLong);
    auto* values = order.data_ptr<std::int64_t>();
    for (std::int64_t i = count; i > 1; --i) std::swap(values[i - 1], values[rng.index(static_cast<std::size_t>(i))]);
    return order;
}

std::pair<float, float> loss_and_error_sums(ModelWorkload& workload, torch::nn::Sequential& model, const torch::Tensor& inputs,
                                            const torch::Tensor& targets, std::int64_t classes) {
    torch::NoGradGuard no_grad;
    model->eval();
    double loss = 0, errors = 0;
    for (std::int64_t begin = 0; begin < inputs.size(0); begin += evaluation_batch) {
        const std::int64_t end = std::min(inputs.size(0), begin + evaluation_batch);
        const torch::Tensor outputs = model->forward(inputs.slice(0, begin, end));
        const torch::Tensor batch_targets = targets.slice(0, begin, end);
        loss += workload.loss_sum(outputs, batch_targets, classes).item<double>();
        if (classes > 0) errors += outputs.argmax(1).ne(batch_targets).sum().item<double>();
    }
    model->train();
    return {static_cast<float>(loss), static_cast<float>(errors)};
}

}  // namespace hpopt::train
