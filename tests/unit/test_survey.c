/*
 * test_survey.c — unit tests for survey.c: every rule of a campaign
 * definition (iat-campaign/1) with its French message naming the question
 * and field, the canonical round trip, answers (types, options, bounds,
 * lengths, UTF-8, duplicates, unknown questions, show_if: hidden answers
 * dropped and never required, chains), targeting, campaign states and the
 * protection of answered questions on re-import.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "survey.h"

static const char *DEF =
    "{\"format\":\"iat-campaign/1\",\"code\":\"observatoire-2026\",\"year\":2026,"
    "\"title\":\"Observatoire 2026\",\"intro\":\"Bonjour\",\"opens_on\":\"2026-01-15\",\"closes_on\":\"2026-03-31\","
    "\"target\":{\"kinds\":[\"commune\",\"epci\"],\"bands\":[\"lt_3500\"],\"regions\":[\"84\"]},"
    "\"questions\":["
    "{\"code\":\"uses_ai\",\"kind\":\"single\",\"label\":\"Utilise l'IA ?\",\"help\":\"aide\",\"required\":true,"
    " \"options\":[{\"code\":\"yes\",\"label\":\"Oui\"},{\"code\":\"no\",\"label\":\"Non\"},{\"code\":\"planned\",\"label\":\"En projet\"}]},"
    "{\"code\":\"domains\",\"kind\":\"multiple\",\"label\":\"Domaines\",\"required\":true,"
    " \"options\":[{\"code\":\"mobility\",\"label\":\"Mobilité\"},{\"code\":\"water\",\"label\":\"Eau\"}],"
    " \"show_if\":{\"question\":\"uses_ai\",\"value\":\"yes\"}},"
    "{\"code\":\"budget\",\"kind\":\"number\",\"label\":\"Budget\",\"unit\":\"€\",\"min\":0,\"max\":100000000},"
    "{\"code\":\"satisfaction\",\"kind\":\"scale\",\"label\":\"Satisfaction\"},"
    "{\"code\":\"tool\",\"kind\":\"text\",\"label\":\"Outil\"},"
    "{\"code\":\"comment\",\"kind\":\"longtext\",\"label\":\"Commentaire\"},"
    "{\"code\":\"water_detail\",\"kind\":\"text\",\"label\":\"Détail eau\",\"required\":true,"
    " \"show_if\":{\"question\":\"domains\",\"value\":\"water\"}}"
    "]}";

static json_t *def_json(void) { return json_loads(DEF, 0, NULL); }

static void parse_ok(struct survey_def *d)
{
	struct verrors e = { 0 };
	json_t *j = def_json();
	assert_non_null(j);
	int rc = survey_def_parse(j, d, &e);
	if (rc) fail_msg("%s", e.items[0].message);
	json_decref(j);
}

/* Parse DEF modified by an edit (a JSON path set with json_pack value),
 * expect failure with an error of code whose message contains want. */
static void expect_bad(json_t *j, const char *code, const char *want)
{
	struct survey_def d;
	struct verrors e = { 0 };
	assert_int_equal(survey_def_parse(j, &d, &e), -1);
	for (int i = 0; i < e.count && i < 32; i++)
		if (strcmp(e.items[i].code, code) == 0 && strstr(e.items[i].message, want)) {
			json_decref(j);
			return;
		}
	fail_msg("no %s error with « %s »; first: %s (%s)", code, want, e.count ? e.items[0].message : "-",
	         e.count ? e.items[0].code : "-");
}

static json_t *q(json_t *j, int i) { return json_array_get(json_object_get(j, "questions"), (size_t)i); }

