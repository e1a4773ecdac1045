import pytest
import torch
import torch.nn as nn
from mmseg.registry import MODELS

from mmdrs.models import DRS, VGG16D1

TINY_VGG = dict(type='VGG16D1', width=0.125, init_cfg=None)


def _acts(module, cls=(nn.ReLU, nn.ReLU6)):
    return [n for n, m in module.named_modules() if isinstance(m, cls)]


def test_vgg_d1_layout_and_output_stride():
    vgg = VGG16D1(width=0.125, out_indices=(2, 4))
    f3, f5 = vgg(torch.zeros(1, 3, 320, 320))
    assert f5.shape[-2:] == (40, 40)  # output stride 8
    assert f3.shape[-2:] == (80, 80)  # conv3 block, before pool3
    convs = [m for m in vgg.features if isinstance(m, nn.Conv2d)]
    assert [c.dilation[0] for c in convs] == [1] * 10 + [2] * 3
    assert isinstance(vgg.features[23], nn.MaxPool2d)
    assert vgg.features[23].stride == 1 and vgg.features[23].kernel_size == 3
    assert len(vgg.features) == 30  # no pool5
    assert VGG16D1.relu_names([0]) == ['features.1', 'features.3']


def test_vgg_all_relus_replaced_by_learnable_drs():
    bb = MODELS.build(dict(type='DRSBackbone', backbone=TINY_VGG))
    assert _acts(bb) == []
    drs = bb.drs_modules()
    assert len(drs) == 13
    assert sorted(bb.replaced_names) == sorted(VGG16D1.relu_names())
    # every DRS really runs in the forward pass
    seen = []
    hooks = [m.register_forward_hook(lambda *a: seen.append(1)) for m in drs]
    bb(torch.zeros(1, 3, 32, 32))
    assert len(seen) == 13
    for h in hooks:
        h.remove()


def test_vgg_chosen_stages_fixed_delta():
    bb = MODELS.build(
        dict(
            type='DRSBackbone',
            backbone=TINY_VGG,
            drs_cfg=dict(delta=0.55),
            targets=VGG16D1.relu_names([3, 4])))
    assert sorted(bb.replaced_names) == sorted(VGG16D1.relu_names([3, 4]))
    assert len(_acts(bb)) == 7  # stages 0-2 keep their ReLUs
    assert all(not m.learnable and m.delta == 0.55 for m in bb.drs_modules())
    assert sum(p.numel() for m in bb.drs_modules()
               for p in m.parameters()) == 0


def test_resnet_bottleneck_placement_after_add():
    cfg = dict(
        type='DRSBackbone',
        backbone=dict(type='ResNetV1c', depth=50, out_indices=(3, )),
        targets=['layer*.relu'],
        call_indices=[-1])
    bb = MODELS.build(cfg)
    assert len(bb.replaced_names) == 16  # one shared relu per bottleneck
    assert isinstance(bb.backbone.stem[2], nn.ReLU)  # stem untouched
    blk = bb.backbone.layer1[0].relu
    assert isinstance(blk, DRS)
    # calls: after bn1 (64), after bn2 (64), after the add (256)
    assert blk.channels == [64, 64, 256]
    assert blk.active_calls == [False, False, True]
    assert isinstance(blk.suppression_controller[2], nn.Linear)
    assert blk.suppression_controller[2].weight.shape == (256, 256)
    out = bb(torch.randn(2, 3, 64, 64))
    assert out[0].shape == (2, 2048, 2, 2)


def test_resnet_inside_branch_placement():
    bb = MODELS.build(
        dict(
            type='DRSBackbone',
            backbone=dict(type='ResNetV1c', depth=18, out_indices=(3, )),
            targets=['layer4.*.relu'],
            call_indices=[0],
            drs_cfg=dict(delta=0.5)))
    assert len(bb.replaced_names) == 2
    assert bb.backbone.layer4[0].relu.active_calls == [True, False]
    bb(torch.randn(1, 3, 64, 64))


