"""Fails as its trial asks: HPOPT_TRIAL_ID picks the way (see command_test.py)."""
import json
import os
import sys

trial, attempt = int(os.environ["HPOPT_TRIAL_ID"]), int(os.environ["HPOPT_ATTEMPT"])
if trial == 0:
    print("loading data", file=sys.stderr)
    print("ValueError: the learning rate is too high", file=sys.stderr)
    sys.exit(3)
if trial == 1 and attempt == 0:
    print("the node's scratch disk is full", file=sys.stderr)
    sys.exit(75)
if trial == 2:
    print('{"fom": NaN}')
    sys.exit(0)
if trial == 3:
    print("trained, but forgot to say how well")
    sys.exit(0)
print(json.dumps({"fom": float(trial)}))
