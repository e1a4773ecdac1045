"""Image-level labels: derive them and pack them into the data samples."""
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import PixelData
from mmseg.datasets.transforms import PackSegInputs
from mmseg.registry import TRANSFORMS


def labels_from_seg_map(seg_map: np.ndarray,
                        num_fg_classes: int,
                        ignore_index: int = 255) -> np.ndarray:
    """Foreground classes present in a label map as a {0,1} vector.

    Value 0 is background, ``ignore_index`` is ignored, value ``c`` sets
    entry ``c - 1``.
    """
    if seg_map.dtype == np.uint8:  # counting is ~10x faster than sorting
        values = np.flatnonzero(np.bincount(seg_map.ravel(), minlength=256))
    else:
        values = np.unique(seg_map)
    values = values[(values != 0) & (values != ignore_index)]
    if values.size and values.max() > num_fg_classes:
        raise ValueError(f'label value {int(values.max())} exceeds the '
                         f'{num_fg_classes} foreground classes')
    vec = np.zeros(num_fg_classes, np.uint8)
    vec[values.astype(np.int64) - 1] = 1
    return vec


@TRANSFORMS.register_module()
class LoadImageLabels(BaseTransform):
    """Provide ``results['img_labels']``, a (K,) {0,1} vector.

    Keeps labels the dataset already put there (XML / label file); otherwise
    derives them from ``results['gt_seg_map']``, so place it right after
    ``LoadAnnotations`` and before any crop (the label is the whole image's).
    ``num_fg_classes`` comes from the dataset (``VOCImageLabelDataset``).

    Args:
        ignore_index (int): Mask value to ignore. Defaults to 255.
        allow_empty (bool): Accept images without foreground. Defaults to
            False (a ``ValueError`` naming the mask file).
    """

    def __init__(self, ignore_index: int = 255, allow_empty: bool = False):
        self.ignore_index = ignore_index
        self.allow_empty = allow_empty

    def transform(self, results: dict) -> dict:
        where = results.get('seg_map_path') or results.get('img_path', '?')
        if 'img_labels' in results:
            labels = np.asarray(results['img_labels'], np.uint8)
        elif 'gt_seg_map' in results:
            if 'num_fg_classes' not in results:
                raise KeyError(
                    f'{where}: num_fg_classes missing; use a dataset that '
                    'provides it (VOCImageLabelDataset)')
            try:
                labels = labels_from_seg_map(results['gt_seg_map'],
                                             results['num_fg_classes'],
                                             self.ignore_index)
            except ValueError as err:
                raise ValueError(f'{where}: {err}') from err
        else:
            raise KeyError(
                f'{where}: no image labels: put LoadAnnotations before '
                'LoadImageLabels, or use label_source="xml"/"file"')
        if not self.allow_empty and not labels.any():
            raise ValueError(
                f'{where}: no foreground class in the image label; use '
                "empty_labels='skip' in the dataset to drop such images")
        results['img_labels'] = labels
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(ignore_index={self.ignore_index}, '
                f'allow_empty={self.allow_empty})')


@TRANSFORMS.register_module()
class PackImageLabelInputs(PackSegInputs):
    """``PackSegInputs`` that also packs ``img_labels`` as
    ``data_sample.gt_img_labels`` (a uint8 tensor of shape (K,)) and
    ``gt_cam_maps`` (H, W, K; :class:`LoadCAMTargets`) as
    ``data_sample.gt_cam_maps`` (``PixelData`` of shape (K, H, W))."""

    def transform(self, results: dict) -> dict:
        packed = super().transform(results)
        if 'img_labels' in results:
            packed['data_samples'].gt_img_labels = torch.as_tensor(
                np.asarray(results['img_labels'], np.uint8))
        if 'gt_cam_maps' in results:
            maps = results['gt_cam_maps']
            maps = maps[..., None] if maps.ndim == 2 else maps
            packed['data_samples'].gt_cam_maps = PixelData(
                data=torch.from_numpy(
                    np.ascontiguousarray(maps.transpose(2, 0, 1))))
        return packed
