-- 003_accounts.sql — sign-ups waiting for the confirmation of their
-- e-mail address. Nothing is created in user before the link sent to the
-- address is followed: the row keeps the chosen name and the argon2id hash
-- of the chosen password, and the hash of the one-time token (the clear
-- token is only in the message). Rows expire after 24 hours and are
-- deleted opportunistically (at the next sign-up) or when used.
CREATE TABLE signup (
  id             INTEGER PRIMARY KEY,
  email          TEXT NOT NULL COLLATE NOCASE,
  name           TEXT,
  password_hash  TEXT NOT NULL,
  token_hash     BLOB NOT NULL UNIQUE,
  created        INTEGER NOT NULL,
  expires        INTEGER NOT NULL
);
CREATE INDEX signup_email ON signup(email);
CREATE INDEX signup_expires ON signup(expires);
