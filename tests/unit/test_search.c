/*
 * test_search.c — unit tests for search.c and search_index.c through
 * search_run(): French text matching (folding, stop words, prefix, quoted
 * phrases, hostile FTS5 syntax), ranking and sorting, pagination, the
 * public/draft rule, the owner filter, every facet filter, disjunctive
 * facet counts and their labels, snippets, and the refresh of the
 * in-process index after writes (also writes made through a second
 * connection, as the CLI does while the server runs).
 *
 * Fixture: a template database with tests/fixtures/orgs-mini loaded and the
 * twelve records of recs[] saved with store_usecase_save() (ten published,
 * one draft, one retracted), owned by communes, EPCI, départements and
 * régions so that every facet has several values. Each test works on its
 * own copy (db_backup), so tests that write do not disturb the others; the
 * ids of the records are the same in every copy.
 *
 * Facet counts and filtered hit lists are checked against an oracle
 * (oracle()) that filters recs[] in plain C: total = records passing every
 * filter; the counts of facet f = records passing every filter except f's
 * (disjunctive facets), per value. The expected organisation columns
 * (kind, région, département, population band) of each record are written
 * out by hand in recs[] from the fixture's data.
 *
 * The search index is one per process and follows the database path, so
 * switching copies reloads it; the refresh tests first search (index
 * loaded), then write, then search again on the same path.
 *
 * test_many_matches_paging saves ninety more records so that the first
 * pages go through search.c's partial selection (top_k) and the larger
 * ones through the full sort: the pages must agree with the single-page
 * list. test_concurrent_readers runs reader threads (one connection each,
 * like the server's workers) while another connection writes.
 *
 * IAT_SOURCE_DIR (set by CTest) locates the fixture; "." otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testdb.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "model.h"
#include "org.h"
#include "store.h"
#include "text.h"
#include "util.h"

/* ==== The records ==== */

struct rec {
	const char *title, *summary, *description, *abandon;
	const char *owner, *theme, *status, *tech[3], *risk, *state;
	/* expected denormalised organisation columns (NULL: none) */
	const char *kind, *region, *dep, *band;
};

/* recs[i] gets id i + 1 in the template. */
static const struct rec recs[] = {
	/* 1 */ { "Vélo en libre-service : prévision de la demande", "Prévoir la demande de vélos aux stations chaque matin.",
	          NULL, NULL, "commune-33063", "mobility", "deployed", { "machine_learning" }, "minimal", "published",
	          "commune", "75", "33", "gt_100000" },
	/* 2 */ { "Détection des fuites d'eau", "Repérer les fuites sur le réseau d'eau potable grâce à des capteurs.",
	          "La **détection** des fuites s'appuie sur des capteurs acoustiques posés sur les canalisations.",
	          NULL, "epci-243300316", "ecological_transition", "deployed", { "machine_learning", "neural_networks" },
	          NULL, "published", "epci", "75", "33", "gt_100000" },
	/* 3 */ { "Agent conversationnel de l'école", "Un agent conversationnel répond aux familles sur la cantine.",
	          "Les parents posent leurs questions le soir.", NULL, "commune-69123", "citizenship", "experiment",
	          { "nlp", "generative_ai" }, "limited", "published", "commune", "84", "69", "gt_100000" },
	/* 4 */ { "Cœur de ville : comptage des piétons", "Mesurer la fréquentation du centre commerçant.", NULL, NULL,
	          "commune-69092", "attractiveness", "experiment", { "computer_vision" }, NULL, "published", "commune",
	          "84", "69", "3500_20000" },
	/* 5 */ { "Tri des courriers entrants", "Classer automatiquement le courrier reçu.",
	          "Le service détecte l'objet de chaque lettre et l'oriente.", NULL, "departement-33", "administration",
	          "deployed", { "nlp" }, NULL, "published", "departement", "75", "33", "gt_100000" },
	/* 6 */ { "Optimisation des tournées de collecte", "Réduire les kilomètres parcourus par les camions.",
	          "Les tournées des bennes sont calculées chaque nuit. Un vélo cargo dessert les rues étroites.", NULL,
	          "epci-200046977", "ecological_transition", "ended", { "optimisation" }, NULL, "published", "epci", "84",
	          "69", "gt_100000" },
	/* 7 */ { "Aide à l'instruction des aides sociales", "Pré-remplir les dossiers d'aide sociale.",
	          "Un agent instruit le dossier ; un module conversationnel guide le demandeur.", NULL, "departement-85",
	          "health_solidarity", "idea", { "rules" }, "high", "published", "departement", "52", "85",
	          "20000_100000" },
	/* 8 */ { "Prévision des crues", "Anticiper la montée des rivières.", NULL, NULL, "region-76",
	          "ecological_transition", "experiment", { "machine_learning" }, NULL, "published", "region", "76", NULL,
	          "gt_100000" },
	/* 9 */ { "Orientation des lycéens", "Suggérer des formations aux lycéens.", NULL, "Coût trop élevé.",
	          "region-75", "citizenship", "abandoned", { "generative_ai" }, NULL, "published", "region", "75", NULL,
	          "gt_100000" },
	/* 10 */ { "Surveillance des forêts par satellite", "Repérer les coupes et les départs de feu.", NULL, NULL,
	           "commune-33394", "ecological_transition", "experiment", { "computer_vision", "neural_networks" }, NULL,
	           "published", "commune", "75", "33", "lt_3500" },
	/* 11 */ { "Vélo brouillon confidentiel", "Un vélo en brouillon, jamais publié.", NULL, NULL, "commune-33063",
	           "mobility", "idea", { NULL }, NULL, "draft", "commune", "75", "33", "gt_100000" },
	/* 12 */ { "Stationnement intelligent", "Guider les voitures vers les places libres.", NULL, NULL,
	           "commune-31069", "mobility", "ended", { "computer_vision" }, "minimal", "retracted", "commune", "76",
	           "31", "20000_100000" },
};
#define NRECS ((int)ARRAY_LEN(recs))
#define NVISIBLE 11

/* Validated canonical doc of r (caller json_decref()s). */
static json_t *rec_doc(const struct rec *r)
{
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", r->title, "summary", r->summary, "owner",
	                       r->owner, "theme", r->theme, "status", r->status);
	if (r->description) json_object_set_new(in, "description", json_string(r->description));
	if (r->abandon) json_object_set_new(in, "abandon_reasons", json_string(r->abandon));
	if (r->risk) json_object_set_new(in, "risk_level", json_string(r->risk));
	if (r->tech[0]) {
		json_t *a = json_array();
		for (int k = 0; k < 3 && r->tech[k]; k++) json_array_append_new(a, json_string(r->tech[k]));
		json_object_set_new(in, "ai_techniques", a);
	}
	struct verrors e = { 0 };
	json_t *doc = model_validate(in, NULL, &e);
	if (!doc) fail_msg("invalid record « %s »: %s %s", r->title, e.items[0].field, e.items[0].message);
	json_decref(in);
	return doc;
}

/* Save doc as a new record (id 0) or over record id, in state (NULL:
 * unchanged). Returns the id. */
static int64_t save_doc(db_t *db, json_t *doc, int64_t id, const char *state)
{
	struct uc_save p = { 0 };
	p.id = id;
	p.state = state;
	if (state && strcmp(state, "retracted") == 0) p.retract_reason = "Projet arrêté.";
	struct verrors e = { 0 };
	int64_t out = 0;
	int rc = store_usecase_save(db, doc, &p, &e, &out, NULL);
	if (rc != STORE_OK) fail_msg("save: rc %d %s", rc, e.count ? e.items[0].message : "");
	return out;
}

static int64_t save_rec(db_t *db, const struct rec *r)
{
	json_t *doc = rec_doc(r);
	int64_t id = save_doc(db, doc, 0, r->state);
	json_decref(doc);
	return id;
}

/* Change the state (and, if not NULL, one string field) of record id
 * through a save on db. */
static void resave(db_t *db, int64_t id, const char *state, const char *field, const char *value)
{
	struct uc_full u;
	assert_int_equal(store_usecase_load(db, id, &u), 1);
	if (field) json_object_set_new(u.doc, field, json_string(value));
	save_doc(db, u.doc, id, state);
	store_usecase_free(&u);
}

/* ==== Fixtures ==== */

static char template_path[64];
static db_t *template_db;

