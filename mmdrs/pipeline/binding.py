"""Bind a stage's config to the data at hand, as ``--cfg-options``.

A pipeline stage runs an ordinary config (``configs/drs/...``) through an
ordinary tool; what differs between a toy run, a user's folder and VOC -
where the data is, its class list, whether it has saliency maps, the image
size, where the previous stage wrote its maps or labels - is found in the
loaded config by walking it (keys named ``data_root``, transforms by type,
heads by name) and turned into ``--cfg-options`` items, so every command the
pipeline prints can be re-run by hand.

The contract: what a config must name to be bound (``LOADERS`` are
``train_dataloader`` / ``val_dataloader`` / ``test_dataloader``, searched
at any depth, e.g. the members of a ``ConcatDataset``).

=================  ========================================================
bound              what the config must have
=================  ========================================================
data root          a dataset dict with a ``data_root`` key under a loader
                   (every one found is pointed at the data);
                   :func:`data_options`
classes (K + bg)   ``model.cam_head`` / ``model.refine_head`` with
                   ``num_classes`` (set to K, the foreground classes) or
                   ``model.decode_head`` / ``model.auxiliary_head`` with
                   ``num_classes`` (set to K + 1); :func:`data_options`
no saliency maps   nothing required: ``saliency_dir`` of
                   ``val_evaluator`` / ``test_evaluator`` entries becomes
                   None, ``default_hooks.checkpoint.save_best`` moves from
                   ``cam/sal_mIoU`` to ``cam/mIoU``
image size         ``Resize`` / ``RandomResize`` with a ``scale``,
                   ``RandomCrop``, ``model.data_preprocessor.size`` or
                   ``map_cfg.scales``; :func:`image_size_options`
epochs             an epoch-based ``train_cfg`` (``max_epochs``);
                   ``MultiStepLR`` milestones (by epoch) move with it;
                   :func:`epoch_options`
iterations         an iteration-based ``train_cfg`` (``max_iters``) whose
                   first ``param_scheduler`` ends at the last iteration;
                   :func:`iteration_options`
refinement maps    a ``LoadCAMTargets`` transform (``maps_dir``)
                   (``TrainRefiner``); :func:`transform_options`
pseudo labels      a ``LoadPseudoLabels`` transform (``pseudo_dir``)
                   (``TrainSegmentor`` with ``labels``);
                   :func:`transform_options`
seed               nothing required: ``randomness.seed`` is set
warm-up share      ``model.cls_only_iters`` (one-step segmentors; 0 when
                   absent); :func:`one_step_iteration_options`
=================  ========================================================

A config that lacks what a binding needs raises ``ValueError`` naming the
config file and what was expected (e.g. a segmentation config without a
``LoadPseudoLabels`` transform would otherwise train on its own masks),
instead of a run that silently ignores the binding. The data check of a
pipeline (the ``CheckData`` stage, ``tools/check_dataset.py --profile``)
computes every training stage's options this way before anything trains
(:func:`~mmdrs.pipeline.stages.data.binding_problems`), so such a config
stops the pipeline at its first stage.
"""
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
EVALUATORS = ('val_evaluator', 'test_evaluator')
#: heads over the foreground classes (K) vs over all classes (K + 1)
FG_HEADS = ('cam_head', 'refine_head')
ALL_HEADS = ('decode_head', 'auxiliary_head')


def walk(node, path: Tuple = ()) -> Iterator[Tuple[Tuple, object]]:
    """Every (key path, value) under a config node, depth first."""
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + (k, ))
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from walk(v, path + (i, ))


def dotted(path: Sequence) -> str:
    return '.'.join(str(p) for p in path)


def _fmt(value) -> str:
    if isinstance(value, (list, tuple)):
        return '(' + ','.join(_fmt(v) for v in value) + ',)'
    return str(value)


def find(cfg, roots: Sequence[str],
         pred: Callable[[dict], bool]) -> List[Tuple[Tuple, dict]]:
    """(path, dict) of every dict under ``cfg[root]`` satisfying ``pred``."""
    out = []
    for root in roots:
        if cfg.get(root, None) is None:
            continue
        for path, node in walk(cfg[root], (root, )):
            if isinstance(node, dict) and pred(node):
                out.append((path, node))
    return out


def config_name(cfg) -> str:
    """The file a loaded config came from, for messages."""
    return getattr(cfg, 'filename', None) or 'config (not from a file)'


