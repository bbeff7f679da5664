/*
 * store_survey.c — storage of survey campaigns and responses (store.h,
 * issue 7 §1) on SQLite (src/sql/007_survey.sql).
 *
 * Design notes
 * - The definition is stored as the canonical JSON of survey_def_json();
 *   callers validate with survey_def_parse() first. A replacement checks,
 *   in the same transaction, which questions already have answers
 *   (json_each over the stored answers) and refuses any change of their
 *   kind or option codes (survey_def_check_change()).
 * - Targeting is decided in C (survey_targets()) over the active
 *   organisations: one pass over ~36,000 rows, fast enough for the
 *   curators' follow-up page and CSV.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "org.h"
#include "store.h"
#include "survey.h"
#include "util.h"

static const char *col(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

static char *dup_col(sqlite3_stmt *st, int i)
{
	const char *s = col(st, i);
	return s ? xstrdup(s) : NULL;
}

static int list_campaigns(db_t *db, bool counts, survey_campaign_fn cb, void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, counts
	    ? "SELECT c.id, c.year, c.code, c.title, c.opens_on, c.closes_on, "
	      "(SELECT count(*) FROM survey_response r WHERE r.campaign_id = c.id AND r.state = 'draft'), "
	      "(SELECT count(*) FROM survey_response r WHERE r.campaign_id = c.id AND r.state = 'submitted') "
	      "FROM survey_campaign c ORDER BY c.year DESC, c.code"
	    : "SELECT c.id, c.year, c.code, c.title, c.opens_on, c.closes_on, -1, -1 "
	      "FROM survey_campaign c ORDER BY c.year DESC, c.code");
	if (!st) return -1;
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct survey_campaign_row row = {
			.id = sqlite3_column_int64(st, 0), .year = sqlite3_column_int64(st, 1),
			.code = col(st, 2), .title = col(st, 3), .opens_on = col(st, 4), .closes_on = col(st, 5),
			.drafts = sqlite3_column_int64(st, 6), .submitted = sqlite3_column_int64(st, 7),
		};
		n++;
		if (cb(ctx, &row)) break;
	}
	db_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(db, "survey campaigns");
	return n;
}

int store_survey_campaigns(db_t *db, survey_campaign_fn cb, void *ctx)
{
	return list_campaigns(db, true, cb, ctx);
}

int store_survey_campaigns_brief(db_t *db, survey_campaign_fn cb, void *ctx)
{
	return list_campaigns(db, false, cb, ctx);
}

int store_survey_campaign_get(db_t *db, const char *code, int64_t *id, char **definition)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, definition FROM survey_campaign WHERE code = ?1");
	if (!st) return -1;
	db_bind_text(st, 1, code);
	int rc = sqlite3_step(st);
	int out = 0;
	if (rc == SQLITE_ROW) {
		if (id) *id = sqlite3_column_int64(st, 0);
		if (definition) *definition = dup_col(st, 1);
		out = 1;
	} else if (rc != SQLITE_DONE) {
		out = db_error(db, "survey campaign get");
	}
	db_reset(st);
	return out;
}

/* Codes of the questions of campaign id that have at least one answer. */
static int answered_codes(db_t *db, int64_t id, char ***out, int *n)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT DISTINCT j.key FROM survey_response r, json_each(r.answers) j WHERE r.campaign_id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	int rc, cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, (size_t)cap * sizeof **out);
		}
		(*out)[(*n)++] = dup_col(st, 0);
	}
	db_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, "survey answered codes");
}

/* Every write that changes a campaign's results (a definition, an answer)
 * bumps meta 'survey_generation' in its transaction: the results cache
 * (survey_stats.h) is keyed by it. */
static int bump_survey_generation(db_t *db)
{
	return db_exec(db, "INSERT INTO meta(key, value) VALUES ('survey_generation', '1') "
	                   "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1");
}

int store_survey_generation(db_t *db, int64_t *gen)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'survey_generation'");
	if (!st) return -1;
	*gen = 0;
	return db_one_int(st, gen) < 0 ? -1 : 0;
}

