"""The PASCAL VOC folder layout: class names, palette, split lists.

One home for what every VOC-layout folder shares, the real VOC, the toy
generator's and a user's own (``JPEGImages/``, ``SegmentationClassAug/``,
``ImageSets/Segmentation/<split>.txt``, ``classes.txt``).

Split lists: a folder names ``train``, ``val`` and ``trainaug``; mmseg's
``voc_aug`` converter writes ``train.txt`` + ``aug.txt`` instead of
``trainaug.txt``, so a missing ``trainaug.txt`` is read as ``train`` followed
by ``aug`` (duplicates dropped, first occurrence kept).
"""
import os.path as osp
from typing import List

import numpy as np
from PIL import Image

from ..utils.atomic import atomic_write

VOC_CLASSES = ('aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car',
               'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse',
               'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train',
               'tvmonitor')

SPLIT_DIR = osp.join('ImageSets', 'Segmentation')
#: splits that may be assembled from others when their own list is missing
COMPOSED_SPLITS = {'trainaug': ('train', 'aug')}


def voc_palette() -> List[int]:
    """Return the standard 256-entry PASCAL VOC colour map as a flat list."""
    palette = []
    for i in range(256):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        palette += [r, g, b]
    return palette


def save_palette_png(path: str, label: np.ndarray) -> None:
    """Write a uint8 label map as a VOC palette PNG, atomically."""
    img = Image.fromarray(label.astype(np.uint8), mode='P')
    img.putpalette(voc_palette())
    atomic_write(path, lambda p: img.save(p, format='PNG'))


def split_path(root: str, split: str) -> str:
    """``<root>/ImageSets/Segmentation/<split>.txt``."""
    return osp.join(root, SPLIT_DIR, f'{split}.txt')


def read_id_list(path: str) -> List[str]:
    """Image ids of one list file (first word of each non-blank line)."""
    with open(path) as f:
        return [line.split()[0] for line in f if line.strip()]


def list_files(path: str) -> List[str]:
    """The list file(s) that stand for the list file ``path``.

    ``[path]`` when it exists; for a missing ``trainaug.txt``, mmseg's
    ``train.txt`` + ``aug.txt`` beside it.

    Raises:
        FileNotFoundError: Naming every file that was looked for.
    """
    if osp.isfile(path):
        return [path]
    folder, name = osp.split(path)
    parts = COMPOSED_SPLITS.get(osp.splitext(name)[0])
    found = [osp.join(folder, f'{p}.txt') for p in parts or ()]
    if parts and all(osp.isfile(f) for f in found):
        return found
    tried = path if not parts else (
        f'{path} (nor {" + ".join(found)}, mmseg\'s convention)')
    raise FileNotFoundError(f'split file {tried} not found')


def split_files(root: str, split: str) -> List[str]:
    """The list file(s) that define ``split`` under ``root``
    (:func:`list_files` of ``ImageSets/Segmentation/<split>.txt``)."""
    return list_files(split_path(root, split))


def read_ids(files: List[str]) -> List[str]:
    """Image ids of the list files, in order, an id listed twice kept
    once (``train.txt`` + ``aug.txt`` may overlap)."""
    ids: List[str] = []
    seen = set()
    for path in files:
        for i in read_id_list(path):
            if i not in seen:
                seen.add(i)
                ids.append(i)
    return ids


def read_split(root: str, split: str) -> List[str]:
    """Image ids of ``split`` under ``root`` (see :func:`split_files`)."""
    return read_ids(split_files(root, split))
