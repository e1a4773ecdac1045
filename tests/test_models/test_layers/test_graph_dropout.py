"""GraphDropout: drop rate, threshold and evaluation behaviour."""
import pytest
import torch

from mmdrs.models.layers import GraphDropout


def _drop_and_importance(x, th=0.7):
    att = x.mean(1, keepdim=True)
    peak = att.flatten(1).amax(1).view(-1, 1, 1, 1)
    return (att < th * peak).float(), torch.sigmoid(att)


def test_drop_rate_statistics():
    torch.manual_seed(0)
    layer = GraphDropout(drop_rate=0.8, drop_threshold=0.7).train()
    x = torch.randn(4000, 4, 6, 6)
    out = layer(x)
    drop, imp = _drop_and_importance(x)
    by_drop = torch.isclose(out, (x * drop + x) / 2).flatten(1).all(1)
    by_imp = torch.isclose(out, (x * imp + x) / 2).flatten(1).all(1)
    assert bool((by_drop ^ by_imp).all())  # every node took one branch
    # binomial(4000, 0.8): sd 0.0063
    assert abs(by_drop.float().mean().item() - 0.8) < 0.03
    layer = GraphDropout(drop_rate=0.3).train()
    out = layer(x)
    rate = torch.isclose(out, (x * drop + x) / 2).flatten(1).all(1)
    assert abs(rate.float().mean().item() - 0.3) < 0.03


def test_threshold_halves_exactly_the_most_activated_pixels():
    layer = GraphDropout(drop_rate=1.0, drop_threshold=0.7).train()
    att = torch.tensor([[0.0, 0.5, 0.69], [0.7, 0.9, 1.0]])
    x = att.expand(2, 3, 2, 3).clone()  # channel mean = att
    out = layer(x)
    halved = att >= 0.7
    torch.testing.assert_close(out[:, :, halved], x[:, :, halved] / 2)
    torch.testing.assert_close(out[:, :, ~halved], x[:, :, ~halved])
    layer = GraphDropout(drop_rate=1.0, drop_threshold=0.4).train()
    out = layer(x)
    assert int((out != x).all(1).sum()) == 2 * 5  # 0.5 ... 1.0 dropped


def test_importance_branch():
    layer = GraphDropout(drop_rate=0.0).train()
    x = torch.randn(3, 5, 4, 4)
    _, imp = _drop_and_importance(x)
    torch.testing.assert_close(layer(x), (x * imp + x) / 2)


def test_evaluation_modes():
    torch.manual_seed(1)
    x = torch.randn(2, 4, 5, 5)
    drop, imp = _drop_and_importance(x)
    layer = GraphDropout().eval()  # the expectation of the training draw
    expected = (x * (0.8 * drop + 0.2 * imp) + x) / 2
    torch.testing.assert_close(layer(x), expected)
    torch.testing.assert_close(layer(x), layer(x))
    train = GraphDropout().train()
    mean = torch.stack([train(x) for _ in range(3000)]).mean(0)
    torch.testing.assert_close(mean, expected, atol=0.05, rtol=0)
    assert torch.equal(GraphDropout(eval_mode='identity').eval()(x), x)
    authors = GraphDropout(eval_mode='stochastic').eval()
    outs = {authors(x)[0].sum().item() for _ in range(30)}
    assert len(outs) > 1  # still random in eval, as the authors' layer


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='drop_rate'):
        GraphDropout(drop_rate=1.5)
    with pytest.raises(ValueError, match='drop_threshold'):
        GraphDropout(drop_threshold=-0.1)
    with pytest.raises(ValueError, match='eval_mode'):
        GraphDropout(eval_mode='off')
