/*
 * recommend.c — discovery (issue 5): "territoires comme le mien"
 * (search_recommend) and similar records (search_similar). See store.h.
 *
 * Design notes
 * - Both read the in-process search index (search_index.c) instead of
 *   scanning record rows: a recommendation is one pass over the index rows
 *   (64 bytes each) keeping the best in a bounded heap, then one point
 *   read per shown record (search_hit_load). That pass cost ~1 ms of CPU
 *   at 100k records, so its outcome is cached per (kind, band, theme,
 *   index generation, day): the ranking of a group is the same for every
 *   organisation of the group except for its own records, which are read
 *   from the owner index (a few rows) and skipped.
 * - Recommendation score, 0..160 (higher first):
 *     impact label "impact démontré"            60
 *     evidence level of the best indicator     10 per level (0-3: declared,
 *                                              measured, independent)
 *     visible reuses of the record              15 each, at most 4 (60)
 *     recency of the last update                20 today, decreasing
 *                                              linearly to 0 at two years
 *   Ties: later update first, then higher id. Only published records
 *   (state published, so not retracted) of OTHER organisations whose kind
 *   and population band (usecase.org_kind / org_band, kept on the row)
 *   equal the organisation's. The evidence level and label come from
 *   usecase.evidence (impact.c's score: label 1000 + level x 100 +
 *   indicators), so the rules live in impact.c only.
 * - Similar records: an FTS5 query ORing the record's significant words
 *   (title, summary and the labels of its sub-themes: folded, French stop
 *   words, numbers and words under 4 letters dropped), restricted to the
 *   title and summary columns (the first SIMILAR_WORDS words, title
 *   first), ranked with iatrank (BM25). Only the first SIMILAR_SCAN
 *   matches in rowid order are ranked: FTS5 streams the OR forwards and
 *   stops there (the rank function runs only for the rows returned), so
 *   the cost is bounded whatever the words, at the price of preferring
 *   older records when the words are very common (no limit is reached on
 *   a library of a few thousand real records). Measured at 100k synthetic
 *   records (all their words are frequent) on a loaded 2-core machine:
 *   ranking every match of 12 words 80-110 ms per record; 1,000 matches
 *   in rowid DESC order 12-63 ms (FTS5 loads whole doclists to walk them
 *   backwards); 300 forwards with 8 words 5-9 ms. Choosing the rarest
 *   words would need their document frequency, which fts5vocab computes
 *   by walking the posting lists (15-40 ms: measured, dropped). score = -rank x (1 + 0.5 if same theme + 0.25 per
 *   shared sub-theme). The record itself and its descendants (records
 *   whose origin chain reaches it: its reuses, their reuses...) are left
 *   out; only published records are kept. Sub-themes are read (one JSON
 *   extraction each) for the SIMILAR_POOL best matches only.
 * - The similar records of a record are cached in a direct-mapped table
 *   (SIMILAR_CACHE slots, by id): ids, reasons and scores; the shown rows
 *   are re-read (5 point reads) and only published ones kept. An entry
 *   serves while the index generation is unchanged, and for SIMILAR_TTL
 *   seconds whatever was written meanwhile, so a busy library does not
 *   recompute every list after each write (a list may be minutes late).
 * - Computing them costs 5-15 ms at 100k records (FTS5 opens the doclists
 *   of 8 terms), 10 to 30 times a whole record page. So the record page
 *   never computes them: search_similar_cached() answers from the cache,
 *   and on a miss queues the id for one background thread (its own
 *   connection, opened on first use) that fills the cache at most
 *   SIMILAR_BG_RATE times a second (a crawler walking every record must
 *   not take a core from the pages); the section appears from the next
 *   view. The API computes synchronously. Under
 *   SIMILAR_INLINE_MAX records (the real library for years: the cost is
 *   then well under a millisecond) a miss is computed inline, so the page
 *   is the same at every view (stable ETag).
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "search_index.h"
#include "store.h"
#include "text.h"
#include "util.h"

#define FACET_THEME 0
#define FACET_KIND 2
#define FACET_BAND 5

/* ==== Dates ==== */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* YYYYMMDDHHMMSS -> days since 1970 */
static int64_t stamp_days(int64_t stamp)
{
	int64_t date = stamp / 1000000;
	return days_from_civil(date / 10000, (date / 100) % 100, date % 100);
}

