"""GroupCAMClassifier: loss weighting, test-time graph, Runner training and
the online map accumulation hook."""
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmdrs.engine import OnlineMapAccumulationHook


def _model(drs=False, **kw):
    backbone = dict(type='VGG16D1', width=0.125, init_cfg=None)
    if drs:
        backbone = dict(type='DRSBackbone', backbone=backbone,
                        drs_cfg=dict(delta=0.55))
    cfg = dict(
        type='GroupCAMClassifier',
        data_preprocessor=dict(type='SegDataPreProcessor'),
        backbone=backbone,
        cam_head=dict(type='MultiLabelCAMHead', in_channels=64, channels=16,
                      num_classes=4,
                      drs_cfg=dict(delta=0.55) if drs else None),
        neck=dict(type='GroupGraphNeck', group_size=3))
    cfg.update(kw)
    m = MODELS.build(cfg)
    m.init_weights()
    return m


def _samples(labels, shape=(32, 32), group_size=3):
    out = []
    for i, lab in enumerate(labels):
        ds = SegDataSample(metainfo=dict(
            ori_shape=shape, img_shape=(32, 32), pad_shape=(32, 32),
            img_path=f'/x/img{i}.jpg', group_size=group_size,
            group_index=i // group_size, group_member=i % group_size))
        ds.gt_img_labels = torch.tensor(lab, dtype=torch.uint8)
        out.append(ds)
    return out


@pytest.mark.parametrize('drs', [False, True])
def test_loss_weights_pre_and_post_graph_as_the_authors(drs):
    torch.manual_seed(0)
    m = _model(drs=drs).train()
    x = torch.randn(3, 3, 32, 32)
    labels = [[1, 0, 0, 1], [1, 0, 0, 1], [1, 0, 0, 1]]
    torch.manual_seed(1)
    losses = m.loss(x, _samples(labels))
    # the same forward again, with the same graph-dropout draws
    torch.manual_seed(1)
    cams, h = m.group_forward(x)
    y = torch.tensor(labels, dtype=torch.float)
    pre = [F.multilabel_soft_margin_loss(cams[i].mean((1, 2))[None],
                                         y[i:i + 1]) for i in range(3)]
    post = [F.multilabel_soft_margin_loss(h[i].mean((1, 2))[None], y[i:i + 1])
            for i in range(3)]
    authors = (0.4 * sum(pre) + sum(post)) / 6  # train.py of the authors
    total = losses['loss_cls_pre'] + losses['loss_cls_post']
    torch.testing.assert_close(total, authors)
    torch.testing.assert_close(losses['loss_cls_pre'], 0.4 * sum(pre) / 6)
    total.backward()
    assert m.neck.fusion.weight.grad.abs().sum() > 0
    assert m.cam_head.classifier.weight.grad.abs().sum() > 0
    if drs:
        assert m.backbone.drs_modules()


def test_other_weights_and_batch_of_groups():
    torch.manual_seed(0)
    m = _model(pre_graph_weight=0.0, post_graph_weight=2.0).train()
    losses = m.loss(torch.randn(6, 3, 32, 32), _samples([[0, 1, 0, 0]] * 6))
    assert losses['loss_cls_pre'] == 0
    assert losses['loss_cls_post'] > 0


def test_batches_that_split_groups_are_refused():
    m = _model().train()
    with pytest.raises(ValueError, match='LabelGroupSampler'):
        m.loss(torch.randn(4, 3, 32, 32), _samples([[1, 0, 0, 0]] * 4))
    with pytest.raises(ValueError, match='groups of 2'):
        m.loss(torch.randn(4, 3, 32, 32),
               _samples([[1, 0, 0, 0]] * 4, group_size=2))
    with pytest.raises(ValueError, match='neck.channels'):
        _model(neck=dict(type='GroupGraphNeck', channels=5))
    with pytest.raises(ValueError, match='test_cfg.graph'):
        _model(test_cfg=dict(graph='group'))


def test_single_image_maps_at_test_time():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 32, 32)
    m = _model(test_cfg=dict(graph='none')).eval()
    with torch.no_grad():
        raw = m.cam_head(m.backbone(x))
        torch.testing.assert_close(m.class_maps(x), raw)
        m.test_cfg['graph'] = 'self'
        h = m.neck(raw.repeat_interleave(3, 0))
        torch.testing.assert_close(h[0::3], h[1::3])  # identical copies
        torch.testing.assert_close(m.class_maps(x), (h[0::3] + raw) / 2)
        torch.testing.assert_close(m.class_maps(x), m.class_maps(x))
    out = m.predict(x, _samples([[1, 0, 0, 1], [0, 1, 0, 0]],
                                shape=(40, 40), group_size=1))
    assert out[0].seg_logits.data.shape == (5, 40, 40)
    assert set(out[1].pred_sem_seg.data.unique().tolist()) <= {0, 2}


def test_accumulation_rules():
    hook = OnlineMapAccumulationHook(prob_threshold=0.1)
    samples = _samples([[1, 0, 0, 1]] * 3, shape=(32, 32))
    maps = torch.zeros(3, 4, 2, 2)
    maps[0, 0] = torch.tensor([[1.0, 0.5], [0.0, -1.0]])
    maps[0, 3] = torch.tensor([[0.0, 2.0], [0.0, 0.0]])
    logits = torch.tensor([[3.0, 0, 0, -5.0]] * 3)  # class 3: p < 0.1
    hook.accumulate(maps, logits, samples, last_epoch=False)
    assert list(hook.maps) == ['img0']  # anchors only
    got = hook.maps['img0'][2]
    assert list(got) == [0]  # class 3 not confident: no map yet
    np.testing.assert_array_equal(got[0], [[255, 128], [0, 0]])
    maps2 = maps.clone()
    maps2[0, 0] = torch.tensor([[0.2, 1.0], [1.0, 0.0]])
    hook.accumulate(maps2, logits, samples, last_epoch=False)
    np.testing.assert_array_equal(got[0], [[255, 255], [255, 0]])  # max
    # the last epoch writes a missing map whatever its probability ...
    hook.accumulate(maps, logits, samples, last_epoch=True)
    np.testing.assert_array_equal(hook.maps['img0'][2][3],
                                  [[0, 255], [0, 0]])
    # ... but does not merge an existing one below the threshold
    maps3 = maps.clone()
    maps3[0, 3] = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    hook.accumulate(maps3, logits, samples, last_epoch=True)
    np.testing.assert_array_equal(hook.maps['img0'][2][3],
                                  [[0, 255], [0, 0]])


TINY_GROUP_CFG = '''
_base_ = ['{repo}/configs/group_wsss/toy_group_cls.py']
data_root = '{data_root}'
model = dict(data_preprocessor=dict(size=(64, 64)),
             cam_head=dict(channels=32))
pipeline = [
    dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='PackImageLabelInputs')]
one = dict(
    type='VOCImageLabelDataset', data_root=data_root,
    data_prefix=dict(img_path='JPEGImages',
                     seg_map_path='SegmentationClassAug'),
    ann_file='ImageSets/Segmentation/train.txt', pipeline=pipeline)
train_dataloader = dict(
    batch_size=6, sampler=dict(anchor_ratio=1.0),
    dataset=dict(datasets=[one]))
val_dataloader = dict(
    batch_size=4, dataset=dict(data_root=data_root, pipeline=pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=2, val_interval=2)
default_hooks = dict(logger=dict(interval=4), checkpoint=dict(interval=2))
custom_hooks = [dict(type='OnlineMapAccumulationHook', start_epoch=1)]
map_cfg = dict(scales=None)
randomness = dict(seed=0)
'''


def test_runner_trains_groups_and_accumulates_maps(toy_voc, repo_root,
                                                   tmp_path, score_maps):
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmdrs.apis import evaluate_maps
    from mmdrs.datasets import read_split
    from mmdrs.fileio import load_cam_maps
    path = tmp_path / 'tiny_group.py'
    path.write_text(TINY_GROUP_CFG.format(repo=repo_root, data_root=toy_voc))
    cfg = Config.fromfile(str(path))
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    model = runner.model
    before = model.neck.fusion.weight.detach().clone()
    runner.train()
    assert not torch.equal(before, model.neck.fusion.weight)
    assert runner.iter == 2 * 12  # 24 anchors x 3 images / 6, 2 epochs
    metrics = runner.message_hub.log_scalars
    assert 'train/loss_cls_pre' in metrics
    assert 'train/loss_cls_post' in metrics
    assert 'val/cam/mIoU' in metrics  # validation through the graph
    out = osp.join(cfg.work_dir, 'accumulated_maps')
    ids = read_split(toy_voc, 'train')
    # every image was an anchor in the last epoch: all have maps
    for i in ids[:5]:
        res = load_cam_maps(osp.join(out, f'{i}.npz'))
        assert res['maps'].shape[1:] == (64, 64)  # the original image size
        assert len(res['labels']) >= 1
    res = evaluate_maps(out, toy_voc, 'train')
    # the accumulated maps score as computed independently from the files
    want = score_maps(out, toy_voc, 'train')
    assert res['num_images'] == 24
    assert res['mIoU'] == pytest.approx(max(want.values()), abs=0.005)
