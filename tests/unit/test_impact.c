/*
 * test_impact.c — measured impact: dates as days, the figures of an
 * indicator, the "impact démontré" label rules on their edge cases (89 vs
 * 90 days, missing baseline, independent evaluation without report,
 * restricted and usage indicators, review hash, exceptions, score order),
 * and the validation of indicators by model_validate().
 *
 * The label tests build docs directly (bypassing validation) so that
 * states validation refuses (an independent level without report) can
 * still be judged by the rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "impact.h"
#include "model.h"

/* ==== Helpers ==== */

/* A good indicator: public impact, baseline 2025-01-01, result on date,
 * measured, with a method. */
static json_t *good(const char *date)
{
	return json_pack("{s:s, s:s, s:s, s:{s:f, s:s}, s:[{s:f, s:s}], s:s, s:s, s:s}", "name", "Délai", "type",
	                 "impact", "unit", "jours", "baseline", "value", 20.0, "date", "2025-01-01", "measurements", "value",
	                 13.0, "date", date, "method", "Extraction du logiciel", "evidence", "measured", "visibility",
	                 "public");
}

static json_t *doc_of(json_t *ind) /* steals ind */
{
	json_t *d = json_object();
	json_t *a = json_array();
	if (ind) json_array_append_new(a, ind);
	json_object_set_new(d, "indicators", a);
	return d;
}

/* Evaluate doc as published and reviewed with its own current hash. */
static void eval_reviewed(const json_t *doc, struct impact_result *r)
{
	char h[17];
	impact_hash(doc, h);
	struct impact_review rv = { true, h, NULL };
	impact_eval(doc, &rv, r);
}

static bool has_code(const struct impact_result *r, const char *code)
{
	for (int i = 0; i < r->nmissing; i++)
		if (strcmp(r->missing[i].code, code) == 0) return true;
	return false;
}

/* ==== Dates and figures ==== */

static void test_days(void **state)
{
	(void)state;
	assert_int_equal(impact_days("1970-01-01"), 0);
	assert_int_equal(impact_days("1970-01-02"), 1);
	assert_int_equal(impact_days("1969-12-31"), -1);
	assert_int_equal(impact_days("2025-03-31") - impact_days("2025-01-01"), 89);
	assert_int_equal(impact_days("2025-04-01") - impact_days("2025-01-01"), 90);
	assert_int_equal(impact_days("2024-03-01") - impact_days("2024-02-28"), 2); /* leap year */
	assert_int_equal(impact_days("2000-03-01") - impact_days("2000-02-28"), 2); /* 400 rule */
	assert_int_equal(impact_days("2100-03-01") - impact_days("2100-02-28"), 1); /* 100 rule */
	assert_int_equal(impact_days("2025-02-29"), INT32_MIN);
	assert_int_equal(impact_days("2025-13-01"), INT32_MIN);
	assert_int_equal(impact_days("2025-04-31"), INT32_MIN);
	assert_int_equal(impact_days("2025-4-1"), INT32_MIN);
	assert_int_equal(impact_days("2025/04/01"), INT32_MIN);
	assert_int_equal(impact_days(""), INT32_MIN);
	assert_int_equal(impact_days(NULL), INT32_MIN);
}

static void test_figures(void **state)
{
	(void)state;
	json_t *ind = good("2025-04-01");
	struct impact_figures f;
	impact_figures(ind, &f);
	assert_true(f.has_baseline);
	assert_true(f.has_result);
	assert_true(f.baseline == 20.0 && f.result == 13.0);
	assert_true(f.change == -7.0);
	assert_true(fabs(f.change_pct + 35.0) < 1e-9);
	assert_int_equal(f.period_days, 90);
	assert_int_equal(f.nmeasures, 1);
	assert_string_equal(f.baseline_date, "2025-01-01");
	assert_string_equal(f.result_date, "2025-04-01");
	assert_null(f.result_start);

	/* the latest measurement is the result; its start gives the period */
	json_t *ms = json_object_get(ind, "measurements");
	json_array_append_new(ms, json_pack("{s:f, s:s, s:s}", "value", 11.0, "date", "2025-06-30", "start", "2025-04-02"));
	impact_figures(ind, &f);
	assert_int_equal(f.nmeasures, 2);
	assert_true(f.result == 11.0);
	assert_string_equal(f.result_start, "2025-04-02");
	assert_int_equal(f.period_days, 89);

	/* baseline 0: no percentage; no baseline and no start: no period */
	json_object_set_new(ind, "baseline", json_pack("{s:f, s:s}", "value", 0.0, "date", "2025-01-01"));
	impact_figures(ind, &f);
	assert_true(isnan(f.change_pct));
	assert_true(f.change == 11.0);
	json_object_del(ind, "baseline");
	json_array_remove(ms, 1);
	impact_figures(ind, &f);
	assert_false(f.has_baseline);
	assert_int_equal(f.period_days, -1);
	json_object_del(ind, "measurements");
	impact_figures(ind, &f);
	assert_false(f.has_result);
	assert_int_equal(f.nmeasures, 0);
	json_decref(ind);
}