/* ==== Recommendations ==== */

struct cand {
	int64_t id;
	int64_t updated;
	int score;
};

/* > 0 when a is better than b */
static int cand_cmp(const struct cand *a, const struct cand *b)
{
	if (a->score != b->score) return a->score > b->score ? 1 : -1;
	if (a->updated != b->updated) return a->updated > b->updated ? 1 : -1;
	return a->id > b->id ? 1 : a->id < b->id ? -1 : 0;
}

/* Bounded min-heap of the k best candidates (root: the worst kept). */
struct heap {
	struct cand *c;
	size_t n, k;
};

static void heap_push(struct heap *h, const struct cand *x)
{
	if (h->k == 0) return;
	if (h->n == h->k) {
		if (cand_cmp(x, &h->c[0]) <= 0) return;
		h->c[0] = *x;
		size_t i = 0;
		for (;;) {
			size_t l = 2 * i + 1, r = l + 1, w = i;
			if (l < h->n && cand_cmp(&h->c[l], &h->c[w]) < 0) w = l;
			if (r < h->n && cand_cmp(&h->c[r], &h->c[w]) < 0) w = r;
			if (w == i) break;
			struct cand t = h->c[i];
			h->c[i] = h->c[w];
			h->c[w] = t;
			i = w;
		}
		return;
	}
	size_t i = h->n++;
	h->c[i] = *x;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (cand_cmp(&h->c[i], &h->c[p]) >= 0) break;
		struct cand t = h->c[i];
		h->c[i] = h->c[p];
		h->c[p] = t;
		i = p;
	}
}

static int cand_sort_desc(const void *a, const void *b)
{
	return -cand_cmp(a, b);
}

static int reco_score(const struct sidx_row *r, int64_t today, int *level)
{
	*level = (r->evidence % 1000) / 100;
	int s = (r->label ? 60 : 0) + 10 * *level;
	s += 15 * (r->reuses > 4 ? 4 : r->reuses);
	int64_t age = today - stamp_days(r->updated);
	if (age < 0) age = 0;
	if (age < 730) s += (int)(20 * (730 - age) / 730);
	return s;
}

/* The ranking of one (kind, band, theme) group does not depend on the
 * organisation asking, except that its own records are left out: the
 * group's best RECO_CACHE_IDS are cached per (group, index generation,
 * day), and an organisation's own records are skipped when reading them. */
#define RECO_CACHE_SLOTS 64
#define RECO_CACHE_IDS 400

struct reco_entry {
	bool used;
	int64_t gen, day, lru;
	unsigned kind, band, theme;
	int64_t total;           /* the whole group */
	struct cand *c;          /* best first */
	size_t n;                /* kept (all of the group when n < RECO_CACHE_IDS) */
};

static struct {
	pthread_mutex_t lock;
	struct reco_entry e[RECO_CACHE_SLOTS];
	int64_t clock;
} rcache = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Copy the cached group into c, n and total; true on a hit with at least
 * need candidates (or the whole group). */
static bool rcache_get(int64_t gen, int64_t day, unsigned kind, unsigned band, unsigned theme, size_t need,
                       struct cand **c, size_t *n, int64_t *total)
{
	bool hit = false;
	pthread_mutex_lock(&rcache.lock);
	for (int i = 0; i < RECO_CACHE_SLOTS; i++) {
		struct reco_entry *e = &rcache.e[i];
		if (!e->used || e->gen != gen || e->day != day || e->kind != kind || e->band != band || e->theme != theme)
			continue;
		if (e->n < need && (int64_t)e->n < e->total) break;
		*c = xmalloc(sizeof **c * (e->n ? e->n : 1));
		if (e->n) memcpy(*c, e->c, sizeof **c * e->n);
		*n = e->n;
		*total = e->total;
		e->lru = ++rcache.clock;
		hit = true;
		break;
	}
	pthread_mutex_unlock(&rcache.lock);
	return hit;
}

