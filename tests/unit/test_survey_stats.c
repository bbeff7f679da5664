/*
 * test_survey_stats.c — unit tests for survey_stats.c (the statistics of
 * one survey campaign) against a small fixture computed by hand, plus a
 * property test on a random larger campaign, the cache, and
 * store_stats_population() on a real database.
 *
 * The fixture (every figure below is worked out in the comments):
 *   population (target: all)           respondents (submitted)
 *   commune lt_3500       N = 40        8   région 84, dép. 01
 *   commune 3500_20000    N = 10        6   région 84, dép. 69
 *   commune gt_100000     N =  2        0   région 11, dép. 75 (collapsed)
 *   epci    20000_100000  N =  6        3   région 11, dép. 75
 *   + 2 DRAFTS of communes lt_3500, whose answers must change nothing.
 *   n = 17, N = 58.
 * Weights: commune lt_3500 40/8 = 5; commune gt_100000 has no answer and
 * is collapsed into the nearest band of its kind with answers,
 * 3500_20000 (distance 2, lt_3500 is at 3): (10 + 2)/6 = 2; epci 6/3 = 2.
 * Σw = 8·5 + 6·2 + 3·2 = 58 (= the covered population), Σw² = 8·25 + 6·4 +
 * 3·4 = 236, Kish n_eff = 58²/236 = 14.2542372881, fpc = (58−17)/(58−1) =
 * 41/57.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "org.h"
#include "store.h"
#include "survey_stats.h"
#include "testdb.h"
#include "util.h"

#define EPS 1e-9
static void near(double got, double want)
{
	if (fabs(got - want) > EPS) fail_msg("got %.12f, want %.12f", got, want);
}

static const char *DEF = "{\"format\":\"iat-campaign/1\",\"code\":\"observatoire-2026\",\"year\":2026,"
	"\"title\":\"Observatoire 2026 <test>\",\"questions\":["
	"{\"code\":\"uses_ai\",\"kind\":\"single\",\"label\":\"Utilisez-vous l'IA ?\",\"options\":["
	"{\"code\":\"yes\",\"label\":\"Oui\"},{\"code\":\"no\",\"label\":\"Non\"},{\"code\":\"planned\",\"label\":\"En projet\"}]},"
	"{\"code\":\"domains\",\"kind\":\"multiple\",\"label\":\"Domaines\",\"options\":["
	"{\"code\":\"mobility\",\"label\":\"Mobilité\"},{\"code\":\"water\",\"label\":\"Eau <b>\"}],"
	"\"show_if\":{\"question\":\"uses_ai\",\"value\":\"yes\"}},"
	"{\"code\":\"budget\",\"kind\":\"number\",\"label\":\"Budget\",\"unit\":\"€\",\"min\":0},"
	"{\"code\":\"satisfaction\",\"kind\":\"scale\",\"label\":\"Satisfaction\"},"
	"{\"code\":\"tool\",\"kind\":\"text\",\"label\":\"Outil\"}]}";

static const struct sv_pop POP[] = {
	{ "commune", "lt_3500", "84", "01", 40 },
	{ "commune", "3500_20000", "84", "69", 10 },
	{ "commune", "gt_100000", "11", "75", 2 },
	{ "epci", "20000_100000", "11", "75", 6 },
};

#define NR 19
static struct sv_response R[NR];
static char *ANS[NR];

/* uses_ai, domains (JSON or NULL), budget, satisfaction (0: none), tool */
static void resp(int i, const char *kind, const char *band, const char *reg, const char *dep, bool sub, const char *use,
                 const char *dom, double budget, int sat, bool tool)
{
	buf_t b = BUF_INIT;
	buf_fmt(&b, "{\"uses_ai\":%J", use);
	if (dom) buf_fmt(&b, ",\"domains\":%R", dom);
	char num[32];
	snprintf(num, sizeof num, "%.0f", budget);
	buf_fmt(&b, ",\"budget\":%R", num);
	if (sat) buf_fmt(&b, ",\"satisfaction\":%d", sat);
	if (tool) buf_puts(&b, ",\"tool\":\"SECRET-TOOL-NAME\"");
	buf_puts(&b, "}");
	ANS[i] = buf_detach(&b);
	R[i] = (struct sv_response){ kind, band, reg, dep, sub, ANS[i], 0 };
}

