import json
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from mmseg.registry import DATASETS
from PIL import Image

from mmdrs.datasets import read_split
from mmdrs.datasets.voc_layout import save_palette_png
from mmdrs.datasets.transforms import LoadImageLabels, labels_from_seg_map

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='LoadImageLabels'),
    dict(type='PackImageLabelInputs'),
]


def _ds(root, **kw):
    cfg = dict(
        type='VOCImageLabelDataset',
        data_root=root,
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClass'),
        ann_file='ImageSets/Segmentation/train.txt',
        pipeline=PIPELINE)
    cfg.update(kw)
    return DATASETS.build(cfg)


def _mask_labels(root, img_id):
    m = np.array(
        Image.open(osp.join(root, 'SegmentationClassAug', f'{img_id}.png')))
    vec = np.zeros(20, np.uint8)
    for v in np.unique(m):
        if 0 < v < 255:
            vec[v - 1] = 1
    return vec


def test_labels_from_masks_travel_to_data_samples(toy_voc):
    ds = _ds(toy_voc)
    assert len(ds) == 24
    item = ds[0]
    img_id = read_split(toy_voc, 'train')[0]
    lab = item['data_samples'].gt_img_labels
    assert lab.dtype == torch.uint8 and lab.shape == (20, )
    np.testing.assert_array_equal(lab.numpy(), _mask_labels(toy_voc, img_id))


def test_labels_from_xml_equal_masks(toy_voc):
    ds_xml = _ds(toy_voc, label_source='xml')
    ds_mask = _ds(toy_voc)
    for i in range(6):
        a = ds_xml[i]['data_samples'].gt_img_labels
        b = ds_mask[i]['data_samples'].gt_img_labels
        assert torch.equal(a, b)


def test_label_file_json_and_npy(toy_voc, tmp_path):
    root = str(tmp_path / 'voc')
    shutil.copytree(toy_voc, root)
    ids = read_split(root, 'train')
    with open(osp.join(root, 'labels.json'), 'w') as f:
        json.dump({i: ['cat', 'dog'] for i in ids}, f)
    ds = _ds(root, label_source='file', label_file='labels.json')
    lab = ds.get_data_info(0)['img_labels']
    assert lab.nonzero()[0].tolist() == [7, 11]  # cat=8, dog=12 in VOC
    np.save(
        osp.join(root, 'cls_labels.npy'),
        {i: _mask_labels(root, i).astype(np.float32)
         for i in ids})
    ds = _ds(root, label_source='file', label_file='cls_labels.npy')
    np.testing.assert_array_equal(ds.get_data_info(3)['img_labels'],
                                  _mask_labels(root, ids[3]))
    with open(osp.join(root, 'bad.json'), 'w') as f:
        json.dump({i: ['unicorn'] for i in ids}, f)
    with pytest.raises(ValueError, match="bad.json.*unknown class 'unicorn'"):
        _ds(root, label_source='file', label_file='bad.json')


def test_ignore_255_and_empty_images(toy_voc, tmp_path):
    assert labels_from_seg_map(np.array([[0, 255], [3, 3]]), 20)[2] == 1
    assert labels_from_seg_map(np.array([[0, 255]]), 20).sum() == 0
    root = str(tmp_path / 'voc')
    shutil.copytree(toy_voc, root)
    empty_id = read_split(root, 'train')[1]
    # an image whose mask is background + void only
    save_palette_png(
        osp.join(root, 'SegmentationClass', f'{empty_id}.png'),
        np.pad(np.zeros((62, 62), np.uint8), 1, constant_values=255))
    ds = _ds(root)
    with pytest.raises(ValueError, match=f'{empty_id}.png.*no foreground'):
        ds[1]
    ds = _ds(root, empty_labels='skip')
    assert len(ds) == 23
    assert empty_id not in [
        osp.basename(ds.get_data_info(i)['img_path']) for i in range(23)
    ]


def test_missing_paths_named(toy_voc, tmp_path):
    with pytest.raises(FileNotFoundError, match='does_not_exist'):
        _ds(str(tmp_path / 'does_not_exist'))
    with pytest.raises(FileNotFoundError, match='nosplit.txt'):
        _ds(toy_voc, ann_file='ImageSets/Segmentation/nosplit.txt')
    root = str(tmp_path / 'voc')
    shutil.copytree(toy_voc, root)
    shutil.rmtree(osp.join(root, 'Annotations'))
    with pytest.raises(FileNotFoundError, match=r'Annotations/toy_\d+\.xml'):
        _ds(root, label_source='xml')


def test_class_subset_via_metainfo(toy_voc):
    """mmseg maps classes outside the subset to 255; labels follow."""
    classes = ('background', 'aeroplane', 'bicycle', 'bird')
    ds = _ds(toy_voc, metainfo=dict(classes=classes))
    assert ds.fg_classes == ['aeroplane', 'bicycle', 'bird']
    ids = read_split(toy_voc, 'train')
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        full = _mask_labels(toy_voc, ids[i])
        if not full[:3].any():
            continue
        lab = ds[i]['data_samples'].gt_img_labels
        np.testing.assert_array_equal(lab.numpy(), full[:3])
        assert info['num_fg_classes'] == 3
        break
    else:
        pytest.skip('no image with the first classes in the toy split')


def test_class_subset_with_xml_and_skip(toy_voc):
    classes = ('background', 'cat', 'dog')
    ds_mask = _ds(toy_voc, metainfo=dict(classes=classes),
                  empty_labels='skip')
    ds_xml = _ds(toy_voc, metainfo=dict(classes=classes),
                 empty_labels='skip', label_source='xml')
    ids = read_split(toy_voc, 'train')
    expected = [i for i in ids if _mask_labels(toy_voc, i)[[7, 11]].any()]
    assert 0 < len(ds_mask) == len(expected) < len(ids)
    assert len(ds_xml) == len(expected)
    for i in range(len(ds_xml)):
        img_id = osp.splitext(osp.basename(ds_xml.get_data_info(i)
                                           ['img_path']))[0]
        np.testing.assert_array_equal(ds_xml.get_data_info(i)['img_labels'],
                                      _mask_labels(toy_voc, img_id)[[7, 11]])


def test_transform_requires_a_source():
    with pytest.raises(KeyError, match='LoadAnnotations'):
        LoadImageLabels()(dict(img_path='a.jpg'))


def test_uint8_masks_counted_like_other_dtypes():
    rng = np.random.default_rng(0)
    mask = rng.choice([0, 3, 7, 20, 255], size=(37, 41)).astype(np.uint8)
    fast = labels_from_seg_map(mask, 20)
    assert np.array_equal(fast, labels_from_seg_map(mask.astype(np.int32), 20))
    assert np.flatnonzero(fast).tolist() == [2, 6, 19]
    with pytest.raises(ValueError, match='label value 21 exceeds'):
        labels_from_seg_map(np.array([[0, 21]], np.uint8), 20)
