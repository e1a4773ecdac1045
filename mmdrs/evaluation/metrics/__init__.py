from .cam_iou import CAMIoUMetric
from .map_writer import CAMMapWriter
from .multilabel_map import MultiLabelMAP

__all__ = ['CAMIoUMetric', 'CAMMapWriter', 'MultiLabelMAP']
