from .multilabel_cam_head import MultiLabelCAMHead

__all__ = ['MultiLabelCAMHead']
