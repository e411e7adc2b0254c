"""Builds the optional C kernel; everything else is configured in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "keepwild.text._fastfold",
            sources=["keepwild/text/_fastfold.c"],
            extra_compile_args=["-O2"],
            optional=True,  # without a compiler keepwild still works, on the Python path
        )
    ]
)
