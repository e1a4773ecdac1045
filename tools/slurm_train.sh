#!/usr/bin/env bash
# Train on a Slurm cluster: srun starts one task per GPU and tools/train.py
# joins them with mmengine's slurm launcher (rank, world size and master
# address from Slurm's variables).
# Usage: [GPUS=4] [GPUS_PER_NODE=4] [CPUS_PER_TASK=5] [SRUN_ARGS="..."] \
#   bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [tool args...]
# GPUS is the total over all nodes; a job of fewer GPUS than GPUS_PER_NODE
# asks for GPUS on one node. SRUN_ARGS is split into words (e.g.
# SRUN_ARGS="--quotatype=auto --time=1-0").
set -e
if [ $# -lt 4 ]; then
  echo "usage: bash $0 PARTITION JOB_NAME CONFIG WORK_DIR [tool args...]" >&2
  exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
GPUS=${GPUS:-4}
GPUS_PER_NODE=${GPUS_PER_NODE:-4}
GPUS_PER_NODE=$(( GPUS < GPUS_PER_NODE ? GPUS : GPUS_PER_NODE ))
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
PYTHON=${PYTHON:-python}

# shellcheck disable=SC2086  # SRUN_ARGS: several srun options
PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    $SRUN_ARGS \
    "$PYTHON" -u "$(dirname "$0")/train.py" \
    "$CONFIG" \
    --work-dir "$WORK_DIR" \
    --launcher slurm "${@:5}"
