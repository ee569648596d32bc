"""An import's rows in the tenant database, so that any app process can show its progress, its dry
run and its outcome, and undo it later.

- ``ImportBatch``: one file brought in by one member, its mapping, where it stands and its counts.
- ``ImportFile``: the uploaded bytes, kept apart from the batch so progress polls stay light; dropped
  once the batch is committed or discarded.
- ``ImportRow``: the dry run's verdict on one line of the file (create, update, skip or error), the
  cleaned values to write, the match found and, for a rejected line, its cells and reasons.
- ``ImportChange``: what the commit did to one record (created, or updated from ``before``), and the
  version it left, which is how an undo knows that nobody has touched the record since.
- ``ImportMapping``: a saved column mapping (header → field) to reuse with the next file.
"""

from piccolo.columns import JSON, Bytea, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.accounts.tables import User
from core.db.routing import ROUTING_ENGINE


class ImportBatch(Table, db=ROUTING_ENGINE, tablename="crm_import_batch"):
    id: Serial
    entity = Varchar(length=32)
    # The meeting an attendance list is imported into (attendance imports only).
    meeting = Integer(null=True, default=None)
    filename = Varchar(length=255, default="")
    kind = Varchar(length=8, default="csv")
    # reading → planned → committing → committed → undone; or failed / discarded.
    status = Varchar(length=16, default="reading", index=True)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    actor_email = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    # Column index (as text) → field name; what the dry run read the file with.
    mapping = JSON(default="{}")
    headers = JSON(default="[]")
    # What to do with a line that matches an existing record or an earlier line: skip, update, create.
    on_duplicate = Varchar(length=8, default="skip")
    # Progress of the current phase: lines done out of ``total`` (an estimate while reading).
    total = Integer(default=0)
    done = Integer(default=0)
    phase_started_at = Timestamptz(null=True, default=None)
    counts = JSON(default="{}")
    # Why a batch failed, as a message (msgid and parameters) shown in the reader's language.
    failure = JSON(null=True, default=None)


class ImportFile(Table, db=ROUTING_ENGINE, tablename="crm_import_file"):
    id: Serial
    batch = ForeignKey(references=ImportBatch, index=True, on_delete=OnDelete.cascade)
    content = Bytea()


class ImportRow(Table, db=ROUTING_ENGINE, tablename="crm_import_row"):
    id: Serial
    batch = ForeignKey(references=ImportBatch, index=True, on_delete=OnDelete.cascade)
    line = Integer()
    action = Varchar(length=8)
    # The person's choice for a matched line (skip, update, create); empty: the batch's default.
    decision = Varchar(length=8, default="")
    match_id = Integer(null=True, default=None)
    match_line = Integer(null=True, default=None)
    match_label = Varchar(length=300, default="")
    rules = JSON(default="[]")
    values = JSON(default="{}")
    errors = JSON(default="[]")
    cells = JSON(default="[]")


class ImportChange(Table, db=ROUTING_ENGINE, tablename="crm_import_change"):
    id: Serial
    batch = ForeignKey(references=ImportBatch, index=True, on_delete=OnDelete.cascade)
    entity = Varchar(length=32)
    record_id = Integer(index=True)
    action = Varchar(length=8)
    line = Integer(default=0)
    # The record's row before an update (restored on undo); null for a creation.
    before = JSON(null=True, default=None)
    version = Integer(default=1)


class ImportMapping(Table, db=ROUTING_ENGINE, tablename="crm_import_mapping"):
    id: Serial
    entity = Varchar(length=32)
    name = Varchar(length=120)
    # Normalized header text → field name, so the mapping fits a file whose columns moved.
    columns = JSON(default="{}")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
