// The calo_gan workload: a 3D GAN that simulates electromagnetic showers in the CLIC
// calorimeter (networks.hpp), trained by the framework in two phases per batch, its figure of
// merit the physics distance between generated and held-out showers at the same incident
// energies (calo/shower_statistics.hpp). docs/workloads.md describes its options.
//
// Model hyper-parameters (trial parameters, or workload options as defaults): latent_size (32),
// generator_channels (8), discriminator_channels (8), dropout (0.2, the discriminator's),
// adversarial_weight (1), energy_weight (0.5), energy_sum_weight (1), generator_lr and
// discriminator_lr (the training's lr).
#include <fmt/format.h>

#include "hpopt/calo/shower_statistics.hpp"
#include "hpopt/workload/parameter_reader.hpp"
#include "calo_gan.hpp"
#include "networks.hpp"
#include "shower_data.hpp"

namespace hpopt::calo_gan {
namespace {

// Showers generated for a set's energies against the real ones, binned in energy alike on
// every rank: the sums are the two sets' shower statistics one after the other.
class ShowerComparison : public train::SampleComparison {
public:
    explicit ShowerComparison(const torch::Tensor& energies)
        : bins_(energies_of(energies), std::clamp<int>(static_cast<int>(energies.size(0) / 25), 1, 4)),
          generated_(bins_, shape),
          real_(bins_, shape) {}

    void add(const torch::Tensor& generated, const torch::Tensor& real, const torch::Tensor& energies) override {
        const torch::Tensor g = generated.contiguous(), r = real.contiguous(), e = energies.contiguous();
        const std::int64_t cells = 25 * 25 * 25;
        for (std::int64_t i = 0; i < e.size(0); ++i) {
            generated_.add(g.data_ptr<float>() + i * cells, e.data_ptr<float>()[i]);
            real_.add(r.data_ptr<float>() + i * cells, e.data_ptr<float>()[i]);
        }
        sums_.clear();
    }

    std::vector<double>& sums() override {
        if (sums_.empty()) {
            sums_ = generated_.values();
            sums_.insert(sums_.end(), real_.values().begin(), real_.values().end());
        }
        return sums_;
    }

    double figure_of_merit() const override { return terms().total(); }

    Json details() const override {
        const calo::DistanceTerms t = terms();
        return {{"longitudinal", t.longitudinal}, {"transverse", t.transverse}, {"response", t.response},
                {"resolution", t.resolution},     {"depth", t.depth},           {"width", t.width}};
    }

private:
    static constexpr std::array<std::int64_t, 3> shape{25, 25, 25};

    // The distance between the two halves of the sums (the generated showers', the real ones').
    calo::DistanceTerms terms() const {
        const auto half = static_cast<std::ptrdiff_t>(sums_.size() / 2);
        calo::ShowerStatistics generated = generated_, real = real_;
        std::copy(sums_.begin(), sums_.begin() + half, generated.values().begin());
        std::copy(sums_.begin() + half, sums_.end(), real.values().begin());
        return calo::distance_terms(generated, real);
    }

    static std::vector<float> energies_of(const torch::Tensor& energies) {
        const torch::Tensor e = energies.contiguous();
        return {e.data_ptr<float>(), e.data_ptr<float>() + e.numel()};
    }

    calo::EnergyBins bins_;
    calo::ShowerStatistics generated_, real_;
    std::vector<double> sums_;
};

class CaloGan : public train::AdversarialWorkload {
public:
    explicit CaloGan(const Json& options) : options_(options), source_(checked_source(options)) {}

    std::shared_ptr<const data::Dataset> training_data() override { return showers().training; }
    std::shared_ptr<const data::Dataset> test_data() override { return showers().test; }

    std::shared_ptr<train::AdversarialPair> build(const space::Params& params) override {
        const workload::ParameterReader parameters(params, options_);
        GanShape shape;
        shape.latent_size = parameters.integer("latent_size", shape.latent_size);
        shape.generator_channels = parameters.integer("generator_channels", shape.generator_channels);
        shape.discriminator_channels = parameters.integer("discriminator_channels", shape.discriminator_channels);
        shape.dropout = parameters.number("dropout", shape.dropout);
        LossWeights weights;
        weights.adversarial = parameters.number("adversarial_weight", weights.adversarial);
        weights.energy = parameters.number("energy_weight", weights.energy);
        weights.energy_sum = parameters.number("energy_sum_weight", weights.energy_sum);
        return std::make_shared<CaloPair>(shape, weights, showers().response);
    }

    double generator_lr(const space::Params& params, double lr) const override {
        return workload::ParameterReader(params, options_).number("generator_lr", lr);
    }
    double discriminator_lr(const space::Params& params, double lr) const override {
        return workload::ParameterReader(params, options_).number("discriminator_lr", lr);
    }

    std::unique_ptr<train::SampleComparison> comparison(const torch::Tensor& energies) override {
        return std::make_unique<ShowerComparison>(energies);
    }

    std::string fom_name() const override { return "physics_distance"; }
    std::string description() const override { return "3D calorimeter GAN"; }

private:
    static ShowerSource checked_source(const Json& options) {
        config::Problems problems;
        config::ObjectReader reader(options, "workload", problems);
        return read_shower_source(reader);
    }

    const ShowerSets& showers() {
        if (!showers_.training) showers_ = load_showers(source_);
        return showers_;
    }

    Json options_;
    ShowerSource source_;
    ShowerSets showers_;
};

void check_options(config::ObjectReader& reader, const space::Space*) {
    reader.string("plugin");
    read_shower_source(reader);
    for (const char* key : {"latent_size", "generator_channels", "discriminator_channels"}) {
        if (const auto value = reader.integer(key); value && *value < 1) reader.report(key, "must be >= 1");
    }
    if (const auto value = reader.number("dropout"); value && (*value < 0 || *value >= 1)) reader.report("dropout", "must be in [0, 1)");
    for (const char* key : {"adversarial_weight", "energy_weight", "energy_sum_weight"}) {
        if (const auto value = reader.number(key); value && *value < 0) reader.report(key, "must be >= 0");
    }
    for (const char* key : {"generator_lr", "discriminator_lr"}) {
        if (const auto value = reader.number(key); value && *value <= 0) reader.report(key, "must be > 0");
    }
}

}  // namespace

std::unique_ptr<train::AdversarialWorkload> calo_gan_workload(const Json& options) { return std::make_unique<CaloGan>(options); }

workload::Plugin plugin() {
    return train::adversarial_plugin("calo_gan", check_options,
                                     [](const Json& options, const space::Space&) { return calo_gan_workload(options); });
}

}  // namespace hpopt::calo_gan
