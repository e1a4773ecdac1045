import pytest
import torch
import torch.nn.functional as F

from mmdrs.models import MultiLabelCAMHead, normalize_cams


def test_loss_matches_soft_margin_and_has_gradients():
    torch.manual_seed(0)
    head = MultiLabelCAMHead(in_channels=8, channels=8, num_classes=4)
    head.init_weights()
    feats = torch.randn(3, 8, 6, 6, requires_grad=True)
    labels = torch.tensor([[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 1]])
    maps = head(feats)
    assert maps.shape == (3, 4, 6, 6)
    losses = head.loss(maps, labels)
    logits = maps.mean(dim=(2, 3))
    # multi-label soft margin, written out
    expected = -(labels * F.logsigmoid(logits) +
                 (1 - labels) * F.logsigmoid(-logits)).mean()
    torch.testing.assert_close(losses['loss_cls'], expected)
    losses['loss_cls'].backward()
    assert feats.grad.abs().sum() > 0
    for name, p in head.named_parameters():
        assert p.grad is not None, name


def test_head_init_follows_paper():
    head = MultiLabelCAMHead(in_channels=64, channels=64, num_classes=20)
    head.init_weights()
    conv = head.convs[0]
    assert abs(conv.weight.std().item() - (2 / (9 * 64))**0.5) < 0.01
    assert conv.bias.abs().sum() == 0
    assert abs(head.classifier.weight.std().item() - (2 / 20)**0.5) < 0.05


def test_plain_relu_head_has_no_drs():
    head = MultiLabelCAMHead(in_channels=8, channels=8, drs_cfg=None)
    assert not any('suppression' in n for n, _ in head.named_parameters())


def test_kernel_size_sets_the_footprint_of_a_class_map():
    # one active feature cell: each 3x3 conv spreads it one cell each side,
    # 1x1 convs keep it in place
    feats = torch.zeros(1, 4, 9, 9)
    feats[0, :, 4, 4] = 1.0
    spread = {}
    for k in (1, 3):
        torch.manual_seed(0)
        head = MultiLabelCAMHead(in_channels=4, channels=4, num_classes=2,
                                 kernel_size=k, drs_cfg=None)
        head.init_weights()
        with torch.no_grad():
            for m in head.modules():
                if isinstance(m, torch.nn.Conv2d):
                    m.weight.abs_()  # no cancellation: every tap reaches
        maps = head(feats)
        assert maps.shape == (1, 2, 9, 9)
        spread[k] = int((maps[0, 0] > 0).sum())
    assert spread == {1: 1, 3: 7 * 7}
    with pytest.raises(ValueError, match='kernel_size'):
        MultiLabelCAMHead(in_channels=4, channels=4, kernel_size=2)


def test_normalize_cams():
    maps = torch.zeros(1, 3, 2, 2)
    maps[0, 0] = torch.tensor([[2., -1.], [1., 0.]])
    maps[0, 1] = torch.tensor([[4., 4.], [0., 2.]])
    maps[0, 2] = torch.tensor([[1., 1.], [1., 1.]])
    cams = normalize_cams(maps, labels=torch.tensor([[1, 1, 0]]))
    torch.testing.assert_close(
        cams[0, 0], torch.tensor([[2., 0.], [1., 0.]]) / (2 + 1e-5))
    torch.testing.assert_close(
        cams[0, 1], torch.tensor([[4., 4.], [0., 2.]]) / (4 + 1e-5))
    assert cams[0, 2].abs().sum() == 0  # absent class zeroed
    up = normalize_cams(maps, size=(4, 4))
    assert up.shape == (1, 3, 4, 4) and up.max() <= 1
