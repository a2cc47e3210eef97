"""The hierarchical indicator model and the composite service-quality index.

One job: turn metric values (:mod:`qa_analytics.analytics.metrics`) into 0-100
indicator scores rolled up a weighted tree, under a model that can change
over time.

The model
---------
A version of the model (:class:`IndicatorModel`) is a tree:

* level 1, *areas*: internal monitoring 内部质检, call tests 拨测, customer
  satisfaction 客户满意度, non-voice service 非语音服务, systems 系统保障;
* level 2, *indicators* under each area, each mapping to one metric id;
* level 3 (optional), *items* under an indicator: QA deduction items
  (metrics ``item:<name>`` / ``item_rate:<name>``); an indicator with items
  takes its score from them instead of a metric of its own.

Every node has a ``weight`` in percent of its parent; the weights of each
group of siblings sum to 100 (+/- 0.01).  Every leaf has a ``metric``, a
``target`` and a ``floor``; its ``direction`` (``higher`` / ``lower`` is
better) is the metric's, and may be written down only to agree with it.

Versions: the model file holds several versions, each with its
``effective_from`` date (:class:`ModelSet`); :meth:`ModelSet.model_for`
picks the version in force on a date (the latest ``effective_from`` on or
before it).  Scoring a past period under "the model in force then" or under
today's model is the ``as_of`` parameter of :func:`score_tree`.

File format
-----------
TOML (read with :mod:`tomllib`, written by :func:`dumps_models`, a small
hand formatter -- no new dependency), by default
``data/indicator_model.toml`` (or ``$QA_INDICATOR_MODEL``)::

    [[versions]]
    effective_from = 2024-01-01
    name = "2024 版"

      [[versions.areas]]
      id = "monitoring"
      name_zh = "内部质检"
      name_en = "Internal monitoring"
      weight = 35

        [[versions.areas.indicators]]
        id = "qa_score"
        metric = "qa_mean_score"
        target = 95
        floor = 75
        weight = 60

        [[versions.areas.indicators]]
        id = "items"
        weight = 40

          [[versions.areas.indicators.items]]
          metric = "item:业务准确性"
          target = 0
          floor = 4
          weight = 100

A file holding a single version may also be written without ``[[versions]]``
(``effective_from`` and ``[[areas]]`` at the top level).  Validation errors
name the line and the path (``versions[0].areas[2].indicators[1].weight``)
and the problem; see :func:`validate`.

Scoring
-------
Leaf score (linear between floor and target, clipped)::

    score = 100 * (value - floor) / (target - floor),  clipped to [0, 100]

which works for both directions (for lower-is-better, ``target < floor``).
A parent's score is the weighted mean of its children's scores over the
children that have a score (missing data re-normalises the weights among
the rest); its ``coverage`` is the share of its weight backed by data.
The composite index is the root's score.  Center-only metrics (system
checks) count the same for every team and agent: each unit gets the
center's value.

QA-form scoring
---------------
:func:`score_evaluation` / :func:`score_evaluations` score one evaluation
from its item points (deduction form or scores form, critical items, items
not applicable).

References
----------
* OECD / JRC (2008). *Handbook on Constructing Composite Indicators:
  Methodology and User Guide*, OECD Publishing -- normalisation by
  distance to a reference (section 5), linear weighted aggregation
  (section 6), uncertainty and sensitivity analysis (section 7).
* Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and
  sensitivity analysis techniques as tools for the quality assessment of
  composite indicators. *J. R. Stat. Soc. A* 168(2), 307-323.
* Spearman, C. (1904). The proof and measurement of association between
  two things. *Am. J. Psychol.* 15, 72-101.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..core.codes import Words, define, render
from ..core.filters import Filter
from ..core.periods import parse_period
from . import metrics as _metrics

__all__ = [
    "DEFAULT_MODEL_PATH",
    "Issue",
    "IndicatorModel",
    "ModelError",
    "ModelSet",
    "Node",
    "ROOT_ID",
    "add_node",
    "check",
    "composite_index",
    "default_model_path",
    "dumps_models",
    "half_year",
    "indicator_score",
    "load_models",
    "loads_models",
    "model_for",
    "remove_node",
    "save_models",
    "score_evaluation",
    "score_evaluations",
    "score_metric_values",
    "score_tree",
    "set_weight",
    "update_node",
    "validate",
    "weight_sensitivity",
]

DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[2] / "data" / "indicator_model.toml"
WEIGHT_TOLERANCE = 0.01  # percentage points
ROOT_ID = "index"
DIRECTIONS = ("higher", "lower")
_KIND_BY_DEPTH = {0: "index", 1: "area", 2: "indicator", 3: "item"}
_CHILD_KEY = {1: "indicators", 2: "items"}  # depth of the node -> key of its children


def default_model_path() -> Path:
    """``$QA_INDICATOR_MODEL`` when set, else ``data/indicator_model.toml``."""
    env = os.environ.get("QA_INDICATOR_MODEL")
    return Path(env) if env else DEFAULT_MODEL_PATH


# --------------------------------------------------------------------------
# The model objects
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A node of the tree: an area, an indicator or an item.

    ``weight`` is in percent of the parent.  A leaf carries ``metric``,
    ``target`` and ``floor`` (``direction`` optional: it must agree with the
    metric's).  A node with ``children`` is scored from them.
    """

    id: str
    weight: float
    name_en: str = ""
    name_zh: str = ""
    metric: str | None = None
    direction: str | None = None
    target: float | None = None
    floor: float | None = None
    children: tuple[Node, ...] = ()
    note: str = ""
    #: the smallest change of the leaf's metric that matters, in the units
    #: changes are stated in (points; percentage points for rates): below it
    #: a non-significant change on small samples is "too few data to tell"
    mdd: float | None = None

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def label(self, lang: str = "zh") -> str:
        """The node's name in ``lang``, falling back to the metric's name, then the id."""
        name = self.name_zh if lang.startswith("zh") else self.name_en
        if name:
            return name
        if self.metric and _metrics.is_metric(self.metric):
            return _metrics.get_metric(self.metric).name(lang)
        return self.id


@dataclass(frozen=True)
class IndicatorModel:
    """One version of the indicator model (see the module docstring)."""

    effective_from: dt.date
    areas: tuple[Node, ...]
    name: str = ""
    note: str = ""
    #: a unit is ranked only with at least this many observations behind its index
    rank_min_n: int | None = None
    #: ... and at least this share (0-1) of the weights backed by data; below it
    #: an index is not compared either (it rests on a fraction of the model)
    min_coverage: float | None = None

    def mdd_by_metric(self) -> dict[str, float]:
        """The ``mdd`` its leaves set, by metric id (for ``trends.period_over_period``)."""
        return {nd.metric: nd.mdd for _id, nd in self.leaves() if nd.metric and nd.mdd is not None}

    @property
    def ranking_rules(self) -> tuple[int, float]:
        """``(min_n, min_coverage)`` of rankings and comparisons under this version."""
        return (RANK_MIN_N if self.rank_min_n is None else self.rank_min_n,
                MIN_COVERAGE if self.min_coverage is None else self.min_coverage)

    def walk(self) -> Iterable[tuple[str, str | None, int, Node]]:
        """``(node_id, parent_id, depth, node)`` for every node, depth first.

        Node ids are the dotted paths of the ``id`` fields
        (``monitoring.qa_score``); the root (the composite) is ``"index"``."""

        def rec(nodes: tuple[Node, ...], parent: str | None, depth: int):
            for nd in nodes:
                nid = nd.id if parent is None else f"{parent}.{nd.id}"
                yield nid, parent, depth, nd
                yield from rec(nd.children, nid, depth + 1)

        yield from rec(self.areas, None, 1)

    def node(self, node_id: str) -> Node:
        for nid, _p, _d, nd in self.walk():
            if nid == node_id:
                return nd
        raise KeyError(f"no node {node_id!r} in the model of {self.effective_from}")

    def leaves(self) -> list[tuple[str, Node]]:
        return [(nid, nd) for nid, _p, _d, nd in self.walk() if nd.is_leaf]

    def metric_ids(self) -> list[str]:
        """Metric ids of the leaves (unique, in tree order)."""
        out: list[str] = []
        for _nid, nd in self.leaves():
            if nd.metric and nd.metric not in out:
                out.append(nd.metric)
        return out

    def nodes_frame(self, lang: str = "zh") -> pd.DataFrame:
        """The tree as a table (root included).

        Columns: ``node_id``, ``parent_id`` (None for the root), ``depth``
        (0 = the composite index), ``kind`` (index | area | indicator |
        item), ``name`` (in ``lang``), ``name_en``, ``name_zh`` (the model's
        definition), ``words`` (both, as a Text), ``metric``, ``direction``,
        ``target``, ``floor``, ``weight`` (percent of the parent),
        ``global_weight`` (percent of the composite), ``is_leaf``.
        """
        rows = [{
            "node_id": ROOT_ID, "parent_id": None, "depth": 0, "kind": "index",
            "name": "服务质量综合指数" if lang.startswith("zh") else "Service quality index",
            "name_en": "Service quality index", "name_zh": "服务质量综合指数",
            "words": Words("Service quality index", "服务质量综合指数"), "metric": None,
            "direction": "higher", "target": np.nan, "floor": np.nan, "weight": 100.0,
            "global_weight": 100.0, "is_leaf": False,
        }]
        gw: dict[str | None, float] = {None: 100.0}
        for nid, parent, depth, nd in self.walk():
            g = gw[parent] * float(nd.weight) / 100.0
            gw[nid] = g
            direction = nd.direction
            if direction is None and nd.metric and _metrics.is_metric(nd.metric):
                direction = _metrics.get_metric(nd.metric).direction
            rows.append({
                "node_id": nid, "parent_id": parent or ROOT_ID, "depth": depth,
                "kind": _KIND_BY_DEPTH.get(depth, "item"), "name": nd.label(lang),
                "name_en": nd.name_en or nd.label("en"), "name_zh": nd.name_zh or nd.label("zh"),
                "words": Words(nd.name_en or nd.label("en"), nd.name_zh or nd.label("zh")),
                "metric": nd.metric, "direction": direction,
                "target": np.nan if nd.target is None else float(nd.target),
                "floor": np.nan if nd.floor is None else float(nd.floor),
                "weight": float(nd.weight), "global_weight": g, "is_leaf": nd.is_leaf,
            })
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class ModelSet:
    """All versions of the model, sorted by ``effective_from``."""

    versions: tuple[IndicatorModel, ...]
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "versions", tuple(sorted(self.versions, key=lambda m: m.effective_from)))

    def model_for(self, date: dt.date | str | None = None) -> IndicatorModel:
        """The version in force on ``date`` (default today): the latest
        ``effective_from`` on or before it.  ``LookupError`` if none is."""
        d = _to_date(date) if date is not None else dt.date.today()
        chosen = None
        for m in self.versions:
            if m.effective_from <= d:
                chosen = m
        if chosen is None:
            first = self.versions[0].effective_from if self.versions else None
            raise LookupError(f"no indicator model in force on {d} (the first takes effect {first})")
        return chosen

    def with_version(self, model: IndicatorModel) -> ModelSet:
        """A copy with ``model`` added (replacing a version with the same ``effective_from``)."""
        kept = tuple(m for m in self.versions if m.effective_from != model.effective_from)
        return ModelSet(kept + (model,), self.source)

    def without_version(self, effective_from: dt.date | str) -> ModelSet:
        d = _to_date(effective_from)
        return ModelSet(tuple(m for m in self.versions if m.effective_from != d), self.source)


