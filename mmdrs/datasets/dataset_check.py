"""Check a VOC-layout folder before a long run: every problem named."""
import os.path as osp
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Sequence

import numpy as np
from PIL import Image

from .voc_layout import VOC_CLASSES, list_files, read_ids, split_files
from .voc_image_label import read_class_list

#: The splits of the pipeline: ``train`` (CAM evaluation), ``trainaug``
#: (classifier, refinement, pseudo labels), ``val`` (segmentation).
DEFAULT_SPLITS = ('train', 'trainaug', 'val')


def folder_classes(data_root: str,
                   classes_file: str = 'classes.txt') -> List[str]:
    """The folder's classes (background first): its ``classes.txt`` or, if
    there is none, PASCAL VOC's 21."""
    path = osp.join(data_root, classes_file)
    if osp.isfile(path):
        return read_class_list(path)
    return ['background', *VOC_CLASSES]


def _check_image(args):
    root, img_id, dirs, num_classes, need_labels = args
    problems, info = [], {}
    img_path = osp.join(root, dirs['img'], img_id + '.jpg')
    if not osp.isfile(img_path):
        return [f'missing image {img_path}'], info
    try:
        with Image.open(img_path) as im:
            size = im.size[::-1]
    except OSError as err:
        return [f'unreadable image {img_path}: {err}'], info
    mask_path = osp.join(root, dirs['mask'], img_id + '.png')
    if not osp.isfile(mask_path):
        problems.append(f'missing mask {mask_path}')
    else:
        mask = np.array(Image.open(mask_path))
        if mask.ndim != 2:
            problems.append(f'mask {mask_path} is not a single-channel label '
                            f'map (shape {mask.shape})')
        else:
            if mask.shape != size:
                problems.append(f'mask {mask_path} is {mask.shape}, the '
                                f'image is {size}')
            values = np.flatnonzero(np.bincount(mask.ravel().astype(
                np.int64)))
            bad = [int(v) for v in values if v >= num_classes and v != 255]
            if bad:
                problems.append(f'mask {mask_path} has values {bad} outside '
                                f'0..{num_classes - 1} and 255')
            info['labels'] = [int(v) for v in values if 0 < v < num_classes]
            if need_labels and not info['labels']:
                problems.append(f'mask {mask_path} has no foreground class '
                                '(no image-level label)')
    if dirs.get('saliency'):
        sal_path = osp.join(root, dirs['saliency'], img_id + '.png')
        if not osp.isfile(sal_path):
            problems.append(f'missing saliency map {sal_path}')
        else:
            with Image.open(sal_path) as im:
                if im.size[::-1] != size:
                    problems.append(f'saliency map {sal_path} is '
                                    f'{im.size[::-1]}, the image is {size}')
    return problems, info


