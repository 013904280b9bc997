#include "train/learner.hpp"

#include <fmt/format.h>

#include "train/training_steps.hpp"
#include "hpopt/random/rng.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::train {
namespace {

// A model workload's model, trained on its loss in one phase.
class ModelLearner : public Learner {
public:
    ModelLearner(ModelWorkload& workload, const space::Params& params, const TrainingParameters& hyper, const FoldData& data,
                 std::uint64_t seed, torch::Device device)
        : Learner(data, "sgd", device), workload_(workload), model_(build_model(workload, params, seed)) {
        set_phases({{model_->parameters(), hyper.lr}});
    }

    torch::nn::Module& module() override { return *model_; }

    float backward(std::size_t, const torch::Tensor& indices, std::int64_t divisor) override {
        if (indices.numel() == 0) return 0.0f;
        const torch::Tensor outputs = model_->forward(on_device(data().training_inputs.index_select(0, indices)));
        const torch::Tensor loss =
            workload_.loss_sum(outputs, on_device(data().training_targets.index_select(0, indices)), data().classes);
        (loss / static_cast<double>(divisor)).backward();
        return loss.item<float>();
    }

    std::vector<double> validation_sums(std::int64_t from, std::int64_t to) override {
        const auto [loss, errors] = loss_and_error_sums(workload_, model_, on_device(data().validation_inputs.slice(0, from, to)),
                                                        on_device(data().validation_targets.slice(0, from, to)), data().classes);
        return {loss, errors};
    }

    std::pair<double, double> validation_figures(const std::vector<double>& sums) const override {
        const double n = static_cast<double>(data().validation_inputs.size(0));
        return {sums[0] / n, data().classes > 0 ? sums[1] / n : 0.0};
    }

private:
    ModelWorkload& workload_;
    torch::nn::Sequential model_;
};

// An adversarial pair: the discriminator's step, then the generator's, on the same real batch
// and its conditions. Its validation figure is the workload's comparison of samples generated
// for the validation set's conditions with the real ones; it stands for both loss and error.
class AdversarialLearner : public Learner {
public:
    AdversarialLearner(AdversarialWorkload& workload, const space::Params& params, const TrainingParameters& hyper,
                       const FoldData& data, std::uint64_t seed, torch::Device device)
        : Learner(data, "rmsprop", device),  // as the reference system trained its GAN
          workload_(workload),
          pair_(build_pair(workload, params, seed)),
          validation_seed_(random::derive_seed(seed, 0)) {
        set_phases({{pair_->discriminator_parameters(), workload.discriminator_lr(params, hyper.lr)},
                    {pair_->generator_parameters(), workload.generator_lr(params, hyper.lr)}});
    }

    torch::nn::Module& module() override { return *pair_; }

    float backward(std::size_t phase, const torch::Tensor& indices, std::int64_t divisor) override {
        if (indices.numel() == 0) return 0.0f;
        const torch::Tensor conditions = on_device(data().training_targets.index_select(0, indices));
        const torch::Tensor loss =
            phase == 0 ? pair_->discriminator_loss_sum(on_device(data().training_inputs.index_select(0, indices)), conditions)
                       : pair_->generator_loss_sum(conditions);
        (loss / static_cast<double>(divisor)).backward();
        return loss.item<float>();
    }

    std::vector<double> validation_sums(std::int64_t from, std::int64_t to) override {
        comparison_ = workload_.comparison(data().validation_targets);
        // The same noise at every validation, so that the figures differ by the networks only.
        torch::manual_seed(validation_seed_);
        torch::NoGradGuard no_grad;
        pair_->eval();
        for (std::int64_t begin = from; begin < to; begin += evaluation_batch) {
            const std::int64_t end = std::min(to, begin + evaluation_batch);
            const torch::Tensor conditions = data().validation_targets.slice(0, begin, end);
            comparison_->add(pair_->generate(on_device(conditions)).cpu(), data().validation_inputs.slice(0, begin, end), conditions);
        }
        pair_->train();
        return comparison_->sums();
    }

    std::pair<double, double> validation_figures(const std::vector<double>& sums) const override {
        comparison_->sums() = sums;
        const double figure = comparison_->figure_of_merit();
        return {figure, figure};
    }

    Json validation_details() const override { return comparison_ ? comparison_->details() : Json(nullptr); }

private:
    static constexpr std::int64_t evaluation_batch = 64;

    static std::shared_ptr<AdversarialPair> build_pair(AdversarialWorkload& workload, const space::Params& params,
                                                       std::uint64_t seed) {
        torch::manual_seed(seed);
        auto pair = workload.build(params);
        for (const auto& p : pair->parameters()) {
            if (p.scalar_type() != torch::kFloat) throw workload::TrialFailure("the networks' parameters must be float32");
        }
        return pair;
    }

    AdversarialWorkload& workload_;
    std::shared_ptr<AdversarialPair> pair_;
    std::uint64_t validation_seed_;
    std::unique_ptr<SampleComparison> comparison_;
};

}  // namespace

void Learner::set_phases(std::vector<std::pair<std::vector<torch::Tensor>, double>> parameters_and_rates) {
    module().to(device_);  // the parameters keep their identity
    const std::vector<torch::Tensor> all = module().parameters();
    std::size_t at = 0;
    std::int64_t offset = 0;
    for (auto& [parameters, lr] : parameters_and_rates) {
        Phase phase{offset, offset, std::move(parameters), lr};
        for (const torch::Tensor& p : phase.parameters) {
            if (at >= all.size() || !all[at].is_same(p)) {
                throw std::logic_error("a learner's phases must take the module's parameters in their order");
            }
            phase.end += p.numel();
            ++at;
        }
        offset = phase.end;
        phases_.push_back(std::move(phase));
    }
    if (at != all.size()) throw std::logic_error("a learner's phases must take every parameter of the module");
}

std::int64_t Learner::parameter_count() {
    std::int64_t count = 0;
    for (const torch::Tensor& parameter : module().parameters()) count += parameter.numel();
    return count;
}

std::vector<std::unique_ptr<torch::optim::Optimizer>> Learner::make_optimizers(const TrainingParameters& hyper) const {
    std::vector<std::unique_ptr<torch::optim::Optimizer>> optimizers;
    for (const Phase& phase : phases_) {
        TrainingParameters own = hyper;
        own.lr = phase.lr;
        if (own.optimizer.empty()) own.optimizer = default_optimizer_;
        optimizers.push_back(make_optimizer(own, phase.parameters));
    }
    return optimizers;
}

std::unique_ptr<Learner> make_learner(ModelWorkload& workload, const space::Params& params, const TrainingParameters& hyper,
                                      const FoldData& data, std::uint64_t seed, torch::Device device) {
    return std::make_unique<ModelLearner>(workload, params, hyper, data, seed, device);
}

std::unique_ptr<Learner> make_learner(AdversarialWorkload& workload, const space::Params& params, const TrainingParameters& hyper,
                                      const FoldData& data, std::uint64_t seed, torch::Device device) {
    return std::make_unique<AdversarialLearner>(workload, params, hyper, data, seed, device);
}

std::pair<double, double> validate_alone(Learner& learner) {
    return learner.validation_figures(learner.validation_sums(0, learner.data().validation_inputs.size(0)));
}

}  // namespace hpopt::train
