"""mmdrs.pipeline.binding: what a config must name to be bound, and the
loud failure when it names nothing a binding needs."""
import os.path as osp

import pytest
from mmengine.config import Config

from mmdrs.pipeline import Pipeline
from mmdrs.pipeline.binding import (data_options, epoch_options,
                                    image_size_options, iteration_options,
                                    transform_options)
from mmdrs.pipeline.markers import write_done_marker

FULL_SUP = 'configs/drs/cpu/cpu_deeplabv3plus_full-sup.py'

TINY = '''
train_dataloader = dict(dataset=dict(
    type='ConcatDataset', datasets=[
        dict(type='A', data_root='x', pipeline=[dict(type='LoadX')]),
        dict(type='A', data_root='x', pipeline=[])]))
val_dataloader = dict(dataset=dict(type='A', data_root='x', pipeline=[]))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=10)
model = dict(type='M', {heads})
'''


def _tiny(tmp_path, heads='', name='tiny.py', text=TINY):
    path = tmp_path / name
    path.write_text(text.format(heads=heads))
    return Config.fromfile(str(path)), str(path)


def test_data_and_heads_are_bound(tmp_path):
    cfg, _ = _tiny(tmp_path, "cam_head=dict(type='H', num_classes=20), "
                   "decode_head=dict(type='D', num_classes=21)")
    assert data_options(cfg, '/data', 4) == [
        'train_dataloader.dataset.datasets.0.data_root=/data',
        'train_dataloader.dataset.datasets.1.data_root=/data',
        'val_dataloader.dataset.data_root=/data',
        'model.cam_head.num_classes=3',  # foreground classes
        'model.decode_head.num_classes=4',  # background included
    ]
    assert transform_options(cfg, 'LoadX', 'folder', '/maps') == [
        'train_dataloader.dataset.datasets.0.pipeline.0.folder=/maps']


def test_classifier_without_a_sized_head_fails(tmp_path):
    cfg, path = _tiny(tmp_path, "cam_head=dict(type='H')")
    assert data_options(cfg, '/data')  # classes not bound: fine
    with pytest.raises(ValueError, match='no head to size') as e:
        data_options(cfg, '/data', 21)
    assert path in str(e.value) and 'model.cam_head' in str(e.value)


def test_config_without_data_root_fails(tmp_path):
    cfg, path = _tiny(tmp_path, text='model = dict(type="M")\n'
                      'train_dataloader = dict(dataset=dict(type="A"))\n')
    with pytest.raises(ValueError, match='no dataset with a `data_root`') \
            as e:
        data_options(cfg, '/data')
    assert path in str(e.value)


def test_schedule_and_size_bindings_need_their_keys(tmp_path):
    cfg, path = _tiny(tmp_path)
    with pytest.raises(ValueError, match='epoch-based train_cfg') as e:
        epoch_options(cfg, 4)
    assert path in str(e.value)
    with pytest.raises(ValueError, match='nothing to set the image size'):
        image_size_options(cfg, 64, 73)
    assert iteration_options(5, cfg)[0] == 'train_cfg.max_iters=5'
    epochs, _ = _tiny(tmp_path, name='epochs.py', text=TINY.replace(
        "type='IterBasedTrainLoop', max_iters=10", 'max_epochs=6'))
    with pytest.raises(ValueError, match='iteration-based train_cfg'):
        iteration_options(5, epochs)


def test_epochs_move_the_lr_milestones(repo_root):
    """--epochs keeps each lr's share of the run: MultiStepLR epoch
    milestones scale with the length, never on or past the last epoch."""
    cfg = Config.fromfile(osp.join(repo_root, 'configs/drs/cpu/cpu_cls.py'))
    assert cfg.train_cfg.max_epochs == 8
    assert cfg.param_scheduler[1].milestones == [6]
    assert epoch_options(cfg, 16) == [
        'train_cfg.max_epochs=16', 'train_cfg.val_interval=16',
        'default_hooks.checkpoint.interval=16',
        'param_scheduler.1.milestones=(12,)']
    assert epoch_options(cfg, 4)[3:] == ['param_scheduler.1.milestones=(3,)']
    assert epoch_options(cfg, 1)[3:] == ['param_scheduler.1.milestones=(1,)']
    paper = Config.fromfile(osp.join(repo_root, 'configs/drs/voc_cls.py'))
    assert paper.param_scheduler[0].milestones == [4, 9]
    assert epoch_options(paper, 30)[3:] == [
        'param_scheduler.0.milestones=(8,18,)']


def test_segmentor_stage_without_pseudo_label_transform_fails(
        repo_root, tmp_path, toy_voc):
    """A TrainSegmentor on pseudo labels whose config reads the masks
    (no LoadPseudoLabels) would train fully supervised without a word:
    binding it names the config and the missing transform."""
    work = str(tmp_path / 'work')
    profile = Config(dict(stages=[
        dict(type='TrainSegmentor', name='seg', config=FULL_SUP,
             labels='labels'),
        dict(type='PseudoLabels', name='labels', maps=['m']),
        dict(type='Maps', name='m', model='seg')]))
    pipe = Pipeline(profile, work_dir=work, data_root=toy_voc)
    write_done_marker(osp.join(work, 'labels'),
                      dict(labels=str(tmp_path / 'labels')))
    stage = pipe.stage('seg')
    with pytest.raises(ValueError, match='no `LoadPseudoLabels` transform') \
            as e:
        stage.options(pipe, stage.load_config())
    assert osp.join(repo_root, FULL_SUP) in str(e.value)
    # the same config as the fully supervised reference binds
    stage.labels = None
    assert 'model.decode_head.num_classes=21' in stage.options(
        pipe, stage.load_config())


def test_maps_build_the_model_as_trained(toy_voc, tmp_path):
    """A training stage's own options (a study's DRS delta) reach the map
    job of its model, so the maps come from the model that was trained; its
    optimiser settings do not."""
    profile = Config(dict(stages=[
        dict(type='TrainClassifier', name='drs',
             config='configs/drs/cpu/cpu_cls.py',
             options=['model.cam_head.drs_cfg.delta=0.7',
                      'optim_wrapper.optimizer.lr=1']),
        dict(type='Maps', name='maps', model='drs',
             options=['map_cfg.flip=True'])]))
    pipe = Pipeline(profile, work_dir=str(tmp_path / 'work'),
                    data_root=toy_voc)
    opts = pipe.stage('maps').model_options(pipe)
    assert opts[-2:] == ['model.cam_head.drs_cfg.delta=0.7',
                         'map_cfg.flip=True']
    assert 'model.cam_head.num_classes=20' in opts
    assert not any(o.startswith('optim_wrapper') for o in opts)
