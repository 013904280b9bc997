#!/usr/bin/python3
"""hpopt's early stopping against Optuna's pruners on real training (issue 20, benchmark 2): the
quickstart's Fashion-MNIST MLP space, trials of up to 9 epochs, 2 workers on the 2 cores, the
same wall time for each search. hpopt: Bayesian optimization with ASHA (reduction factor 3,
stopping and promoting) on 2 groups. Optuna (Debian's python3-optuna, with python3-torch for
the same MLP): its default TPE sampler with SuccessiveHalvingPruner or HyperbandPruner
(reduction factor 3, 1 to 9 epochs), two worker processes sharing a journal file. For each
search: the best validation error of a trial trained to its 9th epoch within the wall time,
and when it was first reached. Run with Debian's python3 (which has optuna and torch).

    benchmarks/optuna_pruners_fashion.py build/src/cli/hpopt [wall_time_s] [seeds]
"""
import gzip
import json
import multiprocessing
import os
import sys
import tempfile
import time

from early_stopping_fashion import seconds, spec
from mpi_search import run_search

DATA = "/usr/share/datasets/fashion-mnist"
SUBSET = 30000  # as early_stopping_fashion.spec has them
HOLDOUT = 0.2   # hpopt's default training.holdout
EPOCHS = 9
BATCH = 64


def hpopt_search(hpopt, work, document):
    """[(seconds since the start, validation error)] of the trials trained to their last epoch; trials
    begun (paused ones included: the wall time leaves them waiting for a resume)."""
    records = run_search(hpopt, work, document, 3, check=False)  # the wall time ends it with status 3
    start = seconds(records[0])
    full = [(seconds(r) - start, r["fom"]) for r in records if r["event"] == "trial_finished" and r["status"] == "ok"]
    return full, sum(r["event"] == "trial_suggested" for r in records)


def load_fashion():
    import numpy as np

    def idx(name, offset):
        with gzip.open(os.path.join(DATA, name)) as f:
            return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

    images = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784)[:SUBSET].astype(np.float32) / 255
    labels = idx("train-labels-idx1-ubyte.gz", 8)[:SUBSET].astype(np.int64)
    order = np.random.default_rng(0).permutation(SUBSET)
    validation = order[: int(SUBSET * HOLDOUT)]
    training = order[int(SUBSET * HOLDOUT):]
    return images[training], labels[training], images[validation], labels[validation]


def quiet_optuna():
    import warnings

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    return optuna


def optuna_worker(storage_path, study_name, deadline, seed, results_path):
    import torch

    optuna = quiet_optuna()
    torch.set_num_threads(1)
    x_train, y_train, x_val, y_val = (torch.from_numpy(a) for a in load_fashion())
    storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(storage_path))
    study = optuna.load_study(study_name=study_name, storage=storage, sampler=optuna.samplers.TPESampler(seed=seed + os.getpid()))

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-4, 0.3, log=True)
        kind = trial.suggest_categorical("optimizer", ["sgd", "adam"])
        layers = trial.suggest_int("layers", 1, 3)
        width = trial.suggest_int("width", 32, 512, log=True)
        dropout = trial.suggest_float("dropout", 0, 0.5)
        modules, inputs = [], 784
        for _ in range(layers):
            modules += [torch.nn.Linear(inputs, width), torch.nn.ReLU(), torch.nn.Dropout(dropout)]
            inputs = width
        model = torch.nn.Sequential(*modules, torch.nn.Linear(inputs, 10))
        optimizer = (torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9) if kind == "sgd"
                     else torch.optim.Adam(model.parameters(), lr=lr))
        generator = torch.Generator().manual_seed(trial.number)
        error = 1.0
        for epoch in range(1, EPOCHS + 1):
            model.train()
            for batch in torch.randperm(len(x_train), generator=generator).split(BATCH):
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                error = (model(x_val).argmax(1) != y_val).float().mean().item()
            if not error == error:  # NaN: diverged
                raise optuna.TrialPruned()
            trial.report(error, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        with open(results_path, "a") as f:
            f.write(json.dumps({"time": time.time(), "fom": error}) + "\n")
        return error

    while time.time() < deadline:
        study.optimize(objective, n_trials=1, catch=(RuntimeError,))


def optuna_search(work, seed, wall_time_s, pruner_name):
    optuna = quiet_optuna()

    storage_path = os.path.join(work, f"optuna-{pruner_name}-{seed}.log")
    results_path = storage_path + ".results"
    pruner = (optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3) if pruner_name == "sha"
              else optuna.pruners.HyperbandPruner(min_resource=1, max_resource=EPOCHS, reduction_factor=3))
    storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(storage_path))
    name = f"fashion-{pruner_name}-{seed}"
    optuna.create_study(study_name=name, storage=storage, direction="minimize", pruner=pruner)
    start = time.time()
    workers = [multiprocessing.Process(target=optuna_worker, args=(storage_path, name, start + wall_time_s, seed, results_path))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:  # a trial under way at the deadline does not count: kill it, as hpopt's wall time does
        worker.join(max(0.0, start + wall_time_s - time.time()))
        worker.kill()
        worker.join()
    full = []
    if os.path.exists(results_path):
        with open(results_path) as f:
            full = [(r["time"] - start, r["fom"]) for r in map(json.loads, f) if r["time"] - start <= wall_time_s]
    trials = len(optuna.load_study(study_name=name, storage=storage).trials)
    return full, trials


def summary(full, trials):
    if not full:
        return f"none, {trials}"
    best = min(fom for _, fom in full)
    reached = min(t for t, fom in full if fom == best)
    return f"{best:.4f} at {reached:.0f} s, {trials}"


def main():
    hpopt = os.path.abspath(sys.argv[1])
    wall_time_s = float(sys.argv[2]) if len(sys.argv) > 2 else 200
    seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    asha = lambda mode: {"kind": "asha", "reduction_factor": 3, "mode": mode}
    searches = {"hpopt BO + ASHA (stop)": lambda work, seed: hpopt_search(hpopt, work, spec(seed, wall_time_s, asha("stop"))),
                "hpopt BO + ASHA (promote)": lambda work, seed: hpopt_search(hpopt, work, spec(seed, wall_time_s, asha("promote"))),
                "Optuna TPE + SuccessiveHalvingPruner": lambda work, seed: optuna_search(work, seed, wall_time_s, "sha"),
                "Optuna TPE + HyperbandPruner": lambda work, seed: optuna_search(work, seed, wall_time_s, "hyperband")}
    print("| seed | " + " | ".join(searches) + " |")
    print("|---" * (len(searches) + 1) + "|")
    print("| | " + " | ".join("best, when, trials" for _ in searches) + " |")
    with tempfile.TemporaryDirectory() as work:
        for seed in range(1, seeds + 1):
            cells = [summary(*search(work, seed)) for search in searches.values()]
            print(f"| {seed} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
