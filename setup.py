"""Builds the optional C kernel; everything else is configured in pyproject.toml."""

import platform

from setuptools import Extension, setup

# Hardware popcount for the hash index kernel (every x86-64 CPU since 2008 has it).
POPCNT = ["-mpopcnt"] if platform.machine() in ("x86_64", "AMD64") else []

setup(
    ext_modules=[
        Extension(
            "keepwild.text._fastfold",
            sources=["keepwild/text/_fastfold.c"],
            extra_compile_args=["-O2"],
            optional=True,  # without a compiler keepwild still works, on the Python path
        ),
        Extension(
            "keepwild.media._mih",
            sources=["keepwild/media/_mih.c"],
            extra_compile_args=["-O3", *POPCNT],
            optional=True,  # as above: keepwild.media._mih_py computes the same results
        ),
    ]
)
