"""PredictedPseudoLabels (RRM's two-step): a trained one-step segmentor's
predictions on real photographs of different sizes become pseudo labels."""
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from mmdrs.datasets import read_split
from mmdrs.pipeline import Pipeline

pytest.importorskip('pydensecrf.densecrf')

# the photo RRM recipe at 64 px, 2 iterations (1 classification-only)
TINY = '''
_base_ = ['{repo}/configs/rrm/cpu_rrm_efficientnet-lite0.py']
model = dict(data_preprocessor=dict(size=(64, 64)), cls_only_iters=1)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),
    dict(type='Resize', scale=(72, 72), keep_ratio=False),
    dict(type='RandomCrop', crop_size=(64, 64)),
    dict(type='PackImageLabelInputs'),
]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(96, 96), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
max_iters = 2
param_scheduler = [dict(type='PolyLR', power=0.9, begin=0, end=2,
                        by_epoch=False)]
train_cfg = dict(max_iters=2, val_interval=2)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2))
'''


def _profile(config):
    return Config(dict(stages=[
        dict(type='TrainOneStepSegmentor', name='rrm', config=config),
        dict(type='PredictedPseudoLabels', name='rrm-labels', model='rrm'),
    ]))


@pytest.fixture(scope='module')
def two_step(tmp_path_factory, tools_in_process, voc_photos, repo_root):
    """(pipeline, result) of a tiny RRM and its predicted labels."""
    root = tmp_path_factory.mktemp('two_step')
    config = root / 'tiny_rrm.py'
    config.write_text(TINY.format(repo=repo_root))
    pipe = Pipeline(_profile(str(config)), work_dir=str(root / 'work'),
                    data_root=voc_photos)
    with tools_in_process():
        res = pipe.run()['rrm-labels']
    return pipe, res


def test_labels_of_every_photo_at_its_size(two_step, voc_photos,
                                           score_labels):
    pipe, res = two_step
    out = pipe.stage('rrm-labels').out_dir(pipe)
    assert sorted(os.listdir(out)) == [
        'argmax', 'argmax.log', 'crf', 'crf.log', 'stage_done.json']
    ids = read_split(voc_photos, 'trainaug')
    for cand in ('argmax', 'crf'):
        assert sorted(os.listdir(osp.join(out, cand))) == sorted(
            f'{i}.png' for i in ids)
    sizes = set()
    for i in ids:
        label = np.array(Image.open(osp.join(res['labels'], f'{i}.png')))
        img = Image.open(osp.join(voc_photos, 'JPEGImages', f'{i}.jpg'))
        assert label.shape == img.size[::-1]  # the photo's own size
        assert label.max() < 21
        sizes.add(label.shape)
    assert len(sizes) > 1  # the photos differ in size
    # each candidate scored on train's masks; the better one chosen
    scores = res['select/mIoU']
    assert sorted(scores) == ['argmax', 'crf']
    for cand, v in scores.items():
        assert v == pytest.approx(
            score_labels(osp.join(out, cand), voc_photos, 'train'), abs=0.01)
    assert res['pseudo/mIoU'] == max(scores.values())
    assert res['labels'] == osp.join(out, 'crf' if res['crf'] else 'argmax')
    rows = pipe.stage('rrm-labels').rows(pipe, res)
    assert [r.stage for r in rows] == [
        'rrm-labels[argmax]', 'rrm-labels[crf]', 'rrm-labels']
    assert rows[-1].miou == res['pseudo/mIoU']


def test_an_interrupted_stage_keeps_its_finished_candidate(
        two_step, tools_in_process, capsys):
    """Killed while predicting the CRF candidate: the rerun predicts that
    one again (its partial folder is discarded), not the finished one."""
    pipe, res = two_step
    out = pipe.stage('rrm-labels').out_dir(pipe)
    os.remove(osp.join(out, 'stage_done.json'))
    os.rename(osp.join(out, 'crf'), osp.join(out, 'crf.partial'))
    with open(osp.join(out, 'crf.partial', 'half.png'), 'w') as f:
        f.write('')
    before = os.stat(osp.join(out, 'argmax')).st_mtime_ns
    capsys.readouterr()
    with tools_in_process():
        again = Pipeline(pipe.profile, work_dir=pipe.work_dir,
                         data_root=pipe.data_root).run()['rrm-labels']
    ran = capsys.readouterr().out
    assert ran.count('tools/test.py') == 1 and '--crf' in ran
    assert os.stat(osp.join(out, 'argmax')).st_mtime_ns == before
    assert not osp.exists(osp.join(out, 'crf.partial'))
    assert 'half.png' not in os.listdir(osp.join(out, 'crf'))
    assert again['select/mIoU'] == res['select/mIoU']


def test_bad_crf_candidates_are_named():
    with pytest.raises(ValueError, match="stage x: CRF candidates"):
        Pipeline(Config(dict(stages=[dict(
            type='PredictedPseudoLabels', name='x', model='m',
            crf=['labels'])])), work_dir='/tmp/unused',
            data_root='/tmp/unused')
