-- 006_intl.sql — international references (issue 6, section 2): records of
-- the registers abroad (Dutch Algoritmeregister, UK ATRS, EU Public Sector
-- Tech Watch) imported by `iat import nl-algoritmeregister|uk-atrs|eu-pstw`.
--
-- They are NOT use-case records: separate tables, so they never count in
-- the French statistics, the use-case search and facets, the exports or
-- the recommendations. Texts are kept in the original language (lang),
-- never translated.
--
-- One row per (source, source_id). The columns are what lists, filters and
-- the search need; doc (JSON) holds every mapped field and, per part of
-- the source (the Dutch register comes in two files that share the
-- identifiers: the daily scrape and the full-field export), the fields it
-- gave, the raw record as read, its file and hash. content_hash is the hash
-- of the whole content (unchanged detection, ETags).

CREATE TABLE intl_ref (
  id                INTEGER PRIMARY KEY,
  source            TEXT NOT NULL,      -- nl-algoritmeregister | uk-atrs | eu-pstw
  source_id         TEXT NOT NULL,      -- identifier at the source
  country           TEXT NOT NULL,      -- ISO 3166-1 alpha-2 ("EU": the Union itself)
  lang              TEXT NOT NULL,      -- ISO 639-1 of the texts
  title             TEXT NOT NULL,
  organisation      TEXT,               -- as published
  description       TEXT,
  status            TEXT NOT NULL,      -- in_use | pilot | in_development | planned | retired | unknown
  status_text       TEXT,               -- the status as written at the source
  sector            TEXT,
  legal_basis       TEXT,
  impact_assessment TEXT,
  source_url        TEXT,               -- the record at the source
  website           TEXT,               -- the project's own site
  source_date       TEXT,               -- registered / published / start at the source (YYYY[-MM[-DD]])
  source_updated    TEXT,               -- last update at the source
  file              TEXT NOT NULL,      -- base name of the last file that changed it
  first_imported_at TEXT NOT NULL,
  last_imported_at  TEXT NOT NULL,
  last_changed_at   TEXT NOT NULL,
  content_hash      TEXT NOT NULL,
  doc               TEXT NOT NULL,
  sort_key          TEXT NOT NULL,      -- folded title without leading punctuation (lists without words)
  UNIQUE (source, source_id)
);
CREATE INDEX intl_ref_country ON intl_ref (country);
CREATE INDEX intl_ref_status ON intl_ref (status);
CREATE INDEX intl_ref_lang ON intl_ref (lang);
CREATE INDEX intl_ref_sort ON intl_ref (sort_key, id);

-- Full text over the original texts (rowid = intl_ref.id).
CREATE VIRTUAL TABLE intl_fts USING fts5(
  title, body, org, tokenize='iat', prefix='2 3 4');