/* ==== The label rules ==== */

static void test_rules_met(void **state)
{
	(void)state;
	json_t *doc = doc_of(good("2025-04-01"));
	struct impact_result r;
	eval_reviewed(doc, &r);
	assert_int_equal(r.nmissing, 0);
	assert_true(r.rules_met);
	assert_true(r.awarded);
	assert_string_equal(r.basis, "rules");
	assert_int_equal(r.best_indicator, 0);
	assert_int_equal(r.evidence, 2);
	assert_int_equal(r.score, 1000 + 200 + 1);
	json_decref(doc);
}

static void test_period_89_90(void **state)
{
	(void)state;
	struct impact_result r;
	json_t *doc = doc_of(good("2025-03-31")); /* 89 days */
	eval_reviewed(doc, &r);
	assert_false(r.awarded);
	assert_int_equal(r.nmissing, 1);
	assert_string_equal(r.missing[0].code, "impact.period_too_short");
	assert_non_null(strstr(r.missing[0].message, "89 jours"));
	json_decref(doc);

	doc = doc_of(good("2025-04-01")); /* 90 days */
	eval_reviewed(doc, &r);
	assert_true(r.awarded);
	assert_false(has_code(&r, "impact.period_too_short"));
	json_decref(doc);
}

static void test_measurement_start(void **state)
{
	(void)state;
	struct impact_result r;
	/* 2025-06-30 is 180 days after the baseline, but the measurement
	 * covers 2025-04-02 → 2025-06-30: 89 days */
	json_t *ind = good("2025-06-30");
	json_object_set_new(json_array_get(json_object_get(ind, "measurements"), 0), "start", json_string("2025-04-02"));
	json_t *doc = doc_of(ind);
	eval_reviewed(doc, &r);
	assert_true(has_code(&r, "impact.period_too_short"));
	json_object_set_new(json_array_get(json_object_get(ind, "measurements"), 0), "start", json_string("2025-04-01"));
	eval_reviewed(doc, &r);
	assert_true(r.awarded);
	/* without a baseline, a start alone still gives a period, but rule 2 fails */
	json_object_del(ind, "baseline");
	eval_reviewed(doc, &r);
	assert_false(has_code(&r, "impact.period_too_short"));
	assert_true(has_code(&r, "impact.no_baseline"));
	json_decref(doc);
}

static void test_missing_baseline(void **state)
{
	(void)state;
	struct impact_result r;
	json_t *ind = good("2025-04-01");
	json_object_del(ind, "baseline");
	json_t *doc = doc_of(ind);
	eval_reviewed(doc, &r);
	assert_false(r.awarded);
	assert_true(has_code(&r, "impact.no_baseline"));
	/* no baseline and no start: the period is unknown too */
	assert_true(has_code(&r, "impact.period_too_short"));
	assert_int_equal(r.evidence, 0); /* no indicator with baseline and result */
	json_decref(doc);
}

