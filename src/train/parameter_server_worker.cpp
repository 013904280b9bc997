#include "train/parameter_server_worker.hpp"

#include <limits>

#include "hpopt/random/rng.hpp"
#include "train/training_device.hpp"
#include "train/training_steps.hpp"

namespace hpopt::train::parameter_server {

Worker::Worker(FoldReplica& replica, const cluster::TeamRoles& roles, const Team& ranks)
    : replica_(replica), roles_(roles), rule_(rule_for(replica.settings.algorithm, false)), ranks_(ranks) {
    if (rule_ == Rule::elastic) optimizers_ = replica.learner.make_optimizers(replica.hyper);
    if (replica.settings.sync_batch_norm) batch_sharing_.emplace(replica.learner.module(), ranks);
    if (replica.settings.algorithm == Algorithm::gem) {
        energy_matching_.emplace(replica.flat.parameters().cpu(), replica.hyper.lr, replica.hyper.momentum, replica.settings.gem_kappa);
    }
}

void Worker::work(std::int64_t epochs_done) {
    const int worker = roles_.worker_of(replica_.team.rank());
    const std::int64_t shard_size = parameter_server::shard_size(replica_, roles_), batch_size = replica_.hyper.batch_size;
    std::int64_t local_steps = 0;
    for (std::int64_t epoch = epochs_done + 1; epoch <= replica_.hyper.epochs; ++epoch) {
        const std::uint64_t epoch_seed = random::derive_seed(replica_.context.seed, static_cast<std::uint64_t>(epoch));
        torch::manual_seed(random::derive_seed(epoch_seed, static_cast<std::uint64_t>(replica_.team.rank())));
        const torch::Tensor shard =
            epoch_order(replica_.data.training_inputs.size(0), epoch_seed).slice(0, worker * shard_size, (worker + 1) * shard_size);
        for (std::int64_t begin = 0; begin < shard_size; begin += batch_size) {
            const bool last_of_epoch = begin + batch_size >= shard_size;
            loss_since_ += local_step(shard.slice(0, begin, std::min(shard_size, begin + batch_size)));
            ++local_steps;
            if (rule_ == Rule::elastic && local_steps % replica_.settings.communication_period != 0 && !last_of_epoch) continue;
            if (!exchange(last_of_epoch)) return;
        }
        save_checkpoint(epoch);
    }
}

// Forward and backward of each phase on this rank's share of the batch; the worker's gradient
// (the batch's mean) and loss sum come out summed over its ranks. With EASGD, each phase then
// steps its own optimizer; the others have one phase, whose gradient goes to the master.
float Worker::local_step(const torch::Tensor& batch) {
    FlatModel& flat = replica_.flat;
    const auto [from, to] = share(batch.size(0), ranks_.rank(), ranks_.size());
    const torch::Tensor mine = batch.slice(0, from, to);
    const std::vector<Phase>& phases = replica_.learner.phases();
    float loss_sum = 0;
    for (std::size_t phase = 0; phase < phases.size(); ++phase) {
        replica_.failure.guard(replica_.team, [&] {
            flat.clear_gradients();
            loss_sum += replica_.learner.backward(phase, mine, batch.size(0));
        });
        flat.gather_gradients();
        const bool last = phase + 1 == phases.size();
        // A failed step's loss is NaN, which makes the top master stop the training: the team
        // then learns the failure itself at the fold's end.
        if (last) flat.loss_slot() = replica_.failure.failed() ? std::numeric_limits<float>::quiet_NaN() : loss_sum;
        // The last phase's block ends the buffer, so the loss slot travels with it.
        ranks_.sum(flat.exchange().data_ptr<float>() + phases[phase].begin, phases[phase].end - phases[phase].begin + (last ? 1 : 0));
        if (rule_ != Rule::elastic) continue;
        flat.use_exchange_as_gradients();
        optimizers_[phase]->step();
    }
    samples_since_ += static_cast<float>(batch.size(0));
    return flat.loss_slot();
}

// The leader sends the update and takes the answer; the worker's ranks then share the
// resulting weights and verdict. True to go on, false when the master says stop.
bool Worker::exchange(bool end_of_epoch) {
    FlatModel& flat = replica_.flat;
    torch::NoGradGuard no_grad;
    torch::Tensor values = flat.exchange().slice(0, 0, flat.size());
    if (rule_ == Rule::elastic) values.copy_(flat.parameters());
    if (rule_ == Rule::displacement) energy_matching_->update_in_place(values, flat.parameters().cpu());
    std::int64_t state[2] = {0, static_cast<std::int64_t>(Verdict::go_on)};
    if (leader()) {
        flat.loss_slot() = loss_since_;
        flat.sample_count_slot() = samples_since_;
        const int master = roles_.server_of(replica_.team.rank());
        torch::Tensor answer = rule_ == Rule::elastic ? values : flat.parameters();
        const ReplyState reply = exchange_with_master(replica_.team, master, {based_on_, end_of_epoch ? 1 : 0, {}}, flat.exchange(), answer);
        if (rule_ == Rule::elastic) flat.parameters().sub_(values.to(flat.parameters().device()));
        state[0] = reply.version;
        state[1] = static_cast<std::int64_t>(reply.verdict);
    }
    on_host(flat.parameters(), [&](float* parameters) { ranks_.broadcast(parameters, flat.size()); });
    ranks_.broadcast(state, 2);
    based_on_ = state[0];
    loss_since_ = samples_since_ = 0;
    return static_cast<Verdict>(state[1]) != Verdict::stop;
}

void Worker::save_checkpoint(std::int64_t epoch) {
    if (!replica_.checkpoints()) return;
    torch::serialize::OutputArchive archive = replica_.checkpoint.start({epoch, 0});
    save(archive);
    replica_.checkpoint.save(archive);
}

void Worker::save(torch::serialize::OutputArchive& archive) {
    archive.write("parameters", replica_.flat.parameters());
    write_buffers(archive, replica_.learner.module());
    archive.write("based_on", torch::tensor(based_on_));
    write_optimizers(archive, optimizers_);
    if (energy_matching_) {
        archive.write("gem_proxy", energy_matching_->proxy());
        archive.write("gem_previous_central", energy_matching_->previous_central());
    }
}

void Worker::restore(torch::serialize::InputArchive& archive) {
    torch::NoGradGuard no_grad;
    replica_.flat.parameters().copy_(read_tensor(archive, "parameters"));
    read_buffers(archive, replica_.learner.module());
    based_on_ = read_int(archive, "based_on");
    read_optimizers(archive, optimizers_);
    if (energy_matching_) {
        energy_matching_->proxy().copy_(read_tensor(archive, "gem_proxy"));
        energy_matching_->previous_central().copy_(read_tensor(archive, "gem_previous_central"));
    }
}

}  // namespace hpopt::train::parameter_server
