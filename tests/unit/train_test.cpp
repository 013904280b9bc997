#include <filesystem>
#include <functional>
#include <optional>

#include "../support/blobs_workload.hpp"
#include "../../src/train/energy_matching.hpp"
#include "../../src/train/flat_model.hpp"
#include "../../src/train/training_device.hpp"
#include "hpopt/train/fold_trainer.hpp"
#include "hpopt/train/sync_batch_norm.hpp"

#include "../support/doctest_with_torch.hpp"

using namespace hpopt;
namespace fs = std::filesystem;

namespace {

train::TrainingSettings settings_with(std::int64_t epochs, const std::string& optimizer = "sgd") {
    train::TrainingSettings settings;
    settings.defaults.epochs = epochs;
    settings.defaults.batch_size = 32;
    settings.defaults.optimizer = optimizer;
    settings.defaults.lr = 0.05;
    settings.defaults.momentum = 0.9;
    return settings;
}

workload::TrialContext context_in(const std::string& checkpoint_dir) {
    workload::TrialContext context;
    context.seed = 11;
    context.checkpoint_dir = checkpoint_dir;
    return context;
}

train::FoldData blob_fold(testing::BlobsWorkload& workload) {
    const auto data = workload.training_data();
    return train::fold_data(*data, data::split_fold(*data, {1, 0.25, true, 3}, 0));
}

fs::path fresh_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / "hpopt-train-test" / name;
    fs::remove_all(dir);
    return dir;
}

}  // namespace

TEST_CASE("alone, SyncBatchNorm normalizes as torch's BatchNorm does: outputs, gradients, running statistics") {
    torch::manual_seed(3);
    const torch::Tensor input = torch::randn({6, 3, 4, 4}) * 2 + 1;
    train::SyncBatchNorm ours(3);
    torch::nn::BatchNorm2d theirs(3);
    for (auto* norm : {&ours->weight, &ours->bias}) norm->data().uniform_(0.5, 1.5);
    {
        torch::NoGradGuard no_grad;
        theirs->weight.copy_(ours->weight);
        theirs->bias.copy_(ours->bias);
    }
    const torch::Tensor weights = torch::randn({6, 3, 4, 4});
    const torch::Tensor a = input.clone().requires_grad_(true), b = input.clone().requires_grad_(true);
    (ours->forward(a) * weights).sum().backward();
    (theirs->forward(b) * weights).sum().backward();
    CHECK(torch::allclose(ours->forward(a.detach()), theirs->forward(b.detach()), 1e-4, 1e-5));
    CHECK(torch::allclose(a.grad(), b.grad(), 1e-4, 1e-5));
    CHECK(torch::allclose(ours->weight.grad(), theirs->weight.grad(), 1e-4, 1e-5));
    CHECK(torch::allclose(ours->running_mean, theirs->running_mean, 1e-4, 1e-5));
    CHECK(torch::allclose(ours->running_var, theirs->running_var, 1e-4, 1e-5));
    ours->eval();
    theirs->eval();
    CHECK(torch::allclose(ours->forward(input), theirs->forward(input), 1e-4, 1e-5));
    // An empty share of a batch, alone: no NaN in the running statistics nor in the gradients.
    ours->train();
    ours->weight.mutable_grad().zero_();
    const torch::Tensor before = ours->running_mean.clone();
    ours->forward(torch::zeros({0, 3, 4, 4}, torch::requires_grad())).sum().backward();
    CHECK(torch::equal(ours->running_mean, before));
    CHECK(torch::isfinite(ours->weight.grad()).all().item<bool>());
}

TEST_CASE("training lowers the validation loss and error on a small problem") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    const train::FoldTraining trained = train::train_fold(workload, settings_with(5), Json::object(), data, context_in(""));
    REQUIRE(trained.epochs.size() == 5);
    CHECK(trained.epochs.back().validation_loss < 0.7 * trained.epochs.front().validation_loss);
    CHECK(trained.epochs.back().validation_error < 0.2);
    CHECK(trained.fom == trained.epochs.back().validation_loss);
}

TEST_CASE("a trial's parameters override the training defaults, and the same seed trains the same model") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    const Json params = {{"epochs", 2}, {"optimizer", "adam"}, {"lr", 0.01}, {"dropout", 0.2}};
    const auto first = train::train_fold(workload, settings_with(5), params, data, context_in(""));
    const auto second = train::train_fold(workload, settings_with(5), params, data, context_in(""));
    CHECK(first.epochs.size() == 2);
    CHECK(torch::equal(first.parameters, second.parameters));
    CHECK_THROWS_WITH(train::train_fold(workload, settings_with(5), Json{{"optimizer", "lbfgs"}}, data, context_in("")),
                      doctest::Contains("optimizer must be one of sgd, nesterov, adam, adamw, adagrad, adadelta, rmsprop"));
}