static void build_responses(void)
{
	int i = 0;
	/* communes lt_3500: uses_ai yes 2, no 5, planned 1; budgets 0 0 1000 2000 500 0 100 300 */
	resp(i++, "commune", "lt_3500", "84", "01", true, "yes", "[\"mobility\"]", 0, 3, true);
	resp(i++, "commune", "lt_3500", "84", "01", true, "yes", "[\"mobility\",\"water\"]", 0, 4, true);
	/* a "no" with an answer to the hidden question: ignored */
	resp(i++, "commune", "lt_3500", "84", "01", true, "no", "[\"water\"]", 1000, 0, true);
	resp(i++, "commune", "lt_3500", "84", "01", true, "no", NULL, 2000, 0, false);
	resp(i++, "commune", "lt_3500", "84", "01", true, "no", NULL, 500, 0, false);
	resp(i++, "commune", "lt_3500", "84", "01", true, "no", NULL, 0, 0, false);
	resp(i++, "commune", "lt_3500", "84", "01", true, "no", NULL, 100, 0, false);
	resp(i++, "commune", "lt_3500", "84", "01", true, "planned", NULL, 300, 0, false);
	/* communes 3500_20000: yes 4 (one without domains), no 2 */
	resp(i++, "commune", "3500_20000", "84", "69", true, "yes", "[\"water\"]", 5000, 5, true);
	resp(i++, "commune", "3500_20000", "84", "69", true, "yes", "[\"water\"]", 10000, 0, true);
	resp(i++, "commune", "3500_20000", "84", "69", true, "yes", "[\"mobility\"]", 2000, 0, true);
	resp(i++, "commune", "3500_20000", "84", "69", true, "yes", NULL, 8000, 0, false);
	resp(i++, "commune", "3500_20000", "84", "69", true, "no", NULL, 3000, 0, false);
	resp(i++, "commune", "3500_20000", "84", "69", true, "no", NULL, 4000, 0, false);
	/* EPCI 20000_100000: yes 3 */
	resp(i++, "epci", "20000_100000", "11", "75", true, "yes", "[\"mobility\"]", 50000, 2, false);
	resp(i++, "epci", "20000_100000", "11", "75", true, "yes", "[\"mobility\",\"water\"]", 20000, 0, false);
	resp(i++, "epci", "20000_100000", "11", "75", true, "yes", "[\"water\"]", 30000, 0, false);
	/* drafts: would change every figure if counted */
	resp(i++, "commune", "lt_3500", "84", "01", false, "yes", "[\"water\"]", 999999, 5, true);
	resp(i++, "commune", "lt_3500", "84", "01", false, "yes", "[\"water\"]", 999999, 5, true);
	assert_int_equal(i, NR);
}

struct fx {
	struct sv_def *def;
	struct sv_data *data;
	struct sv_result *res;
};

static int fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	char *err = NULL;
	f->def = sv_def_parse(DEF, strlen(DEF), &err);
	if (!f->def) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	build_responses();
	f->data = sv_load(f->def, R, NR, POP, 4);
	f->res = sv_compute(f->data);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	sv_result_free(f->res);
	sv_data_free(f->data);
	sv_def_free(f->def);
	for (int i = 0; i < NR; i++) free(ANS[i]);
	free(f);
	return 0;
}

static int cell_of(const struct sv_result *r, enum sv_dim dim, const char *code)
{
	for (int j = 0; j < r->ncells; j++)
		if (r->cells[j].dim == dim && strcmp(r->cells[j].code, code) == 0) return j;
	fail_msg("no cell %s", code);
	return -1;
}

static void test_def_errors(void **state)
{
	(void)state;
	char *err = NULL;
	const char *bad[] = {
		"[]",
		"{\"questions\":[]}",
		"{\"questions\":[{\"code\":\"a\",\"kind\":\"weird\"}]}",
		"{\"questions\":[{\"code\":\"a\",\"kind\":\"text\"},{\"code\":\"a\",\"kind\":\"text\"}]}",
		/* show_if on a later question, on a number, on an unknown option */
		"{\"questions\":[{\"code\":\"a\",\"kind\":\"text\",\"show_if\":{\"question\":\"b\",\"value\":\"x\"}},"
		"{\"code\":\"b\",\"kind\":\"single\",\"options\":[{\"code\":\"x\"},{\"code\":\"y\"}]}]}",
		"{\"questions\":[{\"code\":\"n\",\"kind\":\"number\"},{\"code\":\"a\",\"kind\":\"text\",\"show_if\":{\"question\":\"n\",\"value\":\"1\"}}]}",
		"{\"questions\":[{\"code\":\"b\",\"kind\":\"single\",\"options\":[{\"code\":\"x\"},{\"code\":\"y\"}]},"
		"{\"code\":\"a\",\"kind\":\"text\",\"show_if\":{\"question\":\"b\",\"value\":\"z\"}}]}",
		"{\"questions\":[{\"code\":\"b\",\"kind\":\"single\",\"options\":[{\"code\":\"x\"},{\"code\":\"x\"}]}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sv_def *d = sv_def_parse(bad[i], strlen(bad[i]), &err);
		if (d) fail_msg("accepted: %s", bad[i]);
		assert_non_null(err);
		free(err);
	}
}

