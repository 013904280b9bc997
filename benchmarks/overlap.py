#!/usr/bin/env python3
"""All-reduce training with the gradient exchange overlapped with the backward pass (buckets
all-reduced as soon as they are computed) against the exchange after it, for the Fashion-MNIST
MLP and a small CNN on 2 and 4 ranks, with buckets of each --bucket-mb. Prints a Markdown table:
samples/s (median of --runs, the settings alternating), the time the first rank's steps waited
for the exchange after their backward pass (median), and the share of the exchange hidden: one
minus the overlapped wait over the wait of the exchange after the backward pass.

    benchmarks/overlap.py build/benchmarks/training_throughput --runs 3 --bucket-mb 1 0.25
"""
import argparse
import os
import statistics
import subprocess

ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1", OPENBLAS_NUM_THREADS="1")


def figures(program, ranks, *args):
    """Samples/s and the exchange's wait in seconds."""
    done = subprocess.run(["mpirun", "-x", "OPENBLAS_NUM_THREADS", "-np", str(ranks), program, "--mode", "hpopt",
                           "--report-exchange", *args], env=ENVIRONMENT, check=True, capture_output=True, text=True)
    rate, exchange_s = done.stdout.split()[-2:]
    return float(rate), float(exchange_s)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("program")
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bucket-mb", type=float, nargs="+", default=[1.0])
    args = parser.parse_args()
    print(f"One epoch of {args.samples} Fashion-MNIST images, batch {args.batch} per rank, SGD with momentum, one torch and BLAS "
          f"thread per rank; medians of {args.runs} runs.\n")
    print("| model | ranks | exchange | samples/s | against after | waited for the exchange per step | share of the exchange hidden |")
    print("|---|---|---|---|---|---|---|")
    for model in ("mlp", "cnn"):
        for ranks in (2, 4):
            common = ["--model", model, "--samples", str(args.samples), "--batch", str(args.batch), "--epochs", "1"]
            settings = [("after the backward pass", ["--overlap", "0"])]
            settings += [(f"overlapped, {mb:g} MB buckets", ["--overlap", "1", "--bucket-mb", str(mb)]) for mb in args.bucket_mb]
            runs = {name: [] for name, _ in settings}
            for _ in range(args.runs):
                for name, extra in settings:
                    runs[name].append(figures(args.program, ranks, *common, *extra))
            steps = -(-args.samples // (args.batch * ranks))
            rate_after = statistics.median(rate for rate, _ in runs[settings[0][0]])
            wait_after = statistics.median(wait for _, wait in runs[settings[0][0]])
            for name, _ in settings:
                rate = statistics.median(r for r, _ in runs[name])
                wait = statistics.median(w for _, w in runs[name])
                hidden = "" if name == settings[0][0] else f"{1 - wait / wait_after:.0%}"
                print(f"| {model.upper()} | {ranks} | {name} | {rate:.0f} | {rate / rate_after:.2f}x | {1e3 * wait / steps:.3f} ms "
                      f"| {hidden} |")


if __name__ == "__main__":
    main()
