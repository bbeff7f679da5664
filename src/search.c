/*
 * search.c — full-text search in French with facets (see store.h).
 *
 * Design notes
 * - The user's text becomes an FTS5 expression through text_fts_query()
 *   (folded, stop words dropped, prefix on the last word, every term
 *   quoted: no FTS5 syntax from users). Ranking is bm25 with the title
 *   weighted above the summary, the organisation names and the body.
 * - One pass: a single statement returns every record matching the text
 *   (and owner), with its rank, update time and facet columns; the facet
 *   filters are applied in C while scanning, so that facet counts can be
 *   disjunctive (a facet's counts ignore its own filter, apply the others:
 *   one can pick a second theme). The page is selected in C, and only the
 *   page's rows are then read in full (with their snippet). So the FTS5
 *   query runs once per search.
 * - Without text, hits come from the (visible, updated_at) index with
 *   LIMIT/OFFSET, and the total and facet counts of a filter set are cached
 *   in process, keyed by the filters and invalidated by the 'generation'
 *   counter that every write bumps (store_usecase.c).
 * - SQL is assembled from fixed fragments only; every value is bound.
 * - Snippets come from FTS5 with \x01/\x02 as highlight markers; the text is
 *   HTML-escaped and only then are the markers turned into <mark> tags
 *   (stored text cannot contain control characters: validation refuses
 *   them).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org.h"
#include "store.h"
#include "text.h"
#include "util.h"

const char *const search_facet_names[8] = {
	"theme", "status", "org_kind", "region", "departement", "population_band", "ai_technique", "risk_level",
};

/* column of usecase for each facet, same order */
static const char *const facet_cols[8] = {
	"u.theme", "u.status", "u.org_kind", "u.org_region", "u.org_departement", "u.org_band",
	"u.techniques", "u.risk_level",
};
#define FACET_TECH 6

static int facet_index(const char *facet)
{
	for (int i = 0; i < 8; i++)
		if (strcmp(search_facet_names[i], facet) == 0) return i;
	return -1;
}

const struct vocab *search_facet_vocab(const char *facet)
{
	static const struct vocab *const v[8] = { &vocab_theme, &vocab_status, &vocab_org_kind, NULL, NULL,
		                                  &vocab_pop_band, &vocab_ai_technique, &vocab_risk_level };
	int i = facet_index(facet);
	return i < 0 ? NULL : v[i];
}

const char *search_facet_label(const char *facet)
{
	static const char *const labels[8] = { "Thème", "Maturité", "Type d'organisation", "Région",
		                               "Département", "Strate de population", "Technique d'IA",
		                               "Niveau de risque (AI Act)" };
	int i = facet_index(facet);
	return i < 0 ? NULL : labels[i];
}

bool search_facet_value_ok(const char *facet, const char *value)
{
	int i = facet_index(facet);
	if (i < 0 || !value) return false;
	const struct vocab *v = search_facet_vocab(facet);
	if (v) return vocab_index(v, value) >= 0;
	/* INSEE codes: région 2-3 digits; département 2 digits, 2A/2B, or 3 digits */
	size_t n = strlen(value);
	if (n < 2 || n > 3) return false;
	for (size_t k = 0; k < n; k++) {
		char c = value[k];
		bool ok = (c >= '0' && c <= '9') || (i == 4 && k == 1 && n == 2 && value[0] == '2' && (c == 'A' || c == 'B'));
		if (!ok) return false;
	}
	return true;
}

/* ==== Facet counting ==== */

#define FMAP_SLOTS 256

struct fmap {
	struct {
		char val[24];
		int64_t count;
		bool used;
	} slot[FMAP_SLOTS];
	int n;
};

static void fmap_add(struct fmap *m, const char *v, int64_t k)
{
	if (!v || !*v) return;
	size_t len = strlen(v);
	if (len >= sizeof m->slot[0].val) return;
	size_t i = (size_t)(hash64(v, len) % FMAP_SLOTS);
	for (int probe = 0; probe < FMAP_SLOTS; probe++, i = (i + 1) % FMAP_SLOTS) {
		if (!m->slot[i].used) {
			if (m->n >= FMAP_SLOTS - 1) return;
			m->slot[i].used = true;
			memcpy(m->slot[i].val, v, len + 1);
			m->slot[i].count = k;
			m->n++;
			return;
		}
		if (strcmp(m->slot[i].val, v) == 0) {
			m->slot[i].count += k;
			return;
		}
	}
}

