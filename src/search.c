/*
 * search.c — full-text search in French with facets (see store.h).
 *
 * Design notes
 * - The user's text becomes an FTS5 expression through text_fts_query()
 *   (folded, stop words dropped, prefix on the last word, every term
 *   quoted: no FTS5 syntax from users). Ranking is iatrank (fts_rank.c:
 *   FTS5's bm25 formula with lengths from the search index) with the title
 *   weighted above the summary, the organisation names and the body.
 * - Filters and facets never read record rows: they use the in-process
 *   index of facet values (search_index.c). With text, one FTS5 statement
 *   returns every match's id and rank; without, the index is scanned.
 * - Facets are disjunctive: a facet's counts ignore that facet's own
 *   filter and apply all the others (so one can pick a second theme).
 * - The page is selected in C (top-k by rank, or by updated_at from the
 *   index when there is no text), and only the page's rows are then read,
 *   with a snippet built in C (snippet.c) from their public text.
 * - Every SQL statement is fixed text; every value is bound.
 * - One organisation's list reads its ids from the (owner_org_id,
 *   visible) SQL index, then filters and counts them with the index.
 * - Other lists without words (filtered lists) come from a
 *   small cache keyed by the exact compiled filters, valid for
 *   one write generation of the index (any write empties it in effect):
 *   the total, the facet counts and the first LIST_CACHE_IDS ids in order.
 *   Computing them scans every row of the index (~1.8 ms for 100k
 *   records, most of a filtered list's cost); a hit costs a copy. Pages
 *   beyond the cached ids are computed as before. Searches with words are
 *   never cached: their cost is measured as it is.
 * - Issue 5: the 9th facet impact_label (awarded | none) comes from the
 *   index row like the others; sort=evidence (by_evidence) orders by the
 *   row's evidence score (usecase.evidence: label 1000 + level x 100 +
 *   indicators), then by update, with or without words; the cache of
 *   word-less lists keys that order too.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org.h"
#include "search_index.h"
#include "snippet.h"
#include "store.h"
#include "text.h"
#include "util.h"

const char *const search_facet_names[SEARCH_NFACETS] = {
	"theme", "status", "org_kind", "region", "departement", "population_band", "ai_technique", "risk_level",
	"impact_label",
};
_Static_assert(SIDX_FACETS == SEARCH_NFACETS, "search index and store.h disagree on the facets");
_Static_assert(sizeof(struct sidx_row) <= 64, "keep the search index row small");

/* The facet of the "impact démontré" label (issue 5): from
 * usecase.impact_label, as the search index interns it. */
static const struct term impact_label_terms[] = {
	{ "awarded", "Impact démontré", NULL },
	{ "none", "Sans label", NULL },
};
static const struct vocab vocab_impact_label = { "impact_label", impact_label_terms,
	                                         sizeof impact_label_terms / sizeof impact_label_terms[0] };


static int facet_index(const char *facet)
{
	for (int i = 0; i < SEARCH_NFACETS; i++)
		if (strcmp(search_facet_names[i], facet) == 0) return i;
	return -1;
}

const struct vocab *search_facet_vocab(const char *facet)
{
	static const struct vocab *const v[SEARCH_NFACETS] = { &vocab_theme, &vocab_status, &vocab_org_kind, NULL, NULL,
		                                  &vocab_pop_band, &vocab_ai_technique, &vocab_risk_level,
		                                  &vocab_impact_label };
	int i = facet_index(facet);
	return i < 0 ? NULL : v[i];
}

