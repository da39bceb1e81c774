-- Schema step 5 (issue 12): what the console's dashboard read from Zoho, so a restart does
-- not read it again. Mail per UTC day and the time the day was last read (a day read after it
-- ended is complete and is not asked again), each address's latest sign-in, and the
-- organization's figures of the last refresh (one row, a JSON document the dashboard writes).

CREATE TABLE dashboard_days (
    day        TEXT    PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    mail_in    INTEGER NOT NULL CHECK (mail_in >= 0),
    mail_out   INTEGER NOT NULL CHECK (mail_out >= 0),
    fetched_at INTEGER NOT NULL
) STRICT;

CREATE TABLE dashboard_sign_ins (
    address   TEXT    PRIMARY KEY,
    last_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE dashboard_snapshot (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    facts        TEXT    NOT NULL,
    refreshed_at INTEGER NOT NULL
) STRICT;
