"""The docs cannot drift from the code and the data.

Numbers the docs quote (counts, thresholds, the can't-miss table, the `kb check` line) live in
marked blocks, `<!-- begin: NAME -->` ... `<!-- end: NAME -->`, generated from
`calfcare.kb.report`. This test fails when a block differs from what the data says now; run
`make docs` (`python -m tests.test_docs`) to rewrite them. The hazard log may only name tests
that exist.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from calfcare.kb.loader import load_kb
from calfcare.kb.report import blocks

ROOT = Path(__file__).resolve().parents[1]
DOCS = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
BLOCK = re.compile(r"(<!-- begin: ([a-z0-9-]+) -->\n)(.*?)(<!-- end: \2 -->)", re.S)


def render(text: str, generated: dict[str, str]) -> str:
    return BLOCK.sub(lambda m: m.group(1) + generated[m.group(2)] + "\n" + m.group(4), text)


#: Blocks checked elsewhere (they need the slower vignette runs).
ELSEWHERE = {"vignette-figures": "tests/vignettes/test_vignettes.py"}


def test_generated_blocks_match_the_data() -> None:
    generated = blocks(load_kb())
    seen = set()
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            assert m.group(2) in generated or m.group(2) in ELSEWHERE, (
                f"{path.name}: unknown block {m.group(2)}"
            )
            seen.add(m.group(2))
        kept = {
            name: m.group(3).rstrip("\n")
            for m in BLOCK.finditer(text)
            for name in [m.group(2)]
            if name in ELSEWHERE
        }
        assert render(text, {**generated, **kept}) == text, (
            f"{path.relative_to(ROOT)} has drifted from the data: run `make docs`"
        )
    assert set(generated) <= seen, f"blocks never used: {set(generated) - seen}"


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def test_the_hazard_log_names_only_tests_that_exist() -> None:
    log = (ROOT / "docs" / "safety" / "hazard-log.md").read_text(encoding="utf-8")
    current = None
    checked = 0
    for code in re.findall(r"`([^`]+)`", log):
        m = re.fullmatch(r"(tests/[\w/]+\.py)?(?:::(\w+))?(\*|\[.*\])?(?: \(.*\))?", code)
        if m is None or not (m.group(1) or m.group(2)):
            continue
        if m.group(1):
            current = ROOT / m.group(1)
            assert current.exists(), m.group(1)
        if m.group(2) and current is not None and m.group(3) != "*":
            assert m.group(2) in _test_names(current), f"{current.name}::{m.group(2)}"
            checked += 1
    assert checked >= 30


if __name__ == "__main__":  # rewrite the blocks: python -m tests.test_docs
    from calfcare.services.assessment import Assessor
    from tests.vignettes import figures

    kb = load_kb()
    fresh = {**blocks(kb), "vignette-figures": figures.table(figures.compute(Assessor(kb)))}
    for doc in DOCS:
        old = doc.read_text(encoding="utf-8")
        new = render(old, fresh)
        if new != old:
            doc.write_text(new, encoding="utf-8")
            print(f"rewrote {doc.relative_to(ROOT)}")
    sys.exit(0)


VIGNETTE_COUNT = re.compile(r"`(dev|extra|hard|reports)/`, (\d+)")


def test_the_vignette_counts_quoted_match_the_folders() -> None:
    quoted = 0
    for path in DOCS:
        for name, count in VIGNETTE_COUNT.findall(path.read_text(encoding="utf-8")):
            folder = ROOT / "tests" / "vignettes" / name
            assert int(count) == len(list(folder.glob("*.json"))), f"{path.name}: {name}/"
            quoted += 1
    assert quoted >= 3


def _layout_block() -> str:
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    start = text.index("```text\nsrc/calfcare/")
    return text[start : text.index("```\n", start + 10)]


def test_the_layout_in_the_design_names_every_module_and_nothing_else() -> None:
    """Every module and package of the first two levels is in the tree, and every file or
    folder the tree names exists."""
    tree = _layout_block()
    package = ROOT / "src" / "calfcare"
    named = set(re.findall(r"\b([a-z_]+\.py|[a-z_]+/)", tree)) - {"src/", "calfcare/"}
    existing = {p.name for p in package.rglob("*.py")} | {
        p.name + "/" for p in package.rglob("*") if p.is_dir() and p.name != "__pycache__"
    }
    assert named <= existing, f"named but missing: {sorted(named - existing)}"
    shallow = [
        p
        for p in [*package.glob("*"), *package.glob("*/*")]
        if p.name not in {"__init__.py", "__main__.py", "__pycache__", "py.typed"}
        and (p.suffix == ".py" or (p.is_dir() and "versions" not in p.parts))
    ]
    missing = sorted(
        str(p.relative_to(package))
        for p in shallow
        if (p.name if p.suffix == ".py" else p.name + "/") not in named
    )
    assert not missing, f"not in docs/design.md's layout: {missing}"


def test_the_symbols_of_the_levels_in_the_docs_are_the_apps() -> None:
    from calfcare.services.guides import CARE_SYMBOLS

    kb = load_kb()
    family = {level.label: level.family for level in kb.levels.values()}
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| \*\*([^*]+)\*\* \|", guide, re.M)
    assert len(rows) == len(kb.levels)
    for symbol, label in rows:
        assert symbol == CARE_SYMBOLS[family[label]], label
    for doc in DOCS:
        assert "!!!" not in doc.read_text(encoding="utf-8"), doc.name