int store_survey_responses(db_t *db, int64_t campaign_id, survey_response_fn cb, void *ctx)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT o.kind, coalesce(o.population, -1), o.region, o.departement, r.state = 'submitted', r.answers "
	    "FROM survey_response r JOIN organisation o ON o.id = r.org_id WHERE r.campaign_id = ?1 ORDER BY r.id");
	if (!st) return -1;
	db_bind_int(st, 1, campaign_id);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct survey_answers_row row = { col(st, 0), org_band(sqlite3_column_int64(st, 1)), col(st, 2), col(st, 3),
			                          sqlite3_column_int(st, 4) != 0, col(st, 5) };
		n++;
		if (cb(ctx, &row)) break;
	}
	db_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) return db_error(db, "survey responses");
	return n;
}

int store_survey_campaign_save(db_t *db, const char *old_code, const struct survey_def *d, int64_t user_id,
                               bool dry_run, struct verrors *errs)
{
	json_t *j = survey_def_json(d);
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	char now[21];
	iso8601_utc(now_unix(), now);
	int ret = STORE_ERR;
	char **codes = NULL;
	int ncodes = 0;
	char *olddef = NULL;
	if (db_begin(db) < 0) goto out_free;
	int64_t oid = 0, other = 0;
	if (old_code) {
		int rc = store_survey_campaign_get(db, old_code, &oid, &olddef);
		if (rc < 0) goto fail;
		if (rc == 0) {
			ret = STORE_NOT_FOUND;
			goto fail;
		}
	}
	int rc = store_survey_campaign_get(db, d->code, &other, NULL);
	if (rc < 0) goto fail;
	if (rc == 1 && other != oid) {
		verrors_add(errs, "state.conflict", "code", "champ code : une autre campagne porte déjà le code « %s ».", d->code);
		ret = STORE_INVALID;
		goto fail;
	}
	if (oid) {
		struct survey_def oldd;
		struct verrors tmp = { 0 };
		if (answered_codes(db, oid, &codes, &ncodes) < 0) goto fail;
		if (ncodes && survey_def_parse_text(olddef, strlen(olddef), &oldd, &tmp) == 0) {
			int bad = survey_def_check_change(&oldd, d, (const char *const *)codes, ncodes, errs);
			survey_def_free(&oldd);
			if (bad) {
				ret = STORE_INVALID;
				goto fail;
			}
		}
		sqlite3_stmt *st = db_stmt(db,
		    "UPDATE survey_campaign SET code = ?2, year = ?3, title = ?4, opens_on = ?5, closes_on = ?6, "
		    "definition = ?7, updated_at = ?8, updated_by = ?9 WHERE id = ?1");
		if (!st) goto fail;
		db_bind_int(st, 1, oid);
		db_bind_text(st, 2, d->code);
		db_bind_int(st, 3, d->year);
		db_bind_text(st, 4, d->title);
		db_bind_text(st, 5, d->opens_on);
		db_bind_text(st, 6, d->closes_on);
		db_bind_text(st, 7, text);
		db_bind_text(st, 8, now);
		if (user_id) db_bind_int(st, 9, user_id);
		if (db_step_done(st) < 0) goto fail;
	} else {
		sqlite3_stmt *st = db_stmt(db,
		    "INSERT INTO survey_campaign(code, year, title, opens_on, closes_on, definition, created_at, created_by, "
		    "updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?8)");
		if (!st) goto fail;
		db_bind_text(st, 1, d->code);
		db_bind_int(st, 2, d->year);
		db_bind_text(st, 3, d->title);
		db_bind_text(st, 4, d->opens_on);
		db_bind_text(st, 5, d->closes_on);
		db_bind_text(st, 6, text);
		db_bind_text(st, 7, now);
		if (user_id) db_bind_int(st, 8, user_id);
		if (db_step_done(st) < 0) goto fail;
	}
	if (auth_audit(db, user_id, oid ? "survey.update" : "survey.create", d->code, NULL) < 0) goto fail;
	if (dry_run) {
		db_rollback(db);
		ret = STORE_OK;
		goto out_free;
	}
	if (bump_survey_generation(db) < 0 || db_commit(db) < 0) goto fail;
	ret = STORE_OK;
	goto out_free;
fail:
	db_rollback(db);
out_free:
	for (int i = 0; i < ncodes; i++) free(codes[i]);
	free(codes);
	free(olddef);
	free(text);
	return ret;
}

