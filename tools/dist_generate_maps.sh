#!/usr/bin/env bash
# Generate localization maps on N processes (see tools/generate_maps.py).
# Usage: bash tools/dist_generate_maps.sh CONFIG CHECKPOINT N --out-dir DIR ...
TOOL=generate_maps.py exec bash "$(dirname "$0")/dist_test.sh" "$@"