static int group_setup(void **state)
{
	template_db = testdb_template(template_path, sizeof template_path, "search", "tests/fixtures/orgs-mini");
	if (!template_db) return -1;
	for (int i = 0; i < NRECS; i++) {
		if (save_rec(template_db, &recs[i]) != i + 1) {
			fprintf(stderr, "record %d: unexpected id\n", i + 1);
			return -1;
		}
	}
	return 0;
}

static int group_teardown(void **state)
{
	db_close(template_db);
	testdb_remove(template_path);
	return 0;
}

struct tdb {
	char path[64];
	db_t *db;
};

static int test_setup(void **state)
{
	struct tdb *t = xcalloc(1, sizeof *t);
	t->db = testdb_copy(template_db, t->path, sizeof t->path, "search");
	if (!t->db) return -1;
	*state = t;
	return 0;
}

static int test_teardown(void **state)
{
	struct tdb *t = *state;
	db_close(t->db);
	testdb_remove(t->path);
	free(t);
	return 0;
}

/* ==== Helpers ==== */

static void sq_init(struct search_query *sq, const char *q)
{
	memset(sq, 0, sizeof *sq);
	sq->q = q;
	sq->page = 1;
	sq->per_page = 500;
	sq->with_facets = true;
}

/* Add the filter facet=values ("a,b": several values). The strings are
 * kept in a static pool for the duration of the test. */
static void sq_filter(struct search_query *sq, const char *facet, const char *values)
{
	static char pool[64][32];
	static int npool;
	struct search_filter *f = &sq->filters[sq->nfilters++];
	f->facet = facet;
	f->nvalues = 0;
	const char *p = values;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *v = pool[npool++ % 64];
		snprintf(v, sizeof pool[0], "%.*s", (int)n, p);
		f->values[f->nvalues++] = v;
		p += n + (e ? 1 : 0);
	}
}

static void run(db_t *db, const struct search_query *sq, struct search_result *res)
{
	int rc = search_run(db, sq, res);
	if (rc != 0) fail_msg("search_run failed for q=%s", sq->q ? sq->q : "(null)");
}

/* Hit ids as "a,b,c" (heap). */
static char *ids_of(const struct search_result *res)
{
	buf_t b = BUF_INIT;
	for (int i = 0; i < res->nhits; i++) {
		if (i) buf_putc(&b, ',');
		buf_fmt(&b, "%D", res->hits[i].id);
	}
	buf_cstr(&b);
	return buf_detach(&b);
}

/* Search q (no filter) and return the hit ids in the given order. */
static char *search_ids(db_t *db, const char *q, bool by_relevance, int64_t *total)
{
	struct search_query sq;
	sq_init(&sq, q);
	sq.by_relevance = by_relevance;
	struct search_result res;
	run(db, &sq, &res);
	if (total) *total = res.total;
	char *s = ids_of(&res);
	search_result_free(&res);
	return s;
}

#define assert_ids(db, q, want)                                                                  \
	do {                                                                                     \
		int64_t total_;                                                                  \
		char *got_ = search_ids(db, q, false, &total_);                                  \
		if (strcmp(got_, want) != 0) fail_msg("q « %s »: got [%s], want [%s]", q, got_, want); \
		free(got_);                                                                      \
	} while (0)

/* Hit ids sorted ascending as "a,b,c" (heap). */
static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static char *sorted_ids(const struct search_result *res)
{
	int64_t v[64];
	int n = res->nhits < 64 ? res->nhits : 64;
	for (int i = 0; i < n; i++) v[i] = res->hits[i].id;
	qsort(v, (size_t)n, sizeof v[0], cmp_i64);
	buf_t b = BUF_INIT;
	for (int i = 0; i < n; i++) {
		if (i) buf_putc(&b, ',');
		buf_fmt(&b, "%D", v[i]);
	}
	buf_cstr(&b);
	return buf_detach(&b);
}

#define assert_set(db, q, want)                                                                  \
	do {                                                                                     \
		struct search_query sq_;                                                         \
		sq_init(&sq_, q);                                                                \
		struct search_result res_;                                                       \
		run(db, &sq_, &res_);                                                            \
		char *got_ = sorted_ids(&res_);                                                  \
		if (strcmp(got_, want) != 0) fail_msg("q « %s »: got {%s}, want {%s}", q, got_, want); \
		assert_int_equal(res_.total, res_.nhits);                                        \
		free(got_);                                                                      \
		search_result_free(&res_);                                                       \
	} while (0)

static const struct facet *facet_named(const struct search_result *res, const char *name)
{
	for (int i = 0; i < res->nfacets; i++)
		if (strcmp(res->facets[i].name, name) == 0) return &res->facets[i];
	fail_msg("no facet %s", name);
	return NULL;
}

/* Count of value in facet name (0 when absent). */
static int64_t fcount(const struct search_result *res, const char *name, const char *value)
{
	const struct facet *f = facet_named(res, name);
	for (int i = 0; i < f->ncounts; i++)
		if (strcmp(f->counts[i].value, value) == 0) return f->counts[i].count;
	return 0;
}

static const char *flabel(const struct search_result *res, const char *name, const char *value)
{
	const struct facet *f = facet_named(res, name);
	for (int i = 0; i < f->ncounts; i++)
		if (strcmp(f->counts[i].value, value) == 0) return f->counts[i].label;
	fail_msg("no value %s in facet %s", value, name);
	return NULL;
}

static const struct search_hit *hit_of(const struct search_result *res, int64_t id)
{
	for (int i = 0; i < res->nhits; i++)
		if (res->hits[i].id == id) return &res->hits[i];
	fail_msg("record %lld not among the hits", (long long)id);
	return NULL;
}

static int64_t org_id(db_t *db, const char *key)
{
	struct org o;
	assert_int_equal(org_find(db, key, &o), 1);
	int64_t id = o.id;
	org_free(&o);
	return id;
}

/* ==== The oracle ==== */

/* Values of record r for facet f (index in search_facet_names). */
static int rec_values(const struct rec *r, int f, const char *v[3])
{
	const char *one = NULL;
	switch (f) {
	case 0: one = r->theme; break;
	case 1: one = r->status; break;
	case 2: one = r->kind; break;
	case 3: one = r->region; break;
	case 4: one = r->dep; break;
	case 5: one = r->band; break;
	case 6: {
		int n = 0;
		for (int k = 0; k < 3 && r->tech[k]; k++) v[n++] = r->tech[k];
		return n;
	}
	case 7: one = r->risk; break;
	case 8: one = "none"; break; /* impact_label: no record here has the label */
	}
	if (!one) return 0;
	v[0] = one;
	return 1;
}

static int facet_no(const char *name)
{
	for (int f = 0; f < SEARCH_NFACETS; f++)
		if (strcmp(search_facet_names[f], name) == 0) return f;
	fail_msg("unknown facet %s", name);
	return -1;
}

/* Does record r pass the filters of sq on facet f (true when none)? */
static bool rec_passes(const struct rec *r, const struct search_query *sq, int f)
{
	for (int i = 0; i < sq->nfilters; i++) {
		const struct search_filter *flt = &sq->filters[i];
		if (facet_no(flt->facet) != f) continue;
		const char *v[3];
		int n = rec_values(r, f, v);
		bool ok = false;
		for (int a = 0; a < n; a++)
			for (int b = 0; b < flt->nvalues; b++) ok |= strcmp(v[a], flt->values[b]) == 0;
		if (!ok) return false;
	}
	return true;
}

struct expect {
	int64_t total;
	bool hit[NRECS];
	/* per facet: values and counts */
	const char *value[SEARCH_NFACETS][16];
	int64_t count[SEARCH_NFACETS][16];
	int n[SEARCH_NFACETS];
};

static void oracle(const struct search_query *sq, int64_t owner_id_of_rec[NRECS], struct expect *x)
{
	memset(x, 0, sizeof *x);
	for (int i = 0; i < NRECS; i++) {
		const struct rec *r = &recs[i];
		if (strcmp(r->state, "published") != 0 && strcmp(r->state, "retracted") != 0) continue;
		if (sq->owner_org_id && owner_id_of_rec[i] != sq->owner_org_id) continue;
		int nfail = 0, failed = -1;
		for (int f = 0; f < SEARCH_NFACETS; f++) {
			if (!rec_passes(r, sq, f)) {
				nfail++;
				failed = f;
			}
		}
		if (nfail == 0) {
			x->total++;
			x->hit[i] = true;
		}
		for (int f = 0; f < SEARCH_NFACETS; f++) {
			if (nfail > 1 || (nfail == 1 && failed != f)) continue;
			const char *v[3];
			int n = rec_values(r, f, v);
			for (int a = 0; a < n; a++) {
				int k;
				for (k = 0; k < x->n[f]; k++)
					if (strcmp(x->value[f][k], v[a]) == 0) break;
				if (k == x->n[f]) {
					x->value[f][k] = v[a];
					x->n[f]++;
				}
				x->count[f][k]++;
			}
		}
	}
}