static void test_weights(void **state)
{
	struct fx *f = *state;
	const struct sv_result *r = f->res;
	/* drafts ignored: 17 respondents, not 19 */
	assert_int_equal(r->respondents, 17);
	assert_int_equal(r->population, 58);
	assert_int_equal(r->wsum.covered, 58);
	assert_int_equal(r->wsum.collapsed, 1);
	assert_int_equal(r->nstrata, 4);
	/* strata in kind then band order */
	assert_string_equal(r->strata[0].band, "lt_3500");
	near(r->strata[0].weight, 5.0);
	assert_string_equal(r->strata[1].band, "3500_20000");
	near(r->strata[1].weight, 2.0);   /* (10 + 2) / 6 */
	assert_string_equal(r->strata[2].band, "gt_100000");
	assert_true(r->strata[2].collapsed);
	assert_string_equal(r->strata[2].into_band, "3500_20000");
	near(r->strata[2].weight, 0.0);
	assert_string_equal(r->strata[3].kind, "epci");
	near(r->strata[3].weight, 2.0);   /* 6 / 3 */
	/* cells: populations and respondents */
	int c = cell_of(r, SV_KIND, "commune");
	assert_int_equal(r->cells[c].population, 52);
	assert_int_equal(r->cells[c].respondents, 14);
	c = cell_of(r, SV_REGION, "11");
	assert_int_equal(r->cells[c].population, 8);
	assert_int_equal(r->cells[c].respondents, 3);
	assert_string_equal(r->cells[c].label, "Île-de-France");
	/* départements: response rate 8/40 in 01, 6/10 in 69, 3/8 in 75 */
	double v[128];
	bool has[128];
	assert_true(map_dep_count() <= 128);
	sv_dep_response_rate(r, v, has);
	near(v[map_dep_index("01")], 20.0);
	near(v[map_dep_index("69")], 60.0);
	near(v[map_dep_index("75")], 37.5);
	assert_false(has[map_dep_index("13")]);
	/* uses_ai = yes by département: 01 2 of 8 = 25 %, 69 4 of 6, 75 only 3
	 * answers: no data */
	sv_dep_share(r, 0, 0, v, has);
	near(v[map_dep_index("01")], 25.0);
	near(v[map_dep_index("69")], 400.0 / 6);
	assert_false(has[map_dep_index("75")]);
	near(v[map_dep_index("75")], 0);
	buf_t b = BUF_INIT;
	sv_html_map_share(&b, r, 0, 0, 2, NULL);
	assert_non_null(strstr(buf_cstr(&b), "Paris (75) : pas de donnée"));
	assert_non_null(strstr(buf_cstr(&b), "Ain (01) : 25\u00a0%"));
	buf_free(&b);
}

static void test_single(void **state)
{
	struct fx *f = *state;
	const struct sv_result *r = f->res;
	const struct sv_cell *all = &r->q[0].cell[0];
	assert_int_equal(all->n, 17);
	assert_int_equal(all->shown, 17);
	assert_false(all->suppressed);
	near(all->wn, 58.0);
	/* yes: 2 + 4 + 3 = 9 of 17.
	 * raw p = 9/17 = 0.529411764706; moe = 1.96·√(p(1−p)/17 · 41/57)
	 *       = 1.96·√(0.249134948/17 · 0.719298246) = 0.201231265178
	 * weighted Σw·y = 2·5 + 4·2 + 3·2 = 24: p_w = 24/58 = 0.413793103448;
	 * moe = 1.96·√(p_w(1−p_w)/14.2542372881 · 41/57) = 0.216844137513 */
	const struct share *yes = &all->opt[0];
	assert_int_equal(yes->x, 9);
	near(yes->raw, 9.0 / 17);
	near(yes->raw_moe, 0.20123126517750997);
	near(yes->weighted, 24.0 / 58);
	near(yes->weighted_moe, 0.21684413751273618);
	/* no: 5·5 + 2·2 = 29 → 29/58; planned: 1·5 = 5 → 5/58: shares add up to 1 */
	near(all->opt[1].weighted, 29.0 / 58);
	near(all->opt[2].weighted, 5.0 / 58);
	near(all->opt[0].raw + all->opt[1].raw + all->opt[2].raw, 1.0);

	/* the commune cell: 14 answers, N = 52, fpc = 38/51; yes 6 → 6/14,
	 * moe 1.96·√((3/7)(4/7)/14 · 38/51) = 0.223760470447;
	 * weighted: Σw = 52, Σw² = 8·25 + 6·4 = 224, n_eff = 52²/224 =
	 * 12.0714285714, Σw·y = 10 + 8 = 18 → 18/52 = 0.346153846154,
	 * moe 1.96·√(p_w(1−p_w)/12.0714285714 · 38/51) = 0.231658283600 */
	const struct sv_cell *com = &r->q[0].cell[cell_of(r, SV_KIND, "commune")];
	assert_int_equal(com->n, 14);
	near(com->opt[0].raw, 6.0 / 14);
	near(com->opt[0].raw_moe, 0.22376047044682176);
	near(com->opt[0].weighted, 18.0 / 52);
	near(com->opt[0].weighted_moe, 0.23165828360005833);

	/* 3 EPCI, 3 answers in région 11, none in band gt_100000: suppressed
	 * and wiped (no count anywhere) */
	const int cells[] = { cell_of(r, SV_KIND, "epci"), cell_of(r, SV_REGION, "11"), cell_of(r, SV_BAND, "gt_100000"),
		              cell_of(r, SV_BAND, "20000_100000") };
	for (int k = 0; k < 4; k++) {
		const struct sv_cell *c = &r->q[0].cell[cells[k]];
		assert_true(c->suppressed);
		assert_int_equal(c->n, 0);
		assert_int_equal(c->shown, 0);
		for (int o = 0; o < 3; o++) {
			assert_true(c->opt[o].suppressed);
			assert_int_equal(c->opt[o].x, 0);
			near(c->opt[o].raw, 0);
			near(c->opt[o].weighted, 0);
		}
	}
	/* 8 answers in band lt_3500: shown (5 is the threshold, not 10) */
	assert_false(r->q[0].cell[cell_of(r, SV_BAND, "lt_3500")].suppressed);
}

