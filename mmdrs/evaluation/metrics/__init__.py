from .cam_iou import CAMIoUMetric
from .map_writer import CAMMapWriter
from .multilabel_map import MultiLabelMAP
from .out_of_candidate_rate import OutOfCandidateRate

__all__ = ['CAMIoUMetric', 'CAMMapWriter', 'MultiLabelMAP',
           'OutOfCandidateRate']
