-- Schema step 2: the step journal (exactly-once effects), scheduled steps, the markers of
-- posted comments and the poll watermarks.

CREATE TABLE step_journal (
    task_id     INTEGER NOT NULL REFERENCES tickets (task_id),
    plan_hash   TEXT    NOT NULL,
    step_index  INTEGER NOT NULL CHECK (step_index >= 0),
    op          TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('started', 'succeeded', 'failed')),
    error_class TEXT    NOT NULL DEFAULT '',
    result      TEXT    NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 1,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (task_id, plan_hash, step_index)
) STRICT;

-- After a crash the daemon asks for every step left `started`.
CREATE INDEX step_journal_started ON step_journal (started_at) WHERE state = 'started';

CREATE TABLE scheduled_steps (
    id            INTEGER PRIMARY KEY,
    task_id       INTEGER NOT NULL REFERENCES tickets (task_id),
    plan_hash     TEXT    NOT NULL,
    step_index    INTEGER NOT NULL CHECK (step_index >= 0),
    op            TEXT    NOT NULL,
    due_at        INTEGER NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'done', 'cancelled')),
    cancelled_by  TEXT    NOT NULL DEFAULT '',
    cancel_reason TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (task_id, plan_hash, step_index)
) STRICT;

CREATE INDEX scheduled_steps_due ON scheduled_steps (due_at) WHERE state = 'pending';

CREATE TABLE comments (
    task_id           INTEGER NOT NULL REFERENCES tickets (task_id),
    marker            TEXT    NOT NULL CHECK (marker <> ''),
    remote_comment_id TEXT    NOT NULL DEFAULT '',
    posted_at         INTEGER NOT NULL,
    PRIMARY KEY (task_id, marker)                       -- an answer is never posted twice
) STRICT;

CREATE TABLE watermarks (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
