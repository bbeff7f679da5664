/*
 * test_org.c — unit tests for org.c and cli_orgs.c.
 *
 * Most tests load tests/fixtures/orgs-mini/ (real entries copied from npm
 * @etalab/decoupage-administratif@6.0.0, EPCI member lists cut down to the
 * communes kept) into a fresh temporary database. Variants of the fixture
 * (a commune removed, a duplicate SIREN, a broken file...) are written by
 * the tests into temporary directories with jansson. test_full_reference
 * loads the whole real data set when it is installed under
 * $IAT_SOURCE_DIR/node_modules (skipped otherwise) and prints the load
 * time. The CLI tests fork, because misuse and failure end in exit().
 *
 * Paths are relative to $IAT_SOURCE_DIR (set by CTest), or to the current
 * directory when it is unset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "db.h"
#include "org.h"
#include "siren.h"
#include "util.h"

/* ==== helpers ==== */

static const char *const files[] = {
	"regions.json", "departements.json", "communes.json", "epci.json", "ept.json",
};

static char *src_path(const char *rel)
{
	const char *root = getenv("IAT_SOURCE_DIR");
	return xasprintf("%s/%s", root && *root ? root : ".", rel);
}

static char *fixture_dir(void)
{
	return src_path("tests/fixtures/orgs-mini");
}

struct tdb {
	db_t *db;
	char path[64];
};

static void tdb_open(struct tdb *t)
{
	strcpy(t->path, "/tmp/iat-test-org-XXXXXX");
	int fd = mkstemp(t->path);
	assert_true(fd >= 0);
	close(fd);
	char *err = NULL;
	t->db = db_open(t->path, DB_CREATE, &err);
	assert_non_null(t->db);
	assert_true(db_migrate(t->db) >= 0);
}

static void tdb_close(struct tdb *t)
{
	db_close(t->db);
	char p[80];
	unlink(t->path);
	snprintf(p, sizeof p, "%s-wal", t->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", t->path);
	unlink(p);
}

static int64_t q_int(db_t *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* All rows of a one-column query joined with ',' (heap). */
static char *q_list(db_t *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	buf_t b = BUF_INIT;
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (b.len) buf_putc(&b, ',');
		const char *t = (const char *)sqlite3_column_text(st, 0);
		buf_puts(&b, t ? t : "NULL");
	}
	sqlite3_finalize(st);
	buf_putc(&b, 0);
	return buf_detach(&b);
}

static void load_ok(db_t *db, const char *dir, struct org_load_stats *s)
{
	char *err = NULL;
	int rc = org_load_reference(db, dir, false, s, &err);
	if (rc != 0) fprintf(stderr, "load failed: %s\n", err ? err : "?");
	assert_int_equal(rc, 0);
	assert_null(err);
}

static void load_fixture(db_t *db, struct org_load_stats *s)
{
	char *dir = fixture_dir();
	load_ok(db, dir, s);
	free(dir);
}

/* Key of the organisation found by org_find, or NULL. */
static char *find_key(db_t *db, const char *key)
{
	struct org o = { 0 };
	int rc = org_find(db, key, &o);
	assert_true(rc == 0 || rc == 1);
	if (rc == 0) return NULL;
	char *k = org_key(&o);
	org_free(&o);
	return k;
}

#define assert_find(db, key, expected)                                                           \
	do {                                                                                     \
		char *got_ = find_key(db, key);                                                  \
		assert_non_null(got_);                                                           \
		assert_string_equal(got_, expected);                                             \
		free(got_);                                                                      \
	} while (0)

#define assert_not_found(db, key)                                                                \
	do {                                                                                     \
		char *got_ = find_key(db, key);                                                  \
		if (got_) fprintf(stderr, "unexpectedly found %s for key\n", got_);              \
		assert_null(got_);                                                               \
	} while (0)

static char *name_key(db_t *db, const char *name, const char *hint)
{
	struct org o = { 0 };
	int rc = org_find_by_name(db, name, hint, &o);
	assert_true(rc == 0 || rc == 1);
	if (rc == 0) return NULL;
	char *k = org_key(&o);
	org_free(&o);
	return k;
}

#define assert_name(db, name, hint, expected)                                                    \
	do {                                                                                     \
		char *got_ = name_key(db, name, hint);                                           \
		if (!got_) fprintf(stderr, "no match for name %s\n", name);                      \
		assert_non_null(got_);                                                           \
		assert_string_equal(got_, expected);                                             \
		free(got_);                                                                      \
	} while (0)

static int search_cb(void *ctx, const struct org *o)
{
	buf_t *b = ctx;
	char *k = org_key(o);
	if (b->len) buf_putc(b, ',');
	buf_puts(b, k);
	free(k);
	return 0;
}

/* Keys of the results joined with ','; *n the return value. */
static char *search_keys(db_t *db, const char *q, int limit, int offset, int *n)
{
	buf_t b = BUF_INIT;
	*n = org_search(db, q, limit, offset, search_cb, &b);
	buf_putc(&b, 0);
	return buf_detach(&b);
}

#define assert_search(db, q, expected)                                                           \
	do {                                                                                     \
		int n_;                                                                          \
		char *got_ = search_keys(db, q, 20, 0, &n_);                                     \
		assert_true(n_ >= 0);                                                            \
		assert_string_equal(got_, expected);                                             \
		free(got_);                                                                      \
	} while (0)

/* ---- fixture variants ---- */

typedef void (*mutator)(const char *file, json_t *root, void *ctx);

/* Copy the fixture into a new temporary directory (path written to out),
 * passing each file through mut first. */
static void variant(mutator mut, void *ctx, char out[64])
{
	strcpy(out, "/tmp/iat-test-orgs-XXXXXX");
	assert_non_null(mkdtemp(out));
	char *fx = fixture_dir();
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char *in = xasprintf("%s/%s", fx, files[i]);
		char *dst = xasprintf("%s/%s", out, files[i]);
		json_t *root = json_load_file(in, 0, NULL);
		assert_non_null(root);
		if (mut) mut(files[i], root, ctx);
		assert_int_equal(json_dump_file(root, dst, JSON_COMPACT), 0);
		json_decref(root);
		free(in);
		free(dst);
	}
	free(fx);
}

