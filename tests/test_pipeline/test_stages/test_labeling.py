"""The PseudoLabels stage keeps the map set whose labels score best."""
import os
import os.path as osp

import pytest
from mmengine.config import Config

from mmdrs.pipeline import Pipeline
from mmdrs.pipeline.markers import write_done_marker


def _profile(candidates, crf=(False, ), **kw):
    stages = [dict(type='Maps', name=n, model='x', out=n) for n in
              ('good', 'noisy')]
    stages.insert(0, dict(type='TrainClassifier', name='x', config='c.py'))
    stages.append(dict(type='PseudoLabels', name='labels', maps=candidates,
                       workers=0, crf=crf, **kw))
    return Config(dict(stages=stages))


def _record(work, name, maps):
    d = osp.join(work, 'maps', name)
    os.makedirs(d, exist_ok=True)
    write_done_marker(d, dict(maps=maps, seconds=0,
                              **{'cam/best_threshold': 0.5}))


def _blurred_maps(data_root, tmp_path, maps_from_masks):
    """Maps of the masks with each object grown by 12 px, at 0.9."""
    import numpy as np
    from scipy.ndimage import maximum_filter

    from mmdrs.fileio import load_cam_maps, save_cam_maps
    exact = maps_from_masks(data_root, str(tmp_path / 'exact'))
    blurred = str(tmp_path / 'blurred')
    os.makedirs(blurred)
    for f in sorted(os.listdir(exact)):
        m = load_cam_maps(osp.join(exact, f))
        grown = np.stack([maximum_filter(m['maps'][k], size=25)
                          for k in m['labels']])
        save_cam_maps(osp.join(blurred, f), grown * 0.9, m['labels'],
                      m['classes'])
    return blurred


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
    assert [r.stage for r in rows] == ['labels[noisy]', 'labels[good]',
                                       'labels']
    assert '(chosen)' in rows[1].what and '(chosen)' not in rows[0].what
    # a tie keeps the first (preferred) candidate
    _record(work, 'noisy', good)
    pipe = Pipeline(_profile(['noisy', 'good']), work_dir=work,
                    data_root=toy_voc, stages=['labels'], force=True)
    assert pipe.run()['labels']['maps'] == 'noisy'


def test_without_saliency_a_dense_crf_is_a_candidate(voc_photos, tmp_path,
                                                     maps_from_masks):
    """Real photos, no saliency maps: blurred maps (each object grown by
    12 px) with and without the CRF on the threshold rule are scored on
    train, the better labels the split, the table says which."""
    blurred = _blurred_maps(voc_photos, tmp_path, maps_from_masks)
    work = str(tmp_path / 'work')
    _record(work, 'good', blurred)
    pipe = Pipeline(_profile(['good'], crf=(False, True, 'labels')),
                    work_dir=work, data_root=voc_photos, stages=['labels'])
    res = pipe.run()['labels']
    scores = res['select/mIoU']
    names = ['good', 'good+crf', 'good+crf-labels']
    assert list(scores) == names
    assert len(set(scores.values())) == 3  # each CRF changed the labels
    best = max(names, key=lambda n: scores[n])
    assert res['crf'] == {'good': False, 'good+crf': True,
                          'good+crf-labels': 'labels'}[best]
    assert res['rule'] == 'constant'
    assert res['pseudo/mIoU'] == scores[best]  # train = trainaug here
    rows = pipe.stage('labels').rows(pipe, res)
    assert [r.stage for r in rows] == [f'labels[{n}]' for n in names] + [
        'labels']
    assert ['(chosen)' in r.what for r in rows[:3]] == [
        n == best for n in names]
    assert ('dense CRF' in rows[3].details) is (best != 'good')
    with pytest.raises(ValueError, match='CRF candidates must be'):
        Pipeline(_profile(['good'], crf=('edges', )), work_dir=work,
                 data_root=voc_photos)


