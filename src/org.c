/*
 * org.c — organisations (see org.h): key parsing and lookups, name
 * matching, search, creation of other bodies, and the loader of the
 * official reference (@etalab/decoupage-administratif).
 *
 * Design notes
 * - Keys come from URLs and other people's files: they are validated
 *   character by character against the shape of each kind of code before
 *   anything reaches SQLite, and even then they are only ever bound, never
 *   written into SQL text. Anything that does not have one of the accepted
 *   shapes is "not found" (0), never an error.
 *       commune      5 characters: 2 digits or 2A/2B, then 3 digits
 *       departement  2 digits, 2A, 2B, or 3 digits starting 97/98
 *       region       2 digits, or 3 digits starting 97/98 (overseas
 *                    collectivities such as 975 are their own région)
 *       epci, ept, syndicat, operateur, autre   9 digits (the SIREN)
 *   Corsican codes must be upper case ("2A004"): one canonical spelling
 *   per key, so that a URL names one page.
 * - `code` is the INSEE code for communes, départements and régions and the
 *   SIREN for every other kind, including the bodies created by
 *   org_create_other() (org.h says so; the schema comment, which says NULL
 *   for them, predates that decision). So every organisation has a
 *   "<kind>-<code>" key, and (kind, code) is unique for all of them.
 * - name_folded is text_fold(name) with typographic apostrophes (’ ‘ ʼ)
 *   turned into ' and runs of white space collapsed to one space and
 *   trimmed (fold_name()). The same function folds the names being looked
 *   up, so both sides agree. For the official names of 6.0.0 it is
 *   exactly text_fold(name) but for one, "CA ECLA  (Espace Communautaire
 *   Lons Agglomération)", whose double space would otherwise make it
 *   unfindable by a name typed normally.
 * - Population bands: lt_3500 is [0, 3500), 3500_20000 is [3500, 20000),
 *   20000_100000 is [20000, 100000] — 100,000 exactly is still in it —
 *   and gt_100000 is "more than 100,000". So each band's lower bound is
 *   inclusive, and "plus de 100 000" means strictly more, as its label
 *   says.
 *
 * The loader (org_load_reference)
 * - Reads the five JSON files whole with jansson and keeps the trees alive
 *   until the end: entity strings are borrowed from them, only the folded
 *   names and keys are copied.
 * - Everything is checked before the database is touched: each entry's
 *   fields, codes of the right shape, no duplicate code within a kind,
 *   every commune's département and région present, every EPCI/EPT member
 *   a current commune. The first problem aborts the load with a French
 *   message naming the file, the entry (1-based index) and its code.
 * - Only communes of type "commune-actuelle" are loaded (delegated and
 *   associated communes and municipal arrondissements are not legal
 *   bodies).
 * - Populations: communes `population`; EPCI and EPT
 *   `populationMunicipale`; départements and régions the sum of their
 *   communes' populations (communes without a population count for
 *   nothing; NULL when none of them has one, e.g. the TAAF).
 * - Département and région of an EPCI/EPT: the département that holds the
 *   most of its member communes (by number of communes, not population —
 *   the data's `membres` is what we count); on a tie, the one of the
 *   earliest member in the file's order. The région is that département's
 *   région, so the pair is always consistent. No members: both NULL.
 * - Duplicate SIRENs in the data (none in 6.0.0, but the unique index on
 *   organisation.siren would abort the load): the first holder in load
 *   order (communes, then epci.json, then ept.json, each in file order)
 *   keeps it, later ones are stored without a SIREN; each case is logged
 *   as a warning.
 * - SIRENs already in the database: the reference wins. Before writing, a
 *   row whose SIREN changes, or whose SIREN is now claimed by another
 *   reference entry (e.g. a "syndicat" created by hand with a commune's
 *   SIREN, or a dissolved EPCI), has it cleared; then the rows are written.
 *   This handles swaps too. Rows that lose their SIREN to another body are
 *   logged as warnings. Their key (kind-code) does not change.
 * - Writing: the current rows are read into a hash table keyed by
 *   "<kind>-<code>"; an entry that exists is UPDATEd only if something
 *   changed (so updated_at means "changed by a load", and a reload of the
 *   same data writes nothing to organisation), a new one is INSERTed. Ids
 *   therefore never change. Official rows the data no longer has get
 *   active = 0 and are counted in stats->deactivated (all of them, also
 *   those already inactive before: the count is "official organisations
 *   absent from this reload", as org.h says). Memberships of official
 *   parents are deleted and re-inserted, the FTS index rebuilt, meta
 *   orgs_loaded_at / orgs_source set, all in one transaction (BEGIN
 *   IMMEDIATE) that is rolled back on any error.
 * - Memory: all of it belongs to the loader struct and is freed by
 *   ld_free() on every path.
 */
#include "org.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "siren.h"
#include "text.h"
#include "util.h"

#define ORG_KEY_MAX 32      /* longest accepted key ("departement-" + 3, "operateur-" + 9) */
#define ORG_NAME_MAX 300    /* bytes, for names given to org_create_other() */
#define ORG_SEARCH_DEFAULT 20
#define ORG_SEARCH_MAX 1000
#define ORG_SOURCE_DEFAULT "@etalab/decoupage-administratif@6.0.0"

/* ==== Kinds and code shapes ==== */

enum code_form { CF_COMMUNE, CF_DEP, CF_REGION, CF_SIREN };

struct kind_info {
	const char *kind;
	const char *label;
	enum code_form form;
};

static const struct kind_info kinds[] = {
	{ "commune", "Commune", CF_COMMUNE },
	{ "epci", "EPCI", CF_SIREN },
	{ "ept", "EPT", CF_SIREN },
	{ "departement", "Département", CF_DEP },
	{ "region", "Région", CF_REGION },
	{ "syndicat", "Syndicat", CF_SIREN },
	{ "operateur", "Opérateur public", CF_SIREN },
	{ "autre", "Autre organisme", CF_SIREN },
};

static const struct kind_info *kind_find(const char *s, size_t len)
{
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
		if (strlen(kinds[i].kind) == len && memcmp(kinds[i].kind, s, len) == 0) return &kinds[i];
	return NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i])) return false;
	return true;
}

/* "2A"/"2B" or two digits: the first two characters of a metropolitan code */
static bool dep2_ok(const char *s)
{
	return (is_digit(s[0]) && is_digit(s[1])) || (s[0] == '2' && (s[1] == 'A' || s[1] == 'B'));
}

static bool overseas3_ok(const char *s)
{
	return all_digits(s, 3) && s[0] == '9' && (s[1] == '7' || s[1] == '8');
}

static bool code_ok(enum code_form f, const char *s, size_t len)
{
	switch (f) {
	case CF_COMMUNE: return len == 5 && dep2_ok(s) && all_digits(s + 2, 3);
	case CF_DEP: return (len == 2 && dep2_ok(s)) || (len == 3 && overseas3_ok(s));
	case CF_REGION: return (len == 2 && all_digits(s, 2)) || (len == 3 && overseas3_ok(s));
	case CF_SIREN: return len == 9 && all_digits(s, 9);
	}
	return false;
}

