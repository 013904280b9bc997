// The calo_gan workload trained by the framework: its figure of merit separates an untrained
// generator from a trained one, and a GAN fold continues from its checkpoints exactly.
#include <filesystem>

#include "../support/calo_gan_workload.hpp"

#include "../support/doctest_with_torch.hpp"

using namespace hpopt;
namespace fs = std::filesystem;

namespace {

workload::TrialContext context_in(const std::string& checkpoint_dir) {
    workload::TrialContext context;
    context.seed = 7;
    context.checkpoint_dir = checkpoint_dir;
    return context;
}

// The physics distance of a pair's showers for the validation energies.
double figure_of(train::AdversarialWorkload& workload, train::AdversarialPair& pair, const train::FoldData& fold) {
    auto comparison = workload.comparison(fold.validation_targets);
    comparison->add(pair.generate(fold.validation_targets), fold.validation_inputs, fold.validation_targets);
    comparison->sums();
    return comparison->figure_of_merit();
}

}  // namespace

TEST_CASE("training brings the generated showers closer to the real ones than the untrained generator's") {
    auto workload = testing::small_calo_gan(200);
    const train::FoldData fold = testing::gan_fold(*workload);
    torch::manual_seed(7);
    const double untrained = figure_of(*workload, *workload->build(Json::object()), fold);
    const train::FoldTraining trained = train::train_fold(*workload, testing::gan_settings(4), Json::object(), fold, context_in(""));
    REQUIRE(trained.epochs.size() == 4);
    CAPTURE(untrained);
    CAPTURE(trained.epochs.front().validation_loss);
    CHECK(trained.fom == trained.epochs.back().validation_loss);
    // Here: 0.36 untrained, then 0.34, 0.26, 0.21, 0.20 after each epoch.
    CHECK(trained.fom < trained.epochs.front().validation_loss);
    CHECK(trained.fom < 0.7 * untrained);
    CHECK(trained.epochs.back().training_loss > 0);
}

TEST_CASE("a GAN fold continues from its checkpoints as if it had not stopped") {
    auto workload = testing::small_calo_gan(100);
    const train::FoldData fold = testing::gan_fold(*workload);
    const fs::path dir = fs::temp_directory_path() / "hpopt-calo-gan-test";
    fs::remove_all(dir);
    const auto straight = train::train_fold(*workload, testing::gan_settings(2), Json::object(), fold, context_in(""));
    train::train_fold(*workload, testing::gan_settings(1), Json::object(), fold, context_in(dir.string()));
    REQUIRE(fs::exists(dir / "fold-0.rank-0.pt"));
    const auto continued = train::train_fold(*workload, testing::gan_settings(2), Json::object(), fold, context_in(dir.string()));
    CHECK(torch::equal(continued.parameters, straight.parameters));
    CHECK(continued.fom == straight.fom);
    fs::remove_all(dir);
}
