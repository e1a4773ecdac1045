"""mmdrs.pipeline.runner: profiles end to end - the toy demo, and the cpu
profile on real photographs in a user's own class list - a finished run
that skips itself, a profile reusing a finished run's stages, and the
checks before anything trains.

Each profile runs once (a module fixture) at the smallest budget, and
several tests read the finished run: the toy profile with its stages'
tools in this process, the cpu profile with each tool its own process.
The command line (tools/run_pipeline.py): test_tools/test_run_pipeline.py.
"""
import glob
import json
import math
import os.path as osp
import shutil

import numpy as np
import pytest
from PIL import Image

from mmdrs.datasets import read_split
from mmdrs.datasets.voc_layout import save_palette_png
from mmdrs.pipeline import Pipeline, load_profile

#: toy budget: 16 + 16 images at 64 px, one epoch, 4 iterations
TOY_VARS = dict(toy_size=(16, 8, 16), img_size=64, epochs=1, seg_iters=4)
TOY_ROWS = [
    'check', 'no-drs', 'drs', 'drs-learnable', 'maps-no-drs', 'maps-drs',
    'refine', 'refined-maps', 'pseudo-labels[refined-maps]',
    'pseudo-labels[maps-drs]', 'pseudo-labels', 'segmentation'
]
#: a user's own class list for the 11 VOC classes of the test photographs
OWN_CLASSES = ('background', 'widget', 'gadget', 'gizmo', 'sprocket',
               'flange', 'bracket', 'lever', 'spindle', 'cog', 'valve',
               'hinge')
CPU_VARS = dict(img_size=64, epochs=1, seg_iters=2)


def _results(work):
    with open(osp.join(work, 'results.json')) as f:
        return json.load(f)


def _table(work):
    """``{stage: mIoU column}`` of results.md, in table order."""
    with open(osp.join(work, 'results.md')) as f:
        rows = f.read().splitlines()[2:]
    return {r.split('|')[1].strip(): r.split('|')[3].strip() for r in rows}


def _read(*path):
    with open(osp.join(*path)) as f:
        return f.read()


def _scalars(work_dir):
    rows = []
    for f in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                       'scalars.json'))):
        with open(f) as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    return rows


@pytest.fixture(scope='module')
def toy_run(tmp_path_factory, tools_in_process):
    """(work dir, data root) of the whole toy profile, finished."""
    root = tmp_path_factory.mktemp('toy_run')
    work, data = str(root / 'work'), str(root / 'data')
    with tools_in_process():
        Pipeline(load_profile('toy'), work_dir=work, data_root=data,
                 variables=TOY_VARS).run()
    return work, data


