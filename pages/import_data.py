"""Import: upload exports, check the detected kind and mapping, import, undo; saved mappings."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from qa_analytics import store
from qa_analytics.core.codes import Problem, render
from qa_analytics.ingest import mappings
from qa_analytics.ingest.importer import ImportPlan, field_choices, import_file, plan_import
from qa_analytics.ingest.mapping import MappingError
from qa_analytics.ingest.read import ReadError
from qa_analytics.store.schema import KIND_NAMES, KINDS
from ui.db import call, connection, version
from ui.i18n import BATCH_STATUS_KEY, SOURCE_KEY, STAGE_KEY, kind_label, lang, t
from ui.page import ensure_app

ensure_app()  # direct links on a fresh server: run inside app.py

UPLOAD_DIR = Path(tempfile.gettempdir()) / "qa_uploads"
FILE_TYPES = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt"]
ROW_PX = 35  # a data-editor row: the grid is as tall as its rows, never an inner scroll

st.title(t("import_title"))
st.caption(t("import_help"))


def _save(upload) -> Path:
    """Keep the upload on disk under its content hash: the reader wants a
    path, and the name the browser sent is a label, never a path (a name
    such as ``../../x.csv`` or ``/etc/x`` must not choose where we write)."""
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    ext = Path(str(upload.name)).suffix.lower().lstrip(".")
    path = UPLOAD_DIR / f"{digest[:32]}.{ext if ext in FILE_TYPES else 'bin'}"
    if not path.exists():
        UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
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


def _plan(path: Path, name: str, kind: str | None, overrides: dict[str, str]) -> ImportPlan | Problem:
    def build() -> ImportPlan | Problem:
        try:
            return plan_import(path, kind=kind, overrides=overrides or None, con=connection(), display_name=name)
        except (ReadError, MappingError) as exc:
            return exc

    return _session_cached(("plan", str(path), kind, tuple(sorted(overrides.items())), version()), build)


def _target_label(target: str) -> str:
    if target == "item":
        return t("target_item")
    if target == "ignore":
        return t("target_ignore")
    for k in KINDS.values():
        if target in k.field_names:
            return f"{k.field(target).label(lang())} · {target}"
    return target


def _errors_frame(errors: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([
        {t("col_sheet"): e["sheet"], t("col_row"): e["row"], t("col_column"): e["column"], t("col_value"): e["value"],
         t("col_problem"): e["message"]}
        for e in errors
    ])


def _groups_frame(groups: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{t("col_rows"): g["rows"], t("col_first_row"): g["first_row"],
                          t("col_problem_grouped"): g["message"]} for g in groups])


def _mapping_grid(plan: ImportPlan, key: str) -> dict[str, str]:
    """Every column with its target, a sample value and, where it could not be
    mapped, why (highlighted); returns the user's corrections."""
    targets = plan.mapping.targets()
    sample = plan.preview(20)
    rows = []
    for j, name in enumerate(plan.layout.names):
        if not name:
            continue
        value = next((r[j] for r in sample if j < len(r) and r[j] not in (None, "")), None)
        reason = plan.mapping.reasons.get(name)
        note = ("⚠ " + t("not_mapped") + ": " + render(reason["code"], reason.get("params"), lang())) if reason else ""
        rows.append({"header": name, "sample": value, "field": targets.get(name, "ignore"), "note": note})
    options = field_choices(plan.mapping.kind)
    frame = pd.DataFrame(rows)
    editor = st.data_editor(
        frame,
        column_config={
            "header": st.column_config.TextColumn(t("col_header"), disabled=True),
            "sample": st.column_config.TextColumn(t("col_sample"), disabled=True),
            "field": st.column_config.SelectboxColumn(t("col_field"), options=options, required=True,
                                                      format_func=_target_label),
            "note": st.column_config.TextColumn(t("col_note"), disabled=True),
        },
        hide_index=True, key=f"{key}_editor", width="stretch", height=(len(rows) + 1) * ROW_PX + 3,
    )
    return {r["header"]: r["field"] for r, old in zip(editor.to_dict("records"), rows) if r["field"] != old["field"]}


