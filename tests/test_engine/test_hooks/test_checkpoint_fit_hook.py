"""CheckpointFitHook: a test-time checkpoint that is not the model's is
refused, not loaded leniently (tools/test.py and the map generator register
it for every run; the map generator's case: test_apis/
test_map_generation.py)."""
import os.path as osp

import pytest


def test_test_tool_refuses_another_models_checkpoint(
        tiny_checkpoint, load_tool, tmp_path):
    """A classifier trained with a fixed DRS delta, tested with a learnable
    one, would run with random suppression controllers: refused, the
    checkpoint, the config and the missing keys named."""
    cfg, ckpt = tiny_checkpoint
    with pytest.raises(ValueError) as e:
        load_tool('test').main([
            cfg, ckpt, '--work-dir', str(tmp_path / 'work'),
            '--cfg-options', 'model.cam_head.drs_cfg.delta=learnable'])
    msg = str(e.value)
    assert ckpt in msg and cfg in msg
    assert '3 missing keys [cam_head.convs.1.suppression_controller' in msg
    assert '0 unexpected keys []' in msg


def test_crf_wrapped_segmentor_is_checked_inside_the_wrapper(
        repo_root, toy_voc, load_tool, tmp_path):
    """tools/test.py --crf wraps the segmentor (keys ``module.*``), which
    mmengine loads by unwrapping: the hook compares the segmentor's own
    keys, so a fitting checkpoint loads (``module.``-prefixed keys too, as
    mmengine strips them) and one with a key too many is refused."""
    pytest.importorskip('pydensecrf')
    import torch
    from mmengine.config import Config
    from mmseg.registry import MODELS
    cfg = osp.join(repo_root, 'configs/drs/toy/toy_deeplabv3plus_pseudo.py')
    torch.manual_seed(0)
    state = MODELS.build(Config.fromfile(cfg).model).state_dict()
    prefixed = str(tmp_path / 'prefixed.pth')
    torch.save(dict(state_dict={'module.' + k: v for k, v in state.items()}),
               prefixed)
    opts = ['--cfg-options', f'test_dataloader.dataset.data_root={toy_voc}']
    test = load_tool('test')
    test.main([cfg, prefixed, '--crf', '--work-dir', str(tmp_path / 'w1'),
               *opts])  # fits: no error
    extra = str(tmp_path / 'extra.pth')
    torch.save(dict(state_dict=dict(state, **{
        'auxiliary_head.conv_seg.weight': torch.zeros(1)})), extra)
    with pytest.raises(ValueError, match=r'0 missing keys \[\], 1 unexpected '
                       r'keys \[auxiliary_head\.conv_seg\.weight\]'):
        test.main([cfg, extra, '--crf', '--work-dir', str(tmp_path / 'w2'),
                   *opts])
