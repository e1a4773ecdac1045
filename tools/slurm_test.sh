#!/usr/bin/env bash
# Test a checkpoint on a Slurm cluster: srun starts one task per GPU and
# tools/test.py joins them with mmengine's slurm launcher.
# Usage: [GPUS=4] [GPUS_PER_NODE=4] [CPUS_PER_TASK=5] [SRUN_ARGS="..."] \
#   bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [tool args...]
# TOOL=generate_maps.py runs tools/generate_maps.py instead of test.py (as
# tools/dist_test.sh). GPUS, GPUS_PER_NODE and SRUN_ARGS as in
# tools/slurm_train.sh.
set -e
if [ $# -lt 4 ]; then
  echo "usage: bash $0 PARTITION JOB_NAME CONFIG CHECKPOINT [tool args...]" >&2
  exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
CHECKPOINT=$4
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
    "$PYTHON" -u "$(dirname "$0")/${TOOL:-test.py}" \
    "$CONFIG" \
    "$CHECKPOINT" \
    --launcher slurm "${@:5}"
