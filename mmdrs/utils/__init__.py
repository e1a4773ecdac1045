from .compat import apply_shims, configure_cpu_distributed
from .cpu_info import cpu_name, cpuinfo_value
from .pkg_checkpoint import resolve_pypkg_path
from .runner_cfg import load_runner_config, set_local_rank_env

__all__ = [
    'apply_shims', 'configure_cpu_distributed', 'load_runner_config',
    'set_local_rank_env', 'resolve_pypkg_path', 'cpu_name', 'cpuinfo_value'
]
