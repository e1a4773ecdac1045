"""Localization-map stage: ``tools/generate_maps.py`` + evaluation."""
import sys
from typing import Optional, Sequence

from ..registry import PIPELINE_STAGES
from ..runner import PipelineStage, Row
from ..tool_runs import repo_path, run_stage, run_tool


@PIPELINE_STAGES.register_module()
class Maps(PipelineStage):
    """Multi-scale maps of a trained model for a split, scored on a split.

    The maps of the ``model`` stage's checkpoint are written with its config
    (``tools/generate_maps.py``, 3 scales from the config's ``map_cfg``),
    then evaluated against the ``eval_split`` masks (default ``train``, the
    WSSS convention) under both protocols
    (threshold sweep; saliency protocol when the data has saliency maps).

    Args:
        name (str): Stage name.
        model (str): The training stage whose checkpoint and config are used.
        split (str): Split to write maps for. Defaults to ``'trainaug'``.
        out (str, optional): Folder under ``<work_dir>/maps``; defaults to
            the model stage's name.
        out_size (Sequence[int], optional): Fixed map size
            (``--out-size``).
        quantize (str, optional): ``'round'`` / ``'floor'``.
        normalize_eval (bool): Max-normalise each image's maps for the
            threshold sweep (raw refined maps).
        eval_split (str): Split the maps are scored on (its masks).
        options (Sequence[str]): Extra ``--cfg-options`` of the map job
            (e.g. ``model.test_cfg.normalize=True``).
        what (str): Description for the results table.
    """

    def __init__(self,
                 name: str,
                 model: str,
                 split: str = 'trainaug',
                 out: Optional[str] = None,
                 out_size: Optional[Sequence[int]] = None,
                 quantize: Optional[str] = None,
                 normalize_eval: bool = False,
                 eval_split: str = 'train',
                 options: Sequence[str] = (),
                 what: str = ''):
        super().__init__(name, what)
        self.eval_split = eval_split
        self.extra_options = self.cfg_options(options)
        self.model = model
        self.split = split
        self.out = out or model
        self.out_size = out_size
        self.quantize = quantize
        self.normalize_eval = normalize_eval

    def out_dir(self, pipe):
        return pipe.path('maps', self.out)

    def model_options(self, pipe):
        """The map job's ``--cfg-options``: the model stage's (its
        pipeline binding and its own ``options``) that shape the model, its
        test data and ``map_cfg`` - so the model is built as it was
        trained -, then this stage's ``options``."""
        return pipe.stage(self.model).model_options(
            pipe, keep=('test_dataloader', 'model.', 'map_cfg')
        ) + self.extra_options

    def run(self, pipe):
        from ...apis import evaluate_maps
        train = pipe.stage(self.model)
        out = self.out_dir(pipe)
        self.clear(pipe, out)

        def fn():
            ckpt = pipe.require(self.model)
            opts = self.model_options(pipe)
            args = ['--out-dir', out, '--split', self.split]
            if self.out_size:
                args += ['--out-size', *[str(v) for v in self.out_size]]
            if self.quantize:
                args += ['--quantize', self.quantize]
            args += ['--cfg-options', *opts]
            config = repo_path(train.config)
            if pipe.gpus > 1:
                cmd = ['bash', repo_path('tools/dist_generate_maps.sh'),
                       config, ckpt, str(pipe.gpus), *args]
            else:
                cmd = [sys.executable, repo_path('tools/generate_maps.py'),
                       config, ckpt, *args]
            run_tool(self.name, cmd, out + '.log')
            sal = 'SaliencyMaps' if pipe.data['saliency'] else None
            ev = evaluate_maps(out, pipe.data_root, self.eval_split,
                               saliency_dir=sal,
                               normalize=self.normalize_eval)
            res = {
                'maps': out,
                'cam/mIoU': round(ev['mIoU'], 2),
                'cam/best_threshold': ev['best_threshold']
            }
            if sal:
                res['cam/sal_mIoU'] = round(ev['sal_mIoU'], 2)
            return res

        return run_stage(self.name, out, fn, pipe.force)

    def rows(self, pipe, res):
        details = f"bg {res.get('cam/best_threshold')}"
        if res.get('cam/sal_mIoU') is not None:
            details += f", saliency protocol {res['cam/sal_mIoU']}"
        return [Row(self.name, f'{self.what}, mIoU on {self.eval_split}',
                    res.get('cam/mIoU'), details, res['seconds'])]
