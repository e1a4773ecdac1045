"""Localization-map generation with the standard mmengine Runner.

``tools/generate_maps.py`` is the command line of :func:`generate_maps`: it
turns a classifier (or refinement) config + checkpoint into a ``Runner.test``
job whose dataset skips images with finished maps
(:class:`~mmdrs.datasets.SkipExistingDataset`), whose evaluator writes the
maps (:class:`~mmdrs.evaluation.CAMMapWriter`), and which shows a progress
bar (:class:`~mmdrs.engine.ProgressBarHook`). ``dist_test.sh``-style
launches split the images across ranks without padding (``round_up=False``),
so no image is written twice and none is left out.
"""
import copy
import json
import os
import os.path as osp
import time
from typing import Optional, Sequence, Tuple

from mmengine.config import Config

from ..utils.atomic import remove_stale_temp_files, write_json_atomic
from ..utils.runner_cfg import load_runner_config

#: The paper's inference: image squashed to 320x320, run at these sizes.
PAPER_SCALES = (256, 320, 384)
META_FILE = 'maps_meta.json'


def build_map_config(config: str,
                     checkpoint: str,
                     out_dir: str,
                     split: Optional[str] = None,
                     scales: Optional[Sequence[int]] = None,
                     flip: Optional[bool] = None,
                     out_size: Optional[Tuple[int, int]] = None,
                     quantize: Optional[str] = None,
                     batch_size: Optional[int] = None,
                     channels_last: Optional[bool] = None,
                     launcher: str = 'none',
                     cfg_options: Optional[dict] = None) -> Config:
    """The Runner config of a map-generation job.

    Args:
        config (str): Classifier / refinement config; its ``test_dataloader``
            (pipeline, data root) is used.
        checkpoint (str): Checkpoint to load.
        out_dir (str): Where the ``.npz`` maps go.
        split (str, optional): ``ImageSets/Segmentation/<split>.txt`` instead
            of the config's test split (e.g. ``train`` for CAM evaluation,
            ``trainaug`` for refinement targets).
        scales (Sequence[int], optional): Square inference sizes. Defaults to
            the config's ``map_cfg.scales``, else the paper's (256, 320, 384).
        flip (bool, optional): Add flipped passes. Defaults to
            ``map_cfg.flip``, else False (the paper).
        out_size (tuple, optional): Fixed (H, W) of the stored maps (the
            model upsamples its class maps straight to it); default
            ``map_cfg.out_size``, else None = the original image size.
        quantize (str, optional): ``'round'`` or ``'floor'`` (the authors'
            refinement targets); default ``map_cfg.quantize``, else round.
        batch_size (int, optional): Images per batch.
        channels_last (bool, optional): Run the model in the channels-last
            memory format (:class:`~mmdrs.engine.ChannelsLastHook`; same
            maps up to float rounding, faster convolutions). Defaults to
            ``map_cfg.channels_last``, else True.
        launcher (str): Job launcher (``none`` / ``pytorch`` ...).
        cfg_options (dict, optional): Extra overrides.

    Returns:
        Config: Ready for ``Runner.from_cfg(cfg).test()``.
    """
    if not osp.isfile(checkpoint) and '://' not in checkpoint:
        raise FileNotFoundError(f'checkpoint file {checkpoint} not found')
    cfg = load_runner_config(config, launcher, cfg_options,
                             osp.join(out_dir, 'logs'))
    map_cfg = dict(
        scales=PAPER_SCALES, flip=False, out_size=None, quantize='round',
        channels_last=True)
    map_cfg.update(cfg.get('map_cfg', None) or {})
    for key, value in (('scales', scales), ('flip', flip),
                       ('out_size', out_size), ('quantize', quantize),
                       ('channels_last', channels_last)):
        if value is not None:
            map_cfg[key] = value
    map_cfg['scales'] = [int(s) for s in map_cfg['scales']]
    if map_cfg['out_size'] is not None:
        map_cfg['out_size'] = [int(v) for v in map_cfg['out_size']]
    cfg.map_cfg = map_cfg
    cfg.load_from = checkpoint
    cfg.model.setdefault('test_cfg', {})
    cfg.model.test_cfg.update(
        scales=map_cfg['scales'],
        flip=map_cfg['flip'],
        out_size=map_cfg['out_size'])

    loader = cfg.test_dataloader
    dataset = copy.deepcopy(loader.dataset)
    if split is not None:
        dataset.ann_file = f'ImageSets/Segmentation/{split}.txt'
    loader.dataset = dict(
        type='SkipExistingDataset', dataset=dataset, out_dir=out_dir)
    loader.sampler = dict(type='DefaultSampler', shuffle=False,
                          round_up=False)
    if batch_size is not None:
        loader.batch_size = batch_size
    cfg.test_evaluator = dict(
        type='CAMMapWriter',
        out_dir=out_dir,
        out_size=map_cfg['out_size'],
        quantize=map_cfg['quantize'])
    # the checkpoint must be the model's: mmengine would load it leniently;
    # the layout is map_cfg's (a training config may set ChannelsLastHook)
    cfg.custom_hooks = [
        h for h in cfg.get('custom_hooks', None) or []
        if h.get('type') != 'ChannelsLastHook'
    ] + [
        dict(type='ProgressBarHook', interval=1),
        dict(type='CheckpointFitHook')
    ]
    if map_cfg['channels_last']:
        cfg.custom_hooks.append(dict(type='ChannelsLastHook'))
    cfg.default_hooks.visualization = dict(
        type='SegVisualizationHook', draw=False)
    return cfg


