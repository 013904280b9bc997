// A direct workload built out of hpopt's tree the way a user builds one (sdk_test.py):
//   g++ -std=c++17 -shared -fPIC sum_plugin.cpp $(pkg-config --cflags --libs hpopt) -o hpopt_sdk_sum.so
#include <memory>

#include <hpopt/workload/plugin.hpp>
#include <hpopt/workload/workload.hpp>

namespace {

class Sum : public hpopt::workload::Workload {
public:
    std::string fom_name() const override { return "sum"; }
    double evaluate(const hpopt::space::Params& params, const hpopt::workload::TrialContext&) override {
        return params.at("a").get<double>() + params.at("b").get<double>();
    }
};

hpopt::workload::Plugin describe() {
    hpopt::workload::Plugin plugin;
    plugin.name = "sdk_sum";
    plugin.check = [](hpopt::config::ObjectReader&, const hpopt::space::Space*) {};
    plugin.create = [](const hpopt::Json&, const hpopt::space::Space&, const hpopt::train::TrainingSettings&) {
        return std::unique_ptr<hpopt::workload::Workload>(std::make_unique<Sum>());
    };
    return plugin;
}

}  // namespace

HPOPT_PLUGIN(describe)
