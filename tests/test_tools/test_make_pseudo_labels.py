"""tools/make_pseudo_labels.py: the API's labels, its CRF settings."""
import os

import numpy as np
import pytest
from PIL import Image

pytest.importorskip('pydensecrf')


def _labels(out_dir):
    return {f: np.array(Image.open(os.path.join(out_dir, f)))
            for f in sorted(os.listdir(out_dir)) if f.endswith('.png')}


def test_crf_cfg_reaches_the_label_crf(voc_photos, tmp_path, load_tool,
                                       maps_from_masks):
    """``--crf labels`` is IRN's label CRF, ``--crf-cfg`` changes it (here
    PSA's colour width): the tool writes what the API makes with that
    ``crf_cfg``; ``--crf-cfg`` without a CRF is refused."""
    from mmdrs.apis.label_generation import make_pseudo_labels
    tool = load_tool('make_pseudo_labels')
    maps = maps_from_masks(voc_photos, str(tmp_path / 'maps'), noise=0.6)
    common = [maps, '--data-root', voc_photos, '--mode', 'constant',
              '--bg-score', '0.5', '--crf', 'labels', '--workers', '0']
    irn = tool.main(common + ['--out-dir', str(tmp_path / 'irn')])
    psa = tool.main(common + ['--out-dir', str(tmp_path / 'psa'),
                              '--crf-cfg', 'bilateral_srgb=13'])
    api = make_pseudo_labels(maps, voc_photos, str(tmp_path / 'api'),
                             mode='constant', bg_score=0.5, crf='labels',
                             crf_cfg=dict(bilateral_srgb=13), workers=0)
    assert psa == api and irn['mIoU'] != psa['mIoU']
    got, want = _labels(tmp_path / 'psa'), _labels(tmp_path / 'api')
    assert list(got) == list(want) and len(got) == 8
    assert all(np.array_equal(got[f], want[f]) for f in got)
    assert any(not np.array_equal(got[f], v)
               for f, v in _labels(tmp_path / 'irn').items())
    with pytest.raises(SystemExit):
        tool.parse_args(common[:-4] + ['--out-dir', 'x', '--crf-cfg',
                                       'bilateral_srgb=13'])
