"""Compatibility shims for the pinned stack (torch 2.13, mmcv 2.1,
mmengine 0.10).

Everything that papers over a version mismatch lives here, each with a comment
saying why, so it can be deleted once upstream catches up. :func:`apply_shims`
is called once by ``import mmdrs``; it is idempotent.
"""
import os
import sys
import warnings

import torch

_APPLIED = False


def _is_compiling_fn():
    """Pick, once, the function telling whether torch.compile traces us.

    ``torch.compiler.is_compiling`` first exists in torch 2.3; 2.1/2.2 have
    ``torch._dynamo.is_compiling`` (imported only then: importing dynamo
    costs a second); torch 1.x has no compiler, so nothing is ever traced
    (and on 2.0 the answer is False too: DRS's C kernels then break the
    user's graph instead of being skipped). DRS asks on every forward
    (:mod:`mmdrs.models.layers.drs_function`), and setup.py allows torch
    >= 1.13. Delete once that floor reaches 2.3.
    """
    fn = getattr(getattr(torch, 'compiler', None), 'is_compiling', None)
    if fn is None and hasattr(torch, 'compile'):
        try:
            from torch._dynamo import is_compiling as fn
        except ImportError:
            fn = None
    return fn or (lambda: False)


#: ``torch.compiler.is_compiling`` where torch has it (see above).
is_compiling = _is_compiling_fn()


def autocast_enabled(device_type: str) -> bool:
    """Whether autocast is on for ``device_type`` (``'cpu'``, ``'cuda'``).

    ``torch.is_autocast_enabled(device_type)`` first takes the device in
    torch 2.4; before, CPU autocast has its own function and the plain call
    means CUDA (setup.py allows torch >= 1.13). Asked by DRS's and the
    depthwise convolution's kernels before they take a tensor. Delete once
    that floor reaches 2.4.
    """
    try:
        return torch.is_autocast_enabled(device_type)
    except TypeError:  # torch < 2.4: no device argument
        if device_type == 'cpu':
            return torch.is_autocast_cpu_enabled()
        return device_type == 'cuda' and torch.is_autocast_enabled()
    except RuntimeError:  # a device type without autocast
        return False


def _fix_torchvision_import() -> None:
    """Make ``import torchvision`` work beside a CPU-only torch.

    PyPI's torchvision 0.28 wheel is a CUDA build: its compiled ops cannot load
    beside CPU torch and ``import torchvision`` raises
    ``RuntimeError: operator torchvision::nms does not exist``. mmpretrain
    (and mmengine's environment report) import torchvision at top level, so we
    define the two op schemas its Python code registers fakes for and import
    again. Pure-Python parts (transforms, model definitions) then work; its
    compiled ops (nms, roi_align) do not, and mmdrs never uses them.
    """
    try:
        import torchvision  # noqa: F401
        return
    except ImportError:
        return  # not installed: nothing to fix, users of it will say so
    except RuntimeError as err:
        if 'torchvision::' not in str(err):
            raise
    for name in [m for m in sys.modules if m.split('.')[0] == 'torchvision']:
        del sys.modules[name]
    lib = torch.library.Library('torchvision', 'DEF')  # noqa: TOR901
    lib.define(
        'nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor')
    lib.define('qnms(Tensor dets, Tensor scores, float iou_threshold) -> '
               'Tensor')
    # Keep the library object alive, or the schemas are dropped again.
    _fix_torchvision_import.lib = lib
    import torchvision  # noqa: F401,F811


def _fix_checkpoint_loading() -> None:
    """Load mmengine checkpoints under torch >= 2.6.

    torch 2.6 made ``torch.load(weights_only=True)`` the default; mmengine
    0.10.7 checkpoints carry non-tensor objects (message hub, config), so
    ``resume`` and ``load_from`` raise ``UnpicklingError``. We re-register
    mmengine's loader for local paths with ``weights_only=False`` (the files
    are the user's own checkpoints).
    """
    from mmengine.runner.checkpoint import CheckpointLoader

    def load_from_local(filename, map_location):
        filename = os.path.expanduser(filename)
        if not os.path.isfile(filename):
            raise FileNotFoundError(f'checkpoint file {filename} not found')
        return torch.load(
            filename, map_location=map_location, weights_only=False)

    CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local)