def _file_panel(upload, index: int) -> None:
    path = _save(upload)
    key = f"imp{index}_{hashlib.md5(str(path).encode()).hexdigest()[:8]}"
    kind_choice = st.session_state.get(f"{key}_kind", "auto")
    overrides: dict[str, str] = st.session_state.get(f"{key}_overrides", {})
    plan = _plan(path, upload.name, None if kind_choice == "auto" else kind_choice, overrides)
    with st.container(border=True):
        st.subheader(upload.name, anchor=False)
        if isinstance(plan, Problem):
            st.error(t("file_rejected", reason=plan.message(lang())))
            labels = {"auto": t("auto_detect"), **{k: kind_label(k) for k in KIND_NAMES}}
            st.selectbox(t("kind"), list(labels), key=f"{key}_kind", format_func=labels.__getitem__)
            return
        # Labels computed here, not in format_func: it may run outside the script.
        labels = {"auto": t("auto_detected", kind=kind_label(plan.mapping.kind)),
                  **{k: kind_label(k) for k in KIND_NAMES}}
        st.selectbox(t("kind"), list(labels), key=f"{key}_kind", format_func=labels.__getitem__)
        st.caption(t("sheet_header_at", sheet=plan.sheet.name, row=plan.layout.header_row + 1))
        if plan.saved is not None:
            st.info(t("saved_mapping_applied", id=plan.saved.mapping_id, label=plan.saved.label or "—"),
                    icon=":material/bookmark:")
        unmapped = len(plan.mapping.reasons)
        if unmapped:
            st.caption(t("columns_not_mapped", n=unmapped))
        corrections = _mapping_grid(plan, key)
        if corrections:
            st.session_state[f"{key}_overrides"] = {**overrides, **corrections}
            st.rerun()
        with st.expander(t("preview")):
            preview = plan.preview(10)
            names = [n or f"#{j + 1}" for j, n in enumerate(plan.layout.names)]
            st.dataframe(pd.DataFrame(preview, columns=names[: len(preview[0])] if preview else names),
                         hide_index=True)
        con = connection()
        # the check depends on the database too: keyed on its data version
        check = _session_cached(
            ("check", str(path), kind_choice, tuple(sorted(overrides.items())), version(), lang()),
            lambda: import_file(con, path, plan=plan, dry_run=True, display_name=upload.name, lang=lang()),
        )
        cols = st.columns(5)
        for col, (label, value) in zip(cols, [
            (t("col_read"), check.rows_read), (t("col_new"), check.rows_imported),
            (t("col_updated"), check.rows_updated), (t("col_duplicate"), check.rows_duplicate),
            (t("col_rejected"), check.rows_rejected),
        ]):
            col.metric(label, f"{value:,}")
        for w in check.warnings:
            st.warning(w["message"], icon=":material/info:")
        all_invalid = bool(check.errors) and check.rows_rejected >= check.rows_read
        if check.errors:
            st.warning(t("rows_all_invalid", total=check.rows_read) if all_invalid
                       else t("rows_invalid", n=check.rows_rejected, total=check.rows_read))
            st.dataframe(_groups_frame(check.error_groups), hide_index=True, width="stretch")
            with st.expander(t("all_problems", n=len(check.errors))):
                st.dataframe(_errors_frame(check.errors), hide_index=True, width="stretch")
        elif check.status == "rejected":
            st.error(t("file_rejected", reason=check.message))
            return
        left, right = st.columns(2)
        do_all = left.button(t("btn_import"), key=f"{key}_go", type="primary", disabled=bool(check.errors))
        # importing "only the valid rows" of a file whose every row is invalid would import nothing
        do_valid = right.button(t("btn_import_valid"), key=f"{key}_go_valid", disabled=not check.errors or all_invalid)
        if do_all or do_valid:
            bar = st.progress(0.0, text=t("importing"))
            rep = import_file(
                con, path, plan=plan, skip_invalid=do_valid, display_name=upload.name, lang=lang(),
                save_mapping=True,  # seen and confirmed in the grid: the next export of this layout arrives mapped
                progress=lambda stage, frac: bar.progress(frac, text=t(STAGE_KEY[stage])),
            )
            if rep.status == "imported":
                st.session_state["last_import"] = rep.to_dict()
                st.success(t("imported_ok", new=rep.rows_imported, updated=rep.rows_updated,
                             dup=rep.rows_duplicate, rejected=rep.rows_rejected, batch=rep.batch_id))
                if rep.saved_mapping_id is not None:
                    st.caption(t("mapping_saved_as", id=rep.saved_mapping_id))
                if rep.rejects_file:
                    st.download_button(t("download_rejects"), Path(rep.rejects_file).read_bytes(),
                                       file_name=Path(rep.rejects_file).name, key=f"{key}_rej")
            else:
                st.error(t("file_rejected", reason=rep.message))