def model_for(models: ModelSet | IndicatorModel, date: dt.date | str | None = None) -> IndicatorModel:
    """The version in force on ``date`` (an :class:`IndicatorModel` is its own answer)."""
    return models if isinstance(models, IndicatorModel) else models.model_for(date)


def _to_date(x: Any) -> dt.date:
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, pd.Timestamp):
        return x.date()
    if isinstance(x, str):
        return dt.date.fromisoformat(x.strip())
    if isinstance(x, np.datetime64):
        return pd.Timestamp(x).date()
    raise TypeError(f"not a date: {x!r}")


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


# The problems an edit on the dashboard can cause, as codes: their words in
# both languages are here, beside the rule; ``name``, ``target``, ``floor`` and
# ``total`` are filled by whoever shows them (the node's name in the reader's
# language, values in the metric's unit).
WEIGHTS_SUM_ROOT = define("model_weights_sum_root", en="The areas' weights add up to {total}%; they must add up to 100%.",
                          zh="各领域的权重合计为 {total}%，必须等于 100%。")
WEIGHTS_SUM = define("model_weights_sum", en="The weights under “{name}” add up to {total}%; they must add up to 100%.",
                     zh="“{name}”下各项的权重合计为 {total}%，必须等于 100%。")
WEIGHT_NEGATIVE = define("model_weight_negative", en="The weight of “{name}” must not be negative.",
                         zh="“{name}”的权重不能为负数。")
TARGET_EQUALS_FLOOR = define("model_target_equals_floor",
                             en="“{name}”: the target equals the floor ({target}), so nothing can be scored.",
                             zh="“{name}”的目标值等于底线（{target}），无法计分。")
TARGET_BELOW_FLOOR = define("model_target_below_floor",
                            en="“{name}”: higher is better, so the target ({target}) cannot be below the floor ({floor}).",
                            zh="“{name}”越高越好，目标值（{target}）不能低于底线（{floor}）。")
TARGET_ABOVE_FLOOR = define("model_target_above_floor",
                            en="“{name}”: lower is better, so the target ({target}) cannot be above the floor ({floor}).",
                            zh="“{name}”越低越好，目标值（{target}）不能高于底线（{floor}）。")


@dataclass(frozen=True)
class Issue:
    """One problem of a model: where (``path``, and ``line`` when read from a file) and what.

    ``message`` is the English sentence of the file checker; ``code`` and
    ``params`` (``total``, ``target``, ``floor`` as numbers) name the problems
    an edit can cause, for :meth:`text` to say in the reader's language."""

    path: str
    message: str
    line: int | None = None
    code: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str = "en", **names: Any) -> str:
        """The problem in ``lang``; ``names`` fill the coded sentence (``name=...``)."""
        if not self.code:
            return self.message
        return render(self.code, {**dict(self.params), **names}, lang)

    def __str__(self) -> str:
        where = self.path or "(top level)"
        return f"line {self.line} ({where}): {self.message}" if self.line else f"{where}: {self.message}"


class ModelError(ValueError):
    """An invalid model; ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[Issue], source: str | None = None):
        self.issues = list(issues)
        self.source = source
        head = f"invalid indicator model{f' in {source}' if source else ''}"
        super().__init__(head + ":\n" + "\n".join(f"  {i}" for i in self.issues))


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


def _fmt(x: float) -> str:
    return f"{float(x):g}"


def _check_model(model: IndicatorModel, prefix: str) -> list[Issue]:
    """Semantic checks of one version; paths start with ``prefix``."""
    issues: list[Issue] = []
    p = (prefix + ".") if prefix else ""
    if not isinstance(model.effective_from, dt.date):
        issues.append(Issue(f"{p}effective_from", "must be a date (YYYY-MM-DD)"))
    if not model.areas:
        issues.append(Issue(f"{p}areas", "the model has no areas"))

    def group(nodes: tuple[Node, ...], path: str, what: str, owner: str, depth: int) -> None:
        """Sibling checks; ``path`` is the owner's path plus '.' ('' at the top)."""
        seen: set[str] = set()
        total = 0.0
        weights_ok = True
        list_key = "areas" if depth == 1 else _CHILD_KEY[depth - 1]
        for k, nd in enumerate(nodes):
            np_ = f"{path}{list_key}[{k}]"
            if not isinstance(nd.id, str) or not nd.id.strip():
                issues.append(Issue(f"{np_}.id", "missing id"))
            elif "." in nd.id:
                issues.append(Issue(f"{np_}.id", f"id {nd.id!r} must not contain '.'"))
            elif nd.id in seen:
                issues.append(Issue(f"{np_}.id", f"duplicate id {nd.id!r} among the {what} of {owner}"))
            seen.add(nd.id)
            if not _num(nd.weight):
                issues.append(Issue(f"{np_}.weight", f"weight must be a number, not {nd.weight!r}"))
                weights_ok = False
            elif nd.weight < 0:
                issues.append(Issue(f"{np_}.weight", f"weight {_fmt(nd.weight)} is negative", code=WEIGHT_NEGATIVE.name))
                weights_ok = False
            else:
                total += float(nd.weight)
            node(nd, np_, depth)
        if nodes and weights_ok and abs(total - 100.0) > WEIGHT_TOLERANCE:
            issues.append(Issue(
                path.rstrip(".") if path else (prefix or ""),
                f"weights of the {what} of {owner} sum to {total:.6g}% (must be 100% ± {WEIGHT_TOLERANCE})",
                code=(WEIGHTS_SUM if depth > 1 else WEIGHTS_SUM_ROOT).name, params=(("total", f"{total:.4g}"),),
            ))

    def node(nd: Node, path: str, depth: int) -> None:
        label = repr(nd.id)
        if nd.children:
            if depth >= 3:
                issues.append(Issue(f"{path}", f"{label}: items cannot have children"))
                return
            for attr in ("metric", "target", "floor", "direction"):
                if getattr(nd, attr) is not None:
                    child = _CHILD_KEY[depth]
                    issues.append(Issue(f"{path}.{attr}",
                                        f"{label} has {child}: its score comes from them, so it takes no {attr}"))
            child_what = {1: "indicators", 2: "items"}[depth]
            group(nd.children, f"{path}.", child_what, label, depth + 1)
            return
        if depth == 1:
            issues.append(Issue(path, f"area {label} has no indicators"))
            return
        if not nd.metric:
            issues.append(Issue(f"{path}.metric", f"{label} has no metric"))
            metric = None
        elif not _metrics.is_metric(nd.metric):
            issues.append(Issue(f"{path}.metric", f"unknown metric {nd.metric!r} (see metrics.metric_ids())"))
            metric = None
        else:
            metric = _metrics.get_metric(nd.metric)
            if depth == 3 and metric.item is None:
                issues.append(Issue(f"{path}.metric",
                                    f"items are QA deduction items: metric must be item:<name> or "
                                    f"item_rate:<name>, not {nd.metric!r}"))
        for attr in ("target", "floor"):
            v = getattr(nd, attr)
            if v is None:
                issues.append(Issue(f"{path}.{attr}", f"{label} has no {attr}"))
            elif not _num(v):
                issues.append(Issue(f"{path}.{attr}", f"{attr} must be a number, not {v!r}"))
        if nd.direction is not None and nd.direction not in DIRECTIONS:
            issues.append(Issue(f"{path}.direction", f"direction must be 'higher' or 'lower', not {nd.direction!r}"))
        elif metric is not None and nd.direction is not None and nd.direction != metric.direction:
            issues.append(Issue(f"{path}.direction",
                                f"direction {nd.direction!r} contradicts metric {metric.id!r} "
                                f"({metric.direction} is better)"))
        t, f = nd.target, nd.floor
        if _num(t) and _num(f):
            direction = metric.direction if metric is not None else nd.direction
            if float(t) == float(f):
                issues.append(Issue(f"{path}.target", f"target equals floor ({_fmt(t)}): no room to score",
                                    code=TARGET_EQUALS_FLOOR.name, params=(("target", float(t)),)))
            elif direction == "higher" and float(t) < float(f):
                issues.append(Issue(f"{path}.target",
                                    f"target {_fmt(t)} is below floor {_fmt(f)} but higher is better "
                                    f"for {nd.metric!r}", code=TARGET_BELOW_FLOOR.name,
                                    params=(("target", float(t)), ("floor", float(f)))))
            elif direction == "lower" and float(t) > float(f):
                issues.append(Issue(f"{path}.target",
                                    f"target {_fmt(t)} is above floor {_fmt(f)} but lower is better "
                                    f"for {nd.metric!r}", code=TARGET_ABOVE_FLOOR.name,
                                    params=(("target", float(t)), ("floor", float(f)))))

    group(model.areas, p, "areas", f"the model of {model.effective_from}", 1)
    return issues