static void test_evidence(void **state)
{
	(void)state;
	struct impact_result r;
	/* independent without report: counts as declared */
	json_t *ind = good("2025-04-01");
	json_object_set_new(ind, "evidence", json_string("independent"));
	json_object_set_new(ind, "evaluator", json_string("Cerema"));
	json_t *doc = doc_of(ind);
	assert_int_equal(impact_evidence(ind), 1);
	eval_reviewed(doc, &r);
	assert_false(r.awarded);
	assert_int_equal(r.nmissing, 1);
	assert_string_equal(r.missing[0].code, "impact.independent_without_report");
	assert_int_equal(r.evidence, 1);
	/* with its report: level 3, awarded */
	json_object_set_new(ind, "report_url", json_string("https://example.org/rapport.pdf"));
	assert_int_equal(impact_evidence(ind), 3);
	eval_reviewed(doc, &r);
	assert_true(r.awarded);
	assert_int_equal(r.evidence, 3);
	assert_int_equal(r.score, 1000 + 300 + 1);
	/* independent without evaluator: declared too */
	json_object_del(ind, "evaluator");
	assert_int_equal(impact_evidence(ind), 1);
	/* declared only */
	json_object_set_new(ind, "evidence", json_string("declared"));
	eval_reviewed(doc, &r);
	assert_int_equal(r.nmissing, 1);
	assert_string_equal(r.missing[0].code, "impact.evidence_too_weak");
	json_decref(doc);
}

static void test_no_method(void **state)
{
	(void)state;
	struct impact_result r;
	json_t *ind = good("2025-04-01");
	json_object_del(ind, "method");
	json_t *doc = doc_of(ind);
	eval_reviewed(doc, &r);
	assert_int_equal(r.nmissing, 1);
	assert_string_equal(r.missing[0].code, "impact.no_method");
	json_object_set_new(ind, "method", json_string(""));
	eval_reviewed(doc, &r);
	assert_string_equal(r.missing[0].code, "impact.no_method");
	json_decref(doc);
}

static void test_only_public_impact_counts(void **state)
{
	(void)state;
	struct impact_result r;
	/* restricted: does not count */
	json_t *ind = good("2025-04-01");
	json_object_set_new(ind, "visibility", json_string("restricted"));
	json_t *doc = doc_of(ind);
	eval_reviewed(doc, &r);
	assert_false(r.awarded);
	assert_true(has_code(&r, "impact.no_indicator"));
	assert_int_equal(r.best_indicator, -1);
	assert_int_equal(r.score, 0);
	json_decref(doc);
	/* usage: does not count */
	ind = good("2025-04-01");
	json_object_set_new(ind, "type", json_string("usage"));
	doc = doc_of(ind);
	eval_reviewed(doc, &r);
	assert_true(has_code(&r, "impact.no_indicator"));
	json_decref(doc);
	/* none at all */
	doc = doc_of(NULL);
	eval_reviewed(doc, &r);
	assert_true(has_code(&r, "impact.no_indicator"));
	json_decref(doc);
	/* the best of several: a weak one first, a good one second */
	doc = doc_of(NULL);
	json_t *weak = good("2025-02-01");
	json_object_del(weak, "method");
	json_array_append_new(json_object_get(doc, "indicators"), weak);
	json_array_append_new(json_object_get(doc, "indicators"), good("2025-04-01"));
	eval_reviewed(doc, &r);
	assert_true(r.awarded);
	assert_int_equal(r.best_indicator, 1);
	assert_int_equal(r.score, 1000 + 200 + 2);
	json_decref(doc);
}

static void test_published_and_review(void **state)
{
	(void)state;
	struct impact_result r;
	json_t *doc = doc_of(good("2025-04-01"));
	char h[17];
	impact_hash(doc, h);
	assert_int_equal(strlen(h), 16);

	struct impact_review rv = { false, h, NULL };
	impact_eval(doc, &rv, &r);
	assert_false(r.awarded);
	assert_int_equal(r.nmissing, 1);
	assert_string_equal(r.missing[0].code, "impact.not_published");

	rv = (struct impact_review){ true, NULL, NULL };
	impact_eval(doc, &rv, &r);
	assert_int_equal(r.nmissing, 1);
	assert_string_equal(r.missing[0].code, "impact.not_reviewed");

	rv = (struct impact_review){ true, "0000000000000000", NULL };
	impact_eval(doc, &rv, &r);
	assert_int_equal(r.nmissing, 1);
	assert_string_equal(r.missing[0].code, "impact.review_outdated");

	/* a restricted indicator added: same hash; a public change: another */
	json_t *secret = good("2025-04-01");
	json_object_set_new(secret, "visibility", json_string("restricted"));
	json_array_append_new(json_object_get(doc, "indicators"), secret);
	char h2[17];
	impact_hash(doc, h2);
	assert_string_equal(h, h2);
	json_object_set_new(json_array_get(json_object_get(doc, "indicators"), 0), "comments", json_string("biais"));
	impact_hash(doc, h2);
	assert_string_not_equal(h, h2);
	rv = (struct impact_review){ true, h, NULL };
	impact_eval(doc, &rv, &r);
	assert_true(has_code(&r, "impact.review_outdated"));
	json_decref(doc);
}

