"""LoadPseudoLabels: pseudo labels replace the masks, aligned with the image
under mmseg's geometric transforms."""
import os.path as osp

import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope

from mmdrs.datasets.voc_layout import save_palette_png


def _image_coded_label(img):
    """A label that encodes the image's pixels: alignment is checkable."""
    return (img[..., 0].astype(np.int64) % 21).astype(np.uint8)


@pytest.fixture
def sample(tmp_path):
    import cv2
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)
    img_path = str(tmp_path / 'im_1.jpg')
    cv2.imwrite(str(tmp_path / 'im_1.png'), img)  # lossless copy
    img_path = str(tmp_path / 'im_1.png')
    pseudo = tmp_path / 'pseudo'
    pseudo.mkdir()
    save_palette_png(str(pseudo / 'im_1.png'), _image_coded_label(img))
    return img_path, str(pseudo), img


def test_pseudo_labels_follow_flip_and_crop(sample):
    init_default_scope('mmseg')
    img_path, pseudo, img = sample
    pipe = Compose([
        dict(type='LoadImageFromFile'),
        dict(type='LoadPseudoLabels', pseudo_dir=pseudo, num_classes=21),
        dict(type='RandomCrop', crop_size=(20, 25)),
        dict(type='RandomFlip', prob=1.0),
    ])
    for seed in range(3):
        np.random.seed(seed)
        out = pipe(dict(img_path=img_path, seg_map_path='unused.png',
                        reduce_zero_label=False, seg_fields=[]))
        assert out['img'].shape[:2] == out['gt_seg_map'].shape == (20, 25)
        # pixel-wise: the label still encodes the image under it
        assert np.array_equal(out['gt_seg_map'],
                              _image_coded_label(out['img']))
        assert out['seg_map_path'].startswith(pseudo)


def test_errors_name_the_file(sample, tmp_path):
    init_default_scope('mmseg')
    img_path, pseudo, img = sample
    from mmseg.registry import TRANSFORMS
    t = TRANSFORMS.build(dict(type='LoadPseudoLabels', pseudo_dir=pseudo))
    with pytest.raises(FileNotFoundError, match='other.png not found'):
        t(dict(img_path=str(tmp_path / 'other.jpg')))
    save_palette_png(osp.join(pseudo, 'im_1.png'),
                     np.zeros((10, 10), np.uint8))
    with pytest.raises(ValueError, match=r'im_1.png is \(10, 10\)'):
        t(dict(img_path=img_path, img=img))
    save_palette_png(osp.join(pseudo, 'im_1.png'),
                     np.full((30, 40), 30, np.uint8))
    t = TRANSFORMS.build(dict(type='LoadPseudoLabels', pseudo_dir=pseudo,
                              num_classes=21))
    with pytest.raises(ValueError, match=r'values \[30\]'):
        t(dict(img_path=img_path, img=img))
