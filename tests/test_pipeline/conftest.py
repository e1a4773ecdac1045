"""Fixtures of the pipeline tests."""
import contextlib
import os.path as osp
import sys
import traceback

import pytest

from mmdrs.pipeline import tool_runs
from mmdrs.pipeline.runner import REPO
from mmdrs.pipeline.stages import maps as stage_maps
from mmdrs.pipeline.stages import predicted_labels as stage_predicted
from mmdrs.pipeline.stages import report as stage_report


def _forget_visualizers():
    """A Runner builds its visualizer through ``get_instance(name)`` and
    mmseg's configs name it 'visualizer': in one process every later run
    would get the first run's, writing its scalars.json into the first
    run's work dir. Each tool process starts without one; so does each
    in-process run here."""
    from mmengine.visualization import Visualizer
    todo = [Visualizer]
    while todo:
        cls = todo.pop()
        cls._instance_dict.clear()
        todo += cls.__subclasses__()


@contextlib.contextmanager
def _tools_in_process(load_tool):
    """Stage tools run as ``main(argv)`` in this process, each with the
    command line the stage built, its output appended to the stage's log
    (a failure's traceback too) and a failure raised as ``run_tool``
    raises it: no interpreter start per stage. (The cpu profile's test and
    test_tool_runs.py::test_failed_stage_names_its_log run tools as
    processes; ``run_tool``'s command lines: test_tool_paths.py.)"""
    tools = osp.join(REPO, 'tools')

    def run_tool(name, cmd, log_path):
        print(f'[stage {name}] {" ".join(cmd)}', flush=True)
        assert cmd[0] == sys.executable and cmd[1].startswith(tools), cmd
        tool = load_tool(osp.relpath(cmd[1], tools)[:-len('.py')])
        _forget_visualizers()
        with open(log_path, 'a') as log, contextlib.redirect_stdout(log), \
                contextlib.redirect_stderr(log):
            try:
                tool.main(list(cmd[2:]))
            except Exception as e:
                traceback.print_exc()
                raise RuntimeError(
                    f'stage {name} failed ({e!r}); log: {log_path}') from e

    with pytest.MonkeyPatch.context() as mp:
        for module in (tool_runs, stage_maps, stage_predicted,
                       stage_report):
            mp.setattr(module, 'run_tool', run_tool)
        yield


@pytest.fixture(scope='session')
def tools_in_process(load_tool):
    """A context manager: inside it, pipeline stages run their tools in
    this process (see :func:`_tools_in_process`)."""
    return lambda: _tools_in_process(load_tool)
