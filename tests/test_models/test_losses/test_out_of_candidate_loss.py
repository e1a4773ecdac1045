"""OutOfCandidateLoss on hand-made logits: values, gradients, variants."""
import math

import pytest
import torch
from mmseg.structures import SegDataSample

from mmdrs.models.losses import OutOfCandidateLoss


def _sample(tags):
    ds = SegDataSample(metainfo=dict(img_path='a.jpg'))
    ds.gt_img_labels = torch.tensor(tags, dtype=torch.uint8)
    return ds


# 4 classes (bg, c1, c2, c3), logits[0, class, 0, pixel]; the image is
# tagged with c1: candidates {bg, c1}, out of candidate {c2, c3}.
#   p0: bg 0.0, c1 3.0, c2 1.0, c3 -2.0  -> c1 wins (in candidate)
#   p1: bg 1.0, c1 0.5, c2 2.5, c3 0.0   -> c2 wins (OC)
#   p2: bg 2.0, c1 -1.0, c2 0.0, c3 1.5  -> bg wins, c3 0.5 behind
LOGITS = torch.tensor([[[[0.0, 1.0, 2.0]], [[3.0, 0.5, -1.0]],
                        [[1.0, 2.5, 0.0]], [[-2.0, 0.0, 1.5]]]])


def sp(x):
    return math.log1p(math.exp(x))


@pytest.mark.parametrize('variant', [
    dict(ic_mode='top1'),
    dict(ic_mode='all', oc_topk=0),
    dict(ic_mode='above_background'),
])
def test_zero_when_every_argmax_is_a_candidate(variant):
    logits = LOGITS.clone()
    logits[0, 2, 0, 1] = -5.0  # p1 now predicts c1: nothing OC left
    loss = OutOfCandidateLoss(**variant)
    assert loss(logits, None, [_sample([1, 0, 0])]).item() == 0.0


def test_top1_value_and_gradient_by_hand():
    logits = LOGITS.clone().requires_grad_(True)
    value = OutOfCandidateLoss()(logits, None, [_sample([1, 0, 0])])
    # only p1 is OC: top OC 2.5 (c2) vs top IC 1.0 (bg); mean over 3 px
    assert value.item() == pytest.approx(sp(2.5 - 1.0) / 3, rel=1e-6)
    value.backward()
    g = logits.grad[0, :, 0, 1]
    s = 1 / (1 + math.exp(-(2.5 - 1.0))) / 3
    # the OC logit is pushed down, the top candidate up
    torch.testing.assert_close(g, torch.tensor([-s, 0.0, s, 0.0]))
    assert logits.grad[0, :, 0, 0].abs().sum() == 0  # p0: in candidate


def test_pairwise_all_and_margin():
    # every IC x every OC pair at p1: log(1 + sum exp(s_o - s_i))
    value = OutOfCandidateLoss(ic_mode='all', oc_topk=0, margin=0.6)(
        LOGITS, None, [_sample([1, 0, 0])])
    s = LOGITS[0, :, 0]
    per_px = []
    for p in range(3):
        ic, oc = s[[0, 1], p], s[[2, 3], p]
        active = oc.max() + 0.6 > ic.max()
        terms = sum(math.exp(o - i + 0.6) for o in oc for i in ic)
        per_px.append(math.log1p(terms) if active else 0.0)
    assert value.item() == pytest.approx(sum(per_px) / 3, rel=1e-5)
    # the margin makes p2 (c3 within 0.5 of bg) count, p0 (2.0 apart) not
    assert per_px[2] > 0 and per_px[0] == 0


def test_adaptive_ic_subset_keeps_candidates_above_background():
    loss = OutOfCandidateLoss(ic_mode='above_background', pixels='all')
    tags = torch.tensor([[1, 1, 0, 0]])
    # p1: c1 (0.5) is below bg (1.0): IC' = {bg}; top OC c2 = 2.5
    per = loss.pixel_losses(LOGITS, tags)
    assert per[0, 0, 1].item() == pytest.approx(sp(2.5 - 1.0), rel=1e-6)
    # p0: c1 (3.0) >= bg (0.0): IC' = {bg, c1}; OC top c2 = 1.0
    ref = math.log1p(math.exp(1.0 - 0.0) + math.exp(1.0 - 3.0))
    assert per[0, 0, 0].item() == pytest.approx(ref, rel=1e-6)


def test_prototype_all_pixels_is_positive_everywhere():
    per = OutOfCandidateLoss(pixels='all').pixel_losses(
        LOGITS, torch.tensor([[1, 1, 0, 0]]))
    assert (per > 0).all()


def test_padding_and_ignored_pixels_are_left_out():
    tags = [_sample([1, 0, 0])]
    full = OutOfCandidateLoss()(LOGITS, None, tags)
    valid = torch.tensor([[[True, False, True]]])  # p1 is padding
    assert OutOfCandidateLoss()(LOGITS, None, tags,
                                valid_mask=valid).item() == 0.0
    label = torch.tensor([[[0, 255, 1]]])
    skip = OutOfCandidateLoss(skip_ignored=True)(LOGITS, label, tags)
    assert skip.item() == 0.0 and full.item() > 0
    assert OutOfCandidateLoss()(LOGITS, label, tags).item() == \
        pytest.approx(full.item())


def test_all_classes_tagged_means_no_oc_and_untagged_image():
    assert OutOfCandidateLoss(pixels='all')(
        LOGITS, None, [_sample([1, 1, 1])]).item() == 0.0
    # an image with no tag at all: every foreground class is OC; p0 and p1
    # predict one, p2 predicts background
    per = OutOfCandidateLoss().pixel_losses(LOGITS,
                                            torch.tensor([[1, 0, 0, 0]]))
    assert per[0, 0, 0] > 0 and per[0, 0, 1] > 0 and per[0, 0, 2] == 0


def test_tags_must_be_there_and_options_checked():
    with pytest.raises(KeyError, match='a.jpg'):
        OutOfCandidateLoss()(LOGITS, None,
                             [SegDataSample(metainfo=dict(img_path='a.jpg'))])
    for bad in (dict(ic_mode='top2'), dict(pixels='some'),
                dict(oc_topk=-1), dict(resolution='input')):
        with pytest.raises(ValueError, match=list(bad)[0]):
            OutOfCandidateLoss(**bad)
    assert OutOfCandidateLoss().resolution == 'logits'
