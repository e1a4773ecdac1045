"""Evaluate stored localization maps against segmentation masks."""
import json
import os.path as osp
from concurrent.futures import ThreadPoolExecutor
from typing import Optional, Sequence

import cv2
import numpy as np
import torch
from mmcv import imread

from ..evaluation.metrics import CAMIoUMetric
from ..fileio import load_cam_maps, map_file


def voc_split_dataset(data_root: str,
                      split: str = 'train',
                      seg_dir: str = 'SegmentationClassAug',
                      img_dir: str = 'JPEGImages',
                      metainfo: Optional[dict] = None):
    """A :class:`~mmdrs.datasets.VOCImageLabelDataset` (no pipeline) over
    ``ImageSets/Segmentation/<split>.txt`` - image/mask paths and classes.
    """
    from ..datasets import VOCImageLabelDataset
    return VOCImageLabelDataset(
        data_root=data_root,
        data_prefix=dict(img_path=img_dir, seg_map_path=seg_dir),
        ann_file=f'ImageSets/Segmentation/{split}.txt',
        metainfo=metainfo,
        pipeline=[])


def evaluate_maps(maps_dir: str,
                  data_root: str,
                  split: str = 'train',
                  seg_dir: str = 'SegmentationClassAug',
                  thresholds: Optional[Sequence[float]] = None,
                  saliency_dir: Optional[str] = None,
                  saliency_protocol: str = 'eval',
                  normalize: bool = False,
                  num_threads: int = 4) -> dict:
    """mIoU of the maps in ``maps_dir`` on a VOC-layout split.

    Runs :class:`~mmdrs.evaluation.CAMIoUMetric` - the in-training metric -
    over the stored maps: background-threshold sweep, best threshold,
    per-class IoU and, with ``saliency_dir``, the saliency protocol. Maps
    stored at a fixed size (``--out-size``, recorded in ``maps_meta.json``)
    are evaluated at that size against masks and saliency maps resized to
    it (nearest), as the authors' validation does at 320x320; otherwise at
    the original size.

    Args:
        maps_dir (str): Folder of ``.npz`` maps (``tools/generate_maps.py``).
        data_root (str): VOC-layout root.
        split (str): Split name. Defaults to ``'train'`` (the WSSS
            convention: 1,464 images).
        seg_dir (str): Mask folder under ``data_root``.
        thresholds (Sequence[float], optional): Background scores swept;
            defaults to the metric's 0.05 ... 0.60.
        saliency_dir (str, optional): Saliency PNG folder (relative to
            ``data_root`` or absolute).
        saliency_protocol (str): ``'eval'`` or ``'labels'``, see
            :class:`~mmdrs.evaluation.CAMIoUMetric`.
        normalize (bool): Max-normalise each image's maps before the
            threshold sweep (raw refined maps).
        num_threads (int): Threads reading maps and masks.

    Returns:
        dict: ``mIoU``, ``best_threshold``, ``mIoU_per_threshold``,
        ``IoU_per_class`` (in %, at the best threshold), ``sal_mIoU`` with
        saliency, ``num_images`` and ``eval_size`` (None = original).
    """
    dataset = voc_split_dataset(data_root, split, seg_dir)
    classes = dataset.metainfo['classes']
    eval_size = None
    meta_path = osp.join(maps_dir, 'maps_meta.json')
    if osp.isfile(meta_path):
        with open(meta_path) as f:
            eval_size = json.load(f).get('out_size')
    if saliency_dir is not None and not osp.isabs(saliency_dir):
        saliency_dir = osp.abspath(osp.join(data_root, saliency_dir))
    kwargs = dict(
        saliency_dir=saliency_dir,
        saliency_protocol=saliency_protocol,
        resize_saliency=eval_size is not None,
        normalize=normalize)
    if thresholds is not None:
        kwargs['thresholds'] = thresholds
    metric = CAMIoUMetric(**kwargs)
    metric.dataset_meta = dataset.metainfo

    def load(i):
        info = dataset.get_data_info(i)
        gt = imread(info['seg_map_path'], flag='unchanged', backend='pillow')
        if gt is None:
            raise FileNotFoundError(f'mask {info["seg_map_path"]} not found')
        if eval_size is not None:
            gt = cv2.resize(gt, (eval_size[1], eval_size[0]),
                            interpolation=cv2.INTER_NEAREST)
        maps = load_cam_maps(
            map_file(maps_dir, info['img_path']), classes[1:],
            size=gt.shape[:2])['maps']
        bg = np.zeros((1, *maps.shape[1:]), np.float32)
        return dict(
            img_path=info['img_path'],
            seg_logits=dict(data=torch.from_numpy(np.concatenate([bg, maps]))),
            gt_sem_seg=dict(data=torch.from_numpy(gt.astype(np.int64))[None]))

    with ThreadPoolExecutor(num_threads) as pool:
        for sample in pool.map(load, range(len(dataset))):
            metric.process(None, [sample])
    metric.compute_metrics(metric.results)
    out = dict(metric.last_summary)
    out['num_images'] = len(dataset)
    out['eval_size'] = eval_size
    return out