/* Run sq (no text) and compare the total, the hits (newest first, i.e.
 * highest id first in a fresh copy) and every facet with the oracle. */
static void check_against_oracle(db_t *db, struct search_query *sq)
{
	int64_t owners[NRECS];
	for (int i = 0; i < NRECS; i++) owners[i] = org_id(db, recs[i].owner);
	struct expect x;
	oracle(sq, owners, &x);
	struct search_result res;
	run(db, sq, &res);
	buf_t want = BUF_INIT;
	for (int i = NRECS - 1; i >= 0; i--)
		if (x.hit[i]) {
			if (want.len) buf_putc(&want, ',');
			buf_fmt(&want, "%d", i + 1);
		}
	char *got = ids_of(&res);
	if (strcmp(got, buf_cstr(&want)) != 0) fail_msg("hits [%s], want [%s]", got, buf_cstr(&want));
	assert_int_equal(res.total, x.total);
	assert_int_equal(res.nfacets, SEARCH_NFACETS);
	for (int f = 0; f < SEARCH_NFACETS; f++) {
		const struct facet *fc = &res.facets[f];
		assert_string_equal(fc->name, search_facet_names[f]);
		if (fc->ncounts != x.n[f]) fail_msg("facet %s: %d values, want %d", fc->name, fc->ncounts, x.n[f]);
		for (int k = 0; k < x.n[f]; k++) {
			int64_t c = fcount(&res, fc->name, x.value[f][k]);
			if (c != x.count[f][k])
				fail_msg("facet %s value %s: count %lld, want %lld", fc->name, x.value[f][k], (long long)c,
				         (long long)x.count[f][k]);
		}
		/* sorted by count, then label */
		for (int k = 1; k < fc->ncounts; k++) {
			const struct facet_count *a = &fc->counts[k - 1], *b = &fc->counts[k];
			assert_non_null(a->label);
			assert_true(a->count > b->count || (a->count == b->count && strcmp(a->label, b->label) < 0));
		}
	}
	free(got);
	buf_free(&want);
	search_result_free(&res);
}

/* ==== Text matching ==== */

static void test_folding(void **state)
{
	struct tdb *t = *state;
	assert_set(t->db, "velo", "1,6");
	assert_set(t->db, "VÉLO", "1,6");
	assert_set(t->db, "coeur", "4");
	assert_set(t->db, "CŒUR", "4");
	assert_set(t->db, "ECOLE", "3");
	assert_set(t->db, "école", "3");
	assert_set(t->db, "Lycéens", "9");
	/* organisation names are searched too */
	assert_set(t->db, "bordeaux", "1,2");
	assert_set(t->db, "metropole", "2,6");
}

static void test_stop_words(void **state)
{
	struct tdb *t = *state;
	int64_t n1, n2;
	char *a = search_ids(t->db, "la détection des fuites", true, &n1);
	char *b = search_ids(t->db, "détection fuites", true, &n2);
	assert_string_equal(a, b);
	assert_string_equal(a, "2");
	assert_int_equal(n1, n2);
	free(a);
	free(b);

	/* only stop words: like no query at all */
	struct search_query sq;
	struct search_result r1, r2;
	sq_init(&sq, "le la les");
	run(t->db, &sq, &r1);
	assert_null(r1.fts);
	sq_init(&sq, NULL);
	run(t->db, &sq, &r2);
	assert_int_equal(r1.total, NVISIBLE);
	assert_int_equal(r1.total, r2.total);
	char *i1 = ids_of(&r1), *i2 = ids_of(&r2);
	assert_string_equal(i1, i2);
	for (int i = 0; i < r1.nhits; i++) assert_null(r1.hits[i].snippet_html);
	assert_int_equal(fcount(&r1, "theme", "ecological_transition"), 4);
	free(i1);
	free(i2);
	search_result_free(&r1);
	search_result_free(&r2);

	/* the empty string too */
	sq_init(&sq, "");
	run(t->db, &sq, &r1);
	assert_int_equal(r1.total, NVISIBLE);
	search_result_free(&r1);
	sq_init(&sq, "  , ; !");
	run(t->db, &sq, &r1);
	assert_int_equal(r1.total, NVISIBLE);
	search_result_free(&r1);
}

static void test_prefix(void **state)
{
	struct tdb *t = *state;
	/* the last word is a prefix: détection and détecte */
	assert_set(t->db, "détec", "2,5");
	assert_set(t->db, "detec", "2,5");
	/* not when followed by a space */
	assert_set(t->db, "détec ", "");
	/* only the last word */
	assert_set(t->db, "détec fuites", "");
	assert_set(t->db, "fuites détec", "2");
	assert_set(t->db, "conversation", "3,7");
}

static void test_phrase(void **state)
{
	struct tdb *t = *state;
	/* words anywhere vs the exact phrase */
	assert_set(t->db, "agent conversationnel", "3,7");
	assert_set(t->db, "\"agent conversationnel\"", "3");
	assert_set(t->db, "« agent conversationnel »", "3");
	assert_set(t->db, "\"conversationnel agent\"", "");
	/* stop words are kept inside a phrase */
	assert_set(t->db, "\"réseau d'eau potable\"", "2");
	assert_set(t->db, "\"réseau potable\"", "");
	/* unbalanced: closed at the end */
	assert_set(t->db, "\"agent conversationnel", "3");
}

static void test_relevance_and_update_order(void **state)
{
	struct tdb *t = *state;
	/* vélo in the title of 1, only in the body of 6 (newer) */
	int64_t total;
	char *s = search_ids(t->db, "velo", true, &total);
	assert_string_equal(s, "1,6");
	assert_int_equal(total, 2);
	free(s);
	s = search_ids(t->db, "velo", false, &total);
	assert_string_equal(s, "6,1");
	free(s);
	/* "transition" comes from the theme label in the body of 2, 6, 8, 10 */
	s = search_ids(t->db, "transition", false, NULL);
	assert_string_equal(s, "10,8,6,2");
	free(s);
	/* no text: newest first */
	s = search_ids(t->db, NULL, false, NULL);
	assert_string_equal(s, "12,10,9,8,7,6,5,4,3,2,1");
	free(s);

	/* update record 2 one second later: it comes first */
	time_t t0 = time(NULL);
	while (time(NULL) == t0) usleep(20000);
	resave(t->db, 2, NULL, NULL, NULL);
	s = search_ids(t->db, NULL, false, NULL);
	assert_string_equal(s, "2,12,10,9,8,7,6,5,4,3,1");
	free(s);
	s = search_ids(t->db, "transition", false, NULL);
	assert_string_equal(s, "2,10,8,6");
	free(s);
	/* relevance unchanged */
	s = search_ids(t->db, "velo", true, NULL);
	assert_string_equal(s, "1,6");
	free(s);
	/* by_relevance without text: by update */
	s = search_ids(t->db, NULL, true, NULL);
	assert_string_equal(s, "2,12,10,9,8,7,6,5,4,3,1");
	free(s);
}

static void test_title_weight(void **state)
{
	struct tdb *t = *state;
	/* crues: title of 8; add a record with crues once in its body */
	struct rec r = recs[9];
	r.title = "Suivi des rivières";
	r.summary = "Des capteurs mesurent le niveau.";
	r.description = "Les données servent aussi à prévoir les crues.";
	save_rec(t->db, &r);
	char *s = search_ids(t->db, "crues", true, NULL);
	assert_string_equal(s, "8,13");
	free(s);
	s = search_ids(t->db, "crues", false, NULL);
	assert_string_equal(s, "13,8");
	free(s);
}