static void test_conditional(void **state)
{
	struct fx *f = *state;
	const struct sv_result *r = f->res;
	/* domains is shown only to the 9 "yes": 8 answered, 1 missing; the 8
	 * others are neither answers nor non-answers (the "no" that answered
	 * it anyway is ignored).
	 * mobility: lt_3500 2, 3500_20000 1, epci 2 → 5/8; water: 1, 2, 2 → 5/8
	 * weighted: Σw = 2·5 + 3·2 + 3·2 = 22, Σw² = 2·25 + 6·4 = 74,
	 * n_eff = 22²/74 = 6.54054054; fpc = (58−8)/57 = 50/57;
	 * mobility Σw·y = 2·5 + 1·2 + 2·2 = 16 → 16/22; water 5 + 4 + 4 = 13 → 13/22
	 * moe raw 1.96·√(0.625·0.375/8 · 50/57) = 0.314200096719
	 * moe weighted mobility 1.96·√((16/22)(6/22)/6.54054054 · 50/57) = 0.319669925692 */
	const struct sv_cell *all = &r->q[1].cell[0];
	assert_int_equal(all->shown, 9);
	assert_int_equal(all->n, 8);
	assert_int_equal(all->opt[0].x, 5);
	assert_int_equal(all->opt[1].x, 5);
	near(all->opt[0].raw, 0.625);
	near(all->opt[0].raw_moe, 0.31420009671947763);
	near(all->opt[0].weighted, 16.0 / 22);
	near(all->opt[0].weighted_moe, 0.3196699256919503);
	near(all->opt[1].weighted, 13.0 / 22);
	near(all->opt[1].weighted_moe, 0.3529060424835122);
	/* the JSON says missing = 1 */
	buf_t b = BUF_INIT;
	sv_write_json(&b, r);
	json_error_t je;
	json_t *j = json_loadb(b.data, b.len, 0, &je);
	assert_non_null(j);
	json_t *res0 = json_array_get(json_object_get(json_array_get(json_object_get(j, "questions"), 1), "results"), 0);
	assert_int_equal(json_integer_value(json_object_get(res0, "missing")), 1);
	assert_int_equal(json_integer_value(json_object_get(res0, "shown")), 9);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(j, "questions"), 1),
	                                                                       "show_if"),
	                                                       "question")),
	                    "uses_ai");
	json_decref(j);
	buf_free(&b);
}

static void test_numbers(void **state)
{
	struct fx *f = *state;
	const struct sv_result *r = f->res;
	/* 17 budgets: sorted 0 0 0 100 300 500 1000 2000 2000 3000 4000 5000
	 * 8000 10000 20000 30000 50000; sum 3900 + 32000 + 100000 = 135900
	 * mean 135900/17 = 7994.117647; median the 9th: 2000
	 * weighted mean (5·3900 + 2·32000 + 2·100000)/58 = 283500/58 = 4887.931034
	 * weighted median: half of Σw is 29; cumulative weights 5, 10, 15 (the
	 * three 0), 20 (100), 25 (300), 30 (500) ≥ 29 → 500 */
	const struct numeric *n = &r->q[2].cell[0].num;
	assert_int_equal(n->n, 17);
	near(n->mean, 135900.0 / 17);
	near(n->median, 2000);
	near(n->weighted_mean, 283500.0 / 58);
	near(n->weighted_median, 500);
	near(n->min, 0);
	near(n->max, 50000);
	/* commune 3500_20000 band: 6 values 2000 3000 4000 5000 8000 10000:
	 * median (4000 + 5000)/2 = 4500 */
	const struct numeric *b1 = &r->q[2].cell[cell_of(r, SV_BAND, "3500_20000")].num;
	near(b1->median, 4500);
	near(b1->mean, 32000.0 / 6);
	assert_true(r->q[2].cell[cell_of(r, SV_KIND, "epci")].num.suppressed);
}

