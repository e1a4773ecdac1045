"""Metric kernels shared by the in-training metrics and offline tools."""
from typing import Dict, Sequence

import numpy as np
import torch


def cam_confusion(cams: torch.Tensor,
                  gt: torch.Tensor,
                  thresholds: Sequence[float],
                  ignore_index: int = 255) -> torch.Tensor:
    """Confusion matrices of "background unless a CAM exceeds t", for all t.

    For each threshold ``t`` the prediction is ``argmax([t, cams])``, i.e.
    class ``k + 1`` where ``max_k cams > t`` and background otherwise. All
    thresholds are done in one pass: pixels are histogrammed by (gt, argmax
    class, number of thresholds below the max score) and cumulative sums give
    each threshold's matrix.

    Args:
        cams (Tensor): (K, H, W) localization maps of the foreground classes.
        gt (Tensor): (H, W) ground truth in 0..K, ``ignore_index`` ignored.
        thresholds (Sequence[float]): Background scores, ascending.
        ignore_index (int): Ignored GT value.

    Returns:
        Tensor: int64 (T, K+1, K+1) confusion matrices, rows = GT.
    """
    k = cams.shape[0]
    n = k + 1
    thr = torch.as_tensor(thresholds, dtype=cams.dtype, device=cams.device)
    if thr.numel() > 1 and bool((thr[1:] < thr[:-1]).any()):
        raise ValueError('thresholds must be ascending')
    if cams.shape[-2:] != gt.shape[-2:]:
        raise ValueError(f'cams {tuple(cams.shape)} and gt {tuple(gt.shape)} '
                         'differ in size')
    valid = gt != ignore_index
    g = gt[valid].long()
    if g.numel() and int(g.max()) > k:
        raise ValueError(f'gt value {int(g.max())} exceeds {k} classes')
    score, cls = cams[:, valid].max(dim=0)
    # pred is class+1 for thresholds strictly below the score:
    # bin = #(thr < score); threshold j predicts fg iff j < bin
    bins = torch.searchsorted(thr, score, right=False)
    t = thr.numel()
    idx = (g * k + cls) * (t + 1) + bins
    hist = torch.bincount(idx, minlength=n * k * (t + 1)).view(n, k, t + 1)
    # fg[j, g, c] = pixels with score above thr[j] = sum over bins > j
    rev = hist.flip(-1).cumsum(-1).flip(-1)  # rev[..., b] = sum_{b' >= b}
    fg = rev[..., 1:].permute(2, 0, 1)  # (T, n, k): bins >= j+1
    conf = torch.zeros(t, n, n, dtype=torch.int64, device=cams.device)
    conf[:, :, 1:] = fg
    conf[:, :, 0] = hist.sum(dim=(1, 2)) - fg.sum(-1)
    return conf


def iou_from_confusion(conf: np.ndarray) -> np.ndarray:
    """Per-class IoU (NaN where a class is absent from GT and prediction)."""
    conf = np.asarray(conf, dtype=np.float64)
    inter = np.diagonal(conf, axis1=-2, axis2=-1)
    union = conf.sum(-1) + conf.sum(-2) - inter
    with np.errstate(invalid='ignore', divide='ignore'):
        return inter / union


def threshold_sweep_summary(conf: np.ndarray, thresholds: Sequence[float],
                            class_names: Sequence[str]) -> Dict:
    """Summarise a (T, n, n) confusion stack: best threshold and IoUs.

    Returns a dict with ``best_threshold``, ``mIoU`` (at it, in %),
    ``mIoU_per_threshold`` and ``IoU_per_class`` (at the best threshold, in %,
    NaN for classes absent from both GT and prediction).
    """
    ious = iou_from_confusion(conf)  # (T, n)
    with np.errstate(invalid='ignore'):
        mious = np.nanmean(ious, axis=1) * 100
    best = int(np.nanargmax(mious))
    return dict(
        best_threshold=float(thresholds[best]),
        mIoU=float(mious[best]),
        mIoU_per_threshold={
            f'{t:.2f}': float(m)
            for t, m in zip(thresholds, mious)
        },
        IoU_per_class={
            name: float(v * 100)
            for name, v in zip(class_names, ious[best])
        })


def label_confusion(pred, gt, num_classes: int,
                    ignore_index: int = 255) -> np.ndarray:
    """Confusion of a label map that may itself contain ``ignore_index``.

    Pixels ignored in the GT are left out; pixels the prediction ignores
    (e.g. pseudo-label conflicts) go to an extra last column, so they count
    as misses of their GT class.

    Args:
        pred, gt (Tensor | ndarray): (H, W) labels in 0..n-1 or ignored.
        num_classes (int): n, background included.

    Returns:
        ndarray: int64 (n, n + 1); rows = GT, last column = ignored.
    """
    pred = torch.as_tensor(np.asarray(pred) if not isinstance(
        pred, torch.Tensor) else pred).long().flatten()
    gt = torch.as_tensor(np.asarray(gt) if not isinstance(
        gt, torch.Tensor) else gt).long().flatten()
    if pred.shape != gt.shape:
        raise ValueError('prediction and GT differ in size')
    n = num_classes
    valid = gt != ignore_index
    p, g = pred[valid], gt[valid]
    hit = p != ignore_index
    if p[hit].numel() and int(p[hit].max()) >= n:
        raise ValueError(f'label {int(p[hit].max())} exceeds {n} classes')
    conf = torch.bincount(g[hit] * n + p[hit], minlength=n * n).view(n, n)
    missed = torch.bincount(g[~hit], minlength=n)[:n]
    return np.concatenate([conf.numpy(), missed.numpy()[:, None]], 1)


def label_miou(conf: np.ndarray) -> float:
    """mIoU (in %) of a :func:`label_confusion` matrix (classes absent from
    GT and prediction are left out)."""
    conf = np.asarray(conf)
    square = np.concatenate([conf, np.zeros_like(conf[:1])])
    with np.errstate(invalid='ignore'):
        return float(np.nanmean(iou_from_confusion(square)[:-1]) * 100)


def label_precision_coverage(conf: np.ndarray):
    """Precision (correct share of the labelled pixels) and coverage
    (labelled share of the pixels), in %, of a :func:`label_confusion`
    matrix - the two sides of pseudo labels with ignore regions."""
    conf = np.asarray(conf, dtype=np.float64)
    labelled = conf[:, :-1]
    n_lab = labelled.sum()
    precision = 100 * np.trace(labelled) / n_lab if n_lab else float('nan')
    coverage = 100 * n_lab / conf.sum() if conf.sum() else float('nan')
    return float(precision), float(coverage)


def average_precision(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-class average precision (VOC-style, non-interpolated).

    Args:
        scores (ndarray): (N, K) prediction scores.
        labels (ndarray): (N, K) {0, 1} targets.

    Returns:
        ndarray: (K,) AP in [0, 1]; NaN for classes without positives.
    """
    scores = np.asarray(scores, np.float64)
    labels = np.asarray(labels) > 0
    aps = np.full(scores.shape[1], np.nan)
    for c in range(scores.shape[1]):
        pos = labels[:, c]
        if not pos.any():
            continue
        order = np.argsort(-scores[:, c], kind='stable')
        tp = pos[order].astype(np.float64)
        precision = np.cumsum(tp) / np.arange(1, len(tp) + 1)
        aps[c] = float((precision * tp).sum() / tp.sum())
    return aps