static bool str_code_ok(enum code_form f, const char *s)
{
	return s && code_ok(f, s, strlen(s));
}

/* ==== struct org ==== */

void org_free(struct org *o)
{
	if (!o) return;
	free(o->kind);
	free(o->code);
	free(o->siren);
	free(o->name);
	free(o->subtype);
	free(o->departement);
	free(o->region);
	*o = (struct org){ 0 };
}

char *org_key(const struct org *o)
{
	const char *code = o->code ? o->code : o->siren ? o->siren : "";
	return xasprintf("%s-%s", o->kind ? o->kind : "", code);
}

const char *org_band(int64_t population)
{
	if (population < 0) return NULL;
	if (population < 3500) return "lt_3500";
	if (population < 20000) return "3500_20000";
	if (population <= 100000) return "20000_100000";
	return "gt_100000";
}

/* Thousands are separated by U+00A0 (no-break space), so a label never
 * wraps inside a number. */
const char *org_band_label(const char *band)
{
	static const struct { const char *band, *label; } labels[] = {
		{ "lt_3500", "moins de 3\u00a0500 habitants" },
		{ "3500_20000", "de 3\u00a0500 à 20\u00a0000 habitants" },
		{ "20000_100000", "de 20\u00a0000 à 100\u00a0000 habitants" },
		{ "gt_100000", "plus de 100\u00a0000 habitants" },
	};
	if (!band) return NULL;
	for (size_t i = 0; i < ARRAY_LEN(labels); i++)
		if (strcmp(labels[i].band, band) == 0) return labels[i].label;
	return NULL;
}

const char *org_kind_label(const char *kind)
{
	if (!kind) return NULL;
	const struct kind_info *k = kind_find(kind, strlen(kind));
	return k ? k->label : NULL;
}

/* ==== Reading rows ==== */

#define ORG_COLS "id, kind, code, siren, name, subtype, population, departement, region, official, active"

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

/* Fill *o from a row whose first columns are ORG_COLS. */
static void org_from_row(sqlite3_stmt *st, struct org *o)
{
	o->id = sqlite3_column_int64(st, 0);
	o->kind = col_dup(st, 1);
	o->code = col_dup(st, 2);
	o->siren = col_dup(st, 3);
	o->name = col_dup(st, 4);
	o->subtype = col_dup(st, 5);
	o->population = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6);
	o->departement = col_dup(st, 7);
	o->region = col_dup(st, 8);
	o->official = sqlite3_column_int(st, 9) != 0;
	o->active = sqlite3_column_int(st, 10) != 0;
}

/* Step a bound statement expected to return at most one organisation.
 * 1 and *out filled, 0 none, -1 error. Resets st. */
static int org_step_one(sqlite3_stmt *st, struct org *out)
{
	int rc = sqlite3_step(st), ret;
	if (rc == SQLITE_ROW) {
		org_from_row(st, out);
		ret = 1;
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	} else {
		log_error("sqlite: %s in: %.200s", sqlite3_errmsg(sqlite3_db_handle(st)), sqlite3_sql(st));
		ret = -1;
	}
	db_reset(st);
	return ret;
}

/* ==== Lookups ==== */

int org_find(db_t *db, const char *key, struct org *out)
{
	if (!key) return 0;
	size_t len = strnlen(key, ORG_KEY_MAX + 1);
	if (len == 0 || len > ORG_KEY_MAX) return 0;
	sqlite3_stmt *st;
	const char *dash = memchr(key, '-', len);
	if (dash) {
		const struct kind_info *k = kind_find(key, (size_t)(dash - key));
		const char *code = dash + 1;
		if (!k || !code_ok(k->form, code, len - (size_t)(code - key))) return 0;
		st = db_stmt(db, "SELECT " ORG_COLS " FROM organisation WHERE kind = ?1 AND code = ?2");
		if (!st) return -1;
		db_bind_text(st, 1, k->kind);
		db_bind_text(st, 2, code);
	} else if (code_ok(CF_SIREN, key, len)) {
		st = db_stmt(db, "SELECT " ORG_COLS " FROM organisation WHERE siren = ?1");
		if (!st) return -1;
		db_bind_text(st, 1, key);
	} else if (code_ok(CF_COMMUNE, key, len) || code_ok(CF_DEP, key, len)) {
		st = db_stmt(db, "SELECT " ORG_COLS " FROM organisation WHERE kind = ?1 AND code = ?2");
		if (!st) return -1;
		db_bind_text(st, 1, len == 5 ? "commune" : "departement");
		db_bind_text(st, 2, key);
	} else {
		return 0;
	}
	return org_step_one(st, out);
}

int org_get(db_t *db, int64_t id, struct org *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " ORG_COLS " FROM organisation WHERE id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	return org_step_one(st, out);
}

/* Names of départements and régions, asked for every facet value of every
 * search (about 120 per list): memoised for the process, each for
 * AREA_TTL seconds (an organisation reload renames nothing in practice,
 * and a new name shows within that delay). */
#define AREA_MEMO 256
#define AREA_TTL 300
static struct {
	pthread_mutex_t lock;
	struct {
		char kind[12], code[8];
		char *name;
		int64_t at;
	} e[AREA_MEMO];
	int n;
} area_memo = { .lock = PTHREAD_MUTEX_INITIALIZER };

char *org_area_name(db_t *db, const char *kind, const char *code)
{
	if (!kind || !code) return NULL;
	bool memo = strlen(kind) < sizeof area_memo.e[0].kind && strlen(code) < sizeof area_memo.e[0].code;
	int64_t now = now_unix();
	if (memo) {
		char *hit = NULL;
		pthread_mutex_lock(&area_memo.lock);
		for (int i = 0; i < area_memo.n; i++)
			if (strcmp(area_memo.e[i].code, code) == 0 && strcmp(area_memo.e[i].kind, kind) == 0 &&
			    now - area_memo.e[i].at < AREA_TTL) {
				hit = xstrdup(area_memo.e[i].name);
				break;
			}
		pthread_mutex_unlock(&area_memo.lock);
		if (hit) return hit;
	}
	sqlite3_stmt *st = db_stmt(db, "SELECT name FROM organisation WHERE kind = ?1 AND code = ?2");
	if (!st) return NULL;
	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, code);
	char *name = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) name = col_dup(st, 0);
	db_reset(st);
	if (memo && name) {
		pthread_mutex_lock(&area_memo.lock);
		int slot = -1;
		for (int i = 0; i < area_memo.n && slot < 0; i++)
			if (strcmp(area_memo.e[i].code, code) == 0 && strcmp(area_memo.e[i].kind, kind) == 0) slot = i;
		if (slot < 0 && area_memo.n < AREA_MEMO) slot = area_memo.n++;
		if (slot >= 0) {
			free(area_memo.e[slot].name);
			snprintf(area_memo.e[slot].kind, sizeof area_memo.e[slot].kind, "%s", kind);
			snprintf(area_memo.e[slot].code, sizeof area_memo.e[slot].code, "%s", code);
			area_memo.e[slot].name = xstrdup(name);
			area_memo.e[slot].at = now;
		}
		pthread_mutex_unlock(&area_memo.lock);
	}
	return name;
}

