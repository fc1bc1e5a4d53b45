"""Input and output schemas of the API, kept apart from the tables (scoring.db.models)."""
