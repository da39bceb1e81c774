-- hrmaild: foreign_keys off
-- Schema step 4 (issue 9, safety): the `cancelled` state, plans that carry their rendered
-- messages, requester, decision and dry-run flag, a journal keyed by an explicit kind, the
-- answers owed on a task (an outbox settled until each lands) and the approval commands
-- already read. Tables whose CHECK constraints change are rebuilt (SQLite's documented
-- procedure: foreign keys off around the transaction, foreign_key_check before commit).

CREATE TABLE tickets_v4 (
    task_id      INTEGER PRIMARY KEY,
    workflow     TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL DEFAULT 'new'
                 CHECK (state IN ('new', 'invalid', 'planned', 'awaiting_approval', 'approved',
                                  'executing', 'done', 'rejected', 'failed', 'superseded',
                                  'cancelled')),
    changed_date TEXT    NOT NULL DEFAULT '',
    parse_errors TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
INSERT INTO tickets_v4 (task_id, workflow, state, changed_date, parse_errors, created_at,
                        updated_at)
    SELECT task_id, workflow, state, changed_date, parse_errors, created_at, updated_at
    FROM tickets;
DROP TABLE tickets;
ALTER TABLE tickets_v4 RENAME TO tickets;
CREATE INDEX tickets_by_state ON tickets (state, updated_at);

-- A plan keeps what was decided with it: the messages rendered when it was frozen (they hold
-- no secret), who filed the task at plan time (part of the hash; never an approver), the policy
-- outcome and whether it was made under dry-run (such a plan never executes).
ALTER TABLE plans ADD COLUMN messages TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN requester INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN decision TEXT NOT NULL DEFAULT 'auto'
    CHECK (decision IN ('auto', 'approval', 'refused'));
ALTER TABLE plans ADD COLUMN dry_run INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1));
UPDATE plans SET decision = 'approval' WHERE approval_required = 1;
UPDATE plans SET messages = COALESCE(
    (SELECT value FROM watermarks WHERE key = 'messages/' || plans.task_id || '/' ||
                                              plans.plan_hash), '');
DELETE FROM watermarks WHERE key LIKE 'messages/%';

-- The journal's key names its kind instead of index offsets (1000: notify, 2000: reset) and
-- `comment:` plan hashes.
CREATE TABLE step_journal_v4 (
    task_id     INTEGER NOT NULL REFERENCES tickets (task_id),
    plan_hash   TEXT    NOT NULL,
    kind        TEXT    NOT NULL DEFAULT 'step'
                CHECK (kind IN ('step', 'notify', 'reset', 'comment', 'complete', 'defer',
                                'tell_it')),
    step_index  INTEGER NOT NULL CHECK (step_index >= 0),
    op          TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('started', 'succeeded', 'failed')),
    error_class TEXT    NOT NULL DEFAULT '',
    result      TEXT    NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 1,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (task_id, plan_hash, kind, step_index)
) STRICT;
INSERT INTO step_journal_v4 (task_id, plan_hash, kind, step_index, op, state, error_class,
                             result, attempts, started_at, finished_at)
    SELECT task_id,
           CASE WHEN plan_hash LIKE 'comment:%' THEN substr(plan_hash, 9) ELSE plan_hash END,
           CASE WHEN plan_hash LIKE 'comment:%' THEN 'comment'
                WHEN step_index >= 2000 THEN 'reset'
                WHEN step_index >= 1000 THEN 'notify'
                ELSE 'step' END,
           CASE WHEN step_index >= 2000 THEN step_index - 2000
                WHEN step_index >= 1000 THEN step_index - 1000
                ELSE step_index END,
           op, state, error_class, result, attempts, started_at, finished_at
    FROM step_journal;
DROP TABLE step_journal;
ALTER TABLE step_journal_v4 RENAME TO step_journal;
CREATE INDEX step_journal_started ON step_journal (started_at) WHERE state = 'started';

-- Answers owed on a task: written in the same transaction as the state change that owes them,
-- settled (posted, completed, deferred, IT told) until each lands. Texts hold no secret.
CREATE TABLE answers (
    id         INTEGER PRIMARY KEY,
    task_id    INTEGER NOT NULL REFERENCES tickets (task_id),
    kind       TEXT    NOT NULL CHECK (kind IN ('comment', 'complete', 'defer', 'tell_it')),
    marker     TEXT    NOT NULL DEFAULT '',   -- comments: the marker that finds it again
    body       TEXT    NOT NULL DEFAULT '',
    state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dropped')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (task_id, kind, marker)
) STRICT;
CREATE INDEX answers_pending ON answers (id) WHERE state = 'pending';

-- Approval commands already read (by comment id), so a restart never applies one twice.
CREATE TABLE commands (
    task_id    INTEGER NOT NULL REFERENCES tickets (task_id),
    comment_id INTEGER NOT NULL,
    author     INTEGER NOT NULL,
    verb       TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    read_at    INTEGER NOT NULL,
    PRIMARY KEY (task_id, comment_id)
) STRICT;