static void test_hostile_queries(void **state)
{
	struct tdb *t = *state;
	static const char *const qs[] = {
		"NEAR(velo cargo)", "NEAR(velo cargo, 2)", "title:velo", "title : velo", "{title summary}: velo",
		"velo OR eau", "velo AND NOT eau", "velo NOT", "OR", "AND", "NOT", "-velo", "^velo", "velo*", "*",
		"**", "\"", "\"\"", "\"velo", "velo\"", "\"velo\"\"", "'velo'", "(velo", "velo)", "()", "+velo",
		"velo:", ":", "\\", "\\\"", "«", "»", "« vélo", "“", "„vélo“", "%", "%_", "'; DROP TABLE usecase; --",
		"\xff\xfe velo", "v\xc3", "rowid = 1", "usecase_fts MATCH 'x'", "velo\tcargo\n", "-",
	};
	for (size_t i = 0; i < ARRAY_LEN(qs); i++) {
		struct search_query sq;
		sq_init(&sq, qs[i]);
		sq.by_relevance = (i % 2) == 0;
		struct search_result res;
		if (search_run(t->db, &sq, &res) != 0) fail_msg("search_run failed for « %s »", qs[i]);
		assert_true(res.total >= 0 && res.total <= NVISIBLE);
		assert_true(res.nhits <= res.total);
		search_result_free(&res);
	}
	/* the operators are only words: NEAR and OR do not act */
	assert_set(t->db, "velo OR eau", "");
	assert_set(t->db, "NEAR(velo cargo)", "");
	assert_set(t->db, "title:velo", "");
	assert_set(t->db, "velo*", "1,6");
	assert_set(t->db, "-velo", "1,6");
	assert_set(t->db, "\"velo", "1,6");
	assert_set(t->db, "'; DROP TABLE usecase; --", "");
	/* and the table is still there */
	assert_set(t->db, "velo cargo", "6");

	/* a very long query */
	buf_t q = BUF_INIT;
	for (int i = 0; i < 2000; i++) buf_puts(&q, i % 3 ? "vélo \"OR\" NEAR( " : "* :title ");
	struct search_query sq;
	sq_init(&sq, buf_cstr(&q));
	struct search_result res;
	assert_int_equal(search_run(t->db, &sq, &res), 0);
	search_result_free(&res);
	buf_free(&q);
}

/* ==== Visibility, owner, pagination ==== */

static void test_visibility(void **state)
{
	struct tdb *t = *state;
	/* the draft (11) never comes back, the retracted one (12) does */
	assert_set(t->db, "brouillon", "");
	assert_set(t->db, "confidentiel", "");
	assert_set(t->db, "stationnement", "12");
	struct search_query sq;
	sq_init(&sq, NULL);
	struct search_result res;
	run(t->db, &sq, &res);
	assert_int_equal(res.total, NVISIBLE);
	assert_int_equal(res.nhits, NVISIBLE);
	for (int i = 0; i < res.nhits; i++) assert_true(res.hits[i].id != 11);
	assert_int_equal(fcount(&res, "theme", "mobility"), 2);
	const struct search_hit *h = hit_of(&res, 12);
	assert_string_equal(h->state, "retracted");
	assert_string_equal(h->title, "Stationnement intelligent");
	assert_string_equal(h->summary, "Guider les voitures vers les places libres.");
	assert_string_equal(h->slug, "stationnement-intelligent");
	assert_string_equal(h->theme, "mobility");
	assert_string_equal(h->status, "ended");
	assert_string_equal(h->owner_key, "commune-31069");
	assert_string_equal(h->owner_name, "Blagnac");
	assert_string_equal(h->owner_kind, "commune");
	assert_non_null(h->updated_at);
	assert_null(h->snippet_html);
	h = hit_of(&res, 2);
	assert_string_equal(h->state, "published");
	assert_string_equal(h->owner_key, "epci-243300316");
	assert_string_equal(h->owner_name, "Bordeaux Métropole");
	assert_string_equal(h->owner_kind, "epci");
	search_result_free(&res);

	/* the draft's owner: only its published record */
	sq_init(&sq, NULL);
	sq.owner_org_id = org_id(t->db, "commune-33063");
	run(t->db, &sq, &res);
	char *s = ids_of(&res);
	assert_string_equal(s, "1");
	assert_int_equal(res.total, 1);
	assert_int_equal(fcount(&res, "theme", "mobility"), 1);
	free(s);
	search_result_free(&res);
	sq.q = "velo";
	run(t->db, &sq, &res);
	s = ids_of(&res);
	assert_string_equal(s, "1");
	free(s);
	search_result_free(&res);
	sq.q = "brouillon";
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 0);
	assert_int_equal(res.nhits, 0);
	search_result_free(&res);
}

static void test_owner_filter(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	struct search_result res;
	sq_init(&sq, NULL);
	sq.owner_org_id = org_id(t->db, "epci-243300316");
	run(t->db, &sq, &res);
	char *s = ids_of(&res);
	assert_string_equal(s, "2");
	free(s);
	search_result_free(&res);
	/* an organisation without records */
	sq.owner_org_id = org_id(t->db, "commune-44109");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 0);
	assert_int_equal(res.nhits, 0);
	for (int f = 0; f < res.nfacets; f++) assert_int_equal(res.facets[f].ncounts, 0);
	search_result_free(&res);
	/* owner and filters together, through the oracle */
	sq_init(&sq, NULL);
	sq.owner_org_id = org_id(t->db, "commune-69123");
	sq_filter(&sq, "theme", "citizenship");
	check_against_oracle(t->db, &sq);
	sq_init(&sq, NULL);
	sq.owner_org_id = org_id(t->db, "commune-69123");
	sq_filter(&sq, "theme", "mobility");
	check_against_oracle(t->db, &sq);
	/* an unknown owner id */
	sq_init(&sq, "velo");
	sq.owner_org_id = 999999;
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 0);
	search_result_free(&res);
}

static void test_pagination(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	struct search_result res;
	static const char *const pages[] = { "12,10,9,8", "7,6,5,4", "3,2,1", "" };
	for (int p = 1; p <= 4; p++) {
		sq_init(&sq, NULL);
		sq.per_page = 4;
		sq.page = p;
		run(t->db, &sq, &res);
		char *s = ids_of(&res);
		if (strcmp(s, pages[p - 1]) != 0) fail_msg("page %d: [%s], want [%s]", p, s, pages[p - 1]);
		assert_int_equal(res.total, NVISIBLE);
		free(s);
		search_result_free(&res);
	}
	/* page far away */
	sq_init(&sq, NULL);
	sq.per_page = 4;
	sq.page = 1000000;
	run(t->db, &sq, &res);
	assert_int_equal(res.nhits, 0);
	assert_int_equal(res.total, NVISIBLE);
	search_result_free(&res);
	/* defaults: page 0 is page 1, per_page 0 is 20 */
	sq_init(&sq, NULL);
	sq.per_page = 0;
	sq.page = 0;
	run(t->db, &sq, &res);
	assert_int_equal(res.nhits, NVISIBLE);
	assert_int_equal(res.hits[0].id, 12);
	search_result_free(&res);

	/* with text, in both orders */
	static const char *const tpages[] = { "10,8,6", "2", "" };
	for (int p = 1; p <= 3; p++) {
		sq_init(&sq, "transition");
		sq.per_page = 3;
		sq.page = p;
		run(t->db, &sq, &res);
		char *s = ids_of(&res);
		if (strcmp(s, tpages[p - 1]) != 0) fail_msg("text page %d: [%s], want [%s]", p, s, tpages[p - 1]);
		assert_int_equal(res.total, 4);
		free(s);
		search_result_free(&res);
	}
	sq_init(&sq, "velo");
	sq.by_relevance = true;
	sq.per_page = 1;
	sq.page = 2;
	run(t->db, &sq, &res);
	assert_int_equal(res.nhits, 1);
	assert_int_equal(res.hits[0].id, 6);
	assert_int_equal(res.total, 2);
	search_result_free(&res);

	/* with a filter */
	sq_init(&sq, NULL);
	sq_filter(&sq, "org_kind", "commune");
	sq.per_page = 2;
	sq.page = 2;
	run(t->db, &sq, &res);
	char *s = ids_of(&res);
	assert_string_equal(s, "4,3");
	assert_int_equal(res.total, 5);
	free(s);
	search_result_free(&res);
}

/* All the hit ids of q (with the filter facet=values if facet is not NULL),
 * page by page with per_page, joined with ','; *pages gets the number of
 * non-empty pages. Checks the total on every page. */