/* ==== Names ==== */

/* text_fold(s), then ’ ‘ ʼ → ' and white space collapsed and trimmed (see
 * the notes). Heap string. */
static char *fold_name(const char *s)
{
	size_t n;
	char *f = text_fold(s, strlen(s), &n);
	char *out = xmalloc(n + 1);
	size_t o = 0;
	bool space = false;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)f[i];
		if (c == ' ' || (c >= '\t' && c <= '\r')) {
			space = true;
			i++;
			continue;
		}
		if (space && o > 0) out[o++] = ' ';
		space = false;
		if (c == 0xE2 && i + 2 < n && (unsigned char)f[i + 1] == 0x80 &&
		    ((unsigned char)f[i + 2] == 0x98 || (unsigned char)f[i + 2] == 0x99)) {
			out[o++] = '\'';
			i += 3;
		} else if (c == 0xCA && i + 1 < n && (unsigned char)f[i + 1] == 0xBC) {
			out[o++] = '\'';
			i += 2;
		} else {
			out[o++] = f[i++];
		}
	}
	out[o] = 0;
	free(f);
	return out;
}

/* The usual ways other data sets write an authority's name, already
 * folded: a head ("departement", "conseil departemental"...) then an
 * article. What follows replaces head + article (e.g. "ville du havre" →
 * "le havre", "communaute de communes x" → "cc x"). Every matching form is
 * tried, in this order, until one gives a name that exists; so "département
 * de la réunion" tries "reunion" then "la reunion". */
struct name_article {
	const char *text, *repl;
};

static const struct name_article art_area[] = {
	{ " de la ", "" }, { " de l'", "" }, { " du ", "" }, { " des ", "" },
	{ " de ", "" },    { " d'", "" },    { " ", "" },   { NULL, NULL },
};
static const struct name_article art_commune[] = {
	{ " de ", "" }, { " d'", "" }, { " du ", "le " }, { " des ", "les " }, { " ", "" }, { NULL, NULL },
};
static const struct name_article art_epci[] = { { " ", "" }, { NULL, NULL } };

static const struct name_head {
	const char *head;
	const char *kind;
	const struct name_article *articles;
	const char *repl; /* prepended to the rest */
} name_heads[] = {
	{ "conseil departemental", "departement", art_area, "" },
	{ "conseil general", "departement", art_area, "" },
	{ "departement", "departement", art_area, "" },
	{ "conseil regional", "region", art_area, "" },
	{ "collectivite territoriale", "region", art_area, "" },
	{ "collectivite", "region", art_area, "" },
	{ "region", "region", art_area, "" },
	{ "ville", "commune", art_commune, "" },
	{ "commune", "commune", art_commune, "" },
	{ "mairie", "commune", art_commune, "" },
	{ "communaute de communes", "epci", art_epci, "cc " },
	{ "communaute d'agglomeration", "epci", art_epci, "ca " },
	{ "communaute urbaine", "epci", art_epci, "cu " },
};

/* Exact folded-name lookup, preferring active rows, then kind hint1, then
 * hint2, then the largest population, then the oldest row. */
static int name_lookup(db_t *db, const char *folded, const char *hint1, const char *hint2,
                       struct org *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " ORG_COLS " FROM organisation WHERE name_folded = ?1 "
	                               "ORDER BY active DESC, coalesce(kind = ?2, 0) DESC, "
	                               "coalesce(kind = ?3, 0) DESC, coalesce(population, -1) DESC, id "
	                               "LIMIT 1");
	if (!st) return -1;
	db_bind_text(st, 1, folded);
	db_bind_text(st, 2, hint1);
	db_bind_text(st, 3, hint2);
	return org_step_one(st, out);
}

int org_find_by_name(db_t *db, const char *name, const char *kind_hint, struct org *out)
{
	if (!name || !text_utf8_valid(name, strlen(name))) return 0;
	char *folded = fold_name(name);
	size_t flen = strlen(folded);
	int ret = 0;
	if (flen == 0 || flen > 4 * ORG_NAME_MAX) goto out;
	for (size_t h = 0; h < ARRAY_LEN(name_heads) && ret == 0; h++) {
		const struct name_head *nh = &name_heads[h];
		size_t hl = strlen(nh->head);
		if (strncmp(folded, nh->head, hl) != 0) continue;
		for (const struct name_article *a = nh->articles; a->text && ret == 0; a++) {
			size_t al = strlen(a->text);
			if (strncmp(folded + hl, a->text, al) != 0 || folded[hl + al] == 0) continue;
			char *cand = xasprintf("%s%s%s", nh->repl, a->repl, folded + hl + al);
			ret = name_lookup(db, cand, kind_hint, nh->kind, out);
			free(cand);
		}
	}
	if (ret == 0) ret = name_lookup(db, folded, kind_hint, NULL, out);
out:
	free(folded);
	return ret;
}

/* ==== Search ==== */

/* Copy of s without leading and trailing ASCII white space (heap). */
static char *trim_dup(const char *s)
{
	while (*s == ' ' || (*s >= '\t' && *s <= '\r')) s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r'))) n--;
	return xstrndup(s, n);
}

/* Query forms: 9 digits (spaces and dots allowed) = SIREN; a commune or
 * département code shape = that code among communes, départements and
 * régions; anything else = words through text_fts_query(). limit <= 0
 * means 20, at most 1000; a negative offset means 0. cb returning > 0
 * stops the iteration (the count so far is returned), < 0 makes it return
 * -1. cb runs while the cached statement is stepping: it may use the
 * connection for other queries, but not call org_search() itself. */
