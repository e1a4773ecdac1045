"""CheckData / tools/check_dataset.py --profile: every training stage's
binding is resolved before anything trains."""
import os.path as osp
import sys

import pytest
from mmengine.config import Config

from mmdrs.pipeline import Pipeline
from mmdrs.pipeline.markers import read_done_marker
from mmdrs.pipeline.stages.data import binding_problems

#: the toy segmentation config reading the masks: no LoadPseudoLabels
NO_PSEUDO = '''
_base_ = ['{repo}/configs/drs/toy/toy_deeplabv3plus_pseudo.py']
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')]))
'''


def _no_pseudo_config(tmp_path, repo_root):
    path = tmp_path / 'seg_no_pseudo.py'
    path.write_text(NO_PSEUDO.format(repo=repo_root))
    return str(path)


def _stages(seg_config, labels='labels'):
    return [
        dict(type='CheckData', name='check'),
        dict(type='PseudoLabels', name='labels', maps=['maps']),
        dict(type='TrainSegmentor', name='segmentation', config=seg_config,
             labels=labels)]


def _profile(seg_config, labels='labels'):
    return Config(dict(stages=_stages(seg_config, labels)))


def test_check_stage_fails_on_an_unbindable_segmentation_config(
        repo_root, tmp_path, toy_voc):
    """The segmentation stage's config is bound when the check runs (its
    pseudo labels do not exist yet), not after the classifiers trained."""
    seg = _no_pseudo_config(tmp_path, repo_root)
    work = str(tmp_path / 'work')
    pipe = Pipeline(_profile(seg), work_dir=work, data_root=toy_voc,
                    stages=['check'])
    with pytest.raises(RuntimeError, match='1 problem') as e:
        pipe.run()
    msg = str(e.value)
    assert f"stage 'segmentation' cannot be bound: {seg}: no " \
        '`LoadPseudoLabels` transform' in msg
    assert read_done_marker(osp.join(work, 'check')) is None
    # the same config is bindable as a fully supervised reference
    pipe.stage('segmentation').labels = None
    assert binding_problems(pipe) == []


def test_check_tool_reports_bindings_with_the_other_problems(
        repo_root, tmp_path, toy_voc, capsys):
    seg = _no_pseudo_config(tmp_path, repo_root)
    profile = tmp_path / 'profile.py'
    profile.write_text(f'stages = {_stages(seg)!r}\n')
    sys.path.insert(0, osp.join(repo_root, 'tools'))
    from check_dataset import main
    assert main([toy_voc, '--profile', str(profile)]) == 1
    out = capsys.readouterr().out
    assert f"stage 'segmentation' cannot be bound: {seg}: no " \
        '`LoadPseudoLabels` transform' in out
    assert out.rstrip().endswith('1 problem(s)')


TINY_SEG = '''
train_dataloader = dict(dataset=dict(type='A', data_root='x', pipeline=[
    dict(type='LoadPseudoLabels', pseudo_dir='y')]))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=10)
model = dict(type='M', decode_head=dict(type='D', num_classes=21))
'''


def test_a_stage_reading_a_stage_not_in_the_profile(tmp_path, toy_voc):
    cfg = tmp_path / 'tiny_seg.py'
    cfg.write_text(TINY_SEG)
    pipe = Pipeline(_profile(str(cfg), labels='pseudo-labels'),
                    work_dir=str(tmp_path / 'work'), data_root=toy_voc)
    assert binding_problems(pipe) == [
        "stage 'segmentation' cannot be bound: reads the labels of stage "
        "'pseudo-labels', which is not in this profile "
        "(['check', 'labels', 'segmentation'])"]
    pipe.stage('segmentation').labels = 'labels'
    assert binding_problems(pipe) == []
