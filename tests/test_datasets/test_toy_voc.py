import hashlib
import os
import os.path as osp
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from mmdrs.datasets import VOC_CLASSES, make_toy_voc, read_split


def _digest(root):
    h = hashlib.sha1()
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            with open(osp.join(d, f), 'rb') as fh:
                h.update(f.encode() + fh.read())
    return h.hexdigest()


def test_layout(toy_voc):
    for sub in ('JPEGImages', 'SegmentationClass', 'SegmentationClassAug',
                'SaliencyMaps', 'Annotations'):
        assert osp.isdir(osp.join(toy_voc, sub))
    train, val, aug = (read_split(toy_voc, s) for s in ('train', 'val', 'aug'))
    assert (len(train), len(val), len(aug)) == (24, 12, 24)
    assert not set(train) & set(val) and not set(aug) & set(train + val)
    assert read_split(toy_voc, 'trainval') == train + val
    assert read_split(toy_voc, 'trainaug') == train + aug
    img_id = train[0]
    img = Image.open(osp.join(toy_voc, 'JPEGImages', f'{img_id}.jpg'))
    assert img.size == (64, 64) and img.mode == 'RGB'
    seg = Image.open(osp.join(toy_voc, 'SegmentationClass', f'{img_id}.png'))
    assert seg.mode == 'P'  # palette PNG as in VOC
    assert seg.getpalette()[3:6] == [128, 0, 0]  # VOC colour of class 1


def test_masks_border_band_and_xml_agree(toy_voc):
    fg_means = []
    for img_id in read_split(toy_voc, 'train')[:8]:
        cls = np.array(Image.open(
            osp.join(toy_voc, 'SegmentationClass', f'{img_id}.png')))
        aug = np.array(
            Image.open(
                osp.join(toy_voc, 'SegmentationClassAug', f'{img_id}.png')))
        assert 255 in cls and 255 not in aug  # band only in VOC masks
        keep = cls != 255
        assert (cls[keep] == aug[keep]).all()
        present = set(np.unique(aug)) - {0}
        names = {
            o.findtext('name')
            for o in ET.parse(osp.join(toy_voc, 'Annotations', f'{img_id}.xml'
                                       )).getroot().iter('object')
        }
        assert names == {VOC_CLASSES[c - 1] for c in present}
        sal = np.array(
            Image.open(osp.join(toy_voc, 'SaliencyMaps', f'{img_id}.png')))
        assert sal.dtype == np.uint8 and sal.shape == aug.shape
        fg = aug > 0
        # imperfect but informative saliency
        assert sal[fg].mean() > 100 and sal[~fg].mean() < 50
        fg_means.append(sal[fg].mean())
    assert np.mean(fg_means) > 150


def test_deterministic_and_idempotent(tmp_path):
    a = make_toy_voc(str(tmp_path / 'a'), 4, 2, 2, img_size=48, seed=7)
    b = make_toy_voc(str(tmp_path / 'b'), 4, 2, 2, img_size=48, seed=7)
    assert _digest(a) == _digest(b)
    c = make_toy_voc(str(tmp_path / 'c'), 4, 2, 2, img_size=48, seed=8)
    assert _digest(a) != _digest(c)
    mtime = os.stat(osp.join(a, 'JPEGImages')).st_mtime
    make_toy_voc(a, 4, 2, 2, img_size=48, seed=7)  # same params: no-op
    assert os.stat(osp.join(a, 'JPEGImages')).st_mtime == mtime
    with pytest.raises(FileExistsError, match='overwrite'):
        make_toy_voc(a, 5, 2, 2, img_size=48, seed=7)
    make_toy_voc(a, 5, 2, 2, img_size=48, seed=7, overwrite=True)
    assert len(read_split(a, 'train')) == 5
    assert not [p for p in os.listdir(tmp_path) if '.tmp' in p]


def test_refuses_foreign_directory(tmp_path):
    (tmp_path / 'x').mkdir()
    (tmp_path / 'x' / 'keep.txt').write_text('user data')
    with pytest.raises(FileExistsError, match='not a toy VOC'):
        make_toy_voc(str(tmp_path / 'x'), 2, 1, 1)


def test_discriminative_part_is_small(toy_voc):
    """The class-coded part covers a minority of each object (fair WSSS)."""
    import cv2
    fracs = []
    for img_id in read_split(toy_voc, 'train'):
        img = cv2.imread(osp.join(toy_voc, 'JPEGImages', f'{img_id}.jpg'))
        aug = np.array(
            Image.open(
                osp.join(toy_voc, 'SegmentationClassAug', f'{img_id}.png')))
        hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
        # part pixels: saturated colour or the dark pattern gaps
        part = (hsv[..., 1] > 120) | (hsv[..., 2] < 60)
        fg = aug > 0
        fracs.append((part & fg).sum() / fg.sum())
    assert 0.05 < float(np.mean(fracs)) < 0.45


def test_class_subset(tmp_path):
    root = make_toy_voc(str(tmp_path / 't'), 12, 2, 2, img_size=48,
                        classes=('cat', 'dog'))
    seen = set()
    for img_id in read_split(root, 'trainval'):
        lab = np.array(
            Image.open(osp.join(root, 'SegmentationClassAug',
                                f'{img_id}.png')))
        seen |= set(np.unique(lab).tolist())
    assert seen == {0, 8, 12}  # VOC indices of cat and dog
    with pytest.raises(ValueError, match='unicorn'):
        make_toy_voc(str(tmp_path / 'u'), 2, 1, 1, classes=('unicorn', ))
