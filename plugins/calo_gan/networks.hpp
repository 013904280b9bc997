#pragma once
// The calo_gan networks, after the 3DGAN of Khattak et al. (CERN openlab; "Three dimensional
// energy parametrized generative adversarial networks for electromagnetic shower simulation",
// 2018), sized for CPUs: a generator from a latent vector and the incident energy to a 25^3
// shower, and a Conv3d discriminator with two learned heads (real or fake, the incident energy)
// besides the shower's energy sum, which the losses compare with the expected response.
#include <torch/torch.h>

#include "hpopt/train/adversarial_workload.hpp"

namespace hpopt::calo_gan {

struct GanShape {
    std::int64_t latent_size = 32;
    std::int64_t generator_channels = 8;
    std::int64_t discriminator_channels = 8;
    double dropout = 0.2;  // the discriminator's
};

struct LossWeights {
    double adversarial = 1, energy = 0.5, energy_sum = 1;
};

// The generator shapes a shower (a softmax over its cells) and scales it to the energy sum the
// response gives for its incident energy, times a factor of its own choosing near 1 (the
// fluctuations): the sum is right from the start, and the adversarial game is about the shape.
class Generator : public torch::nn::Module {
public:
    Generator(const GanShape& shape, double response);
    // Showers [n, 1, 25, 25, 25] for energies [n] (in 100 GeV) and latent vectors [n, latent].
    torch::Tensor forward(const torch::Tensor& latent, const torch::Tensor& energies);

private:
    std::int64_t channels_;
    double response_;
    torch::nn::Linear seed_{nullptr}, scale_{nullptr};
    torch::nn::Conv3d middle_{nullptr}, fine_{nullptr}, out_{nullptr};
};

// The discriminator looks at log(1 + 100 x) of the cells: shower energies span decades.
class Discriminator : public torch::nn::Module {
public:
    explicit Discriminator(const GanShape& shape);
    // The real-or-fake logit [n] and the regressed incident energy [n], given the energy sums
    // that the response expects for the showers' incident energies.
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& showers, const torch::Tensor& expected_sums);

private:
    torch::nn::Conv3d first_{nullptr}, second_{nullptr};
    torch::nn::Dropout dropout_{nullptr};
    torch::nn::Linear real_{nullptr}, energy_{nullptr};
};

// The pair as the framework trains it. `response` is the training set's mean energy sum per
// unit of incident energy: the energy sum a generated shower should have.
class CaloPair : public train::AdversarialPair {
public:
    CaloPair(const GanShape& shape, const LossWeights& weights, double response);

    std::vector<torch::Tensor> generator_parameters() override { return generator_->parameters(); }
    std::vector<torch::Tensor> discriminator_parameters() override { return discriminator_->parameters(); }
    torch::Tensor discriminator_loss_sum(const torch::Tensor& real, const torch::Tensor& energies) override;
    torch::Tensor generator_loss_sum(const torch::Tensor& energies) override;
    torch::Tensor generate(const torch::Tensor& energies) override;

private:
    torch::Tensor fakes(const torch::Tensor& energies);
    // The weighted adversarial and energy terms of the discriminator's view of `showers`.
    torch::Tensor judged(const torch::Tensor& showers, const torch::Tensor& energies, bool as_real);

    GanShape shape_;
    LossWeights weights_;
    double response_;
    std::shared_ptr<Discriminator> discriminator_;  // registered first: its step comes first
    std::shared_ptr<Generator> generator_;
};

}  // namespace hpopt::calo_gan