static void variant_rm(const char *dir)
{
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char *p = xasprintf("%s/%s", dir, files[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
}

static json_t *find_entry(json_t *root, const char *code)
{
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		const char *c = json_string_value(json_object_get(v, "code"));
		if (c && strcmp(c, code) == 0) return v;
	}
	return NULL;
}

static bool in_list(const char *code, const char *const *list)
{
	for (; *list; list++)
		if (code && strcmp(code, *list) == 0) return true;
	return false;
}

/* ctx: NULL-terminated list of commune codes to remove (also from EPCI and
 * EPT member lists) */
static void mut_remove_communes(const char *file, json_t *root, void *ctx)
{
	const char *const *codes = ctx;
	if (strcmp(file, "communes.json") == 0) {
		for (size_t i = json_array_size(root); i-- > 0;)
			if (in_list(json_string_value(json_object_get(json_array_get(root, i), "code")), codes))
				json_array_remove(root, i);
	} else if (strcmp(file, "epci.json") == 0 || strcmp(file, "ept.json") == 0) {
		size_t i;
		json_t *g;
		json_array_foreach(root, i, g) {
			json_t *m = json_object_get(g, "membres");
			for (size_t k = json_array_size(m); k-- > 0;)
				if (in_list(json_string_value(json_object_get(json_array_get(m, k), "code")), codes))
					json_array_remove(m, k);
		}
	}
}

static void mut_dup_siren(const char *file, json_t *root, void *ctx)
{
	if (strcmp(file, "communes.json") != 0) return;
	/* Mérignac (33281) gets Bordeaux's (33063) SIREN */
	json_object_set_new(find_entry(root, "33281"), "siren", json_string("213300635"));
}

static void mut_unknown_member(const char *file, json_t *root, void *ctx)
{
	if (strcmp(file, "epci.json") != 0) return;
	json_t *m = json_object_get(find_entry(root, "243300316"), "membres");
	json_array_append_new(m, json_pack("{s:s, s:s}", "code", "33999", "nom", "Nulle part"));
}

/* CA Villefranche Beaujolais Saône: members reordered / cut as ctx says:
 * a NULL-terminated list of the member codes to keep, in that order. */
static void mut_villefranche(const char *file, json_t *root, void *ctx)
{
	if (strcmp(file, "epci.json") != 0) return;
	const char *const *order = ctx;
	json_t *g = find_entry(root, "200040590");
	json_t *old = json_object_get(g, "membres");
	json_t *neu = json_array();
	for (; *order; order++) json_array_append(neu, find_entry(old, *order));
	json_object_set_new(g, "membres", neu);
}

static void mut_bad_type(const char *file, json_t *root, void *ctx)
{
	if (strcmp(file, "epci.json") != 0) return;
	json_object_set_new(find_entry(root, "200046977"), "type", json_string("XYZ"));
}

/* ==== population bands and labels ==== */

static void test_band(void **state)
{
	assert_null(org_band(-1));
	assert_string_equal(org_band(0), "lt_3500");
	assert_string_equal(org_band(3499), "lt_3500");
	assert_string_equal(org_band(3500), "3500_20000");   /* lower bounds are inclusive */
	assert_string_equal(org_band(19999), "3500_20000");
	assert_string_equal(org_band(20000), "20000_100000");
	assert_string_equal(org_band(100000), "20000_100000"); /* "plus de 100 000" is strict */
	assert_string_equal(org_band(100001), "gt_100000");
	assert_string_equal(org_band(2165423), "gt_100000");
	assert_string_equal(org_band_label("lt_3500"), "moins de 3\u00a0500 habitants");
	assert_string_equal(org_band_label("gt_100000"), "plus de 100\u00a0000 habitants");
	assert_non_null(org_band_label("3500_20000"));
	assert_non_null(org_band_label("20000_100000"));
	assert_null(org_band_label("nope"));
	assert_null(org_band_label(NULL));
}

static void test_kind_label(void **state)
{
	assert_string_equal(org_kind_label("commune"), "Commune");
	assert_string_equal(org_kind_label("epci"), "EPCI");
	assert_string_equal(org_kind_label("departement"), "Département");
	assert_string_equal(org_kind_label("region"), "Région");
	assert_non_null(org_kind_label("ept"));
	assert_non_null(org_kind_label("syndicat"));
	assert_non_null(org_kind_label("operateur"));
	assert_non_null(org_kind_label("autre"));
	assert_null(org_kind_label("communes"));
	assert_null(org_kind_label(""));
	assert_null(org_kind_label(NULL));
}

/* ==== loading ==== */

/* Sum of the populations of the current communes of the fixture whose
 * field (departement/region) is code; -1 when none has one. */
static int64_t fixture_sum(const char *field, const char *code)
{
	char *dir = fixture_dir();
	char *p = xasprintf("%s/communes.json", dir);
	json_t *root = json_load_file(p, 0, NULL);
	assert_non_null(root);
	int64_t sum = -1;
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "type")), "commune-actuelle") != 0) continue;
		if (strcmp(json_string_value(json_object_get(v, field)), code) != 0) continue;
		json_t *pop = json_object_get(v, "population");
		if (!pop) continue;
		if (sum < 0) sum = 0;
		sum += json_integer_value(pop);
	}
	json_decref(root);
	free(p);
	free(dir);
	return sum;
}

