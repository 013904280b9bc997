#include "train/allreduce.hpp"

#include "hpopt/random/rng.hpp"
#include "train/training_steps.hpp"

namespace hpopt::train {
namespace {

// One rank's part in training a fold by all-reduce: its replica, an optimizer per phase of the
// learner and the averaging's state, epoch after epoch.
class AllReduceTraining {
public:
    AllReduceTraining(Learner& learner, const TrainingSettings& settings, const TrainingParameters& hyper,
                      const space::Params& params, const workload::TrialContext& context)
        : replica_(learner, settings, hyper, params, context), optimizers_(learner.make_optimizers(hyper)) {
        if (settings.averaging != Averaging::every_step) averaging_ = torch::zeros({replica_.flat.size() + 2});
        if (settings.averaging == Averaging::mavg) {
            anchor_ = replica_.flat.parameters().clone();
            velocity_ = torch::zeros_like(anchor_);
        }
    }

    FoldTraining run() {
        const std::int64_t restored = restore_checkpoint();
        replica_.report_restored(history_);
        for (std::int64_t epoch = restored + 1; epoch <= replica_.hyper.epochs; ++epoch) {
            EpochRecord record = train_epoch(epoch);
            std::tie(record.validation_loss, record.validation_error) = validate();
            history_.push_back(record);
            if (replica_.checkpoints()) {
                save_checkpoint(epoch);
                replica_.team.barrier();  // the epoch's checkpoints are all there before any rank goes on
            }
            replica_.report(record);
        }
        return {history_, replica_.fom_of(history_.back()), replica_.flat.parameters().clone()};
    }

private:
    const Team& team() const { return replica_.team; }
    const std::vector<Phase>& phases() const { return replica_.learner.phases(); }
    bool every_step() const { return replica_.settings.averaging == Averaging::every_step; }

    std::int64_t steps_per_epoch() const {
        const std::int64_t n = replica_.data.training_inputs.size(0);
        if (every_step()) return (n + global_batch() - 1) / global_batch();
        return (n / team().size() + replica_.hyper.batch_size - 1) / replica_.hyper.batch_size;
    }

    std::int64_t global_batch() const { return replica_.hyper.batch_size * team().size(); }

    // Each phase's rate, scaled with the team's size when asked (reached over the warm-up).
    void set_learning_rates(std::int64_t epoch, std::int64_t step) {
        const TrainingSettings& settings = replica_.settings;
        const double progress = static_cast<double>(epoch - 1) + static_cast<double>(step) / static_cast<double>(steps_per_epoch());
        const double target = settings.linear_scaling ? team().size() : 1.0;
        double scale = target;
        if (settings.warmup_epochs > 0 && progress < settings.warmup_epochs) {
            scale = 1 + (target - 1) * progress / settings.warmup_epochs;
        }
        for (std::size_t p = 0; p < optimizers_.size(); ++p) {
            for (auto& group : optimizers_[p]->param_groups()) group.options().set_lr(phases()[p].lr * scale);
        }
    }

    // The first rank decides for the team (the others send none, so the team's sum is its
    // request), and a rank whose step failed marks it.
    float stop_request_slot() const {
        const StopRequest request = team().rank() == 0 ? replica_.stop_request() : StopRequest::none;
        return static_cast<float>(request) + replica_.failure.mark();
    }

    // The team's loss sum and stop-request slot, as a collective brought them: the fold ends
    // here, on every rank alike (a rank's failure first), or goes on.
    void halt_if_due(float loss_sum, float slot, std::int64_t epoch) const {
        replica_.failure.raise_if_any(team(), SharedFailure::failure_marked(slot));
        if (const auto halt = halt_after(loss_sum, SharedFailure::request_in(slot), epoch)) halt->raise();
    }

