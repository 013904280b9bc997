#include "networks.hpp"

namespace hpopt::calo_gan {
namespace {

namespace F = torch::nn::functional;

torch::Tensor leaky(const torch::Tensor& x) { return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2)); }

torch::Tensor resized(const torch::Tensor& x, std::int64_t side) {
    return F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<std::int64_t>{side, side, side}).mode(torch::kTrilinear).align_corners(false));
}

torch::nn::Conv3dOptions conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride, std::int64_t padding) {
    return torch::nn::Conv3dOptions(in, out, kernel).stride(stride).padding(padding);
}

// Mean absolute percentage error, summed: how the 3DGAN compares energies.
torch::Tensor relative_error_sum(const torch::Tensor& value, const torch::Tensor& target) {
    return ((value - target).abs() / target).sum();
}

}  // namespace

Generator::Generator(const GanShape& shape, double response) : channels_(shape.generator_channels), response_(response) {
    seed_ = register_module("seed", torch::nn::Linear(shape.latent_size + 1, channels_ * 7 * 7 * 7));
    scale_ = register_module("scale", torch::nn::Linear(shape.latent_size + 1, 1));
    middle_ = register_module("middle", torch::nn::Conv3d(conv(channels_, channels_, 3, 1, 1)));
    fine_ = register_module("fine", torch::nn::Conv3d(conv(channels_, channels_, 3, 1, 1)));
    out_ = register_module("out", torch::nn::Conv3d(conv(channels_, 1, 3, 1, 1)));
    torch::NoGradGuard no_grad;
    scale_->weight.mul_(0.1);
    scale_->bias.zero_();
}

torch::Tensor Generator::forward(const torch::Tensor& latent, const torch::Tensor& energies) {
    const torch::Tensor e = energies.reshape({-1, 1});
    // As in the 3DGAN, the latent vector is scaled by the energy; the energy also comes as is.
    const torch::Tensor input = torch::cat({latent * e, e}, 1);
    torch::Tensor x = leaky(seed_->forward(input)).view({-1, channels_, 7, 7, 7});
    x = leaky(middle_->forward(resized(x, 13)));
    x = leaky(fine_->forward(resized(x, 25)));
    const torch::Tensor shape = torch::softmax(out_->forward(x).flatten(1), 1);
    const torch::Tensor energy_sum = response_ * e * torch::exp(0.2 * torch::tanh(scale_->forward(input)));
    return (shape * energy_sum).view({-1, 1, 25, 25, 25});
}

Discriminator::Discriminator(const GanShape& shape) {
    const std::int64_t c = shape.discriminator_channels;
    first_ = register_module("first", torch::nn::Conv3d(conv(1, c, 4, 2, 1)));        // 25 -> 12
    second_ = register_module("second", torch::nn::Conv3d(conv(c, 2 * c, 4, 2, 1)));  // 12 -> 6
    dropout_ = register_module("dropout", torch::nn::Dropout(shape.dropout));
    real_ = register_module("real", torch::nn::Linear(2 * c * 6 * 6 * 6 + 1, 1));
    energy_ = register_module("energy", torch::nn::Linear(2 * c * 6 * 6 * 6 + 1, 1));
}

std::pair<torch::Tensor, torch::Tensor> Discriminator::forward(const torch::Tensor& showers, const torch::Tensor& expected_sums) {
    torch::Tensor x = dropout_->forward(leaky(first_->forward(torch::log1p(100 * showers))));
    x = dropout_->forward(leaky(second_->forward(x))).flatten(1);
    // The ECAL sum relative to the response's, so that the heads see the sampling fluctuations.
    const torch::Tensor relative_sum = torch::log(showers.sum({1, 2, 3, 4}) / expected_sums + 1e-6).unsqueeze(1);
    x = torch::cat({x, 10 * relative_sum}, 1);
    return {real_->forward(x).squeeze(1), energy_->forward(x).squeeze(1)};
}

CaloPair::CaloPair(const GanShape& shape, const LossWeights& weights, double response)
    : shape_(shape), weights_(weights), response_(response) {
    discriminator_ = register_module("discriminator", std::make_shared<Discriminator>(shape));
    generator_ = register_module("generator", std::make_shared<Generator>(shape, response));
}

torch::Tensor CaloPair::fakes(const torch::Tensor& energies) {
    return generator_->forward(torch::randn({energies.size(0), shape_.latent_size}, energies.options()), energies);
}

torch::Tensor CaloPair::judged(const torch::Tensor& showers, const torch::Tensor& energies, bool as_real) {
    const auto [logit, energy] = discriminator_->forward(showers, response_ * energies);
    const torch::Tensor wanted = as_real ? torch::ones_like(logit) : torch::zeros_like(logit);
    const torch::Tensor adversarial =
        F::binary_cross_entropy_with_logits(logit, wanted, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kSum));
    return weights_.adversarial * adversarial + weights_.energy * relative_error_sum(energy, energies);
}

// Real showers judged real and fakes judged fake, both with their energies regressed.
torch::Tensor CaloPair::discriminator_loss_sum(const torch::Tensor& real, const torch::Tensor& energies) {
    torch::Tensor fake;
    {
        torch::NoGradGuard no_grad;
        fake = fakes(energies);
    }
    return judged(real, energies, true) + judged(fake, energies, false);
}

// Fakes judged real, with the right incident energy, and the batch's energy sum the response's.
// The sum is compared over the batch, not shower by shower, so that its spread is left to the
// adversarial game (a per-shower error would squeeze out the sampling fluctuations).
torch::Tensor CaloPair::generator_loss_sum(const torch::Tensor& energies) {
    const torch::Tensor fake = fakes(energies);
    const torch::Tensor batch_sum = fake.sum();
    const torch::Tensor expected = response_ * energies.sum();
    const double n = static_cast<double>(energies.size(0));
    return judged(fake, energies, true) + weights_.energy_sum * n * ((batch_sum - expected).abs() / expected);
}

torch::Tensor CaloPair::generate(const torch::Tensor& energies) {
    torch::NoGradGuard no_grad;
    return fakes(energies);
}

}  // namespace hpopt::calo_gan
