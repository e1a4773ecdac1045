"""MapRefiner: the refinement network, and refinement learning in a
Runner on toy maps."""
import math

import torch
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmengine.structures import PixelData

REFINE_CFG = '''
_base_ = ['{repo}/configs/drs/toy/toy_refine.py']
data_root = '{data_root}'
model = dict(refine_head=dict(channels=32),
             data_preprocessor=dict(size=(64, 64)))
train_dataloader = dict(batch_size=8, dataset=dict(
    data_root=data_root, pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadCAMTargets', maps_dir='{maps}'),
        dict(type='Resize', scale=(64, 64), keep_ratio=False),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackImageLabelInputs')]))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=3, val_interval=3)
default_hooks = dict(logger=dict(interval=1))
'''


def test_refiner_loss_and_prediction():
    m = MODELS.build(
        dict(type='MapRefiner',
             data_preprocessor=dict(type='SegDataPreProcessor'),
             backbone=dict(type='VGG16D1', width=0.125, init_cfg=None),
             refine_head=dict(type='MultiLabelCAMHead', in_channels=64,
                              channels=16, num_classes=3, drs_cfg=None)))
    m.init_weights()
    x = torch.randn(2, 3, 32, 32)
    samples = []
    for _ in range(2):
        ds = SegDataSample(metainfo=dict(ori_shape=(32, 32),
                                         img_shape=(32, 32)))
        ds.gt_cam_maps = PixelData(data=torch.rand(3, 32, 32))
        ds.gt_img_labels = torch.tensor([1, 0, 1], dtype=torch.uint8)
        samples.append(ds)
    loss = m.loss(x, samples)['loss_mse']
    with torch.no_grad():
        pred = torch.nn.functional.interpolate(  # authors': corners
            m.class_maps(x), (32, 32), mode='bilinear', align_corners=True)
    target = torch.stack([s.gt_cam_maps.data for s in samples])
    torch.testing.assert_close(loss, ((pred - target)**2).mean())
    m.eval()
    # the authors' refined maps are raw: upsampled (corners aligned),
    # negatives clipped by the fusion from zero, not normalised
    out = m.predict(x, samples)
    with torch.no_grad():
        raw = m.class_maps(x)
    up = torch.nn.functional.interpolate(
        raw, (32, 32), mode='bilinear', align_corners=True).clamp(min=0)
    torch.testing.assert_close(out[0].seg_logits.data[1], up[0, 0])
    assert out[0].seg_logits.data[2].abs().sum() == 0  # absent class
    m.test_cfg['normalize'] = True  # like CAMs: normalised per pass
    from mmdrs.models import normalize_cams
    torch.testing.assert_close(m.predict(x, samples)[0].seg_logits.data[1],
                               normalize_cams(raw, (32, 32))[0, 0])


def test_a_few_refinement_epochs_lower_the_loss(toy_voc, repo_root,
                                                tmp_path, maps_from_masks):
    from mmengine.config import Config
    from mmengine.runner import Runner
    maps = maps_from_masks(toy_voc, str(tmp_path / 'maps'), noise=0.1)
    path = tmp_path / 'refine.py'
    path.write_text(REFINE_CFG.format(repo=repo_root, data_root=toy_voc,
                                      maps=maps))
    cfg = Config.fromfile(str(path))
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()
    hist = runner.message_hub.log_scalars
    # 48 trainaug images / batch 8 = 6 iterations x 3 epochs
    raw = hist['train/loss_mse'].data[0].tolist()
    assert len(raw) == 18 and all(math.isfinite(v) for v in raw)
    # the logged loss: mmengine's running mean over 10 iterations
    losses = [sum(raw[max(0, i - 9):i + 1]) / len(raw[max(0, i - 9):i + 1])
              for i in range(len(raw))]
    # from the targets' energy (outputs start near 0) down by >10 %
    assert sum(losses[-3:]) / 3 < 0.9 * sum(losses[:3]) / 3, losses
    # the refined maps were validated once, after epoch 3
    assert len(hist['val/cam/mIoU'].data[0]) == 1 and runner.epoch == 3
