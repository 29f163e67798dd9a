"""Every schema the API publishes has a name of its own: ninja names OpenAPI components after the
class, so two routers' ``QuoteOut`` would silently share one description (and mislead clients)."""

from __future__ import annotations

import collections
import importlib
import inspect
import pkgutil

from ninja import Schema

import sasom


def test_schema_class_names_are_unique_across_the_api():
    seen = collections.defaultdict(set)
    for info in pkgutil.walk_packages(sasom.__path__, "sasom."):
        if not info.name.rsplit(".", 1)[-1].startswith("api"):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Schema) and obj.__module__ == module.__name__:
                seen[obj.__name__].add(obj.__module__)
    # base classes that are never published on their own
    clashes = {name: mods for name, mods in seen.items() if len(mods) > 1 and name not in {"Body", "Page"}}
    assert not clashes
