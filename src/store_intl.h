/*
 * store_intl.h — storage of the international references (issue 6,
 * section 2): records of the registers abroad, kept apart from the
 * use-case records (tables intl_ref and intl_fts, 006_intl.sql).
 *
 * Design notes
 * - The importers (import_intl.c), the pages (page_intl.c) and the API
 *   (api_intl.c) go through these functions only; no SQL elsewhere.
 * - A save writes the row and its full-text entry together; the importer
 *   holds the transaction (one per file, a savepoint per record).
 * - The search is small (a few thousand rows): fixed SQL statements with
 *   every value bound; one optional value per filter (country, source,
 *   status, lang); facets are disjunctive (a facet's counts ignore its own
 *   filter and apply the others), like the use-case search.
 * - Nothing here reads or writes the use-case tables: references never
 *   count in the French statistics, search, facets or exports.
 */
#ifndef IAT_STORE_INTL_H
#define IAT_STORE_INTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* One reference. Loaded: every string is heap (or NULL), doc is owned.
 * Saved: the strings are borrowed. */
struct intl_ref {
	int64_t id;
	char *source, *source_id, *country, *lang, *title, *organisation, *description;
	char *status, *status_text, *sector, *legal_basis, *impact_assessment;
	char *source_url, *website, *source_date, *source_updated, *file;
	char *first_imported_at, *last_imported_at, *last_changed_at, *content_hash;
	json_t *doc;
};
void store_intl_free(struct intl_ref *x);

/* By (source, source id) or by id: 1 found (*out filled), 0 not, -1 error. */
int store_intl_find(db_t *db, const char *source, const char *source_id, struct intl_ref *out);
int store_intl_get(db_t *db, int64_t id, struct intl_ref *out);

/* Insert (x->id == 0: *id_out gets the new id) or replace the row x->id,
 * with its full-text entry (body: the long texts, joined). In the caller's
 * transaction. 0 or -1. */
int store_intl_save(db_t *db, const struct intl_ref *x, const char *body, int64_t *id_out);
/* An import saw reference id unchanged: last_imported_at = at. 0 or -1. */
int store_intl_touch(db_t *db, int64_t id, const char *at);

/* ==== Search ==== */

#define INTL_NFACETS 4
/* "country", "source", "status", "lang": the filter names of the page and
 * the API, in this order. */
extern const char *const intl_facet_names[INTL_NFACETS];

struct intl_query {
	const char *q;                        /* text, or NULL */
	const char *filters[INTL_NFACETS];    /* one value each, or NULL */
	int page, per_page;
	bool with_facets;
};

struct intl_hit {
	int64_t id;
	char *source, *source_id, *country, *lang, *title, *organisation, *status, *description;
	char *source_url, *source_date;
};

struct intl_count {
	char *value;
	int64_t count;
};
struct intl_facet {
	const char *name;
	struct intl_count *counts;            /* most frequent first, then by value */
	int ncounts;
};

struct intl_result {
	int64_t total;
	struct intl_hit *hits;
	int nhits;
	struct intl_facet facets[INTL_NFACETS];
	char *fts;                            /* the FTS5 expression used, or NULL */
};

/* 0, or -1 (database error). The result is freed in every case. */
int store_intl_search(db_t *db, const struct intl_query *q, struct intl_result *res);
void store_intl_result_free(struct intl_result *res);
/* References matching text q (no filter): *n. 0 or -1. */
int store_intl_count(db_t *db, const char *q, int64_t *n);

#endif
