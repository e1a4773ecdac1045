"""Pseudo labels from stored localization maps (raw or refined)."""
import inspect
import os
import os.path as osp
from multiprocessing import get_context
from typing import Optional, Union

import numpy as np
import torch
from mmcv import imread

from ..datasets.voc_layout import save_palette_png
from ..evaluation.functional import (label_confusion, label_miou,
                                     label_precision_coverage)
from ..fileio import load_cam_maps, load_saliency, map_file
from ..models.utils import (background_label, reliable_region_label,
                            saliency_label)
from ..models.utils.crf import IRN_LABEL_CRF, dense_crf
from ..utils.atomic import remove_stale_temp_files
from .map_evaluation import voc_split_dataset

MODES = ('saliency', 'constant', 'power', 'reliable')
#: dense CRF of the threshold modes: none, on the scores, on their labels
CRF_MODES = (False, True, 'scores', 'labels')


def crf_settings(crf: Union[bool, str],
                 crf_cfg: Optional[dict] = None) -> dict:
    """Every setting of the dense CRF a threshold rule runs.

    Args:
        crf (bool | str): The rule's ``crf`` (see :func:`pseudo_label`).
        crf_cfg (dict, optional): Changes to the defaults.

    Returns:
        dict: :func:`~mmdrs.models.utils.crf.dense_crf`'s keyword arguments:
        its defaults, IRN's label CRF over them for ``crf='labels'`` (the
        unary from the normalised scores otherwise), then ``crf_cfg``;
        empty without a CRF.
    """
    if not crf:
        return {}
    cfg = {k: p.default for k, p in
           inspect.signature(dense_crf).parameters.items()
           if p.default is not inspect.Parameter.empty}
    cfg.update(IRN_LABEL_CRF if crf == 'labels' else dict(unary='normalized'))
    cfg.update(crf_cfg or {})
    return cfg


def pseudo_label(maps: np.ndarray,
                 mode: str = 'saliency',
                 saliency: Optional[np.ndarray] = None,
                 alpha: float = 0.2,
                 bg_score: float = 0.15,
                 power: float = 4.0,
                 img: Optional[np.ndarray] = None,
                 crf: Union[bool, str] = False,
                 normalize: bool = False,
                 ignore_margin: float = 0.0,
                 crf_cfg: Optional[dict] = None) -> np.ndarray:
    """One image's pseudo label from its maps (the DRS paper's rules or a
    saliency-free background rule).

    Args:
        maps (ndarray): (K, H, W) maps in [0, 1], absent classes zero.
        mode (str): ``'saliency'`` (the paper's rules, with ``saliency`` a
            0-255 map), ``'constant'`` (background score ``bg_score``),
            ``'power'`` (background (1 - max)^``power``) or ``'reliable'``
            (RRM's reliable regions: two dense CRFs, 255 where unsure,
            :func:`~mmdrs.models.utils.reliable_region_label`; the maps are
            divided by their maxima, ``alpha``/``crf`` do not apply; needs
            ``img`` and the ``crf`` extra).
        alpha (float): Class scores below it are zeroed (the paper's 0.2;
            saliency mode, and threshold modes when > 0).
        img (ndarray, optional): The image, needed by ``crf``.
        crf (bool | str): Refine the threshold modes' result with a dense
            CRF (optional ``crf`` extra): ``True`` / ``'scores'`` on the
            normalised [background, classes] scores, ``'labels'`` on their
            arg-max labels (IRN's label CRF; see ``crf_cfg``).
        normalize (bool): Threshold modes: divide each class map by its
            maximum first (raw refined maps; the saliency rules always use
            the maps as given, as the authors).
        ignore_margin (float): Constant mode: label the pixels on which the
            rule at ``bg_score - ignore_margin`` and at ``bg_score +
            ignore_margin`` disagree 255 (IRN's confident-foreground /
            confident-background split: the foreground from the higher
            background score, the background from the lower, each through
            the same ``crf``). 0 (default): one threshold, nothing ignored.
        crf_cfg (dict, optional): Changes to the CRF's settings
            (:func:`~mmdrs.models.utils.crf.dense_crf`'s keyword arguments,
            e.g. ``bilateral_srgb``). The defaults: on the labels, IRN's
            label CRF (:data:`~mmdrs.models.utils.crf.IRN_LABEL_CRF`); on
            the scores, :func:`~mmdrs.models.utils.crf.dense_crf`'s own.

    Returns:
        ndarray: uint8 (H, W) labels 0..K (0 = background) and 255 (ignore).
    """
    cams = torch.from_numpy(maps)
    if mode == 'reliable':
        if img is None:
            raise ValueError("mode 'reliable' needs the image")
        cams = cams.float()
        cams = cams / (cams.amax(dim=(1, 2), keepdim=True) + 1e-5)
        return reliable_region_label(cams, img).numpy().astype(np.uint8)
    if normalize and mode != 'saliency':
        cams = cams / (cams.amax(dim=(1, 2), keepdim=True) + 1e-5)
    if mode == 'saliency':
        if saliency is None:
            raise ValueError("mode 'saliency' needs a saliency map")
        return saliency_label(
            cams, torch.from_numpy(saliency.astype(np.float32)),
            alpha=alpha).numpy().astype(np.uint8)
    if crf not in CRF_MODES:
        raise ValueError(f'crf must be one of {CRF_MODES}, got {crf!r}')
    if ignore_margin:
        if mode != 'constant' or not 0 < ignore_margin < bg_score:
            raise ValueError(
                "ignore_margin needs mode 'constant' and 0 < ignore_margin "
                f'< bg_score, got mode {mode!r}, ignore_margin '
                f'{ignore_margin}, bg_score {bg_score}')
        low, high = (_threshold_label(cams, maps, mode, bg, power, alpha, img,
                                      crf, crf_cfg)
                     for bg in (bg_score - ignore_margin,
                                bg_score + ignore_margin))
        return np.where(low == high, low, 255).astype(np.uint8)
    return _threshold_label(cams, maps, mode, bg_score, power, alpha, img,
                            crf, crf_cfg)


