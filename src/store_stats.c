/*
 * store_stats.c — the library statistics of the observatory (issue 7):
 * counts of visible records by theme, status, organisation kind × status,
 * month of first publication and département of the owner (see store.h).
 *
 * Design notes
 * - Visible = published or retracted (usecase.visible = 1): the records
 *   the public library shows, the same set as the facet counts of
 *   /api/v1/usecases, so the figures agree with the search page.
 * - Every grouping reads the denormalised columns of the small usecase row
 *   (theme, status, org_kind, org_departement, published_at): no JSON is
 *   parsed. The SQL texts are fixed (one per query), cached by db_stmt().
 * - The month is the one of the first publication (published_at); a
 *   retracted record still counts in its month (it was published then).
 */
#include <string.h>

#include "store.h"

static const char *const sql[] = {
	[STATS_BY_THEME] = "SELECT theme, NULL, count(*) FROM usecase WHERE visible = 1 GROUP BY theme ORDER BY theme",
	[STATS_BY_STATUS] = "SELECT status, NULL, count(*) FROM usecase WHERE visible = 1 GROUP BY status ORDER BY status",
	[STATS_BY_KIND_STATUS] = "SELECT org_kind, status, count(*) FROM usecase WHERE visible = 1 "
	                         "GROUP BY org_kind, status ORDER BY org_kind, status",
	[STATS_BY_MONTH] = "SELECT substr(published_at, 1, 7), NULL, count(*) FROM usecase WHERE visible = 1 "
	                   "GROUP BY 1 ORDER BY 1",
	[STATS_BY_DEPARTEMENT] = "SELECT org_departement, NULL, count(*) FROM usecase WHERE visible = 1 "
	                         "GROUP BY org_departement ORDER BY org_departement",
	[STATS_TOTAL] = "SELECT NULL, NULL, count(*) FROM usecase WHERE visible = 1",
};

int store_stats_count(db_t *db, enum stats_query q, stats_fn cb, void *ctx)
{
	if ((unsigned)q >= sizeof sql / sizeof sql[0]) return -1;
	sqlite3_stmt *st = db_stmt(db, sql[q]);
	if (!st) return -1;
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		const char *b = (const char *)sqlite3_column_text(st, 1);
		if (a && !*a) a = NULL;
		if (b && !*b) b = NULL;
		if (cb(ctx, a, b, sqlite3_column_int64(st, 2)) < 0) {
			ret = -1;
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) ret = db_error(db, "library statistics");
	db_reset(st);
	return ret;
}
