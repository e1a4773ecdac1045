"""The on-disk format of localization maps (CAMs and refined maps).

One compressed ``.npz`` per image, named like the image
(``<out_dir>/<image stem>.npz``), holding only the classes present in it:

* ``maps``: uint8 (C, H, W), the maps of the C present classes quantised as
  ``round(clip(x, 0, 1) * 255)`` (step 1/255; refined maps, which are raw
  regression outputs, are clipped to [0, 1]) or, as the DRS authors' map
  generator writes its refinement targets, ``floor(clip(x, 0, 1) * 255)``;
* ``labels``: int64 (C,), their 0-based foreground class indices;
* ``classes``: str (K,), the dataset's foreground class names, so maps made
  for another class set are refused on loading.

The paper's format (20 x 320 x 320 uint8, 2 MB/image) keeps every class at a
fixed size; this one keeps the present classes (1.5 per VOC image on average)
at the original size and compresses them (CAMs are smooth): see
``tools/benchmarks/map_generation.py`` for bytes/image.
"""
import os.path as osp
import zipfile
from typing import Optional, Sequence, Tuple

import numpy as np
import torch

from ..utils.atomic import atomic_write

MAP_SUFFIX = '.npz'
#: zlib level of the ``.npz`` members. numpy's ``savez_compressed`` uses 6;
#: 3 writes the toy's 384 px maps 2.5x faster (2.8 vs 6.9 ms/image) for
#: 15 % more bytes (32 vs 28 KiB/image).
COMPRESS_LEVEL = 3


def write_npz(path: str, arrays: dict, level: int = COMPRESS_LEVEL) -> None:
    """``np.savez_compressed`` with a chosen zlib level (same file format).

    Args:
        path (str): Output file.
        arrays (dict): Member name -> array (no object arrays).
        level (int): zlib level, 0-9.
    """
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED,
                         compresslevel=level) as zf:
        for name, arr in arrays.items():
            with zf.open(name + '.npy', 'w', force_zip64=True) as f:
                np.lib.format.write_array(
                    f, np.asanyarray(arr), allow_pickle=False)


def map_file(out_dir: str, img_path: str) -> str:
    """Path of the map file of ``img_path`` in ``out_dir``."""
    stem = osp.splitext(osp.basename(img_path))[0]
    return osp.join(out_dir, stem + MAP_SUFFIX)


QUANTIZE_MODES = ('round', 'floor')


def quantize_maps(maps, mode: str = 'round') -> np.ndarray:
    """Float maps -> uint8 ``round(clip(x, 0, 1) * 255)`` (``mode='round'``)
    or ``floor(...)`` (``'floor'``, the authors' ``np.uint8(x * 255)``)."""
    if mode not in QUANTIZE_MODES:
        raise ValueError(f'quantize mode must be one of {QUANTIZE_MODES}, '
                         f'got {mode!r}')
    if isinstance(maps, torch.Tensor):
        q = maps.float().clamp(0, 1) * 255
        q = q.round() if mode == 'round' else q.floor()
        return q.to(torch.uint8).cpu().numpy()
    q = np.clip(maps, 0, 1) * 255
    q = np.round(q) if mode == 'round' else np.floor(q)
    return q.astype(np.uint8)


def save_cam_maps(path: str, maps, labels: Sequence[int],
                  classes: Sequence[str]) -> int:
    """Write the maps of an image's classes atomically.

    Args:
        path (str): Output ``.npz`` path.
        maps (Tensor | ndarray): (C, H, W) maps of the C classes in
            ``labels``, in that order: float in [0, 1] (quantised here) or
            uint8. Callers holding all K maps pass ``maps[labels]``.
        labels (Sequence[int]): 0-based indices of those classes.
        classes (Sequence[str]): The K foreground class names.

    Returns:
        int: Bytes written.
    """
    labels = np.asarray([int(i) for i in labels], dtype=np.int64)
    if maps.shape[0] != len(labels):
        raise ValueError(f'{path}: {maps.shape[0]} maps for '
                         f'{len(labels)} labels')
    if len(labels) and (labels.min() < 0 or labels.max() >= len(classes)):
        raise ValueError(f'{path}: labels {labels.tolist()} out of range '
                         f'for {len(classes)} classes')
    if isinstance(maps, torch.Tensor) and maps.dtype == torch.uint8:
        maps = maps.cpu().numpy()
    if not (isinstance(maps, np.ndarray) and maps.dtype == np.uint8):
        maps = quantize_maps(maps)

    def write(tmp):
        write_npz(tmp, dict(maps=maps, labels=labels,
                            classes=np.asarray(list(classes), dtype=str)))

    atomic_write(path, write)
    return osp.getsize(path)


def load_cam_maps(path: str,
                  classes: Optional[Sequence[str]] = None,
                  size: Optional[Tuple[int, int]] = None) -> dict:
    """Read a map file back into dense float maps.

    Args:
        path (str): The ``.npz`` file.
        classes (Sequence[str], optional): Expected foreground classes; a
            file made for another class set raises ``ValueError``.
        size (tuple, optional): Expected (H, W); another size raises
            ``ValueError``.

    Returns:
        dict: ``maps`` float32 (K, H, W) in [0, 1] with zeros for absent
        classes, ``labels`` int64 (C,) present classes, ``classes`` (K,).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'map file {path} not found')
    try:
        with np.load(path) as f:
            q, labels, stored = f['maps'], f['labels'], list(f['classes'])
    except Exception as e:  # truncated / foreign file
        raise ValueError(f'{path} is not a readable map file '
                         f'(maps/labels/classes .npz): {e}') from e
    if classes is not None and list(classes) != stored:
        raise ValueError(
            f'{path} holds maps for {len(stored)} classes {stored[:4]}..., '
            f'expected {len(classes)} classes {list(classes)[:4]}...: maps '
            'from another dataset / class set')
    if size is not None and tuple(q.shape[-2:]) != tuple(size):
        raise ValueError(f'{path}: maps are {tuple(q.shape[-2:])}, expected '
                         f'{tuple(size)}')
    maps = np.zeros((len(stored), *q.shape[-2:]), np.float32)
    maps[labels] = q.astype(np.float32) / 255
    return dict(maps=maps, labels=labels, classes=stored)
