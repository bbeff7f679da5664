/*
 * test_model.c — record model: validation of every field type, unknown
 * and read-only fields, required fields and cross-field rules, merge for
 * PATCH, vocabulary matching of the Interconnectés spellings, and the
 * visibility filter of the JSON representation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "model.h"
#include "text.h"

static json_t *valid_input(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", "Détection des fuites", "summary",
	                 "Un résumé court.", "owner", "epci-243300316", "theme", "ecological_transition", "status",
	                 "experiment");
}

/* Validate input (stolen) and return the first error code, or NULL if valid. */
static const char *first_error(json_t *input, const json_t *base, const char **field)
{
	static struct verrors e;
	memset(&e, 0, sizeof e);
	json_t *doc = model_validate(input, base, &e);
	json_decref(input);
	if (doc) {
		json_decref(doc);
		return NULL;
	}
	if (field) *field = e.items[0].field;
	return e.items[0].code;
}

static json_t *with(const char *key, json_t *value)
{
	json_t *in = valid_input();
	json_object_set_new(in, key, value);
	return in;
}

static void test_valid_minimal(void **state)
{
	(void)state;
	struct verrors e = { 0 };
	json_t *in = valid_input();
	json_object_set_new(in, "title", json_string("  Titre avec espaces  "));
	json_t *doc = model_validate(in, NULL, &e);
	assert_non_null(doc);
	assert_string_equal(doc_str(doc, "title"), "Titre avec espaces");
	json_decref(doc);
	json_decref(in);
}

static void test_required_and_unknown(void **state)
{
	(void)state;
	const char *f = NULL;
	json_t *in = valid_input();
	json_object_del(in, "theme");
	assert_string_equal(first_error(in, NULL, &f), "validation.required");
	assert_string_equal(f, "theme");
	assert_string_equal(first_error(with("colour", json_string("x")), NULL, &f), "validation.unknown_field");
	assert_string_equal(f, "colour");
	assert_string_equal(first_error(with("id", json_integer(3)), NULL, &f), "validation.read_only");
	assert_string_equal(first_error(with("created_at", json_string("x")), NULL, &f), "validation.read_only");
	assert_string_equal(first_error(json_array(), NULL, &f), "validation.type");
}

static void test_types(void **state)
{
	(void)state;
	const char *f = NULL;
	assert_string_equal(first_error(with("title", json_integer(1)), NULL, &f), "validation.type");
	assert_string_equal(first_error(with("title", json_string("a\nb")), NULL, &f), "validation.format");
	assert_string_equal(first_error(with("summary", json_string("bell\x07")), NULL, &f), "validation.format");
	assert_string_equal(first_error(with("dpia_done", json_string("true")), NULL, &f), "validation.type");
	assert_string_equal(first_error(with("decisions_per_year", json_integer(-1)), NULL, &f), "validation.type");
	assert_string_equal(first_error(with("decisions_per_year", json_real(1.5)), NULL, &f), "validation.type");
	assert_string_equal(first_error(with("latitude", json_real(91)), NULL, &f), "validation.format");
	assert_string_equal(first_error(with("latitude", json_string("45")), NULL, &f), "validation.type");
	assert_string_equal(first_error(with("theme", json_string("Transition écologique")), NULL, &f), "validation.enum");
	assert_string_equal(first_error(with("audiences", json_string("agents")), NULL, &f), "validation.type");
	assert_string_equal(first_error(with("audiences", json_pack("[s]", "aliens")), NULL, &f), "validation.enum");
	assert_string_equal(f, "audiences[0]");
	assert_string_equal(first_error(with("info_url", json_string("javascript:alert(1)")), NULL, &f), "validation.format");
	assert_string_equal(first_error(with("info_url", json_string("ftp://x.fr/")), NULL, &f), "validation.format");
	assert_string_equal(first_error(with("info_url", json_string("https://x.fr/a b")), NULL, &f), "validation.format");
	assert_null(first_error(with("info_url", json_string("https://x.fr/a?b=c")), NULL, &f));
	assert_string_equal(first_error(with("start_date", json_string("2024-13")), NULL, &f), "validation.format");
	assert_string_equal(first_error(with("start_date", json_string("2023-02-29")), NULL, &f), "validation.format");
	assert_null(first_error(with("start_date", json_string("2024-02-29")), NULL, &f));
	assert_null(first_error(with("start_date", json_string("2024")), NULL, &f));
	assert_string_equal(first_error(with("suppliers", json_pack("[{s:s,s:s}]", "name", "X", "siren", "123456789")), NULL, &f),
	                    "validation.format");
	assert_null(first_error(with("suppliers", json_pack("[{s:s,s:s}]", "name", "X", "siren", "243 300 316")), NULL, &f));
	assert_string_equal(first_error(with("suppliers", json_pack("[{s:s}]", "siren", "243300316")), NULL, &f),
	                    "validation.required");
	assert_string_equal(first_error(with("legal_bases", json_pack("[{s:s,s:s}]", "title", "Loi", "other", "x")), NULL, &f),
	                    "validation.unknown_field");
	assert_string_equal(first_error(with("owner", json_string("'; DROP TABLE x")), NULL, &f), "validation.format");
}

