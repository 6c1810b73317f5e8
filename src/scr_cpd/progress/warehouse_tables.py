"""The warehouse's tables, and how a batch of logs' rows is written to them.

Each table has a natural key; the tables declare no primary key (DuckDB keeping one up to date
made inserting four times slower and the file seven times larger), so the writer keeps each key
unique itself: rows of an officer new to the warehouse are appended as they are, rows of an
officer already there are merged, the newest export winning for rows that change.
"""

from __future__ import annotations

from typing import Any

PACK = 250  # logs whose rows are held as Python lists before they are packed into Arrow columns
TABLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # name: (columns, what the newest export replaces ('' = never), natural key)
    "logs": (
        "log_id VARCHAR, officer VARCHAR NOT NULL, file VARCHAR, generated_at TIMESTAMPTZ,"
        " period_since DATE, period_until DATE, app_version VARCHAR, cpd_hours DOUBLE,"
        " review_outcome VARCHAR",
        "",
        ("log_id",),
    ),
    "officers": (
        "officer VARCHAR, name VARCHAR, staff_number VARCHAR, role VARCHAR, force VARCHAR,"
        " as_of TIMESTAMPTZ",
        "name, staff_number, role, force, as_of",
        ("officer",),
    ),
    "modules": (
        "officer VARCHAR, module_id VARCHAR, title VARCHAR, bank_version VARCHAR, status VARCHAR,"
        " questions INTEGER, pass_mark DOUBLE, best_score DOUBLE, completions INTEGER,"
        " attempts INTEGER, correct INTEGER, seconds DOUBLE, first_activity TIMESTAMPTZ,"
        " last_activity TIMESTAMPTZ, as_of TIMESTAMPTZ",
        "title, bank_version, status, questions, pass_mark, best_score, completions, attempts,"
        " correct, seconds, first_activity, last_activity, as_of",
        ("officer", "module_id"),
    ),
    "sessions": (
        "session_id VARCHAR, officer VARCHAR, kind VARCHAR, module_id VARCHAR, title VARCHAR,"
        " started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ, status VARCHAR, questions INTEGER,"
        " correct INTEGER, seconds DOUBLE, as_of TIMESTAMPTZ",
        "title, ended_at, status, questions, correct, seconds, as_of",
        ("session_id",),
    ),
    "attempts": (
        "officer VARCHAR, module_id VARCHAR, question_id VARCHAR, answered_at TIMESTAMPTZ,"
        " seq INTEGER, revision INTEGER, content_hash VARCHAR, correct BOOLEAN,"
        " confidence VARCHAR, seconds DOUBLE, response JSON, log_id VARCHAR",
        "",
        ("officer", "module_id", "question_id", "answered_at", "seq"),
    ),
    "reflections": (
        "officer VARCHAR, reflection_id VARCHAR, module_id VARCHAR, prompt_id VARCHAR,"
        " prompt VARCHAR, learning_points VARCHAR[], tags VARCHAR[], created_at TIMESTAMPTZ,"
        " updated_at TIMESTAMPTZ, seconds DOUBLE, words INTEGER, what VARCHAR, so_what VARCHAR,"
        " now_what VARCHAR, as_of TIMESTAMPTZ",
        "module_id, prompt_id, prompt, learning_points, tags, created_at, updated_at, seconds,"
        " words, what, so_what, now_what, as_of",
        ("officer", "reflection_id"),
    ),
}
COLUMNS = {t: [tuple(c.split()[:2]) for c in spec.split(",")] for t, (spec, _, _) in TABLES.items()}
# The exact bytes of each file loaded, so an unchanged file is known again without verifying it
# (entries made by another version of scr-cpd are not used: it may check logs differently).
FILES = "loaded_files"
FILES_COLUMNS = (
    "sha256 VARCHAR, log_id VARCHAR, officer VARCHAR, reviewer VARCHAR, checked_by VARCHAR"
)
Columns = dict[str, dict[str, list[Any]]]  # table -> column -> values


class WarehouseError(Exception):
    """The warehouse cannot be written; one sentence for the user."""


def create_tables(db: Any) -> None:
    for name, (columns, _, _) in TABLES.items():
        db.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
    db.execute(f"CREATE TABLE IF NOT EXISTS {FILES} ({FILES_COLUMNS})")
    _drop_primary_keys(db)


def _drop_primary_keys(db: Any) -> None:
    """Warehouses made by earlier versions declared primary keys; keeping them up to date made
    inserting four times slower (and the file seven times larger), so the tables are rebuilt
    without them. The loader keeps each natural key unique itself."""
    found = db.execute(
        "SELECT DISTINCT table_name FROM duckdb_constraints()"
        " WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()"
    ).fetchall()
    for (table,) in found:
        if table in TABLES:
            db.execute("BEGIN TRANSACTION")
            db.execute(f"ALTER TABLE {table} RENAME TO {table}_old")
            db.execute(f"CREATE TABLE {table} ({TABLES[table][0]})")
            db.execute(f"INSERT INTO {table} SELECT * FROM {table}_old")
            db.execute(f"DROP TABLE {table}_old")
            db.execute("COMMIT")


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _empty() -> Columns:
    return {t: {c: [] for c, _ in COLUMNS[t]} for t in TABLES}


