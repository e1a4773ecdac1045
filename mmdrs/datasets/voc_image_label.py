"""PASCAL VOC with image-level labels for weakly-supervised training."""
import json
import os.path as osp
import xml.etree.ElementTree as ET
from typing import List, Optional

import numpy as np
from mmengine.logging import print_log
from mmseg.datasets import BaseSegDataset, PascalVOCDataset
from mmseg.registry import DATASETS

from .voc_layout import list_files


def read_class_list(path: str) -> List[str]:
    """Class names of a ``classes.txt``: one per line, in mask-value order,
    the first being the background class (blank lines and lines starting
    with ``#`` are skipped). Duplicates or fewer than 2 classes raise
    ``ValueError`` naming the file."""
    with open(path) as f:
        names = [ln.strip() for ln in f
                 if ln.strip() and not ln.lstrip().startswith('#')]
    if len(names) < 2:
        raise ValueError(f'class list {path}: expected the background class '
                         f'and at least one other, got {names}')
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f'class list {path}: duplicate names {dup}')
    return names


def _palette(n: int) -> List[List[int]]:
    from .voc_layout import voc_palette
    flat = voc_palette()
    return [flat[3 * i:3 * i + 3] for i in range(n)]


@DATASETS.register_module()
class VOCImageLabelDataset(PascalVOCDataset):
    """mmseg's ``PascalVOCDataset`` that also provides image-level labels.

    Class 0 of ``metainfo['classes']`` is the background; the image label is
    a vector over the other (foreground) classes, ``num_fg_classes`` long, put
    into every data info and, by :class:`~mmdrs.datasets.LoadImageLabels`,
    into the data samples as ``gt_img_labels``.

    Label sources (``label_source``):

    * ``'mask'`` (default): the classes present in the segmentation mask,
      255 ignored - derived lazily by ``LoadImageLabels`` after
      ``LoadAnnotations``, so nothing is read twice;
    * ``'xml'``: the ``<object><name>`` entries of ``Annotations/<id>.xml``;
    * ``'file'``: ``label_file``, a JSON ``{id: [class names or indices]}`` or
      the common ``cls_labels.npy`` (a pickled ``{id: K-vector}`` dict).

    Images whose label is empty raise a ``ValueError`` naming the image
    (``empty_labels='error'``) or, with ``empty_labels='skip'``, are dropped
    at load time (``'mask'`` then scans the masks once) with a logged count.

    **Own class lists.** A VOC-layout folder with other classes than VOC's
    holds a ``classes.txt`` (one name per line, in mask-value order, the
    first line the background class; see :func:`read_class_list`). It is
    used when present (``classes_file='classes.txt'``, relative to
    ``data_root``): mask values index that list, with no mapping to VOC's
    classes, and models are sized from it.

    Args:
        label_source (str): ``'mask'``, ``'xml'`` or ``'file'``.
        label_file (str, optional): Path (relative to ``data_root``) for
            ``'file'``.
        xml_dir (str): Annotation folder for ``'xml'``.
        empty_labels (str): ``'error'`` or ``'skip'``.
        classes_file (str, optional): The folder's own class list, read
            when it exists (relative to ``data_root``); None ignores it.
        **kwargs: ``PascalVOCDataset`` arguments (``data_root``,
            ``ann_file``, ``data_prefix``, ``pipeline``, ``metainfo``...).
    """

    def __init__(self,
                 label_source: str = 'mask',
                 label_file: Optional[str] = None,
                 xml_dir: str = 'Annotations',
                 empty_labels: str = 'error',
                 classes_file: Optional[str] = 'classes.txt',
                 **kwargs):
        if label_source not in ('mask', 'xml', 'file'):
            raise ValueError(f"label_source must be 'mask', 'xml' or 'file', "
                             f'got {label_source!r}')
        if empty_labels not in ('error', 'skip'):
            raise ValueError(
                "empty_labels must be 'error' or 'skip', got "
                f'{empty_labels!r}')
        if label_source == 'file' and not label_file:
            raise ValueError("label_source='file' needs label_file")
        self.label_source = label_source
        self.label_file = label_file
        self.xml_dir = xml_dir
        self.empty_labels = empty_labels
        data_root = kwargs.get('data_root')
        if data_root and not osp.isdir(data_root):
            raise FileNotFoundError(f'data_root {data_root} does not exist')
        self._own_classes = False
        if classes_file:
            path = classes_file if osp.isabs(classes_file) or not data_root \
                else osp.join(data_root, classes_file)
            if osp.isfile(path):
                names = read_class_list(path)
                meta = dict(kwargs.get('metainfo') or {})
                if meta.get('classes') and list(
                        meta['classes']) != list(names):
                    raise ValueError(
                        f'metainfo classes {list(meta["classes"])} differ '
                        f'from the class list {path} {names}')
                meta.update(classes=tuple(names),
                            palette=_palette(len(names)))
                kwargs['metainfo'] = meta
                self._own_classes = True
        # PascalVOCDataset's __init__ only sets VOC's suffixes and asserts
        # that ann_file exists, which a trainaug list composed of train +
        # aug does not; load_data_list checks the paths and names them
        kwargs.setdefault('img_suffix', '.jpg')
        kwargs.setdefault('seg_map_suffix', '.png')
        BaseSegDataset.__init__(self, **kwargs)

    def get_label_map(self, new_classes=None):
        """No label map for a folder's own class list (its mask values
        already index it); mmseg's subset mapping otherwise."""
        if self._own_classes:
            return None
        return super().get_label_map(new_classes)

    def _check_paths(self) -> None:
        img_dir = self.data_prefix.get('img_path', '')
        if img_dir and not osp.isdir(img_dir):
            raise FileNotFoundError(f'image directory {img_dir} not found')

    @property
    def fg_classes(self) -> List[str]:
        return list(self.metainfo['classes'][1:])

    def _load_split(self) -> List[dict]:
        """mmseg's list reading over the file(s) standing for ``ann_file``
        (:func:`~mmdrs.datasets.voc_layout.list_files`: a missing
        ``trainaug.txt`` is ``train.txt`` + ``aug.txt``)."""
        if not self.ann_file:
            return super().load_data_list()
        try:
            files = list_files(self.ann_file)
        except FileNotFoundError as err:
            raise FileNotFoundError(f'{err} (ann_file of '
                                    f'{type(self).__name__})') from None
        if files == [self.ann_file]:
            return super().load_data_list()
        own, data_list, seen = self.ann_file, [], set()
        try:
            for f in files:
                self.ann_file = f
                for info in super().load_data_list():
                    if info['img_path'] not in seen:
                        seen.add(info['img_path'])
                        data_list.append(info)
        finally:
            self.ann_file = own
        return data_list

    def load_data_list(self) -> List[dict]:
        self._check_paths()
        data_list = self._load_split()
        num_fg = len(self.fg_classes)
        fg_classes = tuple(self.fg_classes)  # one shared tuple
        labels = None
        if self.label_source == 'file':
            labels = self._read_label_file()
        for info in data_list:
            info['num_fg_classes'] = num_fg
            info['fg_classes'] = fg_classes
            img_id = osp.splitext(osp.basename(info['img_path']))[0]
            if self.label_source == 'xml':
                info['img_labels'] = self._labels_from_xml(img_id)
            elif labels is not None:
                if img_id not in labels:
                    raise KeyError(f'label file {self._label_path()} has no '
                                   f'entry for image {img_id}')
                info['img_labels'] = labels[img_id]
        if self.empty_labels == 'skip':
            keep = [i for i in data_list if self._has_foreground(i)]
            if len(keep) < len(data_list):
                print_log(
                    f'{type(self).__name__}: skipped '
                    f'{len(data_list) - len(keep)} images without foreground '
                    f'classes ({self.ann_file})', logger='current')
            data_list = keep
        return data_list

    def _has_foreground(self, info: dict) -> bool:
        if 'img_labels' in info:
            return bool(np.any(info['img_labels']))
        from .transforms.image_labels import labels_from_seg_map
        from PIL import Image
        seg = np.array(Image.open(info['seg_map_path']))
        if self.label_map:  # a class subset: as mmseg's LoadAnnotations
            mapped = seg.copy()
            for old, new in self.label_map.items():
                mapped[seg == old] = new
            seg = mapped
        return bool(labels_from_seg_map(seg, info['num_fg_classes']).any())

    def _label_path(self) -> str:
        path = self.label_file
        if self.data_root and not osp.isabs(path):
            path = osp.join(self.data_root, path)
        return path

    def _class_index(self, name, where: str) -> Optional[int]:
        """Index of a class name/index among the foreground classes; None
        for a known class left out of a ``metainfo`` subset (ignored, as
        mmseg maps it to 255 in the masks)."""
        if isinstance(name, (int, np.integer)):
            idx = int(name)
        elif name in self.fg_classes:
            idx = self.fg_classes.index(name)
        elif name in self.METAINFO['classes'][1:]:
            return None
        else:
            raise ValueError(f'{where}: unknown class {name!r}; expected one '
                             f'of {self.fg_classes}')
        if not 0 <= idx < len(self.fg_classes):
            raise ValueError(f'{where}: class index {idx} outside '
                             f'0..{len(self.fg_classes) - 1}')
        return idx

    def _read_label_file(self) -> dict:
        path = self._label_path()
        if not osp.isfile(path):
            raise FileNotFoundError(f'label file {path} not found')
        num_fg = len(self.fg_classes)
        out = {}
        if path.endswith('.npy'):
            raw = np.load(path, allow_pickle=True).item()
            for k, v in raw.items():
                v = np.asarray(v, np.float32).reshape(-1)
                if v.size != num_fg:
                    raise ValueError(
                        f'label file {path}: entry {k} has {v.size} classes, '
                        f'expected {num_fg}')
                out[k] = (v > 0).astype(np.uint8)
        elif path.endswith('.json'):
            with open(path) as f:
                raw = json.load(f)
            for k, names in raw.items():
                vec = np.zeros(num_fg, np.uint8)
                for n in names:
                    idx = self._class_index(n, f'label file {path} ({k})')
                    if idx is not None:
                        vec[idx] = 1
                out[k] = vec
        else:
            raise ValueError(f'label file {path}: expected .json or .npy')
        return out

    def _labels_from_xml(self, img_id: str) -> np.ndarray:
        path = osp.join(self.data_root or '', self.xml_dir, f'{img_id}.xml')
        if not osp.isfile(path):
            raise FileNotFoundError(f'annotation file {path} not found')
        vec = np.zeros(len(self.fg_classes), np.uint8)
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as err:
            raise ValueError(f'annotation file {path}: {err}') from err
        for obj in root.iter('object'):
            name = obj.findtext('name', '').strip()
            idx = self._class_index(name, f'annotation file {path}')
            if idx is not None:
                vec[idx] = 1
        return vec
