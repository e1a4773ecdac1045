import glob
import os
import os.path as osp
import subprocess
import sys

import pytest

from mmdrs.utils.atomic import atomic_write, remove_stale_temp_files, temp_path


def test_temp_file_is_hidden_from_extension_listings(tmp_path):
    final = str(tmp_path / 'img_1.npz')
    seen = []

    def write(tmp):
        seen.append(tmp)
        # while the write is under way no '*.npz' listing sees a file
        open(tmp, 'wb').write(b'x')
        assert glob.glob(str(tmp_path / '*.npz')) == []

    atomic_write(final, write)
    assert seen == [temp_path(final)]
    assert osp.basename(seen[0]) == f'.img_1.tmp{os.getpid()}.npz'
    assert os.listdir(tmp_path) == ['img_1.npz']


def test_failed_write_leaves_nothing(tmp_path):
    final = str(tmp_path / 'a.png')

    def write(tmp):
        open(tmp, 'wb').write(b'half')
        raise OSError('disk full')

    with pytest.raises(OSError, match='disk full'):
        atomic_write(final, write)
    assert os.listdir(tmp_path) == []


def test_only_dead_writers_temp_files_are_removed(tmp_path):
    dead = subprocess.run(
        [sys.executable, '-c', 'import os; print(os.getpid())'],
        capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = temp_path(str(tmp_path / 'a.npz'), dead_pid)
    live = temp_path(str(tmp_path / 'b.npz'))
    for f in (stale, live):
        open(f, 'wb').write(b'x')
    open(tmp_path / 'c.npz', 'wb').write(b'x')
    assert remove_stale_temp_files(str(tmp_path)) == 1
    assert sorted(os.listdir(tmp_path)) == sorted(
        [osp.basename(live), 'c.npz'])