int store_survey_response_get(db_t *db, int64_t campaign_id, int64_t org_id, struct survey_response_row *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT id, state, answers, publish, updated_at, submitted_at FROM survey_response "
	    "WHERE campaign_id = ?1 AND org_id = ?2");
	if (!st) return -1;
	db_bind_int(st, 1, campaign_id);
	db_bind_int(st, 2, org_id);
	int rc = sqlite3_step(st), ret = 0;
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		snprintf(out->state, sizeof out->state, "%s", col(st, 1));
		out->answers = dup_col(st, 2);
		out->publish = sqlite3_column_int(st, 3) != 0;
		out->updated_at = dup_col(st, 4);
		out->submitted_at = dup_col(st, 5);
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = db_error(db, "survey response get");
	}
	db_reset(st);
	return ret;
}

void store_survey_response_free(struct survey_response_row *r)
{
	free(r->answers);
	free(r->updated_at);
	free(r->submitted_at);
	memset(r, 0, sizeof *r);
}

int store_survey_response_save(db_t *db, int64_t campaign_id, int64_t org_id, const char *answers, bool publish,
                               bool submit, int64_t user_id)
{
	char now[21];
	iso8601_utc(now_unix(), now);
	if (db_begin(db) < 0) return -1;
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO survey_response(campaign_id, org_id, state, answers, publish, created_at, created_by, "
	    "updated_at, updated_by, submitted_at, submitted_by) "
	    "VALUES (?1, ?2, CASE WHEN ?6 THEN 'submitted' ELSE 'draft' END, ?3, ?4, ?5, ?7, ?5, ?7, "
	    "CASE WHEN ?6 THEN ?5 END, CASE WHEN ?6 THEN ?7 END) "
	    "ON CONFLICT(campaign_id, org_id) DO UPDATE SET answers = ?3, publish = ?4, updated_at = ?5, updated_by = ?7, "
	    "state = CASE WHEN ?6 THEN 'submitted' ELSE state END, "
	    "submitted_at = CASE WHEN ?6 THEN ?5 ELSE submitted_at END, "
	    "submitted_by = CASE WHEN ?6 THEN ?7 ELSE submitted_by END");
	if (!st) goto fail;
	db_bind_int(st, 1, campaign_id);
	db_bind_int(st, 2, org_id);
	db_bind_text(st, 3, answers);
	db_bind_int(st, 4, publish ? 1 : 0);
	db_bind_text(st, 5, now);
	db_bind_int(st, 6, submit ? 1 : 0);
	if (user_id) db_bind_int(st, 7, user_id);
	if (db_step_done(st) < 0) goto fail;
	if (bump_survey_generation(db) < 0) goto fail;
	if (db_commit(db) < 0) goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int store_survey_targets(db_t *db, int64_t campaign_id, const struct survey_def *d, survey_target_fn cb, void *ctx)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT o.id, o.name, o.kind, o.code, o.siren, o.region, o.departement, coalesce(o.population, -1), r.state "
	    "FROM organisation o LEFT JOIN survey_response r ON r.org_id = o.id AND r.campaign_id = ?1 "
	    "WHERE o.active = 1 ORDER BY o.kind, o.name_folded, o.id");
	if (!st) return -1;
	db_bind_int(st, 1, campaign_id);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *band = org_band(sqlite3_column_int64(st, 7));
		struct survey_target_row row = {
			.org_id = sqlite3_column_int64(st, 0), .name = col(st, 1), .kind = col(st, 2), .code = col(st, 3),
			.siren = col(st, 4), .region = col(st, 5), .departement = col(st, 6), .band = band, .state = col(st, 8),
		};
		if (!survey_targets(d, row.kind, row.band, row.region)) continue;
		n++;
		if (cb(ctx, &row)) break;
	}
	db_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(db, "survey targets");
	return n;
}

int store_survey_published(db_t *db, int64_t campaign_id, const char *org_key, survey_published_fn cb, void *ctx)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT o.kind, o.code, o.name, r.answers, r.submitted_at FROM survey_response r "
	    "JOIN organisation o ON o.id = r.org_id "
	    "WHERE r.campaign_id = ?1 AND r.state = 'submitted' AND r.publish = 1 "
	    "AND (?2 IS NULL OR o.kind || '-' || o.code = ?2) ORDER BY o.name_folded, o.id");
	if (!st) return -1;
	db_bind_int(st, 1, campaign_id);
	db_bind_text(st, 2, org_key);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct survey_published_row row = { col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4) };
		n++;
		if (cb(ctx, &row)) break;
	}
	db_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) return db_error(db, "published survey responses");
	return n;
}
