"""mmdrs.utils.cpu_info: one field of /proc/cpuinfo."""
import builtins
import os.path as osp

import pytest

from mmdrs.utils import cpu_name, cpuinfo_value


def test_first_matching_line_value(tmp_path, monkeypatch):
    fake = tmp_path / 'cpuinfo'
    fake.write_text('processor\t: 0\nmodel name\t: Some CPU: v2\n'
                    'Features\t: fp asimd\nmodel name\t: Other\n')
    real_open = builtins.open
    monkeypatch.setattr(
        builtins, 'open', lambda f, *a, **k: real_open(
            fake if f == '/proc/cpuinfo' else f, *a, **k))
    # the text after the first ':' of the first matching line
    assert cpuinfo_value(('model name', ), 'x') == 'Some CPU: v2'
    assert cpuinfo_value(('flags', 'Features'), 'x') == 'fp asimd'
    assert cpuinfo_value(('bogus', ), 'fallback') == 'fallback'
    assert cpu_name() == 'Some CPU: v2'


def test_default_without_the_file(monkeypatch):
    def missing(f, *a, **k):
        raise FileNotFoundError(f)
    monkeypatch.setattr(builtins, 'open', missing)
    assert cpuinfo_value(('model name', ), 'fallback') == 'fallback'


@pytest.mark.skipif(not osp.exists('/proc/cpuinfo'), reason='Linux only')
def test_this_machine_has_a_name_and_flags():
    assert cpu_name()
    assert cpuinfo_value(('flags', 'Features'), '') != ''