static void test_overrides(void **state)
{
	(void)state;
	struct impact_result r;
	/* granted: awarded although the rules are not met */
	json_t *doc = doc_of(good("2025-03-31"));
	struct impact_review rv = { true, NULL, "granted" };
	impact_eval(doc, &rv, &r);
	assert_true(r.awarded);
	assert_false(r.rules_met);
	assert_string_equal(r.basis, "granted");
	assert_true(r.nmissing > 0); /* what the rules still lack is kept */
	json_decref(doc);
	/* withdrawn: not awarded although the rules are met */
	doc = doc_of(good("2025-04-01"));
	char h[17];
	impact_hash(doc, h);
	rv = (struct impact_review){ true, h, "withdrawn" };
	impact_eval(doc, &rv, &r);
	assert_false(r.awarded);
	assert_true(r.rules_met);
	assert_string_equal(r.basis, "withdrawn");
	assert_int_equal(r.score, 200 + 1);
	json_decref(doc);
}

static int score_of(json_t *doc, const char *override) /* steals doc */
{
	char h[17];
	impact_hash(doc, h);
	struct impact_review rv = { true, h, override };
	struct impact_result r;
	impact_eval(doc, &rv, &r);
	json_decref(doc);
	return r.score;
}

static void test_score_order(void **state)
{
	(void)state;
	json_t *ind;
	/* awarded, independent */
	ind = good("2025-04-01");
	json_object_set_new(ind, "evidence", json_string("independent"));
	json_object_set_new(ind, "evaluator", json_string("Cerema"));
	json_object_set_new(ind, "report_url", json_string("https://example.org/r.pdf"));
	int awarded_indep = score_of(doc_of(ind), NULL);
	int awarded_measured = score_of(doc_of(good("2025-04-01")), NULL);
	/* not awarded (89 days) but independently evaluated */
	ind = good("2025-03-31");
	json_object_set_new(ind, "evidence", json_string("independent"));
	json_object_set_new(ind, "evaluator", json_string("Cerema"));
	json_object_set_new(ind, "report_url", json_string("https://example.org/r.pdf"));
	int indep = score_of(doc_of(ind), NULL);
	/* not awarded, measured, two indicators vs one */
	json_t *two = doc_of(good("2025-03-31"));
	json_array_append_new(json_object_get(two, "indicators"), good("2025-03-30"));
	int measured2 = score_of(two, NULL);
	int measured1 = score_of(doc_of(good("2025-03-31")), NULL);
	ind = good("2025-03-31");
	json_object_set_new(ind, "evidence", json_string("declared"));
	int declared = score_of(doc_of(ind), NULL);
	int none = score_of(doc_of(NULL), NULL);
	int granted = score_of(doc_of(NULL), "granted");
	assert_true(awarded_indep > awarded_measured);
	assert_true(awarded_measured > indep);
	assert_true(granted > indep);
	assert_true(indep > measured2);
	assert_true(measured2 > measured1);
	assert_true(measured1 > declared);
	assert_true(declared > none);
	assert_int_equal(none, 0);
	assert_int_equal(granted, 1000);
}

/* ==== Validation (model_validate) ==== */

static json_t *record_with(json_t *ind) /* steals ind */
{
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", "Détection des fuites", "summary", "Un résumé court.",
	                       "owner", "epci-243300316", "theme", "ecological_transition", "status", "experiment");
	json_t *a = json_array();
	json_array_append_new(a, ind);
	json_object_set_new(in, "indicators", a);
	return in;
}

