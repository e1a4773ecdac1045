"""DenseCRFPostProcessor: TTA averaging and the CRF on a prediction."""
import cv2
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

TINY = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(type='SegDataPreProcessor'),
    backbone=dict(type='VGG16D1', width=0.125, init_cfg=None),
    decode_head=dict(type='DeepLabV2Head', in_channels=64, in_index=0,
                     num_classes=2, dilations=(1, )))


def _sample(logits, path='x.png'):
    ds = SegDataSample(metainfo=dict(img_path=path))
    ds.seg_logits = PixelData(data=logits)
    return ds


def test_tta_predictions_are_averaged_as_probabilities():
    m = MODELS.build(dict(type='DenseCRFPostProcessor', module=TINY))
    a = torch.tensor([[[2.0]], [[0.0]]])
    b = torch.tensor([[[0.0]], [[1.0]]])
    merged = m.merge_preds([[_sample(a), _sample(b)]])[0]
    avg = (a.softmax(0) + b.softmax(0)) / 2
    torch.testing.assert_close(merged.seg_logits.data.exp(), avg)
    assert merged.pred_sem_seg.data.item() == int(avg.argmax())


def test_crf_follows_image_edges(tmp_path):
    pytest.importorskip('pydensecrf')
    # left half black, right half white; the prediction leans to class 1
    # on the left 3 columns too (a blurry boundary); the CRF snaps it back
    img = np.zeros((16, 16, 3), np.uint8)
    img[:, 8:] = 255
    cv2.imwrite(str(tmp_path / 'im.png'), img)
    logits = torch.zeros(2, 16, 16)
    logits[1, :, 5:] = 0.4
    logits[0, :, :5] = 2.0
    m = MODELS.build(
        dict(type='DenseCRFPostProcessor', module=TINY,
             crf=dict(bilateral_srgb=10, bilateral_sxy=20)))
    out = m._refine(_sample(logits, str(tmp_path / 'im.png')))
    pred = out.pred_sem_seg.data[0]
    assert (pred[:, :8] == 0).all() and (pred[:, 8:] == 1).all()
    assert (logits.argmax(0)[:, 5:8] == 1).all()  # before: wrong there
    q = out.seg_logits.data
    torch.testing.assert_close(q.sum(0), torch.ones(16, 16))
    with pytest.raises(ValueError, match='original size'):
        m._refine(_sample(torch.zeros(2, 8, 8), str(tmp_path / 'im.png')))
