"""Child process of scoring.db.reading: run SELECTs on a SQLite file with ADBC, write Arrow to stdout.

    python -m scoring.db.arrow_export PATH  < ["SELECT ...", ...]   (JSON on stdin)

The ADBC driver carries its own copy of the SQLite library. Two copies of SQLite in one process
break each other's file locks (sqlite.org/howtocorrupt.html, "multiple copies of SQLite linked into
the same application"), so it only ever runs here, in a process of its own. Each result is written
as one Arrow IPC stream, in the order of the statements.
"""

from __future__ import annotations

import json
import sys

import adbc_driver_sqlite.dbapi as adbc_sqlite
import pyarrow as pa

# Infer each column's type from all rows, not the first batch (sparse columns start NULL).
ALL_ROWS = {"adbc.sqlite.query.batch_rows": "1000000000"}


def main(path: str) -> None:
    statements = json.loads(sys.stdin.read())
    out = sys.stdout.buffer
    with adbc_sqlite.connect(f"file:{path}?mode=ro", autocommit=True) as connection:
        for sql in statements:
            with connection.cursor() as cursor:
                cursor.adbc_statement.set_options(**ALL_ROWS)
                cursor.execute(sql)
                table = cursor.fetch_arrow_table()
            with pa.ipc.new_stream(out, table.schema) as writer:
                writer.write_table(table)
    out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