const char *search_facet_label(const char *facet)
{
	static const char *const labels[SEARCH_NFACETS] = { "Thème", "Maturité", "Type d'organisation", "Région",
		                               "Département", "Strate de population", "Technique d'IA",
		                               "Niveau de risque (AI Act)", "Label « Impact démontré »" };
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

/* ==== Facet counting over the search index ==== */

/* A facet filter as a set of dictionary values (or a technique mask). */
struct cfilter {
	bool active;
	uint64_t tech;                          /* SIDX_TECH */
	unsigned char allow[SIDX_MAX_VALUES + 1];  /* others: allow[v] */
};

struct counts {
	int64_t total;
	int64_t n[SIDX_FACETS][SIDX_MAX_VALUES + 1];
};

/* Compile the query's filters against the index dictionaries (read lock
 * held). A value the index has never seen matches nothing. */
static void compile_filters(const struct search_query *sq, struct cfilter *cf)
{
	memset(cf, 0, sizeof(struct cfilter) * SIDX_FACETS);
	for (int i = 0; i < sq->nfilters; i++) {
		const struct search_filter *flt = &sq->filters[i];
		int f = facet_index(flt->facet);
		if (f < 0 || flt->nvalues == 0) continue;
		cf[f].active = true;
		for (int k = 0; k < flt->nvalues; k++) {
			if (f == SIDX_TECH) {
				int bit = vocab_index(&vocab_ai_technique, flt->values[k]);
				if (bit >= 0) cf[f].tech |= (uint64_t)1 << bit;
			} else {
				unsigned v = sidx_lookup(f, flt->values[k]);
				if (v) cf[f].allow[v] = 1;
			}
		}
	}
}

static bool passes(const struct cfilter *cf, const struct sidx_row *r, int f)
{
	if (!cf[f].active) return true;
	if (f == SIDX_TECH) return (r->tech & cf[f].tech) != 0;
	return cf[f].allow[r->val[f]] != 0;
}

static void count_facet(struct counts *c, const struct sidx_row *r, int f)
{
	if (f == SIDX_TECH) {
		for (uint64_t m = r->tech, b = 0; m; m >>= 1, b++)
			if (m & 1) c->n[f][b]++;
	} else if (r->val[f]) {
		c->n[f][r->val[f]]++;
	}
}

/* Count one visible row. Returns true when it passes every filter. */
static bool count_row(struct counts *c, const struct cfilter *cf, const struct sidx_row *r)
{
	int nfail = 0, failed = -1;
	for (int f = 0; f < SIDX_FACETS; f++) {
		if (!passes(cf, r, f)) {
			if (++nfail > 1) return false;
			failed = f;
		}
	}
	if (nfail == 1) {
		count_facet(c, r, failed);
		return false;
	}
	c->total++;
	for (int f = 0; f < SIDX_FACETS; f++) count_facet(c, r, f);
	return true;
}

static int cmp_facet_count(const void *a, const void *b)
{
	const struct facet_count *x = a, *y = b;
	if (x->count != y->count) return x->count < y->count ? 1 : -1;
	return strcmp(x->label, y->label);
}

/* Turn counts into the result's facets with labels, sorted by count (read
 * lock held: dictionary codes are read from the index). */
static void counts_to_facets(db_t *db, const struct counts *c, struct search_result *res)
{
	res->nfacets = SIDX_FACETS;
	for (int f = 0; f < SIDX_FACETS; f++) {
		struct facet *fc = &res->facets[f];
		fc->name = search_facet_names[f];
		const struct vocab *v = search_facet_vocab(fc->name);
		unsigned nv = f == SIDX_TECH ? (unsigned)vocab_ai_technique.count : sidx_nvalues(f);
		fc->counts = xcalloc((size_t)nv + 1, sizeof *fc->counts);
		fc->ncounts = 0;
		for (unsigned i = 0; i <= nv; i++) {
			int64_t n = c->n[f][i];
			if (!n) continue;
			const char *code = f == SIDX_TECH ? (i < vocab_ai_technique.count ? vocab_ai_technique.terms[i].code : NULL)
			                                  : sidx_value(f, i);
			if (!code) continue;
			struct facet_count *fcc = &fc->counts[fc->ncounts++];
			fcc->value = xstrdup(code);
			fcc->count = n;
			if (v) {
				fcc->label = xstrdup(vocab_label(v, code));
			} else {
				char *name = org_area_name(db, f == 3 ? "region" : "departement", code);
				fcc->label = name ? name : xstrdup(code);
			}
		}
		qsort(fc->counts, (size_t)fc->ncounts, sizeof *fc->counts, cmp_facet_count);
	}
}

/* ==== Hits ==== */

struct match {
	int64_t id;
	double rank;
	int64_t updated;
	int evidence;
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
	if (x->updated != y->updated) return x->updated < y->updated ? 1 : -1;
	return x->id > y->id ? -1 : 1;
}

/* sort=evidence: strength of evidence (label, level, indicators) first,
 * then as cmp_updated */
static int cmp_evidence(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	if (x->evidence != y->evidence) return x->evidence < y->evidence ? 1 : -1;
	return cmp_updated(a, b);
}

/* Put the k best matches (by cmp) first, in order. A bounded heap when k
 * is small against n (the usual first pages), a full sort otherwise. */
static void top_k(struct match *m, size_t n, size_t k, int (*cmp)(const void *, const void *))
{
	if (n < 2) return;
	if (k >= n / 8) {
		qsort(m, n, sizeof *m, cmp);
		return;
	}
	/* m[0..k) is a heap whose root is the worst of the kept matches */
	for (size_t i = 0; i < n; i++) {
		size_t size = i < k ? i + 1 : k;
		if (i >= k) {
			if (cmp(&m[i], &m[0]) >= 0) continue;  /* not better than the worst kept */
			m[0] = m[i];
		} else {
			/* sift up */
			size_t c = i;
			while (c > 0) {
				size_t parent = (c - 1) / 2;
				if (cmp(&m[c], &m[parent]) <= 0) break;
				struct match t = m[c];
				m[c] = m[parent];
				m[parent] = t;
				c = parent;
			}
			continue;
		}
		/* sift down from the root */
		size_t c = 0;
		for (;;) {
			size_t l = 2 * c + 1, r = l + 1, worst = c;
			if (l < size && cmp(&m[l], &m[worst]) > 0) worst = l;
			if (r < size && cmp(&m[r], &m[worst]) > 0) worst = r;
			if (worst == c) break;
			struct match t = m[c];
			m[c] = m[worst];
			m[worst] = t;
			c = worst;
		}
	}
	qsort(m, k, sizeof *m, cmp);
}

static char *col_text_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

static int load_hit(db_t *db, int64_t id, const struct snippet_terms *terms, struct search_hit *h)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT u.slug, u.title, u.summary, u.state, u.theme, u.status, u.updated_at, o.kind, o.code, o.name, "
	    "u.impact_label, u.evidence, coalesce(u.origin_id, 0) "
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
	h->impact_label = sqlite3_column_int(st, 10) != 0;
	h->evidence = sqlite3_column_int(st, 11);
	h->origin_id = sqlite3_column_int64(st, 12);
	db_reset(st);
	if (terms && terms->n) {
		st = db_stmt(db, "SELECT title, summary, body FROM usecase_fts WHERE rowid = ?1");
		if (!st) return -1;
		db_bind_int(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			/* the field with the most matches, preferring the text */
			int best = -1, best_score = 0;
			const int order[3] = { 2, 1, 0 };
			for (int k = 0; k < 3; k++) {
				const char *t = (const char *)sqlite3_column_text(st, order[k]);
				int sc = t ? snippet_score(t, strlen(t), terms) : 0;
				if (sc > best_score) {
					best_score = sc;
					best = order[k];
				}
			}
			if (best >= 0) {
				const char *t = (const char *)sqlite3_column_text(st, best);
				h->snippet_html = snippet_html(t, strlen(t), terms, 28);
			}
		}
		db_reset(st);
	}
	return 1;
}