static void test_def_ok_and_round_trip(void **state)
{
	(void)state;
	struct survey_def d;
	parse_ok(&d);
	assert_string_equal(d.code, "observatoire-2026");
	assert_int_equal(d.year, 2026);
	assert_int_equal(d.nq, 7);
	assert_int_equal(d.q[1].show_q, 0);
	assert_string_equal(d.q[1].show_value, "yes");
	assert_true(d.q[2].has_min && d.q[2].has_max);
	assert_string_equal(d.q[2].unit, "€");
	assert_int_equal(d.q[0].noptions, 3);
	json_t *out = survey_def_json(&d);
	struct survey_def d2;
	struct verrors e = { 0 };
	assert_int_equal(survey_def_parse(out, &d2, &e), 0);
	json_t *out2 = survey_def_json(&d2);
	assert_true(json_equal(out, out2));
	/* same as the input, apart from the target lists written in full */
	json_t *in = def_json();
	assert_true(json_equal(json_object_get(in, "questions"), json_object_get(out, "questions")));
	json_decref(in);
	json_decref(out);
	json_decref(out2);
	survey_def_free(&d2);
	survey_def_free(&d);
	/* minimal: no target, no intro */
	json_t *m = json_loads("{\"format\":\"iat-campaign/1\",\"code\":\"a\",\"year\":2027,\"title\":\"T\","
	                       "\"opens_on\":\"2027-01-01\",\"closes_on\":\"2027-01-01\","
	                       "\"questions\":[{\"code\":\"x\",\"kind\":\"scale\",\"label\":\"X\"}]}", 0, NULL);
	assert_int_equal(survey_def_parse(m, &d, &e), 0);
	assert_true(survey_targets(&d, "syndicat", NULL, NULL));
	survey_def_free(&d);
	json_decref(m);
}

static void test_def_campaign_rules(void **state)
{
	(void)state;
	json_t *j;
	j = def_json(); json_object_set_new(j, "format", json_string("iat-campaign/2"));
	expect_bad(j, "validation.format", "champ format");
	j = def_json(); json_object_set_new(j, "code", json_string("Observatoire"));
	expect_bad(j, "validation.format", "champ code");
	j = def_json(); json_object_del(j, "code");
	expect_bad(j, "validation.required", "champ code");
	j = def_json(); json_object_set_new(j, "year", json_integer(1999));
	expect_bad(j, "validation.range", "champ year");
	j = def_json(); json_object_set_new(j, "year", json_string("2026"));
	expect_bad(j, "validation.range", "champ year");
	j = def_json(); json_object_set_new(j, "title", json_string("   "));
	expect_bad(j, "validation.required", "champ title");
	j = def_json(); json_object_set_new(j, "opens_on", json_string("2026-02-30"));
	expect_bad(j, "validation.format", "champ opens_on");
	j = def_json(); json_object_set_new(j, "closes_on", json_string("2026-01-14"));
	expect_bad(j, "validation.range", "champ closes_on");
	j = def_json(); json_object_set_new(j, "colour", json_string("x"));
	expect_bad(j, "validation.unknown_field", "colour");
	j = def_json(); json_object_set_new(json_object_get(j, "target"), "kinds", json_pack("[s]", "village"));
	expect_bad(j, "validation.enum", "target.kinds");
	j = def_json(); json_object_set_new(json_object_get(j, "target"), "bands", json_pack("[s]", "huge"));
	expect_bad(j, "validation.enum", "target.bands");
	j = def_json(); json_object_set_new(json_object_get(j, "target"), "regions", json_pack("[s,s]", "84", "84"));
	expect_bad(j, "validation.duplicate", "target.regions");
	j = def_json(); json_object_set_new(json_object_get(j, "target"), "regions", json_pack("[s]", "ARA"));
	expect_bad(j, "validation.enum", "target.regions");
	j = def_json(); json_object_set_new(j, "questions", json_array());
	expect_bad(j, "validation.required", "champ questions");
	j = def_json(); json_object_set_new(j, "title", json_string("a\x01z"));
	expect_bad(j, "validation.format", "champ title");
}

