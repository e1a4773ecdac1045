"""SelfTrainingLoss: CE on the network's own argmax over the image's classes
(the DRS authors' DeepLab-V2 term), on hand-made logits."""
import math

import pytest
import torch
from mmseg.structures import SegDataSample

from mmdrs.models import SelfTrainingLoss


def _sample(tags):
    ds = SegDataSample(metainfo=dict(img_path='img.jpg'))
    ds.gt_img_labels = torch.tensor(tags, dtype=torch.uint8)
    return ds


# 3 classes (background + 2), one image tagged with class 1 only; four
# pixels: (bg, c1, c2) logits
LOGITS = torch.tensor([[[[2.0, 0.0, -1.0, -1.0]],
                        [[1.0, 3.0, -2.0, -3.0]],
                        [[5.0, 1.0, 0.5, -0.5]]]])  # (1, 3, 1, 4)


def test_targets_multiply_as_the_authors_and_exclude():
    tags = torch.tensor([[1, 1, 0]])
    loss = SelfTrainingLoss()
    # pixel 0: c2 (absent) has the top logit but is zeroed -> bg;
    # pixel 2: every candidate is negative, the zeroed absent class (0)
    # wins: the authors' multiplication quirk
    assert loss.targets(LOGITS, tags).tolist() == [[[0, 1, 2, 2]]]
    excl = SelfTrainingLoss(mask='exclude')
    assert excl.targets(LOGITS, tags).tolist() == [[[0, 1, 0, 0]]]


def test_value_and_gradient_by_hand():
    logits = LOGITS.clone().requires_grad_(True)
    loss = SelfTrainingLoss(loss_weight=0.5)
    value = loss(logits, None, [_sample([1, 0])])
    target = [0, 1, 2, 2]
    ref = 0.0
    for p, t in enumerate(target):
        z = LOGITS[0, :, 0, p]
        ref += -(z[t] - torch.logsumexp(z, 0))
    assert value.item() == pytest.approx(0.5 * ref.item() / 4, rel=1e-6)
    value.backward()
    # d CE / d z = softmax - onehot, averaged over the 4 pixels
    p0 = LOGITS[0, :, 0, 0].softmax(0)
    expected = 0.5 * (p0 - torch.tensor([1.0, 0, 0])) / 4
    torch.testing.assert_close(logits.grad[0, :, 0, 0], expected)
    assert logits.grad[0, 1, 0, 1] < 0  # its own target pulled up


def test_confident_in_candidate_predictions_give_small_loss():
    logits = torch.full((1, 3, 2, 2), -20.0)
    logits[:, 1] = 20.0  # class 1 everywhere, tagged
    value = SelfTrainingLoss()(logits, None, [_sample([1, 0])])
    assert value.item() < 1e-10
    assert math.isfinite(value.item())


def test_padding_can_be_left_out():
    valid = torch.tensor([[[True, True, False, False]]])
    a = SelfTrainingLoss(ignore_padding=True)(LOGITS, None, [_sample([1, 0])],
                                              valid_mask=valid)
    b = SelfTrainingLoss()(LOGITS[..., :2], None, [_sample([1, 0])])
    torch.testing.assert_close(a, b)


def test_missing_tags_are_named():
    ds = SegDataSample(metainfo=dict(img_path='x/2007_000032.jpg'))
    with pytest.raises(KeyError, match='2007_000032'):
        SelfTrainingLoss()(LOGITS, None, [ds])
    with pytest.raises(ValueError, match='mask'):
        SelfTrainingLoss(mask='zero')
