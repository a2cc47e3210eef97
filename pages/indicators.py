"""Indicator system: the weighted indicator tree with this period's scores,
the model version in force, a draft editor for targets, floors and weights
(its effect on the index and the team ranking shown before saving a new
dated version), and how robust the half-year ranking is to the weights."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace

import pandas as pd
import plotly.colors as pc
import plotly.graph_objects as go
import streamlit as st

from qa_analytics import store
from qa_analytics.analytics import indicators
from qa_analytics.analytics.indicators import (
    ROOT_ID,
    WEIGHTS_SUM,
    WEIGHTS_SUM_ROOT,
    IndicatorModel,
    ModelError,
    default_model_path,
    half_year,
    load_models,
    save_models,
    set_weight,
    update_node,
    validate,
)
from qa_analytics.analytics.metrics import get_metric, is_metric
from qa_analytics.views import indicators as indicators_view
from ui import format as fmt
from ui.db import call
from ui.filters import sidebar_filters
from ui.i18n import join, lang, say, says, t
from ui.page import ensure_app
from ui.presentation import is_presenting
from ui.state import set_url_value, url_value
from ui.theme import BAD, NEUTRAL, PALETTE, plot

#: a node's kind -> key
NODE_KIND_KEY: dict[str, str] = {
    "index": "ind_kind_index",
    "area": "ind_kind_area",
    "indicator": "ind_kind_indicator",
    "item": "ind_kind_item",
}
#: what changed in a node -> key
CHANGE_KEY: dict[str, str] = {
    "inside": "ind_change_inside",
    "weight": "ind_change_weight",
    "target": "ind_change_target",
    "floor": "ind_change_floor",
}
#: an editable field -> its label's key
EDIT_KEY: dict[str, str] = {
    "name": "ind_ed_name",
    "weight": "ind_ed_weight",
    "target": "ind_ed_target",
    "floor": "ind_ed_floor",
}

ensure_app()  # direct links on a fresh server: run inside app.py

# ColorBrewer RdYlBu: diverging and colour-blind safe; 0 = floor (red), 100 = target (blue).
SCORE_SCALE = pc.diverging.RdYlBu
NO_DATA = "#d9d9d9"
AS_OF = ("period", "today")
# unit -> (shown = stored * scale, number format, step, shown in %)
INPUT_UNITS = {"share": (100.0, "%.2f", 0.1, True), "percent": (1.0, "%.2f", 0.01, True),
               "points": (1.0, "%.1f", 0.5, False), "count": (1.0, "%.0f", 1.0, False)}

f = sidebar_filters(show=("period", "team"))
presenting = is_presenting()
L = lang()
today = dt.date.today()

st.title(t("ind_title"))
st.caption(t("ind_period", period=f"{fmt.date(f.date_from)} – {fmt.date(f.date_to)}", team=f.words(dates=False)))

# --- the model file --------------------------------------------------------------------------
model_path = default_model_path()
try:
    models = load_models(model_path)
except FileNotFoundError:
    st.error(t("ind_model_missing", path=model_path))
    st.stop()
except ModelError as exc:
    st.error(t("ind_model_error", path=model_path) + "\n\n" + "\n".join(f"- {i}" for i in exc.issues))
    st.stop()


def _version_for(d: dt.date) -> IndicatorModel | None:
    """The version scoring a period that starts on ``d`` (before the first version: the first)."""
    if not models.versions:
        return None
    first = models.versions[0]
    return first if d < first.effective_from else models.model_for(d)


def _vname(m: IndicatorModel) -> str:
    return m.name or t("ind_unnamed")


v_period = _version_for(f.date_from)
try:
    v_today = models.model_for(today)
except LookupError:
    v_today = None
if v_period is None:
    st.error(t("ind_model_missing", path=model_path))
    st.stop()

# --- which version scores the period -----------------------------------------------------------
as_of = url_value("ind_as_of", "period")
options = AS_OF if v_today is not None else AS_OF[:1]
as_of = as_of if as_of in options else "period"
labels = {"period": t("ind_as_of_period", name=_vname(v_period), date=fmt.date(v_period.effective_from))}
if v_today is not None:
    labels["today"] = t("ind_as_of_today", name=_vname(v_today), date=fmt.date(v_today.effective_from))
if not presenting:
    as_of = st.radio(t("ind_as_of"), options, index=options.index(as_of), format_func=labels.__getitem__,
                     horizontal=True, key="ind_as_of", help=t("ind_as_of_help"))
set_url_value("ind_as_of", None if as_of == "period" else as_of)
shown = v_period if as_of == "period" else v_today

line = t("ind_in_force", name=_vname(shown), date=fmt.date(shown.effective_from))
if v_today is not None and shown == v_today and as_of == "period":
    line += " " + t("ind_same_version")
later = [m for m in models.versions if f.date_from < m.effective_from <= f.date_to]
if as_of == "period" and later:
    line += " " + t("ind_change_inside", name=_vname(later[0]), date=fmt.date(later[0].effective_from))
st.markdown(line)
if call(store.has_demo_data):
    st.caption("ⓘ " + t("demo_banner"))

# --- scores of the period ----------------------------------------------------------------------
tree = call(indicators.score_tree, models, grain="all", level="center", date_from=f.date_from,
            date_to=f.date_to, team=f.team, as_of=as_of)
nodes = shown.nodes_frame(L)
if len(tree):
    scored = tree.set_index("node_id")
    nodes["value"] = nodes["node_id"].map(scored["value"])
    nodes["score"] = nodes["node_id"].map(scored["score"])
    nodes["n"] = nodes["node_id"].map(scored["n"])
    nodes["coverage"] = nodes["node_id"].map(scored["coverage"])
else:
    nodes["value"] = nodes["score"] = nodes["n"] = nodes["coverage"] = math.nan
units = {m: (get_metric(m).unit if is_metric(m) else "") for m in nodes["metric"].dropna().unique()}
root = nodes.iloc[0]
index_now = float(root["score"]) if pd.notna(root["score"]) else math.nan


def _value(x: float, metric: str | None) -> str:
    return fmt.metric_value(x, units.get(metric, "")) if metric else "—"


def _score(x: float) -> str:
    return fmt.num(x) if pd.notna(x) else "—"


if math.isnan(index_now):
    st.info(t("ind_no_data", team=f.words(dates=False)))
else:
    areas = nodes[nodes["depth"] == 1].dropna(subset=["score"])
    weakest = areas.loc[areas["score"].idxmin()] if len(areas) else None
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("ind_index"), fmt.num(index_now), help=t("ind_index_help"))
    c2.metric(t("ind_coverage"), fmt.pct(root["coverage"], 0), help=t("ind_coverage_help"))
    c3.metric(t("ind_obs"), fmt.count(root["n"]))
    if weakest is not None:
        c4.metric(t("ind_weakest"), f"{weakest['name']} {fmt.num(weakest['score'])}")
    missing = nodes[nodes["is_leaf"] & nodes["score"].isna()]
    if len(missing):
        st.caption("ⓘ " + t("ind_missing_data", names=join(missing["name"])))

# --- the tree: a treemap sized by weight, coloured by score ------------------------------------
st.subheader(t("ind_tree"))
left, right = (st.columns([3, 1]) if not presenting else (st.container(), st.container()))
with left:
    has = nodes["score"].notna()
    colours = [pc.sample_colorscale(SCORE_SCALE, [min(max(s, 0.0), 100.0) / 100.0])[0] if ok else NO_DATA
               for s, ok in zip(nodes["score"], has)]
    text = [f"{name}<br>{_score(s)}{' ✓' if ok and s >= 99.95 else ''}"
            for name, s, ok in zip(nodes["name"], nodes["score"], has)]
    hover = []
    for r in nodes.itertuples():
        h = [f"<b>{r.name}</b>", f"{t('ind_hover_score')}: {_score(r.score)}"]
        if r.depth:
            h.append(f"{t('ind_hover_weight')}: {fmt.num(r.weight, 0)}% · {t('ind_hover_share')}: "
                     f"{fmt.num(r.global_weight)}%")
        if r.is_leaf:
            h.append(f"{t('ind_hover_value')}: {_value(r.value, r.metric)} · {t('ind_hover_target')}: "
                     f"{_value(r.target, r.metric)} · {t('ind_hover_floor')}: {_value(r.floor, r.metric)}")
        hover.append("<br>".join(h))
    fig = go.Figure(go.Treemap(
        ids=nodes["node_id"], parents=["" if pd.isna(p) else p for p in nodes["parent_id"]], labels=nodes["name"],
        values=[g if leaf else 0.0 for g, leaf in zip(nodes["global_weight"], nodes["is_leaf"])],
        branchvalues="remainder", text=text, textinfo="text", hovertext=hover, hoverinfo="text",
        marker=dict(colors=colours, line=dict(color="white", width=2)),
        pathbar=dict(visible=True), maxdepth=-1, sort=False,
        textfont=dict(size=20 if presenting else 14),
    ))
    # the colour key: an invisible trace carrying the colour bar, floor and target named
    fig.add_trace(go.Scatter(
        x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
        marker=dict(colorscale=SCORE_SCALE, cmin=0, cmax=100, color=[0], showscale=True,
                    colorbar=dict(title=dict(text=t("ind_score_axis")), tickvals=[0, 50, 100], thickness=14,
                                  ticktext=[t("ind_scale_floor"), "50", t("ind_scale_target")], len=0.8)),
    ))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(margin=dict(l=4, r=4, t=30, b=4))
    plot(fig, key="ind_tree", height=620 if presenting else 520)
    st.caption(t("ind_tree_note"))
with right:
    st.markdown(f"**{t('ind_lowest')}**")
    leaves = nodes[nodes["is_leaf"] & nodes["score"].notna()].sort_values("score")
    low = leaves[leaves["score"] < 99.95].head(4)
    if leaves.empty:
        st.caption("—")
    elif low.empty:
        st.success(t("ind_all_met"))
    for r in low.itertuples():
        st.markdown(t("ind_lowest_line", name=r.name, score=_score(r.score), value=_value(r.value, r.metric),
                      target=_value(r.target, r.metric), floor=_value(r.floor, r.metric)))

# --- the table -----------------------------------------------------------------------------------
st.subheader(t("ind_table"))
kind_labels = {k: t(v) for k, v in NODE_KIND_KEY.items()}
table = pd.DataFrame({
    t("ind_col_node"): ["\u3000" * int(d) + n for d, n in zip(nodes["depth"], nodes["name"])],
    t("ind_col_level"): nodes["kind"].map(kind_labels),
    t("ind_col_weight"): [("" if d == 0 else f"{w:g}%") for d, w in zip(nodes["depth"], nodes["weight"].round(2))],
    t("ind_col_share"): [("" if d == 0 else f"{g:.1f}%") for d, g in zip(nodes["depth"], nodes["global_weight"])],
    t("ind_col_metric"): [get_metric(m).name(L) if isinstance(m, str) and is_metric(m) else ""
                          for m in nodes["metric"]],
    t("ind_col_value"): [_value(v, m) if leaf else "" for v, m, leaf in
                         zip(nodes["value"], nodes["metric"], nodes["is_leaf"])],
    t("ind_col_target"): [_value(v, m) if leaf else "" for v, m, leaf in
                          zip(nodes["target"], nodes["metric"], nodes["is_leaf"])],
    t("ind_col_floor"): [_value(v, m) if leaf else "" for v, m, leaf in
                         zip(nodes["floor"], nodes["metric"], nodes["is_leaf"])],
    t("ind_col_score"): nodes["score"].round(1),
    t("ind_col_n"): nodes["n"].astype("Float64").round(0).astype("Int64"),
})
st.dataframe(
    table, hide_index=True, width="stretch", height=36 * (len(table) + 1) + 4, key="ind_table",
    column_config={
        t("ind_col_score"): st.column_config.ProgressColumn(t("ind_col_score"), min_value=0, max_value=100,
                                                            format="%.1f"),
        t("ind_col_n"): st.column_config.NumberColumn(t("ind_col_n"), format="localized"),
        t("ind_col_weight"): st.column_config.TextColumn(t("ind_col_weight"), help=t("ind_weight_help")),
        t("ind_col_share"): st.column_config.TextColumn(t("ind_col_share"), help=t("ind_share_help")),
    },
)
st.caption(t("ind_table_note"))

with st.expander(t("ind_versions", n=len(models.versions))):
    st.dataframe(pd.DataFrame({
        t("ind_col_from"): [fmt.date(m.effective_from) for m in models.versions],
        t("ind_col_version"): [_vname(m) for m in models.versions],
        t("ind_col_note"): [m.note for m in models.versions],
        t("ind_col_used"): ["✓" if m == shown else "" for m in models.versions],
    }), hide_index=True, width="stretch")


# --- the draft editor ----------------------------------------------------------------------------
def _drafts() -> dict:
    return st.session_state.setdefault("ind_drafts", {})


def _bump() -> None:
    st.session_state["ind_gen"] = st.session_state.get("ind_gen", 0) + 1


def _on_edit(base: IndicatorModel, node_id: str, parent: str, field: str, key: str, scale: float) -> None:
    value = st.session_state.get(key)
    if value is None:
        return
    draft = _drafts().get(base, base)
    if field == "weight":
        draft = set_weight(draft, node_id, float(value), renormalise=False)
        st.session_state.setdefault("ind_last_weight", {})[parent] = node_id
    else:
        draft = update_node(draft, node_id, **{field: float(value) / scale})
    _drafts()[base] = draft


def _on_renormalise(base: IndicatorModel, group: str, keep: str | None) -> None:
    draft = _drafts().get(base, base)
    kids = draft.nodes_frame()
    kids = kids[kids["parent_id"] == group]
    if keep is not None and keep in set(kids["node_id"]):
        w = float(kids.loc[kids["node_id"] == keep, "weight"].iloc[0])
        draft = set_weight(draft, keep, min(w, 100.0), renormalise=True)
    else:
        total = float(kids["weight"].sum())
        first, w = kids["node_id"].iloc[0], float(kids["weight"].iloc[0])
        # the first sibling to its proportional share: set_weight rescales the rest to match
        draft = set_weight(draft, first, w * 100.0 / total if total > 0 else 100.0 / len(kids), renormalise=True)
    # one decimal, as the inputs show them; the largest other weight takes the rounding remainder
    kids = draft.nodes_frame()
    kids = kids[kids["parent_id"] == group]
    rounded = {nid: round(float(w), 1) for nid, w in zip(kids["node_id"], kids["weight"])}
    others = [nid for nid in rounded if nid != keep] or list(rounded)
    absorber = max(others, key=rounded.__getitem__)
    rounded[absorber] = round(100.0 - sum(w for nid, w in rounded.items() if nid != absorber), 6)
    for nid, w in rounded.items():
        draft = update_node(draft, nid, weight=w)
    _drafts()[base] = draft
    _bump()


def _on_save(base: IndicatorModel, eff_key: str, name_key: str, note_key: str, default_name: str) -> None:
    draft = _drafts().get(base, base)
    eff = st.session_state.get(eff_key) or today
    name = (st.session_state.get(name_key) or "").strip() or default_name
    note = (st.session_state.get(note_key) or "").strip()
    try:
        current = load_models(model_path)
        path = save_models(current.with_version(replace(draft, effective_from=eff, name=name, note=note)),
                           model_path)
    except (ModelError, OSError, ValueError) as exc:
        st.session_state["ind_flash"] = ("error", t("ind_save_failed", error=exc))
        return
    _drafts().pop(base, None)
    _bump()
    st.session_state["ind_flash"] = ("success", t("ind_saved", name=name, date=fmt.date(eff), path=path))


def _on_discard(base: IndicatorModel) -> None:
    _drafts().pop(base, None)
    _bump()
    st.session_state["ind_flash"] = ("info", t("ind_discarded"))


def _issue_node(model: IndicatorModel, path: str) -> str:
    """The node id an issue path points at (``areas[1].indicators[0].weight`` -> ``call_tests.qa_tests``)."""
    ids, level = [], model.areas
    for _key, k in re.findall(r"(areas|indicators|items)\[(\d+)\]", path):
        nd = level[int(k)]
        ids.append(nd.id)
        level = nd.children
    return ".".join(ids) or ROOT_ID


def _issue_text(issue, model: IndicatorModel, frame: pd.DataFrame) -> tuple[str, str | None]:
    """An issue in the reader's words, and the sibling group whose weights are off (None for other problems)."""
    nid = _issue_node(model, issue.path)
    row = frame.set_index("node_id").loc[nid]
    params = dict(issue.params)
    shown = {k: _value(params[k], row["metric"]) for k in ("target", "floor") if k in params}
    text = issue.text(L, name=row["name"], **shown)
    if not issue.code:
        text = f"{row['name']}: {text}"
    return text, (nid if issue.code in (WEIGHTS_SUM.name, WEIGHTS_SUM_ROOT.name) else None)