struct counts {
	int64_t total;
	struct fmap maps[8];
};

/* Does the row's value of facet f pass the query's filter on f (true when
 * there is none)? */
static bool row_passes(const struct search_query *sq, sqlite3_stmt *st, int col, int f)
{
	for (int i = 0; i < sq->nfilters; i++) {
		const struct search_filter *flt = &sq->filters[i];
		if (facet_index(flt->facet) != f || flt->nvalues == 0) continue;
		if (f == FACET_TECH) {
			int64_t mask = sqlite3_column_int64(st, col);
			for (int k = 0; k < flt->nvalues; k++) {
				int bit = vocab_index(&vocab_ai_technique, flt->values[k]);
				if (bit >= 0 && (mask & ((int64_t)1 << bit))) return true;
			}
			return false;
		}
		const char *v = (const char *)sqlite3_column_text(st, col);
		if (!v) return false;
		for (int k = 0; k < flt->nvalues; k++)
			if (strcmp(v, flt->values[k]) == 0) return true;
		return false;
	}
	return true;
}

static void count_facet(struct counts *c, sqlite3_stmt *st, int col, int f)
{
	if (f == FACET_TECH) {
		int64_t mask = sqlite3_column_int64(st, col);
		for (size_t b = 0; b < vocab_ai_technique.count; b++)
			if (mask & ((int64_t)1 << b)) fmap_add(&c->maps[f], vocab_ai_technique.terms[b].code, 1);
	} else {
		fmap_add(&c->maps[f], (const char *)sqlite3_column_text(st, col), 1);
	}
}

/* Count one row whose 8 facet columns start at first_col. Facets are
 * disjunctive: a facet's counts ignore that facet's own filter (so one can
 * add a second value of it), but apply every other filter. Returns true
 * when the row passes every filter (it is a hit). */
static bool count_row(struct counts *c, const struct search_query *sq, sqlite3_stmt *st, int first_col)
{
	int nfail = 0, failed = -1;
	for (int f = 0; f < 8; f++) {
		if (!row_passes(sq, st, first_col + f, f)) {
			nfail++;
			failed = f;
			if (nfail > 1) return false;
		}
	}
	if (nfail == 1) {
		count_facet(c, st, first_col + failed, failed);
		return false;
	}
	c->total++;
	for (int f = 0; f < 8; f++) count_facet(c, st, first_col + f, f);
	return true;
}

static int cmp_facet_count(const void *a, const void *b)
{
	const struct facet_count *x = a, *y = b;
	if (x->count != y->count) return x->count < y->count ? 1 : -1;
	return strcmp(x->label, y->label);
}

/* Turn counts into the result's facets (with labels), sorted by count. */
static void counts_to_facets(db_t *db, const struct counts *c, struct search_result *res)
{
	res->total = c->total;
	res->nfacets = 8;
	for (int f = 0; f < 8; f++) {
		struct facet *fc = &res->facets[f];
		fc->name = search_facet_names[f];
		fc->counts = xcalloc((size_t)c->maps[f].n + 1, sizeof *fc->counts);
		fc->ncounts = 0;
		const struct vocab *v = search_facet_vocab(fc->name);
		for (int i = 0; i < FMAP_SLOTS; i++) {
			if (!c->maps[f].slot[i].used) continue;
			struct facet_count *fcc = &fc->counts[fc->ncounts++];
			fcc->value = xstrdup(c->maps[f].slot[i].val);
			fcc->count = c->maps[f].slot[i].count;
			if (v) {
				fcc->label = xstrdup(vocab_label(v, fcc->value));
			} else {
				char *name = org_area_name(db, f == 3 ? "region" : "departement", fcc->value);
				fcc->label = name ? name : xstrdup(fcc->value);
			}
		}
		qsort(fc->counts, (size_t)fc->ncounts, sizeof *fc->counts, cmp_facet_count);
	}
}

/* ==== In-process cache of counts for text-less searches ==== */

#define CACHE_SLOTS 64