int org_search(db_t *db, const char *q, int limit, int offset, org_cb cb, void *ctx)
{
	if (!q) return 0;
	if (limit <= 0) limit = ORG_SEARCH_DEFAULT;
	if (limit > ORG_SEARCH_MAX) limit = ORG_SEARCH_MAX;
	if (offset < 0) offset = 0;
	char *t = trim_dup(q);
	char *fts = NULL;
	char digits[16];
	sqlite3_stmt *st = NULL;
	int count = 0;
	size_t tlen = strlen(t);
	if (tlen == 0 || !text_utf8_valid(t, tlen)) goto out;
	if (siren_digits(t, digits, sizeof digits) == 9) {
		st = db_stmt(db, "SELECT " ORG_COLS " FROM organisation WHERE siren = ?1 AND active = 1 "
		                 "LIMIT ?2 OFFSET ?3");
		if (!st) goto fail;
		db_bind_text(st, 1, digits);
	} else if (code_ok(CF_COMMUNE, t, tlen) || code_ok(CF_DEP, t, tlen)) {
		/* "84" is both the Vaucluse and Auvergne-Rhône-Alpes: both come */
		st = db_stmt(db, "SELECT " ORG_COLS " FROM organisation WHERE code = ?1 AND active = 1 "
		                 "AND kind IN ('commune', 'departement', 'region') "
		                 "ORDER BY coalesce(population, -1) DESC, id LIMIT ?2 OFFSET ?3");
		if (!st) goto fail;
		db_bind_text(st, 1, t);
	} else {
		fts = text_fts_query(t);
		if (!fts) goto out;
		st = db_stmt(db, "SELECT o.id, o.kind, o.code, o.siren, o.name, o.subtype, o.population, "
		                 "o.departement, o.region, o.official, o.active "
		                 "FROM organisation_fts JOIN organisation o ON o.id = organisation_fts.rowid "
		                 "WHERE organisation_fts MATCH ?1 AND o.active = 1 "
		                 "ORDER BY bm25(organisation_fts), coalesce(o.population, -1) DESC, o.id "
		                 "LIMIT ?2 OFFSET ?3");
		if (!st) goto fail;
		db_bind_text(st, 1, fts);
	}
	db_bind_int(st, 2, limit);
	db_bind_int(st, 3, offset);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct org o = { 0 };
		org_from_row(st, &o);
		int r = cb ? cb(ctx, &o) : 0;
		org_free(&o);
		count++;
		if (r < 0) goto fail;
		if (r > 0) goto out;
	}
	if (rc != SQLITE_DONE) {
		log_error("sqlite: org_search: %s", sqlite3_errmsg(db_sqlite(db)));
		goto fail;
	}
	goto out;
fail:
	count = -1;
out:
	db_reset(st);
	free(fts);
	free(t);
	return count;
}

/* ==== Other bodies ==== */

/* Validate a SIREN typed by a person (spaces, dots, dashes allowed).
 * Writes the 9 digits into out[10]. 0, or -1 with a French *err. */
static int siren_check(const char *input, char out[16], char **err)
{
	int n = siren_digits(input, out, 16);
	if (n != 9) {
		*err = xasprintf("SIREN invalide : %s (9 chiffres attendus)", input);
		return -1;
	}
	if (!siren_valid(out)) {
		*err = xasprintf("SIREN invalide : %s (la clé de contrôle ne correspond pas)", input);
		return -1;
	}
	return 0;
}

int64_t org_create_other(db_t *db, const char *kind, const char *siren, const char *name,
                         const char *departement, char **err)
{
	char digits[16];
	char *clean = NULL, *folded = NULL, *region = NULL;
	int64_t id = -1;
	bool began = false, savepoint = false;
	if (!kind || !(strcmp(kind, "syndicat") == 0 || strcmp(kind, "operateur") == 0 ||
	               strcmp(kind, "autre") == 0)) {
		*err = xasprintf("type d'organisme invalide : %s (syndicat, operateur ou autre)",
		                 kind ? kind : "(aucun)");
		goto out;
	}
	if (!siren || !*siren) {
		*err = xstrdup("SIREN manquant");
		goto out;
	}
	if (!text_utf8_valid(siren, strlen(siren))) {
		*err = xstrdup("SIREN invalide (caractères non valides)");
		goto out;
	}
	if (siren_check(siren, digits, err) < 0) goto out;
	if (!name || !text_utf8_valid(name, strlen(name)) || text_has_control(name, strlen(name))) {
		*err = xstrdup("nom invalide (texte UTF-8 sans caractères de contrôle attendu)");
		goto out;
	}
	clean = trim_dup(name);
	if (!*clean) {
		*err = xstrdup("nom vide");
		goto out;
	}
	if (strlen(clean) > ORG_NAME_MAX) {
		*err = xasprintf("nom trop long (%d octets au plus)", ORG_NAME_MAX);
		goto out;
	}
	if (departement && !str_code_ok(CF_DEP, departement)) {
		*err = xasprintf("code de département invalide : %s", departement);
		goto out;
	}
	folded = fold_name(clean);

	/* One unit of work, inside the caller's transaction if there is one. */
	if (sqlite3_get_autocommit(db_sqlite(db))) {
		if (db_begin(db) < 0) goto dberr;
		began = true;
	} else {
		if (db_exec(db, "SAVEPOINT org_create") < 0) goto dberr;
		savepoint = true;
	}
	if (departement) {
		sqlite3_stmt *st = db_stmt(db, "SELECT region FROM organisation "
		                               "WHERE kind = 'departement' AND code = ?1");
		if (!st) goto dberr;
		db_bind_text(st, 1, departement);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) region = col_dup(st, 0);
		db_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) goto dberr;
		if (rc == SQLITE_DONE) {
			*err = xasprintf("département inconnu : %s (les organisations officielles sont-elles "
			                 "chargées ? iat orgs load)", departement);
			goto rollback;
		}
	}
	sqlite3_stmt *st = db_stmt(db, "SELECT kind, code, name FROM organisation WHERE siren = ?1");
	if (!st) goto dberr;
	db_bind_text(st, 1, digits);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*err = xasprintf("SIREN déjà utilisé : %s (%s-%s, %s)", digits,
		                 (const char *)sqlite3_column_text(st, 0),
		                 (const char *)sqlite3_column_text(st, 1),
		                 (const char *)sqlite3_column_text(st, 2));
		db_reset(st);
		goto rollback;
	}
	db_reset(st);
	if (rc != SQLITE_DONE) goto dberr;
	char now[21];
	iso8601_utc(now_unix(), now);
	st = db_stmt(db, "INSERT INTO organisation(kind, code, siren, name, subtype, population, "
	                 "departement, region, official, active, name_folded, created_at, updated_at) "
	                 "VALUES (?1, ?2, ?2, ?3, NULL, NULL, ?4, ?5, 0, 1, ?6, ?7, ?7)");
	if (!st) goto dberr;
	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, digits);
	db_bind_text(st, 3, clean);
	db_bind_text(st, 4, departement);
	db_bind_text(st, 5, region);
	db_bind_text(st, 6, folded);
	db_bind_text(st, 7, now);
	if (db_step_done(st) < 0) goto dberr;
	int64_t new_id = sqlite3_last_insert_rowid(db_sqlite(db));
	st = db_stmt(db, "INSERT INTO organisation_fts(rowid, name) VALUES (?1, ?2)");
	if (!st) goto dberr;
	db_bind_int(st, 1, new_id);
	db_bind_text(st, 2, clean);
	if (db_step_done(st) < 0) goto dberr;
	if (began ? db_commit(db) < 0 : db_exec(db, "RELEASE org_create") < 0) goto dberr;
	began = savepoint = false;
	id = new_id;
	goto out;
dberr:
	*err = xasprintf("erreur de base de données : %s", sqlite3_errmsg(db_sqlite(db)));
rollback:
	if (began) db_rollback(db);
	if (savepoint) db_exec(db, "ROLLBACK TO org_create; RELEASE org_create");
out:
	free(clean);
	free(folded);
	free(region);
	return id;
}