static void test_def_question_rules(void **state)
{
	(void)state;
	json_t *j;
	j = def_json(); json_object_set_new(q(j, 2), "code", json_string("Budget!"));
	expect_bad(j, "validation.format", "question 3, code");
	j = def_json(); json_object_set_new(q(j, 2), "code", json_string("uses_ai"));
	expect_bad(j, "validation.duplicate", "question 3 (uses_ai), code : déjà utilisé par la question 1");
	j = def_json(); json_object_set_new(q(j, 2), "kind", json_string("date"));
	expect_bad(j, "validation.enum", "question 3 (budget), kind");
	j = def_json(); json_object_del(q(j, 2), "kind");
	expect_bad(j, "validation.required", "question 3 (budget), kind");
	j = def_json(); json_object_set_new(q(j, 2), "label", json_string(""));
	expect_bad(j, "validation.required", "question 3 (budget), label");
	j = def_json(); json_object_set_new(q(j, 2), "required", json_string("oui"));
	expect_bad(j, "validation.type", "question 3 (budget), required");
	j = def_json(); json_object_set_new(q(j, 2), "min", json_integer(10)); json_object_set_new(q(j, 2), "max", json_integer(5));
	expect_bad(j, "validation.range", "question 3 (budget), min");
	j = def_json(); json_object_set_new(q(j, 2), "min", json_string("0"));
	expect_bad(j, "validation.type", "question 3 (budget), min");
	j = def_json(); json_object_set_new(q(j, 3), "unit", json_string("€"));
	expect_bad(j, "validation.not_allowed", "question 4 (satisfaction), unit");
	j = def_json(); json_object_set_new(q(j, 4), "max", json_integer(3));
	expect_bad(j, "validation.not_allowed", "question 5 (tool), max");
	j = def_json(); json_object_set_new(q(j, 4), "options", json_array());
	expect_bad(j, "validation.not_allowed", "question 5 (tool), options");
	j = def_json(); json_object_del(q(j, 0), "options");
	expect_bad(j, "validation.required", "question 1 (uses_ai), options");
	j = def_json(); json_object_set_new(q(j, 0), "options", json_pack("[{s:s,s:s}]", "code", "yes", "label", "Oui"));
	expect_bad(j, "validation.range", "question 1 (uses_ai), options : de 2 à 50");
	j = def_json(); json_array_append_new(json_object_get(q(j, 0), "options"), json_pack("{s:s,s:s}", "code", "no", "label", "Non bis"));
	expect_bad(j, "validation.duplicate", "question 1 (uses_ai), options.4");
	j = def_json(); json_array_append_new(json_object_get(q(j, 0), "options"), json_pack("{s:s,s:s}", "code", "No", "label", "x"));
	expect_bad(j, "validation.format", "question 1 (uses_ai), options.4");
	j = def_json(); json_array_append_new(json_object_get(q(j, 0), "options"), json_pack("{s:s}", "code", "maybe"));
	expect_bad(j, "validation.required", "options.4 : libellé");
	j = def_json(); json_object_set_new(q(j, 0), "colour", json_true());
	expect_bad(j, "validation.unknown_field", "question 1 (uses_ai), colour");
	/* show_if: an earlier question, a choice, one of its options */
	j = def_json(); json_object_set_new(q(j, 1), "show_if", json_pack("{s:s,s:s}", "question", "budget", "value", "x"));
	expect_bad(j, "validation.condition", "question 2 (domains), show_if");
	j = def_json(); json_object_set_new(q(j, 3), "show_if", json_pack("{s:s,s:s}", "question", "budget", "value", "x"));
	expect_bad(j, "validation.condition", "n'est pas à choix");
	j = def_json(); json_object_set_new(q(j, 0), "show_if", json_pack("{s:s,s:s}", "question", "domains", "value", "water"));
	expect_bad(j, "validation.condition", "PRÉCÉDENTE");
	j = def_json(); json_object_set_new(q(j, 1), "show_if", json_pack("{s:s,s:s}", "question", "uses_ai", "value", "maybe"));
	expect_bad(j, "validation.condition", "n'est pas une option");
	j = def_json(); json_object_set_new(q(j, 1), "show_if", json_pack("{s:s}", "question", "uses_ai"));
	expect_bad(j, "validation.type", "show_if");
	/* text lengths */
	char *big = malloc(600);
	memset(big, 'a', 599);
	big[599] = 0;
	j = def_json(); json_object_set_new(q(j, 2), "label", json_string(big));
	expect_bad(j, "validation.too_long", "question 3 (budget), label");
	free(big);
	/* lengths of the other texts, counts, shapes */
	char *h = malloc(20100);
	memset(h, 'h', 20050);
	h[2001] = 0;
	j = def_json(); json_object_set_new(q(j, 2), "help", json_string(h));
	expect_bad(j, "validation.too_long", "question 3 (budget), help");
	h[31] = 0;
	j = def_json(); json_object_set_new(q(j, 2), "unit", json_string(h));
	expect_bad(j, "validation.too_long", "question 3 (budget), unit");
	h[2001] = 'h';
	h[31] = 'h';
	h[20001] = 0;
	j = def_json(); json_object_set_new(j, "intro", json_string(h));
	expect_bad(j, "validation.too_long", "champ intro");
	h[20001] = 'h';
	h[201] = 0;
	j = def_json(); json_object_set_new(j, "title", json_string(h));
	expect_bad(j, "validation.too_long", "champ title");
	free(h);
	j = def_json();
	json_t *many = json_array();
	for (int i = 0; i < 51; i++) {
		char c[16];
		snprintf(c, sizeof c, "o%d", i);
		json_array_append_new(many, json_pack("{s:s,s:s}", "code", c, "label", c));
	}
	json_object_set_new(q(j, 0), "options", many);
	expect_bad(j, "validation.range", "question 1 (uses_ai), options : de 2 à 50 options (ici 51)");
	j = def_json();
	json_t *qs = json_array();
	for (int i = 0; i < 201; i++) {
		char c[16];
		snprintf(c, sizeof c, "q%d", i);
		json_array_append_new(qs, json_pack("{s:s,s:s,s:s}", "code", c, "kind", "scale", "label", c));
	}
	json_object_set_new(j, "questions", qs);
	expect_bad(j, "validation.range", "200 questions au plus");
	j = def_json(); json_object_set_new(j, "target", json_string("all"));
	expect_bad(j, "validation.type", "champ target");
	j = def_json(); json_object_set_new(json_object_get(j, "target"), "departements", json_array());
	expect_bad(j, "validation.unknown_field", "target.departements");
	j = def_json(); json_object_set_new(json_object_get(j, "target"), "kinds", json_string("commune"));
	expect_bad(j, "validation.type", "target.kinds");
	j = def_json(); json_array_append_new(json_object_get(q(j, 0), "options"), json_string("maybe"));
	expect_bad(j, "validation.type", "question 1 (uses_ai), options.4");
	j = def_json(); json_object_set_new(q(j, 1), "show_if", json_pack("{s:s,s:s,s:s}", "question", "uses_ai", "value", "yes", "op", "eq"));
	expect_bad(j, "validation.type", "question 2 (domains), show_if");
	j = def_json(); json_array_append_new(json_object_get(j, "questions"), json_string("x"));
	expect_bad(j, "validation.type", "question 8, question");
	j = def_json(); json_object_set_new(q(j, 2), "max", json_real(1e300 * 1e300 * 0 + 5));
	json_object_set_new(q(j, 2), "min", json_string("x"));
	expect_bad(j, "validation.type", "question 3 (budget), min");
	/* JSON syntax */
	struct survey_def d;
	struct verrors e = { 0 };
	assert_int_equal(survey_def_parse_text("{\"a\":", 5, &d, &e), -1);
	assert_string_equal(e.items[0].code, "validation.json");
	assert_non_null(strstr(e.items[0].message, "ligne 1"));
}

