#include "parameter_server.hpp"

#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "flat_model.hpp"
#include "hpopt/random/rng.hpp"
#include "hpopt/train/staleness.hpp"
#include "team.hpp"
#include "training_steps.hpp"

namespace hpopt::train {
namespace {

// Worker -> master: an update (the flat buffer: gradients or weights, then the loss sum and the
// sample count since the last update), preceded by the central version it is based on; done.
// Master -> worker: the reply buffer (weights or elastic difference), then {version, stop}.
enum Tag : int { update_version = 101, update = 102, done = 103, reply = 104, reply_state = 105 };

class ParameterServerRun {
public:
    ParameterServerRun(ModelWorkload& workload, const TrainingSettings& settings, const space::Params& params,
                       const FoldData& data, const workload::TrialContext& context)
        : workload_(workload),
          settings_(settings),
          hyper_(resolve(settings.defaults, params)),
          data_(data),
          context_(context),
          team_(context.team),
          model_(build_model(workload, params, context.seed)),
          flat_(*model_),
          optimizer_(make_optimizer(hyper_, model_->parameters())) {
        if (team_.size() < 2) throw workload::TrialFailure("a parameter server needs a master and at least one worker");
        team_.broadcast(flat_.parameters().data_ptr<float>(), flat_.size());
    }

    FoldTraining run() {
        std::string failure = team_.rank() == 0 ? serve() : work();
        // Every rank learns the outcome and the master's epoch records, so the team leaves together.
        std::vector<float> outcome(1 + 4 * static_cast<std::size_t>(hyper_.epochs), 0.0f);
        if (team_.rank() == 0) pack(outcome, failure.empty());
        team_.broadcast(outcome.data(), static_cast<std::int64_t>(outcome.size()));
        if (outcome[0] == 0.0f) {
            throw workload::TrialFailure(team_.rank() == 0 ? failure : "the master stopped the training");
        }
        unpack(outcome);
        const EpochRecord& last = history_.back();
        return {history_, settings_.fom == Fom::validation_loss ? last.validation_loss : last.validation_error,
                flat_.parameters().clone()};
    }

private:
    int workers() const { return team_.size() - 1; }
    std::int64_t shard_size() const { return data_.training_inputs.size(0) / workers(); }
    std::int64_t samples_per_epoch() const { return shard_size() * workers(); }

    // The master: applies updates in arrival order until every worker is done or told to stop.
    // Returns why it stopped the training, or "" when it ran to the end.
    std::string serve() {
        std::string failure;
        int active = workers();
        double loss_sum = 0, samples = 0;
        std::int64_t epoch = 0;
        while (active > 0) {
            const auto [source, tag] = team_.wait_for_message(MPI_ANY_SOURCE);
            if (tag == done) {
                team_.receive(static_cast<float*>(nullptr), 0, source, done);
                --active;
                continue;
            }
            std::int64_t based_on = 0;
            team_.receive(&based_on, 1, source, update_version);
            team_.receive(flat_.exchange().data_ptr<float>(), flat_.size() + 2, source, update);
            const float batch_loss = flat_.loss_slot(), batch_samples = flat_.stop_slot();
            if (failure.empty() && !std::isfinite(batch_loss)) failure = fmt::format("the training loss is {}", batch_loss);
            if (failure.empty() && context_.past_deadline()) failure = fmt::format("stopped at the trial's deadline in epoch {}", epoch + 1);
            const bool stop = !failure.empty();
            if (!stop) apply(based_on);
            answer(source, stop);
            if (stop) {
                --active;  // a worker told to stop sends nothing more
                continue;
            }
            loss_sum += batch_loss;
            samples += batch_samples;
            while (epoch < hyper_.epochs && samples >= static_cast<double>((epoch + 1) * samples_per_epoch())) {
                ++epoch;
                record_epoch(epoch, loss_sum / static_cast<double>(samples_per_epoch()));
                loss_sum = 0;
            }
        }
        if (failure.empty() && epoch < hyper_.epochs) failure = "the workers ended before the last epoch";
        return failure;
    }

