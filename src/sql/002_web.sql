-- 002_web.sql — the web interface: sign-in sessions, password resets, the
-- outbox (no mail server yet), requests to join an organisation, review
-- comments of the publication workflow, and error reports on records.
-- Times that are compared for expiry are Unix seconds (INTEGER); times that
-- are shown are ISO 8601 UTC text, as in 001.

-- Sign-in sessions. The cookie carries a random token; only its BLAKE2b
-- hash is stored. csrf: the anti-forgery token of this session's forms.
-- A session ends at idle_expires (refreshed on use) or abs_expires,
-- whichever comes first, or when the user signs out or changes password.
CREATE TABLE session (
  id           INTEGER PRIMARY KEY,
  token_hash   BLOB NOT NULL UNIQUE,
  user_id      INTEGER NOT NULL REFERENCES user(id),
  csrf         TEXT NOT NULL,
  created      INTEGER NOT NULL,
  last_seen    INTEGER NOT NULL,
  abs_expires  INTEGER NOT NULL,
  addr         TEXT
);
CREATE INDEX session_user ON session(user_id);

ALTER TABLE user ADD COLUMN last_login_at TEXT;
ALTER TABLE user ADD COLUMN password_changed_at TEXT;

-- One-time password-reset links (hash of the token only).
CREATE TABLE password_reset (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES user(id),
  token_hash  BLOB NOT NULL UNIQUE,
  created     INTEGER NOT NULL,
  expires     INTEGER NOT NULL,
  used        INTEGER
);
CREATE INDEX password_reset_user ON password_reset(user_id);

-- Messages the application would send by e-mail. Read with `iat outbox`.
CREATE TABLE outbox (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  to_email  TEXT NOT NULL,
  subject   TEXT NOT NULL,
  body      TEXT NOT NULL
);

-- Requests to join an organisation, decided by its referents (or a
-- curator). One pending request per (user, organisation).
CREATE TABLE join_request (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES user(id),
  org_id      INTEGER NOT NULL REFERENCES organisation(id),
  message     TEXT,
  state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','accepted','refused','cancelled')),
  created_at  TEXT NOT NULL,
  decided_by  INTEGER REFERENCES user(id),
  decided_at  TEXT
);
CREATE UNIQUE INDEX join_request_pending ON join_request(user_id, org_id) WHERE state = 'pending';
CREATE INDEX join_request_org ON join_request(org_id, state);

-- The publication workflow: the last "changes requested" comment.
ALTER TABLE usecase ADD COLUMN review_comment TEXT;
CREATE INDEX usecase_state ON usecase(state, owner_org_id);

-- Error reports on a record, by anyone. contact (optional e-mail) is shown
-- only to the owner organisation and deleted when the report is answered
-- plus 12 months (see the privacy page). The reporter's address is never
-- stored (the rate limit is kept in memory).
CREATE TABLE report (
  id           INTEGER PRIMARY KEY,
  usecase_id   INTEGER NOT NULL REFERENCES usecase(id),
  field        TEXT,                 -- a field name of the model, or NULL for "other"
  description  TEXT NOT NULL,
  contact      TEXT,
  user_id      INTEGER REFERENCES user(id),
  created_at   TEXT NOT NULL,
  state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','fixed','not_error','other')),
  answer       TEXT,
  answered_by  INTEGER REFERENCES user(id),
  answered_at  TEXT
);
CREATE INDEX report_usecase ON report(usecase_id, state);