def test_insert_after_keeps_state_dict_keys():
    plain = MODELS.build(
        dict(type='ResNetV1c', depth=18, out_indices=(3, )))
    bb = MODELS.build(
        dict(
            type='DRSBackbone',
            backbone=dict(type='ResNetV1c', depth=18, out_indices=(3, )),
            targets=['nothing'],
            insert_after=['layer4.*.conv2']))
    keys = {k for k in bb.backbone.state_dict()}
    assert keys == set(plain.state_dict())
    assert len(bb.inserted_drs) == 2
    calls = []
    for m in bb.inserted_drs.values():
        m.register_forward_hook(lambda *a: calls.append(1))
    bb(torch.randn(1, 3, 64, 64))
    assert len(calls) == 2


def test_mmpretrain_backbone_with_relu6():
    import mmpretrain.models  # noqa: F401
    bb = MODELS.build(
        dict(
            type='DRSBackbone',
            backbone=dict(
                type='mmpretrain.MobileNetV2', widen_factor=0.25,
                out_indices=(7, )),
            targets=['layer7.*']))
    assert bb.replaced_names and all(
        n.startswith('layer7.') for n in bb.replaced_names)
    assert all(m.act == 'relu6' for m in bb.drs_modules())
    assert bb(torch.randn(1, 3, 64, 64))[0].shape == (1, 1280, 2, 2)


def test_no_match_is_a_clear_error():
    with pytest.raises(ValueError, match='no activation'):
        MODELS.build(
            dict(type='DRSBackbone', backbone=TINY_VGG, targets=['nope.*']))


def test_pretrained_weights_still_load(tmp_path):
    src = VGG16D1(width=0.125)
    ckpt = tmp_path / 'vgg.pth'
    torch.save({'state_dict': src.state_dict()}, ckpt)
    bb = MODELS.build(
        dict(
            type='DRSBackbone',
            backbone=dict(
                type='VGG16D1',
                width=0.125,
                init_cfg=dict(type='Pretrained', checkpoint=str(ckpt)))))
    bb.init_weights()
    for k, v in src.state_dict().items():
        torch.testing.assert_close(bb.backbone.state_dict()[k], v)
    w = bb.drs_modules()[0].suppression_controller[0].weight
    assert abs(w.std().item() - 0.01) < 0.005  # controllers keep their init


def test_no_drs_cfg_leaves_backbone_untouched():
    bb = MODELS.build(
        dict(type='DRSBackbone', backbone=TINY_VGG, drs_cfg=None))
    assert bb.drs_modules() == [] and bb.replaced_names == []
    assert len(_acts(bb)) == 13
    plain = VGG16D1(width=0.125)
    plain.load_state_dict(bb.backbone.state_dict())
    x = torch.randn(1, 3, 32, 32)
    torch.testing.assert_close(bb(x)[0], plain(x)[0])


def test_in_place_follows_the_replaced_activation():
    """A DRS replacing ``ReLU(inplace=True)`` runs in place (same values and
    gradients as out of place); ``drs_cfg.inplace`` overrides; a DRS
    inserted after a module is never in place."""
    inherit = MODELS.build(
        dict(type='DRSBackbone', backbone=TINY_VGG,
             drs_cfg=dict(delta='learnable')))
    assert all(m.inplace for m in inherit.drs_modules())  # VGG: inplace ReLU
    forced = MODELS.build(
        dict(type='DRSBackbone', backbone=TINY_VGG,
             drs_cfg=dict(delta='learnable', inplace=False)))
    assert not any(m.inplace for m in forced.drs_modules())
    forced.load_state_dict(inherit.state_dict())
    x = torch.randn(2, 3, 48, 48)
    outs, grads = [], []
    for bb in (inherit, forced):
        bb.zero_grad()
        out = bb(x)[-1]
        out.square().sum().backward()
        outs.append(out)
        grads.append([p.grad for p in bb.parameters()])
    torch.testing.assert_close(outs[0], outs[1])
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b)
    # EfficientNet-Lite's ReLU6 modules are not in place: neither is DRS
    eff = MODELS.build(
        dict(type='DRSBackbone',
             backbone=dict(type='EfficientNetLite', init_cfg=None),
             drs_cfg=dict(delta=0.55)))
    assert eff.drs_modules() and not any(
        m.inplace for m in eff.drs_modules())
    inserted = MODELS.build(
        dict(type='DRSBackbone',
             backbone=dict(type='ResNetV1c', depth=18, out_indices=(3, )),
             targets=['nothing'], insert_after=['layer4.*.conv2']))
    assert not any(m.inplace for m in inserted.inserted_drs.values())
