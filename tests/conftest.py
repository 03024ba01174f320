"""Shared pytest setup. Kept light: the `slow` marker is registered in pyproject.toml."""

import numpy as np

import wengert


def pytest_report_header(config):
    return (f"wengert {wengert.__version__} from {wengert.__file__}; numpy {np.__version__}; "
            f"{len(wengert.registry)} registered primitives")