/* ==== Cache of word-less lists ==== */

#define LIST_CACHE_SLOTS 128
#define LIST_CACHE_IDS 200

struct sparse_count {
	uint16_t f, v;
	int64_t n;
};

struct list_cache_entry {
	bool used;
	int64_t gen, owner, lru;   /* owner: the organisation, or -1 for the evidence order */
	struct cfilter *cf;           /* SIDX_FACETS compiled filters (exact key) */
	int64_t total;
	struct sparse_count *counts;
	int ncounts;
	int64_t ids[LIST_CACHE_IDS];
	int nids;
	int64_t nmatches;             /* all matches (ids beyond nids are not kept) */
};

static struct {
	pthread_mutex_t lock;
	struct list_cache_entry e[LIST_CACHE_SLOTS];
	int64_t clock;
} lcache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool same_key(const struct list_cache_entry *e, const struct cfilter *cf, int64_t owner, int64_t gen)
{
	return e->used && e->gen == gen && e->owner == owner &&
	       memcmp(e->cf, cf, sizeof(struct cfilter) * SIDX_FACETS) == 0;
}

/* Look up; on a hit fill c (counts and total) and ids[0..*nids) from
 * offset, and return true. */
static bool list_cache_get(const struct cfilter *cf, int64_t owner, int64_t gen, int64_t offset, int per_page,
                           struct counts *c, int64_t *ids, int *nids)
{
	if (offset + per_page > LIST_CACHE_IDS) return false;
	bool hit = false;
	pthread_mutex_lock(&lcache.lock);
	for (int i = 0; i < LIST_CACHE_SLOTS; i++) {
		struct list_cache_entry *e = &lcache.e[i];
		if (!same_key(e, cf, owner, gen)) continue;
		if (offset + per_page > e->nids && e->nids < e->nmatches) break; /* not enough ids kept */
		c->total = e->total;
		for (int k = 0; k < e->ncounts; k++) c->n[e->counts[k].f][e->counts[k].v] = e->counts[k].n;
		*nids = 0;
		for (int64_t k = offset; k < e->nids && *nids < per_page; k++) ids[(*nids)++] = e->ids[k];
		e->lru = ++lcache.clock;
		hit = true;
		break;
	}
	pthread_mutex_unlock(&lcache.lock);
	return hit;
}