static void test_outputs_hide_small_cells_and_text(void **state)
{
	struct fx *f = *state;
	const struct sv_result *r = f->res;
	/* satisfaction: 4 answers in all → suppressed everywhere */
	assert_true(r->q[3].cell[0].suppressed);
	/* tool: 6 answers (text): counted only */
	assert_int_equal(r->q[4].cell[0].n, 6);

	buf_t b = BUF_INIT;
	sv_write_json(&b, r);
	assert_null(strstr(buf_cstr(&b), "SECRET-TOOL"));
	json_error_t je;
	json_t *j = json_loadb(b.data, b.len, 0, &je);
	assert_non_null(j);
	json_t *sat = json_array_get(json_object_get(j, "questions"), 3);
	json_t *r0 = json_array_get(json_object_get(sat, "results"), 0);
	assert_true(json_is_true(json_object_get(r0, "suppressed")));
	assert_int_equal(json_object_size(r0), 3); /* dimension, code, suppressed: nothing else */
	json_t *tool = json_array_get(json_object_get(j, "questions"), 4);
	json_t *t0 = json_array_get(json_object_get(tool, "results"), 0);
	assert_int_equal(json_integer_value(json_object_get(t0, "answered")), 6);
	assert_null(json_object_get(t0, "options"));
	json_decref(j);

	buf_reset(&b);
	sv_write_csv(&b, r);
	const char *csv = buf_cstr(&b);
	assert_null(strstr(csv, "SECRET-TOOL"));
	assert_true(strncmp(csv, "\xEF\xBB\xBFquestion,question_label,", 25) == 0);
	/* the EPCI row of uses_ai/yes: every figure "< 5" */
	assert_non_null(strstr(csv, "uses_ai,Utilisez-vous l'IA ?,single,kind,epci,EPCI,share,yes,Oui,< 5,< 5,< 5,< 5,< 5,< 5\r\n"));
	assert_non_null(strstr(csv, "uses_ai,Utilisez-vous l'IA ?,single,all,,Ensemble,share,yes,Oui,17,9,"));
	assert_non_null(strstr(csv, "satisfaction,Satisfaction,scale,all,,Ensemble,mean,,,< 5,< 5,< 5,< 5,< 5,< 5\r\n"));
	assert_non_null(strstr(csv, "tool,Outil,text,all,,Ensemble,answered,,,6,,,,,\r\n"));

	buf_reset(&b);
	sv_html_dashboard(&b, r, 2, "/x.csv");
	const char *html = buf_cstr(&b);
	assert_null(strstr(html, "SECRET-TOOL"));
	assert_null(strstr(html, "<b>"));              /* the option label "Eau <b>" escaped */
	assert_non_null(strstr(html, "Eau &lt;b&gt;"));
	assert_non_null(strstr(html, "&lt; 5"));
	assert_non_null(strstr(html, "Moins de 5 réponses")); /* satisfaction */
	assert_non_null(strstr(html, "ni agrégées ni publiées"));
	assert_non_null(strstr(html, "41,4\u00a0%"));    /* weighted yes 24/58 */
	assert_non_null(strstr(html, "52,9\u00a0%"));    /* raw yes 9/17 */
	assert_non_null(strstr(html, "regroupée avec la strate"));
	buf_free(&b);
}

/* The earlier campaign: 10 communes lt_3500, 2 "yes", 8 "no"; "planned"
 * did not exist, "unsure" did (no counterpart: left out). */
static void test_year_over_year(void **state)
{
	struct fx *f = *state;
	const char *def0 = "{\"code\":\"observatoire-2025\",\"year\":2025,\"questions\":["
	                   "{\"code\":\"uses_ai\",\"kind\":\"single\",\"options\":[{\"code\":\"yes\"},{\"code\":\"no\"},{\"code\":\"unsure\"}]},"
	                   "{\"code\":\"budget\",\"kind\":\"number\"},{\"code\":\"old_only\",\"kind\":\"text\"},"
	                   "{\"code\":\"satisfaction\",\"kind\":\"scale\"}]}";
	struct sv_def *d0 = sv_def_parse(def0, strlen(def0), NULL);
	assert_non_null(d0);
	struct sv_response r0[10];
	for (int i = 0; i < 10; i++)
		r0[i] = (struct sv_response){ "commune", "lt_3500", "84", "01", true,
			                      i < 2 ? "{\"uses_ai\":\"yes\",\"budget\":10,\"satisfaction\":3}"
			                            : "{\"uses_ai\":\"no\",\"budget\":20,\"satisfaction\":3}", 0 };
	struct sv_data *dd0 = sv_load(d0, r0, 10, POP, 4);
	struct sv_result *p = sv_compute(dd0);
	sv_compare(f->res, p);
	/* everything is copied: the earlier campaign can go */
	sv_result_free(p);
	sv_data_free(dd0);
	sv_def_free(d0);
	const struct sv_result *r = f->res;
	assert_int_equal(r->prev_year, 2025);
	assert_int_equal(r->nyoy, 3); /* uses_ai, budget, satisfaction */
	const struct sv_yoy *y = &r->yoy[0];
	assert_int_equal(y->q, 0);
	assert_int_equal(y->nopt, 2); /* yes, no; not planned */
	/* before: all 10 in one stratum, equal weights: p_w = 0.2, n_eff = 10,
	 * fpc = (58−10)/57: V1 = 0.2·0.8/10 · 48/57 = 0.013473684211;
	 * after: p_w = 24/58, V2 = p_w(1−p_w)/14.2542372881 · 41/57 = 0.012240500854;
	 * change = (24/58 − 0.2)·100 = 21.379310345 points,
	 * margin 1.96·√(V1 + V2)·100 = 31.429283007: not significant */
	near(y->opt[0].before.weighted, 0.2);
	near(y->opt[0].before.weighted_var, 0.013473684210526318);
	near(y->opt[0].change.points, 21.379310344827584);
	near(y->opt[0].change.moe_points, 31.429283006682784);
	assert_false(y->opt[0].change.significant);
	assert_string_equal(r->def->q[0].opt_code[y->opt[1].opt], "no"); /* joined by code */
	assert_int_equal(y->opt[1].prev_opt, 1);
	near(r->yoy[1].before_num.mean, (2 * 10 + 8 * 20) / 10.0);

	buf_t b = BUF_INIT;
	sv_html_yoy(&b, r, 2);
	assert_non_null(strstr(buf_cstr(&b), "Évolution depuis 2025"));
	assert_non_null(strstr(buf_cstr(&b), "+21,4\u00a0pt ±\u00a031,4"));
	buf_reset(&b);
	sv_write_json(&b, r);
	json_error_t je;
	json_t *j = json_loadb(b.data, b.len, 0, &je);
	assert_non_null(j);
	json_t *yo = json_object_get(j, "year_over_year");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(yo, "previous"), "year")), 2025);
	json_t *o0 = json_array_get(json_object_get(json_array_get(json_object_get(yo, "questions"), 0), "options"), 0);
	assert_true(fabs(json_real_value(json_object_get(o0, "change_points")) - 21.379310344827584) < 1e-6);
	assert_true(json_is_false(json_object_get(o0, "significant")));
	/* satisfaction "3": after suppressed, so no change and no figure of it */
	json_t *s3 = json_array_get(json_object_get(json_array_get(json_object_get(yo, "questions"), 2), "options"), 2);
	assert_string_equal(json_string_value(json_object_get(s3, "code")), "3");
	assert_true(json_is_true(json_object_get(s3, "suppressed")));
	assert_null(json_object_get(s3, "change_points"));
	assert_int_equal(json_object_size(json_object_get(s3, "after")), 1);
	assert_non_null(json_object_get(json_object_get(s3, "before"), "share"));
	json_decref(j);
	buf_free(&b);

	/* satisfaction: 10 answers before, 4 now (suppressed): no change */
	const struct sv_yoy *ys = &r->yoy[2];
	assert_int_equal(ys->q, 3);
	assert_int_equal(ys->nopt, 5);
	assert_false(ys->opt[2].before.suppressed);
	near(ys->opt[2].before.raw, 1.0);
	assert_true(ys->opt[2].after.suppressed);
	assert_true(ys->opt[2].change.suppressed);
	assert_false(ys->opt[2].change.significant);
	near(ys->opt[2].change.points, 0);
	assert_true(ys->after_num.suppressed);
	assert_string_equal(r->prev_code, "observatoire-2025");
	sv_compare(f->res, NULL);
	assert_int_equal(f->res->nyoy, 0);
	assert_false(f->res->has_prev);
}

