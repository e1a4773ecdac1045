"""configs/studies: every study resolves to runs whose options apply to
their stages' configs (the sweep tool itself: test_tools/test_sweep.py)."""
import argparse
import copy
import glob
import os.path as osp

import pytest
from mmengine.config import DictAction


@pytest.fixture
def sweep(load_tool):
    return load_tool('analysis/sweep')


STUDIES = sorted(glob.glob(osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs',
    'studies', '*.py')))


def _options(items):
    """``--cfg-options`` items parsed as tools/train.py parses them."""
    p = argparse.ArgumentParser()
    p.add_argument('--o', nargs='+', action=DictAction, default={})
    return p.parse_args(['--o', *items]).o if items else {}


@pytest.mark.parametrize('path', STUDIES, ids=osp.basename)
def test_study_config_resolves_to_valid_runs(sweep, tmp_path, path):
    """Every study loads, every variant resolves to pipeline runs (stage
    names, reuse, metrics), and the options each run adds to a stage apply
    to that stage's config (as tools/train.py merges them)."""
    study = sweep.Config.fromfile(path)
    runs = sweep.resolve(study, str(tmp_path), data_root=str(tmp_path))
    assert sorted(runs) == sorted(study.variants)
    loaded = {}
    for by_seed in runs.values():
        pipe = by_seed[min(by_seed)][0]
        for stage in (pipe.stage(s) for s in pipe.selected):
            # a map stage's options go to its model stage's config
            model = getattr(stage, 'model', None)
            train = pipe.stage(model) if isinstance(model, str) else stage
            if not hasattr(train, 'load_config'):
                continue
            if train.config not in loaded:
                loaded[train.config] = train.load_config()
            cfg = copy.deepcopy(loaded[train.config])
            cfg.merge_from_dict(_options(stage.extra_options))
    assert loaded


def test_refinement_study_states_the_binding_options(sweep, repo_root):
    """The refinement study writes out options the old script computed
    from the refiner's config: they must still be what they were."""
    from mmdrs.pipeline.binding import image_size_options
    study = sweep.Config.fromfile(
        osp.join(repo_root, 'configs', 'studies', 'refinement_toy.py'))
    cfg = sweep.Config.fromfile(
        osp.join(repo_root, 'configs', 'drs', 'toy', 'toy_refine.py'))

    def refine(variant):
        return study.variants[variant]['overrides']['refine']['options']

    assert refine('input-168') == refine('baseline') + image_size_options(
        cfg, 168, 168)
    (option, ) = set(refine('no-max-mask')) - set(refine('baseline'))
    path = option.split('=')[0].split('.')[:-1]
    node = cfg
    for key in path:
        node = node[int(key)] if key.isdigit() else node[key]
    assert node['type'] == 'LoadCAMTargets' and option.endswith('=False')