def validate(model: IndicatorModel | ModelSet) -> list[Issue]:
    """Every problem of a model version or of a set of versions (empty = valid).

    Checks: each group of sibling weights sums to 100% (± 0.01); weights are
    non-negative numbers; ids are present, unique among siblings and free of
    '.'; areas have indicators; every leaf has a metric that exists in the
    registry (items: an ``item:``/``item_rate:`` metric), a numeric target and
    floor with ``target != floor`` on the side the metric's direction says;
    a written ``direction`` agrees with the metric's; a node with children
    carries no metric/target/floor; versions have distinct dates.
    Paths look like ``areas[2].indicators[1].weight`` (a version) or
    ``versions[0].areas[2]...`` (a set).
    """
    if isinstance(model, IndicatorModel):
        return _check_model(model, "")
    issues: list[Issue] = []
    if not model.versions:
        issues.append(Issue("versions", "no model versions"))
    seen: dict[dt.date, int] = {}
    for k, m in enumerate(model.versions):
        if m.effective_from in seen:
            issues.append(Issue(f"versions[{k}].effective_from",
                                f"two versions take effect on {m.effective_from}"))
        seen[m.effective_from] = k
        issues += _check_model(m, f"versions[{k}]")
    return issues


def check(model: IndicatorModel | ModelSet) -> None:
    """Raise :class:`ModelError` when :func:`validate` finds anything."""
    issues = validate(model)
    if issues:
        raise ModelError(issues)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------

_VERSION_KEYS = {"effective_from", "name", "note", "areas", "rank_min_n", "min_coverage"}
#: defaults of a version's ranking rules (``rank_min_n``, ``min_coverage``)
RANK_MIN_N = 30
MIN_COVERAGE = 0.8
_NODE_KEYS = {"id", "weight", "name_en", "name_zh", "metric", "direction", "target", "floor", "note", "mdd"}


class _Locator:
    """Line numbers of TOML tables and keys, by path (``versions[0].areas[1].weight``).

    Enough TOML for the model files: ``[[array.of.tables]]`` headers and
    ``key = value`` lines; multi-line values keep the line of their key."""

    _HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.\s]+?)\s*\]\]\s*(#.*)?$")
    _TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\s]+?)\s*\]\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")

    def __init__(self, text: str):
        self.lines: dict[str, int] = {}
        counts: dict[str, int] = {}
        current_of: dict[tuple[str, ...], str] = {(): ""}
        current = ""
        for lineno, line in enumerate(text.splitlines(), start=1):
            m = self._HEADER.match(line)
            if m:
                parts = tuple(x.strip() for x in m.group(1).split("."))
                parent = current_of.get(parts[:-1], "")
                base = f"{parent}.{parts[-1]}" if parent else parts[-1]
                idx = counts.get(base, 0)
                counts[base] = idx + 1
                current = f"{base}[{idx}]"
                current_of[parts] = current
                self.lines[current] = lineno
                continue
            m = self._TABLE.match(line)
            if m and not line.lstrip().startswith("[["):
                parts = tuple(x.strip() for x in m.group(1).split("."))
                parent = current_of.get(parts[:-1], "")
                current = f"{parent}.{parts[-1]}" if parent else parts[-1]
                current_of[parts] = current
                self.lines.setdefault(current, lineno)
                continue
            m = self._KEY.match(line)
            if m:
                key = f"{current}.{m.group(1)}" if current else m.group(1)
                self.lines.setdefault(key, lineno)

    def line(self, path: str, single: bool) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        p = path
        if single and p.startswith("versions[0]"):
            p = p[len("versions[0]"):].lstrip(".")
        while p:
            if p in self.lines:
                return self.lines[p]
            p = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", p)
        return None


def _parse_node(raw: Any, path: str, depth: int, issues: list[Issue]) -> Node | None:
    if not isinstance(raw, Mapping):
        issues.append(Issue(path, "must be a table"))
        return None
    child_key = _CHILD_KEY.get(depth)
    allowed = _NODE_KEYS | ({child_key} if child_key else set())
    for k in raw:
        if k not in allowed:
            hint = f" (known: {', '.join(sorted(allowed))})"
            issues.append(Issue(f"{path}.{k}", f"unknown key {k!r}{hint}"))
    children: list[Node] = []
    if child_key and child_key in raw:
        lst = raw[child_key]
        if not isinstance(lst, list):
            issues.append(Issue(f"{path}.{child_key}", "must be an array of tables"))
        else:
            for k, c in enumerate(lst):
                nd = _parse_node(c, f"{path}.{child_key}[{k}]", depth + 1, issues)
                if nd is not None:
                    children.append(nd)
    for k in ("id", "name_en", "name_zh", "metric", "direction", "note"):
        if k in raw and not isinstance(raw[k], str):
            issues.append(Issue(f"{path}.{k}", f"{k} must be a string, not {raw[k]!r}"))
    if "weight" not in raw:
        issues.append(Issue(f"{path}.weight", "missing weight"))

    def num(k: str) -> Any:
        v = raw.get(k)
        return float(v) if _num(v) else v

    mdd = raw.get("mdd")
    if mdd is not None and (not _num(mdd) or float(mdd) <= 0):
        issues.append(Issue(f"{path}.mdd", f"mdd must be a positive number, not {mdd!r}"))
        mdd = None
    node_id = raw.get("id")
    if node_id is None and isinstance(raw.get("metric"), str):
        node_id = raw["metric"]  # items may omit the id: the metric names them
    return Node(
        id=node_id if isinstance(node_id, str) else "",
        weight=num("weight") if "weight" in raw else float("nan"),
        name_en=raw.get("name_en", "") if isinstance(raw.get("name_en", ""), str) else "",
        name_zh=raw.get("name_zh", "") if isinstance(raw.get("name_zh", ""), str) else "",
        metric=raw.get("metric") if isinstance(raw.get("metric"), str) else None,
        direction=raw.get("direction") if isinstance(raw.get("direction"), str) else None,
        target=num("target"),
        floor=num("floor"),
        children=tuple(children),
        note=raw.get("note", "") if isinstance(raw.get("note", ""), str) else "",
        mdd=None if mdd is None else float(mdd),
    )


