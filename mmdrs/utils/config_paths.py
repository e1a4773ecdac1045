"""Where mmdrs's ``configs/`` and ``tools/`` are: a checkout or an install.

A source checkout (and an editable install of one) keeps them beside the
package. An installed copy (``pip install .``, a wheel) carries them inside
the package, in ``mmdrs/.mim/``, where ``setup.py`` copies them at build
time, as OpenMMLab packages ship theirs: that is where
``mim train mmdrs CONFIG`` looks, and where the pipeline finds its profiles.
"""
import os.path as osp

#: The imported ``mmdrs`` package folder.
PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))


def project_root(package_dir: str = PACKAGE_DIR) -> str:
    """The folder holding ``configs/`` and ``tools/``.

    Args:
        package_dir (str): The ``mmdrs`` package folder. Defaults to the
            imported one.

    Returns:
        str: ``<package>/.mim`` in an installed copy, else the checkout (the
        package's parent folder).
    """
    mim = osp.join(package_dir, '.mim')
    if osp.isdir(osp.join(mim, 'configs')):
        return mim
    return osp.dirname(package_dir)
