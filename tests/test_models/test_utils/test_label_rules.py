"""The pseudo-label rules, pixel by pixel on hand-built maps."""
import numpy as np
import pytest
import torch

from mmdrs.apis.label_generation import pseudo_label
from mmdrs.models.utils import background_label, saliency_label

# 7 pixels in a row, 2 classes; comments give the expected label and why
CAMS = torch.tensor([
    [0.10, 0.50, 0.50, 0.95, 0.95, 0.15, 0.30],  # class 1
    [0.00, 0.30, 0.30, 0.92, 0.10, 0.10, 0.60],  # class 2
])[:, None, :]
SAL = torch.tensor([[0, 0, 200, 0, 0, 255, 100]]).float()
EXPECTED_SAL = [
    0,  # below alpha, not salient -> background
    0,  # not salient: background score 1 beats 0.5
    1,  # salient: background 0, class 1 wins
    255,  # bg 1, 0.95, 0.92: three channels above 0.9 -> conflict
    0,  # bg 1 and 0.95: only two above 0.9 -> argmax background
    255,  # salient but both classes below alpha -> background -> ignore
    2,  # salient, class 2 wins
]


def test_saliency_rules_pixel_by_pixel():
    label = saliency_label(CAMS, SAL, alpha=0.2)
    assert label[0].tolist() == EXPECTED_SAL
    # alpha matters: without it pixel 5 is class 1 (0.15 > 0.10)
    assert saliency_label(CAMS, SAL, alpha=0.0)[0, 5] == 1
    # the same through the pseudo-label entry point, as uint8
    out = pseudo_label(CAMS.numpy(), 'saliency', saliency=SAL.numpy())
    assert out.dtype == np.uint8 and out[0].tolist() == EXPECTED_SAL


def test_threshold_modes_pixel_by_pixel():
    # constant 0.15: background unless a class exceeds it
    assert background_label(CAMS, 'constant', 0.15)[0].tolist() == [
        0, 1, 1, 1, 1, 0, 2
    ]
    assert background_label(CAMS, 'constant', 0.55)[0].tolist() == [
        0, 0, 0, 1, 1, 0, 2
    ]
    # power: bg = (1 - max)^2 -> 0.81, 0.25, 0.25, 0.0025, 0.0025, 0.72, 0.16
    assert background_label(CAMS, 'power', power=2)[0].tolist() == [
        0, 1, 1, 1, 1, 0, 2
    ]
    # alpha zeroes weak classes first
    assert background_label(CAMS, 'constant', 0.05, alpha=0.2)[0, 0] == 0
    assert background_label(CAMS, 'constant', 0.05)[0, 0] == 1
    with pytest.raises(ValueError, match='constant'):
        background_label(CAMS, 'otsu')


def test_ignore_margin_pixel_by_pixel():
    """Background 0.55 +- 0.1: a pixel is labelled where the rule at 0.45
    and at 0.65 agree, 255 where they do not."""
    label = pseudo_label(CAMS.numpy(), 'constant', bg_score=0.55,
                         ignore_margin=0.1)
    # maxima 0.10 0.50 0.50 0.95 0.95 0.15 0.60: 0.50 and 0.60 lie in the
    # band (class at 0.45, background at 0.65)
    assert label[0].tolist() == [0, 255, 255, 1, 1, 0, 255]
    # outside the band nothing changes
    plain = pseudo_label(CAMS.numpy(), 'constant', bg_score=0.55)
    keep = label != 255
    assert (label[keep] == plain[keep]).all()
    for kw in (dict(mode='power'), dict(mode='constant', bg_score=0.05)):
        with pytest.raises(ValueError, match='ignore_margin needs'):
            pseudo_label(CAMS.numpy(), ignore_margin=0.1, **kw)


def test_saliency_size_mismatch():
    with pytest.raises(ValueError, match='differ in size'):
        saliency_label(CAMS, torch.zeros(2, 7))


def test_dense_crf_keeps_a_clear_label():
    pytest.importorskip('pydensecrf', reason='optional crf extra')
    rng = np.random.default_rng(0)
    img = np.full((20, 24, 3), 40, np.uint8)
    img[5:15, 6:18] = 220  # a bright square
    maps = np.zeros((2, 20, 24), np.float32)
    maps[0, 4:16, 5:19] = 0.9  # a slightly too large, noisy map
    maps[0] += rng.random(maps[0].shape).astype(np.float32) * 0.1
    label = pseudo_label(maps, 'constant', bg_score=0.5, img=img, crf=True)
    assert label.dtype == np.uint8 and set(np.unique(label)) <= {0, 1}
    # the CRF pulls the label onto the bright square
    assert (label[5:15, 6:18] == 1).mean() > 0.9
    assert (label[:3] == 0).all()


@pytest.mark.parametrize('crf', [True, 'labels'])
def test_dense_crf_on_scores_or_labels(crf):
    """Both unaries pull a too-large map onto the object's edges; an image
    whose maps are all zero (one label left) needs no CRF."""
    pytest.importorskip('pydensecrf', reason='optional crf extra')
    img = np.full((24, 24, 3), 40, np.uint8)
    img[6:18, 6:18] = 220
    maps = np.zeros((2, 24, 24), np.float32)
    maps[1, 3:21, 3:21] = 0.9  # 3 px too large on every side
    label = pseudo_label(maps, 'constant', bg_score=0.5, img=img, crf=crf)
    grown = pseudo_label(maps, 'constant', bg_score=0.5)
    assert (grown[3:21, 3:21] == 2).all()  # without CRF: the whole box
    assert (label[7:17, 7:17] == 2).all()
    assert (label[3:6, 3:21] == 0).mean() > 0.5  # the margin goes back
    empty = pseudo_label(np.zeros_like(maps), 'constant', img=img, crf=crf)
    assert (empty == 0).all()
    with pytest.raises(ValueError, match='crf must be one of'):
        pseudo_label(maps, 'constant', img=img, crf='edges')


def test_the_label_crf_is_irns():
    """The CRF on the labels has IRN's colour kernel (srgb 5): an object 8
    grey levels brighter than its surroundings keeps its too-large map to
    itself, where PSA's srgb 13 (``crf_cfg``) floods the whole image."""
    pytest.importorskip('pydensecrf', reason='optional crf extra')
    img = np.full((24, 24, 3), 100, np.uint8)
    img[6:18, 6:18] = 108
    maps = np.zeros((2, 24, 24), np.float32)
    maps[1, 3:21, 3:21] = 0.9
    label = pseudo_label(maps, 'constant', bg_score=0.5, img=img,
                         crf='labels')
    assert (label == 2).sum() == 144 and (label[6:18, 6:18] == 2).all()
    wide = pseudo_label(maps, 'constant', bg_score=0.5, img=img,
                        crf='labels', crf_cfg=dict(bilateral_srgb=13))
    assert (wide == 2).all()
    with pytest.raises(TypeError, match='bilateral_rgb'):
        pseudo_label(maps, 'constant', img=img, crf='labels',
                     crf_cfg=dict(bilateral_rgb=13))
