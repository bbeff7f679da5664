/*
 * test_opendata.c — unit tests for the open data of issue 6 that need no
 * database: the reader's view of a doc with provenance
 * (model_doc_for_reader), one line of the history export
 * (export_history.c) for the public and for agents, and the data package
 * and catalogue writers (opendata.c): valid JSON, every column of the
 * record CSV described in file order, no restricted one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "export_history.h"
#include "model.h"
#include "opendata.h"

/* A stored doc with restricted fields, items and raw source values. */
static json_t *secret_doc(void)
{
	return json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[{s:s,s:s},{s:s,s:s}],s:{s:s,s:{s:s,s:s}}}", "title", "Titre public",
	    "summary", "Résumé public.", "owner", "epci-243300316", "theme", "ecological_transition", "status",
	    "experiment", "contact", "SECRET-contact", "algorithm_operations", "SECRET-ops", "indicators", "name",
	    "Public", "visibility", "public", "name", "SECRET-indicator", "visibility", "restricted", "provenance",
	    "source", "interconnectes", "raw", "projet_contact", "SECRET-raw", "nom_projet", "Titre brut");
}

static void test_doc_for_reader_provenance(void **state)
{
	(void)state;
	json_t *doc = secret_doc();
	json_t *pub = model_doc_for_reader(doc, false);
	char *s = json_dumps(pub, 0);
	assert_null(strstr(s, "SECRET"));
	assert_non_null(strstr(s, "Titre brut"));          /* public raw column kept */
	assert_non_null(strstr(s, "\"source\": \"interconnectes\""));
	free(s);
	/* the original is untouched */
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(doc, "provenance"), "raw"),
	                                                      "projet_contact")),
	                    "SECRET-raw");
	json_t *agent = model_doc_for_reader(doc, true);
	s = json_dumps(agent, 0);
	assert_non_null(strstr(s, "SECRET-raw"));
	assert_non_null(strstr(s, "SECRET-indicator"));
	free(s);
	json_decref(pub);
	json_decref(agent);
	json_decref(doc);
}

static json_t *history_line(bool restricted, const char *state, int *rc)
{
	json_t *doc = secret_doc();
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	struct history_export_row row = {
		.id = 12, .version = 3, .state = state, .at = "2026-03-02T10:00:00Z", .note = NULL,
		.doc = text, .doc_len = strlen(text), .author_id = 0, .slug = "titre-public",
		.record_state = "published", .record_version = 3, .created_at = "2026-03-01T09:00:00Z",
		.published_at = "2026-03-02T10:00:00Z", .retract_reason = "Arrêté", .origin_id = 5,
		.org_kind = "epci", .org_code = "243300316", .org_siren = "243300316", .org_name = "Bordeaux Métropole",
	};
	struct history_writer w = { .csv = false, .restricted = restricted, .base_url = "https://iat.example" };
	buf_t b = BUF_INIT;
	export_history_begin(&w, &b);
	*rc = export_history_row(&w, &b, &row);
	export_history_free(&w);
	free(text);
	json_t *line = b.len ? json_loads(buf_cstr(&b), 0, NULL) : NULL;
	if (b.len) assert_int_equal(b.data[b.len - 1], '\n');
	buf_free(&b);
	return line;
}

static void test_history_line(void **state)
{
	(void)state;
	int rc;
	json_t *l = history_line(false, "published", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(l);
	char *s = json_dumps(l, 0);
	assert_null(strstr(s, "SECRET"));
	free(s);
	assert_string_equal(json_string_value(json_object_get(l, "schema_version")), MODEL_SCHEMA_VERSION);
	assert_int_equal(json_integer_value(json_object_get(l, "id")), 12);
	assert_int_equal(json_integer_value(json_object_get(l, "version")), 3);
	assert_int_equal(json_integer_value(json_object_get(l, "reuse_of")), 5);
	assert_true(json_is_null(json_object_get(l, "retract_reason")));   /* published line */
	assert_string_equal(json_string_value(json_object_get(l, "url")), "https://iat.example/fiches/12-titre-public");
	assert_string_equal(json_string_value(json_object_get(l, "author_kind")), "import");
	json_t *owner = json_object_get(l, "owner");
	assert_string_equal(json_string_value(json_object_get(owner, "id")), "epci-243300316");
	assert_string_equal(json_string_value(json_object_get(owner, "siren")), "243300316");
	assert_true(json_is_null(json_object_get(owner, "insee_code")));
	assert_int_equal(json_array_size(json_object_get(json_object_get(l, "doc"), "indicators")), 1);
	json_decref(l);

	l = history_line(true, "retracted", &rc);
	s = json_dumps(l, 0);
	assert_non_null(strstr(s, "SECRET-contact"));
	assert_non_null(strstr(s, "SECRET-raw"));
	free(s);
	assert_string_equal(json_string_value(json_object_get(l, "retract_reason")), "Arrêté");
	json_decref(l);

	/* a draft version never leaves the site, not even for agents */
	l = history_line(true, "draft", &rc);
	assert_int_equal(rc, 0);
	assert_null(l);
}

struct names {
	const char *v[256];
	int n;
};

static void collect(void *ctx, const struct export_column *c)
{
	struct names *n = ctx;
	if (n->n < 256) n->v[n->n++] = c->name[0] ? strdup(c->name) : NULL;
}

static void test_datapackage(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	jsonw_t w;
	jw_init(&w, &b);
	opendata_datapackage(&w, "https://iat.example", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z");
	json_error_t je;
	json_t *pkg = json_loads(buf_cstr(&b), 0, &je);
	assert_non_null(pkg);
	json_t *res = json_object_get(pkg, "resources");
	assert_int_equal(json_array_size(res), 3);
	json_t *fields = json_object_get(json_object_get(json_array_get(res, 0), "schema"), "fields");
	struct names n = { .n = 0 };
	int cols = export_columns(false, collect, &n);
	assert_int_equal((int)json_array_size(fields), cols);
	for (int i = 0; i < cols; i++) {
		json_t *f = json_array_get(fields, (size_t)i);
		assert_string_equal(json_string_value(json_object_get(f, "name")), n.v[i]);
		assert_non_null(json_string_value(json_object_get(f, "type")));
		assert_non_null(json_string_value(json_object_get(f, "description")));
		const struct field *mf = model_field(n.v[i]);
		if (mf) assert_int_equal(mf->vis, VIS_PUBLIC);
		free((char *)n.v[i]);
	}
	assert_string_equal(json_string_value(json_object_get(pkg, "version")), MODEL_SCHEMA_VERSION);
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "path")),
	                    "https://iat.example/api/v1/exports/usecases.csv");
	json_decref(pkg);
	buf_free(&b);
}

static void test_catalog(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	jsonw_t w;
	jw_init(&w, &b);
	opendata_catalog(&w, "", "", "");
	json_t *cat = json_loads(buf_cstr(&b), 0, NULL);
	assert_non_null(cat);
	assert_string_equal(json_string_value(json_object_get(cat, "@type")), "dcat:Catalog");
	assert_int_equal(json_array_size(json_object_get(cat, "dcat:dataset")), 3);
	assert_null(json_object_get(cat, "dct:modified")); /* no public record: no date */
	json_decref(cat);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_for_reader_provenance),
		cmocka_unit_test(test_history_line),
		cmocka_unit_test(test_datapackage),
		cmocka_unit_test(test_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