TEST_CASE("every optimizer lowers the validation loss") {
    for (const std::string optimizer : {"sgd", "nesterov", "adam", "adamw", "adagrad", "adadelta", "rmsprop"}) {
        CAPTURE(optimizer);
        testing::BlobsWorkload workload;
        const train::FoldData data = blob_fold(workload);
        train::TrainingSettings settings = settings_with(4, optimizer);
        settings.defaults.lr = optimizer == "adadelta" ? 1.0 : optimizer == "sgd" || optimizer == "nesterov" ? 0.05 : 0.01;
        settings.defaults.weight_decay = 1e-4;
        const auto trained = train::train_fold(workload, settings, Json::object(), data, context_in(""));
        CHECK(trained.epochs.back().validation_loss < 0.8 * trained.epochs.front().validation_loss);
    }
}

TEST_CASE("learning-rate schedules: step, cosine after the warm-up, and cuts on a plateau") {
    train::LrSchedule step;
    step.kind = train::LrSchedule::Kind::step;
    step.step_epochs = 2;
    step.factor = 0.5;
    CHECK(step.factor_at(1.9, 0, 10) == 1.0);
    CHECK(step.factor_at(2.0, 0, 10) == 0.5);
    CHECK(step.factor_at(5.0, 1, 10) == 0.25);  // 4 epochs past the warm-up
    train::LrSchedule cosine;
    cosine.kind = train::LrSchedule::Kind::cosine;
    cosine.min_fraction = 0.1;
    CHECK(cosine.factor_at(0.5, 1, 5) == 1.0);  // in the warm-up
    CHECK(cosine.factor_at(3, 1, 5) == doctest::Approx(0.55));  // half way: the mean of 1 and 0.1
    CHECK(cosine.factor_at(5, 1, 5) == doctest::Approx(0.1));
    train::LrSchedule plateau;
    plateau.kind = train::LrSchedule::Kind::plateau;
    plateau.patience = 2;
    plateau.factor = 0.5;
    train::Plateau state;
    for (double fom : {1.0, 0.8, 0.9, 0.85}) state.observe(fom, plateau);  // two epochs without beating 0.8
    CHECK(state.factor == 0.5);
    state.observe(0.7, plateau);
    state.observe(0.75, plateau);
    CHECK(state.factor == 0.5);  // one epoch since the best
    CHECK(plateau.factor_at(3, 0, 10) == 1.0);
}

TEST_CASE("a learner schedule sets the active workers and, with linear scaling, warms the rate up as they grow") {
    train::TrainingSettings settings;
    settings.layout.workers = 4;
    CHECK(settings.active_workers(7) == 4);  // no schedule: every worker
    settings.learner_schedule = {{0, 2}, {3, 4}, {5, 1}};
    CHECK(settings.active_workers(0) == 2);
    CHECK(settings.active_workers(2) == 2);
    CHECK(settings.active_workers(3) == 4);
    CHECK(settings.active_workers(6) == 1);
    CHECK(settings.learners_scale(1.5, 2) == 1.0);  // without linear scaling
    settings.linear_scaling = true;
    settings.warmup_epochs = 1;
    CHECK(settings.learners_scale(0.5, 2) == doctest::Approx(1 + (4 - 1) * 0.5));  // from 1 to 2 workers x 2 ranks
    CHECK(settings.learners_scale(2.0, 2) == 4.0);
    CHECK(settings.learners_scale(3.25, 2) == doctest::Approx(4 + (8 - 4) * 0.25));  // growing to 4 workers
    CHECK(settings.learners_scale(5.1, 2) == 2.0);  // shrinking: at once
    train::TrainingSettings constant;
    constant.layout.workers = 2;
    constant.linear_scaling = true;
    constant.warmup_epochs = 2;
    CHECK(constant.learners_scale(1.0, 1) == doctest::Approx(1.5));  // the warm-up as before schedules
}

