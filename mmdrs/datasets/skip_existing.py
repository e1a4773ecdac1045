"""A dataset wrapper that leaves out images whose outputs already exist."""
import copy
import os.path as osp
from typing import Union

from mmengine.dataset import BaseDataset
from mmseg.registry import DATASETS


@DATASETS.register_module()
class SkipExistingDataset:
    """Wrap a dataset, keeping only the images without an output file.

    Makes offline jobs (map generation, pseudo labels) resumable: outputs
    are written atomically, so an existing ``<out_dir>/<image stem><suffix>``
    is complete and its image is skipped. The remaining images keep their
    order, so a resumed run processes exactly the ones an interrupted run
    did not finish.

    Args:
        dataset (BaseDataset | dict): The dataset or its config.
        out_dir (str): Folder of the outputs.
        suffix (str): Output file suffix. Defaults to ``'.npz'``.
        lazy_init (bool): Defer the file check to ``full_init``.
    """

    def __init__(self,
                 dataset: Union[BaseDataset, dict],
                 out_dir: str,
                 suffix: str = '.npz',
                 lazy_init: bool = False):
        self.dataset = DATASETS.build(dataset) if isinstance(
            dataset, dict) else dataset
        self.out_dir = out_dir
        self.suffix = suffix
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self.dataset.metainfo)

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        self.dataset.full_init()
        self.indices = []
        for i in range(len(self.dataset)):
            info = self.dataset.get_data_info(i)
            stem = osp.splitext(osp.basename(info['img_path']))[0]
            if not osp.isfile(osp.join(self.out_dir, stem + self.suffix)):
                self.indices.append(i)
        self.num_skipped = len(self.dataset) - len(self.indices)
        self._fully_initialized = True

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(self.indices[idx])

    def __getitem__(self, idx: int) -> dict:
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)