class Batch:
    """Rows of many logs, as columns: Python lists while they come in, packed into compact Arrow
    columns every PACK logs. A log of an officer the warehouse has not seen yet cannot repeat a
    natural key, so its rows are simply appended; a later log of an officer already there (or
    earlier in the batch) is merged (`_merge`)."""

    def __init__(self) -> None:
        self.fresh, self.later = _empty(), _empty()
        self.packed: dict[bool, dict[str, list[Any]]] = {
            f: {t: [] for t in TABLES} for f in (True, False)
        }
        self.files: list[tuple[str, str, str, str | None, str]] = []
        self.logs = self.answers = self.unpacked = 0

    def add(self, columns: Columns, fresh: bool) -> None:
        target = self.fresh if fresh else self.later
        for table, found in columns.items():
            into = target[table]
            for column, values in found.items():
                into[column].extend(values)
        self.logs += 1
        self.answers += len(columns["attempts"]["officer"])
        self.unpacked += 1
        if self.unpacked >= PACK:
            self.pack()

    def pack(self) -> None:
        for fresh, rows in ((True, self.fresh), (False, self.later)):
            for table, columns in rows.items():
                if columns["officer"]:
                    self.packed[fresh][table].append(_arrow(table, columns))
        self.fresh, self.later, self.unpacked = _empty(), _empty(), 0


def flush(db: Any, batch: Batch) -> None:
    """Write the batch in one transaction: one INSERT per table for officers new to the
    warehouse (DuckDB writes large inserts straight to the file), then the merges."""
    import duckdb
    import pyarrow as pa  # type: ignore[import-untyped]

    batch.pack()
    try:
        db.execute("BEGIN TRANSACTION")
        for fresh in (True, False):
            for table, chunks in batch.packed[fresh].items():
                if chunks:
                    write = _insert if fresh else _merge
                    write(db, table, pa.concat_tables(chunks))
        if batch.files:
            names = [c.split()[0] for c in FILES_COLUMNS.split(",")]
            rows = pa.table({c: list(v) for c, v in zip(names, zip(*batch.files))})
            db.register("batch", rows)
            db.execute(f"INSERT INTO {FILES} SELECT * FROM batch")
            db.unregister("batch")
        db.execute("COMMIT")
    except (duckdb.Error, pa.ArrowException) as exc:
        try:
            db.execute("ROLLBACK")
        except duckdb.Error:
            pass  # no transaction was open
        raise WarehouseError(f"cannot write to the warehouse ({first_line(exc)})") from None


def _arrow(table: str, columns: dict[str, list[Any]]) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    types = {
        "VARCHAR": pa.string(),
        "JSON": pa.string(),
        "TIMESTAMPTZ": pa.string(),  # DuckDB reads the ISO 8601 text itself
        "DATE": pa.string(),
        "DOUBLE": pa.float64(),
        "INTEGER": pa.int64(),
        "BOOLEAN": pa.bool_(),
        "VARCHAR[]": pa.list_(pa.string()),
    }
    arrays = {c: pa.array(columns[c], type=types[kind]) for c, kind in COLUMNS[table]}
    for same in ("officer", "log_id"):  # one value per log: kept once, not once per row
        if same in arrays:
            arrays[same] = pc.dictionary_encode(arrays[same])
    return pa.table(arrays)


def _insert(db: Any, table: str, rows: Any) -> None:
    names = ", ".join(c for c, _ in COLUMNS[table])
    db.register("batch", rows)
    db.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM batch")
    db.unregister("batch")


def _merge(db: Any, table: str, rows: Any) -> None:
    """Rows that may repeat a natural key: one per key kept from the batch (the newest export
    for rows that change, else the first), then, for rows that change, older copies in the
    table replaced; rows whose key is already there are not added again."""
    import pyarrow as pa

    _, replace, key = TABLES[table]
    names = ", ".join(c for c, _ in COLUMNS[table])
    typed = ", ".join(f"CAST({c} AS {kind}) AS {c}" for c, kind in COLUMNS[table])
    keys, order = ", ".join(key), "as_of DESC, _n DESC" if replace else "_n"
    same = " AND ".join(f"{table}.{k} = stage.{k}" for k in key)
    db.register("batch", rows.append_column("_n", pa.array(range(rows.num_rows), pa.int64())))
    db.execute(  # _n: the order rows came in, so that of two exports as new, the later wins
        f"CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM (SELECT {typed}, _n FROM batch)"
        f" QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {order}) = 1"
    )
    db.unregister("batch")
    if replace:
        db.execute(f"DELETE FROM {table} USING stage WHERE {same} AND stage.as_of >= {table}.as_of")
    db.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM stage"
        f" WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {same})"
    )
    db.execute("DROP TABLE stage")
