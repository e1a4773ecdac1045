from .conv_gru import ConvGRUCell
from .drs import DRS, drs_reference
from .graph_dropout import GraphDropout

__all__ = ['ConvGRUCell', 'DRS', 'GraphDropout', 'drs_reference']