static void rcache_put(int64_t gen, int64_t day, unsigned kind, unsigned band, unsigned theme, const struct cand *c,
                       size_t n, int64_t total)
{
	if (n > RECO_CACHE_IDS) n = RECO_CACHE_IDS;
	pthread_mutex_lock(&rcache.lock);
	struct reco_entry *slot = NULL;
	for (int i = 0; i < RECO_CACHE_SLOTS && !slot; i++) {
		struct reco_entry *e = &rcache.e[i];
		if (!e->used || e->gen != gen || e->day != day ||
		    (e->kind == kind && e->band == band && e->theme == theme))
			slot = e;
	}
	for (int i = 0; i < RECO_CACHE_SLOTS && !slot; i++)
		if (!slot || rcache.e[i].lru < slot->lru) slot = &rcache.e[i];
	if (!slot) slot = &rcache.e[0];
	free(slot->c);
	slot->c = xmalloc(sizeof *c * (n ? n : 1));
	if (n) memcpy(slot->c, c, sizeof *c * n);
	slot->n = n;
	slot->used = true;
	slot->gen = gen;
	slot->day = day;
	slot->kind = kind;
	slot->band = band;
	slot->theme = theme;
	slot->total = total;
	slot->lru = ++rcache.clock;
	pthread_mutex_unlock(&rcache.lock);
}

int search_recommend(db_t *db, const struct reco_query *q, struct reco_result *out)
{
	memset(out, 0, sizeof *out);
	int per_page = q->per_page > 0 ? q->per_page : 20;
	int page = q->page > 0 ? q->page : 1;
	size_t offset = (size_t)(page - 1) * (size_t)per_page;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	int64_t today = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	int64_t *ids = NULL, *own = NULL;
	size_t nids = 0, nown = 0, capown = 0;
	struct cand *cands = NULL;
	size_t ncands = 0;
	int64_t group_total = 0;
	int ret = -1;

	bool tx = db_read_begin(db);
	bool locked = false;
	if (sidx_acquire(db) < 0) goto out;
	locked = true;
	unsigned kind = sidx_lookup(FACET_KIND, q->kind);
	unsigned band = q->band ? sidx_lookup(FACET_BAND, q->band) : 0;
	unsigned theme = q->theme ? sidx_lookup(FACET_THEME, q->theme) : 0;
	bool none = !kind || (q->band && !band) || (q->theme && !theme);
	/* the organisation's own records of the group (through the owner index) */
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM usecase WHERE owner_org_id = ?1 AND visible = 1");
	if (!st) goto out;
	db_bind_int(st, 1, q->org_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const struct sidx_row *r = sidx_get(id);
		if (!r || !r->published || r->val[FACET_KIND] != kind || r->val[FACET_BAND] != band) continue;
		if (theme && r->val[FACET_THEME] != theme) continue;
		if (nown == capown) {
			capown = capown ? capown * 2 : 16;
			own = xrealloc(own, capown * sizeof *own);
		}
		own[nown++] = id;
	}
	db_reset(st);
	if (rc != SQLITE_DONE) {
		db_error(db, "recommendations");
		goto out;
	}
	size_t need = offset + (size_t)per_page + nown;
	int64_t gen = sidx_generation();
	if (!none && !rcache_get(gen, today, kind, band, theme, need, &cands, &ncands, &group_total)) {
		size_t k = need > RECO_CACHE_IDS ? need : RECO_CACHE_IDS;
		struct heap h = { xmalloc(sizeof(struct cand) * k), 0, k };
		int64_t end = sidx_end();
		for (int64_t id = 1; id < end; id++) {
			const struct sidx_row *r = sidx_get(id);
			if (!r || !r->published || !r->visible) continue;
			if (r->val[FACET_KIND] != kind || r->val[FACET_BAND] != band) continue;
			if (theme && r->val[FACET_THEME] != theme) continue;
			int level;
			struct cand c = { id, r->updated, reco_score(r, today, &level) };
			group_total++;
			heap_push(&h, &c);
		}
		if (h.n > 1) qsort(h.c, h.n, sizeof *h.c, cand_sort_desc);
		rcache_put(gen, today, kind, band, theme, h.c, h.n, group_total);
		cands = h.c;
		ncands = h.n;
	}
	out->total = group_total - (int64_t)nown;
	/* the page, skipping the organisation's own records */
	ids = xmalloc(sizeof *ids * (size_t)per_page);
	out->hits = xcalloc((size_t)per_page, sizeof *out->hits);
	size_t rank = 0;
	for (size_t i = 0; i < ncands && nids < (size_t)per_page; i++) {
		const struct cand *c = &cands[i];
		const struct sidx_row *r = sidx_get(c->id);
		if (!r || r->owner == q->org_id) continue;
		if (rank++ < offset) continue;
		struct reco_hit *x = &out->hits[nids];
		ids[nids++] = c->id;
		x->score = c->score;
		x->label = r->label;
		x->evidence_level = (r->evidence % 1000) / 100;
		x->reuses = r->reuses;
		x->reasons[x->nreasons++] = "same_kind_band";
		if (x->label) x->reasons[x->nreasons++] = "impact_label";
		else if (x->evidence_level >= 2) x->reasons[x->nreasons++] = "evidence";
		if (x->reuses) x->reasons[x->nreasons++] = "reused";
		if (today - stamp_days(r->updated) <= 180) x->reasons[x->nreasons++] = "recent";
		if (theme) x->reasons[x->nreasons++] = "theme";
	}
	sidx_release();
	locked = false;
	ret = 0;
	for (size_t i = 0; i < nids; i++) {
		out->hits[out->nhits] = out->hits[i];  /* a vanished record leaves no hole */
		int lr = search_hit_load(db, ids[i], &out->hits[out->nhits].h);
		if (lr < 0) {
			ret = -1;
			break;
		}
		if (lr == 1) out->nhits++;
	}
out:
	if (locked) sidx_release();
	db_read_end(db, tx);
	free(ids);
	free(own);
	free(cands);
	if (ret < 0) reco_result_free(out);
	return ret;
}