static json_t *check(const struct survey_def *d, const char *answers, bool complete, struct verrors *e)
{
	memset(e, 0, sizeof *e);
	json_t *a = json_loads(answers, 0, NULL);
	assert_non_null(a);
	json_t *r = survey_answers_check(d, a, complete, e);
	json_decref(a);
	return r;
}

static void expect_answer_error(const struct survey_def *d, const char *answers, bool complete, const char *field,
                                const char *code)
{
	struct verrors e;
	json_t *r = check(d, answers, complete, &e);
	if (r) fail_msg("accepted: %s", answers);
	for (int i = 0; i < e.count && i < 32; i++)
		if (strcmp(e.items[i].field, field) == 0 && strcmp(e.items[i].code, code) == 0) return;
	fail_msg("%s: no %s on %s (first: %s %s)", answers, code, field, e.items[0].code, e.items[0].message);
}

static void test_answers(void **state)
{
	(void)state;
	struct survey_def d;
	parse_ok(&d);
	struct verrors e;
	json_t *r = check(&d, "{\"uses_ai\":\"yes\",\"domains\":[\"water\",\"mobility\"],\"budget\":1500.5,"
	                      "\"satisfaction\":4,\"tool\":\"  Albert  \",\"comment\":\"ligne 1\\nligne 2\","
	                      "\"water_detail\":\"eau\"}", true, &e);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "tool")), "Albert");
	assert_int_equal(json_object_size(r), 7);
	json_decref(r);
	/* types, options, bounds, lengths */
	expect_answer_error(&d, "{\"uses_ai\":\"perhaps\"}", false, "q-uses_ai", "validation.enum");
	expect_answer_error(&d, "{\"uses_ai\":1}", false, "q-uses_ai", "validation.type");
	expect_answer_error(&d, "{\"uses_ai\":\"yes\",\"domains\":\"water\"}", false, "q-domains", "validation.type");
	expect_answer_error(&d, "{\"uses_ai\":\"yes\",\"domains\":[\"water\",\"water\"]}", false, "q-domains",
	                    "validation.duplicate");
	expect_answer_error(&d, "{\"uses_ai\":\"yes\",\"domains\":[\"air\"]}", false, "q-domains", "validation.enum");
	expect_answer_error(&d, "{\"budget\":-1}", false, "q-budget", "validation.range");
	expect_answer_error(&d, "{\"budget\":100000001}", false, "q-budget", "validation.range");
	expect_answer_error(&d, "{\"budget\":\"12\"}", false, "q-budget", "validation.type");
	expect_answer_error(&d, "{\"satisfaction\":6}", false, "q-satisfaction", "validation.range");
	expect_answer_error(&d, "{\"satisfaction\":0}", false, "q-satisfaction", "validation.range");
	expect_answer_error(&d, "{\"satisfaction\":2.5}", false, "q-satisfaction", "validation.type");
	expect_answer_error(&d, "{\"tool\":\"a\\nb\"}", false, "q-tool", "validation.format");
	expect_answer_error(&d, "{\"nope\":1}", false, "answers", "validation.unknown_field");
	char *big = malloc(10100);
	strcpy(big, "{\"tool\":\"");
	memset(big + 9, 'x', 501);
	strcpy(big + 510, "\"}");
	expect_answer_error(&d, big, false, "q-tool", "validation.too_long");
	/* 500 characters of 2 bytes are fine */
	buf_t b = BUF_INIT;
	buf_puts(&b, "{\"tool\":\"");
	for (int i = 0; i < 500; i++) buf_puts(&b, "é");
	buf_puts(&b, "\"}");
	r = check(&d, buf_cstr(&b), false, &e);
	assert_non_null(r);
	json_decref(r);
	buf_free(&b);
	strcpy(big, "{\"comment\":\"");
	memset(big + 12, 'x', 10001);
	strcpy(big + 10013, "\"}");
	expect_answer_error(&d, big, false, "q-comment", "validation.too_long");
	free(big);
	/* invalid UTF-8 cannot come through jansson; a string with NUL is refused */
	json_t *a = json_object();
	json_object_set_new(a, "tool", json_stringn("a\0b", 3));
	memset(&e, 0, sizeof e);
	assert_null(survey_answers_check(&d, a, false, &e));
	assert_string_equal(e.items[0].code, "validation.format");
	json_decref(a);
	/* required only when complete, and only when shown */
	r = check(&d, "{}", false, &e);
	assert_non_null(r);
	json_decref(r);
	expect_answer_error(&d, "{}", true, "q-uses_ai", "validation.required");
	r = check(&d, "{\"uses_ai\":\"no\"}", true, &e);   /* domains hidden: not required */
	assert_non_null(r);
	json_decref(r);
	expect_answer_error(&d, "{\"uses_ai\":\"yes\"}", true, "q-domains", "validation.required");
	expect_answer_error(&d, "{\"uses_ai\":\"yes\",\"domains\":[]}", true, "q-domains", "validation.required");
	expect_answer_error(&d, "{\"uses_ai\":\"yes\",\"domains\":[\"water\"]}", true, "q-water_detail",
	                    "validation.required");
	expect_answer_error(&d, "{\"uses_ai\":\"yes\",\"tool\":\"   \"}", true, "q-domains", "validation.required");
	/* hidden answers dropped, even invalid ones, and along a chain */
	r = check(&d, "{\"uses_ai\":\"no\",\"domains\":[\"air\"],\"water_detail\":\"x\",\"budget\":3}", true, &e);
	assert_non_null(r);
	assert_null(json_object_get(r, "domains"));
	assert_null(json_object_get(r, "water_detail"));
	assert_non_null(json_object_get(r, "budget"));
	json_decref(r);
	r = check(&d, "{\"uses_ai\":\"yes\",\"domains\":[\"mobility\"],\"water_detail\":\"x\"}", true, &e);
	assert_non_null(r);
	assert_null(json_object_get(r, "water_detail"));
	json_decref(r);
	/* messages name the question */
	check(&d, "{\"budget\":-5}", false, &e);
	assert_non_null(strstr(e.items[0].message, "« Budget »"));
	assert_non_null(strstr(e.items[0].message, "entre 0 et"));
	survey_def_free(&d);
}

