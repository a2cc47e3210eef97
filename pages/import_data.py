"""Import: upload exports, check the detected kind and mapping, import, undo."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from qa_analytics import store
from qa_analytics.importer import ImportPlan, import_file, plan_import
from qa_analytics.mapping import MappingError
from qa_analytics.read import ReadError
from qa_analytics.schema import KIND_NAMES, KINDS
from ui.db import connection, query, version
from ui.i18n import kind_label, t
from ui.page import ensure_app

ensure_app()  # direct links on a fresh server: run inside app.py

UPLOAD_DIR = Path(tempfile.gettempdir()) / "qa_uploads"
FILE_TYPES = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt"]

st.title(t("import_title"))
st.caption(t("import_help"))


def _save(upload) -> Path:
    """Keep the upload on disk under its hash: the reader wants a path."""
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = UPLOAD_DIR / digest / upload.name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path


def _session_cached(key: tuple, build):
    """Reading a file and checking it cost seconds for a large export; every
    widget on the page reruns the script, so keep the results per session,
    keyed on what they depend on."""
    cache = st.session_state.setdefault("_import_cache", {})
    if key not in cache:
        if len(cache) > 20:  # a long session uploading many files
            cache.clear()
        cache[key] = build()
    return cache[key]


def _plan(path: Path, kind: str | None, overrides: dict[str, str]) -> ImportPlan | str:
    def build() -> ImportPlan | str:
        try:
            return plan_import(path, kind=kind, overrides=overrides or None)
        except (ReadError, MappingError) as exc:
            return str(exc)

    return _session_cached(("plan", str(path), kind, tuple(sorted(overrides.items()))), build)


def _errors_frame(errors: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("col_sheet"): e["sheet"],
                t("col_row"): e["row"],
                t("col_column"): e["column"],
                t("col_value"): e["value"],
                t("col_problem"): t(f"err_{e['code']}", row=e["value"]) if e.get("code") else e["message"],
            }
            for e in errors
        ]
    )


def _file_panel(upload, index: int) -> None:
    path = _save(upload)
    key = f"imp{index}_{hashlib.md5(str(path).encode()).hexdigest()[:8]}"
    kind_choice = st.session_state.get(f"{key}_kind", "auto")
    overrides: dict[str, str] = st.session_state.get(f"{key}_overrides", {})
    plan = _plan(path, None if kind_choice == "auto" else kind_choice, overrides)
    with st.container(border=True):
        st.subheader(upload.name)
        if isinstance(plan, str):
            st.error(t("file_rejected", reason=plan))
            labels = {"auto": t("auto_detect"), **{k: kind_label(k) for k in KIND_NAMES}}
            st.selectbox(t("kind"), list(labels), key=f"{key}_kind", format_func=labels.__getitem__)
            return
        # Labels computed here, not in format_func: it may run outside the script.
        labels = {"auto": t("auto_detected", kind=kind_label(plan.mapping.kind)),
                  **{k: kind_label(k) for k in KIND_NAMES}}
        st.selectbox(t("kind"), list(labels), key=f"{key}_kind", format_func=labels.__getitem__)
        st.caption(t("sheet_header_at", sheet=plan.sheet.name, row=plan.layout.header_row + 1))
        # Mapping: one row per column, the field chosen in a selectbox.
        fields = list(KINDS[plan.mapping.kind].field_names)
        options = fields + (["item"] if plan.mapping.kind == "monitoring" else []) + ["ignore"]
        described = plan.mapping.describe()
        rows = []
        for name in plan.layout.names:
            if not name:
                continue
            target = described.get(name, "ignore")
            rows.append({"header": name, "field": "item" if target.startswith("item:") else target})
        editor = st.data_editor(
            pd.DataFrame(rows),
            column_config={
                "header": st.column_config.TextColumn(t("col_header"), disabled=True),
                "field": st.column_config.SelectboxColumn(t("col_field"), options=options, required=True),
            },
            hide_index=True, key=f"{key}_editor", width="stretch",
        )
        new_overrides = {
            r["header"]: r["field"] for r, old in zip(editor.to_dict("records"), rows) if r["field"] != old["field"]
        }
        if new_overrides:
            st.session_state[f"{key}_overrides"] = {**overrides, **new_overrides}
            st.rerun()
        with st.expander(t("preview")):
            preview = plan.preview(10)
            names = [n or f"#{j + 1}" for j, n in enumerate(plan.layout.names)]
            st.dataframe(pd.DataFrame(preview, columns=names[: len(preview[0])] if preview else names),
                         hide_index=True)
        con = connection()
        # the check depends on the database too: keyed on its data version
        check = _session_cached(
            ("check", str(path), kind_choice, tuple(sorted(overrides.items())), version()),
            lambda: import_file(con, path, plan=plan, dry_run=True, display_name=upload.name),
        )
        cols = st.columns(5)
        for col, (label, value) in zip(cols, [
            (t("col_read"), check.rows_read), (t("col_new"), check.rows_imported),
            (t("col_updated"), check.rows_updated), (t("col_duplicate"), check.rows_duplicate),
            (t("col_rejected"), check.rows_rejected),
        ]):
            col.metric(label, f"{value:,}")
        if check.errors:
            st.warning(t("rows_invalid", n=check.rows_rejected, total=check.rows_read))
            st.dataframe(_errors_frame(check.errors), hide_index=True, width="stretch")
        elif check.status == "rejected":
            st.error(t("file_rejected", reason=check.message))
            return
        left, right = st.columns(2)
        do_all = left.button(t("btn_import"), key=f"{key}_go", type="primary", disabled=bool(check.errors))
        do_valid = right.button(t("btn_import_valid"), key=f"{key}_go_valid", disabled=not check.errors)
        if do_all or do_valid:
            bar = st.progress(0.0, text=t("importing"))
            rep = import_file(
                con, path, plan=plan, skip_invalid=do_valid, display_name=upload.name,
                progress=lambda stage, frac: bar.progress(frac, text=t(f"stage_{stage}")),
            )
            if rep.status == "imported":
                st.session_state["last_import"] = rep.to_dict()
                st.success(t("imported_ok", new=rep.rows_imported, updated=rep.rows_updated,
                             dup=rep.rows_duplicate, rejected=rep.rows_rejected, batch=rep.batch_id))
                if rep.rejects_file:
                    st.download_button(t("download_rejects"), Path(rep.rejects_file).read_bytes(),
                                       file_name=Path(rep.rejects_file).name, key=f"{key}_rej")
            else:
                st.error(t("file_rejected", reason=rep.message))


uploads = st.file_uploader(t("upload"), type=FILE_TYPES, accept_multiple_files=True)
for i, up in enumerate(uploads or []):
    _file_panel(up, i)

st.divider()
st.subheader(t("import_log"))
batches = query("list_batches")
if not batches:
    st.caption(t("no_batches"))
else:
    log = pd.DataFrame(batches)
    show = pd.DataFrame({
        t("col_batch"): log["batch_id"], t("col_file"): log["file_name"],
        t("col_kind"): log["kind"].map(kind_label), t("col_source"): log["source"].map(lambda s: t(f"source_{s}")),
        t("col_new"): log["rows_imported"], t("col_updated"): log["rows_updated"],
        t("col_duplicate"): log["rows_duplicate"], t("col_rejected"): log["rows_rejected"],
        t("col_imported_at"): log["imported_at"], t("col_by"): log["imported_by"],
        t("col_status"): log["status"].map(lambda s: t(f"status_{s}")),
    })
    st.dataframe(show, hide_index=True, width="stretch")
    active = [b for b in batches if b["status"] == "active"]
    if active:
        left, right = st.columns([3, 1])
        names = {b["batch_id"]: f"#{b['batch_id']} {b['file_name']}" for b in active}
        choice = left.selectbox(t("undo_batch"), list(names), format_func=names.__getitem__)
        if right.button(t("btn_undo")):
            try:
                res = store.undo_batch(connection(), int(choice))
                st.success(t("undone", batch=choice, removed=res["removed"], restored=res["restored"]))
                st.rerun()
            except store.UndoError as exc:
                st.error(t("undo_refused", reason=str(exc)))
