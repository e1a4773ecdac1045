# The two commands of the README. Both build (or reuse) the pinned CPU
# environment in .venv first; nothing else needs to be installed.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: env demo test clean-demo

env:
	bash tools/setup_env.sh $(VENV)

# Run the main job on the embedded toy VOC dataset.
demo: env
	$(PY) tools/run_pipeline.py

# Run the test suite.
test: env
	$(PY) -m pytest tests $(PYTEST_ARGS)

clean-demo:
	rm -rf work_dirs/toy data/toy_voc