static void test_load_fixture(void **state)
{
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	load_fixture(t.db, &s);
	assert_int_equal(s.communes, 23); /* 25 entries, 2 not "commune-actuelle" */
	assert_int_equal(s.epci, 9);
	assert_int_equal(s.ept, 1);
	assert_int_equal(s.departements, 11);
	assert_int_equal(s.regions, 9);
	assert_int_equal(s.deactivated, 0);
	assert_true(s.seconds >= 0);
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation"), 23 + 9 + 1 + 11 + 9);
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation WHERE official = 1 AND active = 1"),
	                 53);
	/* delegated communes and municipal arrondissements are not loaded */
	assert_not_found(t.db, "commune-69015");
	assert_not_found(t.db, "commune-69381");

	struct org o = { 0 };
	assert_int_equal(org_find(t.db, "commune-33063", &o), 1);
	assert_string_equal(o.kind, "commune");
	assert_string_equal(o.code, "33063");
	assert_string_equal(o.siren, "213300635");
	assert_string_equal(o.name, "Bordeaux");
	assert_null(o.subtype);
	assert_int_equal(o.population, 267991);
	assert_string_equal(o.departement, "33");
	assert_string_equal(o.region, "75");
	assert_true(o.official);
	assert_true(o.active);
	org_free(&o);
	assert_null(o.name); /* org_free clears */

	/* no SIREN, no population (overseas) */
	assert_int_equal(org_find(t.db, "commune-98412", &o), 1);
	assert_null(o.siren);
	assert_int_equal(o.population, -1);
	org_free(&o);

	/* départements and régions: summed populations, no SIREN */
	const char *areas[][3] = {
		{ "departement-33", "departement", "33" }, { "departement-69", "departement", "69" },
		{ "departement-975", "departement", "975" }, { "region-84", "region", "84" },
		{ "region-75", "region", "75" },            { "region-975", "region", "975" },
	};
	for (size_t i = 0; i < ARRAY_LEN(areas); i++) {
		assert_int_equal(org_find(t.db, areas[i][0], &o), 1);
		int64_t want = fixture_sum(areas[i][1], areas[i][2]);
		assert_true(want > 0);
		assert_int_equal(o.population, want);
		assert_null(o.siren);
		org_free(&o);
	}
	/* 33: Bordeaux, Mérignac, Pessac, Talence, Saint-Émilion */
	assert_int_equal(fixture_sum("departement", "33"), 267991 + 78090 + 67339 + 46338 + 1608);
	assert_int_equal(org_find(t.db, "departement-984", &o), 1); /* TAAF: nobody counted */
	assert_int_equal(o.population, -1);
	assert_string_equal(o.region, "984");
	org_free(&o);
	assert_int_equal(org_find(t.db, "departement-2A", &o), 1);
	assert_string_equal(o.name, "Corse-du-Sud");
	assert_string_equal(o.departement, "2A");
	assert_string_equal(o.region, "94");
	org_free(&o);

	/* EPCI: subtype, populationMunicipale, département of the members */
	assert_int_equal(org_find(t.db, "epci-200046977", &o), 1);
	assert_string_equal(o.name, "Métropole de Lyon");
	assert_string_equal(o.subtype, "MET69");
	assert_string_equal(o.siren, "200046977");
	assert_string_equal(o.departement, "69");
	assert_string_equal(o.region, "84");
	assert_true(o.population > 1000000);
	org_free(&o);
	/* CA Villefranche: members 69264, 69092 (Rhône), 01194 (Ain) */
	assert_int_equal(org_find(t.db, "epci-200040590", &o), 1);
	assert_string_equal(o.departement, "69");
	assert_string_equal(o.subtype, "CA");
	org_free(&o);
	assert_int_equal(org_find(t.db, "ept-200058790", &o), 1);
	assert_string_equal(o.kind, "ept");
	assert_null(o.subtype);
	assert_string_equal(o.departement, "93");
	assert_string_equal(o.region, "11");
	org_free(&o);

	/* memberships */
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM org_member"), 4 + 3 + 3 + 2 + 2 + 1 + 1 + 2 + 1 + 2);
	char *l = q_list(t.db, "SELECT p.kind || '-' || p.code FROM org_member m "
	                       "JOIN organisation p ON p.id = m.parent_id "
	                       "JOIN organisation c ON c.id = m.child_id "
	                       "WHERE c.code = '93051' ORDER BY 1");
	assert_string_equal(l, "epci-200054781,ept-200058790");
	free(l);
	l = q_list(t.db, "SELECT c.code FROM org_member m JOIN organisation p ON p.id = m.parent_id "
	                 "JOIN organisation c ON c.id = m.child_id WHERE p.code = '200046977' ORDER BY 1");
	assert_string_equal(l, "69123,69259,69266");
	free(l);

	/* folded names, meta */
	l = q_list(t.db, "SELECT name_folded FROM organisation WHERE code IN ('33281', '200040590', "
	                 "'85') ORDER BY code");
	assert_string_equal(l, "ca villefranche beaujolais saone,merignac,vendee");
	free(l);
	char *v = NULL;
	assert_int_equal(db_meta_get(t.db, "orgs_source", &v), 1);
	assert_string_equal(v, "@etalab/decoupage-administratif@6.0.0");
	free(v);
	assert_int_equal(db_meta_get(t.db, "orgs_loaded_at", &v), 1);
	assert_int_equal(strlen(v), 20);
	free(v);
	tdb_close(&t);
}

static void test_reload_same_ids(void **state)
{
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	load_fixture(t.db, &s);
	const char *ids_sql = "SELECT id || ':' || kind || '-' || code || ':' || coalesce(siren, '') || "
	                      "':' || updated_at FROM organisation ORDER BY id";
	char *before = q_list(t.db, ids_sql);
	char *members_before = q_list(t.db, "SELECT parent_id || '>' || child_id FROM org_member ORDER BY 1");
	sleep(1); /* a write would show in updated_at */
	load_fixture(t.db, &s);
	load_fixture(t.db, &s);
	char *after = q_list(t.db, ids_sql);
	char *members_after = q_list(t.db, "SELECT parent_id || '>' || child_id FROM org_member ORDER BY 1");
	assert_string_equal(before, after); /* same ids, and unchanged rows are not rewritten */
	assert_string_equal(members_before, members_after);
	assert_int_equal(s.deactivated, 0);
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation"), 53);
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM (SELECT kind, code FROM organisation "
	                             "GROUP BY kind, code HAVING count(*) > 1)"), 0);
	/* the name index holds each row once */
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation_fts WHERE organisation_fts MATCH 'bordeaux'"), 2);
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation_fts('metropole')"), 6);
	free(before);
	free(after);
	free(members_before);
	free(members_after);
	tdb_close(&t);
}

static void test_reload_removed_commune(void **state)
{
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	load_fixture(t.db, &s);
	int64_t villeurbanne = q_int(t.db, "SELECT id FROM organisation WHERE code = '69266'");

	/* Saint-Émilion (in no EPCI of the fixture) and Villeurbanne (in the
	 * Métropole de Lyon) disappear */
	const char *gone[] = { "33394", "69266", NULL };
	char dir[64];
	variant(mut_remove_communes, gone, dir);
	load_ok(t.db, dir, &s);
	assert_int_equal(s.communes, 21);
	assert_int_equal(s.deactivated, 2);
	struct org o = { 0 };
	assert_int_equal(org_find(t.db, "commune-69266", &o), 1); /* kept, inactive */
	assert_false(o.active);
	assert_true(o.official);
	assert_int_equal(o.id, villeurbanne);
	org_free(&o);
	assert_int_equal(org_find(t.db, "216902668", &o), 1); /* its SIREN still finds it */
	org_free(&o);
	assert_search(t.db, "villeurb", "");  /* search shows active ones only */
	assert_search(t.db, "saint-emilion", "");
	char *l = q_list(t.db, "SELECT c.code FROM org_member m JOIN organisation p ON p.id = m.parent_id "
	                       "JOIN organisation c ON c.id = m.child_id WHERE p.code = '200046977' "
	                       "ORDER BY 1");
	assert_string_equal(l, "69123,69259");
	free(l);
	/* départements' populations no longer count them */
	assert_int_equal(org_find(t.db, "departement-33", &o), 1);
	assert_int_equal(o.population, fixture_sum("departement", "33") - 1608);
	org_free(&o);
	/* loading it again reports them again (absent from this reload) */
	load_ok(t.db, dir, &s);
	assert_int_equal(s.deactivated, 2);
	variant_rm(dir);

	/* back in the data: active again, same id */
	load_fixture(t.db, &s);
	assert_int_equal(s.deactivated, 0);
	assert_int_equal(org_find(t.db, "commune-69266", &o), 1);
	assert_true(o.active);
	assert_int_equal(o.id, villeurbanne);
	org_free(&o);
	assert_search(t.db, "villeurb", "commune-69266");
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation"), 53);
	tdb_close(&t);
}

