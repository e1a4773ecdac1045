"""The PseudoLabels stage keeps the map set whose labels score best."""
import json
import os
import os.path as osp

from mmengine.config import Config

from mmdrs.pipeline import Pipeline


def _profile(candidates):
    stages = [dict(type='Maps', name=n, model='x', out=n) for n in
              ('good', 'noisy')]
    stages.insert(0, dict(type='TrainClassifier', name='x', config='c.py'))
    stages.append(dict(type='PseudoLabels', name='labels', maps=candidates,
                       workers=0))
    return Config(dict(stages=stages))


def _record(work, name, maps):
    d = osp.join(work, 'maps', name)
    os.makedirs(d, exist_ok=True)
    with open(osp.join(d, 'stage_done.json'), 'w') as f:
        json.dump(dict(maps=maps, seconds=0, **{'cam/best_threshold': 0.5}),
                  f)


def test_the_better_candidate_is_chosen_and_reported(toy_voc, tmp_path,
                                                     maps_from_masks):
    good = maps_from_masks(toy_voc, str(tmp_path / 'good'))
    noisy = maps_from_masks(toy_voc, str(tmp_path / 'noisy'), noise=0.9)
    work = str(tmp_path / 'work')
    _record(work, 'good', good)
    _record(work, 'noisy', noisy)
    # preferred first but worse: the better one is used
    pipe = Pipeline(_profile(['noisy', 'good']), work_dir=work,
                    data_root=toy_voc, stages=['labels'])
    res = pipe.run()['labels']
    scores = res['select/mIoU']
    assert scores['good'] > scores['noisy'] and res['maps'] == 'good'
    assert res['pseudo/mIoU'] > 90  # labels of trainaug from the good maps
    rows = pipe.stage('labels').rows(pipe, res)
    assert [r[0] for r in rows] == ['labels[noisy]', 'labels[good]',
                                    'labels']
    assert '(chosen)' in rows[1][1] and '(chosen)' not in rows[0][1]
    # a tie keeps the first (preferred) candidate
    _record(work, 'noisy', good)
    pipe = Pipeline(_profile(['noisy', 'good']), work_dir=work,
                    data_root=toy_voc, stages=['labels'], force=True)
    assert pipe.run()['labels']['maps'] == 'noisy'