void reco_result_free(struct reco_result *res)
{
	for (int i = 0; i < res->nhits; i++) search_hit_free(&res->hits[i].h);
	free(res->hits);
	memset(res, 0, sizeof *res);
}

/* ==== Similar records ==== */

#define SIMILAR_WORDS 8    /* words of the OR query */
#define SIMILAR_SCAN_S "300" /* matches ranked at most (the newest) */
#define SIMILAR_POOL 40    /* best matches whose sub-themes are compared */
#define SIMILAR_CACHE 2048 /* slots of the similar-records cache (~2.8 MB) */
#define SIMILAR_TTL 600    /* seconds an entry serves after later writes */
#define MAX_SUB 10

struct words {
	char w[SIMILAR_WORDS][48];
	int n;
};

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9') return false;
	return true;
}

static int collect_word(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
	(void)start;
	(void)end;
	struct words *w = ctx;
	if (len < 4 || len >= sizeof w->w[0] || all_digits(tok, len) || text_is_stopword(tok, len)) return 0;
	for (int i = 0; i < w->n; i++)
		if (strlen(w->w[i]) == len && memcmp(w->w[i], tok, len) == 0) return 0;
	if (w->n >= SIMILAR_WORDS) return 1;
	memcpy(w->w[w->n], tok, len);
	w->w[w->n][len] = 0;
	w->n++;
	return 0;
}

/* Does any of the words occur in text (folded tokens)? Collect shared ones. */
struct shared_ctx {
	const struct words *q;
	const char *text;                /* the text being tokenised */
	bool hit[SIMILAR_WORDS];
	char orig[SIMILAR_WORDS][64];    /* the word as written (first occurrence) */
};

static int shared_cb(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
	struct shared_ctx *s = ctx;
	for (int i = 0; i < s->q->n; i++)
		if (!s->hit[i] && strlen(s->q->w[i]) == len && memcmp(s->q->w[i], tok, len) == 0) {
			s->hit[i] = true;
			size_t n = end - start < sizeof s->orig[i] ? end - start : 0;
			if (n) memcpy(s->orig[i], s->text + start, n);
			else memcpy(s->orig[i], tok, len < sizeof s->orig[i] ? len : 0);
			s->orig[i][n ? n : (len < sizeof s->orig[i] ? len : 0)] = 0;
		}
	return 0;
}

struct sim_match {
	int64_t id;
	double score;
	bool same_theme;
	int shared_sub;
};

static int cmp_sim(const void *a, const void *b)
{
	const struct sim_match *x = a, *y = b;
	if (x->score != y->score) return x->score < y->score ? 1 : -1;
	return x->id > y->id ? -1 : 1;
}

