"""Talking to hpopt from a training script run by the "command" workload, with the standard
library alone: copy this file beside your script, or put its folder on PYTHONPATH.

    import hpopt_report as hpopt

    params = hpopt.params()                 # the trial's parameters, as the spec names them
    start = hpopt.load_checkpoint() or 0    # what an earlier run of this trial saved, if any
    for epoch in range(start + 1, 11):
        error = train_one_epoch(params)
        hpopt.report(error, epoch=epoch)    # early stopping and the learning curves see it
        hpopt.save_checkpoint(epoch)
    hpopt.report(error)                     # the trial's FoM

Report an epoch before saving it: stopped in between, the program trains that epoch again and
reports it again, which hpopt journals once; saved first, an epoch could be kept and never
reported.
"""
import json
import os

_CHECKPOINT = "hpopt_report_checkpoint.json"


def params():
    """The trial's parameters (HPOPT_PARAMS)."""
    return json.loads(os.environ["HPOPT_PARAMS"])


def report(fom, epoch=None, **figures):
    """A result line: the trial's FoM, or with `epoch` the FoM after that epoch; `figures` go to
    the journal with an epoch."""
    line = {"fom": float(fom)}
    if epoch is not None:
        line["epoch"] = int(epoch)
    line.update(figures)
    print(json.dumps(line), flush=True)


def checkpoint_dir():
    """Where this trial's fold may keep files that a resumed run finds again (None: nowhere)."""
    return os.environ.get("HPOPT_CHECKPOINT_DIR")


def save_checkpoint(state):
    """Keeps a JSON-able `state` in the checkpoint dir, replacing the last one whole."""
    folder = checkpoint_dir()
    if folder is None:
        return
    path = os.path.join(folder, _CHECKPOINT)
    with open(path + ".tmp", "w") as f:
        json.dump(state, f)
    os.replace(path + ".tmp", path)


def load_checkpoint():
    """The state save_checkpoint kept in an earlier run of this trial, or None."""
    folder = checkpoint_dir()
    path = os.path.join(folder, _CHECKPOINT) if folder else None
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)
