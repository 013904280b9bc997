#include "train/allreduce.hpp"

#include <chrono>

#include "hpopt/log/log.hpp"
#include "hpopt/random/rng.hpp"
#include "train/batch_sharing.hpp"
#include "train/gradient_buckets.hpp"
#include "train/pipeline.hpp"
#include "train/training_steps.hpp"

namespace hpopt::train {
namespace {

// What a collective of the team brought: the team's loss sum and request slot.
struct TeamSums {
    float loss_sum;
    float slot;
};

// One rank's part in training a fold by all-reduce: its replica, an optimizer per phase of the
// learner and the averaging's state, epoch after epoch, step after step.
class AllReduceTraining {
public:
    AllReduceTraining(Learner& learner, const TrainingSettings& settings, const TrainingParameters& hyper,
                      const space::Params& params, const workload::TrialContext& context)
        : replica_(learner, settings, hyper, params, context), optimizers_(learner.make_optimizers(hyper)) {
        if (settings.averaging != Averaging::every_step) averaging_ = torch::zeros({replica_.flat.size() + 2});
        if (every_step() && settings.sync_batch_norm) batch_sharing_.emplace(learner.module(), replicas());
        if (every_step() && settings.overlap_communication && !pipeline() && phases().size() == 1 && !team().alone()) {
            const auto bucket_floats = static_cast<std::int64_t>(settings.bucket_mb * 1e6 / sizeof(float));
            buckets_.emplace(phases().front(), replica_.flat, team(), std::max<std::int64_t>(1, bucket_floats));
        }
        if (settings.averaging == Averaging::mavg) {
            anchor_ = replica_.flat.parameters().clone();
            velocity_ = torch::zeros_like(anchor_);
        }
    }

    FoldTraining run() {
        const Position restored = restore_checkpoint();
        replica_.report_restored(history_);
        for (std::int64_t epoch = restored.epochs + 1; epoch <= replica_.hyper.epochs; ++epoch) {
            EpochRecord record = train_epoch(epoch);
            std::tie(record.validation_loss, record.validation_error) = validate();
            plateau_.observe(replica_.fom_of(record), replica_.settings.lr_schedule);
            history_.push_back(record);
            if (replica_.checkpoints()) save_checkpoint({epoch, 0});
            replica_.report(record);
        }
        FoldTraining training{history_, replica_.fom_of(history_.back()), replica_.flat.parameters_on_host()};
        training.exchange_s = exchange_s_;
        return training;
    }

private:
    const Team& team() const { return replica_.team; }
    const PipelinePlace* pipeline() const { return replica_.learner.pipeline(); }
    // The ranks that hold the same parameters as this one and sum their gradients: the team, or
    // this stage of every worker's pipeline.
    const Team& replicas() const { return pipeline() ? pipeline()->stage : team(); }
    const std::vector<Phase>& phases() const { return replica_.learner.phases(); }
    bool every_step() const { return replica_.settings.averaging == Averaging::every_step; }

    std::int64_t steps_per_epoch() const {
        const std::int64_t n = replica_.data.training_inputs.size(0);
        if (every_step()) return (n + global_batch() - 1) / global_batch();
        return (n / active_learners() + replica_.hyper.batch_size - 1) / replica_.hyper.batch_size;
    }

    // The learners that take shares of the epoch's batches: the team's ranks, or with a pipeline
    // its workers (a worker's ranks are the stages of one model). All but with a learner schedule,
    // the team's first ones: a worker's ranks are consecutive.
    int ranks_per_worker() const { return team().size() / std::max(1, replica_.settings.layout.workers); }
    int ranks_per_learner() const { return pipeline() ? ranks_per_worker() : 1; }
    int learner_index() const { return team().rank() / ranks_per_learner(); }
    int learners() const { return team().size() / ranks_per_learner(); }
    int active_learners() const { return active_workers_ * ranks_per_worker() / ranks_per_learner(); }
    bool active() const { return learner_index() < active_learners(); }
    std::int64_t global_batch() const { return replica_.hyper.batch_size * active_learners(); }

