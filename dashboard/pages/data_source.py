"""Data source: which database the dashboard reads, importing a file through a profile (both admin
only), data quality."""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path, PurePath

import streamlit as st

from dashboard import counts, data, display, identity, state, widgets
from scoring.access import DATABASES, IMPORT
from scoring.analytics.quality import quality_summary
from scoring.settings import Settings
from scoring.sources import available_profiles, import_files, load_profile
from scoring.sources.uploads import upload_suffix

actor = widgets.guarded(identity.actor)
url = data.database_url()
st.title("Data source")
st.write(f"Reading **`{widgets.database_name(data.engine(url).url)}`**.")

settings = Settings.from_env()
listed = settings.extra.get("SMARKETING_DATABASE_URLS", "").split()
if listed and actor.may(DATABASES):
    with st.form("switch_database"):
        other = st.selectbox(
            "Another database",
            listed,
            help="The databases listed in SMARKETING_DATABASE_URLS; opening one migrates its schema.",
            key="source_url_input",
        )
        # Checked again on submit: only a listed URL is ever opened.
        opened = st.form_submit_button("Open", help="Switch every page to this database.")
        if opened and other in listed:
            widgets.guarded(lambda: actor.require(DATABASES))
            widgets.guarded(lambda: data.engine(other))
            st.session_state[state.DATABASE_URL] = other
            st.rerun()
if st.session_state.get(state.DATABASE_URL) and st.button(
    "Back to the default database", key="source_reset"
):
    del st.session_state[state.DATABASE_URL]
    st.rerun()

st.subheader("Import a file")
if not actor.may(IMPORT):
    st.caption(f":material/lock: Imports need the admin role; you are {actor.role}.")
profile_name = st.selectbox(
    "Mapping profile",
    available_profiles(),
    key="source_profile",
    help="How the file's columns map to ours.",
)
upload = st.file_uploader(
    "CSV or Parquet file",
    type=["csv", "parquet"],
    key="source_upload",
    help="Imported all or nothing.",
    disabled=not actor.may(IMPORT),
)
if upload is not None and st.button("Import into a new database", key="source_import"):
    widgets.guarded(lambda: actor.require(IMPORT))
    content = upload.getvalue()
    home = settings.home / "uploads"
    home.mkdir(parents=True, exist_ok=True)
    target = home / f"upload-{hashlib.sha256(content).hexdigest()[:10]}.db"
    limit = int(settings.extra.get("SMARKETING_UPLOAD_MAX_MB", "200")) * 1024 * 1024
    suffix = widgets.guarded(lambda: upload_suffix(content, limit))
    with tempfile.TemporaryDirectory() as folder:
        # The client's name is reduced to safe characters of its last part (for messages only), in a
        # fresh folder; the suffix comes from the content.
        stem = re.sub(r"[^A-Za-z0-9_-]", "_", PurePath(upload.name.replace("\\", "/")).stem)[:64]
        path = Path(folder) / f"{stem.lstrip('_') or 'upload'}{suffix}"
        path.write_bytes(content)
        target_url = f"sqlite:///{target}"
        result = widgets.guarded(
            lambda: import_files(data.engine(target_url), load_profile(profile_name), [str(path)])
        )
    st.session_state[state.DATABASE_URL] = target_url
    imported = result.summary()
    st.success(f"{imported[:1].upper()}{imported[1:]}; now reading {target_url}.")

st.subheader("Data quality")
_, everything = widgets.database_sidebar(url)
summary = quality_summary(everything.contacts)
cols = st.columns(4)
counts.metric(cols[0], "Contacts", f"{summary.contacts:,}")
counts.metric(cols[1], "Invalid emails", f"{summary.invalid_emails:,}")
counts.metric(cols[2], "Personal email domains", f"{summary.personal_emails:,}")
counts.metric(cols[3], "Likely duplicates", f"{summary.duplicates:,}")
display.table(
    st,
    summary.missing,
    column_config={"share": st.column_config.NumberColumn(format="percent")},
)