def _parse_version(raw: Any, path: str, issues: list[Issue]) -> IndicatorModel | None:
    p = (path + ".") if path else ""
    if not isinstance(raw, Mapping):
        issues.append(Issue(path, "must be a table"))
        return None
    for k in raw:
        if k not in _VERSION_KEYS:
            issues.append(Issue(f"{p}{k}", f"unknown key {k!r} (known: {', '.join(sorted(_VERSION_KEYS))})"))
    eff = raw.get("effective_from")
    if eff is None:
        issues.append(Issue(f"{p}effective_from", "missing effective_from (YYYY-MM-DD)"))
        eff = dt.date.min
    elif isinstance(eff, dt.datetime):
        eff = eff.date()
    elif isinstance(eff, str):
        try:
            eff = dt.date.fromisoformat(eff)
        except ValueError:
            issues.append(Issue(f"{p}effective_from", f"not a date: {eff!r}"))
            eff = dt.date.min
    elif not isinstance(eff, dt.date):
        issues.append(Issue(f"{p}effective_from", f"not a date: {eff!r}"))
        eff = dt.date.min
    areas_raw = raw.get("areas", [])
    if not isinstance(areas_raw, list):
        issues.append(Issue(f"{p}areas", "must be an array of tables ([[areas]])"))
        areas_raw = []
    areas = []
    for k, a in enumerate(areas_raw):
        nd = _parse_node(a, f"{p}areas[{k}]", 1, issues)
        if nd is not None:
            areas.append(nd)
    rank_min_n = raw.get("rank_min_n")
    if rank_min_n is not None and (isinstance(rank_min_n, bool) or not isinstance(rank_min_n, int) or rank_min_n < 1):
        issues.append(Issue(f"{p}rank_min_n", f"must be a whole number of at least 1, not {rank_min_n!r}"))
        rank_min_n = None
    min_coverage = raw.get("min_coverage")
    if min_coverage is not None and (isinstance(min_coverage, bool) or not isinstance(min_coverage, (int, float))
                                     or not 0 <= min_coverage <= 1):
        issues.append(Issue(f"{p}min_coverage", f"must be a share between 0 and 1, not {min_coverage!r}"))
        min_coverage = None
    return IndicatorModel(
        effective_from=eff,
        areas=tuple(areas),
        name=raw.get("name", "") if isinstance(raw.get("name", ""), str) else "",
        note=raw.get("note", "") if isinstance(raw.get("note", ""), str) else "",
        rank_min_n=rank_min_n,
        min_coverage=None if min_coverage is None else float(min_coverage),
    )


