"""The paper configs carry the DRS authors' numbers (docs/fidelity.md).

Each assertion is one row of the fidelity table: if a config drifts from
the authors' code, the test names what changed.
"""
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmseg.registry import MODELS

from mmdrs.utils.runner_cfg import guard_amp
from mmdrs.utils.total_batch import fit_total_batch


def _load(repo_root, name):
    return Config.fromfile(f'{repo_root}/configs/drs/{name}')


def test_classifier(repo_root):
    cfg = _load(repo_root, 'voc_cls.py')
    assert cfg.model.backbone.backbone.init_cfg.checkpoint == \
        'torchvision://vgg16'
    assert cfg.param_scheduler[0].milestones == [4, 9]  # reduce_lr 5, 10
    assert cfg.train_cfg.max_epochs == 15 and cfg.train_cfg.val_interval == 1
    assert cfg.train_dataloader.batch_size == 5
    opt = cfg.optim_wrapper.optimizer
    assert (opt.lr, opt.momentum, opt.nesterov, opt.weight_decay) == \
        (1e-3, 0.9, True, 5e-4)
    pipe = [t.type for t in cfg.train_dataloader.dataset.datasets[0].pipeline]
    assert pipe == [
        'LoadImageFromFile', 'LoadAnnotations', 'LoadImageLabels', 'Resize',
        'RandomFlip', 'RandomColorJitter', 'RandomCrop',
        'PackImageLabelInputs'
    ]
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=10)
    assert cfg.default_hooks.checkpoint.save_best == 'cam/sal_mIoU'
    cam_metric = [e for e in cfg.val_evaluator
                  if e.type == 'CAMIoUMetric'][0]
    assert cam_metric.saliency_dir == 'SaliencyMaps'
    assert cam_metric.get('saliency_protocol', 'eval') == 'eval'
    model = MODELS.build(cfg.model)
    assert model.test_cfg['align_corners'] is True
    assert model.test_cfg['normalize'] is True
    assert tuple(cfg.map_cfg.scales) == (256, 320, 384)


def test_refiner(repo_root):
    cfg = _load(repo_root, 'voc_refine.py')
    assert cfg.param_scheduler[0].milestones == [9, 19]
    assert cfg.train_cfg.max_epochs == 30 and cfg.train_cfg.val_interval == 1
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.weight_decay) == ('Adam', 1e-4, 0)
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=10)
    assert cfg.default_hooks.checkpoint.save_best == 'cam/sal_mIoU'
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    assert model.test_cfg['normalize'] is False  # raw refined maps
    assert model.test_cfg['align_corners'] is True
    pipe = [t.type for t in cfg.train_dataloader.dataset.pipeline]
    assert pipe.index('Resize') < pipe.index('LoadCAMTargets')  # 320x320
    targets = [t for t in cfg.train_dataloader.dataset.pipeline
               if t.type == 'LoadCAMTargets'][0]
    assert targets.get('max_mask', True)


def _dlv2(repo_root):
    return _load(repo_root, 'deeplabv2_r101-d8_voc12aug_pseudo_paper.py')


def test_deeplabv2_model_and_losses(repo_root):
    cfg = _dlv2(repo_root)
    # COCO DeepLab-v1 init through load_from, never ImageNet
    assert 'coco' in cfg.load_from
    assert cfg.model.pretrained is None
    assert cfg.model.backbone.init_cfg is None
    m = cfg.model
    assert m.type == 'WSSSEncoderDecoder'
    assert tuple(m.train_scales) == (0.75, 0.5)
    assert tuple(m.test_scales) == (0.5, 0.75)
    assert m.loss_resolution == 'logits'
    assert [e.type for e in m.extra_losses] == ['SelfTrainingLoss']
    assert m.extra_losses[0].mask == 'multiply'
    assert m.decode_head.loss_decode.type == 'CrossEntropyLoss'
    assert tuple(m.decode_head.dilations) == (6, 12, 18, 24)
    assert m.backbone.norm_cfg.requires_grad is False and \
        m.backbone.norm_eval is True  # frozen BN
    assert (m.data_preprocessor.mean, m.data_preprocessor.std,
            m.data_preprocessor.bgr_to_rgb) == (
                [104.008, 116.669, 122.675], [1.0, 1.0, 1.0], False)
    assert tuple(m.data_preprocessor.size) == (321, 321)
    model = MODELS.build(cfg.model)
    assert model.backbone.maxpool.ceil_mode
    assert model.backbone.layer1[0].conv1.stride == (1, 1)
    assert model.backbone.layer2[0].conv1.stride == (2, 2)  # caffe style
    scales = [t.transforms for t in cfg.train_dataloader.dataset.pipeline
              if t.type == 'RandomChoice'][0]
    assert [s[0].scale_factor for s in scales] == [0.5, 0.75, 1.0, 1.25, 1.5]
    assert cfg.crf_cfg == dict(iters=10, gauss_sxy=1, gauss_compat=3,
                               bilateral_sxy=67, bilateral_srgb=3,
                               bilateral_compat=4)