def data_options(cfg, data_root: str, num_classes: Optional[int] = None,
                 saliency: bool = True) -> List[str]:
    """Point every dataset at ``data_root``; size the heads for
    ``num_classes`` (background included); without saliency maps, drop the
    saliency protocol and select checkpoints by the threshold sweep.

    Args:
        cfg (Config): The loaded config.
        data_root (str): The data folder.
        num_classes (int, optional): Classes including the background;
            None leaves the heads as configured.
        saliency (bool): Whether the data has saliency maps.

    Returns:
        list[str]: ``--cfg-options`` items.

    Raises:
        ValueError: No dataset with a ``data_root`` key, or ``num_classes``
            given and no head with ``num_classes`` (see the module
            docstring).
    """
    datasets = find(cfg, LOADERS, lambda d: 'data_root' in d)
    if not datasets:
        raise ValueError(
            f'{config_name(cfg)}: no dataset with a `data_root` key under '
            f'{", ".join(LOADERS)}: nothing to point at {data_root}')
    opts = [f'{dotted(p)}.data_root={data_root}' for p, _ in datasets]
    if num_classes is not None:
        sized = False
        for head in FG_HEADS + ALL_HEADS:
            node = (cfg.get('model', None) or {}).get(head, None)
            if isinstance(node, dict) and 'num_classes' in node:
                k = num_classes - 1 if head in FG_HEADS else num_classes
                opts.append(f'model.{head}.num_classes={k}')
                sized = True
        if not sized:
            raise ValueError(
                f'{config_name(cfg)}: no head to size for {num_classes} '
                'classes: expected `num_classes` in one of '
                f'{", ".join("model." + h for h in FG_HEADS)} (foreground '
                'classes) or '
                f'{", ".join("model." + h for h in ALL_HEADS)} (background '
                'included)')
    if not saliency:
        for p, _ in find(cfg, EVALUATORS,
                         lambda d: d.get('saliency_dir') is not None):
            opts.append(f'{dotted(p)}.saliency_dir=None')
        ckpt = (cfg.get('default_hooks', None) or {}).get('checkpoint', {})
        if ckpt and ckpt.get('save_best') == 'cam/sal_mIoU':
            opts.append('default_hooks.checkpoint.save_best=cam/mIoU')
    return opts


def config_datasets(cfg, source: str) -> List[dict]:
    """The datasets of a config's loaders that read the data root
    (``ann_file``, ``data_prefix``, suffixes), each tagged with ``source``
    and its key path - what the dataset check verifies before any stage
    runs (:func:`~mmdrs.datasets.dataset_check.check_dataset_configs`)."""
    keys = ('ann_file', 'data_prefix', 'img_suffix', 'seg_map_suffix')
    return [
        dict({k: node[k] for k in keys if k in node},
             source=f'{source} ({dotted(p)})')
        for p, node in find(cfg, LOADERS, lambda d: 'data_root' in d)
    ]


def transform_options(cfg, type_name: str, key: str,
                      value) -> List[str]:
    """Set ``key`` of every ``type_name`` transform of the dataloaders.

    Args:
        cfg (Config): The loaded config.
        type_name (str): Transform type, e.g. ``'LoadPseudoLabels'``.
        key (str): Its argument, e.g. ``'pseudo_dir'``.
        value: The value.

    Returns:
        list[str]: ``--cfg-options`` items, one per transform found.

    Raises:
        ValueError: The loaders have no ``type_name`` transform (the value
            would be bound to nothing).
    """
    found = find(cfg, LOADERS, lambda d: d.get('type') == type_name)
    if not found:
        raise ValueError(
            f'{config_name(cfg)}: no `{type_name}` transform in the '
            f'pipelines of {", ".join(LOADERS)} to set `{key}` '
            f'({_fmt(value)}) of; expected one (e.g. in place of the '
            'annotation loader or after LoadImageFromFile)')
    return [f'{dotted(p)}.{key}={_fmt(value)}' for p, _ in found]


def _pipelines(cfg, loader: str) -> List[Tuple[Tuple, list]]:
    if cfg.get(loader, None) is None:
        return []
    return [(p, v) for p, v in walk(cfg[loader], (loader, ))
            if p and p[-1] == 'pipeline' and isinstance(v, (list, tuple))]


