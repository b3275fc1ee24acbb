"""The house: data flows one way, and no module imports one that comes after it.

catalog → loading and alignment → models → themes → writers → build → command line.
Every ``import geo...`` in the package (at module level or inside a function)
is read from the source, so a lazy import cannot hide a loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parent.parent / "geo"

STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("foundations", ("geo.errors", "geo.i18n", "geo.progress")),
    (
        "contracts",
        ("geo.layerspec", "geo.results", "geo.raster", "geo.symbology", "geo.recipe", "geo.crs"),
    ),
    ("catalog", ("geo.io", "geo.validate", "geo.catalog")),
    (
        "alignment",
        ("geo.grid", "geo.area", "geo.places", "geo.synthetic", "geo.cost", "geo.chunks"),
    ),
    ("real data", ("geo.fetch",)),
    ("models", ("geo.models",)),
    ("themes", ("geo.themes",)),
    ("writers", ("geo.writers", "geo.manifest")),
    ("build", ("geo.staging", "geo.build")),
    ("command line", ("geo.commands", "geo.cli")),
]
"""The stages in the order data flows through them; a module may import its own stage or earlier."""

WRITERS_MAY_IMPORT = (
    "geo.errors", "geo.i18n", "geo.progress", "geo.results", "geo.raster", "geo.symbology",
    "geo.layerspec", "geo.crs", "geo.writers",
)  # fmt: skip
"""Writers read results through the contracts alone (never the catalog, a model or a theme)."""


def _module_name(path: Path) -> str:
    rel = path.relative_to(GEO.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("geo.")}
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and (node.module.startswith("geo.") or node.module == "geo")
        ):
            found.add(node.module)
    return found


def _stage(module: str) -> int | None:
    if module == "geo":
        return len(STAGES)  # the package's flat API re-exports everything
    for i, (_, prefixes) in enumerate(STAGES):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    return None


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(GEO.rglob("*.py"))}


def test_every_module_has_a_stage():
    assert [m for m in _graph() if _stage(m) is None] == []


def test_imports_flow_one_way():
    backwards = []
    for module, imports in _graph().items():
        here = _stage(module)
        assert here is not None
        for imp in sorted(imports):
            there = _stage(imp)
            if there is not None and there > here:
                backwards.append(f"{module} ({STAGES[here][0]}) imports {imp} ({STAGES[there][0]})")
    assert backwards == []


def test_writers_import_only_the_contracts():
    bad = [
        f"{module} imports {imp}"
        for module, imports in _graph().items()
        if module.startswith("geo.writers") or module == "geo.manifest"
        for imp in sorted(imports)
        if not any(imp == p or imp.startswith(p + ".") for p in WRITERS_MAY_IMPORT)
        and not (module == "geo.manifest" and imp == "geo.catalog")
    ]
    assert bad == []


def test_no_import_cycle():
    graph = _graph()
    modules = set(graph)

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges = {m: {r for i in imps if (r := resolve(i)) and r != m} for m, imps in graph.items()}
    # a package's __init__ re-exporting its submodules is not a cycle with them
    edges = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in edges.items()}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(m: str, path: list[str]) -> bool:
        state[m] = 1
        for t in sorted(edges[m]):
            if state.get(t) == 1:
                cycle.extend([*path[path.index(t) :], t] if t in path else [m, t])
                return True
            if t not in state and visit(t, [*path, t]):
                return True
        state[m] = 2
        return False

    for m in sorted(edges):
        if m not in state and visit(m, [m]):
            break
    assert cycle == [], " → ".join(cycle)


def test_the_checker_sees_a_backward_import(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from geo.build import build_atlas\n", encoding="utf-8")
    assert _imports(bad) == {"geo.build"}
    assert _stage("geo.build") > _stage("geo.themes.pollution")  # type: ignore[operator]


@pytest.mark.parametrize(
    "theme", ["pollution", "land_suitability", "infrastructure_wear", "sustainability"]
)
def test_every_theme_follows_the_protocol(theme):
    import importlib

    from geo.themes import THEMES
    from geo.themes.base import ThemeSpec

    module = importlib.import_module(THEMES[theme])
    assert isinstance(module.SPEC, ThemeSpec) and module.SPEC.id == theme
    assert callable(module.read_settings) and callable(module.build)
    assert set(module.SPEC.requires) <= set(THEMES)
