import numpy as np
import pytest
import torch

from mmdrs.fileio import load_cam_maps, map_file, save_cam_maps

CLASSES = ['a', 'b', 'c', 'd']


def test_roundtrip_keeps_present_classes_quantised(tmp_path):
    rng = np.random.default_rng(0)
    full = rng.random((4, 7, 9)).astype(np.float32)
    path = map_file(str(tmp_path), '/x/JPEGImages/img_1.jpg')
    assert path.endswith('img_1.npz')
    size = save_cam_maps(path, torch.from_numpy(full[[1, 3]]), [1, 3],
                         CLASSES)
    assert size > 0 and not list(tmp_path.glob('*.tmp*'))
    with np.load(path) as f:
        assert f['maps'].dtype == np.uint8 and f['maps'].shape == (2, 7, 9)
        assert f['labels'].tolist() == [1, 3]
        assert f['classes'].tolist() == CLASSES
    m = load_cam_maps(path, CLASSES, size=(7, 9))
    assert m['maps'].shape == (4, 7, 9) and m['labels'].tolist() == [1, 3]
    assert np.abs(m['maps'][[1, 3]] - full[[1, 3]]).max() <= 0.5 / 255 + 1e-7
    assert not m['maps'][[0, 2]].any()  # absent classes are zero


def test_values_outside_unit_range_are_clipped(tmp_path):
    path = str(tmp_path / 'r.npz')
    save_cam_maps(path, np.array([[[-0.5, 1.7]]], np.float32), [0], CLASSES)
    assert load_cam_maps(path)['maps'][0].tolist() == [[0.0, 1.0]]


def test_bad_inputs_name_the_file(tmp_path):
    path = str(tmp_path / 'm.npz')
    save_cam_maps(path, np.zeros((1, 3, 3), np.float32), [2], CLASSES)
    with pytest.raises(ValueError, match='m.npz.*another dataset'):
        load_cam_maps(path, ['a', 'b', 'c', 'x'])
    with pytest.raises(ValueError, match=r'm.npz.*\(3, 3\).*\(4, 4\)'):
        load_cam_maps(path, CLASSES, size=(4, 4))
    with pytest.raises(FileNotFoundError, match='nope.npz'):
        load_cam_maps(str(tmp_path / 'nope.npz'))
    bad = tmp_path / 'trunc.npz'
    bad.write_bytes(open(path, 'rb').read()[:40])
    with pytest.raises(ValueError, match='trunc.npz'):
        load_cam_maps(str(bad))
    with pytest.raises(ValueError, match='2 maps for 1 labels'):
        save_cam_maps(path, np.zeros((2, 3, 3)), [0], CLASSES)
    with pytest.raises(ValueError, match='out of range'):
        save_cam_maps(path, np.zeros((1, 3, 3)), [4], CLASSES)


def test_write_npz_is_numpys_format_at_any_level(tmp_path):
    from mmdrs.fileio.cam_maps import write_npz
    rng = np.random.default_rng(1)
    smooth = np.repeat(rng.integers(0, 255, (3, 40, 1)), 60, axis=2)
    arrays = dict(maps=smooth.astype(np.uint8), labels=np.arange(3),
                  classes=np.asarray(CLASSES, dtype=str))
    sizes = {}
    for level in (0, 3, 9):
        path = str(tmp_path / f'l{level}.npz')
        write_npz(path, arrays, level)
        with np.load(path) as f:
            assert sorted(f.files) == sorted(arrays)
            for k, v in arrays.items():
                assert f[k].dtype == v.dtype
                assert np.array_equal(f[k], v)
        sizes[level] = (tmp_path / f'l{level}.npz').stat().st_size
    assert sizes[9] <= sizes[3] < sizes[0]  # level 0 stores, others deflate
