/*
 * survey_stats_bench.c — benchmark of the survey statistics engine
 * (issue 7 §4): a campaign of 50 questions answered by 36,000 synthetic
 * authorities; conversion, full computation (every question, every
 * breakdown, weighted), year over year, rendering (JSON, HTML, CSV) and a
 * cached read. Built by CMake (build/survey_stats_bench), not run by
 * ctest; `make bench-survey` and bench/run.sh run it. Prints a Markdown
 * table.
 *
 * Design notes
 * - Population: the real number of active official authorities of France
 *   per kind × population band (the reference data loaded by
 *   `iat orgs load`, counted on var/bench.db in November 2026: 36,370,
 *   of which 31,673 communes under 3,500 inhabitants), spread over the
 *   101 départements and 18 régions by a fixed pseudo-random draw;
 *   36,000 of them answer (drawn without replacement), 1 in 20 of those
 *   is left as a draft (ignored by the engine).
 * - Questions: 15 single choice (3–8 options), 10 multiple (4–12), 8
 *   numbers, 7 scales, 5 short and 5 long texts; 10 are conditional on an
 *   earlier choice. Each answer is present with probability 0.9.
 * - Times: CLOCK_MONOTONIC; RUNS runs of each step (default 20, argv[1]),
 *   median and p99 (with 20 runs the p99 is the slowest run). argv[2], if
 *   given, receives the HTML dashboard fragment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "map.h"
#include "survey_stats.h"
#include "util.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(const char *what, double *t, int n, const char *note)
{
	qsort(t, (size_t)n, sizeof *t, cmp_d);
	int p99 = (int)((double)n * 0.99);
	if (p99 >= n) p99 = n - 1;
	printf("| %s | %d | %.2f | %.2f | %s |\n", what, n, t[n / 2], t[p99], note);
}

/* kind, band (NULL: unknown), N: active official authorities (reference data) */
static const struct {
	const char *kind, *band;
	int n;
} STRATA[] = {
	{ "commune", "lt_3500", 31673 },   { "commune", "3500_20000", 2798 }, { "commune", "20000_100000", 450 },
	{ "commune", "gt_100000", 42 },    { "commune", NULL, 6 },            { "epci", "3500_20000", 527 },
	{ "epci", "20000_100000", 602 },   { "epci", "gt_100000", 126 },      { "ept", "gt_100000", 11 },
	{ "departement", "3500_20000", 3 }, { "departement", "20000_100000", 2 }, { "departement", "gt_100000", 102 },
	{ "departement", NULL, 2 },        { "region", "3500_20000", 3 },     { "region", "20000_100000", 1 },
	{ "region", "gt_100000", 20 },     { "region", NULL, 2 },
};
#define NSTRATA (int)(sizeof STRATA / sizeof STRATA[0])

static const char *const REGIONS[18] = { "01", "02", "03", "04", "06", "11", "24", "27", "28",
	                                 "32", "44", "52", "53", "75", "76", "84", "93", "94" };

struct org {
	int stratum, dep, region;
};

static char *make_def(int *nq_out)
{
	buf_t b = BUF_INIT;
	buf_puts(&b, "{\"format\":\"iat-campaign/1\",\"code\":\"bench-2026\",\"year\":2026,\"title\":\"Banc d’essai\",\"questions\":[");
	/* kinds in a fixed order: 15 single, 10 multiple, 8 number, 7 scale, 5 text, 5 longtext, shuffled by index */
	const char *kinds[50];
	int k = 0;
	for (int i = 0; i < 15; i++) kinds[k++] = "single";
	for (int i = 0; i < 10; i++) kinds[k++] = "multiple";
	for (int i = 0; i < 8; i++) kinds[k++] = "number";
	for (int i = 0; i < 7; i++) kinds[k++] = "scale";
	for (int i = 0; i < 5; i++) kinds[k++] = "text";
	for (int i = 0; i < 5; i++) kinds[k++] = "longtext";
	/* interleave: question q takes kinds[(q * 7) % 50] (7 is prime to 50) */
	int nopt[50] = { 0 }, conds = 0, lastchoice = -1;
	for (int q = 0; q < 50; q++) {
		const char *kind = kinds[(q * 7) % 50];
		buf_fmt(&b, "%R{\"code\":\"q%d\",\"kind\":%J,\"label\":\"Question %d\"", q ? "," : "", q, kind, q);
		if (!strcmp(kind, "single") || !strcmp(kind, "multiple")) {
			nopt[q] = !strcmp(kind, "single") ? 3 + (int)rnd(6) : 4 + (int)rnd(9);
			buf_puts(&b, ",\"options\":[");
			for (int o = 0; o < nopt[q]; o++) buf_fmt(&b, "%R{\"code\":\"o%d\",\"label\":\"Option %d\"}", o ? "," : "", o, o);
			buf_puts(&b, "]");
		}
		if (!strcmp(kind, "number")) buf_puts(&b, ",\"unit\":\"€\",\"min\":0");
		if (conds < 10 && lastchoice >= 0 && q % 4 == 3) {
			buf_fmt(&b, ",\"show_if\":{\"question\":\"q%d\",\"value\":\"o0\"}", lastchoice);
			conds++;
		}
		if (nopt[q]) lastchoice = q;
		buf_puts(&b, "}");
	}
	buf_puts(&b, "]}");
	*nq_out = 50;
	return buf_detach(&b);
}

