#include "hpopt/train/fold_trainer.hpp"

#include <cmath>

#include <fmt/format.h>

#include "checkpoint.hpp"
#include "flat_model.hpp"
#include "learner.hpp"
#include "parameter_server.hpp"
#include "training_steps.hpp"
#include "hpopt/random/rng.hpp"
#include "team.hpp"

namespace hpopt::train {
namespace {

// One rank's part in training one fold by all-reduce: the learner, its flat buffers, an
// optimizer per phase and the averaging's state, epoch after epoch.
class FoldRun {
public:
    FoldRun(Learner& learner, const TrainingSettings& settings, const Hyperparameters& hyper, const space::Params& params,
            const workload::TrialContext& context)
        : learner_(learner),
          settings_(settings),
          hyper_(hyper),
          data_(learner.data()),
          context_(context),
          team_(context.team),
          flat_(learner.module()),
          optimizers_(learner.make_optimizers(hyper)),
          checkpoint_(context, params, team_.rank(), team_.size()) {
        team_.broadcast(flat_.parameters().data_ptr<float>(), flat_.size());
        if (settings_.averaging != Averaging::every_step) averaging_ = torch::zeros({flat_.size() + 2});
        if (settings_.averaging == Averaging::mavg) {
            anchor_ = flat_.parameters().clone();
            velocity_ = torch::zeros_like(anchor_);
        }
    }

    FoldTraining run() {
        const std::int64_t restored = restore_checkpoint();
        for (const EpochRecord& record : history_) report(record, nullptr);
        for (std::int64_t epoch = restored + 1; epoch <= hyper_.epochs; ++epoch) {
            EpochRecord record = train_epoch(epoch);
            std::tie(record.validation_loss, record.validation_error) = validate();
            history_.push_back(record);
            if (settings_.checkpoints && checkpoint_.enabled()) {
                save_checkpoint(epoch);
                team_.barrier();  // the epoch's checkpoints are all there before any rank goes on
            }
            report(record, learner_.validation_details());
        }
        return {history_, fom_of(history_.back()), flat_.parameters().clone()};
    }

private:
    double fom_of(const EpochRecord& record) const {
        return settings_.fom == Fom::validation_loss ? record.validation_loss : record.validation_error;
    }

    void report(const EpochRecord& record, const Json& fom_terms) const {
        if (team_.rank() != 0 || !context_.report_epoch) return;
        Json details{{"training_loss", record.training_loss}};
        if (!fom_terms.is_null()) details["fom_terms"] = fom_terms;
        context_.report_epoch(record.epoch, fom_of(record), details);
    }

    std::int64_t steps_per_epoch() const {
        const std::int64_t n = data_.training_inputs.size(0);
        if (settings_.averaging == Averaging::every_step) return (n + global_batch() - 1) / global_batch();
        return (n / team_.size() + hyper_.batch_size - 1) / hyper_.batch_size;
    }

    std::int64_t global_batch() const { return hyper_.batch_size * team_.size(); }

    // Each phase's rate, scaled with the team's size when asked (reached over the warm-up).
    void set_learning_rates(std::int64_t epoch, std::int64_t step) {
        const double progress = static_cast<double>(epoch - 1) + static_cast<double>(step) / static_cast<double>(steps_per_epoch());
        const double target = settings_.linear_scaling ? team_.size() : 1.0;
        double scale = target;
        if (settings_.warmup_epochs > 0 && progress < settings_.warmup_epochs) {
            scale = 1 + (target - 1) * progress / settings_.warmup_epochs;
        }
        for (std::size_t p = 0; p < optimizers_.size(); ++p) {
            for (auto& group : optimizers_[p]->param_groups()) group.options().set_lr(learner_.phases()[p].lr * scale);
        }
    }

    // The team's loss sum and the first rank's stop request arrived with a collective.
    void check(float loss_sum, float stop, std::int64_t epoch) const {
        if (!std::isfinite(loss_sum)) {
            throw workload::TrialFailure(fmt::format("the training loss is {} in epoch {}", loss_sum, epoch));
        }
        if (stop == deadline_passed) throw workload::TrialFailure(fmt::format("stopped at the trial's deadline in epoch {}", epoch));
        if (stop == search_interrupted) throw workload::TrialInterrupted(fmt::format("interrupted in epoch {}", epoch));
    }

    static constexpr float deadline_passed = 1, search_interrupted = 2;

    // The first rank decides for the team (the others send 0, so the team's sum is its request).
    float stop_request() const {
        if (team_.rank() != 0) return 0;
        if (context_.past_deadline()) return deadline_passed;
        return context_.interrupted() ? search_interrupted : 0;
    }