static char *paged_ids(db_t *db, const char *q, bool by_relevance, const char *facet, const char *values,
                       int per_page, int64_t want_total)
{
	buf_t all = BUF_INIT;
	for (int page = 1;; page++) {
		struct search_query sq;
		sq_init(&sq, q);
		sq.by_relevance = by_relevance;
		sq.per_page = per_page;
		sq.page = page;
		sq.with_facets = page == 1;
		if (facet) sq_filter(&sq, facet, values);
		struct search_result res;
		run(db, &sq, &res);
		if (res.total != want_total)
			fail_msg("q %s page %d/%d: total %lld, want %lld", q, page, per_page, (long long)res.total,
			         (long long)want_total);
		int n = res.nhits;
		if (n > per_page) fail_msg("%d hits on a page of %d", n, per_page);
		char *s = ids_of(&res);
		if (n) {
			if (all.len) buf_putc(&all, ',');
			buf_puts(&all, s);
		}
		free(s);
		search_result_free(&res);
		if (n < per_page) break;
		if (page > 1000) fail_msg("no end to the pages");
	}
	buf_cstr(&all);
	return buf_detach(&all);
}

/* Many matches: every page, for several page sizes (small pages take the
 * partial selection of search.c, large ones the full sort), concatenated,
 * gives exactly the single-page list, in both orders, with and without a
 * filter. */
static void test_many_matches_paging(void **state)
{
	struct tdb *t = *state;
	static const char *const owners[] = { "commune-33063", "commune-69123", "epci-243300316", "region-84",
		                              "departement-69", "commune-57463" };
	static const char *const themes[] = { "mobility", "governance", "ecological_transition" };
	for (int i = 0; i < 90; i++) {
		struct rec r = recs[0];
		char title[64], desc[512];
		snprintf(title, sizeof title, "%s n°%d", i % 4 ? "Projet" : "Capteur", i);
		buf_t d = BUF_INIT;
		buf_puts(&d, "Description ");
		for (int k = 0; k < i % 6; k++) buf_puts(&d, "capteur ");
		for (int k = 0; k < i % 9; k++) buf_puts(&d, "remplissage ");
		snprintf(desc, sizeof desc, "%s", buf_cstr(&d));
		buf_free(&d);
		r.title = title;
		r.summary = i % 5 ? "Un résumé." : "Un capteur.";
		r.description = desc;
		r.owner = owners[i % ARRAY_LEN(owners)];
		r.theme = themes[i % ARRAY_LEN(themes)];
		r.risk = NULL;
		save_rec(t->db, &r);
	}
	static const bool orders[] = { true, false };
	for (size_t o = 0; o < ARRAY_LEN(orders); o++) {
		int64_t total;
		char *ref = search_ids(t->db, "capteur", orders[o], &total);
		assert_true(total > 70);
		/* distinct ids */
		int commas = 0;
		for (const char *p = ref; *p; p++) commas += *p == ',';
		assert_int_equal(commas + 1, total);
		static const int sizes[] = { 1, 2, 3, 4, 7, 10, 25, 100 };
		for (size_t k = 0; k < ARRAY_LEN(sizes); k++) {
			char *got = paged_ids(t->db, "capteur", orders[o], NULL, NULL, sizes[k], total);
			if (strcmp(got, ref) != 0)
				fail_msg("by_relevance=%d per_page=%d:\n got  %s\n want %s", orders[o], sizes[k], got, ref);
			free(got);
		}
		free(ref);

		/* with a filter */
		struct search_query sq;
		sq_init(&sq, "capteur");
		sq.by_relevance = orders[o];
		sq.per_page = 100;
		sq_filter(&sq, "theme", "governance");
		struct search_result res;
		run(t->db, &sq, &res);
		ref = ids_of(&res);
		total = res.total;
		search_result_free(&res);
		assert_true(total >= 25);
		for (size_t k = 0; k < 5; k++) {
			char *got = paged_ids(t->db, "capteur", orders[o], "theme", "governance", sizes[k], total);
			if (strcmp(got, ref) != 0)
				fail_msg("filtered, by_relevance=%d per_page=%d:\n got  %s\n want %s", orders[o], sizes[k], got,
				         ref);
			free(got);
		}
		free(ref);
	}
	/* the relevance order is by rank: more occurrences in the title or
	 * summary first — a title match beats the body-only matches */
	char *ref = search_ids(t->db, "capteur", true, NULL);
	int first = atoi(ref);
	struct uc_full u;
	assert_int_equal(store_usecase_load(t->db, first, &u), 1);
	const char *title = doc_str(u.doc, "title"), *summary = doc_str(u.doc, "summary");
	if (!strstr(title, "Capteur") && !strstr(summary, "capteur"))
		fail_msg("best match %d has « capteur » in neither its title nor its summary", first);
	store_usecase_free(&u);
	free(ref);
}

/* ==== Facets ==== */

static void test_facets_no_filter(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	sq_init(&sq, NULL);
	check_against_oracle(t->db, &sq);
	/* a few values written out */
	struct search_result res;
	run(t->db, &sq, &res);
	assert_int_equal(fcount(&res, "theme", "ecological_transition"), 4);
	assert_int_equal(fcount(&res, "status", "experiment"), 4);
	assert_int_equal(fcount(&res, "org_kind", "commune"), 5);
	assert_int_equal(fcount(&res, "org_kind", "epci"), 2);
	assert_int_equal(fcount(&res, "org_kind", "departement"), 2);
	assert_int_equal(fcount(&res, "org_kind", "region"), 2);
	assert_int_equal(fcount(&res, "region", "75"), 5);
	assert_int_equal(fcount(&res, "region", "84"), 3);
	assert_int_equal(fcount(&res, "departement", "33"), 4);
	assert_int_equal(fcount(&res, "population_band", "lt_3500"), 1);
	assert_int_equal(fcount(&res, "population_band", "gt_100000"), 7);
	assert_int_equal(fcount(&res, "ai_technique", "machine_learning"), 3);
	assert_int_equal(fcount(&res, "ai_technique", "computer_vision"), 3);
	assert_int_equal(fcount(&res, "ai_technique", "unknown"), 0);
	assert_int_equal(fcount(&res, "risk_level", "minimal"), 2);
	/* the first value of a facet has the highest count */
	const struct facet *f = facet_named(&res, "theme");
	assert_string_equal(f->counts[0].value, "ecological_transition");
	search_result_free(&res);

	/* without with_facets: none */
	sq.with_facets = false;
	run(t->db, &sq, &res);
	assert_int_equal(res.nfacets, 0);
	assert_int_equal(res.total, NVISIBLE);
	search_result_free(&res);
}

static void test_facet_labels(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	sq_init(&sq, NULL);
	struct search_result res;
	run(t->db, &sq, &res);
	assert_string_equal(flabel(&res, "region", "75"), "Nouvelle-Aquitaine");
	assert_string_equal(flabel(&res, "region", "84"), "Auvergne-Rhône-Alpes");
	assert_string_equal(flabel(&res, "region", "76"), "Occitanie");
	assert_string_equal(flabel(&res, "region", "52"), "Pays de la Loire");
	assert_string_equal(flabel(&res, "departement", "33"), "Gironde");
	assert_string_equal(flabel(&res, "departement", "69"), "Rhône");
	assert_string_equal(flabel(&res, "departement", "31"), "Haute-Garonne");
	assert_string_equal(flabel(&res, "departement", "85"), "Vendée");
	assert_string_equal(flabel(&res, "theme", "mobility"), "Mobilité");
	assert_string_equal(flabel(&res, "status", "experiment"), "En expérimentation");
	assert_string_equal(flabel(&res, "org_kind", "epci"), "Intercommunalité (EPCI)");
	assert_string_equal(flabel(&res, "population_band", "lt_3500"), vocab_label(&vocab_pop_band, "lt_3500"));
	assert_string_equal(flabel(&res, "ai_technique", "nlp"), "Traitement automatique du langage");
	assert_string_equal(flabel(&res, "risk_level", "high"), "Haut risque");
	/* by count, then by label on ties */
	const struct facet *f = facet_named(&res, "departement");
	assert_string_equal(f->counts[0].value, "33");
	assert_string_equal(f->counts[1].value, "69");
	assert_string_equal(f->counts[2].label, "Haute-Garonne");
	assert_string_equal(f->counts[3].label, "Vendée");
	search_result_free(&res);

	assert_string_equal(search_facet_label("region"), "Région");
	assert_null(search_facet_label("nope"));
	assert_null(search_facet_vocab("region"));
	assert_ptr_equal(search_facet_vocab("theme"), &vocab_theme);
	assert_true(search_facet_value_ok("departement", "2A"));
	assert_true(search_facet_value_ok("departement", "975"));
	assert_false(search_facet_value_ok("region", "2A"));
	assert_true(search_facet_value_ok("theme", "mobility"));
	assert_false(search_facet_value_ok("theme", "Mobilité"));
	assert_false(search_facet_value_ok("nope", "x"));
	assert_false(search_facet_value_ok("region", "7"));
}