static void test_group_area_rule(void **state)
{
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	struct org o = { 0 };
	char dir[64];
	struct {
		const char *order[4];
		const char *dep, *reg;
	} cases[] = {
		{ { "01194", "69264", "69092", NULL }, "69", "84" }, /* majority beats first */
		{ { "69264", "01194", NULL }, "69", "84" },          /* tie: the first */
		{ { "01194", "69264", NULL }, "01", "84" },          /* tie: the first */
		{ { NULL }, NULL, NULL },                            /* no members */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		variant(mut_villefranche, (void *)cases[i].order, dir);
		load_ok(t.db, dir, &s);
		variant_rm(dir);
		assert_int_equal(org_find(t.db, "epci-200040590", &o), 1);
		if (cases[i].dep) {
			assert_string_equal(o.departement, cases[i].dep);
			assert_string_equal(o.region, cases[i].reg);
		} else {
			assert_null(o.departement);
			assert_null(o.region);
		}
		org_free(&o);
	}
	tdb_close(&t);
}

/* A failed load leaves the database exactly as it was. */
static void expect_load_error(db_t *db, const char *dir, const char *needle1, const char *needle2)
{
	const char *snap_sql = "SELECT id || kind || code || coalesce(siren, '') || name || active || "
	                       "updated_at FROM organisation ORDER BY id";
	char *before = q_list(db, snap_sql);
	int64_t members = q_int(db, "SELECT count(*) FROM org_member");
	char *err = NULL;
	struct org_load_stats s = { 0 };
	assert_int_equal(org_load_reference(db, dir, false, &s, &err), -1);
	assert_non_null(err);
	if (!strstr(err, needle1) || (needle2 && !strstr(err, needle2)))
		fprintf(stderr, "unexpected error message: %s\n", err);
	assert_non_null(strstr(err, needle1));
	if (needle2) assert_non_null(strstr(err, needle2));
	assert_null(strchr(err, '\n'));
	free(err);
	char *after = q_list(db, snap_sql);
	assert_string_equal(before, after);
	assert_int_equal(q_int(db, "SELECT count(*) FROM org_member"), members);
	assert_true(sqlite3_get_autocommit(db_sqlite(db))); /* no transaction left open */
	free(before);
	free(after);
}

