#!/usr/bin/env bash
# Create (or reuse) the pinned CPU environment used by `make demo` / `make test` / CI.
#
# Idempotent: a stamp file keyed by the hash of this script and the requirement
# files marks a complete environment; a run with the stamp present does nothing.
# A half-built environment (no stamp) is rebuilt from where pip left off.
#
# Usage: bash tools/setup_env.sh [VENV_DIR]   (default: .venv in the repo root)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-${MMDRS_VENV:-$ROOT/.venv}}"
PY="${PYTHON:-python3}"
C="$ROOT/requirements/constraints.txt"
KEY=$(cat "$0" "$C" "$ROOT/requirements/dev.txt" "$ROOT/setup.py" 2>/dev/null | sha1sum | cut -c1-12 || true)
STAMP="$VENV/.mmdrs-env-$KEY"
if [ -f "$STAMP" ]; then
  exit 0
fi
echo "[setup_env] building environment in $VENV (key $KEY)" >&2
start=$(date +%s)
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install --disable-pip-version-check -q -c "$C")
# A local folder holding the CPU torch wheel (on our machines /opt/wheels, also
# exported as PIP_FIND_LINKS); named explicitly so the install does not depend
# on that variable. Without it, torch==2.13.0 comes from the index.
WHEELS="${TORCH_WHEELS:-/opt/wheels}"
if [ -d "$WHEELS" ]; then
  PIP+=(--find-links "$WHEELS")
fi
# 1. CPU torch first: the pin resolves to the local CPU wheel; a looser spec
#    would pull a multi-GB CUDA build (stack.md).
"${PIP[@]}" torch==2.13.0
# 2. build tools for mmcv (setuptools<81 still has pkg_resources).
"${PIP[@]}" "setuptools<81" wheel ninja psutil
# 3. numpy/opencv pinned together, then mmengine.
"${PIP[@]}" numpy opencv-python mmengine
# 4. mmcv 2.1.0 with its CPU ops, compiled against the torch above.
if ! "$VENV/bin/python" -c "import mmcv, mmcv.ops" >/dev/null 2>&1; then
  MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="${MAX_JOBS:-2}" \
    "${PIP[@]}" --no-build-isolation mmcv==2.1.0
fi
# 5. mmseg / mmpretrain and mmseg's undeclared imports, test tools.
"${PIP[@]}" mmsegmentation mmpretrain -r "$ROOT/requirements/dev.txt"
# 6. torchvision's Python parts only (its compiled ops need a CUDA torch; see
#    mmdrs/utils/compat.py for the import shim).
"${PIP[@]}" --no-deps torchvision
# 7. mmdrs itself (editable) with the pretrained-backbone extra.
if [ -f "$ROOT/setup.py" ]; then
  "${PIP[@]}" --no-build-isolation -e "$ROOT[pretrained]"
fi
# 8. the crf extra (dense CRF: pseudo labels, test-time "+CRF"); a small C++
#    build (~30 s), in its own isolated build environment (it needs Cython).
"${PIP[@]}" pydensecrf2
# 9. the CPU kernels of DRS and of depthwise convs (plain C, ~2 s; otherwise
#    built on first use; the PyTorch code runs where no C compiler works).
"$VENV/bin/python" "$ROOT/tools/build_kernels.py" ||
  echo "[setup_env] CPU kernels not built: DRS and depthwise convs use PyTorch ops" >&2
rm -f "$VENV"/.mmdrs-env-*
touch "$STAMP"
echo "[setup_env] done in $(( $(date +%s) - start )) s" >&2