/* ==== Loader: small string hash map ==== */

/* Open addressing, keys borrowed (they must outlive the map), first
 * insertion wins. */
struct smap_slot {
	const char *k;
	size_t v;
};

struct smap {
	struct smap_slot *slots;
	size_t cap, n;
};

static void smap_init(struct smap *m, size_t expected)
{
	size_t cap = 64;
	while (cap < expected * 2) cap *= 2;
	m->slots = xcalloc(cap, sizeof *m->slots);
	m->cap = cap;
	m->n = 0;
}

static void smap_free(struct smap *m)
{
	free(m->slots);
	*m = (struct smap){ 0 };
}

static size_t smap_pos(const struct smap *m, const char *k)
{
	size_t i = (size_t)hash64(k, strlen(k)) & (m->cap - 1);
	while (m->slots[i].k && strcmp(m->slots[i].k, k) != 0) i = (i + 1) & (m->cap - 1);
	return i;
}

static bool smap_get(const struct smap *m, const char *k, size_t *v)
{
	size_t i = smap_pos(m, k);
	if (!m->slots[i].k) return false;
	*v = m->slots[i].v;
	return true;
}

/* Insert k → v unless k is present. Returns false (and sets *old) when it
 * was. */
static bool smap_put(struct smap *m, const char *k, size_t v, size_t *old)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct smap bigger;
		smap_init(&bigger, m->cap);
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].k) bigger.slots[smap_pos(&bigger, m->slots[i].k)] = m->slots[i];
		bigger.n = m->n;
		free(m->slots);
		*m = bigger;
	}
	size_t i = smap_pos(m, k);
	if (m->slots[i].k) {
		if (old) *old = m->slots[i].v;
		return false;
	}
	m->slots[i] = (struct smap_slot){ k, v };
	m->n++;
	return true;
}

/* ==== Loader: state ==== */

/* One organisation of the reference. Strings are borrowed from the JSON
 * trees except key and folded. */
struct ent {
	const char *kind;
	const char *code, *siren, *name, *subtype, *dep, *reg;
	int64_t population;  /* -1 unknown */
	char *key;           /* "<kind>-<code>" */
	char *folded;
	size_t mfirst, mcount; /* members: ld->members[mfirst .. +mcount) */
	long old;            /* index in ld->old, -1 when new */
	int64_t id;
};

/* A row already in the database. Owns its strings. */
struct old_row {
	int64_t id;
	char *key, *siren, *name, *subtype, *dep, *reg, *folded;
	int64_t population;
	bool official, active, matched;
};

enum { F_REGIONS, F_DEPS, F_COMMUNES, F_EPCI, F_EPT, F_COUNT };

static const char *const ld_files[F_COUNT] = {
	"regions.json", "departements.json", "communes.json", "epci.json", "ept.json",
};

struct loader {
	db_t *db;
	const char *dir;
	bool progress;
	char **err;
	json_t *roots[F_COUNT];
	struct ent *ents;
	size_t n, cap;
	size_t *members; /* entity indices of member communes */
	size_t nmembers, capm;
	struct smap keys;   /* key → entity */
	struct smap sirens; /* SIREN → entity */
	struct old_row *old;
	size_t nold, capold;
	struct smap oldkeys;
	char now[21];
	int counts[F_COUNT];
	int deactivated;
};

static void ld_free(struct loader *ld)
{
	for (size_t i = 0; i < ld->n; i++) {
		free(ld->ents[i].key);
		free(ld->ents[i].folded);
	}
	free(ld->ents);
	free(ld->members);
	for (size_t i = 0; i < ld->nold; i++) {
		struct old_row *o = &ld->old[i];
		free(o->key);
		free(o->siren);
		free(o->name);
		free(o->subtype);
		free(o->dep);
		free(o->reg);
		free(o->folded);
	}
	free(ld->old);
	smap_free(&ld->keys);
	smap_free(&ld->sirens);
	smap_free(&ld->oldkeys);
	for (int i = 0; i < F_COUNT; i++) json_decref(ld->roots[i]);
}

static void ld_progress(struct loader *ld, const char *fmt, ...) IAT_PRINTF(2, 3);
static void ld_progress(struct loader *ld, const char *fmt, ...)
{
	if (!ld->progress) return;
	va_list ap;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

/* Set *err to "<dir>/<file>, entrée <i> (code <code>) : <msg>"; returns -1. */
static int ld_fail(struct loader *ld, int file, size_t i, const char *code, const char *fmt, ...)
	IAT_PRINTF(5, 6);
static int ld_fail(struct loader *ld, int file, size_t i, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (code)
		*ld->err = xasprintf("%s/%s, entrée %zu (code %s) : %s", ld->dir, ld_files[file], i + 1,
		                     code, msg);
	else
		*ld->err = xasprintf("%s/%s, entrée %zu : %s", ld->dir, ld_files[file], i + 1, msg);
	return -1;
}

static int ld_dberr(struct loader *ld, const char *what)
{
	*ld->err = xasprintf("chargement des organisations : erreur de base de données (%s) : %s", what,
	                     sqlite3_errmsg(db_sqlite(ld->db)));
	return -1;
}

/* Non-empty string field, or NULL when absent/null (and required is false).
 * *bad is set when present with a wrong type or empty, or absent while
 * required. */
static const char *jstr(json_t *obj, const char *name, bool required, bool *bad)
{
	json_t *v = json_object_get(obj, name);
	if (!v || json_is_null(v)) {
		if (required) *bad = true;
		return NULL;
	}
	const char *s = json_string_value(v);
	if (!s || !*s) {
		*bad = true;
		return NULL;
	}
	return s;
}

/* Optional non-negative integer field; -1 when absent. */
static int64_t jpop(json_t *obj, const char *name, bool *bad)
{
	json_t *v = json_object_get(obj, name);
	if (!v || json_is_null(v)) return -1;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		*bad = true;
		return -1;
	}
	return (int64_t)json_integer_value(v);
}

static json_t *ld_read(struct loader *ld, int file)
{
	char *path = xasprintf("%s/%s", ld->dir, ld_files[file]);
	json_t *root = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		*ld->err = xasprintf("impossible d'ouvrir %s : %s", path,
		                     errno == ENOENT   ? "fichier introuvable"
		                     : errno == EACCES ? "accès refusé"
		                                       : strerror(errno));
		goto out;
	}
	ld_progress(ld, "organisations : lecture de %s", ld_files[file]);
	json_error_t je;
	root = json_loadf(f, 0, &je);
	fclose(f);
	if (!root) {
		*ld->err = xasprintf("%s : JSON invalide (ligne %d, colonne %d) : %s", path, je.line,
		                     je.column, je.text);
	} else if (!json_is_array(root)) {
		*ld->err = xasprintf("%s : un tableau JSON est attendu", path);
		json_decref(root);
		root = NULL;
	}
out:
	free(path);
	ld->roots[file] = root;
	return root;
}