/* Sub-theme codes of record id (from its public doc). */
static int read_sub_themes(db_t *db, int64_t id, char sub[MAX_SUB][64])
{
	sqlite3_stmt *st = db_stmt(db, "SELECT j.value FROM usecase_blob b, json_each(b.doc, '$.sub_themes') j "
	                               "WHERE b.id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW && n < MAX_SUB) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (v) snprintf(sub[n++], 64, "%s", v);
	}
	db_reset(st);
	return n;
}

/* The cache of similar records: direct-mapped by record id (one lookup,
 * no scan). An entry serves while the search index is unchanged, and for
 * SIMILAR_TTL seconds after it was computed even if other records were
 * written meanwhile (a list of similar records may be a few minutes
 * late; the records it names are re-read, and only published ones are
 * shown), so a busy library does not recompute every list after each
 * write. */
struct sim_entry {
	int64_t id, gen, at;
	struct similar_item items[SIMILAR_MAX];  /* h left empty: re-read */
	int n;
};

static struct {
	pthread_mutex_t lock;
	struct sim_entry e[SIMILAR_CACHE];
} scache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool scache_get(int64_t id, int64_t gen, struct similar_result *out)
{
	bool hit = false;
	int64_t now = now_unix();
	pthread_mutex_lock(&scache.lock);
	struct sim_entry *e = &scache.e[(uint64_t)id % SIMILAR_CACHE];
	if (e->id == id && (e->gen == gen || now - e->at < SIMILAR_TTL)) {
		memcpy(out->items, e->items, sizeof out->items);
		out->n = e->n;
		hit = true;
	}
	pthread_mutex_unlock(&scache.lock);
	return hit;
}

static void scache_put(int64_t id, int64_t gen, const struct similar_result *r)
{
	pthread_mutex_lock(&scache.lock);
	struct sim_entry *slot = &scache.e[(uint64_t)id % SIMILAR_CACHE];
	slot->id = id;
	slot->gen = gen;
	slot->at = now_unix();
	slot->n = r->n;
	for (int i = 0; i < r->n; i++) {
		slot->items[i] = r->items[i];
		memset(&slot->items[i].h, 0, sizeof slot->items[i].h);
		slot->items[i].h.id = r->items[i].h.id;
	}
	pthread_mutex_unlock(&scache.lock);
}

/* Is id a descendant of root (its origin chain reaches root)? */
static bool descends_from(const struct sidx_row *r, int64_t root)
{
	for (int depth = 0; r && r->origin && depth < 32; depth++) {
		if ((int64_t)r->origin == root) return true;
		r = sidx_get(r->origin);
	}
	return false;
}

/* Compute the similar records of id (index and read lock held); fills ids,
 * flags, words and scores (not the rows). */
