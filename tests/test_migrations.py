"""The migrations build exactly the schema the models declare, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from annotations.db.engine import Store
from annotations.db.migrate import upgrade
from annotations.db.models import Base


def test_migrated_schema_matches_models(any_url):
    store = Store.open(any_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    store.dispose()
    assert diff == []


def test_upgrade_is_idempotent(any_url):
    store = Store.open(any_url)
    upgrade(store.engine)
    tables = set(inspect(store.engine).get_table_names())
    store.dispose()
    assert {"annotations", "replies", "documents", "document_versions", "seminars",
            "codes", "perspectives", "annotation_links", "alembic_version"} <= tables


def test_sqlite_store_runs_in_wal_mode(sqlite_url):
    store = Store.open(sqlite_url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
    store.dispose()
