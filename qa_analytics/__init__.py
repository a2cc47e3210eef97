"""Service-quality analytics for hotline (contact) centers.

The library behind the dashboard: import of monitoring, call-test and survey
exports into DuckDB (``read`` -> ``mapping`` -> ``normalize`` -> ``store``,
orchestrated by ``importer``), and the analytics built on it.  No Streamlit
import anywhere in this package: the dashboard, the review report and the
command line share one implementation.
"""

__version__ = "0.1.0"

from ._compat import install as _install_compat

_install_compat()  # qa_analytics.importer, .metrics, .spc... of release 0.1 still import
