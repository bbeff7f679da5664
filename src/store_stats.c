/*
 * store_stats.c — the library statistics of the observatory (issue 7):
 * counts of visible records by theme, status, organisation kind × status,
 * month of first publication and département of the owner (see store.h).
 *
 * Design notes
 * - Visible = published or retracted: the records the public library
 *   shows. Every grouping except the month is counted over the in-process
 *   search index (search_index.h: one small row per record with its facet
 *   values), the very data the facet counts of /api/v1/usecases come from,
 *   so the figures agree with the search page by construction, and a full
 *   count over 100,000 records takes a fraction of a millisecond (the same
 *   GROUP BY in SQL read every usecase row: ~75 ms each).
 * - The month of first publication (usecase.published_at) is not in the
 *   index: it is counted in SQL once per index generation (any write
 *   changes it) and kept in a small process-wide cache behind a mutex; a
 *   retracted record still counts in its month (it was published then).
 * - Techniques come from the index's bitmask (a record with two
 *   techniques counts in both); reuses from the index's origin and reuse
 *   count (issue 5).
 * - Nothing here is per reader: the statistics are public.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "search_index.h"
#include "store.h"
#include "util.h"

/* facet numbers of the search index (search_facet_names[] in search.c) */
enum { F_THEME = 0, F_STATUS = 1, F_KIND = 2, F_REGION = 3, F_DEP = 4, F_BAND = 5, F_LABEL = 8 };

/* Counts of one or two facets over visible rows, reported through cb. */
static int count_index(db_t *db, int fa, int fb, stats_fn cb, void *ctx)
{
	if (sidx_acquire(db) < 0) return -1;
	unsigned na = fa >= 0 ? sidx_nvalues(fa) + 1 : 1, nb = fb >= 0 ? sidx_nvalues(fb) + 1 : 1;
	int64_t *n = xcalloc((size_t)na * nb, sizeof *n);
	int64_t end = sidx_end();
	for (int64_t id = 1; id < end; id++) {
		const struct sidx_row *r = sidx_get(id);
		if (!r || !r->visible) continue;
		unsigned a = fa >= 0 ? r->val[fa] : 0, b = fb >= 0 ? r->val[fb] : 0;
		if (a >= na || b >= nb) continue;
		n[a * nb + b]++;
	}
	int ret = 0;
	for (unsigned a = 0; a < na && ret == 0; a++)
		for (unsigned b = 0; b < nb && ret == 0; b++) {
			int64_t c = n[a * nb + b];
			if (!c) continue;
			const char *ka = fa >= 0 && a ? sidx_value(fa, a) : NULL, *kb = fb >= 0 && b ? sidx_value(fb, b) : NULL;
			if (fa < 0 && fb < 0) ka = kb = NULL;
			if (cb(ctx, ka, kb, c) < 0) ret = -1;
		}
	if (fa < 0 && fb < 0 && n[0] == 0) ret = cb(ctx, NULL, NULL, 0) < 0 ? -1 : 0; /* the total is always reported */
	sidx_release();
	free(n);
	return ret;
}

/* ---- months, cached per index generation ---- */

struct month_count {
	char month[8];   /* "YYYY-MM", or "" for no date */
	int64_t n;
};

static pthread_mutex_t month_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char *path;          /* the database the cache belongs to */
	int64_t gen;
	struct month_count *rows;
	int n;
	bool valid;
} month_cache;

static int count_months(db_t *db, stats_fn cb, void *ctx)
{
	if (sidx_acquire(db) < 0) return -1;
	int64_t gen = sidx_generation();
	sidx_release();
	struct month_count *rows = NULL;
	int nrows = 0;
	pthread_mutex_lock(&month_mu);
	if (month_cache.valid && month_cache.gen == gen && month_cache.path && strcmp(month_cache.path, db_path(db)) == 0) {
		nrows = month_cache.n;
		rows = xmalloc((size_t)(nrows > 0 ? nrows : 1) * sizeof *rows);
		memcpy(rows, month_cache.rows, (size_t)nrows * sizeof *rows);
	}
	pthread_mutex_unlock(&month_mu);
	if (!rows) {
		sqlite3_stmt *st = db_stmt(db, "SELECT substr(published_at, 1, 7), count(*) FROM usecase WHERE visible = 1 "
		                               "GROUP BY 1 ORDER BY 1");
		if (!st) return -1;
		int rc, cap = 0;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (nrows == cap) {
				cap = cap ? 2 * cap : 64;
				rows = xrealloc(rows, (size_t)cap * sizeof *rows);
			}
			const char *m = (const char *)sqlite3_column_text(st, 0);
			memset(rows[nrows].month, 0, sizeof rows[nrows].month);
			if (m && strlen(m) == 7) memcpy(rows[nrows].month, m, 7);
			rows[nrows++].n = sqlite3_column_int64(st, 1);
		}
		db_reset(st);
		if (rc != SQLITE_DONE) {
			free(rows);
			return db_error(db, "library statistics by month");
		}
		pthread_mutex_lock(&month_mu);
		free(month_cache.rows);
		month_cache.rows = xmalloc((size_t)(nrows > 0 ? nrows : 1) * sizeof *rows);
		if (nrows) memcpy(month_cache.rows, rows, (size_t)nrows * sizeof *rows);
		month_cache.n = nrows;
		month_cache.gen = gen;
		free(month_cache.path);
		month_cache.path = xstrdup(db_path(db));
		month_cache.valid = true;
		pthread_mutex_unlock(&month_mu);
	}
	int ret = 0;
	for (int i = 0; i < nrows && ret == 0; i++)
		if (cb(ctx, rows[i].month[0] ? rows[i].month : NULL, NULL, rows[i].n) < 0) ret = -1;
	free(rows);
	return ret;
}

