"""One chart theme for every page: the Okabe–Ito colour-blind-safe palette,
readable type, and a presentation variant for the projector (larger type,
thicker lines, higher contrast)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

# Okabe & Ito (2008), "Color Universal Design": distinguishable by people
# with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
GOOD, BAD, NEUTRAL, LIMIT = "#009E73", "#D55E00", "#7f7f7f", "#CC79A7"
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, Source Han Sans SC, Arial, sans-serif"

pio.templates["qa"] = go.layout.Template(
    layout=dict(
        colorway=PALETTE,
        font=dict(family=FONT, size=14, color="#222"),
        title=dict(font=dict(size=18)),
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=dict(showgrid=False, linecolor="#999", ticks="outside", automargin=True),
        yaxis=dict(gridcolor="#e5e5e5", zerolinecolor="#ccc", automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        margin=dict(l=60, r=20, t=50, b=40),
        hoverlabel=dict(font=dict(family=FONT)),
    )
)
pio.templates["qa_present"] = go.layout.Template(
    layout=dict(
        colorway=PALETTE,
        font=dict(family=FONT, size=24, color="#000"),
        title=dict(font=dict(size=30)),
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=dict(showgrid=False, linecolor="#000", linewidth=2, ticks="outside", automargin=True),
        yaxis=dict(gridcolor="#d0d0d0", zerolinecolor="#999", automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(size=22)),
        margin=dict(l=20, r=20, t=70, b=20),
    )
)
pio.templates.default = "qa"


def style(fig: go.Figure, present: bool = False, height: int | None = None) -> go.Figure:
    """Apply the theme (and the projector variant) to a figure."""
    fig.update_layout(template="qa_present" if present else "qa")
    if present:
        fig.update_traces(selector=dict(type="scatter"), line=dict(width=4), marker=dict(size=12))
    if height:
        fig.update_layout(height=height)
    return fig


def _is_dates(values) -> bool:
    import datetime as dt

    import numpy as np

    if values is None or len(values) == 0:
        return False
    if isinstance(values, np.ndarray) and np.issubdtype(values.dtype, np.datetime64):
        return True
    first = values[0]
    return isinstance(first, (dt.date, np.datetime64)) or (isinstance(first, str) and len(first) >= 10
                                                           and first[4] == "-" and first[7] == "-")


# tick labels by zoom (plotly's dtick in ms): days, then months, then years
_DAY_MS = 86_400_000
_ZH_DATE_TICKS = [
    dict(dtickrange=[None, _DAY_MS], value="%-m月%-d日 %H:%M"),
    dict(dtickrange=[_DAY_MS, "M1"], value="%-m月%-d日"),
    dict(dtickrange=["M1", "M12"], value="%Y年%-m月"),
    dict(dtickrange=["M12", None], value="%Y年"),
]


def chinese_dates(fig: go.Figure) -> go.Figure:
    """Date axes as Chinese readers write months (``2026年3月``): plotly's own
    ticks are English (``Mar 2026``) and its locales are not bundled with
    Streamlit.  Only axes that hold dates, and that set no format of their own."""
    axes = {getattr(tr, "xaxis", None) or "x" for tr in fig.data if _is_dates(getattr(tr, "x", None))}
    for ref in axes:
        name = "xaxis" if ref == "x" else f"xaxis{ref[1:]}"
        ax = fig.layout[name] if name in fig.layout else None
        if ax is not None and ax.tickformat is None and not ax.tickformatstops and ax.type in (None, "-", "date"):
            ax.update(tickformatstops=_ZH_DATE_TICKS)
    return fig


def plot(fig: go.Figure, *, key: str | None = None, height: int | None = None, on_select=None, **kwargs):
    """Draw a figure with the shared theme (Streamlit's own theme off), in
    the projector variant during presentation mode.  ``on_select`` is passed
    to ``st.plotly_chart`` for click drill-downs ("rerun" returns the event)."""
    import streamlit as st

    from ui.i18n import lang
    from ui.presentation import is_presenting

    style(fig, present=is_presenting(), height=height)
    if lang() == "zh":
        chinese_dates(fig)
    extra = {"on_select": on_select, "selection_mode": ("points",)} if on_select else {}
    return st.plotly_chart(fig, theme=None, key=key, width="stretch", **extra, **kwargs)
