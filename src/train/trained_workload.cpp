#include "hpopt/train/trained_workload.hpp"

#include <dlfcn.h>
#include <malloc.h>

#include <filesystem>

#include <fmt/format.h>

#include "hpopt/train/fold_trainer.hpp"
#include "hpopt/workload/team.hpp"
#include "train/checkpoint.hpp"
#include "train/flat_model.hpp"
#include "train/learner.hpp"
#include "train/training_device.hpp"

namespace hpopt::train {
namespace fs = std::filesystem;
namespace {

// A model workload or an adversarial one (the framework trains both alike, see learner.hpp).
template <class Trainable>
class TrainedWorkload : public workload::Workload {
public:
    TrainedWorkload(std::unique_ptr<Trainable> trainable, const TrainingSettings& settings)
        : trainable_(std::move(trainable)), settings_(settings) {
        prepare_process_for_training(settings_.threads);
    }

    std::string fom_name() const override {
        if constexpr (std::is_same_v<Trainable, AdversarialWorkload>) {
            return trainable_->fom_name();
        } else {
            return to_string(settings_.fom);
        }
    }

    bool trains_as_team() const override { return true; }

    // Beside the FoM, the model's size and speed as figures, to be objectives or constraints.
    double evaluate(const space::Params& params, const workload::TrialContext& context) override {
        const FoldTraining training = train_fold(*trainable_, settings_, params, fold_on_every_rank(context), context);
        if (context.report_figures) {
            context.report_figures({{"parameters", training.parameter_count}, {"inference_s", training.inference_s}});
        }
        return training.fom;
    }

    // The mean over the trial's folds of each fold's final model (its checkpoint) on the test set.
    Json test_figures(const space::Params& params, const workload::TrialContext& context) override {
        const auto test = trainable_->test_data();
        if (!test || test->size() == 0 || context.checkpoint_dir.empty()) return nullptr;
        FoldData test_fold;
        std::tie(test_fold.validation_inputs, test_fold.validation_targets) = tensors(*test);
        test_fold.classes = test->classes;
        const TrainingParameters hyper = resolve(settings_.defaults, params);
        double loss = 0, error = 0;
        for (int f = 0; f < context.folds; ++f) {
            std::vector<fs::path> files;
            for (int rank = 0; rank < model_files(); ++rank) {
                files.push_back(fs::path(context.checkpoint_dir) / fmt::format("fold-{}.rank-{}.pt", f, rank));
                if (!fs::exists(files.back())) return nullptr;
            }
            const auto learner = make_learner(*trainable_, params, hyper, test_fold, context.seed, training_device(settings_.devices));
            load_parameters(learner->module(), files);
            const auto [fold_loss, fold_error] = validate_alone(*learner);
            loss += fold_loss / context.folds;
            error += fold_error / context.folds;
        }
        Json figures{{"test_samples", test->size()}};
        if constexpr (std::is_same_v<Trainable, AdversarialWorkload>) {
            figures["test_" + trainable_->fom_name()] = loss;
        } else {
            figures["test_loss"] = loss;
            if (test->classes > 0) figures["test_accuracy"] = 1 - error;
        }
        return figures;
    }

private:
    // The fold's data, or the same failure on every rank of the team when any rank could not read
    // it (a file missing on one node): a rank that left alone would leave the others waiting.
    const FoldData& fold_on_every_rank(const workload::TrialContext& context) {
        const FoldData* data = nullptr;
        workload::as_team(context.team, [&] { data = &fold(context.fold, context.folds); });
        return *data;
    }

    // A fold's tensors, kept for the next trial of the same fold.
    const FoldData& fold(int index, int folds) {
        if (cached_fold_ != index || cached_folds_ != folds) {
            const auto data = trainable_->training_data();
            cached_ = fold_data(*data, data::split_fold(*data, {folds, settings_.holdout, settings_.stratified, settings_.split_seed}, index));
            cached_fold_ = index;
            cached_folds_ = folds;
        }
        return cached_;
    }

