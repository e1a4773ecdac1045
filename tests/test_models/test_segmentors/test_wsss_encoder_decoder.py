"""WSSSEncoderDecoder: mmseg's EncoderDecoder plus MSC and extra losses."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmdrs.models import WSSSEncoderDecoder, valid_region_mask

NUM_CLASSES = 4


def _cfg(**kw):
    return dict(
        type='WSSSEncoderDecoder',
        data_preprocessor=dict(
            type='SegDataPreProcessor', mean=[100., 110., 120.],
            std=[50., 60., 70.], bgr_to_rgb=False),
        backbone=dict(type='VGG16D1', width=0.125, init_cfg=None),
        decode_head=dict(
            type='DeepLabV2Head', in_channels=64, in_index=0,
            num_classes=NUM_CLASSES, dilations=(1, 2),
            loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0)),
        **kw)


def _model(**kw):
    torch.manual_seed(0)
    m = MODELS.build(_cfg(**kw))
    m.init_weights()
    return m


def _samples(n=2, size=(32, 32), seed=0):
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        ds = SegDataSample(metainfo=dict(img_shape=size, pad_shape=size,
                                         padding_size=[0, 0, 0, 0]))
        lab = torch.randint(0, NUM_CLASSES, (1, *size), generator=g)
        lab[:, :4] = 255
        ds.gt_sem_seg = PixelData(data=lab)
        ds.gt_img_labels = torch.tensor([1, 0, 1], dtype=torch.uint8)
        out.append(ds)
    return out


def test_without_options_it_is_mmseg_encoder_decoder():
    m = _model()
    cfg = _cfg()
    cfg['type'] = 'EncoderDecoder'
    torch.manual_seed(0)
    ref = MODELS.build(cfg)
    ref.load_state_dict(m.state_dict())
    x = torch.randn(2, 3, 32, 32)
    a, b = m.loss(x, _samples()), ref.loss(x, _samples())
    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(a[k], b[k])
    m.eval(), ref.eval()
    meta = [dict(img_shape=(32, 32), pad_shape=(32, 32))] * 2
    torch.testing.assert_close(
        m.encode_decode(x, meta), ref.encode_decode(x, meta))


def test_msc_training_losses_against_nearest_labels():
    """Scales 1, 0.5 and their max; each output's CE against labels resized
    to it by nearest neighbour (pixel centres), as the DRS authors."""
    m = _model(train_scales=(0.5, ), loss_resolution='logits')
    x = torch.randn(2, 3, 32, 32)
    samples = _samples()
    losses = m.loss(x, samples)
    assert {'decode.loss_ce', 'decode_s0.5.loss_ce',
            'decode_max.loss_ce'} <= set(losses)
    with torch.no_grad():
        full = m.decode_head(m.extract_feat(x))  # 4x4
        half = m.decode_head(m.extract_feat(F.interpolate(
            x, scale_factor=0.5, mode='bilinear', align_corners=False)))
        fused = torch.maximum(full, F.interpolate(
            half, size=full.shape[-2:], mode='bilinear', align_corners=False))
        labels = torch.stack([s.gt_sem_seg.data[0] for s in samples])
        for key, out in (('decode', full), ('decode_s0.5', half),
                         ('decode_max', fused)):
            h, w = out.shape[-2:]
            # PIL-style nearest: the source pixel under each target centre
            ys = ((torch.arange(h) + 0.5) * 32 / h).long()
            xs = ((torch.arange(w) + 0.5) * 32 / w).long()
            lab = labels[:, ys][:, :, xs]
            ref = F.cross_entropy(out, lab, ignore_index=255)
            torch.testing.assert_close(losses[f'{key}.loss_ce'], ref)


def test_msc_inference_is_the_max_over_scales():
    m = _model(test_scales=(0.5, 0.75)).eval()
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        outs = [m.decode_head(m.extract_feat(x))]
        for s in (0.5, 0.75):
            outs.append(m.decode_head(m.extract_feat(F.interpolate(
                x, scale_factor=s, mode='bilinear', align_corners=False))))
        fused = torch.stack([outs[0]] + [
            F.interpolate(o, size=outs[0].shape[-2:], mode='bilinear',
                          align_corners=False) for o in outs[1:]]).amax(0)
        ref = F.interpolate(fused, size=(32, 32), mode='bilinear',
                            align_corners=False)
        got = m.encode_decode(x, [dict(img_shape=(32, 32),
                                       pad_shape=(32, 32))])
    torch.testing.assert_close(got, ref)


@MODELS.register_module(force=True)
class _RecordingLoss(nn.Module):
    """An extra loss that keeps what the segmentor passes it."""

    loss_name = 'loss_rec'

    def forward(self, seg_logits, seg_label, data_samples, images=None,
                valid_mask=None, **kwargs):
        self.seen = dict(logits=seg_logits, label=seg_label, images=images,
                         valid=valid_mask)
        return seg_logits.sum() * 0


def test_extra_losses_get_image_tags_pixels_and_padding():
    m = _model(extra_losses=[dict(type='_RecordingLoss')])
    samples = _samples(1)
    # the right 8 columns are batch padding (mmseg's padding_size: l r t b)
    samples[0].set_metainfo(dict(padding_size=[0, 8, 0, 0]))
    raw = torch.rand(1, 3, 32, 32) * 255
    x = (raw - m.data_preprocessor.mean) / m.data_preprocessor.std
    losses = m.loss(x, samples)
    assert 'decode.loss_rec' in losses
    seen = m.extra_losses[0].seen
    assert seen['logits'].shape == (1, NUM_CLASSES, 32, 32)  # label size
    torch.testing.assert_close(seen['images'], raw)  # pixel values back
    assert seen['valid'][0, :, :24].all() and not seen['valid'][0, :,
                                                                24:].any()
    assert torch.equal(seen['label'], samples[0].gt_sem_seg.data)


def test_ocr_at_logit_resolution():
    """OCR's default resolution: the decoder's 4x4 output, padding mask at
    that size; the decode cross-entropy stays mmseg's (at the labels)."""
    ocr = dict(type='OutOfCandidateLoss', pixels='all')
    m = _model(extra_losses=[ocr])
    cfg = _cfg()
    cfg['type'] = 'EncoderDecoder'
    ref = MODELS.build(cfg)
    ref.load_state_dict(m.state_dict(), strict=False)
    samples = _samples()
    samples[1].set_metainfo(dict(padding_size=[0, 16, 0, 0]))
    x = torch.randn(2, 3, 32, 32)
    losses, plain = m.loss(x, samples), ref.loss(x, samples)
    for k in plain:
        torch.testing.assert_close(losses[k], plain[k])
    with torch.no_grad():
        logits = m.decode_head(m.extract_feat(x))
    assert logits.shape[-2:] == (4, 4)
    per_pixel = m.extra_losses[0].pixel_losses(
        logits, torch.tensor([[1, 1, 0, 1]] * 2))
    # image 1: its right half (2 of 4 columns) is padding
    expected = (per_pixel[0].sum() + per_pixel[1, :, :2].sum()) / 24
    torch.testing.assert_close(losses['decode.loss_ocr'], expected)


