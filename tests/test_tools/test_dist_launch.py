"""Multi-node and cluster launchers: tools/dist_train.sh as two nodes,
tools/slurm_train.sh / slurm_test.sh's srun command lines."""
import json
import os
import os.path as osp
import signal
import socket
import subprocess
import sys

import pytest
import torch

HERE = osp.dirname(osp.abspath(__file__))


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_dist_train_two_nodes_train_one_model(tiny_cls_config, repo_root,
                                              tmp_path):
    """Two "nodes" of one process each (NNODES=2, NODE_RANK=0/1 on this
    machine, gloo on CPU) join one job: every rank trains on its half of
    the data and ends with the same parameters, the ones rank 0 saved."""
    from param_checksum_hook import param_digest
    cfg = tiny_cls_config(
        epochs=1,
        extra="custom_imports = dict(imports=['mmdrs', "
        "'param_checksum_hook'], allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='ParamChecksumHook')]\n")
    work = str(tmp_path / 'work')
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        PYTHONPATH=HERE,
        NNODES='2',
        MASTER_ADDR='127.0.0.1',
        PORT=str(_free_port()),
        OMP_NUM_THREADS='1',
        CUDA_VISIBLE_DEVICES='')  # the gloo (CPU) path on GPU hosts too
    # 48 train images, 12 per rank and step: 2 iterations on each of the 2
    # ranks (4 alone); no validation
    cmd = [
        'bash', 'tools/dist_train.sh', cfg, '1', '--work-dir', work,
        '--cfg-options', 'train_dataloader.batch_size=12',
        'train_cfg.val_interval=2'
    ]
    procs, logs = [], []
    try:
        for node in (0, 1):
            log = open(tmp_path / f'node{node}.log', 'w+')
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    cmd, cwd=repo_root, env=dict(env, NODE_RANK=str(node)),
                    stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True))
        codes = [p.wait(timeout=600) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        text = []
        for log in logs:
            log.seek(0)
            text.append(log.read())
            log.close()
    assert codes == [0, 0], '\n'.join(t[-3000:] for t in text)

    records = []
    for rank in (0, 1):
        with open(osp.join(work, f'params_rank{rank}.json')) as f:
            records.append(json.load(f))
    assert [r['rank'] for r in records] == [0, 1]
    assert [r['world_size'] for r in records] == [2, 2]
    assert [r['iters'] for r in records] == [2, 2]
    # same start, trained (parameters moved), same end
    assert records[0]['initial'] == records[1]['initial']
    assert records[0]['final'] != records[0]['initial']
    assert records[0]['final'] == records[1]['final']
    # rank 0's checkpoint holds the parameters both ranks ended with
    ckpt = torch.load(
        osp.join(work, 'epoch_1.pth'), map_location='cpu',
        weights_only=False)
    state = ckpt['state_dict']
    names = records[1]['names']
    assert set(names) <= set(state)
    assert param_digest((n, state[n]) for n in names) == records[1]['final']
    assert ckpt['meta']['iter'] == 2


def _fake_srun(tmp_path):
    """A ``srun`` on PATH that records its arguments, one per line."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    srun = bin_dir / 'srun'
    srun.write_text('#!/usr/bin/env bash\n'
                    'printf "%s\\n" "$@" > "$SRUN_RECORD"\n'
                    'printf "%s\\n" "$PYTHONPATH" > "$SRUN_RECORD.env"\n')
    srun.chmod(0o755)
    return str(bin_dir)


def _srun_args(script, args, env, repo_root, tmp_path):
    record = str(tmp_path / 'srun_args.txt')
    e = dict(os.environ, SRUN_RECORD=record, PYTHON='python3')
    e['PATH'] = _fake_srun(tmp_path) + os.pathsep + e['PATH']
    for key in ('GPUS', 'GPUS_PER_NODE', 'CPUS_PER_TASK', 'SRUN_ARGS',
                'TOOL'):
        e.pop(key, None)
    e.update(env)
    p = subprocess.run(['bash', script, *args], cwd=repo_root, env=e,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    with open(record) as f:
        argv = f.read().splitlines()
    with open(record + '.env') as f:
        pythonpath = f.read().splitlines()[0]
    return argv, pythonpath


@pytest.mark.parametrize('env,expect', [
    (dict(), [
        '-p', 'gpu', '--job-name=drs', '--gres=gpu:4', '--ntasks=4',
        '--ntasks-per-node=4', '--cpus-per-task=5', '--kill-on-bad-exit=1'
    ]),
    (dict(GPUS='16', GPUS_PER_NODE='8', CPUS_PER_TASK='2',
          SRUN_ARGS='--quotatype=auto --time=1-0'), [
        '-p', 'gpu', '--job-name=drs', '--gres=gpu:8', '--ntasks=16',
        '--ntasks-per-node=8', '--cpus-per-task=2', '--kill-on-bad-exit=1',
        '--quotatype=auto', '--time=1-0'
    ]),
    # fewer GPUs than a node has: ask for those on one node
    (dict(GPUS='2'), [
        '-p', 'gpu', '--job-name=drs', '--gres=gpu:2', '--ntasks=2',
        '--ntasks-per-node=2', '--cpus-per-task=5', '--kill-on-bad-exit=1'
    ]),
])
def test_slurm_train_command(env, expect, repo_root, tmp_path):
    argv, pythonpath = _srun_args(
        'tools/slurm_train.sh', [
            'gpu', 'drs', 'configs/drs/voc_cls.py', 'work_dirs/x',
            '--cfg-options', 'train_cfg.max_epochs=1', 'a=b c'
        ], env, repo_root, tmp_path)
    n = len(expect)
    assert argv[:n] == expect
    assert argv[n:] == [
        'python3', '-u', 'tools/train.py', 'configs/drs/voc_cls.py',
        '--work-dir', 'work_dirs/x', '--launcher', 'slurm', '--cfg-options',
        'train_cfg.max_epochs=1', 'a=b c'
    ]
    assert pythonpath.split(os.pathsep)[0] == 'tools/..'


@pytest.mark.parametrize('tool', [None, 'generate_maps.py'])
def test_slurm_test_command(tool, repo_root, tmp_path):
    env = dict(GPUS='8', GPUS_PER_NODE='8')
    if tool:
        env['TOOL'] = tool
    argv, _ = _srun_args(
        'tools/slurm_test.sh',
        ['gpu', 'maps', 'configs/drs/voc_cls.py', 'cls.pth', '--out-dir',
         'maps'], env, repo_root, tmp_path)
    assert argv[:8] == [
        '-p', 'gpu', '--job-name=maps', '--gres=gpu:8', '--ntasks=8',
        '--ntasks-per-node=8', '--cpus-per-task=5', '--kill-on-bad-exit=1'
    ]
    assert argv[8:] == [
        'python3', '-u', f'tools/{tool or "test.py"}',
        'configs/drs/voc_cls.py', 'cls.pth', '--launcher', 'slurm',
        '--out-dir', 'maps'
    ]


def test_slurm_train_usage(repo_root):
    p = subprocess.run(['bash', 'tools/slurm_train.sh', 'gpu', 'drs'],
                       cwd=repo_root, capture_output=True, text=True)
    assert p.returncode == 2
    assert 'PARTITION JOB_NAME CONFIG WORK_DIR' in p.stderr