static void test_lengths(void **state)
{
	(void)state;
	char big[400];
	memset(big, 'a', sizeof big);
	big[201] = 0;
	const char *f = NULL;
	assert_string_equal(first_error(with("title", json_string(big)), NULL, &f), "validation.too_long");
	big[200] = 0;
	assert_null(first_error(with("title", json_string(big)), NULL, &f));
	/* 350 characters of 2 bytes each are fine: limits count characters */
	char acc[800] = "";
	for (int i = 0; i < 350; i++) strcat(acc, "é");
	assert_null(first_error(with("summary", json_string(acc)), NULL, &f));
	strcat(acc, "é");
	assert_string_equal(first_error(with("summary", json_string(acc)), NULL, &f), "validation.too_long");
	json_t *many = json_array();
	for (int i = 0; i < 11; i++) {
		char s[16];
		snprintf(s, sizeof s, "t%d", i);
		json_array_append_new(many, json_string(s));
	}
	assert_string_equal(first_error(with("sub_themes", many), NULL, &f), "validation.too_long");
}

static void test_cross_field_and_merge(void **state)
{
	(void)state;
	const char *f = NULL;
	assert_string_equal(first_error(with("status", json_string("abandoned")), NULL, &f), "validation.required");
	assert_string_equal(f, "abandon_reasons");
	assert_string_equal(first_error(with("dpia_url", json_string("https://x.fr/aipd")), NULL, &f), "validation.format");
	/* PATCH: merge and clear */
	struct verrors e = { 0 };
	json_t *in = valid_input();
	json_object_set_new(in, "partners", json_pack("[s,s,s]", "A", "B", "A"));
	json_t *base = model_validate(in, NULL, &e);
	json_decref(in);
	assert_non_null(base);
	assert_int_equal(json_array_size(json_object_get(base, "partners")), 2);
	json_t *patch = json_pack("{s:n, s:s}", "partners", "summary", "Nouveau.");
	json_t *doc = model_validate(patch, base, &e);
	assert_non_null(doc);
	assert_null(json_object_get(doc, "partners"));
	assert_string_equal(doc_str(doc, "summary"), "Nouveau.");
	assert_string_equal(doc_str(doc, "title"), "Détection des fuites");
	json_decref(doc);
	/* clearing a required field is refused */
	json_t *patch2 = json_pack("{s:s}", "title", "   ");
	assert_string_equal(first_error(patch2, base, &f), "validation.required");
	json_decref(patch);
	json_decref(base);
}

static void test_vocab_match(void **state)
{
	(void)state;
	assert_string_equal(vocab_match(&vocab_theme, "Transition écologique et énergétique"), "ecological_transition");
	assert_string_equal(vocab_match(&vocab_theme, "Mobilités"), "mobility");
	assert_string_equal(vocab_match(&vocab_status, "Terminé"), "ended");
	assert_string_equal(vocab_match(&vocab_status, "Terminée"), "ended");
	assert_string_equal(vocab_match(&vocab_status, "En expérimentation"), "experiment");
	assert_string_equal(vocab_match(&vocab_audience, "élu"), "elected_officials");
	assert_string_equal(vocab_match(&vocab_audience, " Grand public "), "general_public");
	assert_string_equal(vocab_match(&vocab_budget_band, "de 50k€ à 100k€"), "50k_100k");
	assert_string_equal(vocab_match(&vocab_risk_level, "inacceptable"), "prohibited");
	assert_null(vocab_match(&vocab_status, "Peut-être"));
	assert_null(vocab_match(&vocab_status, ""));
}

