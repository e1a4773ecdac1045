"""BgFgBalancedCELoss: background and foreground CE averaged separately."""
import pytest
import torch
import torch.nn.functional as F

from mmdrs.models.losses import BgFgBalancedCELoss


def _data():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 4, 6, 5, generator=gen)
    label = torch.randint(0, 4, (2, 6, 5), generator=gen)
    label[:, 0] = 0  # plenty of background
    label[0, 1, :3] = 255
    return logits, label


def test_sum_of_the_two_means_as_rrm():
    logits, label = _data()
    bg = label.clone()
    bg[label != 0] = 255
    fg = label.clone()
    fg[label == 0] = 255
    ref = F.cross_entropy(logits, bg, ignore_index=255) + F.cross_entropy(
        logits, fg, ignore_index=255)
    torch.testing.assert_close(BgFgBalancedCELoss()(logits, label), ref)
    torch.testing.assert_close(
        BgFgBalancedCELoss(reduction='mean', loss_weight=3.0)(logits,
                                                              label),
        1.5 * ref)
    # differs from the plain mean over all labelled pixels
    plain = F.cross_entropy(logits, label, ignore_index=255)
    assert not torch.allclose(plain, ref / 2)


def test_missing_part_counts_zero_not_nan():
    logits, label = _data()
    only_bg = torch.where(label == 255, label, torch.zeros_like(label))
    loss = BgFgBalancedCELoss()(logits, only_bg)
    torch.testing.assert_close(
        loss, F.cross_entropy(logits, only_bg, ignore_index=255))
    all_ignored = torch.full_like(label, 255)
    assert BgFgBalancedCELoss()(logits, all_ignored) == 0


def test_bad_arguments():
    with pytest.raises(ValueError, match='reduction'):
        BgFgBalancedCELoss(reduction='none')
    logits, label = _data()
    with pytest.raises(ValueError, match='weights'):
        BgFgBalancedCELoss()(logits, label, weight=torch.ones(2))
