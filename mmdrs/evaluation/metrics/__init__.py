from .cam_iou import CAMIoUMetric
from .multilabel_map import MultiLabelMAP

__all__ = ['CAMIoUMetric', 'MultiLabelMAP']