TEST_CASE("momentum SGD changes its rate without a correction: torch keeps the rate out of the momentum buffer") {
    // Goyal et al. 2017: with v = m v + lr g, w -= v, a rate change from lr0 to lr1 needs v scaled
    // by lr1 / lr0 to equal the form u = m u + g, w -= lr u, which torch's SGD uses.
    const torch::Tensor start = torch::tensor({1.0, -2.0}, torch::kDouble);
    const std::vector<torch::Tensor> gradients = {torch::tensor({0.5, 0.1}, torch::kDouble), torch::tensor({-0.2, 0.3}, torch::kDouble),
                                                  torch::tensor({0.4, -0.6}, torch::kDouble)};
    const std::vector<double> rates = {0.1, 0.4, 0.05};
    const double m = 0.9;
    torch::Tensor w = start.clone().requires_grad_(true);
    torch::optim::SGD sgd({w}, torch::optim::SGDOptions(rates[0]).momentum(m));
    torch::Tensor corrected = start.clone(), v = torch::zeros_like(start);
    for (std::size_t t = 0; t < rates.size(); ++t) {
        for (auto& group : sgd.param_groups()) group.options().set_lr(rates[t]);
        w.mutable_grad() = gradients[t].clone();
        sgd.step();
        if (t > 0) v *= rates[t] / rates[t - 1];  // the momentum correction
        v = m * v + rates[t] * gradients[t];
        corrected -= v;
    }
    CHECK(torch::allclose(w.detach(), corrected, 1e-12, 1e-12));
}

TEST_CASE("training continued from a checkpoint gives the same next epoch as training straight through") {
    train::LrSchedule plateau;
    plateau.kind = train::LrSchedule::Kind::plateau;
    plateau.patience = 1;
    plateau.factor = 0.5;
    const std::vector<std::pair<std::string, train::LrSchedule>> cases = {
        {"sgd", {}}, {"adam", {}}, {"rmsprop", {}}, {"nesterov", {}}, {"adamw", {}}, {"adagrad", {}}, {"adadelta", {}}, {"sgd", plateau}};
    for (const auto& [optimizer, schedule] : cases) {
        CAPTURE(optimizer);
        const auto settings = [&, optimizer = optimizer, schedule = schedule](std::int64_t epochs) {
            train::TrainingSettings made = settings_with(epochs, optimizer);
            made.lr_schedule = schedule;
            return made;
        };
        testing::BlobsWorkload workload;
        const train::FoldData data = blob_fold(workload);
        const Json params = {{"dropout", 0.1}};
        const fs::path dir = fresh_dir("continue-" + optimizer + (schedule.kind == train::LrSchedule::Kind::plateau ? "-plateau" : ""));
        const auto straight = train::train_fold(workload, settings(3), params, data, context_in(""));
        const auto stopped = train::train_fold(workload, settings(2), params, data, context_in(dir.string()));
        CHECK(fs::exists(dir / "fold-0.rank-0.pt"));
        workload::TrialContext context = context_in(dir.string());
        std::vector<std::int64_t> reported;
        context.report_epoch = [&](std::int64_t epoch, double, const Json&) { reported.push_back(epoch); };
        const auto continued = train::train_fold(workload, settings(3), params, data, context);
        CHECK(reported == std::vector<std::int64_t>{1, 2, 3});  // the epochs from the checkpoint too
        REQUIRE(continued.epochs.size() == 3);
        CHECK(continued.epochs[0].validation_loss == stopped.epochs[0].validation_loss);  // from the checkpoint
        CHECK(continued.epochs[2].training_loss == straight.epochs[2].training_loss);
        CHECK(continued.epochs[2].validation_loss == straight.epochs[2].validation_loss);
        CHECK(torch::equal(continued.parameters, straight.parameters));
    }
}

TEST_CASE("another trial's checkpoint is not continued from") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    const fs::path dir = fresh_dir("other-trial");
    const auto mine = train::train_fold(workload, settings_with(2), Json{{"dropout", 0.1}}, data, context_in(""));
    train::train_fold(workload, settings_with(2), Json{{"dropout", 0.2}}, data, context_in(dir.string()));
    const auto after = train::train_fold(workload, settings_with(2), Json{{"dropout", 0.1}}, data, context_in(dir.string()));
    CHECK(torch::equal(after.parameters, mine.parameters));
}

TEST_CASE("a NaN loss fails the trial with that reason") {
    auto data = std::make_shared<data::Dataset>(*testing::blobs(60, 1));
    data->features[5] = std::numeric_limits<float>::quiet_NaN();
    testing::BlobsWorkload workload(data);
    const train::FoldData fold = train::fold_data(*data, data::split_fold(*data, {1, 0.25, false, 3}, 0));
    train::TrainingSettings settings = settings_with(2);
    settings.defaults.batch_size = 1000;  // one step an epoch, the NaN sample in it
    CHECK_THROWS_WITH_AS(train::train_fold(workload, settings, Json::object(), fold, context_in("")),
                         doctest::Contains("the training loss is nan in epoch 1"), workload::TrialFailure);
}

