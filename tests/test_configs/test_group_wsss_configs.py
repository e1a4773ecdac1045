"""configs/group_wsss: the authors' recipe and the toy recipes."""
from mmengine.config import Config
from mmseg.registry import MODELS

from mmdrs.models import DRS


def _load(repo_root, name):
    return Config.fromfile(f'{repo_root}/configs/group_wsss/{name}')


def test_voc_paper_recipe(repo_root):
    cfg = _load(repo_root, 'group_vgg16_d1_voc.py')
    assert cfg.model.type == 'GroupCAMClassifier'
    assert cfg.model.backbone.drs_cfg is None
    assert cfg.model.cam_head.drs_cfg is None
    neck = cfg.model.neck
    assert (neck.group_size, neck.num_rounds, neck.aggregation) == \
        (3, 3, 'concat')
    assert (neck.graph_dropout.drop_rate,
            neck.graph_dropout.drop_threshold) == (0.8, 0.7)
    assert (cfg.model.pre_graph_weight, cfg.model.post_graph_weight) == \
        (0.4, 1.0)
    loader = cfg.train_dataloader
    assert loader.batch_size == 3
    assert loader.sampler == dict(type='LabelGroupSampler', group_size=3,
                                  shuffle=False)
    assert loader.collate_fn == dict(type='group_collate', group_size=3)
    pipe = [t.type for t in loader.dataset.datasets[0].pipeline]
    assert pipe == ['LoadImageFromFile', 'LoadAnnotations',
                    'LoadImageLabels', 'Resize', 'RandomColorJitter',
                    'PackImageLabelInputs']  # squash, no crop, no flip
    assert loader.dataset.datasets[0].pipeline[3].scale == (256, 256)
    assert cfg.train_cfg.max_epochs == 15
    assert cfg.param_scheduler[0].milestones == [5, 10]
    opt = cfg.optim_wrapper.optimizer
    assert (opt.lr, opt.momentum, opt.nesterov, opt.weight_decay) == \
        (1e-3, 0.9, True, 5e-4)
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys['neck'] == dict(
        lr_mult=10.0, bias_lr_mult=2.0)
    assert cfg.auto_scale_lr.base_batch_size == 3
    assert cfg.custom_hooks[0].type == 'OnlineMapAccumulationHook'
    # the model builds (narrow VGG: no download)
    cfg.model.backbone.backbone.init_cfg = None
    cfg.model.backbone.backbone.width = 0.125
    cfg.model.cam_head.in_channels = 64
    model = MODELS.build(cfg.model)
    assert model.neck.fusion.in_channels == 40
    assert not any(isinstance(m, DRS) for m in model.modules())


def test_toy_recipes_compose_with_and_without_drs(repo_root):
    plain = _load(repo_root, 'toy_group_cls.py')
    drs = _load(repo_root, 'toy_drs_group_cls.py')
    for cfg in (plain, drs):
        cfg.model.backbone.backbone.init_cfg = None
        assert cfg.train_dataloader.batch_size % 3 == 0
        assert abs(cfg.train_dataloader.sampler.anchor_ratio - 1 / 3) < 1e-9
    m_plain, m_drs = MODELS.build(plain.model), MODELS.build(drs.model)
    assert not any(isinstance(m, DRS) for m in m_plain.modules())
    assert sum(isinstance(m, DRS) for m in m_drs.cam_head.modules()) == 3
    assert m_plain.neck.channels == m_plain.num_classes
    toy = Config.fromfile(f'{repo_root}/configs/drs/toy/toy_cls_no-drs.py')
    # equal budget with the plain toy classifier
    assert plain.train_cfg.max_epochs == toy.train_cfg.max_epochs
    assert plain.param_scheduler == toy.param_scheduler
    assert plain.optim_wrapper.optimizer == toy.optim_wrapper.optimizer


def test_toy_group_profile_lists_the_four_classifiers(repo_root):
    cfg = Config.fromfile(f'{repo_root}/configs/pipelines/toy_group.py')
    names = [s.get('name', s['type'].lower()) for s in cfg.stages]
    for n in ('no-drs', 'drs', 'group', 'drs-group', 'maps-group',
              'maps-drs-group', 'report'):
        assert n in names
