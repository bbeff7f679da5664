-- 007_survey.sql — survey campaigns of the observatory (issue 7 §1).
--
-- survey_campaign.definition is the whole "iat-campaign/1" document
-- (doc/surveys.md), validated in C (survey.c) before every write; the
-- columns code, year, title, opens_on and closes_on are copies of its
-- fields for listing and choosing the open campaigns.
-- survey_response: one per campaign and organisation (UNIQUE); answers
-- is the JSON object question code → value, validated against the
-- definition (hidden answers already dropped); state draft | submitted
-- (only submitted responses count in statistics and response rates);
-- publish: the organisation agrees that its individual answers are public.

CREATE TABLE survey_campaign (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  year        INTEGER NOT NULL,
  title       TEXT NOT NULL,
  opens_on    TEXT NOT NULL,   -- YYYY-MM-DD, first day of answers
  closes_on   TEXT NOT NULL,   -- YYYY-MM-DD, last day of answers (inclusive)
  definition  TEXT NOT NULL,   -- canonical iat-campaign/1 JSON
  created_at  TEXT NOT NULL,
  created_by  INTEGER REFERENCES user(id),
  updated_at  TEXT NOT NULL,
  updated_by  INTEGER REFERENCES user(id)
);
CREATE INDEX survey_campaign_dates ON survey_campaign(opens_on, closes_on);

CREATE TABLE survey_response (
  id            INTEGER PRIMARY KEY,
  campaign_id   INTEGER NOT NULL REFERENCES survey_campaign(id),
  org_id        INTEGER NOT NULL REFERENCES organisation(id),
  state         TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft','submitted')),
  answers       TEXT NOT NULL DEFAULT '{}',
  publish       INTEGER NOT NULL DEFAULT 0 CHECK (publish IN (0,1)),
  created_at    TEXT NOT NULL,
  created_by    INTEGER REFERENCES user(id),
  updated_at    TEXT NOT NULL,
  updated_by    INTEGER REFERENCES user(id),
  submitted_at  TEXT,
  submitted_by  INTEGER REFERENCES user(id),
  UNIQUE (campaign_id, org_id)
);
CREATE INDEX survey_response_org ON survey_response(org_id);
