"""Segmentation configs inherited from mmseg, trained on pseudo labels.

(The toy DeepLab-V3+ trained on pseudo labels, with and without OCR, runs
in test_pipeline/test_runner.py; tools/test.py --crf in
test_tools/test_train_tools.py.)
"""
import os.path as osp

from mmengine.config import Config

import mmseg

MMSEG_V3P = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs',
                     'deeplabv3plus',
                     'deeplabv3plus_r101-d8_4xb4-40k_voc12aug-512x512.py')


def _plain(x):
    """Config values without the ``_scope_`` keys ``mmseg::`` bases add."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items() if k != '_scope_'}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def test_voc_configs_replace_only_the_training_labels(repo_root):
    ours = Config.fromfile(
        osp.join(repo_root,
                 'configs/drs/deeplabv3plus_r101-d8_voc12aug_pseudo.py'))
    theirs = Config.fromfile(MMSEG_V3P)
    assert _plain(ours.model) == _plain(theirs.model)
    # real val masks
    assert _plain(ours.val_dataloader) == _plain(theirs.val_dataloader)
    assert _plain(ours.val_evaluator) == _plain(theirs.val_evaluator)
    assert _plain(ours.param_scheduler) == _plain(theirs.param_scheduler)
    pipe = ours.train_dataloader.dataset.pipeline
    assert [t['type'] for t in pipe] == [
        'LoadPseudoLabels' if t['type'] == 'LoadAnnotations' else t['type']
        for t in theirs.train_pipeline
    ]
    assert ours.train_dataloader.dataset.ann_file.endswith('trainaug.txt')
    v2 = Config.fromfile(
        osp.join(repo_root,
                 'configs/drs/deeplabv2_r101-d8_voc12aug_pseudo.py'))
    assert v2.model.decode_head.type == 'DeepLabV2Head'
    assert v2.model.decode_head.dilations == (6, 12, 18, 24)
    assert v2.model.auxiliary_head is None
    assert _plain(v2.model.backbone) == _plain(theirs.model.backbone)


#: models tools/test.py evaluates by their CAMs, never through a TTA wrapper
CLASSIFIERS = ('CAMClassifier', 'GroupCAMClassifier', 'MapRefiner')


def test_tta_wrapper_normalises_as_the_model(repo_root):
    """mmengine's TTA wrappers give the segmentor they wrap their own data
    preprocessor, which the Runner fills from the config's top-level
    ``data_preprocessor``: in every segmentation config (one with a
    ``tta_model``) it must normalise as the model's own, or mmseg's
    ``tools/test.py --tta`` feeds the network other inputs than it trained
    on (tools/test.py hands the wrapper the model's; its test is in
    test_tools/test_train_tools.py)."""
    import glob
    checked = []
    for path in sorted(glob.glob(osp.join(repo_root, 'configs', '*', '**',
                                          '*.py'), recursive=True)):
        rel = osp.relpath(path, repo_root)
        if rel.split(osp.sep)[1] in ('_base_', 'studies', 'pipelines'):
            continue
        cfg = Config.fromfile(path)
        own = cfg.get('model', {}).get('data_preprocessor')
        if ('tta_model' not in cfg or own is None
                or cfg.model.type in CLASSIFIERS):
            continue
        top = cfg.get('data_preprocessor')
        if not top:  # the Runner then leaves the wrapped one as it is
            continue
        for key in ('mean', 'std', 'bgr_to_rgb'):
            assert _plain(top.get(key)) == _plain(own.get(key)), (rel, key)
        checked.append(rel)
    assert 'configs/drs/cpu/cpu_deeplabv3plus_pseudo.py' in checked
    assert 'configs/drs/deeplabv2_r101-d8_voc12aug_pseudo_paper.py' in checked
