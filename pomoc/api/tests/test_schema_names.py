"""Every schema of the API has a name of its own: django-ninja keys the OpenAPI components by class
name, so a second ``AttachmentOut`` silently replaces the first and the documented responses lie."""

import importlib
import pkgutil

from ninja import Schema

import pomoc.api


def test_no_two_api_schemas_share_a_name():
    seen: dict[str, str] = {}
    clashes = []
    for info in pkgutil.iter_modules(pomoc.api.__path__):
        module = importlib.import_module(f"pomoc.api.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__:
                if name in seen and seen[name] != module.__name__:
                    clashes.append(f"{name}: {seen[name]} and {module.__name__}")
                seen.setdefault(name, module.__name__)
    assert clashes == []
