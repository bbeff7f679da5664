/*
 * store_intl.c — the international references on SQLite (see
 * store_intl.h; tables in 006_intl.sql).
 *
 * Design notes
 * - Every statement is assembled from constant fragments only (the
 *   filters' conditions, a column name of a fixed list) and every value is
 *   bound; db_stmt() caches each text.
 * - A filter left out binds NULL, and its condition "(?N IS NULL OR col =
 *   ?N)" is then true: one statement per facet serves every combination,
 *   and a facet's counts ignore its own filter by binding NULL in its place.
 * - The text condition is a separate fragment (FTS5 MATCH cannot take
 *   NULL): with words, the ids come from intl_fts and hits are ranked by
 *   bm25 (title 10, organisation 4, body 2); without, by title (sort_key:
 *   folded, leading punctuation skipped).
 */
#include "store_intl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

const char *const intl_facet_names[INTL_NFACETS] = { "country", "source", "status", "lang" };

#define COLS                                                                                              \
	"id, source, source_id, country, lang, title, organisation, description, status, status_text, sector, " \
	"legal_basis, impact_assessment, source_url, website, source_date, source_updated, file, "             \
	"first_imported_at, last_imported_at, last_changed_at, content_hash, doc"

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static void read_row(sqlite3_stmt *st, struct intl_ref *x)
{
	memset(x, 0, sizeof *x);
	x->id = sqlite3_column_int64(st, 0);
	char **f[] = { &x->source, &x->source_id, &x->country, &x->lang, &x->title, &x->organisation,
		       &x->description, &x->status, &x->status_text, &x->sector, &x->legal_basis,
		       &x->impact_assessment, &x->source_url, &x->website, &x->source_date, &x->source_updated,
		       &x->file, &x->first_imported_at, &x->last_imported_at, &x->last_changed_at,
		       &x->content_hash };
	for (size_t i = 0; i < ARRAY_LEN(f); i++) *f[i] = col_dup(st, (int)i + 1);
	const char *doc = (const char *)sqlite3_column_text(st, 22);
	x->doc = doc ? json_loads(doc, 0, NULL) : NULL;
	if (!x->doc) x->doc = json_object();
}

void store_intl_free(struct intl_ref *x)
{
	if (!x) return;
	char *f[] = { x->source, x->source_id, x->country, x->lang, x->title, x->organisation, x->description,
		      x->status, x->status_text, x->sector, x->legal_basis, x->impact_assessment, x->source_url,
		      x->website, x->source_date, x->source_updated, x->file, x->first_imported_at,
		      x->last_imported_at, x->last_changed_at, x->content_hash };
	for (size_t i = 0; i < ARRAY_LEN(f); i++) free(f[i]);
	json_decref(x->doc);
	memset(x, 0, sizeof *x);
}

static int one(db_t *db, sqlite3_stmt *st, struct intl_ref *out)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_row(st, out);
		db_reset(st);
		return 1;
	}
	db_reset(st);
	if (rc == SQLITE_DONE) return 0;
	return db_error(db, "intl_ref read");
}

int store_intl_find(db_t *db, const char *source, const char *source_id, struct intl_ref *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " COLS " FROM intl_ref WHERE source = ?1 AND source_id = ?2");
	if (!st) return -1;
	db_bind_text(st, 1, source);
	db_bind_text(st, 2, source_id);
	return one(db, st, out);
}

int store_intl_get(db_t *db, int64_t id, struct intl_ref *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " COLS " FROM intl_ref WHERE id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	return one(db, st, out);
}

/* The order of lists without words: the title folded (no case, no
 * accents), without what comes before its first letter or digit
 * ("\"Chatta col David\"" sorts under c). */
static char *sort_key(const char *title)
{
	char *f = text_fold(title ? title : "", title ? strlen(title) : 0, NULL);
	const char *p = f;
	while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (unsigned char)*p >= 0x80)) p++;
	char *k = xstrdup(p);
	free(f);
	return k;
}

