"""check_voc_folder / tools/check_dataset.py name every problem's file."""
import os
import os.path as osp
import shutil

import numpy as np
from PIL import Image

from mmdrs.datasets import VOCImageLabelDataset
from mmdrs.datasets.dataset_check import check_voc_folder
from mmdrs.datasets.voc_layout import read_split, save_palette_png


def test_own_class_list_is_used(own_voc_folder):
    rep = check_voc_folder(own_voc_folder)
    assert rep['ok'], rep['problems'][:5]
    assert rep['classes'] == ['background', 'widget', 'gadget', 'gizmo']
    assert rep['saliency'] is False
    assert rep['splits'] == dict(train=16, trainaug=32, val=8)
    assert sum(rep['class_counts'].values()) >= 32  # every image has one
    ds = VOCImageLabelDataset(
        data_root=own_voc_folder,
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClassAug'),
        ann_file='ImageSets/Segmentation/train.txt')
    assert ds.metainfo['classes'] == ('background', 'widget', 'gadget',
                                      'gizmo')
    assert ds.label_map is None and len(ds.metainfo['palette']) == 4


def test_every_problem_names_its_file(toy_voc, tmp_path, load_tool,
                                      capsys):
    root = str(tmp_path / 'broken')
    shutil.copytree(toy_voc, root)
    train = read_split(root, 'train')
    os.remove(osp.join(root, 'JPEGImages', train[0] + '.jpg'))
    os.remove(osp.join(root, 'SegmentationClassAug', train[1] + '.png'))
    small = np.zeros((10, 12), np.uint8)
    small[2, 2] = 1
    save_palette_png(osp.join(root, 'SegmentationClassAug',
                              train[2] + '.png'), small)
    mask_path = osp.join(root, 'SegmentationClassAug', train[3] + '.png')
    bad = np.array(Image.open(mask_path))
    bad[0, 0] = 40
    save_palette_png(mask_path, bad)
    empty = osp.join(root, 'SegmentationClassAug', train[4] + '.png')
    save_palette_png(empty, np.zeros_like(np.array(Image.open(empty))))
    os.remove(osp.join(root, 'SaliencyMaps', train[5] + '.png'))
    Image.new('L', (7, 7)).save(osp.join(root, 'SaliencyMaps',
                                         train[6] + '.png'))
    rep = check_voc_folder(root, splits=('train', ))
    text = '\n'.join(rep['problems'])
    assert not rep['ok']
    assert f'missing image {root}/JPEGImages/{train[0]}.jpg' in text
    assert f'missing mask {root}/SegmentationClassAug/{train[1]}.png' in text
    assert f'{train[2]}.png is (10, 12), the image is (64, 64)' in text
    assert f'{train[3]}.png has values [40] outside 0..20 and 255' in text
    assert f'{train[4]}.png has no foreground class' in text
    assert f'missing saliency map {root}/SaliencyMaps/{train[5]}.png' in text
    assert f'{train[6]}.png is (7, 7), the image is (64, 64)' in text
    assert len(rep['problems']) == 7
    # the command line exits 1 (its main's return) and prints them
    capsys.readouterr()
    assert load_tool('check_dataset').main([root, '--splits', 'train']) == 1
    out = capsys.readouterr().out
    assert f'{train[4]}.png' in out and '7 problem(s)' in out


def test_missing_split_file_and_bad_class_list(tmp_path, toy_voc):
    root = str(tmp_path / 'r')
    shutil.copytree(toy_voc, root)
    with open(osp.join(root, 'classes.txt'), 'w') as f:
        f.write('background\ncat\ncat\n')
    rep = check_voc_folder(root)
    assert not rep['ok'] and 'duplicate names' in rep['problems'][0]
    os.remove(osp.join(root, 'classes.txt'))
    rep = check_voc_folder(root, splits=('nosuch', ))
    assert rep['problems'] == [
        f'split file {root}/ImageSets/Segmentation/nosuch.txt not found']


def test_config_datasets_are_checked_for_what_they_read(repo_root, tmp_path):
    """The photo segmentation config reads SegmentationClassAug only; a
    config that reads SegmentationClass (mmseg's VOC val) from a folder
    without it is named before anything trains."""
    from mmengine.config import Config

    from mmdrs.datasets.dataset_check import check_dataset_configs
    from mmdrs.pipeline.binding import config_datasets
    photos = osp.join(repo_root, 'tests', 'data', 'voc_photos')
    cfg = Config.fromfile(osp.join(
        repo_root, 'configs/drs/cpu/cpu_deeplabv3plus_pseudo.py'))
    assert check_dataset_configs(photos, config_datasets(cfg, 'seg')) == []
    toy = Config.fromfile(osp.join(
        repo_root, 'configs/drs/toy/toy_deeplabv3plus_pseudo.py'))
    problems = check_dataset_configs(photos, config_datasets(toy, 'toy seg'))
    assert problems == [
        f'folder {photos}/SegmentationClass not found (needed by toy seg '
        '(val_dataloader.dataset) as data_prefix.seg_map_path)'
    ]
    root = str(tmp_path / 'voc')
    shutil.copytree(photos, root)
    os.remove(osp.join(root, 'SegmentationClassAug', '2007_000061.png'))
    problems = check_dataset_configs(root, config_datasets(cfg, 'seg'))
    assert len(problems) == 1
    assert problems[0].startswith(
        '1 file(s) of ImageSets/Segmentation/val.txt missing in '
        f'{root}/SegmentationClassAug (needed by seg (val_dataloader.'
        'dataset)), e.g. ')
    assert problems[0].endswith('2007_000061.png')


def test_check_tool_with_a_profile(load_tool, voc_photos, capsys):
    main = load_tool('check_dataset').main
    assert main([voc_photos, '--profile', 'cpu']) == 0
    # the toy profile's segmentation config reads SegmentationClass
    assert main([voc_photos, '--profile', 'toy']) == 1
    out = capsys.readouterr().out
    assert (f"folder {voc_photos}/SegmentationClass not found (needed by "
            "stage 'segmentation' (configs/drs/toy/toy_deeplabv3plus_pseudo."
            "py) (val_dataloader.dataset) as data_prefix.seg_map_path)") in out
