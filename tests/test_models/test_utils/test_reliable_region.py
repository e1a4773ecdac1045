"""RRM's reliable-region rule, pixel by pixel on hand-made CAMs."""
import numpy as np
import pytest
import torch

from mmdrs.models.utils import (ReliableRegionLabeler, reliable_region_label,
                                reliable_region_rule)

I = 255  # noqa: E741


def one_hot_probs(arg, conf, k):
    """(k+1, H, W) CRF-like probabilities: ``conf`` on ``arg``, the rest
    spread evenly."""
    probs = torch.full((k + 1, *arg.shape), 0.0)
    probs.scatter_(0, arg[None], conf[None])
    rest = (1 - conf) / k
    return torch.where(probs > 0, probs, rest.expand_as(probs))


def hand_made():
    """2 classes on a 4 x 10 map.

    Row 0: class 0's CAM rises 0.05 .. 0.95; rows 1-3: no CAM.
    (3, 0): class 1 claimed by the low-alpha CRF but its CAM is <= 0.1.
    """
    k, h, w = 2, 4, 10
    cams = torch.zeros(k, h, w)
    cams[0, 0] = torch.arange(10) * 0.1 + 0.05
    cams[1, 3, 0] = 0.08
    low = torch.zeros(h, w, dtype=torch.long)
    low[0] = 1
    low[3, 0] = 2
    high = low.clone()
    high[0, 8] = 0  # high-alpha CRF says background there
    low[1, 5] = 1  # la foreground / ha background -> ha wins (bg)
    high[2, 2] = 1  # la background / ha foreground -> ignored
    conf = torch.full((h, w), 0.9)
    conf_high = conf.clone()
    conf_high[1, 1] = 0.7  # unsure background
    return cams, one_hot_probs(low, conf, k), one_hot_probs(
        high, conf_high, k)


def test_rule_pixel_by_pixel():
    cams, low, high = hand_made()
    label = reliable_region_rule(cams, low, high)
    expected = torch.tensor([
        # col 0: CAM 0.05 loses to bg (0.95^32 = 0.19), bg not sure;
        # cols 1-9 are class 0's CAM region: 9 scores > 0.1, the cut is the
        # 6th of them (index int(9 * 0.6) = 5, 0.65), sure = 0.75/0.85/0.95;
        # col 8: the high-alpha CRF's background wins, and is sure there
        [I, I, I, I, I, I, I, 1, 0, 1],
        # (1, 1): CRF confidence 0.7 < 0.8; (1, 5): la fg, ha bg -> bg
        [0, I, 0, 0, 0, 0, 0, 0, 0, 0],
        # (2, 2): la bg, ha fg -> ignored
        [0, 0, I, 0, 0, 0, 0, 0, 0, 0],
        # (3, 0): class 1 has no CAM score above 0.1 -> nothing sure, no
        # crash (the authors' code indexes an empty array)
        [I, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ])
    torch.testing.assert_close(label, expected)


def test_rule_percentile_and_thresholds_are_arguments():
    cams, low, high = hand_made()
    # keep the top 80 %: cut at index int(9 * 0.2) = 1 (0.25)
    label = reliable_region_rule(cams, low, high, fg_percentile=0.2)
    assert label[0].tolist() == [I, I, I, 1, 1, 1, 1, 1, 0, 1]
    # a stricter CRF confidence ignores everything at 0.9
    label = reliable_region_rule(cams, low, high, crf_conf=0.95)
    assert (label == I).all()
    # background needs bg > 0.999: the empty rows are exactly 1.0 -> sure
    label = reliable_region_rule(cams, low, high, bg_sure=0.999)
    assert label[2, 0] == 0


def test_rule_checks_shapes():
    cams, low, high = hand_made()
    with pytest.raises(ValueError, match=r'\(K\+1, H, W\)'):
        reliable_region_rule(cams, low[1:], high[1:])


def square_scene(size=32):
    img = np.full((size, size, 3), 30, np.uint8)
    img[8:24, 8:24] = (220, 60, 40)
    yy, xx = np.mgrid[:size, :size]
    blob = np.exp(-((yy - 15.5)**2 + (xx - 15.5)**2) / (2 * 6.0**2))
    cams = torch.zeros(3, size, size)
    cams[1] = torch.from_numpy(blob / blob.max()).float()
    return img, cams


def test_label_with_real_crfs():
    pytest.importorskip('pydensecrf.densecrf')
    img, cams = square_scene()
    label = reliable_region_label(cams, img, present=[1])
    assert set(label.unique().tolist()) <= {0, 2, I}
    assert label[16, 16] == 2  # the object's core: class 1 (label 2)
    assert label[1, 1] == 0  # far background
    assert label[4, 16] == I or label[4, 16] == 0
    assert (label == I).float().mean() > 0.05  # uncertain band
    # the object's top 40 % CAM region lies inside the square
    fg = label == 2
    assert fg[8:24, 8:24].sum() == fg.sum() > 0


def test_labeler_batches_images():
    pytest.importorskip('pydensecrf.densecrf')
    img, cams = square_scene()
    images = torch.from_numpy(img).permute(2, 0, 1)[None].float()
    labeler = ReliableRegionLabeler()
    batch = labeler(torch.stack([cams, cams.flip(-1)]),
                    torch.cat([images, images.flip(-1)]),
                    torch.tensor([[0, 1, 0], [0, 1, 0]]))
    assert batch.shape == (2, 32, 32)
    torch.testing.assert_close(batch[1], batch[0].flip(-1))
    torch.testing.assert_close(batch[0],
                               reliable_region_label(cams, img, [1]))
    with pytest.raises(ValueError, match='crf_powers'):
        ReliableRegionLabeler(crf_powers=(4, ))
