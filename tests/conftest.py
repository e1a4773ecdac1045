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


@pytest.fixture
def tiny_checkpoint(tmp_path, tiny_cls_config):
    """(config, checkpoint) of the tiny classifier as initialised (ImageNet
    backbone, random head) - a real checkpoint file for offline jobs."""
    import torch
    from mmengine.config import Config
    from mmseg.registry import MODELS
    cfg_path = tiny_cls_config()
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(cfg_path).model)
    model.init_weights()
    ckpt = str(tmp_path / 'tiny_init.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    return cfg_path, ckpt


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
