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


def _authors_maps(m, x, ori, scales, normalize=True):
    """The DRS authors' inference, image by image: each scale's class maps
    ReLU'd, upsampled straight to the output size (align_corners=True),
    divided by max + 1e-5 (CAMs, cam_normalize) - or, for refined maps,
    upsampled raw - and max-fused starting from zeros."""
    F = torch.nn.functional
    out = torch.zeros(x.shape[0], m.num_classes, *ori)
    with torch.no_grad():
        for s in scales:
            xs = F.interpolate(x, (s, s), mode='bilinear', align_corners=False)
            maps = m.class_maps(xs)
            if normalize:
                maps = F.interpolate(maps.relu(), ori, mode='bilinear',
                                     align_corners=True)
                maps = maps / (maps.amax((2, 3), keepdim=True) + 1e-5)
            else:
                maps = F.interpolate(maps, ori, mode='bilinear',
                                     align_corners=True)
            out = torch.maximum(out, maps)
    return out


def test_predict_upsamples_each_pass_straight_to_the_output_size():
    torch.manual_seed(1)
    m = _model(bg_score=0.2, scales=(24, 32, 40))
    x = torch.randn(2, 3, 32, 32)
    labels = [[1, 0, 0, 1], [0, 0, 0, 1]]
    out = m.predict(x, _samples(2, labels))
    ref = _authors_maps(m, x, (40, 40), (24, 32, 40))
    for i, o in enumerate(out):
        seg = o.seg_logits.data
        assert seg.shape == (5, 40, 40)
        keep = torch.tensor(labels[i]).bool()
        torch.testing.assert_close(seg[1:][keep], ref[i][keep],
                                   atol=1e-5, rtol=1e-5)
        assert seg[1:][~keep].abs().sum() == 0
        expected = torch.cat([torch.full((1, 40, 40), 0.2),
                              ref[i] * keep[:, None, None]]).argmax(0)
        assert torch.equal(o.pred_sem_seg.data[0], expected)


def test_predict_raw_maps_and_fixed_out_size():
    torch.manual_seed(2)
    m = _model(scales=(32, ), normalize=False, out_size=(20, 24))
    x = torch.randn(1, 3, 32, 32)
    out = m.predict(x, _samples(1, [[0, 1, 1, 0]]))
    seg = out[0].seg_logits.data
    assert seg.shape == (5, 20, 24)
    ref = _authors_maps(m, x, (20, 24), (32, ), normalize=False)[0]
    torch.testing.assert_close(seg[2:4], ref[1:3], atol=1e-5, rtol=1e-5)
    assert seg[2:4].max() > 1 or seg[2:4].max() < 0.999  # not normalised


def test_batch_padding_is_cropped_at_output_scale():
    m = _model()
    # a pass over a 16x32 input whose right half is padding; the image is
    # 8x8 originally: its maps are the left half of the 8x16 canvas
    raw = torch.rand(1, 4, 4, 8)
    meta = dict(ori_shape=(8, 8), padding_size=[0, 16, 0, 0])
    keep = torch.tensor([0, 2])
    got = m._image_cams([raw], 0, keep, meta, (16, 32))
    canvas = torch.nn.functional.interpolate(
        raw[:, keep], (8, 16), mode='bilinear', align_corners=True)
    ref = canvas / (canvas.amax((2, 3), keepdim=True) + 1e-5)
    torch.testing.assert_close(got, ref[0, :, :, :8])
