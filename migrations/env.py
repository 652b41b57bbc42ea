"""Alembic environment: migrations run on the engine careobs passes in (see careobs.migrate)."""

import os

from alembic import context

from careobs.db import make_engine
from careobs.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    engine = make_engine(os.environ["DATABASE_URL"])

with engine.connect() as connection:
    # Batch mode changes an SQLite table by copying it and dropping the old one, which SQLite
    # refuses while foreign keys are enforced and other rows refer to it (a checklist's
    # versions, an action's notes). SQLite's own recipe: enforcement off outside the
    # transaction, every key checked before the commit, enforcement back on.
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"The migration broke foreign keys: {broken[:5]}")
        connection.commit()
    finally:
        if sqlite:
            if connection.in_transaction():
                connection.rollback()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