static struct ent *ld_add(struct loader *ld)
{
	if (ld->n == ld->cap) {
		ld->cap = ld->cap ? ld->cap * 2 : 1024;
		ld->ents = xrealloc(ld->ents, ld->cap * sizeof *ld->ents);
	}
	struct ent *e = &ld->ents[ld->n++];
	*e = (struct ent){ .population = -1, .old = -1, .id = -1 };
	return e;
}

/* Register the entity just added (key, folded name). -1 on a duplicate. */
static int ld_register(struct loader *ld, int file, size_t i)
{
	size_t idx = ld->n - 1;
	struct ent *e = &ld->ents[idx];
	e->key = xasprintf("%s-%s", e->kind, e->code);
	e->folded = fold_name(e->name);
	if (!smap_put(&ld->keys, e->key, idx, NULL))
		return ld_fail(ld, file, i, e->code, "code en double dans le fichier");
	ld->counts[file]++;
	return 0;
}

/* Find an already registered entity by kind and code. */
static struct ent *ld_lookup(struct loader *ld, const char *kind, const char *code)
{
	char key[64];
	size_t idx;
	if (snprintf(key, sizeof key, "%s-%s", kind, code) >= (int)sizeof key) return NULL;
	return smap_get(&ld->keys, key, &idx) ? &ld->ents[idx] : NULL;
}

/* ==== Loader: parsing ==== */

static int ld_regions(struct loader *ld)
{
	json_t *root = ld_read(ld, F_REGIONS), *v;
	size_t i;
	if (!root) return -1;
	json_array_foreach(root, i, v) {
		bool bad = false;
		const char *code = jstr(v, "code", true, &bad);
		const char *name = jstr(v, "nom", true, &bad);
		if (bad || !str_code_ok(CF_REGION, code))
			return ld_fail(ld, F_REGIONS, i, code, "champs « code » (code de région) et « nom » attendus");
		struct ent *e = ld_add(ld);
		e->kind = "region";
		e->code = code;
		e->name = name;
		e->reg = code;
		if (ld_register(ld, F_REGIONS, i) < 0) return -1;
	}
	return 0;
}

static int ld_deps(struct loader *ld)
{
	json_t *root = ld_read(ld, F_DEPS), *v;
	size_t i;
	if (!root) return -1;
	json_array_foreach(root, i, v) {
		bool bad = false;
		const char *code = jstr(v, "code", true, &bad);
		const char *name = jstr(v, "nom", true, &bad);
		const char *reg = jstr(v, "region", true, &bad);
		if (bad || !str_code_ok(CF_DEP, code))
			return ld_fail(ld, F_DEPS, i, code,
			               "champs « code » (code de département), « nom » et « region » attendus");
		if (!ld_lookup(ld, "region", reg))
			return ld_fail(ld, F_DEPS, i, code, "région %s absente de regions.json", reg);
		struct ent *e = ld_add(ld);
		e->kind = "departement";
		e->code = code;
		e->name = name;
		e->dep = code;
		e->reg = reg;
		if (ld_register(ld, F_DEPS, i) < 0) return -1;
	}
	return 0;
}

/* Add pop to an area's population (unknown until the first known one). */
static void add_pop(struct ent *area, int64_t pop)
{
	if (pop < 0) return;
	if (area->population < 0) area->population = 0;
	area->population += pop;
}

static int ld_communes(struct loader *ld)
{
	json_t *root = ld_read(ld, F_COMMUNES), *v;
	size_t i;
	if (!root) return -1;
	json_array_foreach(root, i, v) {
		bool bad = false;
		const char *type = jstr(v, "type", true, &bad);
		if (bad) return ld_fail(ld, F_COMMUNES, i, NULL, "champ « type » manquant");
		if (strcmp(type, "commune-actuelle") != 0) continue;
		const char *code = jstr(v, "code", true, &bad);
		const char *name = jstr(v, "nom", true, &bad);
		const char *dep = jstr(v, "departement", true, &bad);
		const char *reg = jstr(v, "region", true, &bad);
		if (bad || !str_code_ok(CF_COMMUNE, code))
			return ld_fail(ld, F_COMMUNES, i, code,
			               "champs « code » (code INSEE), « nom », « departement » et « region » "
			               "attendus");
		const char *siren = jstr(v, "siren", false, &bad);
		if (bad || (siren && !str_code_ok(CF_SIREN, siren)))
			return ld_fail(ld, F_COMMUNES, i, code, "SIREN invalide (9 chiffres attendus)");
		int64_t pop = jpop(v, "population", &bad);
		if (bad) return ld_fail(ld, F_COMMUNES, i, code, "population invalide");
		struct ent *d = ld_lookup(ld, "departement", dep);
		struct ent *r = ld_lookup(ld, "region", reg);
		if (!d) return ld_fail(ld, F_COMMUNES, i, code, "département %s absent de departements.json", dep);
		if (!r) return ld_fail(ld, F_COMMUNES, i, code, "région %s absente de regions.json", reg);
		add_pop(d, pop);
		add_pop(r, pop);
		struct ent *e = ld_add(ld); /* may move d and r: not used below */
		e->kind = "commune";
		e->code = code;
		e->siren = siren;
		e->name = name;
		e->population = pop;
		e->dep = dep;
		e->reg = reg;
		if (ld_register(ld, F_COMMUNES, i) < 0) return -1;
		if ((ld->counts[F_COMMUNES] % 5000) == 0)
			ld_progress(ld, "organisations : %d communes lues", ld->counts[F_COMMUNES]);
	}
	return 0;
}

/* Choose the département of a grouping (see the notes). */
static void group_area(struct loader *ld, struct ent *g)
{
	const char *best = NULL;
	size_t best_n = 0;
	for (size_t a = 0; a < g->mcount; a++) {
		const char *dep = ld->ents[ld->members[g->mfirst + a]].dep;
		bool seen = false;
		for (size_t b = 0; b < a && !seen; b++)
			seen = strcmp(ld->ents[ld->members[g->mfirst + b]].dep, dep) == 0;
		if (seen) continue; /* counted from its first occurrence */
		size_t n = 0;
		for (size_t b = a; b < g->mcount; b++)
			if (strcmp(ld->ents[ld->members[g->mfirst + b]].dep, dep) == 0) n++;
		if (n > best_n) { /* strictly more: the earliest wins ties */
			best = dep;
			best_n = n;
		}
	}
	g->dep = best;
	struct ent *d = best ? ld_lookup(ld, "departement", best) : NULL;
	g->reg = d ? d->reg : NULL;
}

