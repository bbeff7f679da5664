-- 004_version_state.sql — count a record's versions by state without
-- reading the version rows (each carries a whole document): the record
-- page shows "Historique des modifications (N versions)" on every view,
-- and the history page filters versions by state.
CREATE INDEX usecase_version_state ON usecase_version(usecase_id, state);
