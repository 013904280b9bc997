"""One rank of a team: keeps its torchrun variables in the run dir; rank 1 fails for x > 0.5."""
import json
import os
import sys

rank = int(os.environ["RANK"])
keys = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
name = f"trial-{os.environ['HPOPT_TRIAL_ID']}-rank-{rank}.json"
with open(os.path.join(os.environ["HPOPT_RUN_DIR"], name), "w") as f:
    json.dump({k: os.environ[k] for k in keys}, f)
x = float(sys.argv[1])
if rank == 1 and x > 0.5:
    print("out of GPU memory", file=sys.stderr)
    sys.exit(1)
print(json.dumps({"fom": 10.0 + rank}))
