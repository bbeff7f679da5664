/*
 * stats.c — the observatory's estimators (see stats.h for the method).
 *
 * Design notes
 * - Sums in double over at most a few tens of thousands of respondents:
 *   no compensated summation needed at that size (relative error ~1e-12).
 * - Medians sort the caller's array in place (qsort on values, ties kept
 *   in any order: the median does not depend on it).
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int stats_weights(struct stratum *s, int n, struct weights_summary *sum)
{
	memset(sum, 0, sizeof *sum);
	for (int h = 0; h < n; h++) {
		if (s[h].population < 0 || s[h].respondents < 0 || s[h].respondents > s[h].population) return -1;
		s[h].into = h;
		s[h].weight = 0;
		sum->population += s[h].population;
		sum->respondents += s[h].respondents;
	}
	/* effective population of each stratum: its own plus the collapsed ones */
	int64_t *eff = calloc((size_t)(n > 0 ? n : 1), sizeof *eff);
	if (!eff) return -1;
	for (int h = 0; h < n; h++)
		if (s[h].respondents > 0) eff[h] += s[h].population;
	for (int h = 0; h < n; h++) {
		if (s[h].respondents > 0 || s[h].population == 0) continue;
		int best = -1, bestd = 0;
		for (int g = 0; g < n; g++) {
			if (g == h || s[g].respondents == 0 || strcmp(s[g].kind, s[h].kind) != 0) continue;
			int d = abs(s[g].band - s[h].band);
			/* nearest band; on a tie the band above */
			if (best < 0 || d < bestd || (d == bestd && s[g].band > s[best].band)) {
				best = g;
				bestd = d;
			}
		}
		s[h].into = best;
		if (best >= 0) {
			eff[best] += s[h].population;
			sum->collapsed++;
		}
	}
	for (int h = 0; h < n; h++) {
		if (s[h].respondents > 0) {
			s[h].weight = (double)eff[h] / (double)s[h].respondents;
			sum->covered += eff[h];
		}
	}
	free(eff);
	return 0;
}

static double weight_of(const struct stratum *s, int ns, int h)
{
	return h >= 0 && h < ns ? s[h].weight : 0;
}

static double fpc(int64_t population, int64_t n)
{
	if (population <= 1 || n >= population) return population > 1 ? 0 : 1;
	return (double)(population - n) / (double)(population - 1);
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

void stats_share_sums(int64_t n, int64_t x, double sw, double sw2, double swy, int64_t population, struct share *out)
{
	memset(out, 0, sizeof *out);
	out->n = n;
	out->x = x;
	out->suppressed = out->n < STATS_MIN_CELL;
	if (out->n == 0) return;
	double f = fpc(population, out->n);
	double p = (double)out->x / (double)out->n;
	out->raw = p;
	out->raw_moe = clamp01(STATS_Z95 * sqrt(p * (1 - p) / (double)out->n * f));
	if (sw > 0) {
		double pw = swy / sw;
		double neff = sw * sw / sw2;
		out->weighted = clamp01(pw);
		out->weighted_var = pw * (1 - pw) / neff * f;
		out->weighted_moe = clamp01(STATS_Z95 * sqrt(out->weighted_var));
	}
}

void stats_share(const struct stratum *s, int ns, const struct share_obs *obs, size_t nobs, int64_t population,
                 struct share *out)
{
	double sw = 0, sw2 = 0, swy = 0;
	int64_t x = 0;
	for (size_t i = 0; i < nobs; i++) {
		double w = weight_of(s, ns, obs[i].stratum);
		if (obs[i].yes) x++;
		sw += w;
		sw2 += w * w;
		if (obs[i].yes) swy += w;
	}
	stats_share_sums((int64_t)nobs, x, sw, sw2, swy, population, out);
}

static int cmp_num(const void *a, const void *b)
{
	const struct num_obs *x = a, *y = b;
	return (x->value > y->value) - (x->value < y->value);
}

void stats_numeric(const struct stratum *s, int ns, struct num_obs *obs, size_t nobs, struct numeric *out)
{
	if (nobs > 1) qsort(obs, nobs, sizeof *obs, cmp_num);
	stats_numeric_sorted(s, ns, obs, nobs, out);
}

void stats_numeric_sorted(const struct stratum *s, int ns, const struct num_obs *obs, size_t nobs, struct numeric *out)
{
	memset(out, 0, sizeof *out);
	out->n = (int64_t)nobs;
	out->suppressed = out->n < STATS_MIN_CELL;
	if (nobs == 0) return;
	double sum = 0, sw = 0, swv = 0;
	for (size_t i = 0; i < nobs; i++) {
		double w = weight_of(s, ns, obs[i].stratum);
		sum += obs[i].value;
		sw += w;
		swv += w * obs[i].value;
	}
	out->min = obs[0].value;
	out->max = obs[nobs - 1].value;
	out->mean = sum / (double)nobs;
	out->median = nobs % 2 ? obs[nobs / 2].value : (obs[nobs / 2 - 1].value + obs[nobs / 2].value) / 2;
	if (sw > 0) {
		out->weighted_mean = swv / sw;
		double acc = 0;
		out->weighted_median = obs[nobs - 1].value;
		for (size_t i = 0; i < nobs; i++) {
			acc += weight_of(s, ns, obs[i].stratum);
			if (acc >= sw / 2) {
				out->weighted_median = obs[i].value;
				break;
			}
		}
	}
}

void stats_change(const struct share *before, const struct share *after, struct change *out)
{
	memset(out, 0, sizeof *out);
	out->suppressed = before->suppressed || after->suppressed;
	out->points = (after->weighted - before->weighted) * 100;
	out->moe_points = STATS_Z95 * sqrt(before->weighted_var + after->weighted_var) * 100;
	out->significant = !out->suppressed && fabs(out->points) > out->moe_points;
}
