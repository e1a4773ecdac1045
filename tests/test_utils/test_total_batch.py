"""The recipe's total batch for 1, 2 and 4 processes (fit_total_batch)."""
import pytest
from mmengine.config import Config

from mmdrs.utils.total_batch import fit_total_batch


def _cfg(repo_root, name='voc_cls.py'):
    return Config.fromfile(f'{repo_root}/configs/drs/{name}')


@pytest.mark.parametrize('name', ['voc_cls.py', 'voc_refine.py'])
@pytest.mark.parametrize('world,per_process,acc,total,lr_scale', [
    (1, 5, 2, 10, 1.0),  # 2 accumulated steps of 5: the authors' 10
    (2, 5, 1, 10, 1.0),  # the authors' 2 GPUs x 5
    (4, 5, 1, 20, 2.0),  # 20 images: linear lr scaling by mmengine
])
def test_paper_total_batch(repo_root, name, world, per_process, acc, total,
                           lr_scale):
    cfg = _cfg(repo_root, name)
    base_lr = cfg.optim_wrapper.optimizer.lr
    info = fit_total_batch(cfg, world)
    assert (info['per_process'], info['accumulation'], info['total_batch'],
            info['lr_scale']) == (per_process, acc, total, lr_scale)
    assert cfg.optim_wrapper.get('accumulative_counts', 1) == acc
    # what mmengine's Runner.scale_lr then does: nothing when the batch is
    # exact, else lr x (processes x batch / base batch)
    if cfg.auto_scale_lr.enable:
        real = world * cfg.train_dataloader.batch_size
        effective = base_lr * real / cfg.auto_scale_lr.base_batch_size
    else:
        effective = base_lr
    assert effective == pytest.approx(base_lr * lr_scale)
    assert str(total) in info['message']


def test_runner_applies_the_exact_batch_on_one_process(repo_root, tmp_path):
    """One process: the real Runner's optimiser keeps lr 1e-3 and updates
    every 2 iterations."""
    from mmengine.runner import Runner
    cfg = _cfg(repo_root)
    cfg.model.backbone.backbone.update(init_cfg=None, width=0.125)
    cfg.model.cam_head.in_channels = 64
    cfg.work_dir = str(tmp_path)
    cfg.train_dataloader.dataset.datasets[0].data_root = str(tmp_path)
    fit_total_batch(cfg, 1)
    runner = Runner.from_cfg(cfg)
    ow = runner.build_optim_wrapper(cfg.optim_wrapper)
    runner.scale_lr(ow, runner.auto_scale_lr)
    assert ow._accumulative_counts == 2
    assert ow.optimizer.param_groups[0]['lr'] == pytest.approx(1e-3)


def test_toy_recipes_keep_their_own_batch(repo_root):
    for name in ('toy/toy_cls.py', 'toy/toy_refine.py'):
        cfg = _cfg(repo_root, name)
        assert fit_total_batch(cfg, 1) is None
        assert cfg.optim_wrapper.get('accumulative_counts', 1) == 1


def test_uneven_process_count_scales_lr_and_keeps_updates(repo_root):
    """DeepLab-V2 (20 images per update) on 3 processes x 5: no exact
    accumulation, so 15 images per update at 0.75x lr, still 10k updates."""
    cfg = _cfg(repo_root, 'deeplabv2_r101-d8_voc12aug_pseudo_paper.py')
    info = fit_total_batch(cfg, 3)
    assert (info['total_batch'], info['accumulation'],
            info['lr_scale']) == (15, 1, 0.75)
    assert cfg.train_cfg.max_iters == 10000 and cfg.auto_scale_lr.enable
    cfg = _cfg(repo_root, 'deeplabv2_r101-d8_voc12aug_pseudo_paper.py')
    cfg.train_cfg.max_iters = 20001
    with pytest.raises(ValueError, match='20001'):
        fit_total_batch(cfg, 4)
