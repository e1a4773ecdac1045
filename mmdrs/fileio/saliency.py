"""Saliency maps (the DRS paper's background cue) on disk."""
import os.path as osp
from typing import Tuple

import cv2
import numpy as np
from mmcv import imread


def load_saliency(sal_dir: str,
                  img_path: str,
                  shape: Tuple[int, int],
                  resize: bool = False) -> np.ndarray:
    """Read ``<sal_dir>/<image stem>.png`` (grey, 0-255) for an image.

    Args:
        sal_dir (str): Saliency folder.
        img_path (str): The image the map belongs to (only its stem is used).
        shape (tuple): The expected (H, W); another size raises
            ``ValueError`` unless ``resize``.
        resize (bool): Resize a map of another size to ``shape`` (nearest,
            as the authors' validation does). Defaults to False.

    Returns:
        ndarray: uint8 (H, W) saliency.
    """
    stem = osp.splitext(osp.basename(img_path))[0]
    path = osp.join(sal_dir, stem + '.png')
    if not osp.isfile(path):
        raise FileNotFoundError(f'saliency map {path} not found')
    sal = imread(path, flag='grayscale')
    if sal.shape != tuple(shape) and resize:
        sal = cv2.resize(sal, (shape[1], shape[0]),
                         interpolation=cv2.INTER_NEAREST)
    if sal.shape != tuple(shape):
        raise ValueError(f'saliency map {path} is {sal.shape}, the '
                         f'image is {tuple(shape)}')
    return sal