def test_deeplabv2_optimiser_groups(repo_root):
    cfg = _dlv2(repo_root)
    model = MODELS.build(cfg.model)
    ow = build_optim_wrapper(model, cfg.optim_wrapper)
    names = {id(p): n for n, p in model.named_parameters()}
    got = {}
    for g in ow.optimizer.param_groups:
        for p in g['params']:
            got[names[id(p)]] = (g['lr'], g['weight_decay'])
    lr, wd = 2.5e-4, 5e-4
    assert got['backbone.layer3.5.conv2.weight'] == pytest.approx((lr, wd))
    assert got['decode_head.aspp.0.weight'] == pytest.approx((10 * lr, wd))
    assert got['decode_head.aspp.3.bias'] == pytest.approx((20 * lr, 0))
    assert not model.backbone.bn1.weight.requires_grad  # BN not trained


@pytest.mark.parametrize('world,acc,iters', [(1, 4, 40000), (2, 2, 20000),
                                             (4, 1, 10000)])
def test_deeplabv2_batch_and_updates(repo_root, world, acc, iters):
    """10 images x 2 accumulated steps per update, 10k updates, whatever
    the number of processes (5 images each)."""
    cfg = _dlv2(repo_root)
    info = fit_total_batch(cfg, world)
    assert info['total_batch'] == 20 and info['lr_scale'] == 1.0
    assert cfg.optim_wrapper.accumulative_counts == acc
    assert cfg.train_cfg.max_iters == iters
    assert cfg.param_scheduler[0].end == iters
    assert iters // acc == 10000  # updates
    assert cfg.optim_wrapper.optimizer.lr == 2.5e-4


def test_deeplabv3plus(repo_root):
    cfg = _load(repo_root, 'deeplabv3plus_r101-d16_voc12aug_pseudo_paper.py')
    b = cfg.model.backbone
    assert (b.type, tuple(b.strides), tuple(b.dilations)) == (
        'ResNet', (1, 2, 2, 1), (1, 1, 1, 2))  # output stride 16
    assert cfg.model.pretrained == 'torchvision://resnet101'
    assert tuple(cfg.model.decode_head.dilations) == (1, 6, 12, 18)
    opt = cfg.optim_wrapper.optimizer
    assert (opt.lr, opt.momentum, opt.weight_decay) == (0.05, 0.9, 1e-4)
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys.backbone.lr_mult == \
        0.1
    assert cfg.train_cfg.max_iters == 20000
    assert cfg.auto_scale_lr.base_batch_size == 32
    assert tuple(cfg.model.data_preprocessor.size) == (513, 513)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    # AMP is guarded: without CUDA the run trains in float32 and says so
    turned_off = guard_amp(cfg)
    assert turned_off == (not torch.cuda.is_available())
    assert cfg.optim_wrapper.type == (
        'AmpOptimWrapper' if torch.cuda.is_available() else 'OptimWrapper')
    crop = _load(repo_root,
                 'deeplabv3plus_r101-d16_voc12aug_pseudo_paper_crop-val.py')
    assert [t.type for t in crop.val_dataloader.dataset.pipeline][2:4] == \
        ['ResizeShortestEdge', 'CenterCrop']
