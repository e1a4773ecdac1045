from .deeplabv2_head import DeepLabV2Head
from .multilabel_cam_head import MultiLabelCAMHead
from .rrm_head import RRMHead

__all__ = ['DeepLabV2Head', 'MultiLabelCAMHead', 'RRMHead']
