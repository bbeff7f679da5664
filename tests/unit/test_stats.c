/*
 * test_stats.c — unit tests for stats.c, the observatory's estimators,
 * against figures computed by hand (the formulas of stats.h worked out
 * on paper and checked with a calculator): post-stratification weights
 * with a collapsed stratum and an uncovered kind, raw and weighted shares
 * with their margins (finite population correction, Kish's effective
 * size), suppression below 5 answers, means and medians raw and weighted,
 * year-over-year changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "stats.h"

#define EPS 1e-9
static void near(double got, double want)
{
	if (fabs(got - want) > EPS) fail_msg("got %.12f, want %.12f", got, want);
}

/* communes: band 0 (100 authorities, 10 answered), band 1 (50, none),
 * band 2 (20, 5); EPCI band 0 (30, none: the kind is not covered);
 * régions band 3 (18, 9). */
static struct stratum S[5];

static void fixture(void)
{
	struct stratum s[5] = {
		{ "commune", 0, 100, 10, 0, 0 },
		{ "commune", 1, 50, 0, 0, 0 },
		{ "commune", 2, 20, 5, 0, 0 },
		{ "epci", 0, 30, 0, 0, 0 },
		{ "region", 3, 18, 9, 0, 0 },
	};
	for (int i = 0; i < 5; i++) S[i] = s[i];
}

static void test_weights(void **state)
{
	(void)state;
	fixture();
	struct weights_summary sum;
	assert_int_equal(stats_weights(S, 5, &sum), 0);
	/* band 1 collapses into the nearest band with answers; bands 0 and 2
	 * are both at distance 1: the band above wins. w = (20 + 50) / 5 */
	assert_int_equal(S[1].into, 2);
	near(S[0].weight, 10.0);
	near(S[1].weight, 0.0);
	near(S[2].weight, 14.0);
	assert_int_equal(S[3].into, -1);
	near(S[3].weight, 0.0);
	near(S[4].weight, 2.0);
	assert_int_equal(sum.population, 218);
	assert_int_equal(sum.covered, 188);
	assert_int_equal(sum.respondents, 24);
	assert_int_equal(sum.collapsed, 1);

	/* more answers than authorities: refused */
	struct stratum bad[1] = { { "commune", 0, 3, 4, 0, 0 } };
	assert_int_equal(stats_weights(bad, 1, &sum), -1);
}

static void test_share(void **state)
{
	(void)state;
	fixture();
	struct weights_summary sum;
	stats_weights(S, 5, &sum);
	/* 10 communes of band 0 (3 yes), 5 of band 2 (4 yes), 9 régions (none) */
	struct share_obs obs[24];
	int k = 0;
	for (int i = 0; i < 10; i++) obs[k++] = (struct share_obs){ 0, i < 3 };
	for (int i = 0; i < 5; i++) obs[k++] = (struct share_obs){ 2, i < 4 };
	for (int i = 0; i < 9; i++) obs[k++] = (struct share_obs){ 4, false };
	struct share sh;
	stats_share(S, 5, obs, 24, 218, &sh);
	assert_int_equal(sh.n, 24);
	assert_int_equal(sh.x, 7);
	assert_false(sh.suppressed);
	/* raw: 7/24; margin 1.96 √(p(1−p)/24 · 194/217) */
	near(sh.raw, 7.0 / 24);
	near(sh.raw_moe, 0.17193951889020992);
	/* weighted: (3·10 + 4·14) / (10·10 + 5·14 + 9·2) = 86/188; n_eff =
	 * 188² / (10·100 + 5·196 + 9·4) = 35344/2016 */
	near(sh.weighted, 86.0 / 188);
	near(sh.weighted_var, 0.012656095690972292);
	near(sh.weighted_moe, 0.22049460407827312);

	/* fewer than 5 answers: suppressed (the figures are not for showing) */
	stats_share(S, 5, obs, 4, 218, &sh);
	assert_true(sh.suppressed);
	assert_int_equal(sh.n, 4);
	/* everyone answered: no sampling error */
	stats_share(S, 5, obs, 24, 24, &sh);
	near(sh.raw_moe, 0);
	near(sh.weighted_moe, 0);
	/* nothing at all */
	stats_share(S, 5, obs, 0, 218, &sh);
	assert_true(sh.suppressed);
	near(sh.raw, 0);
}

