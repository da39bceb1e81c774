-- Schema step 1: tickets, their plans and the approvals bound to a plan.
-- Times are UTC milliseconds since the epoch. No column holds a secret.

CREATE TABLE tickets (
    task_id      INTEGER PRIMARY KEY,                -- the Bitrix24 task id
    workflow     TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL DEFAULT 'new'
                 CHECK (state IN ('new', 'invalid', 'planned', 'awaiting_approval', 'approved',
                                  'executing', 'done', 'rejected', 'failed', 'superseded')),
    changed_date TEXT    NOT NULL DEFAULT '',        -- the task's CHANGED_DATE when last read
    parse_errors TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX tickets_by_state ON tickets (state, updated_at);

CREATE TABLE plans (
    id                INTEGER PRIMARY KEY,
    task_id           INTEGER NOT NULL REFERENCES tickets (task_id),
    plan_hash         TEXT    NOT NULL CHECK (plan_hash <> ''),
    plan_text         TEXT    NOT NULL,
    approval_required INTEGER NOT NULL CHECK (approval_required IN (0, 1)),
    reasons           TEXT    NOT NULL DEFAULT '',
    is_current        INTEGER NOT NULL DEFAULT 1 CHECK (is_current IN (0, 1)),
    created_at        INTEGER NOT NULL
) STRICT;

-- At most one current plan per ticket.
CREATE UNIQUE INDEX plans_one_current ON plans (task_id) WHERE is_current = 1;
CREATE INDEX plans_by_task ON plans (task_id, id);

CREATE TABLE approvals (
    id         INTEGER PRIMARY KEY,
    task_id    INTEGER NOT NULL REFERENCES tickets (task_id),
    plan_id    INTEGER NOT NULL REFERENCES plans (id),  -- the plan row approved, not just its hash
    plan_hash  TEXT    NOT NULL,
    approver   TEXT    NOT NULL CHECK (approver <> ''),
    channel    TEXT    NOT NULL CHECK (channel IN ('comment', 'cli', 'web')),
    decision   TEXT    NOT NULL CHECK (decision IN ('approve', 'reject')),
    reason     TEXT    NOT NULL DEFAULT '',
    decided_at INTEGER NOT NULL,
    CHECK (decision = 'approve' OR reason <> '')         -- a rejection needs a reason
) STRICT;

CREATE INDEX approvals_by_plan ON approvals (plan_id, id);
CREATE INDEX approvals_by_task ON approvals (task_id, id);
