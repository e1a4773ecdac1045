"""An installed copy (what ``pip install .`` installs) works on its own.

The source distribution is built from a copy of the checkout's sources, the
wheel from the unpacked source distribution (so MANIFEST.in is checked too),
and the wheel unpacked into a folder that a Python outside the checkout puts
first on its path (before the checkout's editable install): its configs,
tools and pipeline profiles must come from ``mmdrs/.mim``, as OpenMMLab
packages ship theirs, and the DRS kernels' C source must be there.
"""
import filecmp
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

#: What a clone holds that the build reads.
SOURCES = ('setup.py', 'MANIFEST.in', 'README.md', 'requirements', 'mmdrs',
           'configs', 'tools')
IGNORE = shutil.ignore_patterns('__pycache__', '*.py[cod]', '*.egg-info',
                                '*.so', '.mim')
#: The checks, run by the installed copy from outside the checkout.
PROBE = r'''
import json, os.path as osp, sys
import mmdrs
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmdrs.models.layers import drs_cpu
from mmdrs.pipeline import load_profile, runner
from mmdrs.utils.config_paths import project_root

init_default_scope('mmseg')
root = project_root()
cfg = Config.fromfile(osp.join(root, 'configs/drs/toy/toy_cls.py'))
model = MODELS.build(cfg.model).eval()
with torch.no_grad():
    maps = model(torch.rand(1, 3, 112, 112), mode='tensor')
profile = load_profile('toy')
configs = [s['config'] for s in profile.stages if 'config' in s]
try:
    load_profile('no_such_profile')
    missing = ''
except FileNotFoundError as e:
    missing = str(e)
print(json.dumps(dict(
    package=mmdrs.__file__, root=root, repo=runner.REPO,
    model=type(model).__name__,
    model_file=sys.modules[type(model).__module__].__file__,
    backbone=type(model.backbone).__name__,
    maps=list(maps.shape), num_classes=cfg.model.cam_head.num_classes,
    profile=profile.filename,
    configs={c: osp.isfile(osp.join(runner.REPO, c)) for c in configs},
    missing=missing, kernel_source=drs_cpu.SOURCE,
    kernel_source_exists=osp.isfile(drs_cpu.SOURCE))))
'''


def _run(args, cwd, env=None):
    p = subprocess.run(args, cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, (p.stdout + p.stderr)[-4000:]
    return p


def _files(root):
    """Files under ``root`` (relative), without bytecode caches."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x != '__pycache__']
        out += [
            osp.relpath(osp.join(d, f), root) for f in files
            if not f.endswith(('.pyc', '.pyo'))
        ]
    return sorted(out)


@pytest.fixture(scope='module')
def built(tmp_path_factory, repo_root):
    """The copied sources, the sdist's names, the unpacked wheel."""
    tmp = tmp_path_factory.mktemp('packaging')
    src = tmp / 'src'
    src.mkdir()
    for name in SOURCES:
        path = osp.join(repo_root, name)
        if osp.isdir(path):
            shutil.copytree(path, src / name, ignore=IGNORE)
        else:
            shutil.copy2(path, src / name)
    env = dict(os.environ, PIP_NO_INDEX='1',
               PIP_DISABLE_PIP_VERSION_CHECK='1')
    _run([sys.executable, 'setup.py', '-q', 'sdist', '-d',
          str(tmp / 'dist')], cwd=src, env=env)
    sdist, = glob.glob(str(tmp / 'dist' / 'mmdrs-*.tar.gz'))
    with tarfile.open(sdist) as tar:
        sdist_names = tar.getnames()
        tar.extractall(tmp / 'sdist')
    unpacked, = glob.glob(str(tmp / 'sdist' / 'mmdrs-*'))
    _run([
        sys.executable, '-m', 'pip', 'wheel', '--no-deps',
        '--no-build-isolation', '--no-cache-dir', '-w',
        str(tmp / 'wheel'), unpacked
    ], cwd=tmp, env=env)
    wheel, = glob.glob(str(tmp / 'wheel' / 'mmdrs-*.whl'))
    site = tmp / 'site'
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    return dict(tmp=str(tmp), src=str(src), sdist=sdist_names,
                site=str(site))


def test_sdist_carries_what_the_wheel_needs(built):
    top = {n.split('/', 1)[1] for n in built['sdist'] if '/' in n}
    for name in ('setup.py', 'MANIFEST.in', 'README.md',
                 'configs/pipelines/toy.py', 'configs/drs/toy/toy_cls.py',
                 'tools/train.py', 'tools/dist_train.sh',
                 'tools/slurm_train.sh',
                 'mmdrs/models/layers/csrc/drs_cpu.c',
                 'mmdrs/models/layers/csrc/depthwise_cpu.c',
                 'mmdrs/models/layers/csrc/vec.h'):
        assert name in top, name
    assert not [n for n in top if n.endswith(('.pyc', '.so'))]


def test_wheel_ships_configs_tools_and_kernel_source(built):
    site, source = built['site'], built['src']
    # only the package and its metadata, which names the package (mim
    # finds <site-packages>/<top_level.txt>/.mim)
    info, = glob.glob(osp.join(site, 'mmdrs-*.dist-info'))
    assert sorted(os.listdir(site)) == ['mmdrs', osp.basename(info)]
    with open(osp.join(info, 'top_level.txt')) as f:
        assert f.read().split() == ['mmdrs']
    # configs/ and tools/ in mmdrs/.mim, complete and unchanged
    for name in ('configs', 'tools'):
        src = osp.join(source, name)
        dst = osp.join(site, 'mmdrs', '.mim', name)
        files = _files(src)
        assert _files(dst) == files
        match, mismatch, errors = filecmp.cmpfiles(
            src, dst, files, shallow=False)
        assert not mismatch and not errors
    for name in ('drs_cpu.c', 'depthwise_cpu.c', 'vec.h'):
        assert osp.isfile(
            osp.join(site, 'mmdrs', 'models', 'layers', 'csrc', name))
    # the whole package: every module and the C source
    mim = '.mim' + os.sep
    assert [
        f for f in _files(osp.join(site, 'mmdrs')) if not f.startswith(mim)
    ] == _files(osp.join(source, 'mmdrs'))


def test_installed_copy_runs_without_checkout(built, repo_root):
    site = built['site']
    env = dict(os.environ, PYTHONPATH=site)
    p = _run([sys.executable, '-c', PROBE], cwd=built['tmp'], env=env)
    out = json.loads(p.stdout.strip().splitlines()[-1])
    mim = osp.join(site, 'mmdrs', '.mim')
    # the installed copy, not the checkout's editable install
    assert out['package'] == osp.join(site, 'mmdrs', '__init__.py')
    assert out['root'] == out['repo'] == mim
    assert out['model'] == 'CAMClassifier'
    assert out['backbone'] == 'DRSBackbone'
    assert out['maps'][:2] == [1, out['num_classes']]  # it runs
    assert out['model_file'].startswith(site + os.sep)
    # profiles by name, and their stages' configs, from .mim/configs
    assert out['profile'] == osp.join(mim, 'configs', 'pipelines', 'toy.py')
    assert out['configs'] and all(out['configs'].values()), out['configs']
    assert 'toy' in out['missing'] and 'voc' in out['missing']
    assert out['kernel_source'] == osp.join(site, 'mmdrs', 'models',
                                            'layers', 'csrc', 'drs_cpu.c')
    assert out['kernel_source_exists']
    assert not out['root'].startswith(repo_root + os.sep)
