from .functional import (average_precision, cam_confusion,
                         iou_from_confusion, label_confusion,
                         label_miou, label_precision_coverage,
                         threshold_sweep_summary)
from .metrics import (CAMIoUMetric, CAMMapWriter, MultiLabelMAP,
                      OutOfCandidateRate)

__all__ = [
    'average_precision', 'cam_confusion', 'iou_from_confusion',
    'label_confusion', 'label_miou', 'label_precision_coverage',
    'threshold_sweep_summary', 'CAMIoUMetric', 'CAMMapWriter',
    'MultiLabelMAP', 'OutOfCandidateRate'
]
