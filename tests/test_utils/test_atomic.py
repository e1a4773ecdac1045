import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from mmdrs.utils.atomic import (atomic_write, remove_stale_temp_files,
                                temp_path, write_json_atomic,
                                write_text_atomic)


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


def test_text_and_json_writers_replace_the_file(tmp_path):
    path = str(tmp_path / 'r.json')
    write_text_atomic(path, 'old')
    write_json_atomic(path, {'mIoU': 12.5, 'rows': [1, 2]})
    with open(path) as f:
        text = f.read()
    assert json.loads(text) == {'mIoU': 12.5, 'rows': [1, 2]}
    assert text.startswith('{\n  "mIoU"')  # indented, as before
    assert os.listdir(tmp_path) == ['r.json']


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


def _no_proc(monkeypatch):
    """Make ``/proc`` look absent, as on macOS."""
    exists = osp.exists
    monkeypatch.setattr(
        osp, 'exists',
        lambda p: False if str(p).startswith('/proc') else exists(p))


def test_live_child_kept_dead_child_removed_without_proc(
        tmp_path, monkeypatch):
    _no_proc(monkeypatch)
    child = subprocess.Popen([sys.executable, '-c', 'input()'],
                             stdin=subprocess.PIPE)
    try:
        tmp = temp_path(str(tmp_path / 'a.npz'), child.pid)
        mine = temp_path(str(tmp_path / 'b.npz'))
        for f in (tmp, mine):
            open(f, 'wb').write(b'x')
        assert remove_stale_temp_files(str(tmp_path)) == 0
        assert sorted(os.listdir(tmp_path)) == sorted(
            [osp.basename(tmp), osp.basename(mine)])
    finally:
        child.communicate(b'\n', timeout=60)  # exits and is reaped
    assert remove_stale_temp_files(str(tmp_path)) == 1
    assert os.listdir(tmp_path) == [osp.basename(mine)]


def test_other_users_process_counts_as_alive(tmp_path, monkeypatch):
    from mmdrs.utils import atomic

    def kill(pid, sig):
        assert sig == 0  # only probed, never signalled
        raise PermissionError(1, 'Operation not permitted')

    monkeypatch.setattr(atomic.os, 'kill', kill)
    open(temp_path(str(tmp_path / 'a.npz'), 4242), 'wb').write(b'x')
    assert remove_stale_temp_files(str(tmp_path)) == 0
    assert atomic.pid_alive(4242)
    assert not atomic.pid_alive(0)  # a process group, never a writer
