"""Every word of the UI is reached by a literal key, and every key is used.

Why: a key built at run time (``t(f"status_{s}")``) hides from grep and from
this test, so a missing translation shows up as a KeyError on somebody's
screen and a dead key lingers for ever.  Keys are literals; a value is mapped
to its key by a literal table (``ui.i18n.KIND_KEY`` and the like).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the code that speaks to users: pages, shared UI pieces (not the word tables), the entry point
UI_CODE = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"),
                  *(p for p in (ROOT / "ui").glob("*.py") if p.name != "i18n.py")])
I18N = ROOT / "ui" / "i18n.py"


def _strings() -> dict[str, dict[str, str]]:
    from ui.i18n import STRINGS

    return STRINGS


def _constants(tree: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _t_calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id == "t" and n.args]


def _i18n_code_constants() -> set[str]:
    """String constants of ui/i18n.py outside its STRINGS table (its value->key maps, its own calls)."""
    tree = ast.parse(I18N.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == "STRINGS":
            continue
        out |= _constants(node)
    return out


def test_every_key_is_a_literal():
    """``t()`` takes a literal key, or a name holding one: never an f-string,
    a concatenation or a formatted value."""
    built = []
    for path in UI_CODE + [I18N]:
        for call in _t_calls(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(call.args[0], (ast.JoinedStr, ast.BinOp)) or (
                    isinstance(call.args[0], ast.Call) and getattr(call.args[0].func, "attr", "") == "format"):
                built.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert built == [], f"keys built at run time: {built}"


def test_no_key_is_used_but_missing():
    strings = _strings()
    missing = []
    for path in UI_CODE + [I18N]:
        for call in _t_calls(ast.parse(path.read_text(encoding="utf-8"))):
            arg = call.args[0]
            # a literal, or the literals of ``t("a" if x else "b")``
            for c in (arg, *((arg.body, arg.orelse) if isinstance(arg, ast.IfExp) else ())):
                if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value not in strings:
                    missing.append(f"{path.relative_to(ROOT)}:{call.lineno} {c.value}")
    assert missing == [], missing


def test_no_key_is_defined_but_unused():
    """A key counts as used where its literal appears in the UI's code (a
    ``t()`` call, or a value->key table); defined and never named is dead."""
    used: set[str] = set()
    for path in UI_CODE:
        used |= _constants(ast.parse(path.read_text(encoding="utf-8")))
    used |= _i18n_code_constants()
    dead = sorted(set(_strings()) - used)
    assert dead == [], f"{len(dead)} keys defined but never used: {dead}"