TEST_CASE("a flat model's gradients take the exchange buffer's values when asked, after the collective") {
    torch::nn::Linear model(3, 2);
    train::FlatModel flat(*model);
    flat.clear_gradients();
    model->forward(torch::ones({4, 3})).sum().backward();
    const torch::Tensor computed = model->weight.grad().clone();
    flat.gather_gradients();
    CHECK(torch::equal(flat.exchange().slice(0, 0, 6).view({2, 3}), computed));
    flat.exchange().mul_(2);  // what a sum over two equal replicas leaves
    flat.use_exchange_as_gradients();
    CHECK(torch::equal(model->weight.grad(), 2 * computed));
    // On the CPU, MPI works on a tensor's own memory.
    const float* seen = nullptr;
    train::on_host(flat.parameters(), [&](float* values) { seen = values; });
    CHECK(seen == flat.parameters().data_ptr<float>());
}

TEST_CASE("training.devices: the CPU without GPUs; a listed device this process cannot use fails the trial") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    train::TrainingSettings settings = settings_with(1);
    CHECK(train::train_fold(workload, settings, Json::object(), data, context_in("")).epochs.size() == 1);  // "auto"
    settings.devices = {workload::Devices::Kind::listed, {"0"}};
    setenv("CUDA_VISIBLE_DEVICES", "", 1);  // the launcher shows no GPU
    CHECK_THROWS_WITH_AS(train::train_fold(workload, settings, Json::object(), data, context_in("")),
                         "training.devices: device 0 is not among those this process sees (none)", workload::TrialFailure);
    setenv("CUDA_VISIBLE_DEVICES", "0", 1);
    if (torch::cuda::is_available()) {
        CHECK(train::training_device(settings.devices) == torch::Device(torch::kCUDA, 0));
    } else {
        CHECK_THROWS_WITH_AS(train::train_fold(workload, settings, Json::object(), data, context_in("")),
                             doctest::Contains("this libtorch was built without CUDA"), workload::TrialFailure);
        // "auto" with a GPU in sight but a CPU-only libtorch: the CPU, as without GPUs.
        CHECK(train::training_device({}) == torch::Device(torch::kCPU));
    }
    unsetenv("CUDA_VISIBLE_DEVICES");
}

TEST_CASE("a trial past its deadline stops between steps") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    workload::TrialContext context = context_in("");
    context.deadline = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH_AS(train::train_fold(workload, settings_with(3), Json::object(), data, context),
                         doctest::Contains("deadline"), workload::TrialFailure);
}

TEST_CASE("an interrupted training stops between steps and goes on from its last checkpoint as if never stopped") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    const Json params = {{"dropout", 0.1}};
    const auto straight = train::train_fold(workload, settings_with(3, "adam"), params, data, context_in(""));
    const fs::path dir = fresh_dir("interrupted");
    workload::TrialContext context = context_in(dir.string());
    std::int64_t epochs_done = 0;
    context.report_epoch = [&](std::int64_t epoch, double, const Json&) { epochs_done = epoch; };
    context.interruption = [&] { return epochs_done == 2; };
    CHECK_THROWS_WITH_AS(train::train_fold(workload, settings_with(3, "adam"), params, data, context),
                         "interrupted in epoch 3", workload::TrialInterrupted);
    const auto continued = train::train_fold(workload, settings_with(3, "adam"), params, data, context_in(dir.string()));
    CHECK(torch::equal(continued.parameters, straight.parameters));
}

// A run of `settings` that counts its training steps (the first rank asks for a request once
// per step) and is cut, as by an interruption or a crash, at the step `cut_at` (from 1; 0: never).
struct CutRun {
    std::int64_t steps = 0;
    std::optional<train::FoldTraining> trained;
};

CutRun run_cut(testing::BlobsWorkload& workload, const train::TrainingSettings& settings, const train::FoldData& data,
               const fs::path& dir, std::int64_t cut_at, const std::function<void()>& cut) {
    CutRun run;
    workload::TrialContext context = context_in(dir.string());
    context.interruption = [&] {
        if (++run.steps == cut_at) cut();
        return false;
    };
    const Json params = {{"dropout", 0.1}};
    try {
        run.trained = train::train_fold(workload, settings, params, data, context);
    } catch (const std::exception&) {
    }
    return run;
}