def check_map_meta(out_dir: str, meta: dict) -> None:
    """Record how the maps in ``out_dir`` are made; refuse to mix runs.

    Writes ``maps_meta.json`` the first time; later runs (a resume) must
    have the same config, checkpoint, scales, flip and size, else a
    ``ValueError`` names the file and the differing keys.
    """
    path = osp.join(out_dir, META_FILE)
    if osp.isfile(path):
        with open(path) as f:
            old = json.load(f)
        diff = [k for k in meta if old.get(k) != meta[k]]
        if diff:
            raise ValueError(
                f'{out_dir} holds maps made with other settings ({path}: ' +
                ', '.join(f'{k}={old.get(k)!r} vs {meta[k]!r}'
                          for k in diff) + '); use a new --out-dir')
        return
    if int(os.environ.get('RANK', 0)) == 0:
        os.makedirs(out_dir, exist_ok=True)
        write_json_atomic(path, meta)


def generate_maps(config: str, checkpoint: str, out_dir: str,
                  **kwargs) -> dict:
    """Write the maps of every image of a split (see
    :func:`build_map_config` for the arguments); images whose maps exist are
    skipped.

    Returns:
        dict: ``written`` (this run), ``skipped`` (already there),
        ``bytes_per_image`` of the written files and ``seconds`` of the
        test loop (start-up excluded).
    """
    from mmengine.runner import Runner
    from mmseg.registry import DATASETS
    cfg = build_map_config(config, checkpoint, out_dir, **kwargs)
    check_map_meta(
        out_dir,
        dict(
            config=osp.abspath(config),
            checkpoint=osp.abspath(checkpoint),
            split=kwargs.get('split'),
            scales=cfg.map_cfg['scales'],
            flip=bool(cfg.map_cfg['flip']),
            out_size=list(cfg.map_cfg['out_size'] or []) or None,
            quantize=cfg.map_cfg['quantize']))
    remove_stale_temp_files(out_dir)
    # count what is left before building the runner (nothing left = done)
    from mmengine.registry import init_default_scope
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    if len(dataset) == 0:
        print(f'all {dataset.num_skipped} maps exist in {out_dir}')
        return dict(written=0, skipped=dataset.num_skipped)
    runner = Runner.from_cfg(cfg)
    t0 = time.perf_counter()
    metrics = runner.test()
    return dict(
        written=metrics.get('maps/written', 0),
        skipped=dataset.num_skipped,
        bytes_per_image=metrics.get('maps/bytes_per_image'),
        seconds=round(time.perf_counter() - t0, 2))
