"""Loaders into the canonical model (CSV / Parquet / SQL via mapping profiles) and the demo data generator."""