    // Before a collective of the team while a learner schedule leaves some learners out: every
    // rank meets the others first in a barrier that sleeps, so that the inactive ones wait there
    // for the active ones' computation instead of spinning in MPI's blocking all-reduce.
    void wait_for_active_learners() const {
        if (active_learners() < learners()) team().barrier();
    }

    // Each phase's rate, scaled with the team's size when asked (reached over the warm-up), then
    // as the schedule says. Torch's momentum SGD keeps the rate out of its momentum buffer
    // (u = m u + g; w -= lr u), so a change of rate needs no correction (Goyal et al. 2017's
    // momentum correction is for the form with the rate inside the buffer).
    void set_learning_rates(std::int64_t epoch, std::int64_t step) {
        const TrainingSettings& settings = replica_.settings;
        const double progress = static_cast<double>(epoch - 1) + static_cast<double>(step) / static_cast<double>(steps_per_epoch());
        double scale = settings.learners_scale(progress, ranks_per_worker() / ranks_per_learner());
        scale *= settings.lr_schedule.factor_at(progress, settings.warmup_epochs, replica_.hyper.epochs) * plateau_.factor;
        for (std::size_t p = 0; p < optimizers_.size(); ++p) {
            for (auto& group : optimizers_[p]->param_groups()) group.options().set_lr(phases()[p].lr * scale);
        }
    }

    // The first rank decides for the team (the others send none, so the team's sum is its
    // request), and a rank whose step failed marks it.
    float request_slot() const {
        const TeamRequest request = team().rank() == 0 ? replica_.request() : TeamRequest::none;
        return static_cast<float>(request) + replica_.failure.mark();
    }

    // Before a step's update: the fold ends here, on every rank alike, when a rank failed or the
    // team's loss is not finite. Returns the first rank's request.
    TeamRequest checked(const TeamSums& sums, std::int64_t epoch) const {
        replica_.failure.raise_if_any(team(), SharedFailure::failure_marked(sums.slot));
        if (const auto halt = halt_for_loss(sums.loss_sum, epoch)) halt->raise();
        return SharedFailure::request_in(sums.slot);
    }

    // After a step (or an average) that left the replicas identical: the first rank's request
    // carried out, alike on every rank: a checkpoint of the epoch so far, then a halt at the
    // deadline or an interruption.
    void carry_out(TeamRequest request, std::int64_t epoch) {
        if (request == TeamRequest::none) return;
        if (replica_.checkpoints()) save_checkpoint({epoch - 1, progress_.steps_done});
        if (const auto halt = halt_for_request(request, epoch)) halt->raise();
    }

    EpochRecord train_epoch(std::int64_t epoch) {
        active_workers_ = replica_.settings.active_workers(epoch - 1);
        const std::uint64_t epoch_seed = random::derive_seed(replica_.context.seed, static_cast<std::uint64_t>(epoch));
        const torch::Tensor order = epoch_order(replica_.data.training_inputs.size(0), epoch_seed);
        replica_.learner.module().train();
        if (every_step()) {
            all_reduce_epoch(order, epoch, epoch_seed);
        } else {
            averaging_epoch(order, epoch, epoch_seed);
        }
        const double loss_sum = progress_.loss_sum;
        progress_ = {};
        return {epoch, loss_sum / static_cast<double>(samples_per_epoch()), 0, 0};
    }

    // A step's random draws (dropout) depend on where it is, not on the steps before it.
    void seed_step(std::uint64_t epoch_seed, std::int64_t step) const {
        const std::uint64_t rank_seed = random::derive_seed(epoch_seed, static_cast<std::uint64_t>(team().rank()) + 1);
        torch::manual_seed(random::derive_seed(rank_seed, static_cast<std::uint64_t>(step)));
    }