def _quiet_known_warnings() -> None:
    """Silence deprecation noise from the pinned stack that users cannot act
    on (mmengine/mmcv use APIs that newer torch/numpy deprecate)."""
    for pattern in ('.*torch.cuda.amp.*', '.*TypedStorage is deprecated.*',
                    '.*On January 1, 2023, MMCV will release.*'):
        warnings.filterwarnings('ignore', message=pattern)


def _cpu_ddp_wrapper_cls():
    """Build (once) the DDP wrapper used for distributed runs without CUDA.

    mmengine's Runner passes ``device_ids=[LOCAL_RANK]`` to DDP, which a CPU
    module rejects, and torch's SyncBatchNorm only runs on GPUs. This wrapper
    drops the device ids and reverts SyncBN to BN (each rank normalises its own
    batch) when CUDA is unavailable; with CUDA it is the plain mmengine one.
    """
    from mmengine.model import (MMDistributedDataParallel,
                                revert_sync_batchnorm)
    # mmengine's Runner resolves wrappers with MODEL_WRAPPERS.get() on the
    # root registry (no default-scope switch), so this one lives in the root;
    # mmseg's child registry still finds it through its parent.
    from mmengine.registry import MODEL_WRAPPERS

    name = 'MMCPUDistributedDataParallel'
    if name in MODEL_WRAPPERS.module_dict:
        return MODEL_WRAPPERS.module_dict[name]

    @MODEL_WRAPPERS.register_module(name=name)
    class MMCPUDistributedDataParallel(MMDistributedDataParallel):

        def __init__(self, module, device_ids=None, **kwargs):
            if not torch.cuda.is_available():
                device_ids = None
                module = revert_sync_batchnorm(module)
            kwargs.setdefault('broadcast_buffers', False)
            super().__init__(module=module, device_ids=device_ids, **kwargs)

    return MMCPUDistributedDataParallel


def configure_cpu_distributed(cfg, launcher: str) -> None:
    """Adapt a config so ``--launcher pytorch`` also works on CPU-only hosts.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally,
    which fails on a CPU build, so without CUDA we initialise the process group
    ourselves with gloo before the Runner (which then skips its own init), and
    select :class:`MMCPUDistributedDataParallel`. With CUDA nothing changes
    (nccl, the config's own wrapper).

    Args:
        cfg (mmengine.Config): The runner config, modified in place.
        launcher (str): The ``--launcher`` value.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return
    import torch.distributed as dist
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or {}
    if wrapper.get('type', 'MMDistributedDataParallel') in (
            'MMDistributedDataParallel', 'MMCPUDistributedDataParallel'):
        wrapper = dict(wrapper, type='MMCPUDistributedDataParallel')
        cfg.model_wrapper_cfg = wrapper
    if launcher == 'pytorch' and not dist.is_initialized():
        dist.init_process_group(backend='gloo')


def exit_finished_distributed_run() -> None:
    """Leave a finished multi-process run without the interpreter's
    teardown (no-op outside one).

    torch 2.13's gloo process group, left to the interpreter's exit, now
    and then aborts a rank that has finished its work ("terminate called
    without an active exception", SIGABRT: a worker thread destroyed while
    still joinable), and torchrun then holds the other node's agent until
    its timeout; destroying the group explicitly aborted other runs instead
    (b49d7aa). So: a barrier (every rank is done, outputs written),
    logging and stdio flushed, then ``os._exit(0)``. Called at the end of
    every tool that runs distributed (tools/train.py, test.py,
    generate_maps.py).
    """
    import logging

    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()
            and dist.get_world_size() > 1):
        return
    dist.barrier()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def apply_shims() -> None:
    """Apply every shim once (called by ``import mmdrs``)."""
    global _APPLIED
    if _APPLIED:
        return
    _fix_torchvision_import()
    _fix_checkpoint_loading()
    _quiet_known_warnings()
    _cpu_ddp_wrapper_cls()
    _APPLIED = True