static void ref(void *ctx, jsonw_t *w, const char *key)
{
	(void)ctx;
	jw_obj(w);
	jw_kstr(w, "id", key);
	jw_obj_end(w);
}

static void test_render_visibility(void **state)
{
	(void)state;
	struct verrors e = { 0 };
	json_t *in = valid_input();
	json_object_set_new(in, "contact", json_string("SECRET-contact"));
	json_object_set_new(in, "funding", json_string("SECRET-funding"));
	json_object_set_new(in, "budget_band", json_string("lt_50k"));
	json_object_set_new(in, "hosting", json_string("internal"));
	json_object_set_new(in, "algorithm_operations", json_string("SECRET-ops"));
	json_object_set_new(in, "data_access", json_string("api"));
	json_t *doc = model_validate(in, NULL, &e);
	json_decref(in);
	assert_non_null(doc);
	json_object_set_new(doc, "provenance", json_pack("{s:s,s:{s:s,s:s}}", "source", "interconnectes", "raw",
	                                                "projet_contact", "SECRET-raw", "nom_projet", "X"));
	struct usecase_meta m = { 7, "slug", "published", 1, "c", "u", "p", NULL, 0, NULL };
	buf_t pub = BUF_INIT, agent = BUF_INIT;
	jsonw_t w;
	jw_init(&w, &pub);
	model_render_json(&w, doc, &m, false, ref, NULL);
	jw_init(&w, &agent);
	model_render_json(&w, doc, &m, true, ref, NULL);
	assert_null(strstr(buf_cstr(&pub), "SECRET"));
	assert_null(strstr(buf_cstr(&pub), "\"contact\""));
	assert_null(strstr(buf_cstr(&pub), "budget_band"));
	assert_null(strstr(buf_cstr(&pub), "hosting"));
	assert_non_null(strstr(buf_cstr(&pub), "\"nom_projet\":\"X\""));
	assert_non_null(strstr(buf_cstr(&agent), "SECRET-contact"));
	assert_non_null(strstr(buf_cstr(&agent), "SECRET-raw"));
	assert_non_null(strstr(buf_cstr(&agent), "\"budget_band\":\"lt_50k\""));
	json_t *parsed = json_loads(buf_cstr(&pub), 0, NULL);
	assert_non_null(parsed);
	assert_int_equal(json_integer_value(json_object_get(parsed, "id")), 7);
	json_decref(parsed);
	/* the public text for the search index never holds restricted text */
	buf_t text = BUF_INIT;
	model_public_text(&text, doc);
	buf_cstr(&text);
	assert_null(strstr(text.data, "SECRET"));
	buf_free(&text);
	buf_free(&pub);
	buf_free(&agent);
	json_decref(doc);
}

/* An error message quoting what was sent stays one line of valid UTF-8:
 * control characters become spaces, invalid bytes and a character cut by
 * the 256-byte buffer are dropped (found by fuzz_campaign). */
static void test_error_messages_clean(void **state)
{
	(void)state;
	struct verrors e = { 0 };
	verrors_add(&e, "validation.enum", "kind", "« %s » inconnu", "a\nb\tc\x7f\xff\xc3");
	assert_string_equal(e.items[0].message, "« a b c  » inconnu");
	char big[400];
	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = 0;
	memcpy(big + 250, "é", 2); /* may be cut in the middle by the buffer */
	for (int shift = 0; shift < 8; shift++) {
		struct verrors f = { 0 };
		verrors_add(&f, "x", "y", "%.*s%s", shift, "--------", big);
		const char *m = f.items[0].message;
		assert_true(text_utf8_valid(m, strlen(m)));
		assert_null(strchr(m, '\n'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_minimal),   cmocka_unit_test(test_required_and_unknown),
		cmocka_unit_test(test_types),           cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_cross_field_and_merge), cmocka_unit_test(test_vocab_match),
		cmocka_unit_test(test_render_visibility), cmocka_unit_test(test_error_messages_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
