/*
 * search_index.c — see search_index.h.
 *
 * The facet order is search_facet_names[] (store.h): theme, status,
 * org_kind, region, departement, population_band, ai_technique,
 * risk_level, impact_label; the loader's SELECT lists the matching columns
 * in that order.
 */
#include "search_index.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct {
	pthread_rwlock_t lock;
	char *path;             /* database the index reflects */
	int64_t gen;            /* generation it reflects */
	int64_t stamp;          /* changes whenever the content changes (process-wide) */
	struct sidx_row *rows;  /* indexed by id */
	int64_t end;            /* highest id + 1 */
	int64_t cap;
	int64_t sumlen, nlen;   /* total and count of row lengths */
	char *dict[SIDX_FACETS][SIDX_MAX_VALUES];
	unsigned ndict[SIDX_FACETS];
} ix = { .lock = PTHREAD_RWLOCK_INITIALIZER };

static void reset(void)
{
	ix.stamp++;
	free(ix.rows);
	ix.rows = NULL;
	ix.end = ix.cap = 0;
	ix.gen = 0;
	ix.sumlen = ix.nlen = 0;
	for (int f = 0; f < SIDX_FACETS; f++) {
		for (unsigned i = 0; i < ix.ndict[f]; i++) free(ix.dict[f][i]);
		ix.ndict[f] = 0;
	}
}

/* Intern code in facet f's dictionary (writer lock held). */
static uint16_t intern(int f, const char *code)
{
	if (!code || !*code) return 0;
	for (unsigned i = 0; i < ix.ndict[f]; i++)
		if (strcmp(ix.dict[f][i], code) == 0) return (uint16_t)(i + 1);
	if (ix.ndict[f] >= SIDX_MAX_VALUES) {
		log_warn("search index: more than %d values in facet %d", SIDX_MAX_VALUES, f);
		return 0;
	}
	ix.dict[f][ix.ndict[f]] = xstrdup(code);
	return (uint16_t)++ix.ndict[f];
}

/* "2026-11-26T07:31:00Z" -> 20261126073100 */
static int64_t stamp(const char *s)
{
	int64_t v = 0;
	if (!s) return 0;
	for (; *s; s++)
		if (*s >= '0' && *s <= '9') v = v * 10 + (*s - '0');
	return v;
}

static int read_generation(db_t *db, int64_t *gen)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'");
	if (!st) return -1;
	*gen = 0;
	return db_one_int(st, gen) < 0 ? -1 : 0;
}

/* Recount the visible reuses of every record from the origins (writer
 * lock held): a new reuse only rewrites its own row. */
static void count_reuses(void)
{
	for (int64_t id = 0; id < ix.end; id++) ix.rows[id].reuses = 0;
	for (int64_t id = 0; id < ix.end; id++) {
		const struct sidx_row *r = &ix.rows[id];
		if (!r->present || !r->visible || !r->origin || r->origin >= ix.end) continue;
		if (ix.rows[r->origin].reuses < UINT16_MAX) ix.rows[r->origin].reuses++;
	}
}

