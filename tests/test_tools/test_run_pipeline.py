"""tools/run_pipeline.py: its flags become the pipeline's arguments (the
profiles themselves run in test_pipeline/test_runner.py)."""
import pytest


@pytest.fixture
def run_pipeline(load_tool, monkeypatch):
    """The tool, with ``Pipeline.run`` replaced by a recorder: returns
    (tool, list of the pipelines it would have run)."""
    tool = load_tool('run_pipeline')
    ran = []
    monkeypatch.setattr(tool.Pipeline, 'run', lambda self: ran.append(self))
    return tool, ran


def test_flags_become_pipeline_arguments(run_pipeline, tmp_path):
    tool, ran = run_pipeline
    ocr = 'configs/ocr/toy_deeplabv3plus_pseudo_ocr.py'
    tool.main(['--profile', 'cpu', '--data-root', str(tmp_path),
               '--work-dir', 'w', '--stages', 'check', 'drs', '--img-size',
               '64', '--epochs', '2', '--seg-iters', '3', '--seed', '1',
               '--set', f'segmentation.config={ocr}', 'drs.what=mine',
               '--gpus', '2', '--force'])
    (pipe, ) = ran
    assert (pipe.work_dir, pipe.data_root) == ('w', str(tmp_path))
    assert pipe.selected == ['check', 'drs']
    assert (pipe.gpus, pipe.force) == (2, True)
    assert {k: pipe.vars[k] for k in ('img_size', 'epochs', 'seg_iters',
                                      'seed')} == dict(
        img_size=64, epochs=2, seg_iters=3, seed=1)
    assert pipe.stage('segmentation').config == ocr
    assert pipe.stage('drs').what == 'mine'
    # the defaults: the toy profile, its own variables and folders
    tool.main(['--toy-size', '6', '3', '6'])
    pipe = ran[-1]
    assert pipe.stage('data').__class__.__name__ == 'ToyData'
    assert (pipe.work_dir, pipe.data_root) == ('work_dirs/toy',
                                               'data/toy_voc')
    assert tuple(pipe.vars['toy_size']) == (6, 3, 6)
    assert pipe.vars['epochs'] is None and pipe.gpus == 1
    assert not pipe.force and pipe.selected == [s.name for s in pipe.stages]


def test_set_needs_stage_arg_value(load_tool):
    parse = load_tool('run_pipeline').parse_overrides
    assert parse(['a.b=1', 'a.c=x=y', 'd.e.f=2']) == {
        'a': {'b': 1, 'c': 'x=y'}, 'd.e': {'f': 2}}
    # Python literals are values (e.g. the ImageNet refiner:
    # refine.init_backbone=None), anything else a string
    assert parse(['refine.init_backbone=None', "p.maps=['maps-drs']",
                  'p.crf=(False, "labels")', 's.config=configs/a.py']) == {
        'refine': {'init_backbone': None},
        'p': {'maps': ['maps-drs'], 'crf': (False, 'labels')},
        's': {'config': 'configs/a.py'}}
    for bad in ('segmentation=x', '.arg=x', 'stage.=x', 'stage.arg'):
        with pytest.raises(ValueError, match='STAGE.ARG=VALUE'):
            parse([bad])
