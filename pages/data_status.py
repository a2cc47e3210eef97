"""Data status: what is in the database, per kind and month, and the import log."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from qa_analytics import store
from ui.db import call, connection
from ui.i18n import BATCH_STATUS_KEY, SOURCE_KEY, kind_label, t
from ui.page import ensure_app
from ui.theme import plot

ensure_app()  # direct links on a fresh server: run inside app.py

st.title(t("data_title"))

try:
    counts = call(store.record_counts)
except Exception as exc:  # a locked or corrupt file: say so, in words
    st.error(t("db_error", error=exc))
    st.stop()

if not any(c["records"] for c in counts):
    st.info(t("empty_db"))
    st.stop()

if call(store.has_demo_data):
    left, right = st.columns([4, 1])
    left.warning(t("demo_banner"))
    if right.button(t("clear_demo")):
        n = store.clear_demo_data(connection())
        st.success(t("demo_cleared", n=n))
        st.rerun()

st.subheader(t("counts_by_kind"))
table = pd.DataFrame(
    [
        {
            t("col_kind"): kind_label(c['kind']),
            t("col_records"): c["records"],
            t("col_first"): c["first"],
            t("col_last"): c["last"],
        }
        for c in counts
    ]
)
st.dataframe(table, hide_index=True, width="stretch")

monthly = call(store.monthly_counts)
if len(monthly):
    monthly = monthly.assign(kind=monthly["kind"].map(kind_label))
    # One panel per kind: surveys outnumber system checks 10,000 to 1.
    fig = px.bar(
        monthly, x="month", y="records", facet_row="kind", color="kind",
        labels={"month": t("col_month"), "records": t("col_records"), "kind": t("col_kind")},
    )
    fig.update_yaxes(matches=None, title_text="")
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    fig.update_layout(showlegend=False)
    st.subheader(t("counts_by_month"))
    plot(fig, height=140 * monthly["kind"].nunique() + 60)

st.subheader(t("import_log"))
batches = call(store.list_batches)
if not batches:
    st.caption(t("no_batches"))
else:
    log = pd.DataFrame(batches)
    log["kind"] = log["kind"].map(kind_label)
    log["status"] = log["status"].map(lambda s: t(BATCH_STATUS_KEY[s]))
    log["source"] = log["source"].map(lambda s: t(SOURCE_KEY[s]))
    log = log[["batch_id", "file_name", "kind", "source", "rows_read", "rows_imported", "rows_updated",
               "rows_duplicate", "rows_rejected", "imported_at", "imported_by", "status"]]
    log.columns = [t(k) for k in ("col_batch", "col_file", "col_kind", "col_source", "col_read", "col_new",
                                  "col_updated", "col_duplicate", "col_rejected", "col_imported_at", "col_by",
                                  "col_status")]
    st.dataframe(log, hide_index=True, width="stretch")
