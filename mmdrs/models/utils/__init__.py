from .cam import cams_to_seg_logits, normalize_cams, stack_image_labels

__all__ = ['cams_to_seg_logits', 'normalize_cams', 'stack_image_labels']