static void test_each_facet_filter(void **state)
{
	struct tdb *t = *state;
	static const struct { const char *facet, *values; int64_t total; } cases[] = {
		{ "theme", "mobility", 2 },
		{ "theme", "ecological_transition", 4 },
		{ "status", "experiment", 4 },
		{ "status", "abandoned", 1 },
		{ "org_kind", "epci", 2 },
		{ "org_kind", "region", 2 },
		{ "region", "84", 3 },
		{ "region", "52", 1 },
		{ "departement", "33", 4 },
		{ "departement", "31", 1 },
		{ "population_band", "lt_3500", 1 },
		{ "population_band", "20000_100000", 2 },
		{ "ai_technique", "nlp", 2 },
		{ "ai_technique", "neural_networks", 2 },
		{ "risk_level", "minimal", 2 },
		{ "risk_level", "high", 1 },
		/* several values of one facet: OR */
		{ "theme", "mobility,citizenship", 4 },
		{ "region", "84,76", 5 },
		{ "ai_technique", "nlp,optimisation", 3 },
		{ "ai_technique", "machine_learning,neural_networks", 4 },
		{ "org_kind", "epci,departement,region", 6 },
		/* values the index has never seen, or not in the vocabulary */
		{ "theme", "nope", 0 },
		{ "region", "93", 0 },
		{ "ai_technique", "unknown", 0 },
		{ "ai_technique", "not_a_technique", 0 },
		{ "theme", "nope,mobility", 2 },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct search_query sq;
		sq_init(&sq, NULL);
		sq_filter(&sq, cases[i].facet, cases[i].values);
		struct search_result res;
		run(t->db, &sq, &res);
		if (res.total != cases[i].total)
			fail_msg("%s=%s: total %lld, want %lld", cases[i].facet, cases[i].values, (long long)res.total,
			         (long long)cases[i].total);
		assert_int_equal(res.nhits, res.total);
		search_result_free(&res);
		check_against_oracle(t->db, &sq);
	}
}

static void test_two_facets(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	struct search_result res;
	sq_init(&sq, NULL);
	sq_filter(&sq, "theme", "ecological_transition");
	sq_filter(&sq, "org_kind", "commune");
	run(t->db, &sq, &res);
	char *s = ids_of(&res);
	assert_string_equal(s, "10");
	free(s);
	search_result_free(&res);
	check_against_oracle(t->db, &sq);

	sq_init(&sq, NULL);
	sq_filter(&sq, "region", "75");
	sq_filter(&sq, "ai_technique", "machine_learning");
	sq_filter(&sq, "status", "deployed");
	check_against_oracle(t->db, &sq);
	run(t->db, &sq, &res);
	s = ids_of(&res);
	assert_string_equal(s, "2,1");
	free(s);
	search_result_free(&res);

	sq_init(&sq, NULL);
	sq_filter(&sq, "theme", "mobility,citizenship");
	sq_filter(&sq, "departement", "33,69,31");
	sq_filter(&sq, "population_band", "gt_100000,20000_100000");
	check_against_oracle(t->db, &sq);

	/* an empty filter (no value) and an unknown facet are ignored */
	sq_init(&sq, NULL);
	sq_filter(&sq, "theme", "");
	sq_filter(&sq, "nope", "x");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, NVISIBLE);
	search_result_free(&res);
}

static void test_disjunctive_facets(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	struct search_result res;
	sq_init(&sq, NULL);
	sq_filter(&sq, "theme", "ecological_transition");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 4);
	/* the theme facet still counts the other themes */
	assert_int_equal(fcount(&res, "theme", "ecological_transition"), 4);
	assert_int_equal(fcount(&res, "theme", "mobility"), 2);
	assert_int_equal(fcount(&res, "theme", "citizenship"), 2);
	assert_int_equal(fcount(&res, "theme", "attractiveness"), 1);
	assert_int_equal(fcount(&res, "theme", "administration"), 1);
	assert_int_equal(fcount(&res, "theme", "health_solidarity"), 1);
	/* the other facets are restricted to the theme */
	assert_int_equal(fcount(&res, "org_kind", "epci"), 2);
	assert_int_equal(fcount(&res, "org_kind", "commune"), 1);
	assert_int_equal(fcount(&res, "org_kind", "region"), 1);
	assert_int_equal(fcount(&res, "org_kind", "departement"), 0);
	assert_int_equal(fcount(&res, "status", "experiment"), 2);
	assert_int_equal(fcount(&res, "status", "idea"), 0);
	assert_int_equal(fcount(&res, "ai_technique", "nlp"), 0);
	assert_int_equal(fcount(&res, "ai_technique", "neural_networks"), 2);
	search_result_free(&res);

	/* two facets: each counted with the other's filter only */
	sq_filter(&sq, "org_kind", "commune");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 1);
	/* theme counts among communes: 1, 12 mobility; 3 citizenship; 4; 10 */
	assert_int_equal(fcount(&res, "theme", "mobility"), 2);
	assert_int_equal(fcount(&res, "theme", "citizenship"), 1);
	assert_int_equal(fcount(&res, "theme", "attractiveness"), 1);
	assert_int_equal(fcount(&res, "theme", "ecological_transition"), 1);
	assert_int_equal(fcount(&res, "theme", "administration"), 0);
	/* org_kind counts within the theme */
	assert_int_equal(fcount(&res, "org_kind", "epci"), 2);
	assert_int_equal(fcount(&res, "org_kind", "region"), 1);
	assert_int_equal(fcount(&res, "org_kind", "commune"), 1);
	/* the rest: both filters */
	assert_int_equal(fcount(&res, "status", "experiment"), 1);
	assert_int_equal(fcount(&res, "status", "deployed"), 0);
	search_result_free(&res);
	check_against_oracle(t->db, &sq);

	/* the technique facet (a bitmask) is disjunctive too */
	sq_init(&sq, NULL);
	sq_filter(&sq, "ai_technique", "nlp");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 2);
	assert_int_equal(fcount(&res, "ai_technique", "nlp"), 2);
	assert_int_equal(fcount(&res, "ai_technique", "machine_learning"), 3);
	assert_int_equal(fcount(&res, "ai_technique", "computer_vision"), 3);
	assert_int_equal(fcount(&res, "theme", "citizenship"), 1);
	assert_int_equal(fcount(&res, "theme", "administration"), 1);
	assert_int_equal(fcount(&res, "theme", "mobility"), 0);
	search_result_free(&res);
	check_against_oracle(t->db, &sq);

	/* with text: only the matching records count */
	sq_init(&sq, "transition");
	sq_filter(&sq, "org_kind", "epci");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 2);
	assert_int_equal(fcount(&res, "org_kind", "epci"), 2);
	assert_int_equal(fcount(&res, "org_kind", "commune"), 1);
	assert_int_equal(fcount(&res, "org_kind", "region"), 1);
	assert_int_equal(fcount(&res, "theme", "ecological_transition"), 2);
	assert_int_equal(fcount(&res, "theme", "mobility"), 0);
	assert_int_equal(fcount(&res, "region", "75"), 1);
	assert_int_equal(fcount(&res, "region", "84"), 1);
	search_result_free(&res);
}

static void test_facets_with_text_and_filters(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	struct search_result res;
	/* text + two filters on the hits and the total */
	sq_init(&sq, "velo");
	sq_filter(&sq, "theme", "mobility");
	run(t->db, &sq, &res);
	char *s = ids_of(&res);
	assert_string_equal(s, "1");
	assert_int_equal(res.total, 1);
	assert_int_equal(fcount(&res, "theme", "ecological_transition"), 1);
	free(s);
	search_result_free(&res);
	sq_filter(&sq, "region", "84");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 0);
	assert_int_equal(res.nhits, 0);
	/* region counts with theme=mobility and the text: 75 (record 1) */
	assert_int_equal(fcount(&res, "region", "75"), 1);
	assert_int_equal(fcount(&res, "region", "84"), 0);
	/* theme counts with region=84 and the text: record 6 */
	assert_int_equal(fcount(&res, "theme", "ecological_transition"), 1);
	assert_int_equal(fcount(&res, "theme", "mobility"), 0);
	search_result_free(&res);
	sq_init(&sq, "velo");
	sq_filter(&sq, "ai_technique", "optimisation,rules");
	run(t->db, &sq, &res);
	s = ids_of(&res);
	assert_string_equal(s, "6");
	free(s);
	search_result_free(&res);
}