static void test_targeting_and_state(void **state)
{
	(void)state;
	struct survey_def d;
	parse_ok(&d);
	assert_true(survey_targets(&d, "commune", "lt_3500", "84"));
	assert_true(survey_targets(&d, "epci", "lt_3500", "84"));
	assert_false(survey_targets(&d, "departement", "lt_3500", "84"));
	assert_false(survey_targets(&d, "commune", "3500_20000", "84"));
	assert_false(survey_targets(&d, "commune", NULL, "84"));
	assert_false(survey_targets(&d, "commune", "lt_3500", "11"));
	assert_false(survey_targets(&d, "commune", "lt_3500", NULL));
	assert_int_equal(survey_state(&d, "2026-01-14"), -1);
	assert_int_equal(survey_state(&d, "2026-01-15"), 0);
	assert_int_equal(survey_state(&d, "2026-03-31"), 0);
	assert_int_equal(survey_state(&d, "2026-04-01"), 1);
	assert_string_equal(survey_state_label(0), "ouverte");
	survey_def_free(&d);
	assert_true(survey_code_ok("a"));
	assert_true(survey_code_ok("0a_b-c"));
	assert_false(survey_code_ok("_a"));
	assert_false(survey_code_ok("aB"));
	assert_false(survey_code_ok(""));
	char c65[66];
	memset(c65, 'a', 65);
	c65[65] = 0;
	assert_false(survey_code_ok(c65));
	c65[64] = 0;
	assert_true(survey_code_ok(c65));
	assert_true(survey_date_ok("2028-02-29"));
	assert_false(survey_date_ok("2027-02-29"));
	assert_false(survey_date_ok("2027-1-01"));
}