def test_toy_profile_runs_every_stage(toy_run, score_maps, score_labels):
    work, data = toy_run
    res = _results(work)
    assert sorted(res) == sorted(
        ['check', 'no-drs', 'drs', 'drs-learnable', 'maps-no-drs',
         'maps-drs', 'refine', 'refined-maps', 'pseudo-labels',
         'segmentation'])
    for name in ('no-drs', 'drs', 'drs-learnable', 'refine'):
        assert osp.isfile(res[name]['checkpoint'])
        assert osp.basename(res[name]['last_checkpoint']) == 'epoch_1.pth'
    assert len(read_split(data, 'trainaug')) == 32
    for d, n in (('no-drs', 16), ('drs', 32), ('refined', 32)):
        files = glob.glob(osp.join(work, 'maps', d, '*.npz'))
        assert len(files) == n  # no-DRS maps: train only
    # each map set's score and best threshold, as computed independently
    # (raw refined maps: normalised per image for the sweep)
    for key, folder in (('maps-no-drs', 'no-drs'), ('maps-drs', 'drs'),
                        ('refined-maps', 'refined')):
        want = score_maps(osp.join(work, 'maps', folder), data, 'train',
                          normalize=folder == 'refined')
        assert res[key]['cam/mIoU'] == pytest.approx(max(want.values()),
                                                     abs=0.006), key
        assert want[res[key]['cam/best_threshold']] == max(want.values())
        assert 'cam/sal_mIoU' in res[key]  # the toy has saliency maps
    pl = res['pseudo-labels']
    # both candidates scored on train; the labels come from the better one
    assert set(pl['select/mIoU']) == {'refined-maps', 'maps-drs'}
    best = max(pl['select/mIoU'].values())
    assert pl['select/mIoU'][pl['maps']] == best
    assert pl['rule'] == 'saliency'
    assert len(glob.glob(osp.join(work, 'pseudo-labels', '*.png'))) == 32
    assert pl['pseudo/mIoU'] == pytest.approx(
        score_labels(pl['labels'], data, 'trainaug'), abs=0.006)
    # DeepLab on them: --seg-iters 4, mmseg's metrics with the
    # out-of-candidate rate
    seg = res['segmentation']
    assert osp.basename(seg['last_checkpoint']) == 'iter_4.pth'
    assert {'mIoU', 'aAcc', 'oc/pixel_pct'} <= set(seg)
    assert osp.isfile(osp.join(work, 'maps_grid.png'))
    table = _table(work)
    assert list(table) == TOY_ROWS
    assert table['segmentation'] == str(seg['mIoU'])


def test_finished_run_skips_every_stage(toy_run, tools_in_process, capsys):
    work, data = toy_run
    before = _results(work)
    capsys.readouterr()
    with tools_in_process():
        Pipeline(load_profile('toy'), work_dir=work, data_root=data,
                 variables=TOY_VARS).run()
    out = capsys.readouterr().out
    # only the report runs (its map grid); no stage trains or writes maps
    ran = [line for line in out.splitlines() if line.startswith('[stage ')
           and not line.startswith('[stage report]')]
    assert ran == []
    assert 'tools/train.py' not in out and 'generate_maps.py' not in out
    assert _results(work) == before


def test_a_profile_reuses_a_finished_runs_stages(toy_run, tools_in_process):
    """toy_ocr = the toy profile plus DeepLab with OCR: on the finished toy
    work dir only the new stage runs, on the toy run's pseudo labels, and
    its OCR loss is logged."""
    work, data = toy_run
    pipe = Pipeline(
        load_profile('toy_ocr'), work_dir=work, data_root=data,
        stages=['segmentation-ocr'], variables=dict(TOY_VARS, seg_iters=2),
        overrides={'segmentation-ocr': dict(
            options=['default_hooks.logger.interval=1'])})
    with tools_in_process():
        res = pipe.run()['segmentation-ocr']
    assert osp.basename(res['last_checkpoint']) == 'iter_2.pth'
    assert osp.join(work, 'pseudo-labels') in _read(
        work, 'segmentation-ocr', 'stage.log')
    rows = _scalars(osp.join(work, 'segmentation-ocr'))
    ocr = [r['decode.loss_ocr'] for r in rows if 'decode.loss_ocr' in r]
    assert len(ocr) == 2 and all(math.isfinite(v) and v > 0 for v in ocr)


@pytest.fixture(scope='module')
def own_photos(tmp_path_factory, voc_photos):
    """The 12 test photographs (sizes differ) as a user's folder in the
    README's layout (train / val / trainaug lists, SegmentationClassAug
    only, no saliency maps) with its own class list: the 11 VOC classes
    present renumbered 1-11 and renamed in classes.txt."""
    root = str(tmp_path_factory.mktemp('own') / 'photos')
    shutil.copytree(voc_photos, root)
    masks = glob.glob(osp.join(root, 'SegmentationClassAug', '*.png'))
    present = sorted(set().union(*[
        np.unique(np.array(Image.open(p))).tolist() for p in masks]) -
        {0, 255})
    assert len(present) == len(OWN_CLASSES) - 1
    remap = np.full(256, 255, np.uint8)
    remap[0] = 0
    remap[present] = np.arange(1, len(OWN_CLASSES))
    for p in masks:
        save_palette_png(p, remap[np.array(Image.open(p))])
    with open(osp.join(root, 'classes.txt'), 'w') as f:
        f.write('\n'.join(OWN_CLASSES) + '\n')
    return root