    EpochRecord train_epoch(std::int64_t epoch) {
        const std::uint64_t epoch_seed = random::derive_seed(context_.seed, static_cast<std::uint64_t>(epoch));
        torch::manual_seed(random::derive_seed(epoch_seed, static_cast<std::uint64_t>(team_.rank()) + 1));
        const torch::Tensor order = epoch_order(data_.training_inputs.size(0), epoch_seed);
        learner_.module().train();
        const double loss_sum = settings_.averaging == Averaging::every_step ? all_reduce_epoch(order, epoch)
                                                                               : averaging_epoch(order, epoch);
        return {epoch, loss_sum / static_cast<double>(samples_per_epoch()), 0, 0};
    }

    std::int64_t samples_per_epoch() const {
        const std::int64_t n = data_.training_inputs.size(0);
        return settings_.averaging == Averaging::every_step ? n : n / team_.size() * team_.size();
    }

    // Each phase of a step all-reduces its gradients: each rank takes its share of the team's
    // batch. The last phase's exchange also sums the step's loss and carries the stop request.
    double all_reduce_epoch(const torch::Tensor& order, std::int64_t epoch) {
        double loss_sum = 0;
        const std::int64_t n = order.size(0);
        for (std::int64_t step = 0; step < steps_per_epoch(); ++step) {
            const std::int64_t begin = step * global_batch(), end = std::min(n, begin + global_batch());
            const auto [from, to] = share(end - begin, team_.rank(), team_.size());
            const torch::Tensor mine = order.slice(0, begin + from, begin + to);
            float local_loss = 0;
            set_learning_rates(epoch, step);
            for (std::size_t phase = 0; phase < optimizers_.size(); ++phase) {
                flat_.clear_gradients();
                local_loss += learner_.backward(phase, mine, end - begin);
                if (phase + 1 == optimizers_.size()) {
                    const auto [team_loss, stop] = exchange_last_gradients(local_loss);
                    check(team_loss, stop, epoch);
                    loss_sum += team_loss;
                } else {
                    exchange_gradients(learner_.phases()[phase]);
                }
                optimizers_[phase]->step();
            }
        }
        return loss_sum;
    }

    // The team's gradients of a phase summed into every rank's (a team of one exchanges nothing).
    void exchange_gradients(const Phase& phase) {
        if (team_.alone()) return;
        flat_.gather_gradients();
        team_.sum(flat_.exchange().data_ptr<float>() + phase.begin, phase.end - phase.begin);
    }

    // The last phase's gradients with the loss sum and the stop request, which follow its block;
    // returns the team's loss sum and the first rank's stop request.
    std::pair<float, float> exchange_last_gradients(float local_loss) {
        if (team_.alone()) return {local_loss, stop_request()};
        flat_.gather_gradients();
        flat_.loss_slot() = local_loss;
        flat_.stop_slot() = stop_request();
        const std::int64_t begin = learner_.phases().back().begin;
        team_.sum(flat_.exchange().data_ptr<float>() + begin, flat_.size() + 2 - begin);
        return {flat_.loss_slot(), flat_.stop_slot()};
    }

    // Local steps on this rank's shard, the models averaged every averaging_period steps and at
    // the end of the epoch (so that every epoch ends with identical replicas).
    double averaging_epoch(const torch::Tensor& order, std::int64_t epoch) {
        const std::int64_t shard_size = order.size(0) / team_.size();
        const torch::Tensor shard = order.slice(0, team_.rank() * shard_size, (team_.rank() + 1) * shard_size);
        double loss_sum = 0;
        float loss_since_average = 0;
        for (std::int64_t step = 0; step < steps_per_epoch(); ++step) {
            const std::int64_t begin = step * hyper_.batch_size, end = std::min(shard_size, begin + hyper_.batch_size);
            set_learning_rates(epoch, step);
            for (std::size_t phase = 0; phase < optimizers_.size(); ++phase) {
                flat_.clear_gradients();
                loss_since_average += learner_.backward(phase, shard.slice(0, begin, end), end - begin);
                optimizers_[phase]->step();
            }
            if ((step + 1) % settings_.averaging_period == 0 || step + 1 == steps_per_epoch()) {
                loss_sum += average_models(loss_since_average, epoch);
                loss_since_average = 0;
            }
        }
        return loss_sum;
    }

    // KAVG: the replicas' mean; MAVG: the last averaged model moved by block momentum along
    // the mean's change (Cong and Liu, arXiv 2110.00625). Returns the team's loss sum.
    float average_models(float local_loss, std::int64_t epoch) {
        const std::int64_t n = flat_.size();
        averaging_.slice(0, 0, n).copy_(flat_.parameters());
        float* values = averaging_.data_ptr<float>();
        values[n] = local_loss;
        values[n + 1] = stop_request();
        team_.sum(values, n + 2);
        check(values[n], values[n + 1], epoch);
        torch::NoGradGuard no_grad;
        const torch::Tensor mean = averaging_.slice(0, 0, n) / static_cast<double>(team_.size());
        if (settings_.averaging == Averaging::mavg) {
            velocity_.mul_(settings_.block_momentum).add_(mean - anchor_);
            anchor_.add_(velocity_, settings_.block_lr);
            flat_.parameters().copy_(anchor_);
        } else {
            flat_.parameters().copy_(mean);
        }
        return values[n];
    }

