"""A small synthetic dataset in the exact PASCAL VOC 2012 layout.

It stands in for VOC where the real data cannot be downloaded (tests, the
demo, CI). The images are built to be a fair weakly-supervised test:

* every object has a *body* that looks alike across classes (the same
  texture and tone; by default a weak tint toward its part's colour, which
  two classes share - weak class evidence, as the rest of a real object
  has) and one small discriminative *part* (about 10-25 % of the object)
  whose colour x pattern identifies the class (the i-th of ``classes`` gets
  colour i mod 5 and pattern i div 5);
* objects come from a subset of the 20 VOC classes (8 by default, VOC
  indices kept) so that the toy tests localization, not fine-grained
  recognition;
* so a classifier can recognise the class from the part alone, a plain CAM
  covers mostly the part, and a method that spreads attention over the whole
  object scores a visibly higher mIoU;
* objects never overlap, so the image label is exactly the set of visible
  objects.

Layout written under ``root`` (the same as ``VOCdevkit/VOC2012`` after
mmseg's ``voc_aug`` converter)::

    JPEGImages/<id>.jpg
    SegmentationClass/<id>.png      palette PNG, 255 band on object borders
    SegmentationClassAug/<id>.png   palette PNG, no border band (SBD style)
    SaliencyMaps/<id>.png           imperfect saliency, uint8 0-255
    Annotations/<id>.xml            VOC XML with one <object> per instance
    ImageSets/Segmentation/{train,val,trainval,aug,trainaug}.txt

``train``/``val`` are the "VOC 2012 segmentation" splits, ``aug`` holds the
extra images (SBD's role) and ``trainaug`` = train + aug (train_aug).
Everything is deterministic given ``seed``.
"""
import json
import os
import os.path as osp
import shutil
import xml.etree.ElementTree as ET
from typing import Dict, List, Sequence

import cv2
import numpy as np

from ..utils.atomic import atomic_write
from .voc_layout import VOC_CLASSES, save_palette_png

# Part colours (RGB) and patterns: the i-th toy class gets colour i % 5 and
# pattern i // 5.
_PART_COLOURS = ((220, 40, 40), (40, 190, 60), (50, 80, 230), (235, 210, 40),
                 (200, 50, 210))
_PATTERNS = ('solid', 'hstripes', 'vstripes', 'checker')
_MARKER = '.toy_voc.json'
_FOLDERS = ('JPEGImages', 'SegmentationClass', 'SegmentationClassAug',
            'SaliencyMaps', 'Annotations', 'ImageSets/Segmentation')
DEFAULT_CLASSES = ('aeroplane', 'bird', 'bus', 'cat', 'cow', 'dog', 'person',
                   'train')


