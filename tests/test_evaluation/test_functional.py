import numpy as np
import pytest
import torch

from mmdrs.evaluation import (average_precision, cam_confusion,
                              iou_from_confusion, threshold_sweep_summary)


def test_confusion_matches_hand_computed():
    # 2 classes, 1x5 image
    cams = torch.tensor([[[0.9, 0.3, 0.1, 0.0, 0.5]],
                         [[0.2, 0.4, 0.05, 0.7, 0.5]]])
    gt = torch.tensor([[1, 2, 0, 2, 255]])
    conf = cam_confusion(cams, gt, [0.2, 0.5])
    # t=0.2: preds = [1, 2, 0, 2] -> all right
    np.testing.assert_array_equal(conf[0].numpy(),
                                  [[1, 0, 0], [0, 1, 0], [0, 0, 2]])
    # t=0.5: px1 max .4 -> bg (gt 2); px0 .9 -> 1; px3 .7 -> 2
    np.testing.assert_array_equal(conf[1].numpy(),
                                  [[1, 0, 0], [0, 1, 0], [1, 0, 1]])
    iou = iou_from_confusion(conf[1].numpy())
    np.testing.assert_allclose(iou, [1 / 2, 1, 1 / 2])


def test_matches_bruteforce_argmax():
    g = torch.Generator().manual_seed(0)
    cams = torch.rand(4, 16, 16, generator=g)
    cams[2] = 0
    gt = torch.randint(0, 5, (16, 16), generator=g)
    gt[0, :4] = 255
    thr = [0.1, 0.3, 0.55, 0.9]
    conf = cam_confusion(cams, gt, thr)
    for j, t in enumerate(thr):
        logits = torch.cat([torch.full((1, 16, 16), t), cams])
        pred = logits.argmax(0)
        valid = gt != 255
        ref = torch.bincount(
            gt[valid] * 5 + pred[valid], minlength=25).view(5, 5)
        assert torch.equal(conf[j], ref), t


def test_summary_picks_best_threshold():
    conf = np.zeros((2, 2, 2), np.int64)
    conf[0] = [[5, 5], [0, 10]]  # IoU bg .5, fg 10/15
    conf[1] = [[9, 1], [1, 9]]  # IoU bg .818, fg .818
    s = threshold_sweep_summary(conf, [0.1, 0.3], ['bg', 'fg'])
    assert s['best_threshold'] == 0.3
    assert s['mIoU'] == pytest.approx(100 * 9 / 11)
    assert s['IoU_per_class']['fg'] == pytest.approx(100 * 9 / 11)


def test_errors():
    with pytest.raises(ValueError, match='ascending'):
        cam_confusion(torch.rand(2, 3, 3), torch.zeros(3, 3).long(), [.5, .1])
    with pytest.raises(ValueError, match='differ in size'):
        cam_confusion(torch.rand(2, 3, 3), torch.zeros(4, 3).long(), [.5])
    with pytest.raises(ValueError, match='exceeds'):
        cam_confusion(torch.rand(2, 3, 3), torch.full((3, 3), 5), [.5])


def test_average_precision():
    scores = np.array([[0.9, 0.1], [0.8, 0.7], [0.1, 0.2]])
    labels = np.array([[1, 0], [0, 1], [1, 0]])
    ap = average_precision(scores, labels)
    # class 0: ranks 1 (pos), 2 (neg), 3 (pos) -> (1 + 2/3) / 2
    assert ap[0] == pytest.approx((1 + 2 / 3) / 2)
    assert ap[1] == pytest.approx(1.0)
    assert np.isnan(average_precision(scores, np.zeros_like(labels))).all()
