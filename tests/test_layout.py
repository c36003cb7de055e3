"""The house reads top-down: imports go down the pipeline only, no private name crosses a
module, and no module or class grows past what one reader holds in mind (issue 19)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "matcher"
# The pipeline's stages, in order: a module may import from its own stage and the ones before.
STAGES = [
    ("errors", "models", "settings", "places", "output"),
    ("read",),
    ("skills",),
    ("analyse",),
    ("weigh", "filters"),
    ("index",),
    ("search",),
    ("engines.local",),
    ("matcher",),
    ("api", "skill_files", "engines.dask"),
    ("render",),
    ("commands", "cli", "__main__"),
]
MODULE_LINES = 650  # "about 600"
CLASS_LINES = 260  # "about 250"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> int:
    for number, names in enumerate(STAGES):
        for name in names:
            if module == name or module.startswith(name + "."):
                return number
    raise AssertionError(f"matcher.{module} is in no stage of the pipeline")


def _is_module(parts: list[str]) -> bool:
    where = PACKAGE.joinpath(*parts)
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """Return (module imported, names, line) for each import of the package's own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _name(path).split(".") if _name(path) else []
    package = here if path.name == "__init__.py" else here[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [a.name for a in node.names]
            modules = [n for n in names if _is_module([*target.split("."), n] if target else [n])]
            out += [(".".join([*filter(None, [target]), n]), [], node.lineno) for n in modules]
            rest = [n for n in names if n not in modules]
            if rest and target:
                out.append((target, rest, node.lineno))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("matcher."):
            out.append((node.module[len("matcher."):], [a.name for a in node.names], node.lineno))  # type: ignore[index]
    return out


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_imports_go_down_the_pipeline_and_take_no_private_name(path):
    me = _name(path)
    if not me:
        return  # matcher/__init__.py names the public API lazily, from every stage
    for target, names, line in _imports(path):
        if not target:
            continue  # "from .. import __version__"
        assert _stage(target) <= _stage(me), f"{path.name}:{line} imports matcher.{target}, a later stage"
        same = target == me or (path.name == "__init__.py" and target.startswith(me + "."))
        private = [n for n in names if n.startswith("_") and n != "__version__"]
        assert same or not private, f"{path.name}:{line} imports private {private} from matcher.{target}"


def test_no_module_or_class_is_past_the_size_one_reader_holds():
    big = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MODULE_LINES:
            big.append(f"{_name(path)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno > CLASS_LINES:  # type: ignore[operator]
                big.append(f"{_name(path)}.{node.name}: {node.end_lineno - node.lineno} lines")  # type: ignore[operator]
    assert not big, big


def test_every_public_name_resolves_and_every_error_the_library_raises_is_exported():
    """A user catches what the library raises by the names ``matcher`` exports."""
    import matcher
    from matcher import errors

    for name in matcher.__all__:
        assert getattr(matcher, name) is not None, name
    raised = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.MatcherError)
    }
    assert raised <= set(matcher.__all__), sorted(raised - set(matcher.__all__))


def test_every_source_file_the_docs_name_exists():
    """A docstring or the README naming a module that moved sends a reader nowhere."""
    root = PACKAGE.parent
    texts = {path: path.read_text(encoding="utf-8") for path in _modules()}
    texts[root / "README.md"] = (root / "README.md").read_text(encoding="utf-8")
    named = {
        (where.relative_to(root).as_posix(), found)
        for where, text in texts.items()
        for found in re.findall(r"\bmatcher/[A-Za-z0-9_/]+\.py\b", text)
    }
    assert sorted(n for n in named if not (root / n[1]).is_file()) == []