def test_ocr_values_agree_where_logits_are_at_label_size():
    x = torch.randn(2, 3, 32, 32)
    samples = _samples()
    samples[0].set_metainfo(dict(padding_size=[0, 0, 0, 8]))
    logits = torch.randn(2, NUM_CLASSES, 32, 32, requires_grad=True)
    got = {}
    for res in ('logits', 'labels'):
        ocr = dict(type='OutOfCandidateLoss', resolution=res)
        m = _model(extra_losses=[ocr])
        got[res] = m._output_losses(logits, samples, x)['loss_ocr']
    assert got['logits'] > 0
    torch.testing.assert_close(got['logits'], got['labels'])


def test_valid_region_mask_scales_padding():
    ds = SegDataSample(metainfo=dict(padding_size=[0, 16, 8, 0]))
    mask = valid_region_mask([ds], (32, 64), (4, 8))
    expected = torch.zeros(4, 8, dtype=torch.bool)
    expected[1:, :6] = True
    assert torch.equal(mask[0], expected)


def test_bad_options_are_named():
    with pytest.raises(ValueError, match='loss_resolution'):
        _model(loss_resolution='pixels')
    with pytest.raises(TypeError, match='loss_name'):
        _model(extra_losses=[dict(type='mmseg.CrossEntropyLoss',
                                  loss_name=None)])
    assert isinstance(_model(), WSSSEncoderDecoder)