/* Techniques: a bitmask per record (SIDX_TECH), bit i = the i-th term of
 * the ai_technique vocabulary; a record counts once per technique. */
static int count_techniques(db_t *db, stats_fn cb, void *ctx)
{
	if (sidx_acquire(db) < 0) return -1;
	int64_t n[65] = { 0 };
	int64_t end = sidx_end();
	for (int64_t id = 1; id < end; id++) {
		const struct sidx_row *r = sidx_get(id);
		if (!r || !r->visible) continue;
		if (!r->tech) n[64]++;
		for (uint64_t t = r->tech; t; t &= t - 1) n[__builtin_ctzll(t)]++;
	}
	sidx_release();
	for (size_t i = 0; i < vocab_ai_technique.count && i < 64; i++)
		if (n[i] && cb(ctx, vocab_ai_technique.terms[i].code, NULL, n[i]) < 0) return -1;
	return n[64] && cb(ctx, NULL, NULL, n[64]) < 0 ? -1 : 0;
}

/* Reuses: visible records that reuse another, and visible records reused
 * by at least one visible record (sidx_row.reuses counts visible reuses). */
static int count_reuses(db_t *db, stats_fn cb, void *ctx)
{
	if (sidx_acquire(db) < 0) return -1;
	int64_t reuses = 0, reused = 0;
	int64_t end = sidx_end();
	for (int64_t id = 1; id < end; id++) {
		const struct sidx_row *r = sidx_get(id);
		if (!r || !r->visible) continue;
		if (r->origin) reuses++;
		if (r->reuses) reused++;
	}
	sidx_release();
	return cb(ctx, "reuses", NULL, reuses) < 0 || cb(ctx, "reused", NULL, reused) < 0 ? -1 : 0;
}

int store_stats_count(db_t *db, enum stats_query q, stats_fn cb, void *ctx)
{
	switch (q) {
	case STATS_BY_THEME: return count_index(db, F_THEME, -1, cb, ctx);
	case STATS_BY_STATUS: return count_index(db, F_STATUS, -1, cb, ctx);
	case STATS_BY_KIND_STATUS: return count_index(db, F_KIND, F_STATUS, cb, ctx);
	case STATS_BY_DEPARTEMENT: return count_index(db, F_DEP, -1, cb, ctx);
	case STATS_TOTAL: return count_index(db, -1, -1, cb, ctx);
	case STATS_BY_MONTH: return count_months(db, cb, ctx);
	case STATS_BY_TECHNIQUE: return count_techniques(db, cb, ctx);
	case STATS_BY_BAND: return count_index(db, F_BAND, -1, cb, ctx);
	case STATS_BY_REGION: return count_index(db, F_REGION, -1, cb, ctx);
	case STATS_BY_LABEL: return count_index(db, F_LABEL, -1, cb, ctx);
	case STATS_REUSES: return count_reuses(db, cb, ctx);
	}
	return -1;
}

/* ---- population of authorities (survey weights) ----
 * The bands are those of org_band() (src/org.c), written once more in SQL
 * so that SQLite groups 36,000 communes in one pass (test_survey_stats.c
 * checks both agree on the reference data). */
int store_stats_population(db_t *db, stats_pop_fn cb, void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT kind, CASE WHEN population IS NULL OR population < 0 THEN NULL "
	                               "WHEN population < 3500 THEN 'lt_3500' WHEN population < 20000 THEN '3500_20000' "
	                               "WHEN population <= 100000 THEN '20000_100000' ELSE 'gt_100000' END, "
	                               "region, departement, count(*) FROM organisation WHERE official = 1 AND active = 1 "
	                               "GROUP BY 1, 2, 3, 4");
	if (!st) return -1;
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *band = (const char *)sqlite3_column_text(st, 1);
		const char *region = (const char *)sqlite3_column_text(st, 2);
		const char *dep = (const char *)sqlite3_column_text(st, 3);
		if (cb(ctx, kind, band, region && *region ? region : NULL, dep && *dep ? dep : NULL,
		       sqlite3_column_int64(st, 4)) < 0) {
			ret = -1;
			break;
		}
	}
	db_reset(st);
	if (ret == 0 && rc != SQLITE_DONE) return db_error(db, "population of authorities");
	return ret;
}