def loads_models(text: str, source: str | None = None) -> ModelSet:
    """Parse and validate a model file's text; :class:`ModelError` lists every problem
    with its line number."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        line = getattr(e, "lineno", None) or (int(m.group(1)) if m else None)
        raise ModelError([Issue("", f"not valid TOML: {e}", line)], source) from None
    issues: list[Issue] = []
    single = "versions" not in raw
    if single:
        version_raws = [raw]
    else:
        extra = [k for k in raw if k != "versions"]
        for k in extra:
            issues.append(Issue(k, f"unknown top-level key {k!r}: put it inside a [[versions]] table"))
        version_raws = raw["versions"] if isinstance(raw["versions"], list) else []
        if not isinstance(raw["versions"], list):
            issues.append(Issue("versions", "must be an array of tables ([[versions]])"))
    versions = []
    for k, v in enumerate(version_raws):
        m = _parse_version(v, "" if single else f"versions[{k}]", issues)
        if m is not None:
            versions.append(m)
    models = ModelSet(tuple(versions), source)
    # semantic checks too (a path already reported by the parser keeps its first message)
    semantic = validate(models) if versions else []
    if single:
        semantic = [replace(i, path=re.sub(r"^versions\[0\]\.?", "", i.path)) for i in semantic]
    seen = {i.path for i in issues}
    issues += [i for i in semantic if i.path not in seen]
    if issues:
        loc = _Locator(text)
        issues = [replace(i, line=i.line or loc.line(i.path, single)) for i in issues]
        issues.sort(key=lambda i: (i.line or 0))
        raise ModelError(issues, source)
    return models


def load_models(path: str | os.PathLike[str] | None = None) -> ModelSet:
    """Read and validate the model file (default :func:`default_model_path`)."""
    p = Path(path) if path is not None else default_model_path()
    return loads_models(p.read_text(encoding="utf-8"), str(p))


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f.is_integer() and abs(f) < 1e15:
            return str(int(f))
        return repr(f)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a valid TOML basic string
    raise TypeError(f"cannot write {v!r} to TOML")


_HEADER_COMMENT = """\
# Service-quality indicator model 服务质量指标体系
#
# Versions: each [[versions]] table is one version of the model; the version
# in force on a date is the one with the latest effective_from on or before
# it.  To change the model from a date on, add a version; keep the old ones
# so past periods can be scored under the model in force then.
#
# Tree: [[versions.areas]] (level 1) > [[versions.areas.indicators]]
# (level 2) > optional [[versions.areas.indicators.items]] (QA deduction
# items).  weight: percent of the parent; each group of siblings sums to 100.
# A leaf has metric (an id of qa_analytics.analytics.metrics: e.g. qa_mean_score,
# satisfaction_rate, item:<QA item name>), target and floor: its score is
# 100 * (value - floor) / (target - floor), clipped to 0..100.  direction
# (higher | lower) is optional and must agree with the metric.  mdd
# (optional): the smallest change that matters, in points (percentage
# points for rates); a smaller sample cannot tell ("too few data to tell").
# A version may set rank_min_n and min_coverage: the ranking rules.
"""


def dumps_models(models: ModelSet | IndicatorModel, header: str | None = None) -> str:
    """The model as TOML text (the file format :func:`loads_models` reads)."""
    ms = models if isinstance(models, ModelSet) else ModelSet((models,))
    out = [_HEADER_COMMENT if header is None else header]

    def node_lines(nd: Node, table: str, indent: str, depth: int) -> None:
        out.append(f"{indent}[[{table}]]")
        out.append(f"{indent}id = {_toml_value(nd.id)}")
        for attr in ("name_zh", "name_en"):
            if getattr(nd, attr):
                out.append(f"{indent}{attr} = {_toml_value(getattr(nd, attr))}")
        for attr in ("metric", "direction", "target", "floor", "mdd"):
            v = getattr(nd, attr)
            if v is not None:
                out.append(f"{indent}{attr} = {_toml_value(v)}")
        out.append(f"{indent}weight = {_toml_value(nd.weight)}")
        if nd.note:
            out.append(f"{indent}note = {_toml_value(nd.note)}")
        out.append("")
        child_key = _CHILD_KEY.get(depth)
        for c in nd.children:
            node_lines(c, f"{table}.{child_key}", indent + "  ", depth + 1)

    for m in ms.versions:
        out.append("[[versions]]")
        out.append(f"effective_from = {_toml_value(m.effective_from)}")
        if m.name:
            out.append(f"name = {_toml_value(m.name)}")
        if m.note:
            out.append(f"note = {_toml_value(m.note)}")
        if m.rank_min_n is not None:
            out.append(f"rank_min_n = {_toml_value(m.rank_min_n)}")
        if m.min_coverage is not None:
            out.append(f"min_coverage = {_toml_value(m.min_coverage)}")
        out.append("")
        for a in m.areas:
            node_lines(a, "versions.areas", "  ", 1)
    return "\n".join(out).rstrip() + "\n"


def _toml_scalar(v: Any) -> Any:
    """A model value as tomlkit writes it: whole floats as integers (``weight = 35``)."""
    if isinstance(v, (bool, str, dt.date)):
        return v
    if isinstance(v, (int, np.integer)):
        return int(v)
    f = float(v)
    return int(f) if f.is_integer() and abs(f) < 1e15 else f


def _node_values(nd: Node) -> dict[str, Any]:
    vals: dict[str, Any] = {"id": nd.id}
    for attr in ("name_zh", "name_en"):
        vals[attr] = getattr(nd, attr) or None
    for attr in ("metric", "direction", "target", "floor", "mdd"):
        vals[attr] = getattr(nd, attr)
    vals["weight"] = nd.weight
    vals["note"] = nd.note or None
    return vals


def _sync(table: Any, values: dict[str, Any]) -> None:
    """Make ``table``'s keys say ``values`` (``None`` removes a key), changing
    only what differs, so the comments and layout around them stay."""
    for key, v in values.items():
        if v is None:
            if key in table:
                del table[key]
        elif key not in table or table[key] != _toml_scalar(v):
            table[key] = _toml_scalar(v)


def _sync_array(aot: Any, items: list[tuple[Any, Any]], key_of: Any, fill: Any, new: Any = None) -> Any:
    """Edit an array of tables in place to hold ``items`` (``(key, value)``),
    matching tables by ``key_of(table)``: unchanged tables keep their text,
    removed ones go, new ones are inserted where they belong.  Returns the
    array, or a new one when the order changed."""
    import tomlkit

    new = new or (lambda _v: tomlkit.table())
    wanted = [k for k, _ in items]
    for i in reversed(range(len(aot))):
        if key_of(aot[i]) not in wanted:
            del aot[i]
    kept = [key_of(t) for t in aot]
    if kept != [k for k in wanted if k in kept]:  # reordered: rebuild the array
        by_key = {key_of(t): t for t in aot}
        aot = tomlkit.aot()
        for k, v in items:
            t = by_key[k] if k in by_key else new(v)
            fill(t, v)
            aot.append(t)
        return aot
    for i, (k, v) in enumerate(items):
        if i < len(aot) and key_of(aot[i]) == k:
            fill(aot[i], v)
        else:
            t = new(v)
            fill(t, v)
            aot.insert(i, t) if i < len(aot) else aot.append(t)
    return aot


def _sync_children(parent: Any, key: str, nodes: tuple[Node, ...], depth: int) -> None:
    import tomlkit

    if not nodes:
        if key in parent:
            del parent[key]
        return

    def fill(t: Any, nd: Node) -> None:
        _sync(t, _node_values(nd))
        child_key = _CHILD_KEY.get(depth)
        if child_key:
            _sync_children(t, child_key, nd.children, depth + 1)

    old = parent.get(key)
    fresh = old is None
    aot = _sync_array(tomlkit.aot() if fresh else old, [(nd.id, nd) for nd in nodes], lambda t: t.get("id"), fill)
    if fresh or aot is not old:
        parent[key] = aot


def _edit_document(text: str, ms: ModelSet) -> str:
    """The model file's text changed to say ``ms``: versions matched by their
    ``effective_from``, nodes by their ``id``; what a person wrote around
    them (comments, blank lines, key order) kept (tomlkit)."""
    import tomlkit

    doc = tomlkit.parse(text)
    if "versions" not in doc:  # a single-version file: becomes a [[versions]] file
        return dumps_models(ms)

    def fill(t: Any, m: IndicatorModel) -> None:
        _sync(t, {"effective_from": m.effective_from, "name": m.name or None, "note": m.note or None,
                  "rank_min_n": m.rank_min_n, "min_coverage": m.min_coverage})
        _sync_children(t, "areas", m.areas, 1)

    old = doc["versions"]
    def new(m: IndicatorModel) -> Any:  # a new version laid out as dumps_models lays it out
        return tomlkit.parse("\n" + dumps_models(ModelSet((m,)), header=""))["versions"][0]

    aot = _sync_array(old, [(m.effective_from, m) for m in ms.versions], lambda t: t.get("effective_from"), fill, new)
    if aot is not old:
        doc["versions"] = aot
    # a blank line before every version, as a person would leave it
    return re.sub(r"(?m)(?<=[^\n])\n(?=\[\[versions\]\]$)", "\n\n", tomlkit.dumps(doc))


def save_models(models: ModelSet | IndicatorModel, path: str | os.PathLike[str] | None = None) -> Path:
    """Validate, then write the model file atomically (TOML); returns the path.

    Refuses (:class:`ModelError`) to write an invalid model.  An existing
    file is edited, not rewritten: its comments and layout stay, and only
    the values that changed are written (tomlkit); a new file gets the
    standard header.
    """
    ms = models if isinstance(models, ModelSet) else ModelSet((models,))
    check(ms)
    p = Path(path) if path is not None else default_model_path()
    text = None
    if p.exists():
        try:
            text = _edit_document(p.read_text(encoding="utf-8"), ms)
            if loads_models(text).versions != ms.versions:
                text = None
        except Exception:  # noqa: BLE001 - an unparseable old file is replaced, not kept
            text = None
    if text is None:
        text = dumps_models(ms)
    loads_models(text)  # what we write must read back
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, p)
    return p


# --------------------------------------------------------------------------
# Changing a model (new objects; the originals are untouched)
# --------------------------------------------------------------------------


def _rebuild(model: IndicatorModel, fn) -> IndicatorModel:
    """Apply ``fn(parent_id, children) -> children`` to every sibling group."""

    def rec(nodes: tuple[Node, ...], parent: str | None) -> tuple[Node, ...]:
        nodes = fn(parent, nodes)
        out = []
        for nd in nodes:
            nid = nd.id if parent is None else f"{parent}.{nd.id}"
            out.append(replace(nd, children=rec(nd.children, nid)))
        return tuple(out)

    return replace(model, areas=rec(model.areas, None))


def _split(node_id: str) -> tuple[str | None, str]:
    parent, _, own = node_id.rpartition(".")
    return (parent or None), own


def _renormalised(nodes: tuple[Node, ...], keep: str | None) -> tuple[Node, ...]:
    """Scale the weights of ``nodes`` other than ``keep`` so the group sums to 100."""
    fixed = sum(float(n.weight) for n in nodes if n.id == keep)
    others = [n for n in nodes if n.id != keep]
    rest = sum(float(n.weight) for n in others)
    room = max(100.0 - fixed, 0.0)
    out = []
    for n in nodes:
        if n.id == keep:
            out.append(n)
        elif rest > 0:
            out.append(replace(n, weight=float(n.weight) * room / rest))
        else:
            out.append(replace(n, weight=room / len(others)))
    return tuple(out)


def set_weight(model: IndicatorModel, node_id: str, weight: float, renormalise: bool = True) -> IndicatorModel:
    """A copy with ``node_id``'s weight set; with ``renormalise`` its siblings
    are scaled proportionally so the group still sums to 100
    (``w_j' = w_j * (100 - w) / (100 - w_old)``)."""
    model.node(node_id)
    parent, own = _split(node_id)

    def fn(p: str | None, nodes: tuple[Node, ...]) -> tuple[Node, ...]:
        if p != parent or own not in [n.id for n in nodes]:
            return nodes
        nodes = tuple(replace(n, weight=float(weight)) if n.id == own else n for n in nodes)
        return _renormalised(nodes, own) if renormalise else nodes

    return _rebuild(model, fn)


def update_node(model: IndicatorModel, node_id: str, **changes: Any) -> IndicatorModel:
    """A copy with fields of one node replaced (``target=``, ``floor=``,
    ``name_zh=``, ``metric=``...; use :func:`set_weight` to keep the
    weights summing to 100)."""
    model.node(node_id)
    parent, own = _split(node_id)

    def fn(p: str | None, nodes: tuple[Node, ...]) -> tuple[Node, ...]:
        if p != parent:
            return nodes
        return tuple(replace(n, **changes) if n.id == own else n for n in nodes)

    return _rebuild(model, fn)


def add_node(model: IndicatorModel, parent_id: str | None, node: Node, renormalise: bool = False) -> IndicatorModel:
    """A copy with ``node`` added under ``parent_id`` (None: a new area); with
    ``renormalise`` the old siblings make room for its weight."""
    if parent_id is not None:
        model.node(parent_id)

    def fn(p: str | None, nodes: tuple[Node, ...]) -> tuple[Node, ...]:
        if p != parent_id:
            return nodes
        nodes = nodes + (node,)
        return _renormalised(nodes, node.id) if renormalise else nodes

    if parent_id is None:
        areas = model.areas + (node,)
        return replace(model, areas=_renormalised(areas, node.id) if renormalise else areas)
    # the parent's children group: rebuild with the parent's id as group owner
    return _rebuild(model, fn)


def remove_node(model: IndicatorModel, node_id: str, renormalise: bool = True) -> IndicatorModel:
    """A copy without ``node_id`` (and its children); with ``renormalise`` the
    remaining siblings are scaled back to 100."""
    model.node(node_id)
    parent, own = _split(node_id)

    def fn(p: str | None, nodes: tuple[Node, ...]) -> tuple[Node, ...]:
        if p != parent:
            return nodes
        kept = tuple(n for n in nodes if n.id != own)
        return _renormalised(kept, None) if (renormalise and kept) else kept

    return _rebuild(model, fn)


# --------------------------------------------------------------------------
# Scoring metric values
# --------------------------------------------------------------------------


def indicator_score(value: Any, target: Any, floor: Any) -> np.ndarray:
    """``100 * (value - floor) / (target - floor)`` clipped to [0, 100] (vectorised; NaN stays NaN)."""
    v = np.asarray(value, dtype=float)
    t = np.asarray(target, dtype=float)
    f = np.asarray(floor, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(100.0 * (v - f) / (t - f), 0.0, 100.0)


_TREE_COLUMNS = [
    "period", "level_key", "node_id", "parent_id", "depth", "kind", "name", "metric",
    "value", "n", "score", "weight", "global_weight", "coverage", "model_from",
]


class _Tree:
    """A model version as arrays for fast scoring: node order of
    :meth:`IndicatorModel.nodes_frame` (root first, depth first)."""

    def __init__(self, model: IndicatorModel):
        self.nodes = model.nodes_frame()
        nodes = self.nodes
        self.ids = nodes["node_id"].tolist()
        pos = {nid: j for j, nid in enumerate(self.ids)}
        self.weight = nodes["weight"].to_numpy(dtype=float)
        self.leaf = nodes["is_leaf"].to_numpy(dtype=bool)
        self.target = nodes["target"].to_numpy(dtype=float)
        self.floor = nodes["floor"].to_numpy(dtype=float)
        self.depth = nodes["depth"].to_numpy(dtype=int)
        self.children: dict[int, np.ndarray] = {}
        for j, parent in enumerate(nodes["parent_id"].tolist()):
            if j and parent is not None:
                self.children.setdefault(pos[parent], []).append(j)
        self.children = {k: np.asarray(v) for k, v in self.children.items()}
        # inner nodes, deepest first
        self.inner = sorted(self.children, key=lambda j: -self.depth[j])
        self.by_metric: dict[str, list[int]] = {}
        for j, m in enumerate(nodes["metric"].tolist()):
            if self.leaf[j] and isinstance(m, str):
                self.by_metric.setdefault(m, []).append(j)

    def leaf_values(self, values: pd.DataFrame, center_values: pd.DataFrame | None, keys: pd.DataFrame,
                    min_n: int) -> tuple[np.ndarray, np.ndarray]:
        """``(value, n)`` matrices, units x nodes (leaf columns filled)."""
        k, nn = len(keys), len(self.ids)
        val = np.full((k, nn), np.nan)
        cnt = np.zeros((k, nn))
        index = pd.MultiIndex.from_frame(keys[["period", "level_key"]])
        if len(values):
            rows = index.get_indexer(pd.MultiIndex.from_frame(values[["period", "level_key"]]))
            v_all = values["value"].to_numpy(dtype=float)
            n_all = values["n"].to_numpy(dtype=float)
            for metric, idx in values.groupby("metric", sort=False).indices.items():
                cols = self.by_metric.get(metric)
                r = rows[idx]
                ok = r >= 0
                if not cols or not ok.any():
                    continue
                for j in cols:
                    val[r[ok], j] = v_all[idx][ok]
                    cnt[r[ok], j] = n_all[idx][ok]
        if center_values is not None and len(center_values):
            unit_metrics = set(values["metric"].unique()) if len(values) else set()
            key_period = keys["period"]
            for metric, sub in center_values.groupby("metric", sort=False):
                if metric in unit_metrics or metric not in self.by_metric:
                    continue
                v = key_period.map(dict(zip(sub["period"], sub["value"]))).to_numpy(dtype=float)
                n = key_period.map(dict(zip(sub["period"], sub["n"]))).to_numpy(dtype=float)
                for j in self.by_metric[metric]:
                    val[:, j], cnt[:, j] = v, np.nan_to_num(n)
        val[cnt < max(min_n, 1)] = np.nan
        return val, cnt

    def rollup(self, val: np.ndarray, cnt: np.ndarray, weight: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(score, coverage, n)`` matrices for every node."""
        w = self.weight if weight is None else weight
        score = np.full(val.shape, np.nan)
        leaf = self.leaf
        score[:, leaf] = indicator_score(val[:, leaf], self.target[leaf], self.floor[leaf])
        cov = np.where(np.isnan(score), 0.0, 1.0)
        cov[:, ~leaf] = 0.0
        n = np.where(leaf[None, :], cnt, 0.0)
        for j in self.inner:
            ch = self.children[j]
            sc = score[:, ch]
            has = ~np.isnan(sc)
            wc = w[ch]
            num = (np.where(has, sc, 0.0) * wc).sum(axis=1)
            den = (has * wc).sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                score[:, j] = np.where(den > 0, np.clip(num / den, 0.0, 100.0), np.nan)
                total = wc.sum()
                cov[:, j] = (cov[:, ch] * wc).sum(axis=1) / total if total > 0 else 0.0
            n[:, j] = n[:, ch].sum(axis=1)
        return score, cov, n

    def frame(self, keys: pd.DataFrame, val: np.ndarray, score: np.ndarray, cov: np.ndarray,
              n: np.ndarray, model_from: dt.date) -> pd.DataFrame:
        k, nn = len(keys), len(self.ids)
        nodes = self.nodes
        rep = lambda col: np.tile(nodes[col].to_numpy(), k)  # noqa: E731
        return pd.DataFrame({
            "period": np.repeat(keys["period"].to_numpy(), nn),
            "level_key": np.repeat(keys["level_key"].to_numpy(), nn),
            "node_id": rep("node_id"), "parent_id": rep("parent_id"), "depth": rep("depth"),
            "kind": rep("kind"), "name": rep("words"),
            "metric": rep("metric"), "value": val.ravel(), "n": n.ravel().astype("int64"),
            "score": score.ravel(), "weight": rep("weight"), "global_weight": rep("global_weight"),
            "coverage": cov.ravel(), "model_from": pd.Timestamp(model_from),
        })


def _versions_by_period(models: ModelSet | IndicatorModel, periods: Sequence[pd.Timestamp],
                        as_of: str | dt.date) -> dict[IndicatorModel, list[pd.Timestamp]]:
    out: dict[IndicatorModel, list[pd.Timestamp]] = {}
    if isinstance(models, IndicatorModel):
        return {models: list(periods)}
    fixed = None
    if as_of == "today":
        fixed = models.model_for(dt.date.today())
    elif as_of != "period":
        fixed = models.model_for(_to_date(as_of))
    first = models.versions[0]
    for p in periods:
        d = pd.Timestamp(p).date()
        # periods before the first version are scored under the first one
        m = fixed or (first if d < first.effective_from else models.model_for(d))
        out.setdefault(m, []).append(p)
    return out


def score_metric_values(
    values: pd.DataFrame,
    models: ModelSet | IndicatorModel,
    center_values: pd.DataFrame | None = None,
    as_of: str | dt.date = "period",
    min_n: int = 1,
) -> pd.DataFrame:
    """Score a metric table (:func:`qa_analytics.analytics.metrics.metric_table`
    output) under the model; the pure-pandas half of :func:`score_tree`.

    ``center_values`` supplies center-only metrics (system checks) for
    team/agent tables: every unit gets the center's value for the period.
    Units and periods are those present in ``values``.  Columns: see
    :func:`score_tree`.
    """
    if not len(values):
        return pd.DataFrame(columns=_TREE_COLUMNS)
    keys_all = values[["period", "level_key"]].drop_duplicates()
    keys_all = keys_all.sort_values(["period", "level_key"], ignore_index=True)
    periods = list(pd.unique(keys_all["period"]))
    parts = []
    for model, ps in _versions_by_period(models, periods, as_of).items():
        tree = _Tree(model)
        keys = keys_all[keys_all["period"].isin(ps)].reset_index(drop=True)
        val, cnt = tree.leaf_values(values, center_values, keys, min_n)
        score, cov, n = tree.rollup(val, cnt)
        parts.append(tree.frame(keys, val, score, cov, n, model.effective_from))
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    out["model_from"] = out["model_from"].astype("datetime64[us]")
    out["depth"] = out["depth"].astype("int64")
    if len(parts) > 1:
        out = out.sort_values(["period", "level_key"], kind="stable", ignore_index=True)
    return out[_TREE_COLUMNS]


def _resolve_models(model: ModelSet | IndicatorModel | None) -> ModelSet | IndicatorModel:
    return load_models() if model is None else model


def _needed_metrics(models: ModelSet | IndicatorModel, as_of: str | dt.date) -> list[str]:
    if isinstance(models, IndicatorModel):
        return models.metric_ids()
    if as_of == "today":
        return models.model_for(dt.date.today()).metric_ids()
    if as_of != "period":
        return models.model_for(_to_date(as_of)).metric_ids()
    out: list[str] = []
    for m in models.versions:
        out += [x for x in m.metric_ids() if x not in out]
    return out


def _scope(scope: Filter | None, restrict: dict[str, Any]) -> Filter:
    """One filter from a ``scope`` and/or ``metric_table``'s keywords (``scope`` wins)."""
    unknown = set(restrict) - {"date_from", "date_to", "team", "agent", "channel", "eval_type"}
    if unknown:
        raise TypeError(f"unexpected keyword arguments: {sorted(unknown)}")
    return Filter.of(**restrict).merged(scope)


def _fetch(con: duckdb.DuckDBPyConnection, models: ModelSet | IndicatorModel, grain: str, level: str,
           scope: Filter, as_of: str | dt.date, rollups: bool | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    ids = _needed_metrics(models, as_of)
    values = _metrics.metric_table(con, ids, grain, level, rollups=rollups, scope=scope)
    center = None
    center_only = [m for m in ids if level not in _metrics.get_metric(m).levels]
    if center_only:
        center = _metrics.metric_table(con, center_only, grain, "center", scope.date_from, scope.date_to,
                                       rollups=False)
    return values, center


def score_tree(
    con: duckdb.DuckDBPyConnection,
    model: ModelSet | IndicatorModel | None = None,
    grain: str = "month",
    level: str = "team",
    scope: Filter | None = None,
    *,
    as_of: str | dt.date = "period",
    min_n: int = 1,
    rollups: bool | None = None,
    **restrict: Any,
) -> pd.DataFrame:
    """Every node of the indicator tree, per period and unit.

    Parameters
    ----------
    model : a :class:`ModelSet` (versions), one :class:`IndicatorModel`, or
        None (the default model file).
    grain, level : as in :func:`qa_analytics.analytics.metrics.metric_table`.
    scope : the records kept (a :class:`~qa_analytics.core.filters.Filter`);
        or ``restrict``, the keywords of ``metric_table`` (``date_from``,
        ``date_to``, ``team``, ``agent``, ``channel``, ``eval_type``).
    as_of : ``"period"`` -- each period scored under the version in force on
        its first day (periods before the first version: the first
        version); ``"today"`` -- every period under today's version; a
        date -- under the version in force on that date.
    min_n : a leaf value resting on fewer observations counts as missing.
    rollups : as in ``metric_table`` (None: use this connection's rollups
        when fresh).

    Returns
    -------
    DataFrame, one row per node x period x unit (units: those with any
    metric value in the period):

    * ``period``, ``level_key``: as in ``metric_table``;
    * ``node_id``: dotted path (``monitoring.qa_score``), ``"index"`` for
      the composite; ``parent_id`` (None for the root); ``depth`` (0 root,
      1 area, 2 indicator, 3 item); ``kind``; ``name`` (a ``Words``: the
      model's name in both languages, said with ``say(name, lang)``);
    * ``metric``: the leaf's metric id (None for inner nodes);
    * ``value``: the leaf's metric value (NaN for inner nodes / no data);
    * ``n``: observations behind the leaf value; for inner nodes the sum
      over their leaves;
    * ``score``: 0-100 (leaf: linear between floor and target, clipped;
      inner: weighted mean over the children that have a score);
    * ``weight``: percent of the parent; ``global_weight``: percent of the
      composite;
    * ``coverage``: share (0-1) of the node's weight backed by data;
    * ``model_from``: ``effective_from`` of the version used.
    """
    models = _resolve_models(model)
    values, center = _fetch(con, models, grain, level, _scope(scope, restrict), as_of, rollups)
    return score_metric_values(values, models, center_values=center, as_of=as_of, min_n=min_n)


def composite_index(
    con: duckdb.DuckDBPyConnection,
    model: ModelSet | IndicatorModel | None = None,
    grain: str = "month",
    level: str = "team",
    scope: Filter | None = None,
    *,
    as_of: str | dt.date = "period",
    min_n: int = 1,
    rollups: bool | None = None,
    **restrict: Any,
) -> pd.DataFrame:
    """The composite service-quality index (the root of :func:`score_tree`).

    Returns
    -------
    DataFrame with ``period``, ``level_key``, ``index`` (0-100),
    ``coverage`` (0-1), ``n`` (observations behind all leaves), ``model_from``
    and ``rank`` (Int64: 1 = best unit of the period; NA at center level,
    without an index, or below the ranking rules), ``ranked`` (bool) and
    ``not_ranked`` (why not: ``""``, ``"no_index"``, ``"n"`` -- fewer
    observations than the version's ``rank_min_n`` -- or ``"coverage"`` --
    less of the weights backed by data than its ``min_coverage``), sorted by
    period, ranked units first by rank, then the others.  A unit with one
    survey and 40% of the weights covered is listed apart, never first.
    """
    models = _resolve_models(model)
    tree = score_tree(con, models, grain, level, _scope(scope, restrict), as_of=as_of, min_n=min_n, rollups=rollups)
    return _index_from_tree(tree, level, models)


def _index_from_tree(tree: pd.DataFrame, level: str,
                     models: ModelSet | IndicatorModel | None = None) -> pd.DataFrame:
    root = tree[tree["node_id"] == ROOT_ID]
    out = root[["period", "level_key", "score", "coverage", "n", "model_from"]].rename(columns={"score": "index"})
    out = out.reset_index(drop=True)
    min_n, min_cov = _ranking_rules(models, out["model_from"])
    has_index = out["index"].notna().to_numpy()
    enough_n = out["n"].to_numpy(dtype=float) >= min_n
    enough_cov = out["coverage"].to_numpy(dtype=float) >= min_cov - 1e-12
    out["not_ranked"] = np.select([~has_index, ~enough_cov, ~enough_n], ["no_index", "coverage", "n"], "")
    out["ranked"] = (out["not_ranked"] == "") & (level != "center")
    if level == "center":
        out["rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["not_ranked"] = np.where(has_index, "", "no_index")
    else:
        out["rank"] = out["index"].where(out["ranked"]).groupby(out["period"]).rank(
            method="min", ascending=False).astype("Int64")
    out = out.assign(_apart=~out["ranked"], _v=-out["index"].fillna(-np.inf))
    out = out.sort_values(["period", "_apart", "rank", "_v", "level_key"], na_position="last", ignore_index=True)
    return out.drop(columns=["_apart", "_v"])


def _ranking_rules(models: ModelSet | IndicatorModel | None, model_from: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the ranking rules of the model version the row was scored under."""
    if models is None:
        return np.full(len(model_from), RANK_MIN_N, dtype=float), np.full(len(model_from), MIN_COVERAGE)
    versions = models.versions if isinstance(models, ModelSet) else (models,)
    rules = {pd.Timestamp(v.effective_from): v.ranking_rules for v in versions}
    default = versions[0].ranking_rules
    picked = [rules.get(pd.Timestamp(t), default) for t in model_from]
    return (np.array([r[0] for r in picked], dtype=float), np.array([r[1] for r in picked], dtype=float))


# --------------------------------------------------------------------------
# Weight sensitivity
# --------------------------------------------------------------------------


def half_year(period: dt.date | str) -> tuple[dt.date, dt.date]:
    """First and last day of the half-year containing ``period`` (a date, or
    ``"2025H1"`` / ``"2025-H2"``)."""
    return parse_period(period if isinstance(period, str) else _to_date(period), "half_year")


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rho: Pearson correlation of the average ranks (ties share the mean rank)."""
    if len(a) < 3:
        return float("nan")
    ra = pd.Series(a).rank(method="average").to_numpy()
    rb = pd.Series(b).rank(method="average").to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def weight_sensitivity(
    con: duckdb.DuckDBPyConnection,
    model: ModelSet | IndicatorModel | None,
    period: dt.date | str,
    level: str = "team",
    step: float = 0.10,
    team: str | Sequence[str] | None = None,
    as_of: str | dt.date = "period",
    min_n: int = 1,
) -> pd.DataFrame:
    """How much the half-yearly ranking moves when one weight moves.

    For the half-year containing ``period`` (a date or ``"2025H1"``), each
    weight ``w`` of a node with siblings is moved to ``w * (1 +/- step)``
    (capped at 100) and its siblings re-normalised
    (``w_j' = w_j * (100 - w') / (100 - w)``) -- one-at-a-time sensitivity
    analysis (OECD/JRC 2008, section 7; Saisana et al. 2005).  The metric
    values are computed once; only the roll-up is repeated.

    Returns
    -------
    DataFrame, one row per node x direction:

    * ``period`` (half-year start), ``node_id``, ``parent_id``, ``depth``,
      ``name`` (a ``Words``);
    * ``change``: +step or -step; ``weight``, ``new_weight`` (percent of
      the parent);
    * ``spearman_rho``: Spearman correlation between the baseline and the
      new composite index over the ranked units (NaN for fewer than 3);
    * ``max_rank_change``: largest absolute change of a unit's rank
      (ranks 1 = best, ties ``min``); ``mean_abs_rank_change``;
    * ``most_moved``: the unit with the largest rank change;
    * ``units``: how many units have an index.

    Only children with siblings are moved: an only child's weight is
    always 100.
    """
    if level == "center":
        raise ValueError("rankings need units: level must be 'team' or 'agent'")
    models = _resolve_models(model)
    start, end = half_year(period)
    version = model_for(models, start if as_of == "period" else (dt.date.today() if as_of == "today" else as_of))
    values, center = _fetch(con, version, "half_year", level, Filter.of(start, end, team), "period")
    cols = ["period", "node_id", "parent_id", "depth", "name", "change", "weight", "new_weight",
            "spearman_rho", "max_rank_change", "mean_abs_rank_change", "most_moved", "units"]
    if values.empty:
        return pd.DataFrame(columns=cols)
    keys = values[["period", "level_key"]].drop_duplicates().sort_values("level_key", ignore_index=True)
    tree = _Tree(version)
    nodes = tree.nodes
    val, cnt = tree.leaf_values(values, center, keys, min_n)
    root = tree.ids.index(ROOT_ID)
    units = keys["level_key"].to_numpy()

    def index_of(weights: np.ndarray) -> pd.Series:
        score = tree.rollup(val, cnt, weights)[0][:, root]
        return pd.Series(score, index=units).dropna()

    base = index_of(tree.weight)
    base_rank = base.rank(method="min", ascending=False)
    siblings = nodes.groupby("parent_id")["node_id"].transform("count")
    rows = []
    for _, nd in nodes[(nodes["depth"] > 0) & (siblings > 1)].iterrows():
        for sign in (+1, -1):
            new_w = min(float(nd["weight"]) * (1 + sign * step), 100.0)
            changed = set_weight(version, nd["node_id"], new_w, renormalise=True).nodes_frame()
            new = index_of(changed["weight"].to_numpy(dtype=float)).reindex(base.index)
            new_rank = new.rank(method="min", ascending=False)
            moved = (new_rank - base_rank).abs()
            rows.append({
                "period": pd.Timestamp(start), "node_id": nd["node_id"], "parent_id": nd["parent_id"],
                "depth": int(nd["depth"]), "name": nd["words"],
                "change": sign * step, "weight": float(nd["weight"]), "new_weight": new_w,
                "spearman_rho": _spearman(base.to_numpy(), new.to_numpy()),
                "max_rank_change": int(moved.max()) if len(moved) else 0,
                "mean_abs_rank_change": float(moved.mean()) if len(moved) else 0.0,
                "most_moved": moved.idxmax() if len(moved) and moved.max() > 0 else None,
                "units": int(len(base)),
            })
    out = pd.DataFrame(rows, columns=cols)
    out["period"] = out["period"].astype("datetime64[us]")
    return out


# --------------------------------------------------------------------------
# QA-form scoring rules
# --------------------------------------------------------------------------

CRITICAL_POLICIES = ("zero", "fail")
FORMS = ("deduction", "scores")


def _is_na(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def score_evaluation(
    items: Iterable[Mapping[str, Any]],
    base: float = 100.0,
    critical_policy: str = "zero",
    form: str = "deduction",
    pass_mark: float | None = None,
) -> dict[str, Any]:
    """Score one evaluation from its items.

    Each item is a mapping with ``points`` and optionally ``item`` (name),
    ``max`` (the most it can lose / earn), ``critical`` (an auto-fail item)
    and ``na`` (True: not applicable).  ``points`` None/NaN also means not
    applicable.

    * ``form="deduction"``: ``points`` is a deduction (its sign is ignored:
      exports write -5 or 5); ``score = max(base - sum of deductions, 0)``.
      Items not applicable deduct nothing and leave the maximum
      (``max_points`` = sum of ``max`` over applicable items, when given).
      A deduction above the item's ``max`` is an error.
    * ``form="scores"``: ``points`` is what the item earned out of its
      ``max`` (required); ``score = base * earned / applicable maximum``
      (``base`` = 100 gives the percentage), None when nothing applies.

    A critical item triggers when it loses anything (deduction > 0, or
    earned < max).  ``critical_policy="zero"`` sets the score to 0 and
    fails the evaluation; ``"fail"`` keeps the score and fails it.  With
    ``pass_mark`` a score below it also fails.

    Returns a dict: ``score`` (float or None), ``failed`` (bool),
    ``critical`` (bool: a critical item triggered), ``lost`` (points lost),
    ``earned`` (scores form, else None), ``max_points`` (applicable
    maximum, or None when unknown), ``applicable`` and ``not_applicable``
    (item counts), ``critical_items`` (names of the triggered ones).
    """
    if critical_policy not in CRITICAL_POLICIES:
        raise ValueError(f"critical_policy must be one of {CRITICAL_POLICIES}, not {critical_policy!r}")
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}, not {form!r}")
    lost = earned = 0.0
    max_sum = 0.0
    max_known = True
    applicable = not_applicable = 0
    critical_items: list[str] = []
    for k, it in enumerate(items):
        name = str(it.get("item", f"#{k + 1}"))
        pts = it.get("points")
        mx = it.get("max")
        if it.get("na") or _is_na(pts):
            not_applicable += 1
            continue
        applicable += 1
        pts = float(pts)
        if _is_na(mx):
            mx = None
            max_known = False
        else:
            mx = float(mx)
            max_sum += mx
        if form == "deduction":
            d = abs(pts)
            if mx is not None and d > mx + 1e-9:
                raise ValueError(f"item {name!r} deducts {d:g}, more than its maximum {mx:g}")
            lost += d
            hit = d > 0
        else:
            if mx is None:
                raise ValueError(f"item {name!r} needs a maximum in the scores form")
            if pts < 0 or pts > mx + 1e-9:
                raise ValueError(f"item {name!r} earned {pts:g}, outside 0..{mx:g}")
            earned += pts
            lost += mx - pts
            hit = pts < mx
        if it.get("critical") and hit:
            critical_items.append(name)
    if form == "deduction":
        score: float | None = max(float(base) - lost, 0.0)
    else:
        score = float(base) * earned / max_sum if max_sum > 0 else None
    critical = bool(critical_items)
    failed = critical
    if critical and critical_policy == "zero":
        score = 0.0
    if pass_mark is not None and score is not None and score < pass_mark:
        failed = True
    return {
        "score": score,
        "failed": failed,
        "critical": critical,
        "lost": lost,
        "earned": earned if form == "scores" else None,
        "max_points": max_sum if (max_known and applicable) else None,
        "applicable": applicable,
        "not_applicable": not_applicable,
        "critical_items": critical_items,
    }


def score_evaluations(
    items: pd.DataFrame,
    base: float = 100.0,
    critical_policy: str = "zero",
    form: str = "deduction",
    pass_mark: float | None = None,
    key: str = "record_key",
) -> pd.DataFrame:
    """:func:`score_evaluation` for many evaluations at once (vectorised).

    ``items`` is long form: ``key`` (default ``record_key``), ``points``
    (NaN = not applicable) and optionally ``max``, ``critical`` (bool),
    ``na`` (bool) -- e.g. the ``monitoring_item`` table.

    Returns one row per evaluation: ``key``, ``score``, ``failed``,
    ``critical``, ``lost``, ``earned`` (scores form, else NaN),
    ``max_points`` (NaN when unknown), ``applicable``, ``not_applicable``.
    Same rules and errors as :func:`score_evaluation`.
    """
    if critical_policy not in CRITICAL_POLICIES:
        raise ValueError(f"critical_policy must be one of {CRITICAL_POLICIES}, not {critical_policy!r}")
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}, not {form!r}")
    df = items
    pts = pd.to_numeric(df["points"], errors="raise").to_numpy(dtype=float)
    na = np.isnan(pts)
    if "na" in df:
        na |= df["na"].fillna(False).to_numpy(dtype=bool)
    mx = pd.to_numeric(df["max"], errors="raise").to_numpy(dtype=float) if "max" in df else np.full(len(df), np.nan)
    crit = df["critical"].fillna(False).to_numpy(dtype=bool) if "critical" in df else np.zeros(len(df), bool)
    app = ~na
    if form == "deduction":
        d = np.where(app, np.abs(np.nan_to_num(pts)), 0.0)
        bad = app & ~np.isnan(mx) & (d > mx + 1e-9)
        if bad.any():
            raise ValueError(f"{int(bad.sum())} item(s) deduct more than their maximum")
        lost, earned, hit = d, np.zeros(len(df)), d > 0
    else:
        if (app & np.isnan(mx)).any():
            raise ValueError("the scores form needs a maximum for every applicable item")
        p = np.nan_to_num(pts)
        if (app & ((p < 0) | (p > mx + 1e-9))).any():
            raise ValueError("an item earned points outside 0..its maximum")
        earned = np.where(app, p, 0.0)
        lost = np.where(app, mx - p, 0.0)
        hit = app & (p < mx)
    g = pd.DataFrame({
        key: df[key].to_numpy(), "lost": lost, "earned": earned,
        "max_points": np.where(app, np.nan_to_num(mx), 0.0), "max_missing": app & np.isnan(mx),
        "applicable": app.astype(int), "not_applicable": (~app).astype(int),
        "critical": app & crit & hit,
    }).groupby(key, sort=False).agg(
        lost=("lost", "sum"), earned=("earned", "sum"), max_points=("max_points", "sum"),
        max_missing=("max_missing", "any"), applicable=("applicable", "sum"),
        not_applicable=("not_applicable", "sum"), critical=("critical", "any"),
    ).reset_index()
    if form == "deduction":
        score = np.maximum(float(base) - g["lost"].to_numpy(), 0.0)
        g["earned"] = np.nan
    else:
        m = g["max_points"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(m > 0, float(base) * g["earned"].to_numpy() / m, np.nan)
    crit_hit = g["critical"].to_numpy()
    if critical_policy == "zero":
        score = np.where(crit_hit, 0.0, score)
    failed = crit_hit.copy()
    if pass_mark is not None:
        failed |= np.nan_to_num(score, nan=np.inf) < pass_mark
    g["score"] = score
    g["failed"] = failed
    g["max_points"] = np.where(g["max_missing"] | (g["applicable"] == 0), np.nan, g["max_points"])
    return g[[key, "score", "failed", "critical", "lost", "earned", "max_points", "applicable", "not_applicable"]]