static int ld_groups(struct loader *ld, int file)
{
	json_t *root = ld_read(ld, file), *v;
	size_t i;
	if (!root) return -1;
	json_array_foreach(root, i, v) {
		bool bad = false;
		const char *code = jstr(v, "code", true, &bad);
		const char *name = jstr(v, "nom", true, &bad);
		const char *type = jstr(v, "type", true, &bad);
		if (bad || !str_code_ok(CF_SIREN, code))
			return ld_fail(ld, file, i, code, "champs « code » (SIREN), « nom » et « type » attendus");
		bool type_ok = file == F_EPT ? strcmp(type, "EPT") == 0
		                             : (strcmp(type, "CC") == 0 || strcmp(type, "CA") == 0 ||
		                                strcmp(type, "CU") == 0 || strcmp(type, "METRO") == 0 ||
		                                strcmp(type, "MET69") == 0);
		if (!type_ok) return ld_fail(ld, file, i, code, "type inattendu « %s »", type);
		int64_t pop = jpop(v, "populationMunicipale", &bad);
		if (bad) return ld_fail(ld, file, i, code, "populationMunicipale invalide");
		json_t *membres = json_object_get(v, "membres"), *m;
		if (!json_is_array(membres)) return ld_fail(ld, file, i, code, "tableau « membres » attendu");
		size_t mfirst = ld->nmembers, k;
		json_array_foreach(membres, k, m) {
			bool mbad = false;
			const char *mcode = jstr(m, "code", true, &mbad);
			struct ent *c = mbad ? NULL : ld_lookup(ld, "commune", mcode);
			if (!c)
				return ld_fail(ld, file, i, code,
				               "membre n° %zu (%s) : pas une commune actuelle de communes.json", k + 1,
				               mcode ? mcode : "sans code");
			size_t cidx = (size_t)(c - ld->ents);
			bool dup = false;
			for (size_t b = mfirst; b < ld->nmembers && !dup; b++) dup = ld->members[b] == cidx;
			if (dup) continue;
			if (ld->nmembers == ld->capm) {
				ld->capm = ld->capm ? ld->capm * 2 : 4096;
				ld->members = xrealloc(ld->members, ld->capm * sizeof *ld->members);
			}
			ld->members[ld->nmembers++] = cidx;
		}
		struct ent *e = ld_add(ld);
		e->kind = file == F_EPT ? "ept" : "epci";
		e->code = code;
		e->siren = code;
		e->name = name;
		e->subtype = file == F_EPT ? NULL : type;
		e->population = pop;
		e->mfirst = mfirst;
		e->mcount = ld->nmembers - mfirst;
		group_area(ld, e);
		if (ld_register(ld, file, i) < 0) return -1;
	}
	return 0;
}

/* Give each SIREN to its first holder (see the notes). */
static void ld_dedupe_sirens(struct loader *ld)
{
	for (size_t i = 0; i < ld->n; i++) {
		struct ent *e = &ld->ents[i];
		size_t first;
		if (!e->siren || smap_put(&ld->sirens, e->siren, i, &first)) continue;
		log_warn("organisations : SIREN %s en double dans la référence : gardé par %s, retiré de %s",
		         e->siren, ld->ents[first].key, e->key);
		e->siren = NULL;
	}
}

/* ==== Loader: writing ==== */

static bool streq_null(const char *a, const char *b)
{
	if (!a || !b) return a == b;
	return strcmp(a, b) == 0;
}

static int ld_read_existing(struct loader *ld)
{
	sqlite3_stmt *st = db_stmt(ld->db, "SELECT id, kind || '-' || coalesce(code, siren, id), siren, "
	                                   "name, subtype, population, departement, region, official, "
	                                   "active, name_folded FROM organisation");
	if (!st) return ld_dberr(ld, "lecture");
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (ld->nold == ld->capold) {
			ld->capold = ld->capold ? ld->capold * 2 : 1024;
			ld->old = xrealloc(ld->old, ld->capold * sizeof *ld->old);
		}
		struct old_row *o = &ld->old[ld->nold++];
		*o = (struct old_row){
			.id = sqlite3_column_int64(st, 0),
			.key = col_dup(st, 1),
			.siren = col_dup(st, 2),
			.name = col_dup(st, 3),
			.subtype = col_dup(st, 4),
			.population = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5),
			.dep = col_dup(st, 6),
			.reg = col_dup(st, 7),
			.official = sqlite3_column_int(st, 8) != 0,
			.active = sqlite3_column_int(st, 9) != 0,
			.folded = col_dup(st, 10),
		};
	}
	db_reset(st);
	if (rc != SQLITE_DONE) return ld_dberr(ld, "lecture");
	smap_init(&ld->oldkeys, ld->nold);
	for (size_t i = 0; i < ld->nold; i++) smap_put(&ld->oldkeys, ld->old[i].key, i, NULL);
	for (size_t i = 0; i < ld->n; i++) {
		size_t idx;
		if (smap_get(&ld->oldkeys, ld->ents[i].key, &idx)) {
			ld->ents[i].old = (long)idx;
			ld->ents[i].id = ld->old[idx].id;
			ld->old[idx].matched = true;
		}
	}
	return 0;
}

/* Clear the SIREN of every row whose SIREN changes or goes to another body
 * (see the notes), so the writes below never hit the unique index. */
static int ld_release_sirens(struct loader *ld)
{
	/* which entity holds each old row, to know its final SIREN */
	long *holder = xmalloc((ld->nold ? ld->nold : 1) * sizeof *holder);
	for (size_t i = 0; i < ld->nold; i++) holder[i] = -1;
	for (size_t i = 0; i < ld->n; i++)
		if (ld->ents[i].old >= 0) holder[ld->ents[i].old] = (long)i;
	int ret = 0;
	for (size_t i = 0; i < ld->nold && ret == 0; i++) {
		struct old_row *o = &ld->old[i];
		if (!o->siren) continue;
		size_t claimant;
		bool claimed = smap_get(&ld->sirens, o->siren, &claimant);
		bool keep;
		if (holder[i] >= 0)
			keep = streq_null(ld->ents[holder[i]].siren, o->siren);
		else
			keep = !claimed;
		if (keep) continue;
		if (holder[i] < 0)
			log_warn("organisations : le SIREN %s passe de %s à %s (référence officielle)", o->siren,
			         o->key, ld->ents[claimant].key);
		sqlite3_stmt *st = db_stmt(ld->db, "UPDATE organisation SET siren = NULL, updated_at = ?2 "
		                                   "WHERE id = ?1");
		if (!st) {
			ret = ld_dberr(ld, "SIREN");
			break;
		}
		db_bind_int(st, 1, o->id);
		db_bind_text(st, 2, ld->now);
		if (db_step_done(st) < 0) ret = ld_dberr(ld, "SIREN");
		/* o->siren is kept: the upsert compares against it, sees a change
		 * and writes the final value */
		if (holder[i] < 0) {
			free(o->siren);
			o->siren = NULL;
		}
	}
	free(holder);
	return ret;
}

static bool ent_unchanged(const struct ent *e, const struct old_row *o)
{
	return o->official && o->active && streq_null(e->siren, o->siren) &&
	       streq_null(e->name, o->name) && streq_null(e->subtype, o->subtype) &&
	       e->population == o->population && streq_null(e->dep, o->dep) &&
	       streq_null(e->reg, o->reg) && streq_null(e->folded, o->folded);
}

