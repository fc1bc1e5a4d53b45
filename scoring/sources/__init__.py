"""Loaders into the canonical model (CSV / Parquet / SQL via mapping profiles) and the demo data generator."""

from __future__ import annotations

from scoring.sources.catalog import (
    PROFILES_DIR,
    available_profiles,
    load_profile,
    profile_from_text,
)
from scoring.sources.export import read_canonical, write_canonical_csv
from scoring.sources.frames import CanonicalFrames
from scoring.sources.load import Written
from scoring.sources.pipeline import ImportResult, assign_files, import_files, read_sources
from scoring.sources.profile import Profile
from scoring.sources.transform import transform

__all__ = [
    "PROFILES_DIR",
    "CanonicalFrames",
    "ImportResult",
    "Profile",
    "Written",
    "assign_files",
    "available_profiles",
    "import_files",
    "load_profile",
    "profile_from_text",
    "read_canonical",
    "read_sources",
    "transform",
    "write_canonical_csv",
]