static void list_cache_put(const struct cfilter *cf, int64_t owner, int64_t gen, const struct counts *c,
                           const struct match *m, size_t nm)
{
	int ncounts = 0;
	for (int f = 0; f < SIDX_FACETS; f++)
		for (int v = 0; v <= SIDX_MAX_VALUES; v++)
			if (c->n[f][v]) ncounts++;
	struct sparse_count *sc = xmalloc(sizeof *sc * (size_t)(ncounts ? ncounts : 1));
	int k = 0;
	for (int f = 0; f < SIDX_FACETS; f++)
		for (int v = 0; v <= SIDX_MAX_VALUES; v++)
			if (c->n[f][v]) sc[k++] = (struct sparse_count){ (uint16_t)f, (uint16_t)v, c->n[f][v] };
	pthread_mutex_lock(&lcache.lock);
	struct list_cache_entry *slot = NULL;
	for (int i = 0; i < LIST_CACHE_SLOTS && !slot; i++)
		if (!lcache.e[i].used || lcache.e[i].gen != gen || same_key(&lcache.e[i], cf, owner, gen)) slot = &lcache.e[i];
	for (int i = 0; i < LIST_CACHE_SLOTS && !slot; i++) /* the least recently used */
		if (!slot || lcache.e[i].lru < slot->lru) slot = &lcache.e[i];
	if (!slot) slot = &lcache.e[0];
	free(slot->counts);
	if (!slot->cf) slot->cf = xmalloc(sizeof(struct cfilter) * SIDX_FACETS);
	memcpy(slot->cf, cf, sizeof(struct cfilter) * SIDX_FACETS);
	slot->used = true;
	slot->gen = gen;
	slot->owner = owner;
	slot->lru = ++lcache.clock;
	slot->total = c->total;
	slot->counts = sc;
	slot->ncounts = ncounts;
	slot->nmatches = (int64_t)nm;
	slot->nids = 0;
	for (size_t i = 0; i < nm && slot->nids < LIST_CACHE_IDS; i++) slot->ids[slot->nids++] = m[i].id;
	pthread_mutex_unlock(&lcache.lock);
}