/* Load rows written after ix.gen (writer lock held). */
static int load(db_t *db, int64_t gen)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT id, visible, owner_org_id, updated_at, theme, status, org_kind, org_region, "
	    "org_departement, org_band, techniques, risk_level, "
	    "CASE WHEN impact_label THEN 'awarded' ELSE 'none' END, doclen, state = 'published', "
	    "coalesce(origin_id, 0), evidence, impact_label FROM usecase "
	    "WHERE rev > ?1");
	if (!st) return -1;
	db_bind_int(st, 1, ix.gen);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (id < 0 || id > INT32_MAX) continue;
		if (id >= ix.cap) {
			int64_t cap = ix.cap ? ix.cap : 1024;
			while (cap <= id) cap *= 2;
			ix.rows = xrealloc(ix.rows, (size_t)cap * sizeof *ix.rows);
			memset(ix.rows + ix.cap, 0, (size_t)(cap - ix.cap) * sizeof *ix.rows);
			ix.cap = cap;
		}
		if (id >= ix.end) ix.end = id + 1;
		struct sidx_row *r = &ix.rows[id];
		if (r->present) {
			ix.sumlen -= r->len;
			ix.nlen--;
		}
		int64_t len = sqlite3_column_int64(st, 13);
		r->len = len < 0 ? 0 : len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
		ix.sumlen += r->len;
		ix.nlen++;
		r->present = 1;
		r->visible = (uint8_t)sqlite3_column_int(st, 1);
		r->published = (uint8_t)sqlite3_column_int(st, 14);
		int64_t origin = sqlite3_column_int64(st, 15), ev = sqlite3_column_int64(st, 16);
		r->origin = origin > 0 && origin <= INT32_MAX ? (uint32_t)origin : 0;
		r->evidence = ev < 0 ? 0 : ev > UINT16_MAX ? UINT16_MAX : (uint16_t)ev;
		r->label = sqlite3_column_int(st, 17) != 0;
		r->owner = sqlite3_column_int64(st, 2);
		r->updated = stamp((const char *)sqlite3_column_text(st, 3));
		for (int f = 0; f < SIDX_FACETS; f++) {
			int col = 4 + f;
			if (f == SIDX_TECH) {
				r->tech = (uint64_t)sqlite3_column_int64(st, col);
				r->val[f] = 0;
			} else {
				r->val[f] = intern(f, (const char *)sqlite3_column_text(st, col));
			}
		}
	}
	db_reset(st);
	if (rc != SQLITE_DONE) return db_error(db, "search index");
	count_reuses();
	ix.gen = gen;
	ix.stamp++;
	return 0;
}

int sidx_acquire(db_t *db)
{
	int64_t gen;
	if (read_generation(db, &gen) < 0) return -1;
	const char *path = db_path(db);
	for (;;) {
		pthread_rwlock_rdlock(&ix.lock);
		if (ix.path && strcmp(ix.path, path) == 0 && ix.gen >= gen) return 0;
		pthread_rwlock_unlock(&ix.lock);
		pthread_rwlock_wrlock(&ix.lock);
		int rc = 0;
		if (!ix.path || strcmp(ix.path, path) != 0) {
			reset();
			free(ix.path);
			ix.path = xstrdup(path);
		}
		if (ix.gen < gen) rc = load(db, gen);
		pthread_rwlock_unlock(&ix.lock);
		if (rc < 0) return -1;
	}
}

void sidx_release(void)
{
	pthread_rwlock_unlock(&ix.lock);
}

const struct sidx_row *sidx_get(int64_t id)
{
	if (id < 0 || id >= ix.end || !ix.rows[id].present) return NULL;
	return &ix.rows[id];
}

int64_t sidx_generation(void)
{
	return ix.stamp;
}

int64_t sidx_end(void)
{
	return ix.end;
}

const char *sidx_value(int f, unsigned v)
{
	if (f < 0 || f >= SIDX_FACETS || v == 0 || v > ix.ndict[f]) return NULL;
	return ix.dict[f][v - 1];
}

unsigned sidx_lookup(int f, const char *code)
{
	if (f < 0 || f >= SIDX_FACETS || !code) return 0;
	for (unsigned i = 0; i < ix.ndict[f]; i++)
		if (strcmp(ix.dict[f][i], code) == 0) return i + 1;
	return 0;
}

unsigned sidx_nvalues(int f)
{
	return (f < 0 || f >= SIDX_FACETS) ? 0 : ix.ndict[f];
}

double sidx_len_ratio(int64_t id)
{
	const struct sidx_row *r = sidx_get(id);
	if (!r || ix.nlen == 0 || ix.sumlen == 0) return 1.0;
	return (double)r->len / ((double)ix.sumlen / (double)ix.nlen);
}