    EpochRecord train_epoch(std::int64_t epoch) {
        const std::uint64_t epoch_seed = random::derive_seed(replica_.context.seed, static_cast<std::uint64_t>(epoch));
        torch::manual_seed(random::derive_seed(epoch_seed, static_cast<std::uint64_t>(team().rank()) + 1));
        const torch::Tensor order = epoch_order(replica_.data.training_inputs.size(0), epoch_seed);
        replica_.learner.module().train();
        const double loss_sum = every_step() ? all_reduce_epoch(order, epoch) : averaging_epoch(order, epoch);
        return {epoch, loss_sum / static_cast<double>(samples_per_epoch()), 0, 0};
    }

    std::int64_t samples_per_epoch() const {
        const std::int64_t n = replica_.data.training_inputs.size(0);
        return every_step() ? n : n / team().size() * team().size();
    }

    // Each phase of a step all-reduces its gradients: each rank takes its share of the team's
    // batch. The last phase's exchange also sums the step's loss and carries the stop request,
    // and a rank's failure in the step (see SharedFailure).
    double all_reduce_epoch(const torch::Tensor& order, std::int64_t epoch) {
        double loss_sum = 0;
        const std::int64_t n = order.size(0);
        for (std::int64_t step = 0; step < steps_per_epoch(); ++step) {
            const std::int64_t begin = step * global_batch(), end = std::min(n, begin + global_batch());
            const auto [from, to] = share(end - begin, team().rank(), team().size());
            const torch::Tensor mine = order.slice(0, begin + from, begin + to);
            float local_loss = 0;
            set_learning_rates(epoch, step);
            for (std::size_t phase = 0; phase < optimizers_.size(); ++phase) {
                replica_.failure.guard(team(), [&] {
                    replica_.flat.clear_gradients();
                    local_loss += replica_.learner.backward(phase, mine, end - begin);
                });
                if (phase + 1 == optimizers_.size()) {
                    const auto [team_loss, slot] = exchange_last_gradients(local_loss);
                    halt_if_due(team_loss, slot, epoch);
                    loss_sum += team_loss;
                } else {
                    exchange_gradients(phases()[phase]);
                }
                optimizers_[phase]->step();
            }
        }
        return loss_sum;
    }

    // The team's gradients of a phase summed into every rank's (a team of one exchanges nothing).
    void exchange_gradients(const Phase& phase) {
        if (team().alone()) return;
        replica_.flat.gather_gradients();
        team().sum(replica_.flat.exchange().data_ptr<float>() + phase.begin, phase.end - phase.begin);
    }

    // The last phase's gradients with the loss sum and the stop request, which follow its block;
    // returns the team's loss sum and stop-request slot.
    std::pair<float, float> exchange_last_gradients(float local_loss) {
        FlatModel& flat = replica_.flat;
        if (team().alone()) return {local_loss, stop_request_slot()};
        flat.gather_gradients();
        flat.loss_slot() = local_loss;
        flat.stop_request_slot() = stop_request_slot();
        const std::int64_t begin = phases().back().begin;
        team().sum(flat.exchange().data_ptr<float>() + begin, flat.size() + 2 - begin);
        return {flat.loss_slot(), flat.stop_request_slot()};
    }

    // Local steps on this rank's shard, the models averaged every averaging_period steps and at
    // the end of the epoch (so that every epoch ends with identical replicas).
    double averaging_epoch(const torch::Tensor& order, std::int64_t epoch) {
        const std::int64_t shard_size = order.size(0) / team().size(), batch_size = replica_.hyper.batch_size;
        const torch::Tensor shard = order.slice(0, team().rank() * shard_size, (team().rank() + 1) * shard_size);
        double loss_sum = 0;
        float loss_since_average = 0;
        for (std::int64_t step = 0; step < steps_per_epoch(); ++step) {
            const std::int64_t begin = step * batch_size, end = std::min(shard_size, begin + batch_size);
            set_learning_rates(epoch, step);
            for (std::size_t phase = 0; phase < optimizers_.size(); ++phase) {
                replica_.failure.guard(team(), [&] {
                    replica_.flat.clear_gradients();
                    loss_since_average += replica_.learner.backward(phase, shard.slice(0, begin, end), end - begin);
                    optimizers_[phase]->step();
                });
            }
            if ((step + 1) % replica_.settings.averaging_period == 0 || step + 1 == steps_per_epoch()) {
                loss_sum += average_models(loss_since_average, epoch);
                loss_since_average = 0;
            }
        }
        return loss_sum;
    }