static char *make_answers(const struct sv_def *d)
{
	buf_t b = BUF_INIT;
	buf_puts(&b, "{");
	bool first = true;
	for (int q = 0; q < d->nq; q++) {
		const struct sv_question *qq = &d->q[q];
		if (rnd(10) == 0) continue;
		buf_fmt(&b, "%R%J:", first ? "" : ",", qq->code);
		first = false;
		switch (qq->kind) {
		case SV_SINGLE: {
			/* skewed: option 0 more likely */
			int o = rnd(2) ? 0 : (int)rnd((uint32_t)qq->nopt);
			buf_fmt(&b, "%J", qq->opt_code[o]);
			break;
		}
		case SV_MULTIPLE: {
			buf_puts(&b, "[");
			int n = 0;
			for (int o = 0; o < qq->nopt; o++)
				if (rnd(3) == 0 || (o == qq->nopt - 1 && n == 0)) buf_fmt(&b, "%R%J", n++ ? "," : "", qq->opt_code[o]);
			buf_puts(&b, "]");
			break;
		}
		case SV_NUMBER: buf_fmt(&b, "%d", (int)(rnd(1000) * rnd(1000))); break;
		case SV_SCALE: buf_fmt(&b, "%d", 1 + (int)rnd(5)); break;
		default: buf_puts(&b, "\"Une réponse libre de quelques mots\""); break;
		}
	}
	buf_puts(&b, "}");
	return buf_detach(&b);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 20;
	if (runs < 1) runs = 20;
	int nq;
	char *djson = make_def(&nq);
	char *err = NULL;
	struct sv_def *def = sv_def_parse(djson, strlen(djson), &err);
	if (!def) {
		fprintf(stderr, "definition: %s\n", err);
		return 1;
	}
	/* the population, organisation by organisation */
	int norg = 0;
	for (int s = 0; s < NSTRATA; s++) norg += STRATA[s].n;
	struct org *orgs = xcalloc((size_t)norg, sizeof *orgs);
	int ndep = map_dep_count(), k = 0;
	for (int s = 0; s < NSTRATA; s++)
		for (int i = 0; i < STRATA[s].n; i++) {
			int dep = (int)rnd((uint32_t)ndep);
			orgs[k++] = (struct org){ s, dep, dep % 18 };
		}
	/* aggregated population rows (kind, band, région, département) */
	int64_t *cnt = xcalloc((size_t)NSTRATA * (size_t)ndep, sizeof *cnt);
	for (int i = 0; i < norg; i++) cnt[orgs[i].stratum * ndep + orgs[i].dep]++;
	struct sv_pop *pop = xcalloc((size_t)NSTRATA * (size_t)ndep, sizeof *pop);
	size_t npop = 0;
	for (int s = 0; s < NSTRATA; s++)
		for (int d = 0; d < ndep; d++)
			if (cnt[s * ndep + d])
				pop[npop++] = (struct sv_pop){ STRATA[s].kind, STRATA[s].band, REGIONS[d % 18], map_dep_code(d),
					                       cnt[s * ndep + d] };
	/* 36,000 respondents drawn without replacement (partial Fisher-Yates) */
	const int NRESP = 36000;
	for (int i = 0; i < NRESP; i++) {
		int j = i + (int)rnd((uint32_t)(norg - i));
		struct org t = orgs[i];
		orgs[i] = orgs[j];
		orgs[j] = t;
	}
	struct sv_response *rs = xcalloc((size_t)NRESP, sizeof *rs);
	char **ans = xcalloc((size_t)NRESP, sizeof *ans);
	size_t bytes = 0;
	for (int i = 0; i < NRESP; i++) {
		ans[i] = make_answers(def);
		bytes += strlen(ans[i]);
		const struct org *o = &orgs[i];
		rs[i] = (struct sv_response){ STRATA[o->stratum].kind, STRATA[o->stratum].band, REGIONS[o->region],
			                      map_dep_code(o->dep), rnd(20) != 0, ans[i], 0 };
	}
	printf("Survey statistics engine: %d questions, %d responses (%zu bytes of answers JSON), %d authorities, %zu "
	       "population rows; %d runs each.\n\n",
	       nq, NRESP, bytes, norg, npop, runs);
	printf("| step | runs | median ms | p99 ms | note |\n|---|---|---|---|---|\n");

	double *t = xcalloc((size_t)runs, sizeof *t);
	struct sv_data *data = NULL;
	int conv_runs = runs < 5 ? runs : 5;
	for (int r = 0; r < conv_runs; r++) {
		sv_data_free(data);
		double t0 = now_ms();
		data = sv_load(def, rs, (size_t)NRESP, pop, npop);
		t[r] = now_ms() - t0;
	}
	report("conversion (parse 36,000 answers JSON → columns)", t, conv_runs, "once per data generation");

	struct sv_result *res = NULL;
	for (int r = 0; r < runs; r++) {
		sv_result_free(res);
		double t0 = now_ms();
		res = sv_compute(data);
		t[r] = now_ms() - t0;
	}
	char note[160];
	snprintf(note, sizeof note, "%lld submitted, %d cells × 50 questions, weighted, margins", (long long)res->respondents,
	         res->ncells);
	report("**full computation** (all questions, all breakdowns)", t, runs, note);

	/* a previous year: the same campaign computed again, compared */
	struct sv_result *prev = sv_compute(data);
	for (int r = 0; r < runs; r++) {
		double t0 = now_ms();
		sv_compare(res, prev);
		t[r] = now_ms() - t0;
	}
	report("year over year (sv_compare)", t, runs, "50 questions joined by code");

	buf_t b = BUF_INIT;
	size_t len = 0;
	for (int r = 0; r < runs; r++) {
		buf_reset(&b);
		double t0 = now_ms();
		sv_write_json(&b, res);
		t[r] = now_ms() - t0;
		len = b.len;
	}
	snprintf(note, sizeof note, "%zu kB", len / 1024);
	report("render JSON", t, runs, note);
	for (int r = 0; r < runs; r++) {
		buf_reset(&b);
		double t0 = now_ms();
		sv_html_dashboard(&b, res, 2, "/x.csv");
		t[r] = now_ms() - t0;
		len = b.len;
	}
	snprintf(note, sizeof note, "%zu kB: charts, tables, breakdowns, map", len / 1024);
	if (argc > 2) { /* argv[2]: write the dashboard fragment there (to look at it, or check it) */
		FILE *f = fopen(argv[2], "w");
		if (f) {
			fwrite(b.data, 1, b.len, f);
			fclose(f);
		}
	}
	report("render HTML dashboard", t, runs, note);
	for (int r = 0; r < runs; r++) {
		buf_reset(&b);
		double t0 = now_ms();
		sv_write_csv(&b, res);
		t[r] = now_ms() - t0;
		len = b.len;
	}
	snprintf(note, sizeof note, "%zu kB", len / 1024);
	report("render CSV", t, runs, note);
	buf_free(&b);

	/* cache: first request computes and renders, the next ones are a lookup */
	struct sv_cache *c = sv_cache_new(8);
	struct sv_data *data2 = sv_load(def, rs, (size_t)NRESP, pop, npop); /* the cache owns it */
	double t0 = now_ms();
	struct sv_result *fresh = sv_compute(data2);
	struct sv_dashboard *dsh = sv_cache_put(c, 1, 1, fresh, NULL, "/x.csv");
	double miss = now_ms() - t0;
	sv_dashboard_release(c, dsh);
	const int LOOKUPS = 100000;
	t0 = now_ms();
	size_t served = 0;
	for (int i = 0; i < LOOKUPS; i++) {
		struct sv_dashboard *e = sv_cache_get(c, 1, 1);
		served += e->html_len;
		sv_dashboard_release(c, e);
	}
	double per = (now_ms() - t0) / LOOKUPS;
	printf("| cache miss (compute + render JSON, HTML, CSV) | 1 | %.2f | %.2f | then served from the cache |\n", miss, miss);
	printf("| cache hit (lookup of a rendered dashboard) | %d | %.5f | — | the same %zu kB HTML each time, not copied |\n",
	       LOOKUPS, per, served / (size_t)LOOKUPS / 1024);
	sv_cache_free(c);

	sv_result_free(prev);
	sv_result_free(res);
	sv_data_free(data);
	sv_def_free(def);
	for (int i = 0; i < NRESP; i++) free(ans[i]);
	free(ans);
	free(rs);
	free(pop);
	free(cnt);
	free(orgs);
	free(t);
	free(djson);
	return 0;
}
