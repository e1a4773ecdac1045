"""GroupGraphNeck: shapes, co-attention messages, group permutations."""
import itertools

import pytest
import torch
from mmseg.registry import MODELS


def _neck(**kw):
    cfg = dict(type='GroupGraphNeck', channels=6, group_size=3)
    cfg.update(kw)
    neck = MODELS.build(cfg)
    neck.init_weights()
    return neck.eval()


def _permute(x, g, perm):
    """Permute the members of every group of a (B * G, ...) batch."""
    return x.view(-1, g, *x.shape[1:])[:, list(perm)].flatten(0, 1)


def test_shapes_and_defaults():
    neck = MODELS.build(dict(type='GroupGraphNeck'))
    assert neck.channels == 20 and neck.group_size == 3
    assert neck.num_rounds == 3
    assert neck.proj_receiver.out_channels == 10  # channels // 2
    assert neck.fusion.in_channels == 40 and neck.fusion.kernel_size == (3, 3)
    assert neck.gate.bias is None and neck.fusion.bias is not None
    assert neck.graph_dropout.drop_rate == 0.8
    assert neck.graph_dropout.drop_threshold == 0.7
    neck.init_weights()
    assert abs(neck.fusion.weight.std().item() - 0.01) < 0.002
    x = torch.randn(6, 20, 5, 7)  # 2 groups of 3
    neck.train()
    h = neck(x)
    assert h.shape == x.shape
    assert neck.logits(h).shape == (6, 20)
    h.sum().backward()
    assert neck.proj_sender.weight.grad.abs().sum() > 0


def test_messages_match_pairwise_co_attention():
    torch.manual_seed(0)
    neck = _neck()
    states = torch.randn(2, 3, 6, 4, 5)
    msg = neck.messages(states)
    assert msg.shape == (2, 3, 3, 6, 4, 5)
    for b, e, q in [(0, 0, 1), (1, 2, 0), (1, 1, 2)]:
        recv = neck.proj_receiver(states[b, e][None])[0].flatten(1)
        send = neck.proj_sender(states[b, q][None])[0].flatten(1)
        weights = (recv.t() @ send).softmax(dim=1)  # P(v | u), rows u
        m = (states[b, q].flatten(1) @ weights.t()).view(6, 4, 5)
        m = m * torch.sigmoid(neck.gate(m[None]))[0]
        torch.testing.assert_close(msg[b, e, q], m, atol=1e-5, rtol=1e-5)


def test_one_round_by_hand():
    torch.manual_seed(1)
    neck = _neck(num_rounds=1, graph_dropout=None)
    x = torch.randn(3, 6, 4, 4)
    msg = neck.messages(x.view(1, 3, 6, 4, 4))[0]
    expected = []
    for e in range(3):
        others = torch.cat([msg[e, q] for q in range(3) if q != e])
        fused = neck.fusion(others[None])
        expected.append(neck.gru(fused, x[e:e + 1]))
    torch.testing.assert_close(neck(x), torch.cat(expected), atol=1e-5,
                               rtol=1e-5)


@pytest.mark.parametrize('group_size', [3, 4])
def test_mean_aggregation_is_permutation_equivariant(group_size):
    torch.manual_seed(2)
    neck = _neck(group_size=group_size, aggregation='mean')
    x = torch.randn(2 * group_size, 6, 4, 5)
    h = neck(x)
    for perm in itertools.permutations(range(group_size)):
        torch.testing.assert_close(
            neck(_permute(x, group_size, perm)),
            _permute(h, group_size, perm), atol=1e-5, rtol=1e-5)


def test_concat_aggregation_depends_on_the_senders_slots():
    torch.manual_seed(3)
    neck = _neck(aggregation='concat')
    with torch.no_grad():
        neck.fusion.weight.normal_(0, 0.5)
    x = torch.randn(3, 6, 4, 5)
    perm = (1, 0, 2)
    h = neck(x)
    # the authors' ordered fusion: swapping two senders changes the result
    assert not torch.allclose(neck(_permute(x, 3, perm)), _permute(h, 3, perm),
                              atol=1e-4)
    # with the same weights for both sender slots it is equivariant
    with torch.no_grad():
        w = neck.fusion.weight
        w[:, 6:] = w[:, :6]
    h = neck(x)
    for perm in itertools.permutations(range(3)):
        torch.testing.assert_close(neck(_permute(x, 3, perm)),
                                   _permute(h, 3, perm), atol=1e-5, rtol=1e-5)


def test_groups_do_not_interact():
    torch.manual_seed(4)
    neck = _neck()
    x = torch.randn(6, 6, 4, 4)
    h = neck(x)
    y = x.clone()
    y[3:] = torch.randn(3, 6, 4, 4)  # change only the second group
    torch.testing.assert_close(neck(y)[:3], h[:3])


def test_bad_input_is_named():
    neck = _neck()
    with pytest.raises(ValueError, match='whole number of groups of 3'):
        neck(torch.randn(4, 6, 4, 4))
    with pytest.raises(ValueError, match='expected 6 channels'):
        neck(torch.randn(3, 5, 4, 4))
    with pytest.raises(ValueError, match='aggregation'):
        MODELS.build(dict(type='GroupGraphNeck', aggregation='max'))
    with pytest.raises(ValueError, match='group_size'):
        MODELS.build(dict(type='GroupGraphNeck', group_size=1))
