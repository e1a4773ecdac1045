import os
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

import mmdrs  # noqa: E402,F401  (shims + registration for every test)
from mmdrs.datasets.toy_voc import make_toy_voc  # noqa: E402

from mmengine.registry import init_default_scope  # noqa: E402

os.environ.setdefault('OMP_NUM_THREADS', '1')
init_default_scope('mmseg')


@pytest.fixture(scope='session')
def repo_root():
    return REPO


@pytest.fixture(scope='session')
def voc_photos(repo_root):
    """12 real VOC photographs of different sizes (8 train = trainaug, 4
    val; tests/data/voc_photos, a subset of data/voc_mini)."""
    return osp.join(repo_root, 'tests', 'data', 'voc_photos')


@pytest.fixture(scope='session')
def toy_voc(tmp_path_factory):
    """A tiny toy VOC (24 train / 12 val / 24 aug, 64 px), made once."""
    root = str(tmp_path_factory.mktemp('data') / 'toy_voc')
    return make_toy_voc(
        root, num_train=24, num_val=12, num_aug=24, img_size=64, seed=3)


TINY_CFG = '''
_base_ = ['{repo}/configs/drs/toy/toy_cls.py']
data_root = '{data_root}'
model = dict(cam_head=dict(channels=32))
dataset_train = dict(
    type='VOCImageLabelDataset', data_root=data_root,
    data_prefix=dict(img_path='JPEGImages',
                     seg_map_path='SegmentationClassAug'),
    ann_file='ImageSets/Segmentation/train.txt',
    pipeline={{{{_base_.train_pipeline}}}})
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(datasets=[
        dataset_train,
        dict(dataset_train, ann_file='ImageSets/Segmentation/aug.txt')]))
val_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs={epochs}, val_interval=1)
default_hooks = dict(logger=dict(interval=2),
                     visualization=dict(draw=False))
randomness = dict(seed=0)
{extra}
'''


@pytest.fixture
def tiny_cls_config(tmp_path, toy_voc, repo_root):
    """Factory writing a tiny DRS classifier config on the toy data."""

    def make(epochs=1, extra='', name='tiny_cls.py'):
        path = tmp_path / name
        path.write_text(
            TINY_CFG.format(
                repo=repo_root, data_root=toy_voc, epochs=epochs,
                extra=extra))
        return str(path)

    return make


