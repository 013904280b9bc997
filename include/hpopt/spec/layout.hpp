#pragma once
// The spec's "layout": how the ranks of an MPI job are shared out (cluster::Layout works out
// each rank's role from it).
//   ranks = 1 + groups * folds * (masters + workers * ranks_per_worker)

namespace hpopt::spec {

struct Layout {
    int groups = 1;
    int folds = 1;
    int masters = 0;
    int workers = 1;
    int ranks_per_worker = 1;
};

}  // namespace hpopt::spec