/* ==== Snippets ==== */

static void test_snippets(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	struct search_result res;
	sq_init(&sq, "velo");
	sq.by_relevance = true;
	run(t->db, &sq, &res);
	assert_int_equal(res.nhits, 2);
	const struct search_hit *h = hit_of(&res, 6);
	assert_non_null(h->snippet_html);
	assert_non_null(strstr(h->snippet_html, "<mark>vélo</mark> cargo"));
	h = hit_of(&res, 1);
	assert_non_null(h->snippet_html);
	assert_non_null(strstr(h->snippet_html, "<mark>vélos</mark>"));
	assert_non_null(res.fts);
	assert_string_equal(res.fts, "\"velo\"*");
	search_result_free(&res);

	sq_init(&sq, "coeur");
	run(t->db, &sq, &res);
	assert_int_equal(res.nhits, 1);
	assert_non_null(strstr(res.hits[0].snippet_html, "<mark>Cœur</mark>"));
	search_result_free(&res);

	/* Markdown reduced to text, escaped apostrophes */
	sq_init(&sq, "détection des fuites");
	run(t->db, &sq, &res);
	assert_int_equal(res.nhits, 1);
	h = &res.hits[0];
	assert_non_null(h->snippet_html);
	assert_null(strstr(h->snippet_html, "**"));
	assert_non_null(strstr(h->snippet_html, "<mark>détection</mark> des <mark>fuites</mark> s&#39;appuie"));
	search_result_free(&res);

	/* no text: no snippet */
	sq_init(&sq, NULL);
	run(t->db, &sq, &res);
	for (int i = 0; i < res.nhits; i++) assert_null(res.hits[i].snippet_html);
	assert_null(res.fts);
	search_result_free(&res);

	/* a match only on the organisation's name: no text to show */
	sq_init(&sq, "blagnac");
	run(t->db, &sq, &res);
	assert_int_equal(res.nhits, 1);
	assert_int_equal(res.hits[0].id, 12);
	assert_null(res.hits[0].snippet_html);
	search_result_free(&res);

	/* HTML in a record's text is escaped in the snippet */
	struct rec r = recs[0];
	r.title = "Test <b>gras</b> & co";
	r.summary = "Le <script>alert(1)</script> trottinette \"rapide\".";
	int64_t id = save_rec(t->db, &r);
	sq_init(&sq, "trottinette");
	run(t->db, &sq, &res);
	assert_int_equal(res.nhits, 1);
	h = hit_of(&res, id);
	assert_string_equal(h->title, "Test <b>gras</b> & co"); /* raw: the pages escape it */
	assert_non_null(h->snippet_html);
	assert_null(strstr(h->snippet_html, "<script"));
	assert_non_null(strstr(h->snippet_html, "&lt;script&gt;alert(1)&lt;/script&gt; <mark>trottinette</mark>"));
	search_result_free(&res);
}

/* ==== Index refresh ==== */

static void test_refresh_new_record(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	struct search_result res;
	assert_set(t->db, "trottinette", "");
	sq_init(&sq, NULL);
	run(t->db, &sq, &res);
	assert_int_equal(res.total, NVISIBLE);
	assert_int_equal(fcount(&res, "theme", "mobility"), 2);
	assert_int_equal(fcount(&res, "region", "84"), 3);
	search_result_free(&res);

	struct rec r = recs[2];
	r.title = "Trottinettes partagées";
	r.summary = "Répartir les trottinettes entre les quartiers.";
	r.description = NULL;
	r.theme = "mobility";
	r.tech[0] = "optimisation";
	r.tech[1] = NULL;
	int64_t id = save_rec(t->db, &r);
	assert_int_equal(id, 13);

	assert_set(t->db, "trottinette", "13");
	sq_init(&sq, NULL);
	run(t->db, &sq, &res);
	assert_int_equal(res.total, NVISIBLE + 1);
	assert_int_equal(res.hits[0].id, 13);
	assert_int_equal(fcount(&res, "theme", "mobility"), 3);
	assert_int_equal(fcount(&res, "region", "84"), 4);
	assert_int_equal(fcount(&res, "ai_technique", "optimisation"), 2);
	search_result_free(&res);
	sq_init(&sq, NULL);
	sq_filter(&sq, "theme", "mobility");
	sq_filter(&sq, "region", "84");
	run(t->db, &sq, &res);
	char *s = ids_of(&res);
	assert_string_equal(s, "13");
	free(s);
	search_result_free(&res);

	/* a new facet value never seen before (the index dictionary grows) */
	r.title = "Jumeau numérique de Nantes";
	r.summary = "Modéliser la ville.";
	r.owner = "commune-44109";
	r.theme = "governance";
	r.risk = "not_assessed";
	id = save_rec(t->db, &r);
	sq_init(&sq, NULL);
	sq_filter(&sq, "region", "52");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 2);
	assert_int_equal(fcount(&res, "theme", "governance"), 1);
	assert_int_equal(fcount(&res, "departement", "44"), 1);
	assert_string_equal(flabel(&res, "departement", "44"), "Loire-Atlantique");
	assert_int_equal(fcount(&res, "risk_level", "not_assessed"), 1);
	search_result_free(&res);
	sq_init(&sq, NULL);
	sq_filter(&sq, "theme", "governance");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 1);
	assert_int_equal(res.hits[0].id, id);
	search_result_free(&res);
}

static void test_refresh_state_change(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	struct search_result res;
	assert_set(t->db, "velo", "1,6");

	/* published -> retracted: still found, state shown */
	resave(t->db, 1, "retracted", NULL, NULL);
	sq_init(&sq, "velo");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 2);
	assert_string_equal(hit_of(&res, 1)->state, "retracted");
	search_result_free(&res);

	/* -> draft: gone from text search, lists, counts and filters */
	resave(t->db, 1, "draft", NULL, NULL);
	assert_set(t->db, "velo", "6");
	sq_init(&sq, NULL);
	run(t->db, &sq, &res);
	assert_int_equal(res.total, NVISIBLE - 1);
	assert_int_equal(fcount(&res, "theme", "mobility"), 1);
	assert_int_equal(fcount(&res, "ai_technique", "machine_learning"), 2);
	for (int i = 0; i < res.nhits; i++) assert_true(res.hits[i].id != 1);
	search_result_free(&res);
	sq_init(&sq, NULL);
	sq_filter(&sq, "theme", "mobility");
	run(t->db, &sq, &res);
	char *s = ids_of(&res);
	assert_string_equal(s, "12");
	free(s);
	search_result_free(&res);

	/* the draft 11 published */
	resave(t->db, 11, "published", NULL, NULL);
	assert_set(t->db, "brouillon", "11");
	assert_set(t->db, "velo", "6,11");

	/* back to published, and a facet value changed */
	resave(t->db, 1, "published", "theme", "citizenship");
	assert_set(t->db, "velo", "1,6,11");
	sq_init(&sq, NULL);
	sq_filter(&sq, "theme", "mobility");
	run(t->db, &sq, &res);
	s = sorted_ids(&res);
	assert_string_equal(s, "11,12");
	/* 11 was saved after 12 (maybe in the same second: then by id) */
	if (strcmp(res.hits[0].updated_at, res.hits[1].updated_at) > 0) assert_int_equal(res.hits[0].id, 11);
	assert_true(strcmp(res.hits[0].updated_at, res.hits[1].updated_at) >= 0);
	assert_int_equal(fcount(&res, "theme", "citizenship"), 3);
	free(s);
	search_result_free(&res);

	/* the owner changed: organisation facets and owner filter follow */
	resave(t->db, 1, NULL, "owner", "region-84");
	sq_init(&sq, NULL);
	sq_filter(&sq, "org_kind", "region");
	run(t->db, &sq, &res);
	s = sorted_ids(&res);
	assert_string_equal(s, "1,8,9");
	assert_int_equal(fcount(&res, "region", "84"), 1);
	free(s);
	search_result_free(&res);
	sq_init(&sq, NULL);
	sq.owner_org_id = org_id(t->db, "commune-33063");
	run(t->db, &sq, &res);
	s = ids_of(&res);
	assert_string_equal(s, "11");
	free(s);
	search_result_free(&res);
	assert_set(t->db, "bordeaux", "2,11");
}

