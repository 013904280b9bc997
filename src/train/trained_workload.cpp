#include "hpopt/train/trained_workload.hpp"

#include <dlfcn.h>

#include <filesystem>

#include <fmt/format.h>

#include "flat_model.hpp"
#include "team.hpp"
#include "hpopt/train/fold_trainer.hpp"

namespace hpopt::train {
namespace fs = std::filesystem;
namespace {

class TrainedWorkload : public workload::Workload {
public:
    TrainedWorkload(std::unique_ptr<ModelWorkload> model, const TrainingSettings& settings)
        : model_(std::move(model)), settings_(settings) {
        torch::set_num_threads(settings_.threads);
        // OpenBLAS, when it is the BLAS (Debian's alternatives), keeps threads of its own: as
        // many as torch's, so that ranks sharing a node do not oversubscribe it.
        using SetThreads = void (*)(int);
        if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(settings_.threads);
    }

    std::string fom_name() const override { return to_string(settings_.fom); }
    bool trains_as_team() const override { return true; }

    double evaluate(const space::Params& params, const workload::TrialContext& context) override {
        return train_fold(*model_, settings_, params, fold_on_every_rank(context), context).fom;
    }

    // The mean over the trial's folds of each fold's final model (its checkpoint) on the test set.
    Json test_figures(const space::Params& params, const workload::TrialContext& context) override {
        const auto test = model_->test_data();
        if (!test || test->size() == 0 || context.checkpoint_dir.empty()) return nullptr;
        const auto [inputs, targets] = tensors(*test);
        double loss = 0, error = 0;
        for (int f = 0; f < context.folds; ++f) {
            const fs::path file = fs::path(context.checkpoint_dir) / fmt::format("fold-{}.rank-0.pt", f);
            if (!fs::exists(file)) return nullptr;
            torch::nn::Sequential model = model_->build_model(params);
            load_parameters(model, file);
            const auto [fold_loss, fold_error] = train::evaluate(*model_, model, inputs, targets, test->classes);
            loss += fold_loss / context.folds;
            error += fold_error / context.folds;
        }
        Json figures{{"test_loss", loss}, {"test_samples", test->size()}};
        if (test->classes > 0) figures["test_accuracy"] = 1 - error;
        return figures;
    }

private:
    // The fold's data, or a TrialFailure on every rank of the team when any rank could not read
    // it (a file missing on one node): a rank that left alone would leave the others waiting.
    const FoldData& fold_on_every_rank(const workload::TrialContext& context) {
        std::string failure;
        const FoldData* data = nullptr;
        try {
            data = &fold(context.fold, context.folds);
        } catch (const std::exception& error) {
            failure = error.what();
        }
        if (Team(context.team).max(failure.empty() ? 0 : 1) > 0) {
            throw workload::TrialFailure(failure.empty() ? "another rank of the fold team could not read the data" : failure);
        }
        return *data;
    }

    // A fold's tensors, kept for the next trial of the same fold.
    const FoldData& fold(int index, int folds) {
        if (cached_fold_ != index || cached_folds_ != folds) {
            const auto data = model_->training_data();
            cached_ = fold_data(*data, data::split_fold(*data, {folds, settings_.holdout, settings_.stratified, settings_.split_seed}, index));
            cached_fold_ = index;
            cached_folds_ = folds;
        }
        return cached_;
    }

    static void load_parameters(torch::nn::Sequential& model, const fs::path& file) {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string());
        torch::Tensor parameters;
        archive.read("parameters", parameters);
        FlatModel flat(*model);
        if (parameters.numel() != flat.size()) throw std::runtime_error(file.string() + " holds another model");
        torch::NoGradGuard no_grad;
        flat.parameters().copy_(parameters);
    }

    std::unique_ptr<ModelWorkload> model_;
    TrainingSettings settings_;
    int cached_fold_ = -1, cached_folds_ = 0;
    FoldData cached_;
};

}  // namespace

std::unique_ptr<workload::Workload> trained_workload(std::unique_ptr<ModelWorkload> model, const TrainingSettings& settings) {
    return std::make_unique<TrainedWorkload>(std::move(model), settings);
}

std::unique_ptr<workload::Workload> make_workload(const workload::Plugin& plugin, const Json& options,
                                                  const space::Space& space, const TrainingSettings& settings) {
    if (plugin.create) return plugin.create(options, space);
    return trained_workload(plugin.create_model(options, space), settings);
}

}  // namespace hpopt::train
