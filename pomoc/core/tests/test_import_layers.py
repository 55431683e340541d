"""The packages import downwards only, and nothing imports itself in a circle.

Layers, lowest first: core → accounts, contacts, calendars → tickets → channels (and each kind inside it) →
automation, reports, portal, administration, demo → api and the project modules (settings, urls,
asgi, cli). A lower layer asks a higher one through a port it owns (``tickets/replies.py``), never
by importing it. Tests and migrations are not counted: they may use anything.
"""

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]

LAYERS = {
    "core": 0,
    "accounts": 1, "contacts": 1, "calendars": 1,
    "tickets": 2, "drafts": 2, "timetracking": 2,
    "channels": 3,
    "automation": 4, "notifications": 4, "reports": 4, "surveys": 4, "customers": 4, "portal": 4,
    "administration": 4, "demo": 4, "orders": 4,
    "search": 1, "kb": 4,
    "community": 4,
    "api": 5,
}
TOP = 6  # settings, urls, asgi, cli, …


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "pomoc" or len(parts) < 2:
        return None
    return parts[1]


def _layer(package: str) -> int:
    return LAYERS.get(package, TOP)


def _source_modules():
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent)
        parts = relative.with_suffix("").parts
        if "tests" in parts or "migrations" in parts or "testing" in parts:
            continue
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield module, path


def _imports(path: Path, module: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")[: -node.level] if not path.name == "__init__.py" else \
                    module.split(".")[: len(module.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("pomoc.")}


def test_no_package_imports_a_higher_layer():
    upward = []
    for module, path in _source_modules():
        source = _package_of(module)
        if source is None:
            continue
        for name in _imports(path, module):
            target = _package_of(name)
            if target and target != source and _layer(target) > _layer(source):
                upward.append(f"{module} imports {name} ({source} is below {target})")
    assert not sorted(set(upward)), "\n".join(sorted(set(upward)))


def test_the_ticket_core_imports_no_channel_kind():
    """Channels find the core; the core never names a channel (e-mail included)."""
    offenders = []
    for module, path in _source_modules():
        if _package_of(module) in ("core", "accounts", "contacts", "tickets"):
            offenders += [f"{module} imports {name}" for name in _imports(path, module)
                          if name.startswith("pomoc.channels")]
    assert not offenders, "\n".join(offenders)


def test_no_import_cycles_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in _source_modules():
        source = _package_of(module)
        for name in _imports(path, module):
            target = _package_of(name)
            if source and target and target != source:
                graph[source].add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(f"{a} → {b} → … → {a}" for a in list(graph) for b in graph[a] if reaches(b, a, {b}))
    assert not cycles, "\n".join(cycles)
