"""A Fashion-MNIST classifier in plain PyTorch, tuned by hpopt as a "command" trial.

It reads its hyper-parameters from its arguments, trains with DistributedDataParallel across the
ranks hpopt gives it (torchrun's variables; alone without them), reports each epoch's validation
error, and keeps a checkpoint in HPOPT_CHECKPOINT_DIR after each epoch, so that a trial
interrupted by the end of a job goes on where it stopped when the search is resumed.

    python3 train_fashion.py --lr 0.01 --width 128 --epochs 3     # by hand, alone
"""
import argparse
import gzip
import os
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "plugins", "command"))
import hpopt_report as hpopt  # noqa: E402  (installed in <prefix>/share/hpopt/python)

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(name, offset):
    with gzip.open(os.path.join(DATA, name)) as f:
        return torch.frombuffer(bytearray(f.read()[offset:]), dtype=torch.uint8)


def load(samples):
    images = read_idx("train-images-idx3-ubyte.gz", 16).view(-1, 28 * 28)[:samples].float() / 255
    labels = read_idx("train-labels-idx1-ubyte.gz", 8)[:samples].long()
    held_out = samples // 5  # the last fifth validates
    return (images[:-held_out], labels[:-held_out]), (images[-held_out:], labels[-held_out:])


def validation_error(model, images, labels):
    model.eval()
    with torch.no_grad():
        return (model(images).argmax(1) != labels).float().mean().item()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--width", type=int, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()

    team = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if team > 1:
        dist.init_process_group("gloo")
    torch.manual_seed(int(os.environ.get("HPOPT_SEED", "0")) % 2**31)
    (train_x, train_y), (valid_x, valid_y) = load(args.samples)

    model = torch.nn.Sequential(torch.nn.Linear(28 * 28, args.width), torch.nn.ReLU(), torch.nn.Linear(args.width, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    start = 0
    checkpoint = os.path.join(os.environ["HPOPT_CHECKPOINT_DIR"], "model.pt") if hpopt.checkpoint_dir() else None
    if checkpoint and os.path.exists(checkpoint):
        state = torch.load(checkpoint)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = state["epoch"]
    if team > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)

    generator = torch.Generator().manual_seed(1)
    for epoch in range(start + 1, args.epochs + 1):
        order = torch.randperm(len(train_x), generator=generator)
        model.train()
        for first in range(0, len(order) - args.batch * team + 1, args.batch * team):
            mine = order[first + rank * args.batch: first + (rank + 1) * args.batch]  # this rank's share
            optimizer.zero_grad()
            F.cross_entropy(model(train_x[mine]), train_y[mine]).backward()
            optimizer.step()
        error = validation_error(model, valid_x, valid_y)
        if rank == 0:  # reported, then saved: see hpopt_report.py
            hpopt.report(error, epoch=epoch, went_on_from=start)
            if checkpoint:
                inner = model.module if team > 1 else model
                torch.save({"model": inner.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, checkpoint + ".tmp")
                os.replace(checkpoint + ".tmp", checkpoint)
    if rank == 0:  # (a run resumed after its last epoch trains nothing, but still reports)
        hpopt.report(validation_error(model, valid_x, valid_y))
    if team > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
