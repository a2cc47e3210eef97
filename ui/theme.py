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


def plot(fig: go.Figure, *, key: str | None = None, height: int | None = None, on_select=None, **kwargs):
    """Draw a figure with the shared theme (Streamlit's own theme off), in
    the projector variant during presentation mode.  ``on_select`` is passed
    to ``st.plotly_chart`` for click drill-downs ("rerun" returns the event)."""
    import streamlit as st

    from ui.presentation import is_presenting

    style(fig, present=is_presenting(), height=height)
    extra = {"on_select": on_select, "selection_mode": ("points",)} if on_select else {}
    return st.plotly_chart(fig, theme=None, key=key, width="stretch", **extra, **kwargs)
