"""Parts of ``tools/benchmarks/train_step.py``: the timer shared by every
mode (:mod:`.core`), and per mode the networks it compares (:mod:`.drs`,
:mod:`.group`, :mod:`.seg_loss`) and the DRS mode's extra measurements
(:mod:`.drs_share`, :mod:`.drs_memory`)."""