    // Downpour: a step of the master's optimizer with the worker's gradient; EASGD: the centre
    // moves towards the worker's weights, and the difference goes back to it.
    void apply(std::int64_t based_on) {
        torch::NoGradGuard no_grad;
        torch::Tensor update = flat_.exchange().slice(0, 0, flat_.size());
        if (settings_.algorithm == Algorithm::downpour) {
            const double weight = staleness_.weigh(based_on);
            if (weight == 0.0) return;
            update.mul_(weight);
            flat_.use_exchange_as_gradients();
            optimizer_->step();
            return;
        }
        update.sub_(flat_.parameters()).mul_(settings_.elastic_alpha);  // alpha (x_worker - centre)
        flat_.parameters().add_(update);
    }

    void answer(int destination, bool stop) {
        const torch::Tensor& payload =
            settings_.algorithm == Algorithm::downpour ? flat_.parameters() : flat_.exchange();
        team_.send(payload.data_ptr<float>(), flat_.size(), destination, reply);
        const std::int64_t state[2] = {staleness_.version(), stop ? 1 : 0};
        team_.send(state, 2, destination, reply_state);
    }

    void record_epoch(std::int64_t epoch, double training_loss) {
        const std::int64_t n = data_.validation_inputs.size(0);
        const auto [loss, errors] =
            loss_and_error_sums(workload_, model_, data_.validation_inputs, data_.validation_targets, data_.classes);
        EpochRecord record{epoch, training_loss, loss / static_cast<double>(n),
                           data_.classes > 0 ? errors / static_cast<double>(n) : 0.0};
        history_.push_back(record);
        if (settings_.checkpoints && !context_.checkpoint_dir.empty()) save_central_model(epoch);
        if (context_.report_epoch) {
            context_.report_epoch(epoch, settings_.fom == Fom::validation_loss ? record.validation_loss : record.validation_error);
        }
    }

    // The central model, as the test-set evaluation reads it (fold-F.rank-0.pt). Continuing a
    // parameter-server fold from it is not there yet: that needs the workers' state too.
    void save_central_model(std::int64_t epoch) {
        torch::serialize::OutputArchive archive;
        archive.write("parameters", flat_.parameters());
        archive.write("epoch", torch::tensor(epoch));
        std::filesystem::create_directories(context_.checkpoint_dir);
        const std::filesystem::path file =
            std::filesystem::path(context_.checkpoint_dir) / fmt::format("fold-{}.rank-0.pt", context_.fold);
        archive.save_to(file.string() + ".partial");
        std::filesystem::rename(file.string() + ".partial", file);
    }

    // A worker: its shard of every epoch, batch after batch. Returns "" (the master decides).
    std::string work() {
        const int worker = team_.rank() - 1;
        std::int64_t based_on = 0;
        float loss_since = 0, samples_since = 0;
        std::int64_t local_steps = 0;
        for (std::int64_t epoch = 1; epoch <= hyper_.epochs; ++epoch) {
            const std::uint64_t epoch_seed = random::derive_seed(context_.seed, static_cast<std::uint64_t>(epoch));
            torch::manual_seed(random::derive_seed(epoch_seed, static_cast<std::uint64_t>(team_.rank())));
            const torch::Tensor shard = epoch_order(data_.training_inputs.size(0), epoch_seed)
                                            .slice(0, worker * shard_size(), (worker + 1) * shard_size());
            for (std::int64_t begin = 0; begin < shard_size(); begin += hyper_.batch_size) {
                const torch::Tensor indices = shard.slice(0, begin, std::min(shard_size(), begin + hyper_.batch_size));
                loss_since += local_step(indices);
                samples_since += static_cast<float>(indices.size(0));
                const bool last_of_epoch = begin + hyper_.batch_size >= shard_size();
                if (settings_.algorithm == Algorithm::easgd && ++local_steps % settings_.communication_period != 0 &&
                    !last_of_epoch) {
                    continue;
                }
                if (exchange(loss_since, samples_since, based_on)) return "";
                loss_since = samples_since = 0;
            }
        }
        team_.send(static_cast<const float*>(nullptr), 0, 0, done);
        return "";
    }

