"""Module paths of release 0.1, kept working after the move into subpackages.

Why: scripts and notebooks written against 0.1 import ``qa_analytics.importer``,
``qa_analytics.metrics``, ``qa_analytics.spc`` (a stable contract) and so on.
Each old name is the *same module object* as its new home (not a copy), so
``import qa_analytics.importer`` and ``qa_analytics.ingest.importer`` are one
module: patching one patches the other.  New code imports the new paths
(docs/ARCHITECTURE.md); this table is the only place the old ones live.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from types import ModuleType

__all__ = ["MOVED", "install"]

#: old module (under qa_analytics) -> where it lives now
MOVED: dict[str, str] = {
    "codes": "core.codes", "periods": "core.periods",
    "read": "ingest.read", "limits": "ingest.limits", "prescan": "ingest.prescan", "isolation": "ingest.isolation",
    "mapping": "ingest.mapping", "normalize": "ingest.normalize", "importer": "ingest.importer",
    "mappings": "ingest.mappings",
    "schema": "store.schema", "rollups": "store.rollups",
    "spc": "stats.spc",
    "metrics": "analytics.metrics", "indicators": "analytics.indicators", "trends": "analytics.trends",
    "evaluators": "analytics.evaluators", "compliance": "analytics.compliance",
    "indicator_chart": "analytics.metric_spc",
    "overview": "views.overview", "drilldown": "views.drilldown", "comparison": "views.eval_types",
    "review": "views.review",
    "demo": "demo.generate", "demo_loader": "demo.load",
}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``qa_analytics.<old>`` and hands back the module at its new path."""

    def find_spec(self, fullname: str, path=None, target=None):  # noqa: ANN001 - the finder protocol
        prefix, _, name = fullname.partition(".")
        if prefix != "qa_analytics" or name not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec) -> ModuleType:  # noqa: ANN001
        return importlib.import_module("qa_analytics." + MOVED[spec.name.split(".", 1)[1]])

    def exec_module(self, module: ModuleType) -> None:
        pass  # the real module ran when it was imported at its new path


def install() -> None:
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.append(_Alias())
