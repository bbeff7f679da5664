/*
 * fuzz_json.c — libFuzzer target: JSON request bodies mapped to records.
 *
 * The input is the body of POST /api/v1/usecases or PATCH
 * /api/v1/usecases/{id}, handled as api_usecase.c does: UTF-8 check,
 * json_loadb(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY), an object, the
 * "state" key taken out, then model_validate() — once as a creation
 * (base NULL), once as a change of a valid record (a fixed base). A valid
 * result is written with model_render_json() (for both kinds of readers)
 * and model_public_text() (the search index text); errors are written the
 * way api_verrors() writes them.
 *
 * Properties: every JSON we write parses back (jansson, duplicate keys
 * rejected); the public representation carries no restricted field and
 * no restricted item (indicators, reuse kit); a
 * validated doc is canonical: validating it again as a creation gives an
 * equal doc; the public text is valid UTF-8.
 */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "jsonw.h"
#include "model.h"
#include "text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *base;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	json_t *in = json_loads("{\"title\":\"Projet de test\",\"summary\":\"Un résumé.\","
	                        "\"owner\":\"epci-243300316\",\"theme\":\"ecological_transition\","
	                        "\"status\":\"experiment\",\"description\":\"# Titre\\n\\n[lien](https://example.fr)\","
	                        "\"contact\":\"dpo@example.fr\",\"partners\":[\"Université\"]}",
	                        0, NULL);
	FUZZ_CHECK(in);
	struct verrors e = { 0 };
	base = model_validate(in, NULL, &e);
	FUZZ_CHECK(base && e.count == 0);
	json_decref(in);
	return 0;
}

/* Organisation references as store.c writes them: an object or null. */
static void org_ref(void *ctx, jsonw_t *w, const char *key)
{
	if (strlen(key) % 2) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kint(w, "id", 7);
	jw_kstr(w, "key", key);
	jw_kstr(w, "name", key);
	jw_obj_end(w);
}

static json_t *parse_back(const buf_t *b)
{
	json_error_t err;
	json_t *j = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, &err);
	if (!j) fprintf(stderr, "fuzz: our JSON does not parse: %s\n%.*s\n", err.text, (int)b->len, b->data);
	FUZZ_CHECK(j != NULL);
	return j;
}

static void render_errors(const struct verrors *e)
{
	buf_t b = BUF_INIT;
	jsonw_t w;
	jw_init(&w, &b);
	int n = e->count < (int)ARRAY_LEN(e->items) ? e->count : (int)ARRAY_LEN(e->items);
	FUZZ_CHECK(n > 0);
	jw_arr(&w);
	for (int i = 0; i < n; i++) {
		jw_obj(&w);
		jw_kstr(&w, "code", e->items[i].code);
		jw_kstr(&w, "field", e->items[i].field);
		jw_kstr(&w, "message", e->items[i].message);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	json_decref(parse_back(&b));
	buf_free(&b);
}

static void render_doc(const json_t *doc)
{
	static const struct usecase_meta m = { .id = 42, .slug = "projet-de-test", .state = "draft", .version = 3,
	                                       .created_at = "2025-01-01T00:00:00Z" };
	for (int restricted = 0; restricted < 2; restricted++) {
		buf_t b = BUF_INIT;
		jsonw_t w;
		jw_init(&w, &b);
		model_render_json(&w, doc, &m, restricted, org_ref, NULL);
		json_t *j = parse_back(&b);
		for (size_t i = 0; i < model_nfields; i++) {
			const struct field *f = &model_fields[i];
			if (!restricted && f->vis == VIS_RESTRICTED) FUZZ_CHECK(json_object_get(j, f->name) == NULL);
			/* items with their own visibility: only public ones for a public reader */
			if (!restricted && (f->type == F_INDICATORS || f->type == F_KIT)) {
				size_t k;
				json_t *x;
				json_array_foreach(json_object_get(j, f->name), k, x)
					FUZZ_CHECK(strcmp(json_string_value(json_object_get(x, "visibility")), "public") == 0);
			}
		}
		json_decref(j);
		buf_free(&b);
	}
	buf_t t = BUF_INIT;
	model_public_text(&t, doc);
	FUZZ_CHECK(text_utf8_valid(t.data ? t.data : "", t.len));
	buf_free(&t);

	/* canonical: a validated doc validates to itself */
	struct verrors e = { 0 };
	json_t *again = model_validate(doc, NULL, &e);
	if (!again) {
		fprintf(stderr, "fuzz: a validated doc is refused: %s: %s\n", e.items[0].field, e.items[0].message);
		char *d = json_dumps(doc, JSON_SORT_KEYS);
		fprintf(stderr, "%s\n", d);
		free(d);
	}
	FUZZ_CHECK(again != NULL);
	FUZZ_CHECK(json_equal(again, doc));
	json_decref(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || !text_utf8_valid((const char *)data, size)) return 0;
	json_error_t err;
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!in) return 0;
	if (!json_is_object(in)) {
		json_decref(in);
		return 0;
	}
	json_object_del(in, "state");
	for (int patch = 0; patch < 2; patch++) {
		struct verrors e = { 0 };
		json_t *doc = model_validate(in, patch ? base : NULL, &e);
		if (doc) {
			FUZZ_CHECK(e.count == 0);
			render_doc(doc);
			json_decref(doc);
		} else {
			render_errors(&e);
		}
	}
	json_decref(in);
	return 0;
}
