"""Training stages: what a stage adds to its config's run."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmdrs.pipeline import Pipeline
from mmdrs.pipeline.markers import write_done_marker

CLS = 'configs/drs/cpu/cpu_cls.py'
SEG = 'configs/drs/cpu/cpu_deeplabv3plus_pseudo.py'


def test_segmentor_backbone_starts_from_the_classifiers(
        repo_root, toy_voc, tmp_path):
    """init_backbone: the segmentor's backbone is initialised with the
    trained classifier's backbone (DRSBackbone prefix stripped), every
    weight of it, and the decoder is left to its own initialisation; any
    training stage takes the argument (here a refiner too)."""
    from mmseg.registry import MODELS
    torch.manual_seed(0)
    cls_cfg = Config.fromfile(osp.join(repo_root, CLS))
    cls_cfg.model.backbone.backbone.init_cfg = None
    classifier = MODELS.build(cls_cfg.model)  # random: unlike ImageNet's
    ckpt = str(tmp_path / 'cls.pth')
    torch.save(dict(state_dict=classifier.state_dict()), ckpt)
    work = str(tmp_path / 'work')
    profile = Config(dict(stages=[
        dict(type='TrainClassifier', name='drs', config=CLS),
        dict(type='TrainSegmentor', name='seg', config=SEG, labels=None,
             init_backbone='drs'),
        dict(type='Maps', name='maps', model='drs'),
        dict(type='TrainRefiner', name='refine', targets='maps',
             config='configs/drs/cpu/cpu_refine_full.py',
             init_backbone='drs'),
    ]))
    pipe = Pipeline(profile, work_dir=work, data_root=toy_voc)
    write_done_marker(osp.join(work, 'drs'), dict(checkpoint=ckpt))
    stage = pipe.stage('seg')
    seg_cfg = stage.load_config()
    opts = stage.options(pipe, seg_cfg)
    assert opts[-2:] == [f'model.backbone.init_cfg.checkpoint={ckpt}',
                         'model.backbone.init_cfg.prefix=backbone.backbone.']
    seg_cfg.merge_from_dict(dict(o.split('=', 1) for o in opts[-2:]))
    segmentor = MODELS.build(seg_cfg.model)
    segmentor.init_weights()
    want = classifier.backbone.backbone.state_dict()
    got = segmentor.backbone.state_dict()
    assert set(got) <= set(want) and len(got) > 200
    for k, v in got.items():
        assert torch.equal(v, want[k]), k

    refine = pipe.stage('refine')
    write_done_marker(pipe.stage('maps').out_dir(pipe),
                      dict(maps=str(tmp_path)))
    assert f'model.backbone.init_cfg.checkpoint={ckpt}' in refine.options(
        pipe, refine.load_config())

    # a config whose backbone has no Pretrained init to redirect is named
    plain = stage.load_config()
    plain.model.backbone.init_cfg = None
    with pytest.raises(KeyError, match='init_backbone needs a Pretrained'):
        stage.options(pipe, plain)
