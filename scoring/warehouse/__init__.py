"""Features and rules compiled to SQL and run where the data lives: DuckDB, PostgreSQL, SQLite, Spark SQL, dbt."""