/* Validate (steals input): the first error's code and field, or NULL. */
static const char *first_error(json_t *input, const char **field, json_t **out)
{
	static struct verrors e;
	memset(&e, 0, sizeof e);
	json_t *doc = model_validate(input, NULL, &e);
	json_decref(input);
	if (doc) {
		if (out) *out = doc;
		else json_decref(doc);
		return NULL;
	}
	if (field) *field = e.items[0].field;
	return e.items[0].code;
}

static void test_validation(void **state)
{
	(void)state;
	const char *field = NULL;
	/* a good indicator is valid */
	assert_null(first_error(record_with(good("2025-04-01")), NULL, NULL));

	/* independent without report_url, without evaluator */
	json_t *ind = good("2025-04-01");
	json_object_set_new(ind, "evidence", json_string("independent"));
	json_object_set_new(ind, "evaluator", json_string("Cerema"));
	assert_string_equal(first_error(record_with(ind), &field, NULL), "validation.required");
	assert_string_equal(field, "indicators[0].report_url");
	ind = good("2025-04-01");
	json_object_set_new(ind, "evidence", json_string("independent"));
	json_object_set_new(ind, "report_url", json_string("https://example.org/r.pdf"));
	assert_string_equal(first_error(record_with(ind), &field, NULL), "validation.required");
	assert_string_equal(field, "indicators[0].evaluator");

	/* a measurement on or before the baseline */
	assert_string_equal(first_error(record_with(good("2024-12-31")), &field, NULL), "validation.format");
	assert_string_equal(field, "indicators[0].measurements");
	assert_string_equal(first_error(record_with(good("2025-01-01")), &field, NULL), "validation.format");

	/* a measurement in the future */
	assert_string_equal(first_error(record_with(good("2999-01-01")), &field, NULL), "validation.format");
	assert_string_equal(field, "indicators[0].measurements[0].date");

	/* a bad date */
	assert_string_equal(first_error(record_with(good("2025-02-30")), &field, NULL), "validation.format");
	assert_string_equal(field, "indicators[0].measurements[0].date");
	ind = good("2025-04-01");
	json_object_set_new(ind, "baseline", json_pack("{s:f, s:s}", "value", 1.0, "date", "01/01/2025"));
	assert_string_equal(first_error(record_with(ind), &field, NULL), "validation.format");
	assert_string_equal(field, "indicators[0].baseline.date");

	/* an unknown key */
	ind = good("2025-04-01");
	json_object_set_new(ind, "colour", json_string("red"));
	assert_non_null(first_error(record_with(ind), &field, NULL));
	assert_non_null(strstr(field, "indicators[0]"));

	/* an unknown common indicator */
	ind = good("2025-04-01");
	json_object_set_new(ind, "common", json_string("happiness"));
	assert_string_equal(first_error(record_with(ind), &field, NULL), "validation.enum");
	assert_string_equal(field, "indicators[0].common");

	/* a common indicator fills name, unit and type */
	ind = json_pack("{s:s, s:{s:f, s:s}, s:[{s:f, s:s}]}", "common", "active_users", "baseline", "value", 10.0, "date",
	                "2025-01-01", "measurements", "value", 40.0, "date", "2025-05-01");
	json_t *doc = NULL;
	assert_null(first_error(record_with(ind), NULL, &doc));
	json_t *v = json_array_get(json_object_get(doc, "indicators"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "name")), "Utilisateurs actifs");
	assert_string_equal(json_string_value(json_object_get(v, "unit")), "unité");
	assert_string_equal(json_string_value(json_object_get(v, "type")), "usage");
	assert_string_equal(json_string_value(json_object_get(v, "evidence")), "declared");
	assert_string_equal(json_string_value(json_object_get(v, "visibility")), "public");
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_figures),
		cmocka_unit_test(test_rules_met),
		cmocka_unit_test(test_period_89_90),
		cmocka_unit_test(test_measurement_start),
		cmocka_unit_test(test_missing_baseline),
		cmocka_unit_test(test_evidence),
		cmocka_unit_test(test_no_method),
		cmocka_unit_test(test_only_public_impact_counts),
		cmocka_unit_test(test_published_and_review),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_score_order),
		cmocka_unit_test(test_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
