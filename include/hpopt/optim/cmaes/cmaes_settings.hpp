#pragma once
// The options of "optimizer": {"kind": "cmaes", ...}.
namespace hpopt::optim::cmaes {

enum class Restarts {
    none,  // one run: it ends the search once its samples are all points suggested before
    ipop,  // restart from a random mean with twice the population (Auger and Hansen 2005)
};

struct CmaesSettings {
    // Lambda of the first run; 0: 4 + floor(3 ln n) (Hansen's default), also with many groups:
    // stragglers are injected into later generations, and a small lambda learns from them best.
    int population = 0;
    // The initial step size, in units of the unit cube: about a third of each range (Hansen's
    // advice: the optimum within mean +- 3 sigma0; 0.2 finds worse Rastrigin-10 minima).
    double sigma0 = 0.3;
    Restarts restarts = Restarts::ipop;
};

}  // namespace hpopt::optim::cmaes
