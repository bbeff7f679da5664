-- 001_init.sql — the first schema of IA·T.
-- Migrations are numbered, applied in order, each in its own transaction,
-- and recorded in schema_migration; never edit one that has shipped: add a
-- new file instead. Times are ISO 8601 UTC text ("2026-11-26T10:00:00Z").

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Organisations: every French authority from the official reference
-- (@etalab/decoupage-administratif) plus other bodies created by hand.
--   kind: commune | epci | ept | departement | region | syndicat | operateur | autre
--   code: INSEE COG code for communes, départements, régions; the SIREN for
--         EPCI, EPT and other bodies (syndicats, operators).
--   (kind, code) is the natural key used by the loader, so reloading keeps
--   the same ids. `active` = 0 when a reload no longer finds the body
--   (merged commune...); such rows are kept because records may cite them.
CREATE TABLE organisation (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('commune','epci','ept','departement','region','syndicat','operateur','autre')),
  code        TEXT,
  siren       TEXT CHECK (siren IS NULL OR (length(siren) = 9 AND siren NOT GLOB '*[^0-9]*')),
  name        TEXT NOT NULL,
  subtype     TEXT,           -- EPCI: CC, CA, CU, METRO, MET69
  population  INTEGER,        -- municipal population; départements and régions: sum of their communes
  departement TEXT,           -- INSEE code of the département it lies in (its own code for a département)
  region      TEXT,           -- INSEE code of the région
  official    INTEGER NOT NULL DEFAULT 0,  -- 1 if it comes from the reference data
  active      INTEGER NOT NULL DEFAULT 1,
  name_folded TEXT NOT NULL,  -- text_fold(name), for exact name matching
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  UNIQUE (kind, code)
);
CREATE UNIQUE INDEX organisation_siren ON organisation(siren) WHERE siren IS NOT NULL;
CREATE INDEX organisation_name ON organisation(name_folded);
CREATE INDEX organisation_dep ON organisation(departement, kind);

-- Membership of communes in EPCI and EPT (parent = the grouping).
CREATE TABLE org_member (
  parent_id INTEGER NOT NULL REFERENCES organisation(id),
  child_id  INTEGER NOT NULL REFERENCES organisation(id),
  PRIMARY KEY (parent_id, child_id)
) WITHOUT ROWID;
CREATE INDEX org_member_child ON org_member(child_id);

-- Name search over organisations (external content: organisation.name).
CREATE VIRTUAL TABLE organisation_fts USING fts5(
  name, content='organisation', content_rowid='id', tokenize='iat');

-- Accounts. role is the account's highest role: citizen (no organisation),
-- agent, referent, curator, admin. Organisation roles live in membership.
CREATE TABLE user (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name          TEXT,
  password_hash TEXT,
  role          TEXT NOT NULL CHECK (role IN ('citizen','agent','referent','curator','admin')),
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL
);

CREATE TABLE membership (
  user_id    INTEGER NOT NULL REFERENCES user(id),
  org_id     INTEGER NOT NULL REFERENCES organisation(id),
  role       TEXT NOT NULL CHECK (role IN ('agent','referent')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, org_id)
) WITHOUT ROWID;
CREATE INDEX membership_org ON membership(org_id);

-- API tokens: only a BLAKE2b hash of the token is stored.
CREATE TABLE api_token (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES user(id),
  token_hash   BLOB NOT NULL UNIQUE,
  label        TEXT,
  created_at   TEXT NOT NULL,
  revoked_at   TEXT
);

-- Use cases ("fiches"). AUTOINCREMENT: an id is never reused, even after
-- the highest row is deleted. This row is kept small (filters, facets,
-- sorting, list display) so that scans stay in few pages; the documents
-- live in usecase_blob. The facet columns come first: SQLite reads a row's
-- columns in order.
CREATE TABLE usecase (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  rev             INTEGER NOT NULL DEFAULT 0,  -- meta 'generation' of the last write (search index refresh)
  visible         INTEGER NOT NULL,       -- 1 when state is published or retracted (public)
  state           TEXT NOT NULL CHECK (state IN ('draft','submitted','changes_requested','published','retracted')),
  owner_org_id    INTEGER NOT NULL REFERENCES organisation(id),
  version         INTEGER NOT NULL DEFAULT 1,
  updated_at      TEXT NOT NULL,
  theme           TEXT,
  status          TEXT,
  org_kind        TEXT,
  org_region      TEXT,
  org_departement TEXT,
  org_band        TEXT,
  techniques      INTEGER NOT NULL DEFAULT 0,  -- bit i = i-th term of the ai_technique vocabulary
  risk_level      TEXT,
  doclen          INTEGER NOT NULL DEFAULT 0,  -- tokens of the indexed public text (BM25 length normalisation)
  created_at      TEXT NOT NULL,
  published_at    TEXT,
  created_by      INTEGER REFERENCES user(id),
  updated_by      INTEGER REFERENCES user(id),
  import_key      TEXT UNIQUE,
  retract_reason  TEXT,
  slug            TEXT NOT NULL,
  title           TEXT NOT NULL,
  summary         TEXT NOT NULL
);
CREATE INDEX usecase_visible_updated ON usecase(visible, updated_at DESC);
CREATE INDEX usecase_owner ON usecase(owner_org_id, visible);
CREATE INDEX usecase_rev ON usecase(rev);

-- The documents of a use case. `doc` (canonical JSON of every field) is
-- the source of truth; json_public / json_agent are the API
-- representations rendered at write time (a read by id is one lookup and a
-- copy). Rewritten on every save and after an organisation reload.
CREATE TABLE usecase_blob (
  id          INTEGER PRIMARY KEY REFERENCES usecase(id),
  doc         TEXT NOT NULL,
  json_public TEXT NOT NULL,
  json_agent  TEXT NOT NULL
);

CREATE TABLE usecase_partner (
  usecase_id INTEGER NOT NULL REFERENCES usecase(id),
  org_id     INTEGER NOT NULL REFERENCES organisation(id),
  PRIMARY KEY (usecase_id, org_id)
) WITHOUT ROWID;
CREATE INDEX usecase_partner_org ON usecase_partner(org_id);

-- Every saved change is a version (who, when, the whole document). A rowid
-- table: rows carry whole documents, too big for WITHOUT ROWID.
CREATE TABLE usecase_version (
  id         INTEGER PRIMARY KEY,
  usecase_id INTEGER NOT NULL REFERENCES usecase(id),
  version    INTEGER NOT NULL,
  state      TEXT NOT NULL,
  doc        TEXT NOT NULL,
  user_id    INTEGER REFERENCES user(id),
  at         TEXT NOT NULL,
  note       TEXT,
  UNIQUE (usecase_id, version)
);

-- Full-text index of the PUBLIC text of each use case only (so search and
-- snippets can never reveal a restricted field). rowid = usecase.id.
CREATE VIRTUAL TABLE usecase_fts USING fts5(
  title, summary, body, org, tokenize='iat', prefix='2 3 4');

-- Audit log of state changes and rights changes.
CREATE TABLE audit (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL,
  user_id  INTEGER REFERENCES user(id),
  action   TEXT NOT NULL,
  target   TEXT,
  detail   TEXT
);