@pytest.fixture(scope='module')
def cpu_run(own_photos, tmp_path_factory):
    """The work dir of the whole cpu profile on :func:`own_photos`."""
    work = str(tmp_path_factory.mktemp('cpu_run') / 'work')
    Pipeline(load_profile('cpu'), work_dir=work, data_root=own_photos,
             variables=CPU_VARS).run()
    return work


def test_cpu_profile_on_photos_fills_every_row(cpu_run, own_photos,
                                               score_maps, score_labels):
    """Real photographs of different sizes: every stage runs and every row
    of the table has its number."""
    res = _results(cpu_run)
    assert res['check']['splits'] == dict(train=8, trainaug=8, val=4)
    table = _table(cpu_run)
    assert list(table) == [
        'check', 'no-drs', 'drs', 'maps-no-drs', 'maps-drs', 'refine',
        'refined-maps', 'pseudo-labels[refined-maps]',
        'pseudo-labels[refined-maps+crf-labels]', 'pseudo-labels[maps-drs]',
        'pseudo-labels[maps-drs+crf-labels]', 'pseudo-labels', 'segmentation'
    ]
    assert 'None' not in table.values(), table
    want = score_maps(osp.join(cpu_run, 'maps', 'drs'), own_photos, 'train')
    assert res['maps-drs']['cam/mIoU'] == pytest.approx(
        max(want.values()), abs=0.006)
    pl = res['pseudo-labels']
    assert pl['pseudo/mIoU'] == pytest.approx(
        score_labels(pl['labels'], own_photos, 'trainaug'), abs=0.006)
    # the segmentation stage validated the 4 val photos at their own sizes
    assert 'Iter(val) [4/4]' in _read(cpu_run, 'segmentation', 'stage.log')


def test_own_class_list_sizes_models_and_tables(cpu_run, own_photos):
    """classes.txt sizes every model and names the tables' classes; without
    saliency maps the background comes from a threshold and the report
    says so."""
    res = _results(cpu_run)
    assert res['check']['classes'] == list(OWN_CLASSES)
    assert 'cam/sal_mIoU' not in res['maps-drs']  # no saliency protocol
    assert res['pseudo-labels']['rule'] == 'constant'
    assert 'no saliency maps: constant background' in _read(
        cpu_run, 'results.md')
    log = _read(cpu_run, 'drs', 'stage.log')
    assert 'num_classes=11' in log or "'num_classes': 11" in log
    assert 'gizmo' in log and 'aeroplane' not in log  # own-class tables
    for f in glob.glob(osp.join(cpu_run, 'maps', 'drs', '*.npz')):
        with np.load(f) as z:  # the own classes, at the photo's size
            assert list(z['classes']) == list(OWN_CLASSES[1:])
            mask = Image.open(osp.join(
                own_photos, 'SegmentationClassAug',
                osp.basename(f)[:-4] + '.png'))
            assert z['maps'].shape[-2:] == mask.size[::-1]
    for f in glob.glob(osp.join(cpu_run, 'pseudo-labels', '*.png')):
        assert set(np.unique(np.array(Image.open(f)))) <= set(
            range(len(OWN_CLASSES))) | {255}
    # mmseg's IoUMetric table with the own classes
    assert 'gizmo' in _read(cpu_run, 'segmentation', 'stage.log')