void check_same_training(const train::FoldTraining& continued, const train::FoldTraining& straight) {
    REQUIRE(continued.epochs.size() == straight.epochs.size());
    for (std::size_t e = 0; e < straight.epochs.size(); ++e) {
        CAPTURE(e);
        CHECK(continued.epochs[e].training_loss == straight.epochs[e].training_loss);
        CHECK(continued.epochs[e].validation_loss == straight.epochs[e].validation_loss);
    }
    CHECK(torch::equal(continued.parameters, straight.parameters));
}

TEST_CASE("an interruption inside an epoch checkpoints there: the fold goes on loss for loss, no step trained twice") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    const train::TrainingSettings settings = settings_with(3, "adam");  // 15 steps an epoch
    const auto straight = run_cut(workload, settings, data, fresh_dir("straight"), 0, [] {});
    REQUIRE(straight.trained);
    CHECK(straight.steps == 45);
    const fs::path dir = fresh_dir("interrupted-inside");
    workload::TrialContext context = context_in(dir.string());
    std::int64_t steps = 0;
    context.interruption = [&] { return ++steps == 20; };  // epoch 2's 5th step
    CHECK_THROWS_WITH_AS(train::train_fold(workload, settings, {{"dropout", 0.1}}, data, context), "interrupted in epoch 2",
                         workload::TrialInterrupted);
    const auto continued = run_cut(workload, settings, data, dir, 0, [] {});
    REQUIRE(continued.trained);
    CHECK(continued.steps == 45 - 20);
    check_same_training(*continued.trained, *straight.trained);
}

TEST_CASE("with checkpoint_every_s a fold that crashed inside an epoch goes on from its last step's checkpoint, loss for loss") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    train::TrainingSettings settings = settings_with(3, "adam");
    const auto straight = run_cut(workload, settings, data, fresh_dir("straight-every"), 0, [] {});
    settings.checkpoint_every_s = 1e-9;  // every step
    const fs::path dir = fresh_dir("crashed-inside");
    const auto crashed = run_cut(workload, settings, data, dir, 20, [] { throw std::runtime_error("node lost"); });
    CHECK_FALSE(crashed.trained);
    const auto continued = run_cut(workload, settings, data, dir, 0, [] {});
    REQUIRE(continued.trained);
    CHECK(continued.steps == 45 - 19);  // the 20th step had not been applied
    check_same_training(*continued.trained, *straight.trained);
}

TEST_CASE("a training stopped early leaves at its next step, its checkpoint kept for a later continuation") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    const fs::path dir = fresh_dir("stopped-early");
    workload::TrialContext context = context_in(dir.string());
    std::int64_t epochs_done = 0;
    context.report_epoch = [&](std::int64_t epoch, double, const Json&) { epochs_done = epoch; };
    context.early_stop = [&] { return epochs_done == 1; };
    CHECK_THROWS_WITH_AS(train::train_fold(workload, settings_with(3), Json::object(), data, context), "stopped early in epoch 2",
                         workload::TrialStopped);
    CHECK(fs::exists(dir / "fold-0.rank-0.pt"));
}

TEST_CASE("gradient energy matching scales a worker's step to keep the collective at kappa times the proxy") {
    const torch::Tensor start = torch::zeros({3});
    train::EnergyMatching gem(start, /*lr=*/0.1, /*momentum=*/0.5, /*kappa=*/2.0);
    // First step: the central model has not moved, the proxy is the step itself: rho = kappa.
    torch::Tensor first = torch::tensor({1.0f, -2.0f, 0.0f});
    gem.update_in_place(first, start);
    CHECK(torch::allclose(first, torch::tensor({-0.2f, 0.4f, 0.0f})));
    // The centre then moved by 0.3 in the first component (others' updates too), 0 in the second:
    // proxy = 0.5 * (-0.1, 0.2) + (-0.1, 0.2) = (-0.15, 0.3); rho = (2 |proxy| - |moved|) / |step|.
    const torch::Tensor moved = torch::tensor({-0.3f, 0.0f, 0.0f});
    torch::Tensor second = torch::tensor({1.0f, -2.0f, 0.0f});
    gem.update_in_place(second, moved);
    CHECK(second[0].item<float>() == doctest::Approx(-0.1 * (0.3 - 0.3) / 0.1));  // the centre has the energy already
    CHECK(second[1].item<float>() == doctest::Approx(0.2 * std::min(5.0, 0.6 / 0.2)));
    // A component with no gradient stays put.
    CHECK(second[2].item<float>() == 0.0f);
}