/* ---- property test: a random campaign ---- */

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void test_property_random(void **state)
{
	(void)state;
	const char *def = "{\"code\":\"r\",\"year\":2026,\"questions\":["
	                  "{\"code\":\"s\",\"kind\":\"single\",\"options\":[{\"code\":\"a\"},{\"code\":\"b\"},{\"code\":\"c\"},{\"code\":\"d\"}]},"
	                  "{\"code\":\"m\",\"kind\":\"multiple\",\"options\":[{\"code\":\"a\"},{\"code\":\"b\"},{\"code\":\"c\"}],"
	                  "\"show_if\":{\"question\":\"s\",\"value\":\"a\"}},"
	                  "{\"code\":\"n\",\"kind\":\"number\"},{\"code\":\"k\",\"kind\":\"scale\"}]}";
	struct sv_def *d = sv_def_parse(def, strlen(def), NULL);
	assert_non_null(d);
	const char *kinds[] = { "commune", "epci", "departement" };
	const char *bands[] = { "lt_3500", "3500_20000", "20000_100000", "gt_100000", NULL };
	const char *regs[] = { "84", "11", "53", "76" };
	const char *deps[] = { "01", "75", "29", "31" };
	struct sv_pop pop[3 * 5 * 4];
	int np = 0;
	for (int k = 0; k < 3; k++)
		for (int b = 0; b < 5; b++)
			for (int g = 0; g < 4; g++)
				pop[np++] = (struct sv_pop){ kinds[k], bands[b], regs[g], deps[g], 20 + rnd(200) };
	size_t nr = 3000;
	struct sv_response *rs = xcalloc(nr, sizeof *rs);
	char **txt = xcalloc(nr, sizeof *txt);
	int64_t cnt[60] = { 0 };
	for (size_t i = 0; i < nr; i++) {
		int h;
		do h = (int)rnd(60);
		while (cnt[h] >= pop[h].n); /* never more respondents than authorities */
		cnt[h]++;
		const char *opts[] = { "a", "b", "c", "d" };
		txt[i] = xasprintf("{\"s\":\"%s\",\"m\":[\"a\"%s],\"n\":%u,\"k\":%u}", opts[rnd(4)], rnd(2) ? ",\"c\"" : "",
		                   rnd(100000), 1 + rnd(5));
		rs[i] = (struct sv_response){ pop[h].kind, pop[h].band, pop[h].region, pop[h].departement, rnd(10) != 0, txt[i], 0 };
	}
	struct sv_data *data = sv_load(d, rs, nr, pop, (size_t)np);
	struct sv_result *r = sv_compute(data);
	assert_non_null(r);
	/* every respondent answered s: weighted count = covered population */
	near(r->q[0].cell[0].wn / (double)r->wsum.covered, 1.0);
	assert_int_equal(r->wsum.covered, r->wsum.population);
	for (int j = 0; j < r->ncells; j++) {
		const struct sv_cell *c = &r->q[0].cell[j];
		if (c->suppressed) {
			assert_int_equal(c->n, 0);
			continue;
		}
		double raw = 0, w = 0, wc = 0;
		int64_t x = 0;
		for (int o = 0; o < 4; o++) {
			raw += c->opt[o].raw;
			w += c->opt[o].weighted;
			wc += c->opt[o].weighted * c->wn;
			x += c->opt[o].x;
			assert_true(c->opt[o].raw_moe >= 0 && c->opt[o].raw_moe <= 1);
		}
		near(raw, 1.0);
		near(w, 1.0);
		assert_true(fabs(wc - c->wn) < 1e-6);
		assert_int_equal(x, c->n);
		/* multiple: shown only to "a"; every answer has option a */
		const struct sv_cell *m = &r->q[1].cell[j];
		if (!m->suppressed) {
			assert_int_equal(m->shown, c->opt[0].x);
			near(m->opt[0].raw, 1.0);
			assert_int_equal(m->opt[1].x, 0);
		}
		const struct numeric *nn = &r->q[2].cell[j].num;
		assert_true(nn->min <= nn->median && nn->median <= nn->max);
		assert_true(nn->min <= nn->weighted_median && nn->weighted_median <= nn->max);
		assert_true(nn->min <= nn->weighted_mean && nn->weighted_mean <= nn->max);
	}
	/* breakdowns add up: the answers of the kinds sum to all's */
	for (int dim = SV_KIND; dim <= SV_REGION; dim++) {
		int64_t n = 0;
		for (int j = 0; j < r->ncells; j++)
			if (r->cells[j].dim == (enum sv_dim)dim) n += r->q[0].cell[j].n + (r->q[0].cell[j].suppressed ? 0 : 0);
		assert_true(n <= r->q[0].cell[0].n);
	}
	size_t sub = 0;
	for (size_t i = 0; i < nr; i++) sub += rs[i].submitted;
	assert_int_equal(r->q[0].cell[0].n, (int64_t)sub);

	/* the answers scanner and jansson agree: the same answers with an
	 * escaped extra key first (the scanner gives up on escaped keys, so
	 * jansson reads every response) give the same figures */
	char **txt2 = xcalloc(nr, sizeof *txt2);
	struct sv_response *rs2 = xcalloc(nr, sizeof *rs2);
	for (size_t i = 0; i < nr; i++) {
		txt2[i] = xasprintf("{\"\\u0078\":[1, {}],%s", txt[i] + 1);
		rs2[i] = rs[i];
		rs2[i].answers = txt2[i];
	}
	struct sv_data *data2 = sv_load(d, rs2, nr, pop, (size_t)np);
	struct sv_result *r2 = sv_compute(data2);
	assert_int_equal(r2->ncells, r->ncells);
	for (int q = 0; q < r->nq; q++)
		for (int j = 0; j < r->ncells; j++) {
			const struct sv_cell *a = &r->q[q].cell[j], *b2 = &r2->q[q].cell[j];
			assert_int_equal(a->n, b2->n);
			assert_int_equal(a->shown, b2->shown);
			for (int o = 0; o < d->q[q].nopt; o++) assert_int_equal(a->opt[o].x, b2->opt[o].x);
			assert_true(a->num.mean == b2->num.mean && a->num.weighted_median == b2->num.weighted_median);
		}
	sv_result_free(r2);
	sv_data_free(data2);
	for (size_t i = 0; i < nr; i++) free(txt2[i]);
	free(txt2);
	free(rs2);
	/* a few odd but valid answers read the same both ways */
	const char *odd[] = { " { \"s\" : \"a\" , \"m\" : [ \"a\" , \"zz\" ] , \"n\" : -1.5e3 , \"k\" : 5.0 } ",
		              "{\"s\":\"a\",\"s\":\"b\",\"n\":\"12\",\"k\":6,\"m\":[]}", "{}", "[1]", "{\"s\":tru}",
		              "{\"s\":\"a\",\"m\":[\"b\"],\"n\":0.25}" };
	for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
		/* five copies each: below five answers nothing would be written */
		char *esc = odd[k][0] == '{' && odd[k][1] == '\"' ? xasprintf("{\"\\u0078\":null,%s", odd[k] + 1) : xstrdup(odd[k]);
		struct sv_response one[10];
		for (int c = 0; c < 10; c++) one[c] = (struct sv_response){ "commune", "lt_3500", "84", "01", true, c < 5 ? odd[k] : esc, 0 };
		struct sv_data *x1 = sv_load(d, one, 5, pop, (size_t)np), *x2 = sv_load(d, one + 5, 5, pop, (size_t)np);
		struct sv_result *y1 = sv_compute(x1), *y2 = sv_compute(x2);
		buf_t j1 = BUF_INIT, j2 = BUF_INIT;
		sv_write_csv(&j1, y1);
		sv_write_csv(&j2, y2);
		if (strcmp(buf_cstr(&j1), buf_cstr(&j2)) != 0) fail_msg("scanner and jansson differ on %s", odd[k]);
		if (k == 0) { /* and the figures are there: s = a for all 5, n = -1500, k = 5 */
			assert_non_null(strstr(buf_cstr(&j1), "s,s,single,all,,Ensemble,share,a,a,5,5,1,"));
			assert_non_null(strstr(buf_cstr(&j1), "n,n,number,all,,Ensemble,mean,,,5,,-1500,"));
			assert_non_null(strstr(buf_cstr(&j1), "k,k,scale,all,,Ensemble,mean,,,5,,5,"));
		}
		buf_free(&j1);
		buf_free(&j2);
		sv_result_free(y1);
		sv_result_free(y2);
		sv_data_free(x1);
		sv_data_free(x2);
		free(esc);
	}
	sv_result_free(r);
	sv_data_free(data);
	sv_def_free(d);
	for (size_t i = 0; i < nr; i++) free(txt[i]);
	free(txt);
	free(rs);
}