def _saved_mappings_section() -> None:
    st.subheader(t("saved_mappings"), anchor=False)
    saved = call(mappings.list_saved)
    if not saved:
        st.caption(t("no_saved_mappings"))
        return
    st.dataframe(pd.DataFrame([{
        t("col_mapping"): f"#{m.mapping_id}", t("col_label"): m.label or "", t("col_kind"): kind_label(m.kind),
        t("col_columns_mapped"): sum(1 for v in m.columns.values() if v != "ignore"),
        t("col_used"): m.used_count, t("col_last_used"): (m.last_used_at or m.created_at).isoformat(timespec="minutes"),
    } for m in saved]), hide_index=True, width="stretch")
    names = {m.mapping_id: f"#{m.mapping_id} {m.label or kind_label(m.kind)}" for m in saved}
    choice = st.selectbox(t("edit_mapping"), list(names), format_func=names.__getitem__, key="mapping_choice")
    m = next(x for x in saved if x.mapping_id == choice)
    rows = [{"header": h, "field": f} for h, f in m.columns.items()]
    edited = st.data_editor(
        pd.DataFrame(rows),
        column_config={
            "header": st.column_config.TextColumn(t("col_header"), disabled=True),
            "field": st.column_config.SelectboxColumn(t("col_field"), options=field_choices(m.kind), required=True,
                                                      format_func=_target_label),
        },
        hide_index=True, key=f"mapping_editor_{m.mapping_id}", width="stretch", height=(len(rows) + 1) * ROW_PX + 3,
    )
    label = st.text_input(t("col_label"), value=m.label or "", key=f"mapping_label_{m.mapping_id}")
    left, right = st.columns(2)
    if left.button(t("btn_save_mapping"), key=f"mapping_save_{m.mapping_id}"):
        changed = {r["header"]: r["field"] for r in edited.to_dict("records")}
        mappings.update(connection(), m.mapping_id, columns=changed, label=label or None)
        st.success(t("mapping_updated", id=m.mapping_id))
    if right.button(t("btn_delete_mapping"), key=f"mapping_delete_{m.mapping_id}"):
        mappings.delete(connection(), m.mapping_id)
        st.success(t("mapping_deleted", id=m.mapping_id))
        st.rerun()


uploads = st.file_uploader(t("upload"), type=FILE_TYPES, accept_multiple_files=True)
for i, up in enumerate(uploads or []):
    _file_panel(up, i)

st.divider()
st.subheader(t("import_log"), anchor=False)
batches = call(store.list_batches)
if not batches:
    st.caption(t("no_batches"))
else:
    log = pd.DataFrame(batches)
    show = pd.DataFrame({
        t("col_batch"): log["batch_id"], t("col_file"): log["file_name"],
        t("col_kind"): log["kind"].map(kind_label), t("col_source"): log["source"].map(lambda s: t(SOURCE_KEY[s])),
        t("col_new"): log["rows_imported"], t("col_updated"): log["rows_updated"],
        t("col_duplicate"): log["rows_duplicate"], t("col_rejected"): log["rows_rejected"],
        t("col_imported_at"): log["imported_at"], t("col_by"): log["imported_by"],
        t("col_status"): log["status"].map(lambda s: t(BATCH_STATUS_KEY[s])),
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
                st.error(t("undo_refused", reason=exc.message(lang())))

st.divider()
_saved_mappings_section()