static struct {
	pthread_mutex_t lock;
	struct {
		char *key;
		char *gen;
		struct counts *c;
		uint64_t used;
	} e[CACHE_SLOTS];
	uint64_t tick;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static char *current_generation(db_t *db)
{
	char *g = NULL;
	if (db_meta_get(db, "generation", &g) != 1) return xstrdup("0");
	return g;
}

static struct counts *cache_get(const char *key, const char *gen)
{
	struct counts *out = NULL;
	pthread_mutex_lock(&cache.lock);
	for (int i = 0; i < CACHE_SLOTS; i++) {
		if (cache.e[i].key && strcmp(cache.e[i].key, key) == 0 && strcmp(cache.e[i].gen, gen) == 0) {
			out = xmalloc(sizeof *out);
			memcpy(out, cache.e[i].c, sizeof *out);
			cache.e[i].used = ++cache.tick;
			break;
		}
	}
	pthread_mutex_unlock(&cache.lock);
	return out;
}

static void cache_put(const char *key, const char *gen, const struct counts *c)
{
	pthread_mutex_lock(&cache.lock);
	int victim = 0;
	for (int i = 0; i < CACHE_SLOTS; i++) {
		if (cache.e[i].key && strcmp(cache.e[i].key, key) == 0) {
			victim = i;
			break;
		}
		if (cache.e[i].used < cache.e[victim].used) victim = i;
	}
	free(cache.e[victim].key);
	free(cache.e[victim].gen);
	free(cache.e[victim].c);
	cache.e[victim].key = xstrdup(key);
	cache.e[victim].gen = xstrdup(gen);
	cache.e[victim].c = xmalloc(sizeof *c);
	memcpy(cache.e[victim].c, c, sizeof *c);
	cache.e[victim].used = ++cache.tick;
	pthread_mutex_unlock(&cache.lock);
}

/* ==== Query assembly ==== */

struct bind {
	bool is_int;
	const char *s;
	int64_t i;
};

struct sqlb {
	buf_t sql;
	struct bind binds[80];
	int nbinds;
};

static void add_bind_text(struct sqlb *b, const char *s)
{
	if (b->nbinds >= (int)ARRAY_LEN(b->binds)) return;
	b->binds[b->nbinds++] = (struct bind){ false, s, 0 };
	buf_fmt(&b->sql, "?%d", b->nbinds);
}

static void add_bind_int(struct sqlb *b, int64_t v)
{
	if (b->nbinds >= (int)ARRAY_LEN(b->binds)) return;
	b->binds[b->nbinds++] = (struct bind){ true, NULL, v };
	buf_fmt(&b->sql, "?%d", b->nbinds);
}

static void apply_binds(sqlite3_stmt *st, const struct sqlb *b)
{
	for (int i = 0; i < b->nbinds; i++) {
		if (b->binds[i].is_int)
			db_bind_int(st, i + 1, b->binds[i].i);
		else
			db_bind_text(st, i + 1, b->binds[i].s);
	}
}

/* " AND ..." for the base conditions (public records, owner). */
static void add_base(struct sqlb *b, const struct search_query *sq)
{
	buf_puts(&b->sql, " AND u.visible = 1");
	if (sq->owner_org_id) {
		buf_puts(&b->sql, " AND u.owner_org_id = ");
		add_bind_int(b, sq->owner_org_id);
	}
}

/* " AND ..." for the base conditions and the facet filters of sq. */
static void add_filters(struct sqlb *b, const struct search_query *sq)
{
	add_base(b, sq);
	for (int i = 0; i < sq->nfilters; i++) {
		const struct search_filter *f = &sq->filters[i];
		int fi = facet_index(f->facet);
		if (fi < 0 || f->nvalues == 0) continue;
		if (fi == FACET_TECH) {
			int64_t mask = 0;
			for (int k = 0; k < f->nvalues; k++) {
				int bit = vocab_index(&vocab_ai_technique, f->values[k]);
				if (bit >= 0) mask |= (int64_t)1 << bit;
			}
			buf_puts(&b->sql, " AND (u.techniques & ");
			add_bind_int(b, mask);
			buf_puts(&b->sql, ") != 0");
			continue;
		}
		buf_fmt(&b->sql, " AND %R IN (", facet_cols[fi]);
		for (int k = 0; k < f->nvalues; k++) {
			if (k) buf_putc(&b->sql, ',');
			add_bind_text(b, f->values[k]);
		}
		buf_putc(&b->sql, ')');
	}
}

/* Cache key of the filter set. */
static char *filters_key(const struct search_query *sq)
{
	buf_t k = BUF_INIT;
	buf_fmt(&k, "o=%D", sq->owner_org_id);
	for (int i = 0; i < sq->nfilters; i++) {
		buf_fmt(&k, "|%U=", sq->filters[i].facet);
		for (int j = 0; j < sq->filters[i].nvalues; j++) buf_fmt(&k, "%U,", sq->filters[i].values[j]);
	}
	return buf_detach(&k);
}

/* ==== Hits ==== */

struct match {
	int64_t id;
	double rank;
	char updated[24];
};

static int cmp_rank(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
	return x->id > y->id ? -1 : 1;
}

static int cmp_updated(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	int c = strcmp(y->updated, x->updated);
	if (c) return c;
	return x->id > y->id ? -1 : 1;
}

static char *snippet_html(const char *raw)
{
	buf_t b = BUF_INIT;
	buf_html(&b, raw, strlen(raw));
	buf_t out = BUF_INIT;
	for (size_t i = 0; i < b.len; i++) {
		if (b.data[i] == '\x01') buf_puts(&out, "<mark>");
		else if (b.data[i] == '\x02') buf_puts(&out, "</mark>");
		else buf_putc(&out, b.data[i]);
	}
	buf_free(&b);
	return buf_detach(&out);
}

static char *col_text_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

static int load_hit(db_t *db, int64_t id, const char *fts, struct search_hit *h)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT u.slug, u.title, u.summary, u.state, u.theme, u.status, u.updated_at, o.kind, o.code, o.name "
	    "FROM usecase u JOIN organisation o ON o.id = u.owner_org_id WHERE u.id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		db_reset(st);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	h->id = id;
	h->slug = col_text_dup(st, 0);
	h->title = col_text_dup(st, 1);
	h->summary = col_text_dup(st, 2);
	h->state = col_text_dup(st, 3);
	h->theme = col_text_dup(st, 4);
	h->status = col_text_dup(st, 5);
	h->updated_at = col_text_dup(st, 6);
	h->owner_kind = col_text_dup(st, 7);
	h->owner_key = xasprintf("%s-%s", (const char *)sqlite3_column_text(st, 7),
	                         (const char *)sqlite3_column_text(st, 8));
	h->owner_name = col_text_dup(st, 9);
	db_reset(st);
	if (fts) {
		st = db_stmt(db, "SELECT snippet(usecase_fts, -1, char(1), char(2), '…', 24) FROM usecase_fts "
		                 "WHERE usecase_fts MATCH ?1 AND rowid = ?2");
		if (!st) return -1;
		db_bind_text(st, 1, fts);
		db_bind_int(st, 2, id);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			h->snippet_html = snippet_html((const char *)sqlite3_column_text(st, 0));
		db_reset(st);
	}
	return 1;
}