    // The validation figures, each rank evaluating its share of the validation set.
    std::pair<double, double> validate() {
        const auto [from, to] = share(data_.validation_inputs.size(0), team_.rank(), team_.size());
        std::vector<double> sums = learner_.validation_sums(from, to);
        team_.sum(sums);
        return learner_.validation_figures(sums);
    }

    // Every rank keeps its own file, so that local state (the optimizers', between averages)
    // comes back exactly. The RNG needs no saving: each epoch reseeds from the trial's seed.
    void save_checkpoint(std::int64_t epoch) {
        torch::serialize::OutputArchive archive = checkpoint_.start(epoch);
        archive.write("parameters", flat_.parameters());
        write_optimizers(archive, optimizers_);
        archive.write("history", history_tensor(history_));
        if (velocity_.defined()) archive.write("velocity", velocity_);
        checkpoint_.save(archive);
    }

    // The epoch the team's checkpoints end with, their state restored; 0 when there are none
    // (or not every rank has the same epoch: then the fold starts over).
    std::int64_t restore_checkpoint() {
        std::int64_t epoch = 0;
        auto archive = checkpoint_.open(hyper_.epochs, epoch);
        if (team_.min(epoch) != team_.max(epoch) || epoch == 0) return 0;
        torch::NoGradGuard no_grad;
        flat_.parameters().copy_(read_tensor(*archive, "parameters"));
        read_optimizers(*archive, optimizers_);
        history_ = history_from(read_tensor(*archive, "history"));
        if (velocity_.defined()) archive->read("velocity", velocity_);
        if (anchor_.defined()) anchor_.copy_(flat_.parameters());
        return epoch;
    }

    Learner& learner_;
    const TrainingSettings& settings_;
    Hyperparameters hyper_;
    const FoldData& data_;
    const workload::TrialContext& context_;
    Team team_;
    FlatModel flat_;
    std::vector<std::unique_ptr<torch::optim::Optimizer>> optimizers_;
    Checkpoint checkpoint_;
    torch::Tensor averaging_;  // kavg, mavg: the parameters, the loss sum and the stop request
    torch::Tensor anchor_;     // mavg: the last averaged model
    torch::Tensor velocity_;   // mavg: the block momentum
    std::vector<EpochRecord> history_;
};

FoldTraining train_learner(Learner& learner, const TrainingSettings& settings, const Hyperparameters& hyper,
                           const space::Params& params, const workload::TrialContext& context) {
    if (settings.algorithm != Algorithm::allreduce) return train_with_parameter_server(learner, settings, hyper, params, context);
    return FoldRun(learner, settings, hyper, params, context).run();
}

torch::Tensor inputs_of(const data::Dataset& dataset) {
    std::vector<std::int64_t> shape = {static_cast<std::int64_t>(dataset.size())};
    shape.insert(shape.end(), dataset.sample_shape.begin(), dataset.sample_shape.end());
    return torch::from_blob(const_cast<float*>(dataset.features.data()), shape, torch::kFloat).clone();
}

torch::Tensor targets_of(const data::Dataset& dataset) {
    const torch::Tensor targets =
        torch::from_blob(const_cast<float*>(dataset.targets.data()), {static_cast<std::int64_t>(dataset.size())}, torch::kFloat);
    return dataset.classes > 0 ? targets.to(torch::kLong) : targets.clone();
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> tensors(const data::Dataset& dataset) {
    return {inputs_of(dataset), targets_of(dataset)};
}

FoldData fold_data(const data::Dataset& dataset, const data::FoldSplit& split) {
    const data::Dataset training = dataset.subset(split.training);
    const data::Dataset validation = dataset.subset(split.validation);
    return {inputs_of(training), targets_of(training), inputs_of(validation), targets_of(validation), dataset.classes};
}

FoldTraining train_fold(ModelWorkload& workload, const TrainingSettings& settings, const space::Params& params,
                        const FoldData& data, const workload::TrialContext& context) {
    const Hyperparameters hyper = resolve(settings.defaults, params);
    const auto learner = make_learner(workload, params, hyper, data, context.seed);
    return train_learner(*learner, settings, hyper, params, context);
}

FoldTraining train_fold(AdversarialWorkload& workload, const TrainingSettings& settings, const space::Params& params,
                        const FoldData& data, const workload::TrialContext& context) {
    const Hyperparameters hyper = resolve(settings.defaults, params);
    const auto learner = make_learner(workload, params, hyper, data, context.seed);
    return train_learner(*learner, settings, hyper, params, context);
}

}  // namespace hpopt::train