static void test_change_of_answered(void **state)
{
	(void)state;
	struct survey_def oldd, newd;
	parse_ok(&oldd);
	const char *answered[] = { "uses_ai", "budget" };
	struct verrors e = { 0 };
	/* label changes and a new option on an unanswered question are fine */
	json_t *j = def_json();
	json_object_set_new(q(j, 0), "label", json_string("Nouveau libellé"));
	json_array_append_new(json_object_get(q(j, 1), "options"), json_pack("{s:s,s:s}", "code", "air", "label", "Air"));
	assert_int_equal(survey_def_parse(j, &newd, &e), 0);
	assert_int_equal(survey_def_check_change(&oldd, &newd, answered, 2, &e), 0);
	survey_def_free(&newd);
	json_decref(j);
	/* an option removed from an answered question */
	j = def_json();
	json_array_remove(json_object_get(q(j, 0), "options"), 2);
	assert_int_equal(survey_def_parse(j, &newd, &e), 0);
	assert_int_equal(survey_def_check_change(&oldd, &newd, answered, 2, &e), 1);
	assert_string_equal(e.items[0].code, "state.answered");
	assert_non_null(strstr(e.items[0].message, "question 1 (uses_ai), options"));
	survey_def_free(&newd);
	json_decref(j);
	/* a kind changed */
	memset(&e, 0, sizeof e);
	j = def_json();
	json_object_set_new(q(j, 2), "kind", json_string("scale"));
	json_object_del(q(j, 2), "min");
	json_object_del(q(j, 2), "max");
	json_object_del(q(j, 2), "unit");
	assert_int_equal(survey_def_parse(j, &newd, &e), 0);
	assert_int_equal(survey_def_check_change(&oldd, &newd, answered, 2, &e), 1);
	assert_non_null(strstr(e.items[0].message, "question 3 (budget), kind"));
	survey_def_free(&newd);
	json_decref(j);
	/* an answered question removed */
	memset(&e, 0, sizeof e);
	j = def_json();
	json_array_remove(json_object_get(j, "questions"), 2);
	assert_int_equal(survey_def_parse(j, &newd, &e), 0);
	assert_int_equal(survey_def_check_change(&oldd, &newd, answered, 2, &e), 1);
	assert_non_null(strstr(e.items[0].message, "supprimée"));
	survey_def_free(&newd);
	json_decref(j);
	survey_def_free(&oldd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_def_ok_and_round_trip),
		cmocka_unit_test(test_def_campaign_rules),
		cmocka_unit_test(test_def_question_rules),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_targeting_and_state),
		cmocka_unit_test(test_change_of_answered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
