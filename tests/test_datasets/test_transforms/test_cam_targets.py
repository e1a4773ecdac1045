"""LoadCAMTargets: stored maps as dense targets aligned with the image."""
import os.path as osp

import cv2
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope

from mmdrs.datasets.transforms import max_mask
from mmdrs.fileio import save_cam_maps

CLASSES = ('a', 'b', 'c')


def test_max_mask_keeps_only_the_largest_class():
    maps = np.array([[[0.2, 0.9, 0.0]], [[0.5, 0.1, 0.0]],
                     [[0.4, 0.8, 0.0]]], np.float32)  # (3, 1, 3)
    out = max_mask(maps)
    np.testing.assert_array_equal(
        out, np.array([[[0, 0.9, 0]], [[0.5, 0, 0]], [[0, 0, 0]]],
                      np.float32))


def test_max_mask_keeps_ties_as_the_authors_loader():
    # two classes at the same maximum (e.g. both normalised to 1.0) both
    # stay; a third below it is zeroed
    maps = np.array([[[1.0, 0.3]], [[1.0, 0.6]], [[0.4, 0.6]]], np.float32)
    out = max_mask(maps)
    np.testing.assert_array_equal(
        out, np.array([[[1.0, 0]], [[1.0, 0.6]], [[0, 0.6]]], np.float32))


@pytest.fixture
def coded(tmp_path):
    """An image whose maps encode its pixels (class 1 = R / 255)."""
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / 'im.png'), img)
    maps = np.stack([img[..., 2] / 255.0, 1 - img[..., 2] / 255.0])
    (tmp_path / 'maps').mkdir()
    save_cam_maps(str(tmp_path / 'maps' / 'im.npz'), maps, [0, 1], CLASSES)
    return str(tmp_path / 'im.png'), str(tmp_path / 'maps'), img


def _results(img_path):
    return dict(img_path=img_path, fg_classes=CLASSES, num_fg_classes=3,
                seg_fields=[])


def test_targets_follow_flip_and_crop_pixelwise(coded):
    init_default_scope('mmseg')
    img_path, maps_dir, _ = coded
    pipe = Compose([
        dict(type='LoadImageFromFile'),
        dict(type='LoadCAMTargets', maps_dir=maps_dir, max_mask=False),
        dict(type='RandomCrop', crop_size=(17, 23)),
        dict(type='RandomFlip', prob=1.0),
        dict(type='RandomColorJitter', brightness=0.5),  # image only
        dict(type='PackImageLabelInputs'),
    ])
    for seed in range(3):
        np.random.seed(seed)
        out = pipe(_results(img_path))
        t = out['data_samples'].gt_cam_maps.data.numpy()  # (3, 17, 23)
        assert t.shape == (3, 17, 23)
        assert not t[2].any()  # absent class
        # reload the unjittered image and replay the crop and flip offsets
        img = cv2.imread(img_path)
        r = img[..., 2] / 255.0
        y, x = _find(r, t[0][:, ::-1])
        np.testing.assert_allclose(t[0][:, ::-1], r[y:y + 17, x:x + 23],
                                   atol=0.5 / 255)
        np.testing.assert_allclose(t[1], 1 - t[0], atol=1 / 255)


def _find(full, crop):
    """Offset of ``crop`` inside ``full`` (exact up to quantisation)."""
    h, w = crop.shape
    for y in range(full.shape[0] - h + 1):
        for x in range(full.shape[1] - w + 1):
            if np.abs(full[y:y + h, x:x + w] - crop).max() <= 0.5 / 255:
                return y, x
    raise AssertionError('target does not match the image anywhere')


def test_max_mask_applied_and_resize(coded):
    init_default_scope('mmseg')
    img_path, maps_dir, img = coded
    pipe = Compose([
        dict(type='LoadImageFromFile'),
        dict(type='LoadCAMTargets', maps_dir=maps_dir),
        dict(type='Resize', scale=(20, 16), keep_ratio=False),
    ])
    out = pipe(_results(img_path))
    t = out['gt_cam_maps']
    assert t.shape == (16, 20, 3) and out['img'].shape[:2] == (16, 20)
    assert ((t > 0).sum(-1) <= 1).all()  # one class per pixel


def test_bad_targets_name_the_file(coded, tmp_path):
    init_default_scope('mmseg')
    img_path, maps_dir, img = coded
    load = Compose([dict(type='LoadImageFromFile'),
                    dict(type='LoadCAMTargets', maps_dir=maps_dir)])
    res = _results(img_path)
    res['fg_classes'] = ('a', 'b', 'x')
    with pytest.raises(ValueError, match='im.npz.*another dataset'):
        load(res)
    save_cam_maps(osp.join(maps_dir, 'im.npz'), np.zeros((1, 10, 10)), [0],
                  CLASSES)
    with pytest.raises(ValueError, match=r'im.npz: maps are \(10, 10\)'):
        load(_results(img_path))
    resized = Compose([
        dict(type='LoadImageFromFile'),
        dict(type='LoadCAMTargets', maps_dir=maps_dir,
             resize_to_image=True)
    ])(_results(img_path))
    assert resized['gt_cam_maps'].shape == (30, 40, 3)
    other = str(tmp_path / 'other.png')
    cv2.imwrite(other, img)  # an image without maps
    with pytest.raises(FileNotFoundError, match='other.npz'):
        load(_results(other))