int store_intl_save(db_t *db, const struct intl_ref *x, const char *body, int64_t *id_out)
{
	sqlite3_stmt *st;
	if (x->id)
		st = db_stmt(db, "UPDATE intl_ref SET source = ?1, source_id = ?2, country = ?3, lang = ?4, title = ?5, "
		                 "organisation = ?6, description = ?7, status = ?8, status_text = ?9, sector = ?10, "
		                 "legal_basis = ?11, impact_assessment = ?12, source_url = ?13, website = ?14, "
		                 "source_date = ?15, source_updated = ?16, file = ?17, first_imported_at = ?18, "
		                 "last_imported_at = ?19, last_changed_at = ?20, content_hash = ?21, doc = ?22, "
		                 "sort_key = ?24 WHERE id = ?23");
	else
		st = db_stmt(db, "INSERT INTO intl_ref (source, source_id, country, lang, title, organisation, "
		                 "description, status, status_text, sector, legal_basis, impact_assessment, source_url, "
		                 "website, source_date, source_updated, file, first_imported_at, last_imported_at, "
		                 "last_changed_at, content_hash, doc, sort_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		                 "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?24)");
	if (!st) return -1;
	const char *v[] = { x->source, x->source_id, x->country, x->lang, x->title, x->organisation, x->description,
		            x->status, x->status_text, x->sector, x->legal_basis, x->impact_assessment, x->source_url,
		            x->website, x->source_date, x->source_updated, x->file, x->first_imported_at,
		            x->last_imported_at, x->last_changed_at, x->content_hash };
	for (size_t i = 0; i < ARRAY_LEN(v); i++) db_bind_text(st, (int)i + 1, v[i]);
	char *doc = json_dumps(x->doc, JSON_COMPACT | JSON_SORT_KEYS);
	db_bind_text(st, 22, doc);
	free(doc);
	if (x->id) db_bind_int(st, 23, x->id);
	char *key = sort_key(x->title);
	db_bind_text(st, 24, key);
	free(key);
	if (db_step_done(st) < 0) return db_error(db, "intl_ref save");
	int64_t id = x->id ? x->id : sqlite3_last_insert_rowid(db_sqlite(db));

	st = db_stmt(db, "DELETE FROM intl_fts WHERE rowid = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	if (db_step_done(st) < 0) return db_error(db, "intl_fts delete");
	st = db_stmt(db, "INSERT INTO intl_fts (rowid, title, body, org) VALUES (?1, ?2, ?3, ?4)");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, x->title);
	db_bind_text(st, 3, body ? body : "");
	db_bind_text(st, 4, x->organisation ? x->organisation : "");
	if (db_step_done(st) < 0) return db_error(db, "intl_fts insert");
	if (id_out) *id_out = id;
	return 0;
}

int store_intl_touch(db_t *db, int64_t id, const char *at)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE intl_ref SET last_imported_at = ?1 WHERE id = ?2");
	if (!st) return -1;
	db_bind_text(st, 1, at);
	db_bind_int(st, 2, id);
	if (db_step_done(st) < 0) return db_error(db, "intl_ref touch");
	return 0;
}

/* ==== Search ==== */

/* ?1..?4: the filters, in intl_facet_names[] order. */
#define FILTERS                                                                                        \
	"(?1 IS NULL OR r.country = ?1) AND (?2 IS NULL OR r.source = ?2) AND (?3 IS NULL OR r.status = ?3) " \
	"AND (?4 IS NULL OR r.lang = ?4)"
/* ?5: the FTS5 expression */
#define TEXT " AND r.id IN (SELECT rowid FROM intl_fts WHERE intl_fts MATCH ?5)"

static const char *const facet_sql[2][INTL_NFACETS] = {
	{ "SELECT r.country, count(*) FROM intl_ref r WHERE " FILTERS " GROUP BY 1 ORDER BY 2 DESC, 1",
	  "SELECT r.source, count(*) FROM intl_ref r WHERE " FILTERS " GROUP BY 1 ORDER BY 2 DESC, 1",
	  "SELECT r.status, count(*) FROM intl_ref r WHERE " FILTERS " GROUP BY 1 ORDER BY 2 DESC, 1",
	  "SELECT r.lang, count(*) FROM intl_ref r WHERE " FILTERS " GROUP BY 1 ORDER BY 2 DESC, 1" },
	{ "SELECT r.country, count(*) FROM intl_ref r WHERE " FILTERS TEXT " GROUP BY 1 ORDER BY 2 DESC, 1",
	  "SELECT r.source, count(*) FROM intl_ref r WHERE " FILTERS TEXT " GROUP BY 1 ORDER BY 2 DESC, 1",
	  "SELECT r.status, count(*) FROM intl_ref r WHERE " FILTERS TEXT " GROUP BY 1 ORDER BY 2 DESC, 1",
	  "SELECT r.lang, count(*) FROM intl_ref r WHERE " FILTERS TEXT " GROUP BY 1 ORDER BY 2 DESC, 1" },
};

#define HIT_COLS \
	"r.id, r.source, r.source_id, r.country, r.lang, r.title, r.organisation, r.status, r.description, " \
	"r.source_url, r.source_date"

static void bind_filters(sqlite3_stmt *st, const struct intl_query *q, int skip, const char *fts)
{
	for (int f = 0; f < INTL_NFACETS; f++) db_bind_text(st, f + 1, f == skip ? NULL : q->filters[f]);
	if (fts) db_bind_text(st, 5, fts);
}