/* ---- cache ---- */

static struct sv_result *fixture_result(struct sv_def **def)
{
	*def = sv_def_parse(DEF, strlen(DEF), NULL);
	struct sv_data *d = sv_load(*def, R, NR, POP, 4);
	return sv_compute(d);
}

static void test_cache(void **state)
{
	(void)state;
	struct sv_cache *c = sv_cache_new(2);
	int64_t hits, misses, puts;
	assert_null(sv_cache_get(c, 1, 7));
	struct sv_def *def;
	struct sv_result *res = fixture_result(&def);
	struct sv_dashboard *d = sv_cache_put(c, 1, 7, res, def, "/c.csv");
	assert_non_null(strstr(d->html, "Participation et pondération"));
	assert_true(d->json_len > 0 && d->csv_len > 0);
	sv_dashboard_release(c, d);
	/* served again without recomputation: the same entry */
	struct sv_dashboard *again = sv_cache_get(c, 1, 7);
	assert_ptr_equal(again, d);
	/* an answer changed: the generation moved; the old entry is not
	 * served, and dropped — but the reply still holding it keeps it */
	assert_null(sv_cache_get(c, 1, 8));
	assert_non_null(strstr(again->json, "observatoire-2026"));
	sv_dashboard_release(c, again);
	assert_null(sv_cache_get(c, 1, 7));
	res = fixture_result(&def);
	d = sv_cache_put(c, 1, 8, res, def, NULL);
	sv_dashboard_release(c, d);
	assert_non_null((d = sv_cache_get(c, 1, 8)));
	sv_dashboard_release(c, d);
	/* capacity 2: a third campaign evicts the oldest */
	res = fixture_result(&def);
	sv_dashboard_release(c, sv_cache_put(c, 2, 1, res, def, NULL));
	res = fixture_result(&def);
	sv_dashboard_release(c, sv_cache_put(c, 3, 1, res, def, NULL));
	assert_null(sv_cache_get(c, 1, 8));
	assert_non_null((d = sv_cache_get(c, 3, 1)));
	sv_dashboard_release(c, d);
	sv_cache_counters(c, &hits, &misses, &puts);
	assert_int_equal(hits, 3);
	assert_int_equal(misses, 4);
	assert_int_equal(puts, 4);
	sv_cache_free(c);
}