def test_test_tool_reproduces_the_segmentation_miou(cpu_run, own_photos,
                                                    load_tool, repo_root,
                                                    tmp_path):
    """tools/test.py on the segmentation checkpoint, bound to the folder as
    the stage was, gives the number the stage recorded."""
    res = _results(cpu_run)['segmentation']
    pipe = Pipeline(load_profile('cpu'), work_dir=cpu_run,
                    data_root=own_photos, variables=CPU_VARS)
    stage = pipe.stage('segmentation')
    opts = [o for o in stage.options(pipe, stage.load_config())
            if o.startswith(('model.', 'test_dataloader'))]
    work = str(tmp_path / 'test')
    load_tool('test').main([
        osp.join(repo_root, stage.config), res['checkpoint'], '--work-dir',
        work, '--cfg-options', *opts])
    log = ''.join(_read(f) for f in glob.glob(osp.join(work, '*', '*.log')))
    assert f"mIoU: {res['mIoU']}" in log


def test_a_broken_folder_stops_before_training(tmp_path, own_voc_folder):
    root = str(tmp_path / 'broken')
    shutil.copytree(own_voc_folder, root)
    img = read_split(root, 'train')[0]
    mask = osp.join(root, 'SegmentationClassAug', img + '.png')
    Image.fromarray(np.full((64, 64), 7, np.uint8)).save(mask)
    pipe = Pipeline(load_profile('cpu'), work_dir=str(tmp_path / 'w'),
                    data_root=root)
    with pytest.raises(RuntimeError, match=f'{img}.png has values'):
        pipe.run()
    assert not osp.exists(str(tmp_path / 'w' / 'no-drs'))  # nothing trained


def test_profiles_are_named_and_checked(repo_root, tmp_path):
    with pytest.raises(FileNotFoundError,
                       match="'cpu', 'cpu_full_sup', 'toy'"):
        load_profile('nope')
    with pytest.raises(ValueError, match='unknown stages'):
        Pipeline(load_profile('cpu'), data_root=str(tmp_path),
                 stages=['refinement'])
    prof = tmp_path / 'mine.py'
    prof.write_text("_base_ = ['{}']\nwork_dir = 'w'\n".format(
        osp.join(repo_root, 'configs', 'pipelines', 'cpu.py')))
    pipe = Pipeline(load_profile(str(prof)), data_root=str(tmp_path))
    assert pipe.work_dir == 'w' and pipe.stages[0].name == 'check'
    # a stage argument changed (e.g. OCR in; --set STAGE.ARG=VALUE)
    ocr = 'configs/ocr/toy_deeplabv3plus_pseudo_ocr.py'
    pipe = Pipeline(load_profile('cpu'), data_root=str(tmp_path),
                    overrides={'segmentation': {'config': ocr}})
    assert pipe.stage('segmentation').config == ocr
    with pytest.raises(ValueError, match='unknown stage'):
        Pipeline(load_profile('cpu'), data_root=str(tmp_path),
                 overrides={'seg': {'config': ocr}})
    # a stage's extra options are a list of KEY=VALUE strings: a bare
    # string (`--set "maps-drs.options=[map_cfg.flip=True]"` is not a
    # Python literal) is refused, not read a character at a time
    pipe = Pipeline(load_profile('cpu'), data_root=str(tmp_path), overrides={
        s: {'options': ['map_cfg.flip=True']}
        for s in ('maps-drs', 'refine')})
    assert pipe.stage('maps-drs').extra_options == ['map_cfg.flip=True']
    assert pipe.stage('refine').extra_options == ['map_cfg.flip=True']
    for stage, bad in (('maps-drs', '[map_cfg.flip=True]'),
                       ('segmentation', ['flip'])):
        with pytest.raises(ValueError,
                           match=f'stage {stage}: options must be a list '
                           'of KEY=VALUE strings'):
            Pipeline(load_profile('cpu'), data_root=str(tmp_path),
                     overrides={stage: {'options': bad}})
    assert [s.name for s in Pipeline(
        load_profile('toy_ocr'), data_root=str(tmp_path)).stages][-2:] == \
        ['segmentation-ocr', 'report']
