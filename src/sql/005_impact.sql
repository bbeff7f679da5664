-- 005_impact.sql — measured impact and reuse (issue 5).
--
-- The impact indicators, costs and the reuse kit live in the record's doc
-- (usecase_blob.doc) like every other field, so they are versioned and go
-- through the publication workflow. This migration adds what is not part
-- of the doc:
--   * usecase.origin_id: the record this one reuses (set at creation, never
--     changed, so the lineage cannot loop);
--   * usecase.impact_label / usecase.evidence: the "impact démontré" label
--     and the strength of evidence, computed at every write (impact.c) and
--     denormalised for facets and sorting;
--   * usecase_impact: a curator's review of the impact evidence and the
--     curator's exception (label granted or withdrawn, with a public
--     reason);
--   * impact_event: every change of the label (computed or by a curator),
--     shown on the record's public history;
--   * org_notice: the inbox of an organisation (it is told when one of its
--     records is reused).

ALTER TABLE usecase ADD COLUMN origin_id INTEGER REFERENCES usecase(id);
ALTER TABLE usecase ADD COLUMN impact_label INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usecase ADD COLUMN evidence INTEGER NOT NULL DEFAULT 0;
CREATE INDEX usecase_origin ON usecase(origin_id) WHERE origin_id IS NOT NULL;

CREATE TABLE usecase_impact (
  usecase_id      INTEGER PRIMARY KEY REFERENCES usecase(id),
  reviewed_at     TEXT,
  reviewed_by     INTEGER REFERENCES user(id),
  reviewed_hash   TEXT,        -- hash of the public indicators the curator reviewed
  override        TEXT CHECK (override IS NULL OR override IN ('granted','withdrawn')),
  override_reason TEXT,
  override_at     TEXT,
  override_by     INTEGER REFERENCES user(id)
);

-- kind: gained | lost (computed at a write), review, grant, withdraw, clear
-- (a curator's act). reason is public; user_id is never shown publicly.
CREATE TABLE impact_event (
  id         INTEGER PRIMARY KEY,
  usecase_id INTEGER NOT NULL REFERENCES usecase(id),
  at         TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('gained','lost','review','grant','withdraw','clear')),
  user_id    INTEGER REFERENCES user(id),
  version    INTEGER,
  reason     TEXT
);
CREATE INDEX impact_event_usecase ON impact_event(usecase_id, id);

-- An organisation's inbox: kind 'reused' (one of its records was reused:
-- usecase_id the origin, other_id the reuse).
CREATE TABLE org_notice (
  id         INTEGER PRIMARY KEY,
  org_id     INTEGER NOT NULL REFERENCES organisation(id),
  kind       TEXT NOT NULL CHECK (kind IN ('reused')),
  usecase_id INTEGER REFERENCES usecase(id),
  other_id   INTEGER REFERENCES usecase(id),
  text       TEXT NOT NULL,
  at         TEXT NOT NULL,
  UNIQUE (org_id, kind, usecase_id, other_id)
);
CREATE INDEX org_notice_org ON org_notice(org_id, id DESC);