def _changes(before: IndicatorModel, after: IndicatorModel) -> list[str]:
    """What the draft changes, one line per node (``weight 35% → 45%``), in the reader's words."""
    names = after.nodes_frame(L).set_index("node_id")["name"]
    lines: dict[str, list[str]] = {}
    for r in indicators_view.model_changes(before, after).itertuples():
        if r.field == "weight":
            old, new = f"{r.old:.4g}", f"{r.new:.4g}"
        else:
            old, new = _value(r.old, r.metric), _value(r.new, r.metric)
        lines.setdefault(r.node_id, []).append(t(CHANGE_KEY[r.field], old=old, new=new))
    return [f"**{names[nid]}**: " + "; ".join(parts) for nid, parts in lines.items()]


flash = st.session_state.pop("ind_flash", None)
if not presenting:
    st.subheader(t("ind_edit"))
    if flash:
        getattr(st, flash[0])(flash[1])
    base = shown
    if st.session_state.get("ind_base") != base:
        # another version to edit (the as_of choice, or the file changed): fresh inputs
        if "ind_base" in st.session_state:
            _bump()
        st.session_state["ind_base"] = base
    gen = st.session_state.get("ind_gen", 0)
    draft = _drafts().get(base, base)
    changed = draft != base
    dframe = draft.nodes_frame(L)
    st.markdown(t("ind_edit_intro", name=_vname(base)))
    issues = validate(draft)
    described = [_issue_text(i, draft, dframe) for i in issues]
    off_groups = {g for _text, g in described if g is not None}
    bad_nodes = {_issue_node(draft, i.path) for i in issues}

    groups = [ROOT_ID] + [nid for nid, leaf, d in zip(dframe["node_id"], dframe["is_leaf"], dframe["depth"])
                          if not leaf and d > 0]
    names = dict(zip(dframe["node_id"], dframe["name"]))
    group_labels = {}
    for g in groups:
        if g == ROOT_ID:
            label = t("ind_group_root")
        else:
            depth = int(dframe.loc[dframe["node_id"] == g, "depth"].iloc[0])
            label = t("ind_group_area" if depth == 1 else "ind_group_items", name=names[g])
        kids = dframe.loc[dframe["parent_id"] == g, "node_id"]
        warn = g in off_groups or any(k in bad_nodes for k in kids)
        group_labels[g] = ("⚠ " if warn else "") + label
    group = st.selectbox(t("ind_group"), groups, format_func=group_labels.__getitem__, key="ind_group")

    kids = dframe[dframe["parent_id"] == group]
    widths = [3, 1.4, 1.4, 1.4, 2.2]
    head = st.columns(widths)
    heads = ("ind_ed_name", "ind_ed_weight", "ind_ed_target", "ind_ed_floor", "ind_ed_now")
    if not kids["is_leaf"].any():  # areas, or indicators made of items: only weights to set here
        heads = ("ind_ed_name", "ind_ed_weight", None, None, "ind_ed_now")
    for col, key in zip(head, heads):
        if key:
            col.markdown(f"**{t(key)}**")
    now_by_id = nodes.set_index("node_id")
    for r in kids.itertuples():
        cols = st.columns(widths, vertical_alignment="center")
        unit = units.get(r.metric, "") if r.is_leaf else ""
        scale, number_format, step, in_pct = INPUT_UNITS.get(unit, (1.0, "%.2f", 0.1, False))
        hint = []
        if r.is_leaf and isinstance(r.direction, str):
            hint.append(t("ind_ed_lower" if r.direction == "lower" else "ind_ed_higher"))
        if in_pct:
            hint.append(t("ind_ed_unit_pct"))
        cols[0].markdown(f"{r.name}" + (f"  \n<small style='color:{NEUTRAL}'>{' · '.join(hint)}</small>"
                                        if hint else ""), unsafe_allow_html=True)
        wkey = f"ind_w_{gen}_{r.node_id}"
        cols[1].number_input(f"{r.name} · {t('ind_ed_weight')}", min_value=0.0, max_value=100.0,
                             value=float(r.weight), step=1.0, format="%.1f", key=wkey,
                             label_visibility="collapsed", on_change=_on_edit,
                             args=(base, r.node_id, group, "weight", wkey, 1.0))
        if r.is_leaf:
            for col, field in ((cols[2], "target"), (cols[3], "floor")):
                k = f"ind_{field[0]}_{gen}_{r.node_id}"
                value = getattr(r, field)
                col.number_input(f"{r.name} · {t(EDIT_KEY[field])}",
                                 value=float(value) * scale if pd.notna(value) else 0.0,
                                 step=step, format=number_format, key=k, label_visibility="collapsed",
                                 on_change=_on_edit, args=(base, r.node_id, group, field, k, scale))
        elif kids["is_leaf"].any():
            cols[2].caption(t("ind_ed_inner"))
        now = now_by_id.loc[r.node_id] if r.node_id in now_by_id.index else None
        if now is not None and pd.notna(now["score"]):
            now_text = (t("ind_ed_now_line", value=_value(now["value"], r.metric), score=_score(now["score"]))
                        if r.is_leaf else f"{t('ind_hover_score')} {_score(now['score'])}")
            cols[4].caption(now_text)
    total = float(kids["weight"].sum())
    if abs(total - 100.0) > 0.01:
        st.markdown(f"<span style='color:{BAD}'>{t('ind_ed_sum_bad', total=f'{total:.4g}')}</span>",
                    unsafe_allow_html=True)
    else:
        st.caption(t("ind_ed_sum", total=f"{total:.4g}"))

    if issues:
        st.error(t("ind_problems") + "\n\n" + "\n".join(f"- {text}" for text, _g in described))
        last = st.session_state.get("ind_last_weight", {})
        for g in sorted(off_groups, key=groups.index):
            keep = last.get(g)
            siblings = set(dframe.loc[dframe["parent_id"] == g, "node_id"])
            if keep in siblings:
                w = float(dframe.loc[dframe["node_id"] == keep, "weight"].iloc[0])
                label = t("ind_renorm_keep", name=names[keep], weight=f"{min(w, 100.0):g}")
            else:
                keep = None
                label = t("ind_renorm_root") if g == ROOT_ID else t("ind_renorm", name=names[g])
            st.button(label, key=f"ind_renorm_{g}", on_click=_on_renormalise, args=(base, g, keep),
                      icon=":material/balance:")

    # the draft's effect, before anything is saved
    st.markdown(f"#### {t('ind_effect')}")
    if not changed:
        st.info(t("ind_no_changes"))
    else:
        st.markdown(t("ind_changes") + "\n" + "\n".join(f"- {c}" for c in _changes(base, draft)))
        c1, c2 = st.columns(2)
        c1.metric(t("ind_index_now"), fmt.num(index_now))
        if issues:
            c2.metric(t("ind_index_draft"), "—", help=t("ind_fix_first"))
            c2.caption(t("ind_fix_first"))
        else:
            after = call(indicators.composite_index, draft, grain="all", level="center",
                         date_from=f.date_from, date_to=f.date_to, team=f.team)
            index_after = float(after["index"].iloc[0]) if len(after) and pd.notna(after["index"].iloc[0]) \
                else math.nan
            delta = None if math.isnan(index_after) or math.isnan(index_now) else f"{index_after - index_now:+.1f}"
            c2.metric(t("ind_index_draft"), fmt.num(index_after), delta=delta)
            st.markdown(f"**{t('ind_rank_title')}**")
            rank_now = call(indicators.composite_index, models, grain="all", level="team",
                            date_from=f.date_from, date_to=f.date_to, as_of=as_of)
            rank_draft = call(indicators.composite_index, draft, grain="all", level="team",
                              date_from=f.date_from, date_to=f.date_to)
            if rank_now.empty or rank_draft.empty:
                st.info(t("ind_rank_empty"))
            else:
                both = indicators_view.rank_shift(rank_now, rank_draft)
                moved = both["moved"]

                def _moved(m) -> str:
                    if pd.isna(m) or m == 0:
                        return t("ind_moved_none")
                    return t("ind_moved_up", n=int(m)) if m > 0 else t("ind_moved_down", n=int(-m))

                st.dataframe(pd.DataFrame({
                    t("ind_col_team"): [("▶ " if k == f.team else "") + k for k in both["level_key"]],
                    t("ind_col_idx_now"): both["index_now"].round(1),
                    t("ind_col_idx_draft"): both["index_draft"].round(1),
                    t("ind_col_rank_now"): both["rank_now"],
                    t("ind_col_rank_draft"): both["rank_draft"],
                    t("ind_col_moved"): [_moved(m) for m in moved],
                }), hide_index=True, width="stretch", key="ind_rank_table", column_config={
                    t("ind_col_idx_now"): st.column_config.NumberColumn(format="%.1f"),
                    t("ind_col_idx_draft"): st.column_config.NumberColumn(format="%.1f"),
                })
                n_moved = indicators_view.moved_count(both)
                st.caption(t("ind_rank_moves", n=n_moved) if n_moved else t("ind_rank_same"))

    # save as a new dated version, or discard
    st.markdown(f"#### {t('ind_save_title')}")
    eff_key, name_key, note_key = f"ind_eff_{gen}", f"ind_vname_{gen}", f"ind_vnote_{gen}"
    default_name = t("ind_version_default", date=fmt.date(today))
    c1, c2, c3 = st.columns([1, 1, 2])
    eff = c1.date_input(t("ind_eff_from"), value=today, key=eff_key, help=t("ind_eff_help"))
    c2.text_input(t("ind_version_name"), value=default_name, key=name_key)
    c3.text_input(t("ind_version_note"), key=note_key)
    same_day = [m for m in models.versions if m.effective_from == eff]
    if same_day:
        st.warning(t("ind_replaces", date=fmt.date(eff), name=_vname(same_day[0])))
    b1, b2, _ = st.columns([1, 1, 3])
    b1.button(t("ind_save"), type="primary", key="ind_save", disabled=not changed or bool(issues),
              on_click=_on_save, args=(base, eff_key, name_key, note_key, default_name),
              icon=":material/save:", width="stretch")
    b2.button(t("ind_discard"), key="ind_discard", disabled=not changed, on_click=_on_discard, args=(base,),
              icon=":material/undo:", width="stretch")
    if not changed:
        st.caption(t("ind_save_disabled_changes"))
    elif issues:
        st.caption(t("ind_save_disabled_issues"))

