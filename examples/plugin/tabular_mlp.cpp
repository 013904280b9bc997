// A complete workload plugin: an MLP over any CSV table, its width and depth searched.
// Built by examples/plugin/meson.build into build/examples/plugin/hpopt_tabular_mlp.so;
// docs/workloads.md walks through it.
#include "hpopt/train/model_workload.hpp"
#include "hpopt/train/trained_workload.hpp"

namespace {

class TabularMlp : public hpopt::train::ModelWorkload {
public:
    explicit TabularMlp(hpopt::data::DataSpec data) : data_(std::move(data)) {}

    std::shared_ptr<const hpopt::data::Dataset> training_data() override {
        return hpopt::data::load(data_, hpopt::data::Split::train);
    }
    std::shared_ptr<const hpopt::data::Dataset> test_data() override {
        return hpopt::data::load(data_, hpopt::data::Split::test);
    }
    std::string description() const override { return "tabular MLP"; }

    torch::nn::Sequential build_model(const hpopt::space::Params& params) override {
        const auto data = training_data();
        const std::int64_t width = params.value("width", 32);
        std::int64_t inputs = static_cast<std::int64_t>(data->sample_size());
        torch::nn::Sequential model;
        for (std::int64_t layer = 0; layer < params.value("layers", 1); ++layer) {
            model->push_back(torch::nn::Linear(inputs, width));
            model->push_back(torch::nn::ReLU());
            inputs = width;
        }
        // One output per class, or one value for a regression table.
        model->push_back(torch::nn::Linear(inputs, std::max<std::int64_t>(data->classes, 1)));
        return model;
    }

private:
    hpopt::data::DataSpec data_;
};

// Reads the spec's "workload" options, or reports their problems with their JSON paths.
hpopt::data::DataSpec read_options(hpopt::config::ObjectReader& reader) {
    reader.string("plugin");
    reader.require("data");
    hpopt::data::DataSpec data;
    if (auto data_reader = reader.object("data")) {
        data = hpopt::data::read_data_spec(*data_reader);
        data_reader->finish();
    }
    return data;
}

hpopt::workload::Plugin describe() {
    // The name must match the file: hpopt_tabular_mlp.so.
    return hpopt::train::model_plugin(
        "tabular_mlp", [](hpopt::config::ObjectReader& reader, const hpopt::space::Space*) { read_options(reader); },
        [](const hpopt::Json& options, const hpopt::space::Space&) {
            hpopt::config::Problems problems;
            hpopt::config::ObjectReader reader(options, "workload", problems);
            return std::make_unique<TabularMlp>(read_options(reader));
        });
}

}  // namespace

HPOPT_PLUGIN(describe)