int search_run(db_t *db, const struct search_query *sq, struct search_result *res)
{
	memset(res, 0, sizeof *res);
	int per_page = sq->per_page > 0 ? sq->per_page : 20;
	int page = sq->page > 0 ? sq->page : 1;
	int64_t offset = (int64_t)(page - 1) * per_page;
	char *fts = sq->q && *sq->q ? text_fts_query(sq->q) : NULL;
	struct sqlb b = { BUF_INIT, { { 0 } }, 0 };
	struct counts *c = NULL;
	struct match *m = NULL;
	size_t nm = 0, capm = 0;
	int64_t *ids = NULL;
	int nids = 0;
	int ret = -1;

	if (fts) {
		buf_puts(&b.sql, "SELECT u.id, u.updated_at, bm25(usecase_fts, 10.0, 5.0, 1.0, 2.0), ");
		for (int f = 0; f < 8; f++) buf_fmt(&b.sql, "%R%R", facet_cols[f], f < 7 ? ", " : "");
		buf_puts(&b.sql, " FROM usecase_fts CROSS JOIN usecase u ON u.id = usecase_fts.rowid WHERE usecase_fts MATCH ");
		add_bind_text(&b, fts);
		add_base(&b, sq);
		sqlite3_stmt *st = db_stmt(db, buf_cstr(&b.sql));
		if (!st) goto out;
		apply_binds(st, &b);
		c = xcalloc(1, sizeof *c);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (!count_row(c, sq, st, 3)) continue;
			if (nm == capm) {
				capm = capm ? capm * 2 : 256;
				m = xrealloc(m, capm * sizeof *m);
			}
			m[nm].id = sqlite3_column_int64(st, 0);
			snprintf(m[nm].updated, sizeof m[nm].updated, "%s", (const char *)sqlite3_column_text(st, 1));
			m[nm].rank = sqlite3_column_double(st, 2);
			nm++;
		}
		db_reset(st);
		if (rc != SQLITE_DONE) {
			db_error(db, "search");
			goto out;
		}
		if (nm) qsort(m, nm, sizeof *m, sq->by_relevance ? cmp_rank : cmp_updated);
		ids = xcalloc((size_t)per_page, sizeof *ids);
		for (int64_t i = offset; i < (int64_t)nm && nids < per_page; i++) ids[nids++] = m[i].id;
	} else {
		/* counts: cached per filter set and generation */
		char *key = filters_key(sq);
		char *gen = current_generation(db);
		c = cache_get(key, gen);
		if (!c) {
			buf_reset(&b.sql);
			b.nbinds = 0;
			buf_puts(&b.sql, "SELECT ");
			for (int f = 0; f < 8; f++) buf_fmt(&b.sql, "%R%R", facet_cols[f], f < 7 ? ", " : "");
			buf_puts(&b.sql, " FROM usecase u WHERE 1");
			add_base(&b, sq);
			sqlite3_stmt *st = db_stmt(db, buf_cstr(&b.sql));
			if (!st) {
				free(key);
				free(gen);
				goto out;
			}
			apply_binds(st, &b);
			c = xcalloc(1, sizeof *c);
			int rc;
			while ((rc = sqlite3_step(st)) == SQLITE_ROW) count_row(c, sq, st, 0);
			db_reset(st);
			if (rc != SQLITE_DONE) {
				free(key);
				free(gen);
				db_error(db, "facets");
				goto out;
			}
			cache_put(key, gen, c);
		}
		free(key);
		free(gen);
		/* the page, newest first */
		buf_reset(&b.sql);
		b.nbinds = 0;
		buf_puts(&b.sql, "SELECT u.id FROM usecase u WHERE 1");
		add_filters(&b, sq);
		buf_puts(&b.sql, " ORDER BY u.updated_at DESC, u.id DESC LIMIT ");
		add_bind_int(&b, per_page);
		buf_puts(&b.sql, " OFFSET ");
		add_bind_int(&b, offset);
		sqlite3_stmt *st = db_stmt(db, buf_cstr(&b.sql));
		if (!st) goto out;
		apply_binds(st, &b);
		ids = xcalloc((size_t)per_page, sizeof *ids);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && nids < per_page) ids[nids++] = sqlite3_column_int64(st, 0);
		db_reset(st);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
			db_error(db, "list");
			goto out;
		}
	}
	res->total = c->total;
	if (sq->with_facets) counts_to_facets(db, c, res);
	res->hits = xcalloc((size_t)nids + 1, sizeof *res->hits);
	for (int i = 0; i < nids; i++) {
		int rc = load_hit(db, ids[i], fts, &res->hits[res->nhits]);
		if (rc < 0) goto out;
		if (rc == 1) res->nhits++;
	}
	res->fts = fts;
	fts = NULL;
	ret = 0;
out:
	free(fts);
	free(c);
	free(m);
	free(ids);
	buf_free(&b.sql);
	if (ret < 0) search_result_free(res);
	return ret;
}

void search_result_free(struct search_result *res)
{
	for (int i = 0; i < res->nhits; i++) {
		struct search_hit *h = &res->hits[i];
		free(h->slug);
		free(h->title);
		free(h->summary);
		free(h->state);
		free(h->theme);
		free(h->status);
		free(h->updated_at);
		free(h->owner_key);
		free(h->owner_name);
		free(h->owner_kind);
		free(h->snippet_html);
	}
	free(res->hits);
	for (int f = 0; f < res->nfacets; f++) {
		for (int i = 0; i < res->facets[f].ncounts; i++) {
			free(res->facets[f].counts[i].value);
			free(res->facets[f].counts[i].label);
		}
		free(res->facets[f].counts);
	}
	free(res->fts);
	memset(res, 0, sizeof *res);
}
