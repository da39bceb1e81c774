-- Schema step 3: the append-only audit trail, a hash chain (docs/store.md).

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,   -- 1, 2, 3 ... with no gaps
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    task_id   INTEGER,               -- no foreign key: the trail outlives what it describes
    detail    TEXT    NOT NULL DEFAULT '',
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_by_task ON audit (task_id, seq);

-- Append-only through SQL too: changing the past needs dropping these first, and the hash
-- chain shows it anyway.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
