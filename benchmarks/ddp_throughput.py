#!/usr/bin/python3
"""The reference for hpopt's two-rank training throughput: PyTorch's DistributedDataParallel
(gloo backend, Debian's python3-torch) training the same Fashion-MNIST MLP 784-256-128-10
with SGD (lr 0.01, momentum 0.9), a batch of BATCH samples per process, one torch thread per
process. Prints the samples per second of the whole job.

    /usr/bin/python3 benchmarks/ddp_throughput.py [--processes 2] [--samples 12000] [--epochs 3] [--batch 128]
"""
import argparse
import gzip
import os
import time

import numpy
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

DATA = "/usr/share/datasets/fashion-mnist"


def fashion_mnist(samples):
    with gzip.open(os.path.join(DATA, "train-images-idx3-ubyte.gz")) as f:
        images = numpy.frombuffer(f.read(), numpy.uint8, offset=16).reshape(-1, 1, 28, 28)[:samples]
    with gzip.open(os.path.join(DATA, "train-labels-idx1-ubyte.gz")) as f:
        labels = numpy.frombuffer(f.read(), numpy.uint8, offset=8)[:samples]
    return torch.tensor(images, dtype=torch.float32) / 255, torch.tensor(labels, dtype=torch.long)


def train(rank, options, result):
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT="29517")
    dist.init_process_group("gloo", rank=rank, world_size=options.processes)
    inputs, targets = fashion_mnist(options.samples)
    torch.manual_seed(1)
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10)))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    sampler = torch.utils.data.distributed.DistributedSampler(torch.arange(len(targets)), seed=1)
    dist.barrier()
    start = time.perf_counter()
    seen = 0
    for epoch in range(options.epochs):
        sampler.set_epoch(epoch)
        order = torch.tensor(list(sampler))
        for begin in range(0, len(order), options.batch):
            batch = order[begin:begin + options.batch]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(inputs[batch]), targets[batch])
            loss.backward()
            optimizer.step()
            seen += len(batch)
    elapsed = time.perf_counter() - start
    total = torch.tensor([float(seen)])
    dist.all_reduce(total)
    if rank == 0:
        result.value = total.item() / elapsed
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    options = parser.parse_args()
    result = mp.get_context("spawn").Value("d", 0.0)
    mp.spawn(train, args=(options, result), nprocs=options.processes)
    print(f"{result.value:.0f}")


if __name__ == "__main__":
    main()
