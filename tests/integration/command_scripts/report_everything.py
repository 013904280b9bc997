"""Reports what hpopt gave it: its arguments and environment in an epoch's details, then a FoM."""
import json
import os
import sys

env = {k: v for k, v in os.environ.items() if k.startswith("HPOPT_") or k == "CUDA_VISIBLE_DEVICES"}
with open(os.environ["HPOPT_PARAMS_FILE"]) as f:
    params_file = json.load(f)
print("starting")  # not a result line: left alone
print(json.dumps({"epoch": 1, "fom": 2.0, "argv": sys.argv[1:], "env": env, "params_file": params_file}), flush=True)
print("a line that only looks like one: {\"fom\" is not here}")
x = float(sys.argv[sys.argv.index("--x") + 1])
print(json.dumps({"fom": (x - 0.25) ** 2, "parameters": 1234, "note": "small", "x": x}))
print("done", file=sys.stderr)