# --- how robust is the half-year ranking to the weights -----------------------------------------
h_start, _h_end = half_year(f.date_to)
half = fmt.period(h_start, "half_year")
st.subheader(t("ind_sens", half=half))
st.caption(t("ind_sens_intro"))
sens = call(indicators.weight_sensitivity, shown, f.date_to, level="team")
if sens.empty or int(sens["units"].max()) < 2:
    st.info(t("ind_sens_empty", half=half))
else:
    n_units = int(sens["units"].max())
    worst = sens.sort_values(["max_rank_change", "mean_abs_rank_change"], ascending=False).iloc[0]
    worst_move = int(worst["max_rank_change"])
    if worst_move == 0:
        st.success(t("ind_sens_robust0", units=n_units))
    elif worst_move == 1:
        st.success(t("sentences", first=t("ind_sens_robust1", units=n_units), then=t(
            "ind_sens_most", name=say(worst["name"]), team=worst["most_moved"],
            dir=t("ind_sens_up") if worst["change"] > 0 else t("ind_sens_down"))))
    else:
        fragile = sens.loc[sens["max_rank_change"] >= 2, "node_id"].nunique()
        st.warning(t("ind_sens_fragile", name=say(worst["name"]), n=worst_move, team=worst["most_moved"], k=fragile,
                     dir=t("ind_sens_up") if worst["change"] > 0 else t("ind_sens_down")))
    movers = sens[sens["max_rank_change"] > 0]
    ids_moving = list(dict.fromkeys(movers.sort_values("max_rank_change")["node_id"]))
    if ids_moving:
        fig = go.Figure()
        for sign, colour, label in ((+1, PALETTE[0], t("ind_sens_plus")), (-1, PALETTE[1], t("ind_sens_minus"))):
            part = sens[(sens["change"] * sign > 0) & sens["node_id"].isin(ids_moving)]
            part = part.set_index("node_id").loc[ids_moving]
            fig.add_trace(go.Bar(
                y=says(part["name"]), x=part["max_rank_change"], orientation="h", name=label, marker_color=colour,
                customdata=[m if isinstance(m, str) else "—" for m in part["most_moved"]],
                hovertemplate="%{y}: %{x}<br>" + t("ind_hover_team") + ": %{customdata}<extra>" + label
                              + "</extra>",
            ))
        fig.update_layout(barmode="group")
        top = int(sens["max_rank_change"].max())
        fig.update_xaxes(title_text=t("ind_sens_axis"), dtick=1, range=[0, max(3, top) + 0.3])
        plot(fig, key="ind_sens", height=max(220, 60 * len(ids_moving) + 120))
    others = sens["node_id"].nunique() - len(ids_moving)
    if others and ids_moving:
        st.caption(t("ind_sens_others", n=others))
    if not presenting:
        with st.expander(t("ind_sens_table")):
            st.dataframe(pd.DataFrame({
                t("ind_col_node"): says(sens["name"]),
                t("ind_col_change"): [f"{c * 100:+.0f}%" for c in sens["change"]],
                t("ind_col_weight"): [f"{w:g}% → {nw:.3g}%" for w, nw in zip(sens["weight"], sens["new_weight"])],
                t("ind_col_max_move"): sens["max_rank_change"],
                t("ind_col_most_moved"): [m if isinstance(m, str) else "—" for m in sens["most_moved"]],
                t("ind_col_rho"): sens["spearman_rho"].round(3),
            }), hide_index=True, width="stretch", key="ind_sens_table",
                column_config={t("ind_col_rho"): st.column_config.NumberColumn(help=t("ind_rho_help"))})