static void test_load_errors(void **state)
{
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	load_fixture(t.db, &s);
	char dir[64];

	/* broken JSON */
	variant(NULL, NULL, dir);
	char *p = xasprintf("%s/communes.json", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("[{\"code\": \"33063\", ", f);
	fclose(f);
	expect_load_error(t.db, dir, "communes.json", "JSON invalide");
	/* not an array */
	f = fopen(p, "w");
	fputs("{\"code\": \"33063\"}", f);
	fclose(f);
	expect_load_error(t.db, dir, "communes.json", "tableau");
	/* missing file */
	unlink(p);
	expect_load_error(t.db, dir, "impossible d'ouvrir", "communes.json : fichier introuvable");
	free(p);
	variant_rm(dir);

	/* a member that is not a commune: names the file, the entry, the code */
	variant(mut_unknown_member, NULL, dir);
	expect_load_error(t.db, dir, "epci.json, entrée", "33999");
	variant_rm(dir);
	variant(mut_bad_type, NULL, dir);
	expect_load_error(t.db, dir, "epci.json", "200046977");
	variant_rm(dir);

	/* a commune whose département is missing */
	const char *no_ain[] = { "01", NULL };
	variant(NULL, NULL, dir);
	p = xasprintf("%s/departements.json", dir);
	json_t *root = json_load_file(p, 0, NULL);
	for (size_t i = json_array_size(root); i-- > 0;)
		if (in_list(json_string_value(json_object_get(json_array_get(root, i), "code")), no_ain))
			json_array_remove(root, i);
	json_dump_file(root, p, 0);
	json_decref(root);
	free(p);
	expect_load_error(t.db, dir, "communes.json", "01194");
	variant_rm(dir);

	expect_load_error(t.db, "/nonexistent/iat", "/nonexistent/iat/regions.json", NULL);
	tdb_close(&t);
}

static void test_duplicate_siren(void **state)
{
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	char dir[64];
	variant(mut_dup_siren, NULL, dir);
	load_ok(t.db, dir, &s);
	assert_int_equal(s.communes, 23);
	struct org o = { 0 };
	/* the first in file order (33063 before 33281) keeps it */
	assert_int_equal(org_find(t.db, "213300635", &o), 1);
	assert_string_equal(o.code, "33063");
	org_free(&o);
	assert_int_equal(org_find(t.db, "commune-33281", &o), 1);
	assert_null(o.siren);
	org_free(&o);
	/* the real data again: Mérignac gets its own SIREN back */
	load_fixture(t.db, &s);
	assert_int_equal(org_find(t.db, "commune-33281", &o), 1);
	assert_string_equal(o.siren, "213302813");
	org_free(&o);
	/* and the duplicate again (swap-like change) */
	load_ok(t.db, dir, &s);
	variant_rm(dir);
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation WHERE siren = '213300635'"), 1);
	tdb_close(&t);
}

/* A body created by hand with the SIREN of an official one: the reference
 * wins, the hand-made row keeps its key. */
static void test_siren_taken_by_reference(void **state)
{
	struct tdb t;
	tdb_open(&t);
	char *err = NULL;
	int64_t id = org_create_other(t.db, "syndicat", "213300635", "Faux Bordeaux", NULL, &err);
	assert_true(id > 0);
	struct org_load_stats s;
	load_fixture(t.db, &s);
	assert_find(t.db, "213300635", "commune-33063");
	struct org o = { 0 };
	assert_int_equal(org_find(t.db, "syndicat-213300635", &o), 1);
	assert_int_equal(o.id, id);
	assert_null(o.siren);
	assert_true(o.active); /* not official: never deactivated */
	org_free(&o);
	tdb_close(&t);
}

/* ==== lookups ==== */

static void test_find_keys(void **state)
{
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	load_fixture(t.db, &s);

	assert_find(t.db, "commune-69123", "commune-69123");
	assert_find(t.db, "commune-2A004", "commune-2A004");
	assert_find(t.db, "commune-97502", "commune-97502");
	assert_find(t.db, "departement-2A", "departement-2A");
	assert_find(t.db, "departement-975", "departement-975");
	assert_find(t.db, "region-84", "region-84");
	assert_find(t.db, "region-975", "region-975");
	assert_find(t.db, "epci-243300316", "epci-243300316");
	assert_find(t.db, "ept-200058790", "ept-200058790");
	/* bare forms */
	assert_find(t.db, "216901231", "commune-69123");  /* SIREN */
	assert_find(t.db, "243300316", "epci-243300316"); /* an EPCI's SIREN */
	assert_find(t.db, "69123", "commune-69123");      /* INSEE */
	assert_find(t.db, "2A004", "commune-2A004");
	assert_find(t.db, "97501", "commune-97501");
	assert_find(t.db, "33", "departement-33"); /* département code */
	assert_find(t.db, "2A", "departement-2A");
	assert_find(t.db, "975", "departement-975");
	assert_find(t.db, "984", "departement-984");

	struct org o = { 0 };
	assert_int_equal(org_get(t.db, q_int(t.db, "SELECT id FROM organisation WHERE code = '33063'"), &o), 1);
	assert_string_equal(o.name, "Bordeaux");
	org_free(&o);
	assert_int_equal(org_get(t.db, 999999, &o), 0);
	assert_int_equal(org_get(t.db, -1, &o), 0);

	/* well-formed but absent */
	assert_not_found(t.db, "commune-75056");
	assert_not_found(t.db, "departement-75");
	assert_not_found(t.db, "region-27");
	assert_not_found(t.db, "epci-200054780");
	assert_not_found(t.db, "75056");
	assert_not_found(t.db, "84");  /* régions need their prefix; no département 84 here */
	assert_not_found(t.db, "syndicat-213300635");

	/* malformed */
	static const char *const bad[] = {
		"", "-", "commune", "commune-", "commune-6912", "commune-691234", "commune-2a004",
		"commune-2C004", "Commune-69123", "COMMUNE-69123", "ville-69123", "communes-69123",
		"commune--69123", "commune-69123-", "commune-69 123", " 69123", "69123 ", "6912 3",
		"departement-2a", "departement-20A", "departement-961", "departement-1", "region-2A",
		"region-1", "region-9999", "region-961", "epci-24330031", "epci-2433003160",
		"epci-24330031X", "2163009231", "21690123", "2169012310", "2B", "3", "0x21690123",
		"69123'--", "69123' OR '1'='1", "commune-69123' OR 1=1 --", "' OR 1=1 --",
		"'; DROP TABLE organisation; --", "1; DELETE FROM organisation", "%", "_", "*",
		"commune-6912%", "commune-_____", "216901231\n", "commune-69123\n", "\xc3\xa9",
		"commune-\xef\xbc\x96\xef\xbc\x99\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93", /* fullwidth digits */
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		if (find_key(t.db, bad[i])) fprintf(stderr, "bad key accepted: [%s]\n", bad[i]);
		assert_not_found(t.db, bad[i]);
	}
	assert_int_equal(org_find(t.db, NULL, &o), 0);
	char *longkey = xmalloc(10001);
	memset(longkey, '1', 10000);
	longkey[10000] = 0;
	assert_not_found(t.db, longkey);
	memcpy(longkey, "commune-", 8);
	assert_not_found(t.db, longkey);
	free(longkey);
	/* nothing happened to the table */
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation"), 53);

	/* org_area_name */
	char *n = org_area_name(t.db, "departement", "2A");
	assert_string_equal(n, "Corse-du-Sud");
	free(n);
	n = org_area_name(t.db, "region", "84");
	assert_string_equal(n, "Auvergne-Rhône-Alpes");
	free(n);
	assert_null(org_area_name(t.db, "region", "99"));
	assert_null(org_area_name(t.db, "departement", NULL));
	assert_null(org_area_name(t.db, NULL, "33"));

	/* org_key */
	struct org k = { .kind = "commune", .code = "2A004" };
	char *key = org_key(&k);
	assert_string_equal(key, "commune-2A004");
	free(key);
	tdb_close(&t);
}

/* The names the brief lists; they hold for the fixture and the real data. */
static void check_real_names(db_t *db)
{
	assert_name(db, "Bordeaux Métropole", NULL, "epci-243300316");
	assert_name(db, "Département de la Vendée", NULL, "departement-85");
	assert_name(db, "Région Occitanie", NULL, "region-76");
	assert_name(db, "Ville de Metz", NULL, "commune-57463");
	assert_name(db, "Nantes Métropole", NULL, "epci-244400404");
	assert_name(db, "Toulouse Métropole", NULL, "epci-243100518");
	assert_name(db, "Métropole de Lyon", NULL, "epci-200046977");
	assert_name(db, "Ville de Noisy-le-Grand", NULL, "commune-93051");
	assert_name(db, "Mairie de Bordeaux", NULL, "commune-33063");
	assert_name(db, "Conseil départemental de la Gironde", NULL, "departement-33");
	assert_name(db, "Département du Rhône", NULL, "departement-69");
	assert_name(db, "Département de l'Ain", NULL, "departement-01");
	assert_name(db, "Département de l’Ain", NULL, "departement-01");
	assert_name(db, "Conseil régional d'Auvergne-Rhône-Alpes", NULL, "region-84");
	assert_name(db, "Collectivité de Corse", NULL, "region-94");
	assert_name(db, "Mairie d’Ajaccio", NULL, "commune-2A004");
	assert_name(db, "Ville de La Roche-sur-Yon", NULL, "commune-85191");
	assert_name(db, "  VILLE   DE\u00a0METZ  ", NULL, "commune-57463");
	assert_name(db, "BORDEAUX METROPOLE", NULL, "epci-243300316");
	assert_name(db, "Lyon", NULL, "commune-69123");
	assert_name(db, "Saint-Émilion", NULL, "commune-33394");
	assert_name(db, "CA Villefranche Beaujolais Saône", NULL, "epci-200040590");
	assert_name(db, "Communauté d'agglomération Villefranche Beaujolais Saône", NULL, "epci-200040590");
	/* same name, same population: the hint decides */
	assert_name(db, "Saint-Pierre-et-Miquelon", "departement", "departement-975");
	assert_name(db, "Saint-Pierre-et-Miquelon", "region", "region-975");
	assert_name(db, "Département de Saint-Pierre-et-Miquelon", NULL, "departement-975");
	assert_name(db, "Collectivité territoriale de Saint-Pierre-et-Miquelon", NULL, "region-975");
	/* the hint does not exclude: nothing else is called Bordeaux */
	assert_name(db, "Bordeaux", "region", "commune-33063");
	assert_null(name_key(db, "Ville de Nulle-Part", NULL));
	assert_null(name_key(db, "Ville de", NULL));
	assert_null(name_key(db, "Région", NULL));
	assert_null(name_key(db, "", NULL));
	assert_null(name_key(db, "   ", NULL));
	assert_null(name_key(db, NULL, NULL));
	assert_null(name_key(db, "Bordeaux' OR 1=1 --", NULL));
	assert_null(name_key(db, "\xff\xfe", NULL));
}

static void test_find_by_name(void **state)
{
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	load_fixture(t.db, &s);
	check_real_names(t.db);
	assert_name(t.db, "Saint-Pierre", NULL, "commune-97502");
	tdb_close(&t);
}

/* ==== search ==== */

static void test_search(void **state)
{
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	load_fixture(t.db, &s);

	assert_search(t.db, "bordea", "commune-33063,epci-243300316");
	assert_search(t.db, "BORDEAUX", "commune-33063,epci-243300316");
	assert_search(t.db, "lyon", "commune-69123,epci-200046977");
	assert_search(t.db, "Lyon ", "commune-69123,epci-200046977");
	assert_search(t.db, "venissieux", "commune-69259");
	assert_search(t.db, "Vénissieux", "commune-69259");
	assert_search(t.db, "saint emil", "commune-33394");
	assert_search(t.db, "métropole de lyon", "epci-200046977");
	assert_search(t.db, "corse sud", "departement-2A");
	assert_search(t.db, "corse du", "region-94,departement-2A"); /* "du" is a stop word */
	/* SIREN, INSEE and département codes */
	assert_search(t.db, "216901231", "commune-69123");
	assert_search(t.db, "216 901 231", "commune-69123");
	assert_search(t.db, "243300316", "epci-243300316");
	assert_search(t.db, "69123", "commune-69123");
	assert_search(t.db, " 2A004 ", "commune-2A004");
	assert_search(t.db, "33", "departement-33");
	assert_search(t.db, "975", "region-975,departement-975");
	assert_search(t.db, "99999", "");
	/* nothing to search */
	assert_search(t.db, "", "");
	assert_search(t.db, "   ", "");
	assert_search(t.db, "de la", "");
	assert_search(t.db, "\xff", "");
	assert_int_equal(org_search(t.db, NULL, 10, 0, search_cb, NULL), 0);
	/* FTS5 syntax in the query is only text */
	static const char *const hostile[] = {
		"\"", "\"\"", "*", "NEAR(lyon bordeaux)", "name:lyon", "lyon OR bordeaux", "^lyon",
		"lyon AND", "(", ")", "-lyon", "'; DROP TABLE organisation; --", "lyon\"*",
	};
	for (size_t i = 0; i < ARRAY_LEN(hostile); i++) {
		int n;
		char *got = search_keys(t.db, hostile[i], 20, 0, &n);
		assert_true(n >= 0);
		free(got);
	}
	/* ordering, limit and offset: "metropole" matches 6 EPCI; shorter
	 * names rank first, then the most populous */
	int n;
	char *all = search_keys(t.db, "metropole", 100, 0, &n);
	assert_int_equal(n, 6);
	char *p1 = search_keys(t.db, "metropole", 3, 0, &n);
	assert_int_equal(n, 3);
	char *p2 = search_keys(t.db, "metropole", 3, 3, &n);
	assert_int_equal(n, 3);
	char *p3 = search_keys(t.db, "metropole", 3, 6, &n);
	assert_int_equal(n, 0);
	assert_string_equal(p3, "");
	char *joined = xasprintf("%s,%s", p1, p2);
	assert_string_equal(all, joined);
	assert_non_null(strstr(all, "epci-200046977")); /* "Métropole de Lyon" */
	free(all);
	free(p1);
	free(p2);
	free(p3);
	free(joined);
	/* limit <= 0 means the default (20), and offsets < 0 mean 0 */
	char *d = search_keys(t.db, "metropole", 0, -5, &n);
	assert_int_equal(n, 6);
	free(d);
	tdb_close(&t);
}

static int stop_after_one(void *ctx, const struct org *o)
{
	(*(int *)ctx)++;
	return 1;
}

static int fail_cb(void *ctx, const struct org *o)
{
	return -1;
}

static void test_search_cb_stop(void **state)
{
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	load_fixture(t.db, &s);
	int calls = 0;
	assert_int_equal(org_search(t.db, "metropole", 10, 0, stop_after_one, &calls), 1);
	assert_int_equal(calls, 1);
	assert_int_equal(org_search(t.db, "metropole", 10, 0, fail_cb, NULL), -1);
	/* the statement was reset: the next search works */
	assert_search(t.db, "lyon", "commune-69123,epci-200046977");
	tdb_close(&t);
}

/* ==== other bodies ==== */

static void expect_create_error(db_t *db, const char *kind, const char *siren, const char *name,
                                const char *dep, const char *msg)
{
	char *err = NULL;
	assert_int_equal(org_create_other(db, kind, siren, name, dep, &err), -1);
	assert_non_null(err);
	if (strstr(err, msg) == NULL) fprintf(stderr, "unexpected message: %s\n", err);
	assert_non_null(strstr(err, msg));
	free(err);
}

static void test_create_other(void **state)
{
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	load_fixture(t.db, &s);
	assert_true(siren_valid("254300882"));
	assert_false(siren_valid("123456789"));

	char *err = NULL;
	int64_t id = org_create_other(t.db, "syndicat", "254 300 882", "  Syndicat mixte du Test  ", "33", &err);
	assert_true(id > 0);
	assert_null(err);
	struct org o = { 0 };
	assert_int_equal(org_get(t.db, id, &o), 1);
	assert_string_equal(o.kind, "syndicat");
	assert_string_equal(o.code, "254300882");
	assert_string_equal(o.siren, "254300882");
	assert_string_equal(o.name, "Syndicat mixte du Test");
	assert_string_equal(o.departement, "33");
	assert_string_equal(o.region, "75");
	assert_int_equal(o.population, -1);
	assert_false(o.official);
	assert_true(o.active);
	org_free(&o);
	assert_find(t.db, "syndicat-254300882", "syndicat-254300882");
	assert_find(t.db, "254300882", "syndicat-254300882");
	assert_search(t.db, "syndicat mixte", "syndicat-254300882"); /* indexed at once */
	assert_name(t.db, "Syndicat Mixte du Test", NULL, "syndicat-254300882");

	/* no département; other kinds */
	int64_t id2 = org_create_other(t.db, "operateur", "130025265", "Opérateur national", NULL, &err);
	assert_true(id2 > id);
	org_get(t.db, id2, &o);
	assert_null(o.departement);
	assert_null(o.region);
	org_free(&o);
	assert_true(org_create_other(t.db, "autre", "180089013", "Autre chose", NULL, &err) > 0);

	expect_create_error(t.db, "syndicat", "123456789", "X", NULL,
	                    "SIREN invalide : 123456789 (la clé de contrôle ne correspond pas)");
	expect_create_error(t.db, "syndicat", "12345678", "X", NULL, "SIREN invalide : 12345678 (9 chiffres attendus)");
	expect_create_error(t.db, "syndicat", "2543008820", "X", NULL, "9 chiffres attendus");
	expect_create_error(t.db, "syndicat", "25430088A", "X", NULL, "9 chiffres attendus");
	expect_create_error(t.db, "syndicat", "", "X", NULL, "SIREN manquant");
	expect_create_error(t.db, "syndicat", NULL, "X", NULL, "SIREN manquant");
	expect_create_error(t.db, "syndicat", "254300882", "Encore", NULL, "SIREN déjà utilisé : 254300882");
	expect_create_error(t.db, "autre", "213300635", "Bordeaux bis", NULL,
	                    "SIREN déjà utilisé : 213300635 (commune-33063, Bordeaux)");
	expect_create_error(t.db, "commune", "254300882", "X", NULL, "type d'organisme invalide");
	expect_create_error(t.db, NULL, "254300882", "X", NULL, "type d'organisme invalide");
	expect_create_error(t.db, "syndicat", "200000172", "   ", NULL, "nom vide");
	expect_create_error(t.db, "syndicat", "200000172", NULL, NULL, "nom invalide");
	expect_create_error(t.db, "syndicat", "200000172", "a\x01b", NULL, "nom invalide");
	expect_create_error(t.db, "syndicat", "200000172", "\xff", NULL, "nom invalide");
	expect_create_error(t.db, "syndicat", "200000172", "X", "99", "département inconnu : 99");
	expect_create_error(t.db, "syndicat", "200000172", "X", "2a", "code de département invalide");
	char *longname = xmalloc(400);
	memset(longname, 'a', 399);
	longname[399] = 0;
	expect_create_error(t.db, "syndicat", "200000172", longname, NULL, "nom trop long");
	free(longname);
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation"), 56);
	assert_true(sqlite3_get_autocommit(db_sqlite(t.db)));

	/* inside the caller's transaction: a savepoint, the caller commits */
	assert_int_equal(db_begin(t.db), 0);
	assert_true(org_create_other(t.db, "syndicat", "200000172", "Dans une transaction", NULL, &err) > 0);
	expect_create_error(t.db, "syndicat", "200000172", "Doublon", NULL, "déjà utilisé");
	assert_false(sqlite3_get_autocommit(db_sqlite(t.db)));
	assert_int_equal(db_commit(t.db), 0);
	assert_find(t.db, "200000172", "syndicat-200000172");

	/* a reload keeps them: same ids, active, not official */
	char *before = q_list(t.db, "SELECT id || kind || code FROM organisation ORDER BY id");
	load_fixture(t.db, &s);
	assert_int_equal(s.deactivated, 0);
	char *after = q_list(t.db, "SELECT id || kind || code FROM organisation ORDER BY id");
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_search(t.db, "syndicat mixte", "syndicat-254300882"); /* still indexed after rebuild */
	tdb_close(&t);
}

/* ==== command line ==== */

/* In the child, exit() (from die() and cli_usage_error()) must not run
 * LeakSanitizer over the memory the child inherited from this test
 * process: flush and leave at once with the same status. */
static void child_exit(int status, void *arg)
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

/* Run cmd_orgs(args) in a child with stdout and stderr captured (heap
 * strings). Returns the exit status. */
static int run_cli(const char *const *args, char **out, char **err)
{
	char outp[] = "/tmp/iat-test-out-XXXXXX", errp[] = "/tmp/iat-test-err-XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp);
	assert_true(ofd >= 0 && efd >= 0);
	int argc = 0;
	while (args[argc]) argc++;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		on_exit(child_exit, NULL);
		char **argv = xcalloc((size_t)argc + 1, sizeof *argv);
		for (int i = 0; i < argc; i++) argv[i] = xstrdup(args[i]);
		int rc = cmd_orgs(argc, argv);
		for (int i = 0; i < argc; i++) free(argv[i]);
		free(argv);
		fflush(stdout);
		exit(rc);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	close(ofd);
	close(efd);
	*out = read_file(outp, NULL);
	*err = read_file(errp, NULL);
	unlink(outp);
	unlink(errp);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++) n += *s == '\n';
	return n;
}