int search_run(db_t *db, const struct search_query *sq, struct search_result *res)
{
	memset(res, 0, sizeof *res);
	int per_page = sq->per_page > 0 ? sq->per_page : 20;
	int page = sq->page > 0 ? sq->page : 1;
	int64_t offset = (int64_t)(page - 1) * per_page;
	char *fts = sq->q && *sq->q ? text_fts_query(sq->q) : NULL;
	struct counts *c = xcalloc(1, sizeof *c);
	struct cfilter *cf = xmalloc(sizeof(struct cfilter) * SIDX_FACETS);
	struct match *m = NULL;
	size_t nm = 0, capm = 0;
	int64_t *ids = xcalloc((size_t)per_page, sizeof *ids);
	int nids = 0;
	struct snippet_terms terms = { { 0 }, { 0 }, 0 };
	bool locked = false, tx = false;
	int ret = -1;
	/* the cache of word-less lists is keyed by order too (owner slot: 0 by
	 * update, -1 by evidence; organisation lists are not cached) */
	int64_t cache_order = sq->by_evidence ? -1 : 0;

	tx = db_read_begin(db);   /* one read lock for the whole search */
	if (sidx_acquire(db) < 0) goto out;
	locked = true;
	compile_filters(sq, cf);
	if (fts) {
		sqlite3_stmt *st = db_stmt(db, "SELECT rowid, iatrank(usecase_fts, 10.0, 5.0, 1.0, 2.0) "
		                               "FROM usecase_fts WHERE usecase_fts MATCH ?1");
		if (!st) goto out;
		db_bind_text(st, 1, fts);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);
			const struct sidx_row *r = sidx_get(id);
			if (!r || !r->visible || (sq->owner_org_id && r->owner != sq->owner_org_id)) continue;
			if (!count_row(c, cf, r)) continue;
			if (nm == capm) {
				capm = capm ? capm * 2 : 256;
				m = xrealloc(m, capm * sizeof *m);
			}
			m[nm].id = id;
			m[nm].rank = sqlite3_column_double(st, 1);
			m[nm].updated = r->updated;
			m[nm].evidence = r->evidence;
			nm++;
		}
		db_reset(st);
		if (rc != SQLITE_DONE) {
			db_error(db, "search");
			goto out;
		}
		top_k(m, nm, (size_t)offset + (size_t)per_page,
		      sq->by_evidence ? cmp_evidence : sq->by_relevance ? cmp_rank : cmp_updated);
		for (int64_t i = offset; i < (int64_t)nm && nids < per_page; i++) ids[nids++] = m[i].id;
	} else if (!sq->owner_org_id && list_cache_get(cf, cache_order, sidx_generation(), offset, per_page, c, ids, &nids)) {
		/* served from the cache of word-less lists */
	} else {
		/* No words: the matches and their order come from the in-process
		 * index alone (updated is the updated_at second, ties by id, as the
		 * (visible, updated_at) index ordered them). Walking that SQL index
		 * instead read every record row until 20 passed the filters: a whole
		 * table scan for a small organisation's page (40 ms on 100k). */
		/* one organisation's records: their ids from the (owner_org_id,
		 * visible) index rather than a scan of every row of the index */
		sqlite3_stmt *own = NULL;
		if (sq->owner_org_id) {
			own = db_stmt(db, "SELECT id FROM usecase WHERE owner_org_id = ?1 AND visible = 1");
			if (!own) goto out;
			db_bind_int(own, 1, sq->owner_org_id);
		}
		int64_t end = sidx_end();
		for (int64_t id = 1;; id++) {
			if (own) {
				int rc = sqlite3_step(own);
				if (rc != SQLITE_ROW) {
					db_reset(own);
					if (rc != SQLITE_DONE) {
						db_error(db, "search");
						goto out;
					}
					break;
				}
				id = sqlite3_column_int64(own, 0);
			} else if (id >= end) {
				break;
			}
			const struct sidx_row *r = sidx_get(id);
			if (!r || !r->visible || (sq->owner_org_id && r->owner != sq->owner_org_id)) continue;
			if (!count_row(c, cf, r)) continue;
			if (nm == capm) {
				capm = capm ? capm * 2 : 256;
				m = xrealloc(m, capm * sizeof *m);
			}
			m[nm].id = id;
			m[nm].rank = 0;
			m[nm].updated = r->updated;
			m[nm].evidence = r->evidence;
			nm++;
		}
		size_t k = (size_t)offset + (size_t)per_page;
		if (k < LIST_CACHE_IDS) k = LIST_CACHE_IDS;
		top_k(m, nm, k, sq->by_evidence ? cmp_evidence : cmp_updated);
		for (int64_t i = offset; i < (int64_t)nm && nids < per_page; i++) ids[nids++] = m[i].id;
		if (!sq->owner_org_id) list_cache_put(cf, cache_order, sidx_generation(), c, m, nm);
	}
	res->total = c->total;
	if (sq->with_facets) counts_to_facets(db, c, res);
	/* the number of visible reuses of each hit comes from the index */
	int64_t *nreuses = xcalloc((size_t)nids + 1, sizeof *nreuses);
	for (int i = 0; i < nids; i++) {
		const struct sidx_row *row = sidx_get(ids[i]);
		nreuses[i] = row ? row->reuses : 0;
	}
	sidx_release();
	locked = false;
	snippet_terms_parse(&terms, fts);
	res->hits = xcalloc((size_t)nids + 1, sizeof *res->hits);
	for (int i = 0; i < nids; i++) {
		int rc = load_hit(db, ids[i], &terms, &res->hits[res->nhits]);
		if (rc < 0) {
			free(nreuses);
			goto out;
		}
		if (rc == 1) res->hits[res->nhits++].reuses = nreuses[i];
	}
	free(nreuses);
	res->fts = fts;
	fts = NULL;
	ret = 0;
