"""The VOC folder layout: split lists (mmseg's train + aug accepted)."""
import os
import os.path as osp
import shutil

import pytest

from mmdrs.datasets import VOCImageLabelDataset, read_split, split_files

PHOTOS = osp.join(osp.dirname(osp.dirname(__file__)), 'data', 'voc_photos')


def _folder(tmp_path, lists):
    """The test photos with only the given lists ({name: ids})."""
    root = str(tmp_path / 'voc')
    shutil.copytree(PHOTOS, root)
    seg = osp.join(root, 'ImageSets', 'Segmentation')
    for f in os.listdir(seg):
        os.remove(osp.join(seg, f))
    for name, ids in lists.items():
        with open(osp.join(seg, f'{name}.txt'), 'w') as f:
            f.write(''.join(i + '\n' for i in ids))
    return root


def test_trainaug_is_train_plus_aug_without_its_own_list(tmp_path):
    ids = read_split(PHOTOS, 'train')
    root = _folder(tmp_path, dict(train=ids[:5], aug=ids[3:] + ids[:1]))
    # mmseg's convention: train then aug, an id listed twice kept once
    assert read_split(root, 'trainaug') == ids
    assert [osp.basename(f) for f in split_files(root, 'trainaug')] == [
        'train.txt', 'aug.txt']
    ds = VOCImageLabelDataset(
        data_root=root,
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClassAug'),
        ann_file='ImageSets/Segmentation/trainaug.txt')
    assert [osp.basename(d['img_path'])[:-4] for d in ds] == ids
    # an own trainaug.txt wins
    with open(osp.join(root, 'ImageSets/Segmentation/trainaug.txt'),
              'w') as f:
        f.write(ids[0] + '\n')
    assert read_split(root, 'trainaug') == ids[:1]


def test_empty_aug_list_is_no_extra_images(tmp_path):
    ids = read_split(PHOTOS, 'train')
    root = _folder(tmp_path, dict(train=ids, aug=[]))
    assert read_split(root, 'trainaug') == ids


def test_missing_lists_are_named(tmp_path):
    root = _folder(tmp_path, dict(train=['2007_000123']))
    seg = osp.join(root, 'ImageSets', 'Segmentation')
    with pytest.raises(FileNotFoundError) as err:
        read_split(root, 'trainaug')
    assert f'{seg}/trainaug.txt' in str(err.value)
    assert f'{seg}/aug.txt' in str(err.value)  # what else was looked for
    with pytest.raises(FileNotFoundError, match=f'{seg}/val.txt'):
        read_split(root, 'val')
    with pytest.raises(FileNotFoundError, match='ann_file of '
                       'VOCImageLabelDataset'):
        VOCImageLabelDataset(
            data_root=root,
            data_prefix=dict(img_path='JPEGImages',
                             seg_map_path='SegmentationClassAug'),
            ann_file='ImageSets/Segmentation/val.txt')