def _pattern(kind: str, h: int, w: int, period: int) -> np.ndarray:
    """A {0,1} float pattern of shape (h, w)."""
    yy, xx = np.mgrid[0:h, 0:w]
    if kind == 'solid':
        return np.ones((h, w), np.float32)
    if kind == 'hstripes':
        return ((yy // period) % 2 == 0).astype(np.float32)
    if kind == 'vstripes':
        return ((xx // period) % 2 == 0).astype(np.float32)
    return (((yy // period) + (xx // period)) % 2 == 0).astype(np.float32)


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    """Smooth, low-saturation colour field with fine noise."""
    coarse = rng.uniform(70, 170, (4, 4, 3)).astype(np.float32)
    grey = coarse.mean(axis=2, keepdims=True)
    coarse = grey + 0.35 * (coarse - grey)  # desaturate
    bg = cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)
    bg += rng.normal(0, 6, (size, size, 3)).astype(np.float32)
    return bg


def _object_mask(rng: np.random.Generator, size: int, cy: int, cx: int,
                 r: int) -> np.ndarray:
    mask = np.zeros((size, size), np.uint8)
    if rng.random() < 0.5:
        axes = (r, max(6, int(r * rng.uniform(0.6, 1.0))))
        cv2.ellipse(mask, (cx, cy), axes, float(rng.uniform(0, 180)), 0, 360,
                    1, -1)
    else:  # irregular blob: a jittered polygon
        n = int(rng.integers(5, 9))
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = r * rng.uniform(0.7, 1.0, n)
        pts = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], 1)
        cv2.fillPoly(mask, [pts.astype(np.int32)], 1)
    return mask


def _render(rng: np.random.Generator, size: int, max_objects: int,
            class_ids: Sequence[int], period: int,
            body_cue: float) -> Dict[str, object]:
    """Draw one image; returns image, label map, and per-object records."""
    img = _background(rng, size)
    label = np.zeros((size, size), np.uint8)
    objects = []
    n_obj = int(rng.integers(1, max_objects + 1))
    for _ in range(n_obj):
        for _attempt in range(30):
            r = int(rng.integers(size // 7, size // 4))
            cy, cx = (int(v) for v in rng.integers(r + 2, size - r - 2, 2))
            mask = _object_mask(rng, size, cy, cx, r)
            grown = cv2.dilate(mask, np.ones((7, 7), np.uint8))
            if mask.sum() < 80 or (grown & (label > 0)).any():
                continue
            # the discriminative part is a square that fits inside the object
            side = max(6, int(round(r * rng.uniform(0.55, 0.75))))
            fits = cv2.erode(mask, np.ones((side, side), np.uint8),
                             anchor=(0, 0), borderValue=0)
            ys, xs = np.nonzero(fits)
            if len(ys):
                break
        else:
            continue
        slot = int(rng.integers(0, len(class_ids)))
        cls = class_ids[slot]  # 0-based VOC foreground index
        tone = rng.uniform(120, 200)
        body = np.full((size, size, 3), tone, np.float32)
        body[..., 2] -= 25  # a warm, class-agnostic tint
        if body_cue > 0:  # optional weak class cue: a tint toward the part
            colour = np.array(_PART_COLOURS[slot % 5], np.float32)
            body += body_cue * (colour - colour.mean())
        body += rng.normal(0, 14, (size, size, 1)).astype(np.float32)
        m3 = mask[..., None].astype(bool)
        img = np.where(m3, body, img)
        k = int(rng.integers(0, len(ys)))
        py, px = int(ys[k]), int(xs[k])
        pat = _pattern(_PATTERNS[slot // 5], side, side, period=period)
        colour = np.array(_PART_COLOURS[slot % 5], np.float32)
        part = pat[..., None] * colour + (1 - pat[..., None]) * 30.0
        img[py:py + side, px:px + side] = part
        label[mask > 0] = cls + 1
        ys, xs = np.nonzero(mask)
        objects.append(
            dict(
                name=VOC_CLASSES[cls],
                bbox=(int(xs.min()) + 1, int(ys.min()) + 1,
                      int(xs.max()) + 1, int(ys.max()) + 1)))
    return dict(
        img=np.clip(img, 0, 255).astype(np.uint8), label=label,
        objects=objects)


def _saliency(rng: np.random.Generator, label: np.ndarray) -> np.ndarray:
    """Imperfect saliency: shifted borders, blur, a few false positives."""
    fg = (label > 0).astype(np.uint8)
    size = label.shape[0]
    step = max(1, size // 56)  # border error scales with the image
    k = np.ones((3, 3), np.uint8)
    op = cv2.dilate if rng.random() < 0.5 else cv2.erode
    fg = op(fg, k, iterations=int(rng.integers(1, step + 1)))
    shift = rng.integers(-step, step + 1, 2)
    fg = np.roll(fg, tuple(int(s) for s in shift), axis=(0, 1))
    for _ in range(int(rng.integers(0, 3))):
        cy, cx = (int(v) for v in rng.integers(0, size, 2))
        cv2.circle(fg, (cx, cy), int(rng.integers(3, size // 12 + 4)), 1, -1)
    sal = cv2.GaussianBlur(fg.astype(np.float32) * 255, (0, 0), size / 75)
    sal += rng.normal(0, 8, sal.shape)
    return np.clip(sal, 0, 255).astype(np.uint8)


def _border_band(label: np.ndarray, width: int) -> np.ndarray:
    """VOC-style void band (255) along object boundaries."""
    k = np.ones((2 * width + 1, 2 * width + 1), np.uint8)
    out = label.copy()
    for c in np.unique(label):
        if c == 0:
            continue
        m = (label == c).astype(np.uint8)
        band = (cv2.dilate(m, k) - cv2.erode(m, k)) > 0
        out[band] = 255
    return out


def _write_xml(path: str, img_id: str, size: int, objects) -> None:
    root = ET.Element('annotation')
    ET.SubElement(root, 'folder').text = 'VOC2012'
    ET.SubElement(root, 'filename').text = f'{img_id}.jpg'
    sz = ET.SubElement(root, 'size')
    for tag, val in (('width', size), ('height', size), ('depth', 3)):
        ET.SubElement(sz, tag).text = str(val)
    ET.SubElement(root, 'segmented').text = '1'
    for obj in objects:
        o = ET.SubElement(root, 'object')
        ET.SubElement(o, 'name').text = obj['name']
        ET.SubElement(o, 'pose').text = 'Unspecified'
        ET.SubElement(o, 'truncated').text = '0'
        ET.SubElement(o, 'difficult').text = '0'
        bb = ET.SubElement(o, 'bndbox')
        for tag, val in zip(('xmin', 'ymin', 'xmax', 'ymax'), obj['bbox']):
            ET.SubElement(bb, tag).text = str(val)
    atomic_write(path, lambda p: ET.ElementTree(root).write(p))


def make_toy_voc(root: str,
                 num_train: int = 120,
                 num_val: int = 60,
                 num_aug: int = 240,
                 img_size: int = 112,
                 max_objects: int = 2,
                 seed: int = 0,
                 border_width: int = 1,
                 classes: Sequence[str] = DEFAULT_CLASSES,
                 part_period: int = 3,
                 body_cue: float = 0.25,
                 overwrite: bool = False) -> str:
    """Generate the toy VOC dataset under ``root`` (idempotent).

    A finished dataset carries a marker file with its parameters; calling
    again with the same parameters returns at once, with different ones raises
    unless ``overwrite``. The data is built in a temporary sibling directory
    and renamed into place, so an interrupted run leaves nothing half-written
    at ``root``.

    Args:
        root (str): Output directory (plays ``VOCdevkit/VOC2012``).
        num_train (int): Images in ``train`` (the 1,464-image split's role).
        num_val (int): Images in ``val``.
        num_aug (int): Extra images in ``aug`` (SBD's role).
        img_size (int): Square image side in pixels.
        max_objects (int): Objects per image are drawn from 1..max_objects.
        seed (int): Random seed; the output is a pure function of the args.
        border_width (int): Half-width of the 255 band in
            ``SegmentationClass``.
        classes (Sequence[str]): VOC class names the objects are drawn
            from (at most 20; label values keep VOC's indices).
        part_period (int): Stripe/checker period of the parts in pixels.
        body_cue (float): Strength of the weak class cue on the body (a
            tint toward the part's colour); 0 makes bodies identical across
            classes, which leaves DRS nothing to spread onto (see
            docs/drs_placement.md). Defaults to 0.25.
        overwrite (bool): Replace an existing dataset with other parameters.

    Returns:
        str: ``root``.
    """
    unknown = [c for c in classes if c not in VOC_CLASSES]
    if unknown or not classes:
        raise ValueError(f'classes must be VOC class names, got {unknown}')
    class_ids = [VOC_CLASSES.index(c) for c in classes]
    params = dict(
        num_train=num_train, num_val=num_val, num_aug=num_aug,
        img_size=img_size, max_objects=max_objects, seed=seed,
        border_width=border_width, classes=list(classes),
        part_period=part_period, version=2)
    if body_cue:
        params['body_cue'] = body_cue
    if _finished(root, params, overwrite):
        return root
    tmp = f'{root.rstrip("/")}.tmp{os.getpid()}'
    shutil.rmtree(tmp, ignore_errors=True)
    for d in _FOLDERS:
        os.makedirs(osp.join(tmp, d))
    splits: Dict[str, List[str]] = {'train': [], 'val': [], 'aug': []}
    order = ['train'] * num_train + ['val'] * num_val + ['aug'] * num_aug
    try:
        for idx, split in enumerate(order):
            img_id = f'toy_{idx:06d}'
            rng = np.random.default_rng([seed, idx])
            out = _render(rng, img_size, max_objects, class_ids, part_period,
                          body_cue)
            if not out['objects']:  # cannot happen for sane sizes; be safe
                raise RuntimeError(f'could not place an object in {img_id}')
            _write_sample(tmp, img_id, out, rng, img_size, border_width)
            splits[split].append(img_id)
        _write_splits(tmp, splits)
        with open(osp.join(tmp, _MARKER), 'w') as f:
            json.dump(params, f)
        if osp.exists(root):
            shutil.rmtree(root)
        os.makedirs(osp.dirname(osp.abspath(root)), exist_ok=True)
        os.replace(tmp, root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return root


def _finished(root: str, params: dict, overwrite: bool) -> bool:
    """Whether ``root`` already holds the toy dataset of ``params``.

    Raises:
        FileExistsError: ``root`` holds another toy dataset or anything
            else, and not ``overwrite``.
    """
    marker = osp.join(root, _MARKER)
    if osp.isfile(marker):
        with open(marker) as f:
            old = json.load(f)
        if old == params:
            return True
        if not overwrite:
            raise FileExistsError(
                f'{root} holds a toy VOC dataset made with {old}, not '
                f'{params}; pass overwrite=True (--overwrite) to replace it')
    elif osp.exists(root) and os.listdir(root) and not overwrite:
        raise FileExistsError(
            f'{root} exists and is not a toy VOC dataset (no {_MARKER}); '
            'choose another directory or pass overwrite=True')
    return False


def _write_sample(folder: str, img_id: str, out: dict,
                  rng: np.random.Generator, img_size: int,
                  border_width: int) -> None:
    """One rendered image's files: JPEG, both masks, saliency map and XML
    (the saliency map draws from ``rng`` after the rendering)."""
    cv2.imwrite(
        osp.join(folder, 'JPEGImages', f'{img_id}.jpg'),
        cv2.cvtColor(out['img'], cv2.COLOR_RGB2BGR),
        [cv2.IMWRITE_JPEG_QUALITY, 95])
    save_palette_png(
        osp.join(folder, 'SegmentationClassAug', f'{img_id}.png'),
        out['label'])
    save_palette_png(
        osp.join(folder, 'SegmentationClass', f'{img_id}.png'),
        _border_band(out['label'], border_width))
    cv2.imwrite(
        osp.join(folder, 'SaliencyMaps', f'{img_id}.png'),
        _saliency(rng, out['label']))
    _write_xml(
        osp.join(folder, 'Annotations', f'{img_id}.xml'), img_id, img_size,
        out['objects'])


def _write_splits(folder: str, splits: Dict[str, List[str]]) -> None:
    """The split lists, with VOC's ``trainval`` and mmseg's ``trainaug``."""
    splits = dict(splits, trainval=splits['train'] + splits['val'],
                  trainaug=splits['train'] + splits['aug'])
    for name, ids in splits.items():
        with open(osp.join(folder, 'ImageSets/Segmentation', f'{name}.txt'),
                  'w') as f:
            f.writelines(i + '\n' for i in ids)
