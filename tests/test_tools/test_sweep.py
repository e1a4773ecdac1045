"""tools/analysis/sweep.py: variants x seeds of a profile, one table."""
import json
import os.path as osp

import pytest

from mmdrs.pipeline.markers import done_marker

STUDY = '''
profile = 'cpu'
stages = ['check']
seeds = [0, 1]
metrics = ['check.seconds', 'no-drs.cam/mIoU']
variants = dict(
    base=dict(),
    other=dict(overrides={'no-drs': dict(what='changed')}),
    reused=dict(reuse=dict(variant='base', stages=['check'])))
'''


@pytest.fixture
def sweep(load_tool):
    return load_tool('analysis/sweep')


def test_sweep_runs_variants_and_seeds(sweep, tmp_path, voc_photos):
    study = tmp_path / 'study.py'
    study.write_text(STUDY)
    work = str(tmp_path / 'work')
    runs = sweep.main([str(study), '--variants', 'base', 'other',
                       '--work-dir', work, '--data-root', voc_photos])
    assert sorted(runs) == ['base', 'other']  # reused: not run yet
    assert sorted(runs['base']) == [0, 1]
    for v in ('base', 'other'):
        for s in (0, 1):
            assert osp.isfile(
                done_marker(osp.join(work, v, f'seed{s}', 'check')))
    assert runs['other'][1]['check']['splits'] == dict(
        train=8, trainaug=8, val=4)
    table = open(osp.join(work, 'sweep.md')).read().splitlines()
    assert table[0] == ('| variant | seeds | check.seconds | '
                        'no-drs.cam/mIoU |')
    assert table[2].startswith('| base | 2 |')
    saved = json.load(open(osp.join(work, 'sweep.json')))
    assert saved['base']['0']['no-drs.cam/mIoU'] is None  # not run
    # a run of one variant still tabulates the others found on disk
    runs = sweep.main([str(study), '--variants', 'other', '--seeds', '0',
                       '--work-dir', work, '--data-root', voc_photos])
    assert sorted(runs) == ['base', 'other'] and len(runs['base']) == 2
    assert len(runs['other']) == 2
    # a variant may take another's finished stages (same seed) as they are
    sweep.main([str(study), '--variants', 'reused', '--seeds', '1',
                '--work-dir', work, '--data-root', voc_photos])
    marker = done_marker(osp.join('seed1', 'check'))
    assert open(osp.join(work, 'reused', marker)).read() == open(
        osp.join(work, 'base', marker)).read()
    with pytest.raises(FileNotFoundError, match='base/seed7 has not run'):
        sweep.main([str(study), '--variants', 'reused', '--seeds', '7',
                    '--work-dir', work, '--data-root', voc_photos])
    # or those of any finished pipeline run, e.g. a demo's work dir
    study.write_text(STUDY.replace(
        "variant='base'", f"work_dir={osp.join(work, 'base', 'seed0')!r}"))
    sweep.main([str(study), '--variants', 'reused', '--seeds', '2',
                '--work-dir', work, '--data-root', voc_photos])
    marker = done_marker('check')
    assert open(osp.join(work, 'reused', 'seed2', marker)).read() == open(
        osp.join(work, 'base', 'seed0', marker)).read()
    # a misspelt variant key stops the study before anything runs
    study.write_text(STUDY.replace('base=dict()', 'base=dict(epochs=3)'))
    with pytest.raises(KeyError, match="variant 'base': unknown keys"):
        sweep.main([str(study), '--variants', 'other', '--work-dir', work,
                    '--data-root', voc_photos])
    with pytest.raises(ValueError, match='unknown variants'):
        sweep.main([str(study), '--variants', 'nope', '--work-dir', work])


def test_table_is_mean_and_sample_std(sweep):
    runs = {'a': {0: {'s': {'m': 40.0}}, 1: {'s': {'m': 44.0}}},
            'b': {0: {'s': {'m': 41.0}}},
            # seed 2's run has not reached the stage yet
            'c': {0: {'s': {'m': 40.0}}, 1: {'s': {'m': 44.0}},
                  2: {'t': {'m': 1.0}}}}
    lines = sweep.table(runs, ['s.m']).splitlines()
    assert lines[2] == '| a | 2 | 42.0 ± 2.8 |'
    assert lines[3] == '| b | 1 | 41.0 |'
    assert lines[4] == '| c | 3 | 42.0 ± 2.8 (n=2) |'


def test_resolve_study_variables_extra_stages_and_seeds(sweep, tmp_path):
    study = sweep.Config(dict(
        profile='toy', data_root='data/toy_voc', stages=['data'],
        variables=dict(toy_size=(6, 3, 6), epochs=2),
        extra_stages=[dict(type='TrainClassifier', name='extra',
                           config='configs/drs/toy/toy_cls.py')],
        seeds=[0, 1], metrics=['extra.cam/mIoU'],
        variants=dict(a=dict(variables=dict(epochs=3)),
                      ref=dict(seeds=[0], stages=['extra']))))
    runs = sweep.resolve(study, str(tmp_path))
    assert sorted(runs['a']) == [0, 1] and sorted(runs['ref']) == [0]
    pipe, reuse, now = runs['a'][1]
    # the study's variables under the variant's, the seed on top
    assert (list(pipe.vars['toy_size']), pipe.vars['epochs'],
            pipe.vars['seed']) == ([6, 3, 6], 3, 1)
    assert pipe.selected == ['data'] and now and reuse == []
    assert runs['ref'][0][0].selected == ['extra']
    assert runs['ref'][0][0].stage('extra').config.endswith('toy_cls.py')
    # --seeds runs those seeds for every variant, tabulates them besides
    runs = sweep.resolve(study, str(tmp_path), seeds=[2])
    now = [(s, r[2]) for s, r in runs['ref'].items()]
    assert now == [(0, False), (2, True)]
    study.metrics = ['nope.mIoU']
    with pytest.raises(KeyError, match="no stage 'nope'"):
        sweep.resolve(study, str(tmp_path))
    # --dry-run resolves and prints, runs nothing
    study.metrics = ['extra.cam/mIoU']
    assert sweep.run_sweep(study, str(tmp_path), dry_run=True) == {}
    assert not (tmp_path / 'a').exists()