#define CLI(expect_rc, ...)                                                                      \
	do {                                                                                     \
		const char *const args_[] = { __VA_ARGS__, NULL };                               \
		free(out);                                                                       \
		free(err);                                                                       \
		rc = run_cli(args_, &out, &err);                                                 \
		if (rc != (expect_rc)) fprintf(stderr, "rc %d, stdout: %s stderr: %s", rc, out, err); \
		assert_int_equal(rc, expect_rc);                                                 \
	} while (0)

static void test_cli(void **state)
{
	struct tdb t;
	tdb_open(&t);
	char *fx = fixture_dir();
	char *out = NULL, *err = NULL;
	int rc;

	CLI(0, "orgs", "--help");
	assert_non_null(strstr(out, "usage : iat orgs load"));
	CLI(0, "orgs", "load", "--help");
	assert_non_null(strstr(out, "usage"));
	CLI(0, "orgs", "add", "--help");
	assert_non_null(strstr(out, "--kind"));
	/* misuse: exit 2, one line */
	CLI(2, "orgs");
	assert_int_equal(count_lines(err), 1);
	CLI(2, "orgs", "frobnicate");
	assert_int_equal(count_lines(err), 1);
	CLI(2, "orgs", "load", "--bogus");
	assert_int_equal(count_lines(err), 1);
	assert_non_null(strstr(err, "orgs load"));
	CLI(2, "orgs", "load", "--db", t.path, "a", "b");
	assert_int_equal(count_lines(err), 1);
	CLI(2, "orgs", "add", "--db", t.path, "--siren", "254300882", "Nom");
	assert_non_null(strstr(err, "--kind"));
	CLI(2, "orgs", "add", "--db", t.path, "--kind", "commune", "--siren", "254300882", "Nom");
	assert_int_equal(count_lines(err), 1);
	CLI(2, "orgs", "add", "--db", t.path, "--kind", "syndicat", "Nom");
	CLI(2, "orgs", "add", "--db", t.path, "--kind", "syndicat", "--siren", "254300882");
	CLI(2, "orgs", "add", "--db", t.path, "--kind", "syndicat", "--siren", "254300882", "Nom", "en trop");

	/* load */
	CLI(0, "orgs", "load", "--db", t.path, fx);
	assert_true(str_starts(out, "organisations : 23 communes, 9 EPCI, 1 EPT, 11 départements, "
	                            "9 régions (0 désactivées) en "));
	assert_int_equal(count_lines(out), 1);
	assert_string_equal(err, ""); /* not a terminal: no progress */
	CLI(1, "orgs", "load", "--db", t.path, "/nonexistent/dir");
	assert_int_equal(count_lines(err), 1);
	assert_true(str_starts(err, "iat: impossible d'ouvrir /nonexistent/dir/regions.json"));
	CLI(1, "orgs", "load", "--db", "/nonexistent/iat.db", fx);
	assert_int_equal(count_lines(err), 1);

	/* add */
	CLI(0, "orgs", "add", "--db", t.path, "--kind", "syndicat", "--siren", "254300882",
	    "--departement", "33", "Syndicat mixte de test");
	assert_string_equal(out, "syndicat-254300882\n");
	CLI(1, "orgs", "add", "--db", t.path, "--kind=operateur", "--siren=254300882", "Doublon");
	assert_non_null(strstr(err, "déjà utilisé"));
	assert_int_equal(count_lines(err), 1);
	CLI(1, "orgs", "add", "--db", t.path, "--kind", "syndicat", "--siren", "123456789", "Nom");
	assert_string_equal(err, "iat: SIREN invalide : 123456789 (la clé de contrôle ne correspond pas)\n");
	assert_find(t.db, "syndicat-254300882", "syndicat-254300882");

	free(out);
	free(err);
	free(fx);
	tdb_close(&t);
}

