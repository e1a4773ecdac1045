"""Pseudo labels predicted by a trained segmentor (e.g. RRM's two-step)."""
import os
import os.path as osp
import shutil
import sys
from typing import Sequence

from ..registry import PIPELINE_STAGES
from ..runner import PipelineStage, Row
from ..tool_runs import repo_path, run_stage, run_tool

#: candidate name of each CRF setting
CANDIDATES = {False: 'argmax', True: 'crf'}


@PIPELINE_STAGES.register_module()
class PredictedPseudoLabels(PipelineStage):
    """The predictions of the ``model`` stage's segmentor on ``split`` as
    pseudo labels: RRM's two-step, where the one-step segmentor's labels of
    train_aug train DeepLab.

    The segmentor predicts whole images with its config's test pipeline
    (``tools/test.py --out``, mmseg's ``IoUMetric`` writing one PNG per
    image at the image's size), with and without a dense CRF on its
    probabilities (``--crf``: the config's ``crf_cfg``; the RRM authors'
    ``infer_RRM.py`` writes both); each candidate is scored on the
    ``select_split`` masks and the better one (the first on a tie) is the
    stage's labels, as :class:`PseudoLabels` chooses. A candidate is
    predicted into a temporary folder and moved into place when complete,
    so an interrupted stage re-runs it whole.

    Args:
        name (str): Stage name (also its folder under the work dir).
        model (str): The training stage whose checkpoint and config are
            used (e.g. ``TrainOneStepSegmentor``).
        split (str): Split to label. Defaults to ``'trainaug'``.
        select_split (str): Split scoring the candidates; its images must
            be in ``split``.
        crf (Sequence[bool]): Candidate CRF settings, preferred first.
        options (Sequence[str]): Extra ``--cfg-options`` of the prediction
            job (e.g. ``model.test_cfg.mode=slide``).
        what (str): Description for the results table.
    """

    def __init__(self,
                 name: str,
                 model: str,
                 split: str = 'trainaug',
                 select_split: str = 'train',
                 crf: Sequence[bool] = (False, True),
                 options: Sequence[str] = (),
                 what: str = 'predicted pseudo labels'):
        super().__init__(name, what)
        if isinstance(crf, bool):
            crf = [crf]
        bad = [c for c in crf if c not in CANDIDATES]
        if not crf or bad:
            raise ValueError(f'stage {name}: CRF candidates must be some of '
                             f'{list(CANDIDATES)}, got {list(crf)}')
        self.model = model
        self.split = split
        self.select_split = select_split
        self.crf = list(crf)
        self.extra_options = self.cfg_options(options)

    def _predict(self, pipe, crf: bool, dest: str) -> None:
        """``tools/test.py --out`` into ``dest`` (skipped if complete)."""
        if osp.isdir(dest):
            return
        train = pipe.stage(self.model)
        opts = train.model_options(pipe)
        opts.append('test_dataloader.dataset.ann_file='
                    f'ImageSets/Segmentation/{self.split}.txt')
        opts += self.extra_options
        tmp = dest + '.partial'
        shutil.rmtree(tmp, ignore_errors=True)
        cmd = [sys.executable, repo_path('tools/test.py'),
               repo_path(train.config), pipe.require(self.model),
               '--out', tmp, '--work-dir', tmp + '_log']
        if crf:
            cmd.append('--crf')
        run_tool(self.name, cmd + ['--cfg-options', *opts], dest + '.log')
        shutil.rmtree(tmp + '_log', ignore_errors=True)
        os.replace(tmp, dest)

    def run(self, pipe):
        from ...apis.label_generation import evaluate_labels
        out = self.out_dir(pipe)
        self.clear(pipe, out)

        def fn():
            scores = {}
            for crf in self.crf:
                dest = osp.join(out, CANDIDATES[crf])
                self._predict(pipe, crf, dest)
                scores[CANDIDATES[crf]] = evaluate_labels(
                    dest, pipe.data_root, self.select_split)
            best = max(s['mIoU'] or 0 for s in scores.values())
            chosen = next(c for c, s in scores.items()
                          if (s['mIoU'] or 0) == best)
            return {
                'labels': osp.join(out, chosen),
                'crf': chosen == CANDIDATES[True],
                'pseudo/mIoU': scores[chosen]['mIoU'],
                'pseudo/ignored_pct': scores[chosen]['ignored_pct'],
                'select/mIoU': {c: s['mIoU'] for c, s in scores.items()},
                'select_split': self.select_split
            }

        return run_stage(self.name, out, fn, pipe.force)

    def rows(self, pipe, res):
        chosen = CANDIDATES[res['crf']]
        rows = [
            Row(f'{self.name}[{c}]', f'{self.what} ({c}) on '
                f"{res['select_split']} (selection)" +
                (' (chosen)' if c == chosen else ''), v, '', 0.0)
            for c, v in res['select/mIoU'].items()
        ]
        rows.append(Row(self.name, f'{self.what} of {self.model} vs '
                        f"{res['select_split']} masks", res['pseudo/mIoU'],
                        f"{chosen}; {res['pseudo/ignored_pct']} % ignored",
                        res['seconds']))
        return rows