static void bind_pop(sqlite3_stmt *st, int idx, int64_t pop)
{
	if (pop < 0)
		sqlite3_bind_null(st, idx);
	else
		db_bind_int(st, idx, pop);
}

static int ld_upsert(struct loader *ld)
{
	for (size_t i = 0; i < ld->n; i++) {
		struct ent *e = &ld->ents[i];
		sqlite3_stmt *st;
		if (i % 5000 == 0) ld_progress(ld, "organisations : écriture %zu/%zu", i, ld->n);
		if (e->old >= 0) {
			if (ent_unchanged(e, &ld->old[e->old])) continue;
			st = db_stmt(ld->db, "UPDATE organisation SET siren = ?2, name = ?3, subtype = ?4, "
			                     "population = ?5, departement = ?6, region = ?7, official = 1, "
			                     "active = 1, name_folded = ?8, updated_at = ?9 WHERE id = ?1");
			if (!st) return ld_dberr(ld, "mise à jour");
			db_bind_int(st, 1, e->id);
		} else {
			st = db_stmt(ld->db, "INSERT INTO organisation(kind, code, siren, name, subtype, "
			                     "population, departement, region, official, active, name_folded, "
			                     "updated_at, created_at) "
			                     "VALUES (?1, ?10, ?2, ?3, ?4, ?5, ?6, ?7, 1, 1, ?8, ?9, ?9)");
			if (!st) return ld_dberr(ld, "insertion");
			db_bind_text(st, 1, e->kind);
			db_bind_text(st, 10, e->code);
		}
		db_bind_text(st, 2, e->siren);
		db_bind_text(st, 3, e->name);
		db_bind_text(st, 4, e->subtype);
		bind_pop(st, 5, e->population);
		db_bind_text(st, 6, e->dep);
		db_bind_text(st, 7, e->reg);
		db_bind_text(st, 8, e->folded);
		db_bind_text(st, 9, ld->now);
		if (db_step_done(st) < 0) {
			*ld->err = xasprintf("chargement des organisations : écriture de %s impossible : %s",
			                     e->key, sqlite3_errmsg(db_sqlite(ld->db)));
			return -1;
		}
		if (e->old < 0) e->id = sqlite3_last_insert_rowid(db_sqlite(ld->db));
	}
	return 0;
}

static int ld_deactivate(struct loader *ld)
{
	for (size_t i = 0; i < ld->nold; i++) {
		struct old_row *o = &ld->old[i];
		if (!o->official || o->matched) continue;
		ld->deactivated++;
		if (!o->active) continue;
		sqlite3_stmt *st = db_stmt(ld->db, "UPDATE organisation SET active = 0, updated_at = ?2 "
		                                   "WHERE id = ?1");
		if (!st) return ld_dberr(ld, "désactivation");
		db_bind_int(st, 1, o->id);
		db_bind_text(st, 2, ld->now);
		if (db_step_done(st) < 0) return ld_dberr(ld, "désactivation");
	}
	return 0;
}

static int ld_members(struct loader *ld)
{
	ld_progress(ld, "organisations : appartenances aux EPCI et EPT");
	if (db_exec(ld->db, "DELETE FROM org_member WHERE parent_id IN "
	                    "(SELECT id FROM organisation WHERE official = 1)") < 0)
		return ld_dberr(ld, "appartenances");
	for (size_t i = 0; i < ld->n; i++) {
		struct ent *g = &ld->ents[i];
		for (size_t k = 0; k < g->mcount; k++) {
			sqlite3_stmt *st = db_stmt(ld->db, "INSERT INTO org_member(parent_id, child_id) "
			                                   "VALUES (?1, ?2)");
			if (!st) return ld_dberr(ld, "appartenances");
			db_bind_int(st, 1, g->id);
			db_bind_int(st, 2, ld->ents[ld->members[g->mfirst + k]].id);
			if (db_step_done(st) < 0) return ld_dberr(ld, "appartenances");
		}
	}
	return 0;
}

/* "name@version" from <dir>/../package.json when it is the expected
 * package, else the version this loader was written for. Heap string. */
static char *ld_source(struct loader *ld)
{
	char *path = xasprintf("%s/../package.json", ld->dir);
	json_t *pkg = json_load_file(path, 0, NULL);
	free(path);
	const char *name = json_string_value(json_object_get(pkg, "name"));
	const char *version = json_string_value(json_object_get(pkg, "version"));
	char *src = name && version && strcmp(name, "@etalab/decoupage-administratif") == 0
	                ? xasprintf("%s@%s", name, version)
	                : xstrdup(ORG_SOURCE_DEFAULT);
	json_decref(pkg);
	return src;
}

static int ld_write(struct loader *ld)
{
	if (ld_read_existing(ld) < 0 || ld_release_sirens(ld) < 0 || ld_upsert(ld) < 0 ||
	    ld_deactivate(ld) < 0 || ld_members(ld) < 0)
		return -1;
	ld_progress(ld, "organisations : index des noms");
	if (db_exec(ld->db, "INSERT INTO organisation_fts(organisation_fts) VALUES('rebuild')") < 0)
		return ld_dberr(ld, "index des noms");
	char *src = ld_source(ld);
	int rc = db_meta_set(ld->db, "orgs_loaded_at", ld->now) < 0 ||
	                 db_meta_set(ld->db, "orgs_source", src) < 0
	             ? ld_dberr(ld, "meta")
	             : 0;
	free(src);
	return rc;
}

int org_load_reference(db_t *db, const char *dir, bool progress, struct org_load_stats *stats,
                       char **err)
{
	uint64_t t0 = mono_ns();
	struct loader ld = { .db = db, .dir = dir, .progress = progress, .err = err };
	int ret = -1;
	bool began = false;
	iso8601_utc(now_unix(), ld.now);
	smap_init(&ld.keys, 40000);
	smap_init(&ld.sirens, 40000);
	if (ld_regions(&ld) < 0 || ld_deps(&ld) < 0 || ld_communes(&ld) < 0 ||
	    ld_groups(&ld, F_EPCI) < 0 || ld_groups(&ld, F_EPT) < 0)
		goto out;
	ld_dedupe_sirens(&ld);
	if (db_begin(db) < 0) {
		ld_dberr(&ld, "début de transaction");
		goto out;
	}
	began = true;
	if (ld_write(&ld) < 0) goto out;
	if (db_commit(db) < 0) {
		ld_dberr(&ld, "validation");
		goto out;
	}
	began = false;
	ret = 0;
	if (stats) {
		*stats = (struct org_load_stats){
			.communes = ld.counts[F_COMMUNES],
			.epci = ld.counts[F_EPCI],
			.ept = ld.counts[F_EPT],
			.departements = ld.counts[F_DEPS],
			.regions = ld.counts[F_REGIONS],
			.deactivated = ld.deactivated,
			.seconds = (double)(mono_ns() - t0) / 1e9,
		};
	}
out:
	if (began) db_rollback(db);
	if (progress) fputs("\r\033[K", stderr);
	ld_free(&ld);
	return ret;
}