static int compute_similar(db_t *db, int64_t id, struct similar_result *out)
{
	const struct sidx_row *self = sidx_get(id);
	if (!self) return 0;
	/* the record's public text and sub-themes */
	struct words qw = { .n = 0 };
	char sub[MAX_SUB][64];
	int nsub = read_sub_themes(db, id, sub);
	if (nsub < 0) return -1;
	sqlite3_stmt *st = db_stmt(db, "SELECT title, summary FROM usecase_fts WHERE rowid = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < 2; c++) {
			const char *t = (const char *)sqlite3_column_text(st, c);
			if (t) text_tokenize(t, strlen(t), collect_word, &qw);
		}
	}
	db_reset(st);
	for (int i = 0; i < nsub; i++) {
		const char *label = vocab_label(&vocab_sub_theme, sub[i]);
		if (label) text_tokenize(label, strlen(label), collect_word, &qw);
	}
	if (qw.n == 0) return 0;
	buf_t fq = BUF_INIT;
	buf_puts(&fq, "{title summary} : (");
	for (int i = 0; i < qw.n; i++) {
		if (i) buf_puts(&fq, " OR ");
		buf_putc(&fq, '"');
		buf_puts(&fq, qw.w[i]);  /* folded letters and digits only: no quote inside */
		buf_putc(&fq, '"');
	}
	buf_putc(&fq, ')');

	struct sim_match *m = NULL;
	size_t nm = 0, cap = 0;
	unsigned theme = self->val[FACET_THEME];
	st = db_stmt(db, "SELECT rowid, iatrank(usecase_fts, 10.0, 5.0, 1.0, 2.0) FROM usecase_fts "
	                 "WHERE usecase_fts MATCH ?1 LIMIT " SIMILAR_SCAN_S);
	if (!st) {
		buf_free(&fq);
		return -1;
	}
	db_bind_text(st, 1, buf_cstr(&fq));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t cid = sqlite3_column_int64(st, 0);
		if (cid == id) continue;
		const struct sidx_row *r = sidx_get(cid);
		if (!r || !r->published || !r->visible || descends_from(r, id)) continue;
		if (nm == cap) {
			cap = cap ? cap * 2 : 256;
			m = xrealloc(m, cap * sizeof *m);
		}
		bool same = theme && r->val[FACET_THEME] == theme;
		m[nm++] = (struct sim_match){ cid, -sqlite3_column_double(st, 1) * (same ? 1.5 : 1.0), same, 0 };
	}
	db_reset(st);
	buf_free(&fq);
	if (rc != SQLITE_DONE) {
		free(m);
		return db_error(db, "similar records");
	}
	if (nm > 1) qsort(m, nm, sizeof *m, cmp_sim); /* m is NULL when nothing matched */
	size_t pool = nm < SIMILAR_POOL ? nm : SIMILAR_POOL;
	for (size_t i = 0; i < pool && nsub > 0; i++) {
		char csub[MAX_SUB][64];
		int nc = read_sub_themes(db, m[i].id, csub);
		for (int a = 0; a < nc; a++)
			for (int b = 0; b < nsub; b++)
				if (strcmp(csub[a], sub[b]) == 0) m[i].shared_sub++;
		double base = m[i].score / (m[i].same_theme ? 1.5 : 1.0);
		m[i].score = base * (1.0 + (m[i].same_theme ? 0.5 : 0.0) + 0.25 * m[i].shared_sub);
	}
	if (pool > 1) qsort(m, pool, sizeof *m, cmp_sim);
	out->n = 0;
	for (size_t i = 0; i < pool && out->n < SIMILAR_MAX; i++) {
		struct similar_item *it = &out->items[out->n++];
		memset(it, 0, sizeof *it);
		it->h.id = m[i].id;
		it->same_theme = m[i].same_theme;
		it->shared_sub_themes = m[i].shared_sub;
		it->score = m[i].score;
		/* the shared words, from the candidate's title and summary */
		struct shared_ctx sc = { .q = &qw };
		st = db_stmt(db, "SELECT title, summary FROM usecase_fts WHERE rowid = ?1");
		if (!st) {
			free(m);
			return -1;
		}
		db_bind_int(st, 1, m[i].id);
		if (sqlite3_step(st) == SQLITE_ROW)
			for (int c = 0; c < 2; c++) {
				const char *t = (const char *)sqlite3_column_text(st, c);
				sc.text = t;
				if (t) text_tokenize(t, strlen(t), shared_cb, &sc);
			}
		db_reset(st);
		size_t len = 0;
		int shown = 0;
		for (int k = 0; k < qw.n && shown < 4; k++) {
			if (!sc.hit[k]) continue;
			const char *word = sc.orig[k][0] ? sc.orig[k] : qw.w[k];
			size_t wl = strlen(word);
			if (len + wl + 3 >= sizeof it->words) break;
			if (shown++) {
				memcpy(it->words + len, ", ", 2);
				len += 2;
			}
			memcpy(it->words + len, word, wl);
			len += wl;
			it->words[len] = 0;
		}
	}
	free(m);
	return 0;
}

/* Re-read the row of a cached item and append it to out if it is still
 * published (a cached list may be up to SIMILAR_TTL seconds old). 0 or -1. */
static int reload_item(db_t *db, struct similar_result *out, const struct similar_item *cached)
{
	struct similar_item it = *cached;
	int lr = search_hit_load(db, it.h.id, &it.h);
	if (lr < 0) return -1;
	if (lr == 0) return 0;
	if (!it.h.state || strcmp(it.h.state, "published") != 0) {
		search_hit_free(&it.h);
		return 0;
	}
	out->items[out->n++] = it;
	return 0;
}

