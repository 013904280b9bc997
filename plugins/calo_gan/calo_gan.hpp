#pragma once
// The calo_gan workload (calo_gan.cpp) and its plugin; a library too, so that tests can train
// it directly.
#include <memory>

#include "hpopt/train/adversarial_workload.hpp"
#include "hpopt/train/trained_workload.hpp"

namespace hpopt::calo_gan {

// The workload for options that passed the plugin's check.
std::unique_ptr<train::AdversarialWorkload> calo_gan_workload(const Json& options);

workload::Plugin plugin();

}  // namespace hpopt::calo_gan
