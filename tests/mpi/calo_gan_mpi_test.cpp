// The calo_gan workload trained by two ranks (run with 2): by all-reduce, both ranks keep
// identical networks; with EASGD, one master and one worker, the master's central networks are
// validated and every rank returns the same history.
#include <mpi.h>

#include "../support/calo_gan_workload.hpp"

#include "../support/doctest_with_torch.hpp"

using namespace hpopt;

namespace {

train::FoldTraining train_pair(train::TrainingSettings settings) {
    auto workload = testing::small_calo_gan(64);
    const train::FoldData fold = testing::gan_fold(*workload);
    workload::TrialContext context;
    context.seed = 5;
    context.team = MPI_COMM_WORLD;
    return train::train_fold(*workload, settings, Json::object(), fold, context);
}

// The largest difference between this rank's values and rank 0's.
float largest_difference_from_rank_0(const torch::Tensor& values) {
    torch::Tensor first = values.clone();
    MPI_Bcast(first.data_ptr<float>(), static_cast<int>(first.numel()), MPI_FLOAT, 0, MPI_COMM_WORLD);
    float difference = (values - first).abs().max().item<float>();
    MPI_Allreduce(MPI_IN_PLACE, &difference, 1, MPI_FLOAT, MPI_MAX, MPI_COMM_WORLD);
    return difference;
}

}  // namespace

TEST_CASE("all-reduce keeps both ranks' generator and discriminator identical, every step averaging both phases") {
    for (const train::Averaging averaging : {train::Averaging::every_step, train::Averaging::kavg}) {
        train::TrainingSettings settings = testing::gan_settings(1);
        settings.averaging = averaging;
        settings.averaging_period = 2;
        const train::FoldTraining trained = train_pair(settings);
        CHECK(std::isfinite(trained.fom));
        CHECK(trained.fom > 0);
        CHECK(largest_difference_from_rank_0(trained.parameters) == 0.0f);
    }
}

TEST_CASE("easgd trains the pair with one master and one worker") {
    train::TrainingSettings settings = testing::gan_settings(2);
    settings.algorithm = train::Algorithm::easgd;
    settings.layout = {1, 1, 1, 1, 1};
    settings.communication_period = 2;
    const train::FoldTraining trained = train_pair(settings);
    REQUIRE(trained.epochs.size() == 2);
    CHECK(std::isfinite(trained.fom));
    CHECK(trained.fom > 0);
    // Every rank returns the master's history.
    torch::Tensor foms = torch::tensor({static_cast<float>(trained.epochs[0].validation_loss), static_cast<float>(trained.fom)});
    CHECK(largest_difference_from_rank_0(foms) == 0.0f);
}

TEST_CASE("downpour and gem refuse a pair of networks") {
    for (const train::Algorithm algorithm : {train::Algorithm::downpour, train::Algorithm::gem}) {
        train::TrainingSettings settings = testing::gan_settings(1);
        settings.algorithm = algorithm;
        settings.layout = {1, 1, 1, 1, 1};
        CHECK_THROWS_WITH_AS(train_pair(settings), "a workload of several networks trains with allreduce or easgd only",
                             workload::TrialFailure);
    }
}

#include "../support/mpi_doctest_main.hpp"
