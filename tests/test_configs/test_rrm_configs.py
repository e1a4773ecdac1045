"""configs/rrm: the paper recipe's numbers, lr groups, the toy profile."""
import pytest
from mmengine.config import Config
from mmseg.registry import MODELS


def _load(repo_root, name):
    return Config.fromfile(f'{repo_root}/configs/rrm/{name}')


def test_paper_recipe(repo_root):
    cfg = _load(repo_root, 'rrm_r101-d8_20k_voc12aug-321x321.py')
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.model.data_preprocessor.size == (321, 321)
    assert cfg.train_cfg.max_iters == 20000
    opt = cfg.optim_wrapper.optimizer
    assert (opt.lr, opt.momentum, opt.weight_decay) == (7e-4, 0, 1e-5)
    assert cfg.param_scheduler[0].power == 0.9
    m = cfg.model
    assert m.cam_scales == (0.5, 1.5, 2.0) and m.cam_dropout == 0.5
    lab = m.labeler
    assert (lab.bg_power, lab.crf_powers, lab.cam_floor, lab.fg_percentile,
            lab.bg_sure, lab.crf_conf) == (32, (4, 32), 0.1, 0.6, 0.8, 0.8)
    dense = m.extra_losses[0]
    assert (dense.sigma_rgb, dense.sigma_xy, dense.scale_factor,
            dense.gate) == (15, 100, 0.5, 'rrm')
    assert m.decode_head.dilation == 12 and m.decode_head.channels == 512
    assert m.decode_head.loss_decode.reduction == 'sum'
    assert m.backbone.norm_eval and not m.backbone.norm_cfg.requires_grad


def test_paper_recipe_lr_groups(repo_root):
    from mmengine.optim import build_optim_wrapper
    cfg = _load(repo_root, 'rrm_r101-d8_20k_voc12aug-321x321.py')
    cfg.model.backbone.depth = 18  # same groups, small model
    cfg.model.backbone.init_cfg = None
    cfg.model.cam_head.in_channels = 512
    cfg.model.decode_head.in_channels = 512
    model = MODELS.build(cfg.model)
    ow = build_optim_wrapper(model, cfg.optim_wrapper)
    names = {id(p): n for n, p in model.named_parameters()}
    lr_of, wd_of = {}, {}
    for g in ow.optimizer.param_groups:
        for p in g['params']:
            lr_of[names[id(p)]] = g['lr']
            wd_of[names[id(p)]] = g['weight_decay']
    base = 7e-4
    assert lr_of['backbone.stem.0.weight'] == pytest.approx(base)
    assert lr_of['cam_head.classifier.weight'] == pytest.approx(10 * base)
    assert lr_of['decode_head.conv1.weight'] == pytest.approx(10 * base)
    assert lr_of['decode_head.conv1.bias'] == pytest.approx(20 * base)
    assert wd_of['decode_head.cls.weight'] == pytest.approx(1e-5)
    assert wd_of['decode_head.cls.bias'] == 0
    assert 'cam_head.classifier.bias' not in lr_of  # no bias (authors)


def test_toy_config_builds(repo_root):
    cfg = _load(repo_root, 'toy_rrm_efficientnet-lite0.py')
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'RRMSegmentor'
    assert model.num_fg_classes + 1 == model.decode_head.num_classes == 21
    assert type(model.labeler).__name__ == 'ReliableRegionLabeler'


def test_toy_rrm_profile(repo_root):
    from mmdrs.pipeline.runner import Pipeline, load_profile
    pipe = Pipeline(load_profile('toy_rrm'), work_dir='/tmp/unused',
                    data_root='/tmp/unused',
                    overrides={'rrm': {'iters': '150'}})
    names = [s.name for s in pipe.stages]
    assert names[-4:] == ['rrm', 'pseudo-labels-reliable',
                          'segmentation-reliable', 'report']
    rrm = pipe.stage('rrm')
    cfg = rrm.load_config()
    pipe._data = dict(classes=['background', 'a', 'b'], saliency=False)
    opts = rrm.options(pipe, cfg)
    assert 'train_cfg.max_iters=150' in opts
    assert 'model.cls_only_iters=50' in opts  # 400 of 1200 -> 50 of 150
    assert 'model.cam_head.num_classes=2' in opts
    assert 'model.decode_head.num_classes=3' in opts


def test_photo_config_budget(repo_root):
    """The photo recipe: the photo classifier's backbone, the DRS
    pipeline's ~8,000 training crops, half of them classifier-only."""
    cfg = _load(repo_root, 'cpu_rrm_efficientnet-lite0.py')
    assert cfg.model.backbone.num_stages == 7
    assert cfg.model.backbone.output_stride == 16
    assert cfg.model.cam_head.in_channels == 320
    assert cfg.train_dataloader.batch_size * cfg.train_cfg.max_iters == 8000
    assert cfg.model.cls_only_iters * 2 == cfg.train_cfg.max_iters
    assert cfg.param_scheduler[0].end == cfg.train_cfg.max_iters
    assert cfg.model.data_preprocessor.size == (224, 224)
    loss = cfg.model.extra_losses[0]
    assert loss.sigma_xy == 70 and loss.loss_weight == pytest.approx(
        5.7e-8 * (321 / 224)**4, rel=0.01)
    # whole photos, one at a time (their sizes differ), on the val masks
    assert cfg.val_dataloader.batch_size == 1
    assert cfg.val_dataloader.dataset.ann_file.endswith('val.txt')
    assert cfg.crf_cfg.bilateral_sxy == 83  # the authors' infer_RRM.py
    cfg.model.backbone.init_cfg = None
    assert type(MODELS.build(cfg.model)).__name__ == 'RRMSegmentor'