    std::int64_t samples_per_epoch() const {
        const std::int64_t n = replica_.data.training_inputs.size(0);
        return every_step() ? n : n / active_learners() * active_learners();
    }

    // Each phase of a step all-reduces its gradients: each rank takes its share of the team's
    // batch. The last phase's exchange also sums the step's loss and carries the first rank's
    // request, and a rank's failure in the step (see SharedFailure).
    void all_reduce_epoch(const torch::Tensor& order, std::int64_t epoch, std::uint64_t epoch_seed) {
        const std::int64_t n = order.size(0);
        for (std::int64_t step = progress_.steps_done; step < steps_per_epoch(); ++step) {
            const std::int64_t begin = step * global_batch(), end = std::min(n, begin + global_batch());
            // An inactive learner takes no share.
            const auto [from, to] = active() ? share(end - begin, learner_index(), active_learners()) : std::pair<std::int64_t, std::int64_t>{0, 0};
            const torch::Tensor mine = order.slice(0, begin + from, begin + to);
            float local_loss = 0;
            TeamRequest request = TeamRequest::none;
            seed_step(epoch_seed, step);
            set_learning_rates(epoch, step);
            // Buckets overlap the exchange with the backward pass when every learner computes one.
            const bool overlapping = buckets_ && active_learners() == learners();
            for (std::size_t phase = 0; phase < optimizers_.size(); ++phase) {
                if (overlapping) buckets_->start_step();
                replica_.failure.guard(team(), [&] {
                    replica_.flat.clear_gradients();
                    local_loss += replica_.learner.backward(phase, mine, end - begin);
                });
                if (phase + 1 == optimizers_.size()) {
                    if (!overlapping) wait_for_active_learners();
                    const auto start = std::chrono::steady_clock::now();
                    const TeamSums sums = exchange_last_gradients(local_loss, overlapping);
                    exchange_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                    request = checked(sums, epoch);
                    progress_.loss_sum += sums.loss_sum;
                } else {
                    exchange_gradients(phases()[phase]);
                }
                optimizers_[phase]->step();
            }
            ++progress_.steps_done;
            carry_out(request, epoch);
        }
    }

    // The replicas' gradients of a phase summed into every rank's (a team of one exchanges nothing).
    void exchange_gradients(const Phase& phase) {
        if (team().alone()) return;
        replica_.flat.gather_gradients();
        replicas().sum(replica_.flat.exchange().data_ptr<float>() + phase.begin, phase.end - phase.begin);
        replica_.flat.use_exchange_as_gradients();
    }

    // The last phase's gradients with the loss sum and the request slot, which follow its block:
    // one collective; or the gradients over the stage's replicas with a pipeline (whose stages
    // hold blocks of other sizes), or in buckets during the backward pass (`overlapped`), and
    // then the two slots over the team.
    TeamSums exchange_last_gradients(float local_loss, bool overlapped) {
        FlatModel& flat = replica_.flat;
        if (team().alone()) return {local_loss, request_slot()};
        if (overlapped) {
            buckets_->finish();
        } else {
            flat.gather_gradients();
        }
        flat.loss_slot() = local_loss;
        flat.request_slot() = request_slot();
        float* values = flat.exchange().data_ptr<float>();
        const std::int64_t begin = phases().back().begin;
        if (overlapped) {
            team().sum(values + flat.size(), 2);
        } else if (pipeline()) {
            replicas().sum(values + begin, flat.size() - begin);
            team().sum(values + flat.size(), 2);
        } else {
            team().sum(values + begin, flat.size() + 2 - begin);
        }
        if (!overlapped) flat.use_exchange_as_gradients();
        return {flat.loss_slot(), flat.request_slot()};
    }

