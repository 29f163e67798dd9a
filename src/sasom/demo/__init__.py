"""The demo organization (``sasom demo``); the code is in :mod:`sasom.demo.build`.

This package is also a Django app (for its management command), so it must not import models
when Django loads it: names are read from ``build`` on first use (PEP 562).
"""

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    # imported on first use: build loads models, which Django forbids while it loads this app
    return getattr(importlib.import_module("sasom.demo.build"), name)
