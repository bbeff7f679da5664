-- 008_survey_index.sql — response counts per campaign and state from an
-- index (the list of campaigns and the results pages count them on every
-- request: without it, SQLite read every answer document, ~80 ms for a
-- campaign of 36,000 responses; with it, a few index pages).
CREATE INDEX survey_response_state ON survey_response(campaign_id, state);