    // Local steps on this rank's shard, the models averaged every averaging_period steps and at
    // the end of the epoch (so that every epoch ends with identical replicas). A fold continued
    // inside an epoch starts at an average, where its checkpoint was taken. A rank a learner
    // schedule leaves inactive takes no steps and only joins the averages.
    void averaging_epoch(const torch::Tensor& order, std::int64_t epoch, std::uint64_t epoch_seed) {
        const std::int64_t shard_size = order.size(0) / active_learners(), batch_size = replica_.hyper.batch_size;
        const torch::Tensor shard = order.slice(0, learner_index() * shard_size, (learner_index() + 1) * shard_size);
        float loss_since_average = 0;
        for (std::int64_t step = progress_.steps_done; step < steps_per_epoch(); ++step) {
            const std::int64_t begin = step * batch_size, end = std::min(shard_size, begin + batch_size);
            seed_step(epoch_seed, step);
            set_learning_rates(epoch, step);
            for (std::size_t phase = 0; phase < optimizers_.size() && active(); ++phase) {
                replica_.failure.guard(team(), [&] {
                    replica_.flat.clear_gradients();
                    loss_since_average += replica_.learner.backward(phase, shard.slice(0, begin, end), end - begin);
                    optimizers_[phase]->step();
                });
            }
            ++progress_.steps_done;
            if (step + 1 == steps_per_epoch() || (step + 1) % replica_.settings.averaging_period == 0) {
                wait_for_active_learners();
                const TeamRequest request = average_models(loss_since_average, epoch);
                loss_since_average = 0;
                carry_out(request, epoch);
            }
        }
    }

    // KAVG: the active replicas' mean; MAVG: the last averaged model moved by block momentum
    // along the mean's change. Adds the team's loss sum to the epoch's; returns the first rank's
    // request.
    TeamRequest average_models(float local_loss, std::int64_t epoch) {
        FlatModel& flat = replica_.flat;
        const std::int64_t n = flat.size();
        if (active()) {
            averaging_.slice(0, 0, n).copy_(flat.parameters());
        } else {
            averaging_.slice(0, 0, n).zero_();
        }
        float* values = averaging_.data_ptr<float>();
        values[n] = local_loss;
        values[n + 1] = request_slot();
        team().sum(values, n + 2);
        const TeamRequest request = checked({values[n], values[n + 1]}, epoch);
        progress_.loss_sum += values[n];
        torch::NoGradGuard no_grad;
        const torch::Tensor mean = (averaging_.slice(0, 0, n) / static_cast<double>(active_learners())).to(flat.parameters().device());
        if (replica_.settings.averaging == Averaging::mavg) {
            velocity_.mul_(replica_.settings.block_momentum).add_(mean - anchor_);
            anchor_.add_(velocity_, replica_.settings.block_lr);
            flat.parameters().copy_(anchor_);
        } else {
            flat.parameters().copy_(mean);
        }
        return request;
    }

    // The validation figures, each learner evaluating its share of the validation set.
    std::pair<double, double> validate() {
        const auto [from, to] = share(replica_.data.validation_inputs.size(0), learner_index(), learners());
        std::vector<double> sums;
        replica_.failure.guard(team(), [&] { sums = replica_.learner.validation_sums(from, to); });
        replica_.failure.raise_if_any_rank_failed(team());
        team().sum(sums);
        return replica_.learner.validation_figures(sums);
    }

    // Every rank keeps its own file, so that local state (the optimizers') comes back exactly;
    // none goes on before the team's files are all there. The generator needs no saving: each
    // step reseeds it.
    void save_checkpoint(Position position) {
        torch::serialize::OutputArchive archive = replica_.checkpoint.start(position);
        archive.write("parameters", replica_.flat.parameters());
        write_buffers(archive, replica_.learner.module());
        write_optimizers(archive, optimizers_);
        archive.write("history", history_tensor(history_));
        archive.write("epoch_loss_sum", torch::tensor(progress_.loss_sum, torch::kDouble));
        archive.write("samples_done", torch::tensor(progress_.steps_done * global_batch()));
        if (velocity_.defined()) archive.write("velocity", velocity_);
        archive.write("plateau", torch::tensor({plateau_.best, static_cast<double>(plateau_.epochs_since_best), plateau_.factor},
                                               torch::kDouble));
        replica_.checkpoint.save(archive);
        team().barrier();
    }