static void test_refresh_second_connection(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	struct search_result res;
	/* the index is loaded from the first connection */
	sq_init(&sq, NULL);
	run(t->db, &sq, &res);
	assert_int_equal(res.total, NVISIBLE);
	search_result_free(&res);
	assert_set(t->db, "trottinette", "");

	/* the CLI writes through its own connection */
	char *err = NULL;
	db_t *cli = db_open(t->path, 0, &err);
	assert_non_null(cli);
	struct rec r = recs[0];
	r.title = "Trottinettes électriques";
	r.summary = "Suivre les trottinettes.";
	r.theme = "attractiveness";
	int64_t id = save_rec(cli, &r);
	resave(cli, 3, "draft", NULL, NULL);

	/* the first connection sees both writes */
	assert_set(t->db, "trottinette", "13");
	assert_set(t->db, "ecole", "");
	sq_init(&sq, NULL);
	run(t->db, &sq, &res);
	assert_int_equal(res.total, NVISIBLE);
	assert_int_equal(res.hits[0].id, id);
	assert_int_equal(fcount(&res, "theme", "attractiveness"), 2);
	assert_int_equal(fcount(&res, "theme", "citizenship"), 1);
	search_result_free(&res);

	/* and a write through the first one is seen when searching on the
	 * second (same process, same index) */
	resave(t->db, 3, "published", NULL, NULL);
	sq_init(&sq, "ecole");
	run(cli, &sq, &res);
	assert_int_equal(res.total, 1);
	search_result_free(&res);
	sq_init(&sq, NULL);
	sq_filter(&sq, "theme", "citizenship");
	run(cli, &sq, &res);
	assert_int_equal(res.total, 2);
	search_result_free(&res);

	/* several writes in a row on the second, searches on the first */
	for (int i = 0; i < 5; i++) resave(cli, 5, (i % 2) ? "published" : "draft", NULL, NULL);
	sq_init(&sq, NULL);
	sq_filter(&sq, "theme", "administration");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 0);
	search_result_free(&res);
	resave(cli, 5, "published", NULL, NULL);
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 1);
	search_result_free(&res);
	db_close(cli);
}

/* A value removed from a record (an optional field cleared, a technique
 * dropped) leaves the facet counts and filters. */
static void test_refresh_cleared_value(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	struct search_result res;
	sq_init(&sq, NULL);
	sq_filter(&sq, "risk_level", "minimal");
	run(t->db, &sq, &res);
	assert_int_equal(res.total, 2);
	search_result_free(&res);

	struct uc_full u;
	assert_int_equal(store_usecase_load(t->db, 12, &u), 1);
	json_object_del(u.doc, "risk_level");
	json_object_set_new(u.doc, "ai_techniques", json_pack("[s]", "rules"));
	save_doc(t->db, u.doc, 12, NULL);
	store_usecase_free(&u);

	run(t->db, &sq, &res);
	char *s = ids_of(&res);
	assert_string_equal(s, "1");
	assert_int_equal(fcount(&res, "risk_level", "minimal"), 1);
	free(s);
	search_result_free(&res);
	sq_init(&sq, NULL);
	sq_filter(&sq, "ai_technique", "computer_vision");
	run(t->db, &sq, &res);
	s = sorted_ids(&res);
	assert_string_equal(s, "4,10");
	assert_int_equal(fcount(&res, "ai_technique", "rules"), 2);
	free(s);
	search_result_free(&res);
}

/* Server-like use: reader threads, each with its own connection, search
 * while another connection writes. No search fails, totals only grow, and
 * once the writes are done every reader sees all of them. */
struct reader {
	const char *path;
	int errors, shrinks;
	int64_t last_total, last_text_total;
	pthread_t th;
};

static volatile int writers_done;

/* One search on db; -1 on failure, else the total. */
static int64_t reader_search(db_t *db, const char *q, bool filtered)
{
	struct search_query sq;
	sq_init(&sq, q);
	sq.per_page = 5;
	if (filtered) {
		/* not sq_filter(): its pool is not for threads */
		sq.filters[0].facet = "theme";
		sq.filters[0].values[0] = "mobility";
		sq.filters[0].values[1] = "attractiveness";
		sq.filters[0].nvalues = 2;
		sq.nfilters = 1;
	}
	struct search_result res;
	if (search_run(db, &sq, &res) != 0) return -1;
	int64_t n = res.total;
	search_result_free(&res);
	return n;
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	char *err = NULL;
	db_t *db = db_open(rd->path, 0, &err);
	if (!db) {
		rd->errors++;
		free(err);
		return NULL;
	}
	int64_t prev = 0;
	while (!__atomic_load_n(&writers_done, __ATOMIC_SEQ_CST)) {
		int64_t n = reader_search(db, NULL, false);
		if (n < 0) rd->errors++;
		if (n < prev) rd->shrinks++;
		if (n > prev) prev = n;
		if (reader_search(db, "trottinette", false) < 0) rd->errors++;
		if (reader_search(db, NULL, true) < 0) rd->errors++;
		if (reader_search(db, "trottinette lot", true) < 0) rd->errors++;
	}
	rd->last_total = reader_search(db, NULL, false);
	rd->last_text_total = reader_search(db, "trottinette", false);
	db_close(db);
	return NULL;
}

static void test_concurrent_readers(void **state)
{
	struct tdb *t = *state;
	struct reader rd[3];
	__atomic_store_n(&writers_done, 0, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 3; i++) {
		memset(&rd[i], 0, sizeof rd[i]);
		rd[i].path = t->path;
		assert_int_equal(pthread_create(&rd[i].th, NULL, reader_main, &rd[i]), 0);
	}
	struct rec r = recs[3];
	for (int i = 0; i < 40; i++) {
		char title[64];
		snprintf(title, sizeof title, "Trottinettes, lot %d", i);
		r.title = title;
		save_rec(t->db, &r);
	}
	__atomic_store_n(&writers_done, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 3; i++) {
		pthread_join(rd[i].th, NULL);
		assert_int_equal(rd[i].errors, 0);
		assert_int_equal(rd[i].shrinks, 0);
		assert_int_equal(rd[i].last_total, NVISIBLE + 40);
		assert_int_equal(rd[i].last_text_total, 40);
	}
}

/* A failed save (unknown organisation) changes nothing the search sees. */
static void test_refresh_failed_save(void **state)
{
	struct tdb *t = *state;
	struct search_query sq;
	struct search_result res;
	sq_init(&sq, NULL);
	run(t->db, &sq, &res);
	assert_int_equal(res.total, NVISIBLE);
	search_result_free(&res);
	json_t *doc = rec_doc(&recs[0]);
	json_object_set_new(doc, "owner", json_string("commune-99999"));
	struct uc_save p = { 0 };
	p.state = "published";
	struct verrors e = { 0 };
	int64_t id = 0;
	assert_int_equal(store_usecase_save(t->db, doc, &p, &e, &id, NULL), STORE_INVALID);
	json_decref(doc);
	run(t->db, &sq, &res);
	assert_int_equal(res.total, NVISIBLE);
	search_result_free(&res);
	assert_set(t->db, "velo", "1,6");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
	const struct CMUnitTest tests[] = {
		T(test_folding),
		T(test_stop_words),
		T(test_prefix),
		T(test_phrase),
		T(test_relevance_and_update_order),
		T(test_title_weight),
		T(test_hostile_queries),
		T(test_visibility),
		T(test_owner_filter),
		T(test_pagination),
		T(test_many_matches_paging),
		T(test_facets_no_filter),
		T(test_facet_labels),
		T(test_each_facet_filter),
		T(test_two_facets),
		T(test_disjunctive_facets),
		T(test_facets_with_text_and_filters),
		T(test_snippets),
		T(test_refresh_new_record),
		T(test_refresh_state_change),
		T(test_refresh_second_connection),
		T(test_refresh_cleared_value),
		T(test_concurrent_readers),
		T(test_refresh_failed_save),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