    // Forward and backward on a batch; with EASGD also the worker's own optimizer step.
    float local_step(const torch::Tensor& indices) {
        flat_.clear_gradients();
        const torch::Tensor outputs = model_->forward(data_.training_inputs.index_select(0, indices));
        const torch::Tensor loss = workload_.loss_sum(outputs, data_.training_targets.index_select(0, indices), data_.classes);
        (loss / static_cast<double>(indices.size(0))).backward();
        if (settings_.algorithm == Algorithm::easgd) optimizer_->step();
        return loss.item<float>();
    }

    // Sends the update and takes the master's reply; true when the master says stop.
    bool exchange(float loss, float samples, std::int64_t& based_on) {
        torch::NoGradGuard no_grad;
        if (settings_.algorithm == Algorithm::downpour) {
            flat_.gather_gradients();
        } else {
            flat_.exchange().slice(0, 0, flat_.size()).copy_(flat_.parameters());
        }
        flat_.loss_slot() = loss;
        flat_.stop_slot() = samples;  // the slot carries the sample count to the master
        team_.send(&based_on, 1, 0, update_version);
        team_.send(flat_.exchange().data_ptr<float>(), flat_.size() + 2, 0, update);
        team_.wait_for_message(0);
        if (settings_.algorithm == Algorithm::downpour) {
            team_.receive(flat_.parameters().data_ptr<float>(), flat_.size(), 0, reply);
        } else {
            team_.receive(flat_.exchange().data_ptr<float>(), flat_.size(), 0, reply);
            flat_.parameters().sub_(flat_.exchange().slice(0, 0, flat_.size()));
        }
        std::int64_t state[2] = {0, 0};
        team_.receive(state, 2, 0, reply_state);
        based_on = state[0];
        return state[1] != 0;
    }

    void pack(std::vector<float>& outcome, bool ok) const {
        outcome[0] = ok ? 1.0f : 0.0f;
        for (std::size_t i = 0; i < history_.size(); ++i) {
            const EpochRecord& r = history_[i];
            const float values[4] = {static_cast<float>(r.epoch), static_cast<float>(r.training_loss),
                                     static_cast<float>(r.validation_loss), static_cast<float>(r.validation_error)};
            std::copy(values, values + 4, outcome.begin() + static_cast<std::ptrdiff_t>(1 + 4 * i));
        }
    }

    void unpack(const std::vector<float>& outcome) {
        history_.clear();
        for (std::int64_t i = 0; i < hyper_.epochs; ++i) {
            const float* r = outcome.data() + 1 + 4 * i;
            history_.push_back({static_cast<std::int64_t>(r[0]), r[1], r[2], r[3]});
        }
    }

    ModelWorkload& workload_;
    const TrainingSettings& settings_;
    Hyperparameters hyper_;
    const FoldData& data_;
    const workload::TrialContext& context_;
    Team team_;
    torch::nn::Sequential model_;
    FlatModel flat_;
    std::unique_ptr<torch::optim::Optimizer> optimizer_;
    StalenessCounter staleness_{settings_.max_staleness, settings_.scale_by_staleness};
    std::vector<EpochRecord> history_;
};

}  // namespace

FoldTraining train_with_parameter_server(ModelWorkload& workload, const TrainingSettings& settings,
                                         const space::Params& params, const FoldData& data,
                                         const workload::TrialContext& context) {
    return ParameterServerRun(workload, settings, params, data, context).run();
}

}  // namespace hpopt::train
