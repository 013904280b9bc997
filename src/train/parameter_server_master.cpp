#include "train/parameter_server_master.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "train/training_steps.hpp"

namespace hpopt::train::parameter_server {
namespace {

StalenessCounter staleness_for(const TrainingSettings& settings) {
    // Only Downpour bounds or weighs stale updates; the others count them all the same.
    if (settings.algorithm != Algorithm::downpour) return {0, false};
    return {settings.max_staleness, settings.scale_by_staleness};
}

void add(StalenessStatistics& total, const StalenessStatistics& more) {
    total.updates += more.updates;
    total.rejected += more.rejected;
    total.total += more.total;
    total.largest = std::max(total.largest, more.largest);
}

StalenessStatistics since(const StalenessStatistics& now, const StalenessStatistics& before) {
    return {now.updates - before.updates, now.rejected - before.rejected, now.largest, now.total - before.total};
}

Json to_json(const StalenessStatistics& s) {
    return {{"updates", s.updates}, {"rejected", s.rejected}, {"mean", s.mean()}, {"largest", s.largest}};
}

torch::Tensor to_tensor(std::int64_t version, const StalenessStatistics& s) {
    return torch::tensor({version, s.updates, s.rejected, s.largest, s.total}, torch::kLong);
}

StalenessStatistics statistics_from(const torch::Tensor& t) {
    return {t[1].item<std::int64_t>(), t[2].item<std::int64_t>(), t[3].item<std::int64_t>(), t[4].item<std::int64_t>()};
}

}  // namespace

Master::Master(FoldReplica& replica, const cluster::TeamRoles& roles)
    : replica_(replica),
      roles_(roles),
      rule_(rule_for(replica.settings.algorithm, replica.team.rank() == 0 && roles.has_sub_masters())),
      staleness_(staleness_for(replica.settings)) {
    if (rule_ == Rule::gradient_step) optimizer_ = std::move(replica.learner.make_optimizers(replica.hyper).front());
    const std::vector<int> clients = roles.clients_of(replica.team.rank());
    active_.insert(clients.begin(), clients.end());
    if (synchronous()) gradient_sum_ = torch::zeros({replica.flat.size()});
    if (!is_top()) base_ = replica.flat.parameters().clone();
}

std::optional<Halt> Master::serve(std::int64_t epochs_done) {
    epoch_ = epochs_done;
    if (epoch_ >= replica_.hyper.epochs) active_.clear();
    while (!active_.empty()) on_update(replica_.team.wait_for_message(MPI_ANY_SOURCE).first);
    return halt_;
}

void Master::on_update(int client) {
    const UpdateHeader header = receive_header(replica_.team, client);
    FlatModel& flat = replica_.flat;
    receive_update(replica_.team, client, flat.exchange());
    const float loss = flat.loss_slot();
    loss_sum_ += loss;
    samples_ += flat.sample_count_slot();
    add(served_by_sub_masters_, header.served);
    if (is_top()) decide_halt(loss);
    if (halt_ && !stopped_) stop_everyone();
    if (stopped_) {
        reply(client, Verdict::stop);
        active_.erase(client);
        return;
    }
    if (header.end_of_epoch) parked_.insert(client);
    accept_update(client, header.based_on);
    step_when_enough();
    if (parked_.size() == active_.size()) {
        end_epoch();
    } else if (!is_top() && (updates_since_sync_ >= replica_.settings.sync_period || !std::isfinite(loss))) {
        sync_with_top(false);
    }
}

// The top master decides: a NaN or infinite loss, the trial's deadline, the search's
// interruption or an early stop ends the training.
void Master::decide_halt(float loss_sum) {
    if (!halt_) halt_ = halt_after(loss_sum, replica_.request(), epoch_ + 1);
}

// Applies the update in the exchange buffer now, or (synchronous Downpour) adds it to the step.
void Master::accept_update(int client, std::int64_t based_on) {
    const double weight = staleness_.weigh(based_on);
    if (synchronous()) {
        if (weight > 0) {
            gradient_sum_.add_(replica_.flat.exchange().slice(0, 0, replica_.flat.size()), weight);
            ++summed_;
        }
        pending_.push_back(client);
        return;
    }
    if (weight > 0) apply_update(weight);
    reply(client, parked_.count(client) ? Verdict::hold : Verdict::go_on);
}

void Master::apply_update(double weight) {
    torch::NoGradGuard no_grad;
    FlatModel& flat = replica_.flat;
    torch::Tensor update = flat.exchange().slice(0, 0, flat.size());
    switch (rule_) {
        case Rule::gradient_step:
            if (weight != 1.0) update.mul_(weight);
            flat.use_exchange_as_gradients();
            optimizer_->step();
            break;
        case Rule::displacement:
            flat.parameters().add_(update, weight);
            break;
        case Rule::elastic:  // the answer is alpha (x_client - centre), which the client subtracts
            update.sub_(flat.parameters()).mul_(replica_.settings.elastic_alpha);
            flat.parameters().add_(update);
            break;
    }
    staleness_.advance();
    ++updates_since_sync_;
}

// Synchronous Downpour: one step with the mean of the gradients gathered, once a sync_fraction
// of the active clients sent theirs (or every active client waits).
void Master::step_when_enough() {
    if (!synchronous() || pending_.empty()) return;
    const auto needed = static_cast<std::size_t>(std::max(1.0, std::ceil(replica_.settings.sync_fraction * active_.size())));
    const bool everyone_waits =
        std::all_of(active_.begin(), active_.end(), [&](int client) { return waiting(client); });
    if (pending_.size() < needed && !everyone_waits) return;
    if (summed_ > 0) {
        replica_.flat.exchange().slice(0, 0, replica_.flat.size()).copy_(gradient_sum_).div_(static_cast<double>(summed_));
        apply_update(1.0);
    }
    gradient_sum_.zero_();
    summed_ = 0;
    for (int client : pending_) reply(client, parked_.count(client) ? Verdict::hold : Verdict::go_on);
    pending_.clear();
}

bool Master::waiting(int client) const {
    return parked_.count(client) || std::find(pending_.begin(), pending_.end(), client) != pending_.end();
}

// Every client is at the epoch's end: the top master validates, each master checkpoints, and
// the clients go on together.
void Master::end_epoch() {
    ++epoch_;
    if (is_top()) {
        replica_.failure.guard(replica_.team, [&] { record_epoch(); });
        if (replica_.failure.failed()) {  // the team learns why at the fold's end
            halt_ = Halt{Halt::Cause::rank_failed, "the top master could not validate"};
            stop_everyone();
            return;
        }
    } else {
        sync_with_top(true);
        if (stopped_) return;
    }
    if (replica_.checkpoints()) {
        torch::serialize::OutputArchive archive = replica_.checkpoint.start({epoch_, 0});
        save(archive);
        replica_.checkpoint.save(archive);
    }
    if (is_top()) replica_.report(history_.back(), staleness_details());
    for (int client : parked_) send_release(replica_.team, client, {staleness_.version(), Verdict::go_on});
    parked_.clear();
    if (epoch_ == replica_.hyper.epochs) active_.clear();
}

void Master::stop_everyone() {
    stopped_ = true;
    for (int client : pending_) reply(client, Verdict::stop);
    for (int client : parked_) {
        if (std::find(pending_.begin(), pending_.end(), client) == pending_.end()) {
            send_release(replica_.team, client, {staleness_.version(), Verdict::stop});
        }
    }
    for (int client : pending_) active_.erase(client);
    for (int client : parked_) active_.erase(client);
    pending_.clear();
    parked_.clear();
}

void Master::reply(int client, Verdict verdict) {
    FlatModel& flat = replica_.flat;
    const torch::Tensor& values =
        rule_ == Rule::elastic ? flat.exchange().slice(0, 0, flat.size()) : flat.parameters();
    send_answer(replica_.team, client, values, {staleness_.version(), verdict});
}

// A sub-master's exchange with the top master, in the team's algorithm: its displacement since
// the last exchange (its weights with EASGD), with the loss and samples its workers reported.
void Master::sync_with_top(bool end_of_epoch) {
    FlatModel& flat = replica_.flat;
    torch::NoGradGuard no_grad;
    const Rule upward = rule_for(replica_.settings.algorithm, true);
    torch::Tensor values = flat.exchange().slice(0, 0, flat.size());
    values.copy_(flat.parameters());
    if (upward == Rule::displacement) values.sub_(base_);
    flat.loss_slot() = static_cast<float>(loss_sum_);
    flat.sample_count_slot() = static_cast<float>(samples_);
    const UpdateHeader header{based_on_top_, end_of_epoch ? 1 : 0, since(staleness_.statistics(), reported_)};
    torch::Tensor answer = upward == Rule::elastic ? values : flat.parameters();
    const ReplyState state = exchange_with_master(replica_.team, 0, header, flat.exchange(), answer);
    if (upward == Rule::elastic) flat.parameters().sub_(values);
    base_.copy_(flat.parameters());
    based_on_top_ = state.version;
    reported_ = staleness_.statistics();
    loss_sum_ = samples_ = 0;
    updates_since_sync_ = 0;
    if (state.verdict == Verdict::stop) stop_everyone();
}

void Master::record_epoch() {
    const auto [loss, error] = validate_alone(replica_.learner);
    history_.push_back({epoch_, loss_sum_ / std::max(samples_, 1.0), loss, error});
    loss_sum_ = samples_ = 0;
}

// What the journal keeps of the epoch besides its loss and FoM: the staleness of the updates so far.
Json Master::staleness_details() const {
    Json details = Json::object();
    if (roles_.has_sub_masters()) {
        details["staleness"] = to_json(served_by_sub_masters_);
        details["sub_master_staleness"] = to_json(staleness_.statistics());
    } else {
        details["staleness"] = to_json(staleness_.statistics());
    }
    return details;
}

void Master::save(torch::serialize::OutputArchive& archive) {
    archive.write("parameters", replica_.flat.parameters());
    if (optimizer_) {
        torch::serialize::OutputArchive optimizer;
        optimizer_->save(optimizer);
        archive.write("optimizer", optimizer);
    }
    archive.write("staleness", to_tensor(staleness_.version(), staleness_.statistics()));
    if (is_top()) {
        archive.write("history", history_tensor(history_));
        archive.write("served_by_sub_masters", to_tensor(0, served_by_sub_masters_));
    } else {
        archive.write("based_on_top", torch::tensor(based_on_top_));
    }
}

void Master::restore(torch::serialize::InputArchive& archive) {
    torch::NoGradGuard no_grad;
    replica_.flat.parameters().copy_(read_tensor(archive, "parameters"));
    if (optimizer_) {
        torch::serialize::InputArchive optimizer;
        archive.read("optimizer", optimizer);
        optimizer_->load(optimizer);
    }
    const torch::Tensor staleness = read_tensor(archive, "staleness");
    staleness_.restore(staleness[0].item<std::int64_t>(), statistics_from(staleness));
    if (is_top()) {
        history_ = history_from(read_tensor(archive, "history"));
        served_by_sub_masters_ = statistics_from(read_tensor(archive, "served_by_sub_masters"));
    } else {
        based_on_top_ = read_int(archive, "based_on_top");
        base_.copy_(replica_.flat.parameters());
        reported_ = staleness_.statistics();
    }
}

}  // namespace hpopt::train::parameter_server
