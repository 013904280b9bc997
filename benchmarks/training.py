#!/usr/bin/env python3
"""Training benchmarks of issue 6, as Markdown for BENCHMARKS.md: one rank of hpopt's training
engine against a plain libtorch loop (with OpenBLAS and with reference BLAS), two ranks of
all-reduce against PyTorch DDP (gloo), and the gradient exchange against memcpy.

    benchmarks/training.py BUILD_DIR [--runs 5]
"""
import argparse
import os
import statistics
import subprocess

LIBRARIES = "/usr/lib/x86_64-linux-gnu"
ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1", OPENBLAS_NUM_THREADS="1")
WORK = ["--samples", "12000", "--epochs", "3", "--batch", "128"]


def rate(command, blas="openblas-pthread"):
    env = dict(ENVIRONMENT, LD_LIBRARY_PATH=os.path.join(LIBRARIES, blas))
    return float(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout.split()[-1])


def medians(commands, runs, blas="openblas-pthread"):
    """Runs the commands in turn, `runs` times, so that a slow spell of the machine hits all; in
    reverse order every other round: here the second of two runs in a row was 2-3% slower on two
    ranks, whichever program it was (BENCHMARKS.md, "GPU placement's cost on the CPU")."""
    samples = [[] for _ in commands]
    for run in range(runs):
        order = range(len(commands)) if run % 2 == 0 else reversed(range(len(commands)))
        for i in order:
            samples[i].append(rate(commands[i], blas))
    return [statistics.median(s) for s in samples]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("build")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    program = os.path.join(options.build, "benchmarks", "training_throughput")
    plain = [program, "--mode", "plain", *WORK]
    hpopt = [program, "--mode", "hpopt", *WORK]
    ddp = ["/usr/bin/python3", os.path.join(os.path.dirname(__file__), "ddp_throughput.py"), "--processes", "2", *WORK]
    two_ranks = ["mpirun", "-np", "2", *hpopt]

    print("MLP 784-256-128-10 on 12,000 Fashion-MNIST images, 3 epochs, SGD with momentum, batch 128 per rank, "
          f"one torch and one BLAS thread per rank; medians of {options.runs} runs, samples per second of the whole job.\n")
    print("| setting | samples/s | ratio | target |\n|---|---|---|---|")
    for blas, name in (("openblas-pthread", "OpenBLAS"), ("blas", "reference BLAS")):
        plain_rate, hpopt_rate = medians([plain, hpopt], options.runs, blas)
        print(f"| 1 rank, {name}: plain libtorch loop | {plain_rate:.0f} | | |")
        print(f"| 1 rank, {name}: hpopt (`train_fold`, validation included) | {hpopt_rate:.0f} | "
              f"{hpopt_rate / plain_rate:.2f}x the plain loop | >= 0.95x |")
    hpopt_rate, ddp_rate = medians([two_ranks, ddp], options.runs)
    print(f"| 2 ranks: PyTorch DDP, gloo | {ddp_rate:.0f} | | |")
    print(f"| 2 ranks: hpopt all-reduce (mpirun -np 2) | {hpopt_rate:.0f} | {hpopt_rate / ddp_rate:.2f}x DDP | >= 1.5x |")
    print()
    print("Gradient exchange (in-place float all-reduce, median of 21) against memcpy of the same buffer, "
          "2 ranks, with hpopt's Open MPI settings:\n")
    print(subprocess.run(["mpirun", "-np", "2", program, "--mode", "exchange"], check=True, capture_output=True,
                         text=True, env=ENVIRONMENT).stdout.rstrip())


if __name__ == "__main__":
    main()