def test_crf_cfg_changes_the_crf_candidates_only(voc_photos, tmp_path,
                                                 maps_from_masks):
    """``crf_cfg`` reaches the CRF candidates' labels (here PSA's colour
    kernel instead of IRN's), not the CRF-free candidate's, and the
    results; a non-dict is refused at construction."""
    blurred = _blurred_maps(voc_photos, tmp_path, maps_from_masks)
    scores = {}
    for key, cfg in (('irn', None), ('psa', dict(bilateral_srgb=13))):
        work = str(tmp_path / key)
        _record(work, 'good', blurred)
        pipe = Pipeline(_profile(['good'], crf=(False, 'labels'),
                                 crf_cfg=cfg),
                        work_dir=work, data_root=voc_photos,
                        stages=['labels'])
        scores[key] = pipe.run()['labels']['select/mIoU']
    assert scores['irn']['good'] == scores['psa']['good']
    assert scores['irn']['good+crf-labels'] != scores['psa'][
        'good+crf-labels']
    # the results name every setting of the CRF that made the labels
    work = str(tmp_path / 'only_crf')
    _record(work, 'good', blurred)
    res = Pipeline(_profile(['good'], crf='labels',
                            crf_cfg=dict(bilateral_srgb=13)),
                   work_dir=work, data_root=voc_photos,
                   stages=['labels']).run()['labels']
    assert res['crf'] == 'labels' and res['crf_cfg'] == dict(
        iters=10, gauss_sxy=3, gauss_compat=3, bilateral_sxy=50,
        bilateral_srgb=13, bilateral_compat=10, unary='labels', gt_prob=0.7)
    with pytest.raises(TypeError, match='crf_cfg must be a dict'):
        Pipeline(_profile(['good'], crf_cfg=13), work_dir=str(tmp_path),
                 data_root=voc_photos)


def test_ignore_margin_labels_the_split_not_the_selection(
        voc_photos, tmp_path, maps_from_masks):
    """Real photos, no saliency maps, ``ignore_margin``: candidates are
    scored without it, the split's labels ignore the uncertain band - more
    precise, fewer pixels."""
    noisy = maps_from_masks(voc_photos, str(tmp_path / 'noisy'), noise=0.6)
    work = str(tmp_path / 'work')
    _record(work, 'good', noisy)
    plain = Pipeline(_profile(['good']), work_dir=work, data_root=voc_photos,
                     stages=['labels']).run()['labels']
    pipe = Pipeline(_profile(['good'], ignore_margin=0.2),
                    work_dir=str(tmp_path / 'band'), data_root=voc_photos,
                    stages=['labels'])
    _record(pipe.work_dir, 'good', noisy)
    res = pipe.run()['labels']
    assert res['pseudo/ignore_margin'] == 0.2
    assert plain['pseudo/ignored_pct'] == 0 and plain[
        'pseudo/ignore_margin'] == 0
    assert 0 < res['pseudo/ignored_pct'] < 100
    assert res['pseudo/precision'] > plain['pseudo/precision']
    assert '± 0.2' in pipe.stage('labels').rows(pipe, res)[-1].details


def test_reliable_region_stage_labels_and_scores(toy_voc, tmp_path,
                                                 maps_from_masks):
    """ReliablePseudoLabels (toy_rrm profile): RRM's rule on the chosen
    maps, the result with the labels' precision and coverage."""
    pytest.importorskip('pydensecrf.densecrf')
    maps = maps_from_masks(toy_voc, str(tmp_path / 'good'), split='train',
                           noise=0.2)
    work = str(tmp_path / 'work')
    _record(work, 'good', maps)
    prof = _profile(['good'])
    prof.stages[-1] = dict(type='ReliablePseudoLabels', name='labels',
                           maps=['good'], split='train', workers=0)
    pipe = Pipeline(prof, work_dir=work, data_root=toy_voc,
                    stages=['labels'])
    res = pipe.run()['labels']
    assert res['rule'] == 'reliable' and res['maps'] == 'good'
    assert res['pseudo/precision'] > 95 and res['pseudo/coverage'] < 95
    assert pipe.stage('labels').rows(pipe, res)[-1].miou == \
        res['pseudo/mIoU']
