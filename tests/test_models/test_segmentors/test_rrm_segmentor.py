"""RRMSegmentor: unit checks and a few real Runner iterations on toy data."""
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

pytest.importorskip('pydensecrf.densecrf')


def _model(**kw):
    cfg = dict(
        type='RRMSegmentor',
        data_preprocessor=dict(type='SegDataPreProcessor', mean=[120.] * 3,
                               std=[60.] * 3, bgr_to_rgb=False),
        backbone=dict(type='VGG16D1', width=0.125, init_cfg=None),
        cam_head=dict(type='MultiLabelCAMHead', in_channels=64,
                      num_classes=3, num_convs=0, drs_cfg=None,
                      classifier_bias=False),
        decode_head=dict(type='RRMHead', in_channels=64, channels=16,
                         dilation=2, num_classes=4,
                         loss_decode=dict(type='BgFgBalancedCELoss')),
        labeler=dict(type='ReliableRegionLabeler'),
        extra_losses=[dict(type='DenseEnergyLoss', sigma_xy=20,
                           loss_weight=1e-4)])
    cfg.update(kw)
    torch.manual_seed(0)
    m = MODELS.build(cfg)
    m.init_weights()
    return m


def _samples(n=2, size=(32, 32), pad_right=0):
    out = []
    for i in range(n):
        ds = SegDataSample(metainfo=dict(
            img_shape=(size[0], size[1] - pad_right), pad_shape=size,
            padding_size=[0, pad_right, 0, 0]))
        # ground truth that must never be used: all class 3
        ds.gt_sem_seg = PixelData(data=torch.full((1, *size), 3))
        ds.gt_img_labels = torch.tensor([1, 0, i % 2], dtype=torch.uint8)
        out.append(ds)
    return out


def test_losses_and_reliable_labels():
    m = _model()
    x = torch.randn(2, 3, 32, 32)
    samples = _samples(pad_right=8)
    losses = m.loss(x, samples)
    assert {'loss_cls', 'decode.loss_ce', 'decode.loss_dense',
            'reliable_pct'} <= set(losses)
    assert losses['decode.loss_dense'] < 0  # an energy
    cam = torch.relu(m.cam_head(m.extract_feat(x)[-1]))
    tags = torch.stack([s.gt_img_labels for s in samples]).float()
    label = m.reliable_labels(x, cam, tags, samples)
    assert label.shape == (2, 32, 32)
    assert (label[:, :, -8:] == 255).all()  # padding is never labelled
    # only background and the image's own classes (never the GT's 3)
    assert set(label[0].unique().tolist()) <= {0, 1, 255}
    assert set(label[1].unique().tolist()) <= {0, 1, 3, 255}


@pytest.mark.parametrize('dense', [True, False])
def test_no_mask_pixel_reaches_a_loss(dense):
    """The pipeline loads the masks (for the image tags): the losses must
    be the same whatever they hold - the segmentation branch learns from
    the reliable labels only (the decode cross-entropy once read the masks
    through mmseg's loss_by_feat), with or without the dense loss."""
    m = _model() if dense else _model(extra_losses=[])
    m.train()
    x = torch.randn(2, 3, 32, 32)

    def losses(gt_class):
        samples = _samples(pad_right=8)
        for ds in samples:
            ds.gt_sem_seg = PixelData(
                data=torch.full_like(ds.gt_sem_seg.data, gt_class))
        torch.manual_seed(0)  # the classifier's dropout
        return m.loss(x, samples), samples

    a, samples = losses(3)
    b, _ = losses(0)
    keys = ['decode.loss_ce', 'decode.acc_seg'] + (
        ['decode.loss_dense'] if dense else [])
    assert set(keys) <= set(a)
    for key in keys:
        torch.testing.assert_close(a[key], b[key], msg=key)
    # the samples now hold the reliable labels: padding ignored, no GT 3
    # in the first image (tags: class 1 only)
    assert (samples[0].gt_sem_seg.data[..., -8:] == 255).all()
    assert 3 not in samples[0].gt_sem_seg.data.unique().tolist()


def test_multiscale_cam_is_the_mean_over_scales():
    m = _model(cam_scales=(0.5, ))
    m.eval()
    x = torch.randn(1, 3, 32, 32)
    cam = m._cam(m.extract_feat(x))
    small = m._cam(m.extract_feat(torch.nn.functional.interpolate(
        x, size=(16, 16), mode='bilinear', align_corners=False)))
    small = torch.nn.functional.interpolate(small, size=cam.shape[-2:],
                                            mode='bilinear',
                                            align_corners=False)
    torch.testing.assert_close(m.multiscale_cam(x, cam), (cam + small) / 2)


def test_class_count_mismatch_is_named():
    with pytest.raises(ValueError, match='num_classes'):
        _model(decode_head=dict(type='RRMHead', in_channels=64, channels=8,
                                num_classes=3))


TINY = '''
_base_ = ['{repo}/configs/rrm/toy_rrm_efficientnet-lite0.py']
data_root = '{data_root}'
crop = (48, 48)
model = dict(data_preprocessor=dict(size=crop), cls_only_iters=2)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),  # the tags come from the masks
    dict(type='LoadImageLabels'),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomCrop', crop_size=crop),
    dict(type='PackImageLabelInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(48, 48), keep_ratio=False),
    dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),
    dict(type='PackImageLabelInputs'),
]
train_dataloader = dict(
    batch_size=4,
    dataset=dict(datasets=[dict(
        type='VOCImageLabelDataset', data_root=data_root,
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClassAug'),
        ann_file='ImageSets/Segmentation/train.txt',
        pipeline=train_pipeline)]))
val_dataloader = dict(
    batch_size=4,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
max_iters = 4
param_scheduler = [dict(type='PolyLR', power=0.9, begin=0, end=4,
                        by_epoch=False)]
train_cfg = dict(max_iters=4, val_interval=4)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=4))
work_dir = '{work_dir}'
'''


def test_runner_trains_a_few_iterations(toy_voc, tmp_path, repo_root):
    from mmengine.config import Config
    from mmengine.runner import Runner
    path = tmp_path / 'tiny_rrm.py'
    path.write_text(TINY.format(repo=repo_root, data_root=toy_voc,
                                work_dir=str(tmp_path / 'work')))
    cfg = Config.fromfile(str(path))
    runner = Runner.from_cfg(cfg)
    head = runner.model.decode_head
    before = head.cls.weight.detach().clone()
    runner.train()
    hist = runner.message_hub.log_scalars
    # iterations 1-2 train the classifier alone, 3-4 the joint loss
    assert len(hist['train/loss_cls'].data[0]) == 4
    ce = hist['train/decode.loss_ce'].data[0]
    assert ce[0] == 0 and ce[1] == 0 and all(v > 0 for v in ce[2:])
    dense = hist['train/decode.loss_dense'].data[0]
    assert len(dense) == 2 and all(v < 0 for v in dense)
    assert not torch.equal(before, head.cls.weight.detach())
    # validating the trained model again gives the number the training
    # run logged at its last iteration (evaluation changes no state)
    logged = hist['val/mIoU'].current()
    assert runner.val_loop.run()['mIoU'] == logged