def _threshold_label(cams: torch.Tensor,
                     maps: np.ndarray,
                     mode: str,
                     bg_score: float,
                     power: float,
                     alpha: float,
                     img: Optional[np.ndarray],
                     crf: Union[bool, str],
                     crf_cfg: Optional[dict] = None) -> np.ndarray:
    """The threshold modes' uint8 labels (see :func:`pseudo_label`)."""
    if crf:
        if img is None:
            raise ValueError('crf needs the image')
        if alpha > 0:
            cams = torch.where(cams < alpha, torch.zeros_like(cams), cams)
        bg = (torch.full_like(cams[:1], bg_score) if mode == 'constant' else
              (1 - cams.amax(0, keepdim=True))**power)
        scores = torch.cat([bg, cams]).numpy()
        present = [0] + [k + 1 for k in range(len(maps)) if maps[k].any()]
        refined = dense_crf(img, scores[present],
                            **crf_settings(crf, crf_cfg))
        return np.asarray(present, np.uint8)[refined.argmax(0)]
    return background_label(
        cams, mode, bg_score=bg_score, power=power,
        alpha=alpha).numpy().astype(np.uint8)


def _work(job):
    """Worker: one image -> PNG (unless present) + confusion vs its mask."""
    (info, maps_dir, out_dir, classes, kw, sal_dir, num_classes) = job
    stem = osp.splitext(osp.basename(info['img_path']))[0]
    out = osp.join(out_dir, stem + '.png')
    gt_path = info.get('seg_map_path')
    gt = None
    if gt_path and osp.isfile(gt_path):
        gt = imread(gt_path, flag='unchanged', backend='pillow')
    if osp.isfile(out):
        label = imread(out, flag='unchanged', backend='pillow')
        written = False
    else:
        img = imread(info['img_path'])
        if img is None:
            raise FileNotFoundError(f'image {info["img_path"]} not found')
        maps = load_cam_maps(
            map_file(maps_dir, info['img_path']), classes,
            size=img.shape[:2])['maps']
        sal = None
        if kw['mode'] == 'saliency':
            sal = load_saliency(sal_dir, info['img_path'], img.shape[:2])
        label = pseudo_label(maps, saliency=sal, img=img, **kw)
        save_palette_png(out, label)
        written = True
    conf = None if gt is None else label_confusion(label, gt, num_classes)
    return written, conf, int((label == 255).sum()), label.size