@pytest.fixture(scope='session')
def tiny_checkpoint(tmp_path_factory, toy_voc, repo_root):
    """(config, checkpoint) of the tiny classifier (1 epoch) as initialised
    (ImageNet backbone, random head) - a real checkpoint file for offline
    jobs, made once (read-only for the tests)."""
    import torch
    from mmengine.config import Config
    from mmseg.registry import MODELS
    folder = tmp_path_factory.mktemp('tiny_checkpoint')
    cfg_path = folder / 'tiny_cls.py'
    cfg_path.write_text(TINY_CFG.format(
        repo=repo_root, data_root=toy_voc, epochs=1, extra=''))
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(cfg_path)).model)
    model.init_weights()
    ckpt = str(folder / 'tiny_init.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    return str(cfg_path), ckpt


@pytest.fixture(scope='session')
def load_tool(repo_root):
    """Import ``tools/<name>.py`` (e.g. ``'test'``, ``'analysis/sweep'``)
    as a module, so that ``main(argv)`` runs the tool in this process,
    under a name that shadows nothing (``tools/test.py`` is not the
    standard library's ``test``)."""
    import importlib.util
    loaded = {}

    def load(name):
        if name not in loaded:
            spec = importlib.util.spec_from_file_location(
                'mmdrs_tool_' + name.replace('/', '_'),
                osp.join(repo_root, 'tools', f'{name}.py'))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            loaded[name] = module
        return loaded[name]

    return load


@pytest.fixture(scope='session')
def maps_from_masks():
    """Write toy localization maps made from the masks (one map per GT
    class: 0.8 on the object, plus uniform noise)."""
    import numpy as np
    from PIL import Image

    from mmdrs.datasets import read_split
    from mmdrs.datasets.voc_layout import VOC_CLASSES
    from mmdrs.fileio import save_cam_maps

    def make(root, out, split='trainaug', noise=0.0, seed=0):
        rng = np.random.default_rng(seed)
        os.makedirs(out, exist_ok=True)
        for i in read_split(root, split):
            gt = np.array(Image.open(
                osp.join(root, 'SegmentationClassAug', f'{i}.png')))
            labels = [int(v) - 1 for v in np.unique(gt) if 0 < v < 255]
            maps = np.stack(
                [(gt == k + 1).astype(np.float32) for k in labels])
            if noise:
                maps = np.clip(maps * 0.8 + rng.random(maps.shape) * noise,
                               0, 1)
            save_cam_maps(osp.join(out, f'{i}.npz'), maps, labels,
                          VOC_CLASSES)
        return out

    return make


OWN_CLASSES = ('background', 'widget', 'gadget', 'gizmo')


@pytest.fixture(scope='session')
def own_voc_folder(tmp_path_factory):
    """A user's VOC-layout folder (not the toy: no marker, no XML, no
    saliency maps, no SegmentationClass) with its own 3-class list in
    classes.txt."""
    import shutil

    import numpy as np
    from PIL import Image

    from mmdrs.datasets.voc_layout import save_palette_png
    src = str(tmp_path_factory.mktemp('src') / 'toy')
    make_toy_voc(src, num_train=16, num_val=8, num_aug=16, img_size=64,
                 seed=5, classes=('aeroplane', 'bird', 'bus'))
    root = str(tmp_path_factory.mktemp('user') / 'my_voc')
    # the README's layout: SegmentationClassAug only, lists train / val /
    # trainaug
    shutil.copytree(src, root, ignore=shutil.ignore_patterns(
        '.toy_voc.json', 'Annotations', 'SaliencyMaps', 'SegmentationClass',
        'aug.txt', 'trainval.txt'))
    remap = np.full(256, 255, np.uint8)
    remap[[0, 1, 3, 6]] = [0, 1, 2, 3]  # VOC indices -> own list
    d = osp.join(root, 'SegmentationClassAug')
    for f in os.listdir(d):
        p = osp.join(d, f)
        save_palette_png(p, remap[np.array(Image.open(p))])
    with open(osp.join(root, 'classes.txt'), 'w') as f:
        f.write('\n'.join(OWN_CLASSES) + '\n')
    return root


def _gt_mask(root, img_id):
    import numpy as np
    from PIL import Image
    return np.array(Image.open(
        osp.join(root, 'SegmentationClassAug', f'{img_id}.png')))


def _miou(conf):
    """mIoU (in %) of a (n, n) or (n, n + 1 ignored) confusion matrix,
    classes absent from GT and prediction left out."""
    import numpy as np
    n = conf.shape[0]
    inter = np.diagonal(conf[:, :n]).astype(np.float64)
    union = conf.sum(1) + conf[:, :n].sum(0) - inter
    with np.errstate(invalid='ignore', divide='ignore'):
        return float(np.nanmean(inter / union) * 100)


@pytest.fixture(scope='session')
def score_maps():
    """The threshold-sweep mIoU of a map folder, computed here with numpy
    (not through CAMIoUMetric): for each background score t, a pixel is
    the class of its largest map where that map exceeds t, else
    background. Returns ``{t: mIoU in %}``."""
    import numpy as np

    from mmdrs.datasets import read_split
    from mmdrs.datasets.dataset_check import folder_classes
    from mmdrs.evaluation.metrics.cam_iou import DEFAULT_THRESHOLDS
    from mmdrs.fileio import load_cam_maps

    def score(maps_dir, root, split='train', normalize=False,
              thresholds=DEFAULT_THRESHOLDS):
        n = len(folder_classes(root))
        classes = folder_classes(root)[1:]
        conf = np.zeros((len(thresholds), n, n), np.int64)
        for i in read_split(root, split):
            gt = _gt_mask(root, i).astype(np.int64)
            maps = load_cam_maps(osp.join(maps_dir, f'{i}.npz'), classes,
                                 size=gt.shape)['maps']
            if normalize:
                maps = maps / (maps.max(axis=(1, 2), keepdims=True) +
                               np.float32(1e-5))
            top, cls = maps.max(0), maps.argmax(0) + 1
            valid = gt != 255
            for j, t in enumerate(thresholds):
                pred = np.where(top > np.float32(t), cls, 0)
                conf[j] += np.bincount(
                    gt[valid] * n + pred[valid],
                    minlength=n * n).reshape(n, n)
        return {float(t): _miou(c) for t, c in zip(thresholds, conf)}

    return score


@pytest.fixture(scope='session')
def score_labels():
    """The mIoU (in %) of a folder of label PNGs against a split's masks,
    computed here with numpy; ignored pixels (255) count as misses."""
    import numpy as np
    from PIL import Image

    from mmdrs.datasets import read_split
    from mmdrs.datasets.dataset_check import folder_classes

    def score(label_dir, root, split):
        n = len(folder_classes(root))
        conf = np.zeros((n, n + 1), np.int64)
        for i in read_split(root, split):
            gt = _gt_mask(root, i).astype(np.int64)
            label = np.array(Image.open(
                osp.join(label_dir, f'{i}.png'))).astype(np.int64)
            valid = gt != 255
            pred = np.where(label == 255, n, label)[valid]
            conf += np.bincount(gt[valid] * (n + 1) + pred,
                                minlength=n * (n + 1)).reshape(n, n + 1)
        return _miou(conf)

    return score
