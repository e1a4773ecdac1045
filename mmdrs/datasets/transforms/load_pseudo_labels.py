"""Train a segmentation model on pseudo labels instead of the masks."""
import os.path as osp

import numpy as np
from mmcv import imread
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadPseudoLabels(BaseTransform):
    """Load ``<pseudo_dir>/<image stem>.png`` as ``gt_seg_map``.

    A drop-in for mmseg's ``LoadAnnotations`` in a training pipeline: the
    dataset keeps listing the images (and its own masks, never read here),
    and the training labels come from the pseudo-label folder written by
    ``tools/make_pseudo_labels.py`` (values 0..K and 255 = ignore). Geometric
    transforms after it treat the labels like any mask.

    Args:
        pseudo_dir (str): Folder of the pseudo-label PNGs (absolute, or
            relative to the working directory).
        suffix (str): File suffix. Defaults to ``'.png'``.
        num_classes (int, optional): If given, values above ``num_classes-1``
            other than 255 raise ``ValueError``.
    """

    def __init__(self, pseudo_dir: str, suffix: str = '.png',
                 num_classes: int = None):
        self.pseudo_dir = pseudo_dir
        self.suffix = suffix
        self.num_classes = num_classes

    def transform(self, results: dict) -> dict:
        stem = osp.splitext(osp.basename(results['img_path']))[0]
        path = osp.join(self.pseudo_dir, stem + self.suffix)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'pseudo label {path} not found (for image '
                f'{results["img_path"]}); run tools/make_pseudo_labels.py')
        label = imread(path, flag='unchanged', backend='pillow')
        if label is None or label.ndim != 2:
            raise ValueError(f'pseudo label {path} is not a single-channel '
                             'label PNG')
        if 'img' in results and label.shape != results['img'].shape[:2]:
            raise ValueError(f'pseudo label {path} is {label.shape}, the '
                             f'image is {results["img"].shape[:2]}')
        if self.num_classes is not None:
            bad = np.setdiff1d(np.unique(label),
                               np.r_[np.arange(self.num_classes), 255])
            if bad.size:
                raise ValueError(f'pseudo label {path} has values '
                                 f'{bad.tolist()} outside 0..'
                                 f'{self.num_classes - 1} and 255')
        results['gt_seg_map'] = label
        results['seg_map_path'] = path
        fields = results.setdefault('seg_fields', [])
        if 'gt_seg_map' not in fields:  # e.g. after LoadAnnotations
            fields.append('gt_seg_map')
        return results

    def __repr__(self):
        return f'{type(self).__name__}(pseudo_dir={self.pseudo_dir!r})'