void store_intl_result_free(struct intl_result *res)
{
	for (int i = 0; i < res->nhits; i++) {
		struct intl_hit *h = &res->hits[i];
		char *f[] = { h->source, h->source_id, h->country, h->lang, h->title, h->organisation, h->status,
			      h->description, h->source_url, h->source_date };
		for (size_t k = 0; k < ARRAY_LEN(f); k++) free(f[k]);
	}
	free(res->hits);
	for (int f = 0; f < INTL_NFACETS; f++) {
		for (int i = 0; i < res->facets[f].ncounts; i++) free(res->facets[f].counts[i].value);
		free(res->facets[f].counts);
	}
	free(res->fts);
	memset(res, 0, sizeof *res);
}

int store_intl_search(db_t *db, const struct intl_query *q, struct intl_result *res)
{
	memset(res, 0, sizeof *res);
	int per_page = q->per_page > 0 ? q->per_page : 20;
	int page = q->page > 0 ? q->page : 1;
	char *fts = q->q && *q->q ? text_fts_query(q->q) : NULL;
	res->fts = fts;
	bool tx = db_read_begin(db);
	int ret = -1;

	sqlite3_stmt *st = db_stmt(db, fts ? "SELECT count(*) FROM intl_ref r WHERE " FILTERS TEXT
	                                   : "SELECT count(*) FROM intl_ref r WHERE " FILTERS);
	if (!st) goto out;
	bind_filters(st, q, -1, fts);
	if (db_one_int(st, &res->total) < 0) goto out;

	st = db_stmt(db, fts ? "SELECT " HIT_COLS " FROM intl_fts f JOIN intl_ref r ON r.id = f.rowid "
	                       "WHERE intl_fts MATCH ?5 AND " FILTERS
	                       " ORDER BY bm25(intl_fts, 10.0, 2.0, 4.0), r.id LIMIT ?6 OFFSET ?7"
	                     : "SELECT " HIT_COLS " FROM intl_ref r WHERE " FILTERS
	                       " ORDER BY r.sort_key, r.id LIMIT ?6 OFFSET ?7");
	if (!st) goto out;
	bind_filters(st, q, -1, fts);
	db_bind_int(st, 6, per_page);
	db_bind_int(st, 7, (int64_t)(page - 1) * per_page);
	res->hits = xcalloc((size_t)per_page, sizeof *res->hits);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && res->nhits < per_page) {
		struct intl_hit *h = &res->hits[res->nhits++];
		h->id = sqlite3_column_int64(st, 0);
		char **f[] = { &h->source, &h->source_id, &h->country, &h->lang, &h->title, &h->organisation,
			       &h->status, &h->description, &h->source_url, &h->source_date };
		for (size_t k = 0; k < ARRAY_LEN(f); k++) *f[k] = col_dup(st, (int)k + 1);
	}
	db_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_error(db, "intl search");
		goto out;
	}

	if (q->with_facets) {
		for (int f = 0; f < INTL_NFACETS; f++) {
			struct intl_facet *fc = &res->facets[f];
			fc->name = intl_facet_names[f];
			st = db_stmt(db, facet_sql[fts ? 1 : 0][f]);
			if (!st) goto out;
			bind_filters(st, q, f, fts);
			int cap = 0;
			while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				if (fc->ncounts == cap) {
					cap = cap ? cap * 2 : 16;
					fc->counts = xrealloc(fc->counts, (size_t)cap * sizeof *fc->counts);
				}
				fc->counts[fc->ncounts].value = col_dup(st, 0);
				fc->counts[fc->ncounts].count = sqlite3_column_int64(st, 1);
				fc->ncounts++;
			}
			db_reset(st);
			if (rc != SQLITE_DONE) {
				db_error(db, "intl facets");
				goto out;
			}
		}
	}
	ret = 0;
out:
	db_read_end(db, tx);
	if (ret < 0) store_intl_result_free(res);
	return ret;
}

int store_intl_count(db_t *db, const char *q, int64_t *n)
{
	*n = 0;
	char *fts = q && *q ? text_fts_query(q) : NULL;
	sqlite3_stmt *st = db_stmt(db, fts ? "SELECT count(*) FROM intl_fts WHERE intl_fts MATCH ?1"
	                                   : "SELECT count(*) FROM intl_ref");
	int rc = -1;
	if (st) {
		if (fts) db_bind_text(st, 1, fts);
		rc = db_one_int(st, n) < 0 ? -1 : 0;
	}
	free(fts);
	return rc;
}
