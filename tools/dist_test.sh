#!/usr/bin/env bash
# Launch tools/test.py on N processes of this node (more nodes: NNODES,
# NODE_RANK, MASTER_ADDR, PORT). Uses NCCL with CUDA and gloo on CPU-only
# machines (chosen by mmdrs, see mmdrs/utils/compat.py).
# Usage: bash tools/dist_test.sh CONFIG CHECKPOINT N [tool args...]
# TOOL=generate_maps.py runs tools/generate_maps.py instead of test.py.
set -e
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}

PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$(dirname "$0")/${TOOL:-test.py}" \
    "$CONFIG" \
    "$CHECKPOINT" \
    --launcher pytorch "${@:4}"
