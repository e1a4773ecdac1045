from .drs import DRS, drs_reference

__all__ = ['DRS', 'drs_reference']