out:
	if (locked) sidx_release();
	db_read_end(db, tx);
	snippet_terms_free(&terms);
	free(fts);
	free(c);
	free(cf);
	free(m);
	free(ids);
	if (ret < 0) search_result_free(res);
	return ret;
}

int search_hit_load(db_t *db, int64_t id, struct search_hit *h)
{
	memset(h, 0, sizeof *h);
	return load_hit(db, id, NULL, h);
}

void search_hit_free(struct search_hit *h)
{
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
	memset(h, 0, sizeof *h);
}

void search_result_free(struct search_result *res)
{
	for (int i = 0; i < res->nhits; i++) search_hit_free(&res->hits[i]);
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

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int store_figures(db_t *db, struct store_figures *f)
{
	memset(f, 0, sizeof *f);
	if (sidx_acquire(db) < 0) return -1;
	int64_t end = sidx_end(), n = 0;
	int64_t *owners = xmalloc((size_t)(end > 0 ? end : 1) * sizeof *owners);
	for (int64_t id = 1; id < end; id++) {
		const struct sidx_row *r = sidx_get(id);
		if (!r || !r->visible) continue;
		f->published += r->published;
		owners[n++] = r->owner;
	}
	sidx_release();
	qsort(owners, (size_t)n, sizeof *owners, cmp_i64);
	for (int64_t i = 0; i < n; i++)
		if (i == 0 || owners[i] != owners[i - 1]) f->owners++;
	free(owners);
	return 0;
}
