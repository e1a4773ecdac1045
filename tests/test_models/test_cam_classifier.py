import torch
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmdrs.models import normalize_cams


def _model(**test_cfg):
    m = MODELS.build(
        dict(
            type='CAMClassifier',
            data_preprocessor=dict(type='SegDataPreProcessor'),
            backbone=dict(
                type='DRSBackbone',
                backbone=dict(type='VGG16D1', width=0.125, init_cfg=None),
                drs_cfg=dict(delta=0.55)),
            cam_head=dict(
                type='MultiLabelCAMHead', in_channels=64, channels=16,
                num_classes=4, drs_cfg=dict(delta=0.55)),
            test_cfg=test_cfg))
    m.init_weights()
    return m.eval()


def _samples(n, labels, shape=(40, 40)):
    out = []
    for i in range(n):
        ds = SegDataSample(metainfo=dict(
            ori_shape=shape, img_shape=(32, 32), pad_shape=(32, 32)))
        ds.gt_img_labels = torch.tensor(labels[i], dtype=torch.uint8)
        out.append(ds)
    return out


def test_predict_cams_at_original_size_with_gt_labels():
    torch.manual_seed(0)
    m = _model(bg_score=0.3)
    x = torch.randn(2, 3, 32, 32)
    out = m.predict(x, _samples(2, [[1, 0, 0, 1], [0, 1, 0, 0]]))
    seg = out[0].seg_logits.data
    assert seg.shape == (5, 40, 40)
    torch.testing.assert_close(seg[0], torch.full((40, 40), 0.3))  # bg
    assert seg[2].abs().sum() == 0 and seg[3].abs().sum() == 0  # absent
    assert out[0].pred_sem_seg.data.shape == (1, 40, 40)
    assert set(out[1].pred_sem_seg.data.unique().tolist()) <= {0, 2}
    assert out[0].pred_img_logits.shape == (4, )


def test_multiscale_flip_is_max_of_separately_normalised_passes():
    torch.manual_seed(0)
    m = _model(scales=(24, 32, 40), flip=True)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        fused, logits = m.multiscale_cams(x)
        expected, all_logits = None, []
        for s in (24, 32, 40):  # the naive loop: one pass per scale/flip
            xs = torch.nn.functional.interpolate(
                x, (s, s), mode='bilinear', align_corners=False)
            for flip in (False, True):
                maps = m.class_maps(xs.flip(-1) if flip else xs)
                maps = maps.flip(-1) if flip else maps
                all_logits.append(maps.mean((2, 3)))
                c = normalize_cams(maps, (32, 32))
                expected = c if expected is None else torch.maximum(
                    expected, c)
    torch.testing.assert_close(fused, expected, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(logits, torch.stack(all_logits).mean(0))
    assert fused.shape == (2, 4, 32, 32) and fused.max() <= 1


def test_loss_mode():
    m = _model().train()
    x = torch.randn(2, 3, 32, 32)
    losses = m.loss(x, _samples(2, [[1, 0, 0, 1], [0, 1, 0, 0]]))
    assert losses['loss_cls'] > 0
    losses['loss_cls'].backward()


def test_predict_resizing_only_present_classes_matches_full_resize():
    torch.manual_seed(1)
    m = _model(bg_score=0.2)
    x = torch.randn(2, 3, 32, 32)
    samples = _samples(2, [[1, 0, 0, 1], [0, 0, 0, 1]])
    out = m.predict(x, samples)
    # reference: mmseg's postprocess of all channels
    from mmdrs.models import cams_to_seg_logits
    with torch.no_grad():
        cams, _ = m.multiscale_cams(x)
    labels = torch.tensor([[1, 0, 0, 1], [0, 0, 0, 1]]).float()
    ref = m.postprocess_result(
        cams_to_seg_logits(cams * labels[:, :, None, None], 0.2),
        _samples(2, [[1, 0, 0, 1], [0, 0, 0, 1]]))
    for o, r in zip(out, ref):
        torch.testing.assert_close(o.seg_logits.data, r.seg_logits.data)
        assert torch.equal(o.pred_sem_seg.data, r.pred_sem_seg.data)