def check_voc_folder(data_root: str,
                     splits: Sequence[str] = DEFAULT_SPLITS,
                     img_dir: str = 'JPEGImages',
                     seg_dir: str = 'SegmentationClassAug',
                     saliency_dir: Optional[str] = 'SaliencyMaps',
                     allow_empty: Sequence[str] = ('val', ),
                     num_threads: int = 8) -> Dict:
    """Check a VOC-layout folder for what a WSSS run needs.

    Per split (``ImageSets/Segmentation/<split>.txt``): every image exists
    and opens, its mask exists, is single-channel, has the image's size and
    only values of the class list (``classes.txt`` or VOC's) or 255, has at
    least one foreground class (its image-level label; except in the
    ``allow_empty`` splits), and, when the folder has a saliency folder, the
    saliency map exists and has the image's size.

    Args:
        data_root (str): The folder (``VOCdevkit/VOC2012``'s layout).
        splits (Sequence[str]): Splits to check.
        img_dir, seg_dir (str): Image and mask folders.
        saliency_dir (str, optional): Saliency folder; checked when it
            exists (a folder without one gets ``saliency: False``).
        allow_empty (Sequence[str]): Splits whose images may have no
            foreground class.
        num_threads (int): Reader threads.

    Returns:
        dict: ``ok`` (bool), ``problems`` (list of messages, each naming a
        file), ``classes``, ``saliency`` (bool), ``splits`` ({split: number
        of images}) and ``class_counts`` ({class: images with it}, over the
        checked splits' distinct images).
    """
    problems: List[str] = []
    if not osp.isdir(data_root):
        return dict(ok=False, problems=[f'data root {data_root} not found'],
                    classes=[], saliency=False, splits={}, class_counts={})
    try:
        classes = folder_classes(data_root)
    except ValueError as err:
        return dict(ok=False, problems=[str(err)], classes=[],
                    saliency=False, splits={}, class_counts={})
    has_sal = bool(saliency_dir) and osp.isdir(
        osp.join(data_root, saliency_dir))
    dirs = dict(img=img_dir, mask=seg_dir,
                saliency=saliency_dir if has_sal else None)
    for d in (img_dir, seg_dir):
        if not osp.isdir(osp.join(data_root, d)):
            problems.append(f'folder {osp.join(data_root, d)} not found')
    labels_of = {}
    sizes = {}
    for split in splits:
        try:
            files = split_files(data_root, split)
        except FileNotFoundError as err:
            problems.append(str(err))
            continue
        ids = read_ids(files)
        if not ids:
            problems.append(f'split file {" + ".join(files)} lists no image')
        sizes[split] = len(ids)
        jobs = [(data_root, i, dirs, len(classes), split not in allow_empty)
                for i in ids]
        with ThreadPoolExecutor(num_threads) as pool:
            for img_id, (found, info) in zip(ids,
                                             pool.map(_check_image, jobs)):
                problems += [f'[{split}] {p}' for p in found]
                labels_of[img_id] = info.get('labels', [])
    counts = np.zeros(len(classes), np.int64)
    for labels in labels_of.values():
        counts[labels] += 1
    return dict(
        ok=not problems,
        problems=problems,
        classes=list(classes),
        saliency=has_sal,
        splits=sizes,
        class_counts={c: int(n) for c, n in zip(classes[1:], counts[1:])})


def check_dataset_configs(data_root: str,
                          datasets: Sequence[dict]) -> List[str]:
    """What config datasets need from ``data_root`` that it lacks.

    Each dataset's list file (``ann_file``, :func:`split_files` rules) must
    exist, each ``data_prefix`` folder must exist, and every listed image
    (``img_suffix``) and mask (``seg_map_suffix``) must be in its folder -
    a later stage then cannot stop on a file this check could have seen.

    Args:
        data_root (str): The folder every dataset is bound to.
        datasets (Sequence[dict]): Dataset configs, each with ``source``
            (who needs it, for the message), ``ann_file``, ``data_prefix``
            and optionally ``img_suffix`` / ``seg_map_suffix``.

    Returns:
        list[str]: Problems, each naming the file or folder and who needs it.
    """
    problems: List[str] = []
    done = set()
    for d in datasets:
        src = d.get('source', 'a config')
        ann = d.get('ann_file') or ''
        ids = None
        if ann:
            path = ann if osp.isabs(ann) else osp.join(data_root, ann)
            try:
                files = list_files(path)
            except FileNotFoundError as err:
                problems.append(f'{err} (needed by {src})')
                files = []
            ids = read_ids(files)
        prefix = d.get('data_prefix') or {}
        suffix = dict(img_path=d.get('img_suffix', '.jpg'),
                      seg_map_path=d.get('seg_map_suffix', '.png'))
        for key, folder in prefix.items():
            if not folder:
                continue
            full = folder if osp.isabs(folder) else osp.join(data_root,
                                                             folder)
            if not osp.isdir(full):
                if full not in done:  # once, for its first reader
                    problems.append(f'folder {full} not found (needed by '
                                    f'{src} as data_prefix.{key})')
                done.add(full)
                continue
            if ids is None or key not in suffix or (full, ann) in done:
                continue
            done.add((full, ann))
            missing = [i for i in ids
                       if not osp.isfile(osp.join(full, i + suffix[key]))]
            if missing:
                problems.append(
                    f'{len(missing)} file(s) of {ann} missing in {full} '
                    f'(needed by {src}), e.g. '
                    f'{osp.join(full, missing[0] + suffix[key])}')
    return problems
