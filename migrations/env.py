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
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
