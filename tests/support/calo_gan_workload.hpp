#pragma once
// The calo_gan workload as tests use it: on simulated showers, with networks small enough to
// train in seconds.
#include "calo_gan.hpp"
#include "hpopt/train/fold_trainer.hpp"

namespace hpopt::testing {

inline std::unique_ptr<train::AdversarialWorkload> small_calo_gan(std::int64_t showers) {
    const Json options = {{"plugin", "calo_gan"},
                          {"generator_channels", 4},
                          {"discriminator_channels", 4},
                          {"latent_size", 16},
                          {"data", {{"simulate", {{"count", showers}, {"test_count", 40}, {"seed", 3}}}}}};
    return calo_gan::calo_gan_workload(options);
}

inline train::TrainingSettings gan_settings(std::int64_t epochs) {
    train::TrainingSettings settings;
    settings.defaults.epochs = epochs;
    settings.defaults.batch_size = 8;
    settings.defaults.optimizer = "rmsprop";
    settings.defaults.lr = 0.0003;
    return settings;
}

inline train::FoldData gan_fold(train::AdversarialWorkload& workload) {
    const auto data = workload.training_data();
    return train::fold_data(*data, data::split_fold(*data, {1, 0.25, false, 3}, 0));
}

}  // namespace hpopt::testing