static void test_numeric(void **state)
{
	(void)state;
	fixture();
	struct weights_summary sum;
	stats_weights(S, 5, &sum);
	/* weights: stratum 0 → 10, stratum 2 → 14, stratum 4 → 2 */
	struct num_obs obs[5] = { { 0, 5 }, { 4, 2 }, { 2, 50 }, { 0, 6 }, { 4, 1 } };
	struct numeric nm;
	stats_numeric(S, 5, obs, 5, &nm);
	assert_int_equal(nm.n, 5);
	assert_false(nm.suppressed);
	near(nm.min, 1);
	near(nm.max, 50);
	near(nm.mean, 64.0 / 5);
	near(nm.median, 5);                     /* 1 2 [5] 6 50 */
	near(nm.weighted_mean, 816.0 / 38);     /* (1·2 + 2·2 + 5·10 + 6·10 + 50·14) / 38 */
	near(nm.weighted_median, 6);            /* cumulative 2 4 14 24 ≥ 19 at 6 */
	/* an even count: the mean of the two middle values */
	struct num_obs four[4] = { { 0, 4 }, { 0, 1 }, { 0, 3 }, { 0, 2 } };
	stats_numeric(S, 5, four, 4, &nm);
	assert_true(nm.suppressed);
	near(nm.median, 2.5);
}

static void test_change(void **state)
{
	(void)state;
	struct share a = { 0 }, b = { 0 };
	a.n = b.n = 100;
	a.weighted = 0.30;
	a.weighted_var = 0.001;
	b.weighted = 0.45;
	b.weighted_var = 0.002;
	struct change c;
	stats_change(&a, &b, &c);
	near(c.points, 15);
	near(c.moe_points, 10.735164862302943);   /* 1.96 √0.003 · 100 */
	assert_true(c.significant);
	b.weighted = 0.35;
	stats_change(&a, &b, &c);
	near(c.points, 5);
	assert_false(c.significant);
	b.suppressed = true;
	stats_change(&a, &b, &c);
	assert_true(c.suppressed);
	assert_false(c.significant);
}

/* stats_share_sums (one pass for all options, used by survey_stats.c)
 * gives what stats_share gives from the observations; stats_numeric_sorted
 * on sorted values what stats_numeric gives. */
static void test_from_sums(void **state)
{
	(void)state;
	fixture();
	struct weights_summary sum;
	stats_weights(S, 5, &sum);
	/* 10 communes of band 0 (w 10, 3 yes), 5 of band 2 (w 14, 4 yes):
	 * n 15, x 7, Σw 10·10 + 5·14 = 170, Σw² 10·100 + 5·196 = 1980,
	 * Σw·y 3·10 + 4·14 = 86 */
	struct share_obs obs[15];
	int k = 0;
	for (int i = 0; i < 10; i++) obs[k++] = (struct share_obs){ 0, i < 3 };
	for (int i = 0; i < 5; i++) obs[k++] = (struct share_obs){ 2, i < 4 };
	struct share a, b;
	stats_share(S, 5, obs, 15, 170, &a);
	stats_share_sums(15, 7, 170, 1980, 86, 170, &b);
	assert_int_equal(a.n, b.n);
	assert_int_equal(a.x, b.x);
	near(a.raw, b.raw);
	near(a.raw_moe, b.raw_moe);
	near(b.weighted, 86.0 / 170);
	near(a.weighted_moe, b.weighted_moe);
	near(a.weighted_var, b.weighted_var);
	assert_false(b.suppressed);
	stats_share_sums(4, 1, 4, 4, 1, 0, &b);
	assert_true(b.suppressed);

	struct num_obs sorted[5] = { { 4, 1 }, { 4, 2 }, { 0, 5 }, { 0, 6 }, { 2, 50 } };
	struct numeric nm;
	stats_numeric_sorted(S, 5, sorted, 5, &nm);
	near(nm.median, 5);
	near(nm.weighted_median, 6);
	near(nm.weighted_mean, 816.0 / 38);
	near(sorted[4].value, 50); /* not modified */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_from_sums),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