int search_similar(db_t *db, int64_t id, struct similar_result *out)
{
	memset(out, 0, sizeof *out);
	bool tx = db_read_begin(db);
	if (sidx_acquire(db) < 0) {
		db_read_end(db, tx);
		return -1;
	}
	int64_t gen = sidx_generation();
	int rc = 0;
	if (!scache_get(id, gen, out)) {
		rc = compute_similar(db, id, out);
		if (rc == 0) scache_put(id, gen, out);
	}
	sidx_release();
	/* read the rows shown (a record may have gone since: dropped) */
	int n = out->n;
	out->n = 0;
	for (int i = 0; rc == 0 && i < n; i++)
		rc = reload_item(db, out, &out->items[i]);
	db_read_end(db, tx);
	if (rc < 0) similar_result_free(out);
	return rc < 0 ? -1 : 0;
}

void similar_result_free(struct similar_result *res)
{
	for (int i = 0; i < res->n; i++) search_hit_free(&res->items[i].h);
	res->n = 0;
}

/* ==== Background filling for the record page ==== */

#define SIMILAR_QUEUE 64
#define SIMILAR_BG_RATE 8   /* background computations per second, at most (~8 % of a core at 100k records) */
#define SIMILAR_INLINE_MAX 10000  /* records: below, a miss is computed inline (< 1 ms) */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started;
	char *path;
	int64_t q[SIMILAR_QUEUE];
	int head, n;
} bg = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static void *similar_worker(void *arg)
{
	(void)arg;
	char *err = NULL;
	db_t *db = db_open(bg.path, 0, &err);
	if (!db) {
		log_warn("similar records: no background connection (%s)", err ? err : "?");
		free(err);
		return NULL;
	}
	for (;;) {
		pthread_mutex_lock(&bg.lock);
		while (bg.n == 0) pthread_cond_wait(&bg.cond, &bg.lock);
		int64_t id = bg.q[bg.head];
		bg.head = (bg.head + 1) % SIMILAR_QUEUE;
		bg.n--;
		pthread_mutex_unlock(&bg.lock);
		uint64_t t0 = mono_ns();
		struct similar_result res;
		if (search_similar(db, id, &res) == 0) similar_result_free(&res);
		/* at most SIMILAR_BG_RATE computations a second: a crawler
		 * walking every record must not take a core from the pages */
		uint64_t spent = mono_ns() - t0, slot = 1000000000ull / SIMILAR_BG_RATE;
		if (spent < slot) {
			struct timespec ts = { 0, (long)(slot - spent) };
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

static void similar_enqueue(db_t *db, int64_t id)
{
	pthread_mutex_lock(&bg.lock);
	if (!bg.started) {
		bg.started = true;
		bg.path = xstrdup(db_path(db));
		pthread_t t;
		pthread_attr_t a;
		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &a, similar_worker, NULL) != 0) log_warn("similar records: no background thread");
		pthread_attr_destroy(&a);
	}
	bool queued = false;
	for (int i = 0; i < bg.n; i++)
		if (bg.q[(bg.head + i) % SIMILAR_QUEUE] == id) queued = true;
	if (!queued && bg.n < SIMILAR_QUEUE) {  /* a full queue drops the request */
		bg.q[(bg.head + bg.n) % SIMILAR_QUEUE] = id;
		bg.n++;
		pthread_cond_signal(&bg.cond);
	}
	pthread_mutex_unlock(&bg.lock);
}

int search_similar_cached(db_t *db, int64_t id, struct similar_result *out)
{
	memset(out, 0, sizeof *out);
	bool tx = db_read_begin(db);
	if (sidx_acquire(db) < 0) {
		db_read_end(db, tx);
		return -1;
	}
	bool hit = scache_get(id, sidx_generation(), out);
	bool small = sidx_end() <= SIMILAR_INLINE_MAX;
	sidx_release();
	if (!hit && small) {
		db_read_end(db, tx);
		return search_similar(db, id, out) < 0 ? -1 : 1;
	}
	int rc = 0;
	int n = out->n;
	out->n = 0;
	for (int i = 0; hit && rc == 0 && i < n; i++)
		rc = reload_item(db, out, &out->items[i]);
	db_read_end(db, tx);
	if (rc < 0) {
		similar_result_free(out);
		return -1;
	}
	if (!hit) similar_enqueue(db, id);
	return hit ? 1 : 0;
}