def image_size_options(cfg, size: int, train_resize: int) -> List[str]:
    """Square image sizes of a toy-style recipe.

    Training pipelines: a ``Resize`` / ``RandomResize`` followed by a
    ``RandomCrop`` resizes to ``train_resize`` and crops ``size`` (the
    paper's resize-then-crop), one without a crop resizes to ``size``; test
    pipelines resize to ``size``; the data preprocessor pads to ``size``;
    ``map_cfg.scales`` become the paper's ratios 0.8 / 1 / 1.2 of ``size``.

    Raises:
        ValueError: The config has none of these.
    """
    opts = []
    for loader in LOADERS:
        for path, pipe in _pipelines(cfg, loader):
            types = [t.get('type') for t in pipe]
            cropped = 'RandomCrop' in types
            for i, t in enumerate(pipe):
                where = f'{dotted(path)}.{i}'
                if t.get('type') in ('Resize', 'RandomResize') and \
                        t.get('scale') is not None:
                    s = train_resize if (loader == 'train_dataloader'
                                         and cropped) else size
                    opts.append(f'{where}.scale={_fmt((s, s))}')
                elif t.get('type') == 'RandomCrop':
                    opts.append(f'{where}.crop_size={_fmt((size, size))}')
    dp = (cfg.get('model', None) or {}).get('data_preprocessor', None)
    if dp and dp.get('size') is not None:
        opts.append(f'model.data_preprocessor.size={_fmt((size, size))}')
    if cfg.get('map_cfg', None) and cfg.map_cfg.get('scales'):
        scales = (round(0.8 * size), size, round(1.2 * size))
        opts.append(f'map_cfg.scales={_fmt(scales)}')
    if not opts:
        raise ValueError(
            f'{config_name(cfg)}: nothing to set the image size {size} in: '
            'expected a Resize / RandomResize with a `scale` or a '
            'RandomCrop in a loader pipeline, model.data_preprocessor.size '
            'or map_cfg.scales')
    return opts


def epoch_options(cfg, epochs: int) -> List[str]:
    """Train ``epochs`` epochs, validating and saving at the end; the
    epoch milestones of ``MultiStepLR`` schedulers move with the length
    (the same share of the run at each lr, at least one epoch).

    Raises:
        ValueError: ``train_cfg`` is not epoch-based (no ``max_epochs``).
    """
    old = (cfg.get('train_cfg', None) or {}).get('max_epochs')
    if not old:
        raise ValueError(
            f'{config_name(cfg)}: cannot train {epochs} epochs: expected an '
            'epoch-based train_cfg with `max_epochs`')
    opts = [
        f'train_cfg.max_epochs={epochs}',
        f'train_cfg.val_interval={epochs}',
        f'default_hooks.checkpoint.interval={epochs}',
    ]
    for i, sched in enumerate(_schedulers(cfg)):
        if sched.get('type') != 'MultiStepLR' or \
                not sched.get('by_epoch', True):
            continue
        moved = [min(max(1, round(m * epochs / old)), max(epochs - 1, 1))
                 for m in sched['milestones']]
        opts.append(f'param_scheduler.{i}.milestones={_fmt(moved)}')
    return opts


def _schedulers(cfg) -> List[dict]:
    sched = cfg.get('param_scheduler', None) or []
    return [sched] if isinstance(sched, dict) else list(sched)


def iteration_options(iters: int, cfg=None) -> List[str]:
    """Train ``iters`` iterations (the first scheduler ends there),
    validating and saving at the end.

    Args:
        iters (int): Iterations.
        cfg (Config, optional): The loaded config, to check it is
            iteration-based.

    Raises:
        ValueError: ``cfg``'s ``train_cfg`` has no ``max_iters``.
    """
    if cfg is not None and not (cfg.get('train_cfg', None)
                                or {}).get('max_iters'):
        raise ValueError(
            f'{config_name(cfg)}: cannot train {iters} iterations: expected '
            'an iteration-based train_cfg with `max_iters`')
    return [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'default_hooks.checkpoint.interval={iters}',
        f'param_scheduler.0.end={iters}'
    ]


def one_step_iteration_options(cfg, iters: int) -> List[str]:
    """:func:`iteration_options` for a one-step segmentor (e.g. RRM) whose
    classification-only warm-up (``model.cls_only_iters``) keeps the same
    share of the new iteration count as in ``cfg``."""
    warm = cfg.model.get('cls_only_iters', 0)
    share = round(warm * iters / cfg.train_cfg.max_iters)
    return iteration_options(iters, cfg) + [f'model.cls_only_iters={share}']
