"""Building and loading mmdrs's C kernels (mmdrs/models/layers/native_lib.py)
for both libraries: DRS's and the depthwise convolution's."""
import os

import pytest
import torch
import torch.nn.functional as F

from mmdrs.models.layers import depthwise_conv, drs_cpu, native_lib
from mmdrs.models.layers import drs_function as drs_fn

LIBRARIES = {'drs': drs_cpu.LIBRARY, 'depthwise': depthwise_conv.LIBRARY}


def _copy(lib: native_lib.NativeLibrary, **changes):
    kw = dict(name=lib.name, source=lib.source, signatures=lib.signatures,
              switch=lib.switch, what=lib.what)
    kw.update(changes)
    return native_lib.NativeLibrary(**kw)


@pytest.mark.parametrize('which', sorted(LIBRARIES))
def test_build_is_cached_and_atomic(which, tmp_path, monkeypatch):
    if native_lib._compiler() is None:
        pytest.skip('no C compiler')
    lib = _copy(LIBRARIES[which])
    monkeypatch.setenv('MMDRS_OPS_CACHE', str(tmp_path / 'cache'))
    path = lib.build()
    assert os.path.dirname(path) == str(tmp_path / 'cache')
    assert os.path.basename(path).startswith(lib.name + '-')
    assert os.listdir(tmp_path / 'cache') == [os.path.basename(path)]
    mtime = os.path.getmtime(path)
    assert lib.build() == path  # cached: not rebuilt
    assert os.path.getmtime(path) == mtime
    assert lib.available()
    for name in lib.signatures:  # every declared function is exported
        assert getattr(lib.load(), name).restype is None


def test_a_header_change_rebuilds(tmp_path, monkeypatch):
    """The cache key covers the headers beside the source: a library whose
    vec.h changed is built anew, not loaded stale."""
    if native_lib._compiler() is None:
        pytest.skip('no C compiler')
    src = tmp_path / 'src'
    src.mkdir()
    (src / 'k.c').write_text('#include "vec.h"\nvoid k(float *p) '
                             '{ *p = VALUE; }\n')
    (src / 'vec.h').write_text('#define VALUE 1.f\n')
    lib = native_lib.NativeLibrary('k', str(src / 'k.c'), {}, 'MMDRS_K',
                                   'test')
    assert lib.files() == [str(src / 'k.c'), str(src / 'vec.h')]
    monkeypatch.setenv('MMDRS_OPS_CACHE', str(tmp_path / 'cache'))
    first = lib.build()
    (src / 'vec.h').write_text('#define VALUE 2.f\n')
    second = lib.build()
    assert first != second and os.path.isfile(first)


def test_libraries_do_not_share_a_cache_file(tmp_path, monkeypatch):
    if native_lib._compiler() is None:
        pytest.skip('no C compiler')
    monkeypatch.setenv('MMDRS_OPS_CACHE', str(tmp_path))
    paths = {_copy(lib).build() for lib in LIBRARIES.values()}
    assert len(paths) == 2 and set(os.listdir(tmp_path)) == {
        os.path.basename(p) for p in paths}


def test_no_compiler_warns_once_and_falls_back(tmp_path, monkeypatch):
    monkeypatch.setenv('MMDRS_OPS_CACHE', str(tmp_path / 'empty'))
    monkeypatch.setattr(native_lib, '_compiler', lambda: None)
    for lib in LIBRARIES.values():
        lib.reset()
    try:
        with pytest.raises(RuntimeError, match='no C compiler'):
            drs_cpu.LIBRARY.build()
        x = torch.randn(2, 3, 5, 5)
        with pytest.warns(UserWarning, match='DRS: the CPU kernels are '
                          'unavailable'):
            assert drs_fn.resolve_impl('auto', x) == 'eager'
        assert not drs_cpu.available()  # no second attempt, no warning
        w = torch.randn(3, 1, 3, 3)
        with pytest.warns(UserWarning, match='depthwise convolution: the CPU'
                          ' kernels are unavailable'):
            out = depthwise_conv.depthwise_conv2d(x, w)
        torch.testing.assert_close(out, F.conv2d(x, w, groups=3))
    finally:
        for lib in LIBRARIES.values():
            lib.reset()


@pytest.mark.parametrize('which', sorted(LIBRARIES))
def test_switch_variable_turns_a_library_off(which, monkeypatch):
    lib = _copy(LIBRARIES[which])
    monkeypatch.setenv(lib.switch, '0')
    assert lib.load() is None and not lib.available()


def test_build_error_names_the_compiler_message(tmp_path, monkeypatch):
    if native_lib._compiler() is None:
        pytest.skip('no C compiler')
    bad = tmp_path / 'bad.c'
    bad.write_text('this is not C\n')
    lib = _copy(drs_cpu.LIBRARY, source=str(bad))
    monkeypatch.setenv('MMDRS_OPS_CACHE', str(tmp_path / 'cache'))
    with pytest.raises(RuntimeError, match='compiling the DRS CPU kernels'):
        lib.build()
    assert os.listdir(tmp_path / 'cache') == []  # no half-written library
