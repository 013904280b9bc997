#!/usr/bin/env python3
"""Training throughput of two builds side by side, as Markdown for BENCHMARKS.md: what a change
costs the training engine. Each build's benchmarks/training_throughput trains the Fashion-MNIST
MLP on one rank and on two (mpirun), the two builds in turn, each first in every other round
(see training.medians).

    benchmarks/builds.py BEFORE_BUILD AFTER_BUILD [--runs 5]
"""
import argparse
import os

from training import WORK, medians


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    programs = [os.path.join(build, "benchmarks", "training_throughput") for build in (options.before, options.after)]
    print("MLP 784-256-128-10 on 12,000 Fashion-MNIST images, 3 epochs, SGD with momentum, batch 128 per rank, OpenBLAS, "
          f"one thread per rank; medians of {options.runs} runs, samples per second of the whole job.\n")
    print("| ranks | before | after | after / before |\n|---|---|---|---|")
    for ranks in (1, 2):
        launcher = ["mpirun", "-np", str(ranks)] if ranks > 1 else []
        before, after = medians([[*launcher, program, "--mode", "hpopt", *WORK] for program in programs], options.runs)
        print(f"| {ranks} | {before:.0f} | {after:.0f} | {after / before:.3f} |")


if __name__ == "__main__":
    main()
