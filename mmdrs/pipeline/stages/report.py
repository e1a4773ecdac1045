"""Report stage: results table, results JSON and a map grid."""
import os.path as osp
import sys
import time
from typing import Sequence

from ...utils.atomic import write_json_atomic, write_text_atomic
from ..registry import PIPELINE_STAGES
from ..runner import PipelineStage
from ..tool_runs import repo_path, run_tool


@PIPELINE_STAGES.register_module()
class Report(PipelineStage):
    """``<work_dir>/results.{md,json}`` (one row per finished stage, as
    each stage describes itself) and ``<work_dir>/maps_grid.png`` (image,
    GT, and per map set one overlay per class and the prediction).

    Args:
        grid (Sequence[str]): ``Maps`` stages shown in the grid.
        num_images (int): Images in the grid.
    """

    def __init__(self, name: str = 'report', grid: Sequence[str] = (),
                 num_images: int = 6, **kwargs):
        super().__init__(name, **kwargs)
        self.grid = list(grid)
        self.num_images = num_images

    def run(self, pipe):
        # the folder the maps stage recorded: a reused stage (a sweep's
        # ``reuse``) wrote its maps in another run's work dir
        done = [(m, pipe.result(m).get('maps') or pipe.stage(m).out_dir(pipe))
                for m in self.grid if pipe.result(m) is not None]
        if done:
            run_tool(self.name, [
                sys.executable, repo_path('tools/analysis/visualize_maps.py'),
                *[d for _, d in done], '--names', *[m for m, _ in done],
                '--data-root', pipe.data_root, '--num',
                str(self.num_images), '--out', pipe.path('maps_grid.png')
            ], pipe.path('report.log'))
        rows = pipe.table_rows()
        lines = ['| stage | what | mIoU | details | time (s) |',
                 '|---|---|---|---|---|']
        lines += [f'| {r.stage} | {r.what} | {r.miou} | {r.details} | '
                  f'{r.seconds} |' for r in rows]
        table = '\n'.join(lines)
        print('\n' + table)
        wall = time.time() - pipe.t_start if pipe.t_start else 0.0
        print(f'\n[pipeline] wall time of this run {wall:.1f} s; stage times '
              f'add up to {sum(r.seconds for r in rows):.1f} s')
        write_text_atomic(pipe.path('results.md'), table + '\n')
        results = {s.name: pipe.result(s.name) for s in pipe.stages
                   if s is not self and pipe.result(s.name) is not None}
        write_json_atomic(pipe.path('results.json'), results)
        return None

    def out_dir(self, pipe):
        return osp.join(pipe.work_dir, self.name)