/* ==== the real reference ==== */

static void test_full_reference(void **state)
{
	char *dir = src_path("node_modules/@etalab/decoupage-administratif/data");
	char *probe = xasprintf("%s/communes.json", dir);
	bool present = access(probe, R_OK) == 0;
	free(probe);
	if (!present) {
		fprintf(stderr, "skipped: %s not installed (npm ci)\n", dir);
		free(dir);
		skip();
	}
	struct tdb t;
	tdb_open(&t);
	struct org_load_stats s;
	load_ok(t.db, dir, &s);
	assert_int_equal(s.communes, 34969);
	assert_int_equal(s.epci, 1255);
	assert_int_equal(s.ept, 11);
	assert_int_equal(s.departements, 109);
	assert_int_equal(s.regions, 26);
	assert_int_equal(s.deactivated, 0);
	double first = s.seconds;
	struct org o = { 0 };
	assert_int_equal(org_find(t.db, "commune-69123", &o), 1);
	assert_string_equal(o.siren, "216901231");
	assert_string_equal(o.name, "Lyon");
	org_free(&o);
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM org_member m "
	                             "JOIN organisation p ON p.id = m.parent_id "
	                             "JOIN organisation c ON c.id = m.child_id "
	                             "WHERE p.kind = 'epci' AND p.code = '200046977' AND c.code = '69123'"), 1);
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM org_member WHERE parent_id = "
	                             "(SELECT id FROM organisation WHERE code = '200046977')"), 58);
	/* every commune but 98 is in exactly one EPCI */
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM org_member m JOIN organisation p "
	                             "ON p.id = m.parent_id WHERE p.kind = 'epci'"), 34969 - 98);
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation WHERE kind IN ('epci','ept') "
	                             "AND (departement IS NULL OR region IS NULL)"), 0);
	/* populations of départements are the sums of their communes */
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation d WHERE d.kind = 'departement' "
	                             "AND d.population IS NOT (SELECT sum(population) FROM organisation c "
	                             "WHERE c.kind = 'commune' AND c.departement = d.code)"), 0);
	assert_int_equal(q_int(t.db, "SELECT sum(population) FROM organisation WHERE kind = 'region'"),
	                 q_int(t.db, "SELECT sum(population) FROM organisation WHERE kind = 'commune'"));
	assert_find(t.db, "2B033", "commune-2B033");     /* Bastia */
	assert_find(t.db, "departement-976", "departement-976");
	check_real_names(t.db);
	assert_search(t.db, "216901231", "commune-69123");
	int n;
	char *l = search_keys(t.db, "lyon", 3, 0, &n);
	assert_true(str_starts(l, "commune-69123,"));
	free(l);
	l = search_keys(t.db, "bordea", 2, 0, &n);
	assert_string_equal(l, "commune-33063,epci-243300316");
	free(l);

	/* reload: same ids, nothing rewritten */
	char *before = q_list(t.db, "SELECT sum(id * 7 + length(updated_at)) || '/' || count(*) FROM organisation");
	load_ok(t.db, dir, &s);
	char *after = q_list(t.db, "SELECT sum(id * 7 + length(updated_at)) || '/' || count(*) FROM organisation");
	assert_string_equal(before, after);
	assert_int_equal(q_int(t.db, "SELECT count(*) FROM organisation"), 34969 + 1255 + 11 + 109 + 26);
	free(before);
	free(after);
	printf("full reference: first load %.3f s, reload %.3f s\n", first, s.seconds);
	free(dir);
	tdb_close(&t);
}

int main(void)
{
	log_set_level(LOG_ERROR); /* the loader's warnings are expected in some tests */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_band),
		cmocka_unit_test(test_kind_label),
		cmocka_unit_test(test_load_fixture),
		cmocka_unit_test(test_reload_same_ids),
		cmocka_unit_test(test_reload_removed_commune),
		cmocka_unit_test(test_group_area_rule),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_duplicate_siren),
		cmocka_unit_test(test_siren_taken_by_reference),
		cmocka_unit_test(test_find_keys),
		cmocka_unit_test(test_find_by_name),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_search_cb_stop),
		cmocka_unit_test(test_create_other),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_full_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