/* ---- storage: store_stats_population ---- */

struct popsum {
	int64_t total;
	int64_t by_kind_band[8][6];
};

static int kind_i(const char *k)
{
	const char *ks[] = { "commune", "epci", "ept", "departement", "region", "syndicat", "operateur", "autre" };
	for (int i = 0; i < 8; i++)
		if (strcmp(ks[i], k) == 0) return i;
	return -1;
}

static int band_i(const char *b)
{
	const char *bs[] = { "lt_3500", "3500_20000", "20000_100000", "gt_100000" };
	if (!b) return 4;
	for (int i = 0; i < 4; i++)
		if (strcmp(bs[i], b) == 0) return i;
	return 5;
}

static int on_pop(void *ctx, const char *kind, const char *band, const char *region, const char *dep, int64_t n)
{
	struct popsum *s = ctx;
	s->total += n;
	s->by_kind_band[kind_i(kind)][band_i(band)] += n;
	return 0;
}

static void test_store_population(void **state)
{
	(void)state;
	char path[64];
	db_t *db = testdb_template(path, sizeof path, "svstats", "tests/fixtures/orgs-mini");
	assert_non_null(db);
	struct popsum s = { 0 };
	assert_int_equal(store_stats_population(db, on_pop, &s), 0);
	/* the same counts by org_band() in C, org by org */
	struct popsum want = { 0 };
	sqlite3_stmt *st = db_stmt(db, "SELECT kind, population FROM organisation WHERE official = 1 AND active = 1");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		int64_t p = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 1);
		want.total++;
		want.by_kind_band[kind_i(k)][band_i(org_band(p))]++;
	}
	db_reset(st);
	assert_true(want.total > 10);
	assert_memory_equal(&s, &want, sizeof s);
	/* an inactive organisation and a non-official body do not count */
	assert_int_equal(db_exec(db, "UPDATE organisation SET active = 0 WHERE id = (SELECT min(id) FROM organisation WHERE official = 1)"), 0);
	char *err = NULL;
	assert_true(org_create_other(db, "syndicat", "254300882", "Syndicat test", NULL, &err) > 0 || err);
	free(err);
	struct popsum s2 = { 0 };
	assert_int_equal(store_stats_population(db, on_pop, &s2), 0);
	assert_int_equal(s2.total, want.total - 1);
	assert_int_equal(s2.by_kind_band[5][4] + s2.by_kind_band[5][0], 0);
	db_close(db);
	testdb_remove(path);
}

int main(void)
{
	const struct CMUnitTest fx_tests[] = {
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_conditional),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_outputs_hide_small_cells_and_text),
		cmocka_unit_test(test_year_over_year),
	};
	const struct CMUnitTest other[] = {
		cmocka_unit_test(test_def_errors),
		cmocka_unit_test(test_property_random),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_store_population),
	};
	int fails = cmocka_run_group_tests(fx_tests, fx_setup, fx_teardown);
	build_responses();
	fails += cmocka_run_group_tests(other, NULL, NULL);
	for (int i = 0; i < NR; i++) free(ANS[i]);
	return fails;
}