    // The checkpoint files that hold a whole model between them: the team's first rank's, or the
    // first worker's stages' of a pipeline.
    int model_files() const {
        return settings_.parallelism == Parallelism::pipeline ? settings_.layout.ranks_per_worker : 1;
    }

    // The parameters of `files` one after the other (a pipeline's stages hold consecutive blocks)
    // and their buffers.
    static void load_parameters(torch::nn::Module& module, const std::vector<fs::path>& files) {
        std::vector<torch::serialize::InputArchive> archives(files.size());
        std::vector<torch::Tensor> blocks;
        for (std::size_t i = 0; i < files.size(); ++i) {
            archives[i].load_from(files[i].string(), torch::kCPU);  // whatever device saved it
            blocks.push_back(read_tensor(archives[i], "parameters"));
        }
        const torch::Tensor parameters = torch::cat(blocks);
        FlatModel flat(module);
        if (parameters.numel() != flat.size()) throw std::runtime_error(files.front().string() + " holds another model");
        torch::NoGradGuard no_grad;
        flat.parameters().copy_(parameters);
        for (auto& archive : archives) read_buffers(archive, module);
    }

    std::unique_ptr<Trainable> trainable_;
    TrainingSettings settings_;
    int cached_fold_ = -1, cached_folds_ = 0;
    FoldData cached_;
};

template <class Trainable>
workload::Plugin trained_plugin(std::string name, workload::Plugin::Kind kind, OptionsCheck check,
                                std::function<std::unique_ptr<Trainable>(const Json&, const space::Space&)> create) {
    workload::Plugin plugin;
    plugin.name = std::move(name);
    plugin.kind = kind;
    plugin.check = std::move(check);
    plugin.create = [create = std::move(create)](const Json& options, const space::Space& space, const TrainingSettings& training) {
        return trained_workload(create(options, space), training);
    };
    return plugin;
}

}  // namespace

void prepare_process_for_training(int threads) {
    torch::set_num_threads(threads);
    // OpenBLAS, when it is the BLAS (Debian's alternatives), keeps threads of its own: as many as
    // torch's, so that ranks sharing a node do not oversubscribe it.
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
    // glibc maps a block above its mmap threshold afresh, and every page of it faults in at first
    // use: Open MPI's nonblocking all-reduce allocates a temporary buffer per call, which made a
    // 1 MB gradient bucket's exchange cost 0.6 ms more, and the steps' temporaries cost too
    // (BENCHMARKS.md, "Communication overlapped with the backward pass"). Large blocks stay on
    // the heap instead, which keeps up to 256 MB free for the next ones.
    mallopt(M_MMAP_THRESHOLD, 128 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

std::unique_ptr<workload::Workload> trained_workload(std::unique_ptr<ModelWorkload> model, const TrainingSettings& settings) {
    return std::make_unique<TrainedWorkload<ModelWorkload>>(std::move(model), settings);
}

std::unique_ptr<workload::Workload> trained_workload(std::unique_ptr<AdversarialWorkload> pair, const TrainingSettings& settings) {
    return std::make_unique<TrainedWorkload<AdversarialWorkload>>(std::move(pair), settings);
}


workload::Plugin model_plugin(std::string name, OptionsCheck check,
                              std::function<std::unique_ptr<ModelWorkload>(const Json&, const space::Space&)> create) {
    return trained_plugin(std::move(name), workload::Plugin::Kind::model, std::move(check), std::move(create));
}

workload::Plugin adversarial_plugin(std::string name, OptionsCheck check,
                                    std::function<std::unique_ptr<AdversarialWorkload>(const Json&, const space::Space&)> create) {
    return trained_plugin(std::move(name), workload::Plugin::Kind::adversarial, std::move(check), std::move(create));
}

}  // namespace hpopt::train
