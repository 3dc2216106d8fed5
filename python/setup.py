"""pip install --no-build-isolation ./python

Builds the native module and the dltsim executable with CMake (the whole project), or, when
DLTSIM_BUILD_DIR names an existing build directory, takes them from it.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VERSION = re.search(r"project\(dltsim VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.environ.get("DLTSIM_BUILD_DIR")
        if build:
            build = Path(build)
            if not build.is_absolute():
                # pip runs setup.py from another folder: a relative path means the one pip was called
                # from, which the shell's PWD still names.
                build = Path(os.environ.get("PWD") or os.getcwd()) / build
        else:
            build = Path(self.build_temp).resolve() / "cmake"
            subprocess.check_call(["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                                   "-DDLTSIM_TESTS=OFF", f"-DPython_EXECUTABLE={sys.executable}"])
            subprocess.check_call(["cmake", "--build", str(build), "--target", "dltsim_python",
                                   "-j", str(os.cpu_count() or 2)])
        package = build / "python" / "dltsim"
        native = sorted(package.glob("_dltsim*.so"))
        if not native:
            raise RuntimeError(f"no native module in {package}: build the project first")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(native[0], target)
        (target.parent / "_bin").mkdir(exist_ok=True)
        shutil.copy2(package / "_bin" / "dltsim", target.parent / "_bin" / "dltsim")
        if (package / "_data").is_dir():  # the shipped scenarios and studies
            shutil.copytree(package / "_data", target.parent / "_data", dirs_exist_ok=True)


setup(
    name="dltsim",
    version=VERSION,
    description="Discrete-event simulator for security research on distributed ledgers",
    packages=["dltsim"],
    ext_modules=[Extension("dltsim._dltsim", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    # h5py is needed too, but Debian's python3-h5py registers under another distribution name
    # (h5py._debian_h5py_serial), which pip would not recognise; it is imported at run time.
    install_requires=["numpy", "pandas"],
    zip_safe=False,
)
