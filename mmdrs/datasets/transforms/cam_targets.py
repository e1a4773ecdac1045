"""Stored localization maps as dense targets (refinement learning)."""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ...fileio import load_cam_maps, map_file


def max_mask(maps: np.ndarray) -> np.ndarray:
    """Keep, at each pixel, only the largest class values (the refinement
    targets' per-pixel max mask; docs/fidelity.md, refinement learning).

    As in the authors' refinement data loader, every channel equal to the
    per-pixel maximum is kept (ties are kept, e.g. two classes both at 1.0
    after normalisation); the others are zeroed.

    Args:
        maps (ndarray): (K, H, W) maps.

    Returns:
        ndarray: (K, H, W), zero except the per-pixel maxima.
    """
    if len(maps) == 0:
        return maps.copy()
    return np.where(maps == maps.max(0, keepdims=True), maps,
                    0).astype(maps.dtype, copy=False)


@TRANSFORMS.register_module()
class LoadCAMTargets(BaseTransform):
    """Load an image's stored maps as ``gt_cam_maps`` (H, W, K) float32.

    Reads ``<maps_dir>/<image stem>.npz`` (``tools/generate_maps.py``),
    expands it to all K classes (absent ones zero), applies the paper's
    per-pixel max mask and registers the result as a segmentation field, so
    mmseg's geometric transforms (``Resize``, ``RandomFlip``,
    ``RandomCrop``) move it with the image; photometric transforms touch the
    image only. ``PackImageLabelInputs`` packs it as
    ``data_sample.gt_cam_maps`` (K, H, W). Place it right after
    ``LoadImageFromFile``.

    Note that mmseg resizes segmentation fields with nearest-neighbour
    interpolation: generate the maps at the size the pipeline resizes to
    (the paper's 320x320, ``--out-size``) with ``resize_to_image=True``,
    or at the original size.

    Args:
        maps_dir (str): Folder of the ``.npz`` maps.
        max_mask (bool): Apply the per-pixel max mask. Defaults to True.
        resize_to_image (bool): Maps of another size than the image are
            resized to it (bilinear) instead of raising ``ValueError``.
    """

    def __init__(self, maps_dir: str, max_mask: bool = True,
                 resize_to_image: bool = False):
        self.maps_dir = maps_dir
        self.max_mask = max_mask
        self.resize_to_image = resize_to_image

    def transform(self, results: dict) -> dict:
        path = map_file(self.maps_dir, results['img_path'])
        m = load_cam_maps(path, results.get('fg_classes'))
        maps = m['maps']
        num_fg = results.get('num_fg_classes')
        if num_fg is not None and maps.shape[0] != num_fg:
            raise ValueError(f'{path} holds maps for {maps.shape[0]} '
                             f'classes, the dataset has {num_fg}')
        if 'img' not in results:
            raise KeyError(f'{results["img_path"]}: put LoadImageFromFile '
                           'before LoadCAMTargets')
        h, w = results['img'].shape[:2]
        if maps.shape[1:] != (h, w):
            if not self.resize_to_image:
                raise ValueError(
                    f'{path}: maps are {maps.shape[1:]}, the image is '
                    f'{(h, w)}; generate the maps at the original size or '
                    'set resize_to_image=True')
            maps = np.stack(
                [cv2.resize(c, (w, h), interpolation=cv2.INTER_LINEAR)
                 for c in maps]) if len(maps) else maps
        if self.max_mask:
            maps = max_mask(maps)
        results['gt_cam_maps'] = np.ascontiguousarray(maps.transpose(1, 2, 0))
        results.setdefault('seg_fields', []).append('gt_cam_maps')
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(maps_dir={self.maps_dir!r}, '
                f'max_mask={self.max_mask})')
