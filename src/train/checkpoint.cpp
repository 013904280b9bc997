#include "train/checkpoint.hpp"

#include <fmt/format.h>

#include "hpopt/log/log.hpp"

namespace hpopt::train {
namespace fs = std::filesystem;

Checkpoint::Checkpoint(const workload::TrialContext& context, const space::Params& params, int team_rank, int team_size,
                       torch::Device device)
    : context_(context), params_(params), team_rank_(team_rank), team_size_(team_size), device_(device) {}

fs::path Checkpoint::file(int rank) const {
    return fs::path(context_.checkpoint_dir) / fmt::format("fold-{}.rank-{}.pt", context_.fold, rank);
}

// What makes a checkpoint this fold's: the trial's parameters and the fold's seed.
std::string Checkpoint::identity() const { return fmt::format("{} seed {}", params_.dump(), context_.seed); }

torch::serialize::OutputArchive Checkpoint::start(Position position) const {
    torch::serialize::OutputArchive archive;
    archive.write("trial", identity());
    archive.write("epoch", torch::tensor(position.epochs));
    archive.write("step", torch::tensor(position.steps));
    archive.write("team_size", torch::tensor(static_cast<std::int64_t>(team_size_)));
    return archive;
}

void Checkpoint::save(torch::serialize::OutputArchive& archive) {
    saved_ = std::chrono::steady_clock::now();
    // A checkpoint only saves time later: one that cannot be written (a full disk) is worth a
    // warning, not the trial, and a failure on one rank only must not split the team.
    try {
        fs::create_directories(context_.checkpoint_dir);
        const fs::path partial = file(team_rank_).string() + ".partial";
        archive.save_to(partial.string());
        fs::rename(partial, file(team_rank_));
    } catch (const std::exception& error) {
        log::warning("trial {} fold {}: checkpoint not written: {}", context_.trial_id, context_.fold, error.what());
    }
}

double Checkpoint::seconds_since_saved() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - saved_).count();
}

std::optional<torch::serialize::InputArchive> Checkpoint::open(std::int64_t last_epoch, Position& position,
                                                               bool replicas_agree) const {
    position = {};
    if (!enabled()) return std::nullopt;
    std::optional<Saved> saved = read(replicas_agree ? 0 : team_rank_, last_epoch);
    // Where replicas agree, the first rank's file saved by a team of another size stands for every
    // rank; otherwise each rank goes on from its own, saved by a team of this size.
    const bool resized = replicas_agree && saved && saved->team_size != team_size_;
    if (replicas_agree && !resized && team_rank_ != 0) saved = read(team_rank_, last_epoch);
    if (!saved || (!resized && saved->team_size != team_size_)) return std::nullopt;
    position = saved->position;
    return std::move(saved->archive);
}

std::optional<Checkpoint::Saved> Checkpoint::read(int rank, std::int64_t last_epoch) const {
    if (!fs::exists(file(rank))) return std::nullopt;
    try {
        Saved saved;
        saved.archive.load_from(file(rank).string(), device_);
        c10::IValue trial;
        saved.archive.read("trial", trial);
        saved.position = {read_int(saved.archive, "epoch"), read_int(saved.archive, "step")};
        saved.team_size = read_int(saved.archive, "team_size");
        const Position& at = saved.position;
        const bool within = at.steps == 0 ? at.epochs >= 1 && at.epochs <= last_epoch
                                          : at.steps > 0 && at.epochs >= 0 && at.epochs < last_epoch;
        if (trial.toStringRef() != identity() || !within) return std::nullopt;
        return saved;
    } catch (const c10::Error&) {
        return std::nullopt;
    }
}

void write_optimizers(torch::serialize::OutputArchive& archive, const std::vector<std::unique_ptr<torch::optim::Optimizer>>& optimizers) {
    for (std::size_t i = 0; i < optimizers.size(); ++i) {
        torch::serialize::OutputArchive state;
        optimizers[i]->save(state);
        archive.write(fmt::format("optimizer.{}", i), state);
        archive.write(fmt::format("optimizer.{}.lr", i), torch::tensor(optimizers[i]->param_groups().front().options().get_lr(), torch::kDouble));
    }
}

void read_optimizers(torch::serialize::InputArchive& archive, std::vector<std::unique_ptr<torch::optim::Optimizer>>& optimizers) {
    for (std::size_t i = 0; i < optimizers.size(); ++i) {
        torch::serialize::InputArchive state;
        archive.read(fmt::format("optimizer.{}", i), state);
        optimizers[i]->load(state);
        const double lr = read_tensor(archive, fmt::format("optimizer.{}.lr", i).c_str()).item<double>();
        for (auto& group : optimizers[i]->param_groups()) group.options().set_lr(lr);
    }
}

void write_buffers(torch::serialize::OutputArchive& archive, const torch::nn::Module& module) {
    for (const auto& buffer : module.named_buffers()) archive.write("buffer." + buffer.key(), buffer.value());
}

void read_buffers(torch::serialize::InputArchive& archive, torch::nn::Module& module) {
    torch::NoGradGuard no_grad;
    for (auto& buffer : module.named_buffers()) {
        torch::Tensor saved;
        if (archive.try_read("buffer." + buffer.key(), saved)) buffer.value().copy_(saved);
    }
}

std::int64_t read_int(torch::serialize::InputArchive& archive, const char* key) { return read_tensor(archive, key).item<std::int64_t>(); }

torch::Tensor read_tensor(torch::serialize::InputArchive& archive, const char* key) {
    torch::Tensor value;
    archive.read(key, value);
    return value;
}

torch::Tensor history_tensor(const std::vector<EpochRecord>& history) {
    torch::Tensor table = torch::empty({static_cast<std::int64_t>(history.size()), 4}, torch::kDouble);
    for (std::size_t i = 0; i < history.size(); ++i) {
        const EpochRecord& r = history[i];
        table[static_cast<std::int64_t>(i)] =
            torch::tensor({static_cast<double>(r.epoch), r.training_loss, r.validation_loss, r.validation_error}, torch::kDouble);
    }
    return table;
}

std::vector<EpochRecord> history_from(const torch::Tensor& table) {
    std::vector<EpochRecord> history;
    for (std::int64_t i = 0; i < table.size(0); ++i) {
        history.push_back({static_cast<std::int64_t>(table[i][0].item<double>()), table[i][1].item<double>(),
                           table[i][2].item<double>(), table[i][3].item<double>()});
    }
    return history;
}

}  // namespace hpopt::train
