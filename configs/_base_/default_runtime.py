# mmseg's runtime plus mmdrs's components; epoch-based logging.
_base_ = ['mmseg::_base_/default_runtime.py']
custom_imports = dict(imports=['mmdrs'], allow_failed_imports=False)
log_processor = dict(by_epoch=True)