    // Where the team's checkpoints are, their state restored; nothing done when there are none.
    Position restore_checkpoint() {
        // Every step's replicas hold the same state: a team of another size may go on from theirs.
        Resumable resumable = replica_.resumable(every_step() && !pipeline());
        if (!resumable.archive) return {};
        torch::serialize::InputArchive& archive = *resumable.archive;
        torch::NoGradGuard no_grad;
        replica_.flat.parameters().copy_(read_tensor(archive, "parameters"));
        read_buffers(archive, replica_.learner.module());
        read_optimizers(archive, optimizers_);
        history_ = history_from(read_tensor(archive, "history"));
        progress_ = {resumable.position.steps, read_tensor(archive, "epoch_loss_sum").item<double>()};
        if (read_int(archive, "team_size") != team().size()) resume_epoch_resized(archive, resumable.position.epochs);
        if (velocity_.defined()) archive.read("velocity", velocity_);
        if (torch::Tensor plateau; archive.try_read("plateau", plateau)) {
            plateau_ = {plateau[0].item<double>(), static_cast<std::int64_t>(plateau[1].item<double>()), plateau[2].item<double>()};
        }
        if (anchor_.defined()) anchor_.copy_(replica_.flat.parameters());
        return resumable.position;
    }

    // A checkpoint inside an epoch that a team of another size saved: the epoch goes on from the
    // same sample of its order, in steps of this team's batch, rounded down (the part of a batch
    // in between is trained again, and the epoch's loss sum scaled to the samples kept).
    void resume_epoch_resized(torch::serialize::InputArchive& archive, std::int64_t epochs_done) {
        active_workers_ = replica_.settings.active_workers(epochs_done);
        torch::Tensor samples;
        const std::int64_t done = archive.try_read("samples_done", samples) ? samples.item<std::int64_t>() : 0;
        const std::int64_t steps = done / global_batch();
        progress_.loss_sum = done > 0 ? progress_.loss_sum * static_cast<double>(steps * global_batch()) / static_cast<double>(done) : 0;
        progress_.steps_done = steps;
        if (team().rank() == 0 && done > 0) {
            log::info("trial {} fold {}: a team of another size stopped after {} sample(s) of epoch {}: going on at step {}",
                      replica_.context.trial_id, replica_.context.fold, done, epochs_done + 1, steps);
        }
    }

    FoldReplica replica_;
    std::optional<BatchSharing> batch_sharing_;  // every step: the team's ranks split each batch
    std::optional<GradientBuckets> buckets_;     // every step: the exchange overlapped with the backward pass
    std::vector<std::unique_ptr<torch::optim::Optimizer>> optimizers_;
    torch::Tensor averaging_;  // kavg, mavg: the parameters, the loss sum and the request slot
    torch::Tensor anchor_;     // mavg: the last averaged model
    torch::Tensor velocity_;   // mavg: the block momentum
    std::vector<EpochRecord> history_;
    Plateau plateau_;  // lr_schedule "plateau": the best FoM so far and the cuts made
    int active_workers_ = 1;  // in the epoch under way (settings.learner_schedule)
    double exchange_s_ = 0;   // every step: the time the last phase's exchange took after the backward pass
    // The epoch under way: its steps done and their team loss sum.
    struct EpochProgress {
        std::int64_t steps_done = 0;
        double loss_sum = 0;
    };
    EpochProgress progress_;
};

}  // namespace

FoldTraining train_with_allreduce(Learner& learner, const TrainingSettings& settings, const TrainingParameters& hyper,
                                  const space::Params& params, const workload::TrialContext& context) {
    return AllReduceTraining(learner, settings, hyper, params, context).run();
}

}  // namespace hpopt::train