def make_pseudo_labels(maps_dir: str,
                       data_root: str,
                       out_dir: str,
                       split: str = 'trainaug',
                       mode: str = 'saliency',
                       saliency_dir: Optional[str] = 'SaliencyMaps',
                       seg_dir: str = 'SegmentationClassAug',
                       alpha: Optional[float] = None,
                       bg_score: float = 0.15,
                       power: float = 4.0,
                       crf: Union[bool, str] = False,
                       normalize: bool = False,
                       ignore_margin: float = 0.0,
                       crf_cfg: Optional[dict] = None,
                       workers: int = 2) -> dict:
    """Write a palette PNG pseudo label per image of a split.

    Existing PNGs (written atomically, so complete) are kept: a killed run
    resumes. Where masks exist, the labels are scored against them.

    Args:
        maps_dir (str): Folder of ``.npz`` maps (``tools/generate_maps.py``).
        data_root (str): VOC-layout root (images, split files, masks).
        out_dir (str): Output folder of ``<image stem>.png``.
        split (str): Split name. Defaults to ``'trainaug'``.
        mode (str): ``'saliency'``, ``'constant'``, ``'power'`` or
            ``'reliable'`` (saliency-free, 255 where unsure).
        saliency_dir (str): Saliency PNGs (0-255, named like the images),
            absolute or relative to ``data_root``.
        seg_dir (str): Mask folder for the score (missing masks: no score).
        alpha (float, optional): Class-score floor; default the paper's
            0.2 in saliency mode, 0 (none) in the threshold modes.
        bg_score, power, crf, normalize, ignore_margin, crf_cfg: See
            :func:`pseudo_label`.
        workers (int): Worker processes (0 = in this process).

    Returns:
        dict: ``written``, ``skipped``, ``num_images``, ``mIoU`` (ignored
        pseudo-label pixels count as misses; None without masks),
        ``ignored_pct`` (share of 255 pixels) and, with masks,
        ``precision`` (correct share of the labelled pixels) and
        ``coverage`` (labelled share of the non-void pixels).
    """
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
    dataset = voc_split_dataset(data_root, split, seg_dir)
    classes = dataset.metainfo['classes']
    sal_dir = None
    if mode == 'saliency':
        sal_dir = saliency_dir if osp.isabs(saliency_dir) else osp.join(
            data_root, saliency_dir)
        if not osp.isdir(sal_dir):
            raise FileNotFoundError(f'saliency folder {sal_dir} not found')
    os.makedirs(out_dir, exist_ok=True)
    remove_stale_temp_files(out_dir)
    if alpha is None:
        alpha = 0.2 if mode == 'saliency' else 0.0
    kw = dict(mode=mode, alpha=alpha, bg_score=bg_score, power=power,
              crf=crf, normalize=normalize, ignore_margin=ignore_margin,
              crf_cfg=crf_cfg)
    jobs = [(dataset.get_data_info(i), maps_dir, out_dir, classes[1:], kw,
             sal_dir, len(classes)) for i in range(len(dataset))]
    if workers > 0:
        # forked workers must not use the parent's OpenMP pool (it hangs);
        # one torch thread each, as DataLoader workers do
        with get_context('fork').Pool(
                workers, initializer=torch.set_num_threads,
                initargs=(1, )) as pool:
            results = list(pool.imap(_work, jobs, chunksize=4))
    else:
        results = [_work(j) for j in jobs]
    return dict(_summary(results), written=sum(r[0] for r in results),
                skipped=sum(not r[0] for r in results))


def _summary(results) -> dict:
    """``num_images``, ``ignored_pct`` and, with masks, ``mIoU``,
    ``precision`` and ``coverage`` of per-image (written, confusion or
    None, ignored pixels, pixels) results."""
    confs = [r[1] for r in results if r[1] is not None]
    ignored = sum(r[2] for r in results)
    total = sum(r[3] for r in results)
    out = dict(
        num_images=len(results),
        mIoU=None,
        ignored_pct=round(100 * ignored / max(total, 1), 2))
    if confs:
        conf = np.sum(confs, 0)
        precision, coverage = label_precision_coverage(conf)
        out.update(mIoU=round(label_miou(conf), 2),
                   precision=round(precision, 2),
                   coverage=round(coverage, 2))
    return out


def evaluate_labels(labels_dir: str,
                    data_root: str,
                    split: str = 'train',
                    seg_dir: str = 'SegmentationClassAug') -> dict:
    """Score a folder of label PNGs (``<image stem>.png``, 255 = ignored)
    against a split's masks, as :func:`make_pseudo_labels` scores its own.

    Args:
        labels_dir (str): The label PNGs (e.g. a segmentor's predictions).
        data_root (str): VOC-layout root (split files, masks).
        split (str): The split whose images are scored.
        seg_dir (str): Mask folder.

    Returns:
        dict: ``num_images``, ``mIoU``, ``ignored_pct``, ``precision`` and
        ``coverage`` (see :func:`make_pseudo_labels`).

    Raises:
        FileNotFoundError: A split image without a label PNG or a mask.
    """
    dataset = voc_split_dataset(data_root, split, seg_dir)
    n = len(dataset.metainfo['classes'])
    results = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        stem = osp.splitext(osp.basename(info['img_path']))[0]
        path = osp.join(labels_dir, stem + '.png')
        for f, what in ((path, 'label'), (info['seg_map_path'], 'mask')):
            if not osp.isfile(f):
                raise FileNotFoundError(
                    f'{what} {f} of {split} image {stem} not found')
        label = imread(path, flag='unchanged', backend='pillow')
        gt = imread(info['seg_map_path'], flag='unchanged', backend='pillow')
        if label.shape != gt.shape:
            raise ValueError(f'label {path} is {label.shape[:2]}, its mask '
                             f'{gt.shape[:2]}: labels must be at image size')
        results.append((False, label_confusion(label, gt, n),
                        int((label == 255).sum()), label.size))
    return _summary(results)
