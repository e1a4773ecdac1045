"""Training stages: ``tools/train.py`` runs of a profile's configs."""
from typing import List, Optional

from mmengine.config import Config

from ..binding import (data_options, epoch_options, image_size_options,
                       iteration_options, transform_options)
from ..registry import PIPELINE_STAGES
from ..runner import PipelineStage, Row
from ..tool_runs import repo_path, train_stage


class TrainStage(PipelineStage):
    """A training run of ``config`` bound to the pipeline's data.

    The stage's checkpoint is the one the config's checkpoint hook keeps as
    the best (``save_best``, e.g. the paper's best saliency-protocol epoch)
    when it keeps one, else the last.

    Args:
        name (str): Stage name; also the work-dir folder.
        config (str): Config path (relative to the repository).
        what (str): Description for the results table.
        options (Sequence[str]): Extra ``--cfg-options`` items, applied
            after the pipeline's own (a profile's or a study's changes).
        init_backbone (str, optional): A trained classifier stage whose
            backbone initialises this model's (its ``init_cfg`` checkpoint,
            ``backbone_prefix`` stripped) instead of the config's
            (ImageNet) weights: the two backbones must be the same
            architecture. Defaults to None (the config's).
        backbone_prefix (str): The backbone's key prefix in that
            checkpoint. Defaults to ``'backbone.backbone.'`` (a
            ``DRSBackbone``'s wrapped network).
    """

    def __init__(self, name: str, config: str, what: str = '',
                 options=(), init_backbone: Optional[str] = None,
                 backbone_prefix: str = 'backbone.backbone.'):
        super().__init__(name, what)
        self.config = config
        self.extra_options = self.cfg_options(options)
        self.init_backbone = init_backbone
        self.backbone_prefix = backbone_prefix

    def load_config(self) -> Config:
        return Config.fromfile(repo_path(self.config))

    def options(self, pipe, cfg: Config) -> List[str]:
        """The ``--cfg-options`` binding ``cfg`` to the run."""
        data = pipe.data
        opts = data_options(cfg, pipe.data_root, len(data['classes']),
                            data['saliency'])
        size = pipe.vars.get('img_size')
        if size:
            resize = pipe.vars.get('train_resize') or round(size * 8 / 7)
            opts += image_size_options(cfg, size, resize)
        if pipe.vars.get('seed') is not None:
            opts.append(f"randomness.seed={pipe.vars['seed']}")
        if self.init_backbone is not None:
            if not (cfg.model.backbone.get('init_cfg') or {}).get(
                    'checkpoint'):
                raise KeyError(
                    f'stage {self.name}: init_backbone needs a Pretrained '
                    f'model.backbone.init_cfg in {self.config}')
            opts += [
                'model.backbone.init_cfg.checkpoint=' +
                pipe.require(self.init_backbone),
                f'model.backbone.init_cfg.prefix={self.backbone_prefix}'
            ]
        return opts

    def bound_options(self, pipe, cfg: Config) -> List[str]:
        """Every ``--cfg-options`` item of the stage's run: the pipeline's
        binding, then the stage's own ``options``. A stage that runs the
        trained model again (its maps, its predictions) takes its model
        settings from here, so the model it builds is the one trained (a
        study's ``model.cam_head.drs_cfg.delta=0.7`` included)."""
        return self.options(pipe, cfg) + self.extra_options

    def model_options(self, pipe, keep=('test_dataloader', 'model.')):
        """The items of :meth:`bound_options` whose keys start with one of
        ``keep``: what a job that runs the trained model again (maps,
        predictions) needs to build it and its test data as trained,
        without the training-only settings (optimiser, schedule)."""
        return [o for o in self.bound_options(pipe, self.load_config())
                if o.startswith(tuple(keep))]

    def run(self, pipe):
        cfg = self.load_config()
        select = (cfg.get('default_hooks', None) or {}).get(
            'checkpoint', {}).get('save_best')
        opts = self.bound_options(pipe, cfg)
        if select == 'cam/sal_mIoU' and not pipe.data['saliency']:
            select = 'cam/mIoU'  # data_options switched the hook too
        return train_stage(self.name, self.config, self.out_dir(pipe), opts,
                           pipe.force, pipe.gpus, select=select)


def _cam_details(res: dict) -> str:
    out = f"bg {res.get('cam/best_threshold')}"
    if res.get('cam/sal_mIoU') is not None:
        out += f", saliency protocol {res.get('cam/sal_mIoU')}"
    if res.get('cls/mAP') is not None:
        out += f", mAP {res.get('cls/mAP')}"
    return out


@PIPELINE_STAGES.register_module()
class TrainClassifier(TrainStage):
    """A CAM classifier (DRS or plain); ``epochs`` variable overrides the
    config's epochs."""

    def options(self, pipe, cfg):
        opts = super().options(pipe, cfg)
        if pipe.vars.get('epochs'):
            opts += epoch_options(cfg, pipe.vars['epochs'])
        return opts

    def rows(self, pipe, res):
        return [Row(self.name,
                    f'{self.what}; CAM mIoU on train, 1 scale, best bg '
                    'threshold', res.get('cam/mIoU'), _cam_details(res),
                    res['seconds'])]


@PIPELINE_STAGES.register_module()
class TrainRefiner(TrainClassifier):
    """Refinement learning on the maps of the ``targets`` stage."""

    def __init__(self, name: str, config: str, targets: str, what: str = '',
                 **kwargs):
        super().__init__(name, config, what, **kwargs)
        self.targets = targets

    def options(self, pipe, cfg):
        maps = pipe.require(self.targets, 'maps')
        return super().options(pipe, cfg) + transform_options(
            cfg, 'LoadCAMTargets', 'maps_dir', maps)

    def rows(self, pipe, res):
        return [Row(self.name,
                    f'{self.what} (val: its maps on train, 1 scale)',
                    res.get('cam/mIoU'), _cam_details(res), res['seconds'])]


@PIPELINE_STAGES.register_module()
class TrainSegmentor(TrainStage):
    """A segmentation network on the pseudo labels of the ``labels`` stage
    (``None``: a config training on the real masks, the fully supervised
    reference); ``seg_iters`` variable overrides the iterations. Evaluated
    by mmseg on the real val masks.

    Args:
        name (str): Stage name; also the work-dir folder.
        config (str): Config path (relative to the repository).
        labels (str, optional): The pseudo-label stage (``None``: the
            config's own masks).
        what (str): Description for the results table.
        **kwargs: ``options``, ``init_backbone``, ``backbone_prefix`` of
            :class:`TrainStage`.
    """

    def __init__(self, name: str, config: str, labels: Optional[str],
                 what: str = '', **kwargs):
        super().__init__(name, config, what, **kwargs)
        self.labels = labels

    def options(self, pipe, cfg):
        opts = super().options(pipe, cfg)
        if self.labels is not None:
            opts += transform_options(cfg, 'LoadPseudoLabels', 'pseudo_dir',
                                      pipe.require(self.labels, 'labels'))
        if pipe.vars.get('seg_iters'):
            opts += iteration_options(pipe.vars['seg_iters'], cfg)
        return opts

    def rows(self, pipe, res):
        return [Row(self.name, f'{self.what}, val mIoU (real masks)',
                    res.get('mIoU'), f"aAcc {res.get('aAcc')}",
                    res['seconds'])]