    // KAVG: the replicas' mean; MAVG: the last averaged model moved by block momentum along
    // the mean's change. Returns the team's loss sum.
    float average_models(float local_loss, std::int64_t epoch) {
        FlatModel& flat = replica_.flat;
        const std::int64_t n = flat.size();
        averaging_.slice(0, 0, n).copy_(flat.parameters());
        float* values = averaging_.data_ptr<float>();
        values[n] = local_loss;
        values[n + 1] = stop_request_slot();
        team().sum(values, n + 2);
        halt_if_due(values[n], values[n + 1], epoch);
        torch::NoGradGuard no_grad;
        const torch::Tensor mean = averaging_.slice(0, 0, n) / static_cast<double>(team().size());
        if (replica_.settings.averaging == Averaging::mavg) {
            velocity_.mul_(replica_.settings.block_momentum).add_(mean - anchor_);
            anchor_.add_(velocity_, replica_.settings.block_lr);
            flat.parameters().copy_(anchor_);
        } else {
            flat.parameters().copy_(mean);
        }
        return values[n];
    }

    // The validation figures, each rank evaluating its share of the validation set.
    std::pair<double, double> validate() {
        const auto [from, to] = share(replica_.data.validation_inputs.size(0), team().rank(), team().size());
        std::vector<double> sums;
        replica_.failure.guard(team(), [&] { sums = replica_.learner.validation_sums(from, to); });
        replica_.failure.raise_if_any(team(), team().max(replica_.failure.failed() ? 1 : 0) > 0);
        team().sum(sums);
        return replica_.learner.validation_figures(sums);
    }

    // Every rank keeps its own file, so that local state (the optimizers', between averages)
    // comes back exactly. The RNG needs no saving: each epoch reseeds from the trial's seed.
    void save_checkpoint(std::int64_t epoch) {
        torch::serialize::OutputArchive archive = replica_.checkpoint.start(epoch);
        archive.write("parameters", replica_.flat.parameters());
        write_optimizers(archive, optimizers_);
        archive.write("history", history_tensor(history_));
        if (velocity_.defined()) archive.write("velocity", velocity_);
        replica_.checkpoint.save(archive);
    }

    // The epoch the team's checkpoints end with, their state restored; 0 when there are none.
    std::int64_t restore_checkpoint() {
        Resumable resumable = replica_.resumable();
        if (!resumable.archive) return 0;
        torch::serialize::InputArchive& archive = *resumable.archive;
        torch::NoGradGuard no_grad;
        replica_.flat.parameters().copy_(read_tensor(archive, "parameters"));
        read_optimizers(archive, optimizers_);
        history_ = history_from(read_tensor(archive, "history"));
        if (velocity_.defined()) archive.read("velocity", velocity_);
        if (anchor_.defined()) anchor_.copy_(replica_.flat.parameters());
        return resumable.epoch;
    }

    FoldReplica replica_;
    std::vector<std::unique_ptr<torch::optim::Optimizer>> optimizers_;
    torch::Tensor averaging_;  // kavg, mavg: the parameters, the loss sum and the stop request
    torch::Tensor anchor_;     // mavg: the last averaged model
    torch::Tensor velocity_;   // mavg: the block momentum
    std::vector<EpochRecord> history_;
};

}  // namespace

FoldTraining train_with_allreduce(Learner& learner, const TrainingSettings& settings, const TrainingParameters& hyper,
                                  const space::Params& params, const workload::TrialContext& context) {
    return AllReduceTraining(learner, settings, hyper, params, context).run();
}

}  // namespace hpopt::train
