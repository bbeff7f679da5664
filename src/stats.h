/*
 * stats.h — the estimators of the observatory (issue 7, section 2):
 * post-stratification weights, raw and weighted shares with their margin
 * of error, weighted means and medians, small-cell protection and
 * year-over-year changes. doc/statistics.md gives the method in words.
 *
 * Design notes
 * - Pure arithmetic: no database, no allocation the caller does not see.
 *   The survey code (campaigns, answers) builds the inputs — one stratum
 *   per organisation kind × population band with the number of such
 *   authorities in France (the reference data) and the number that
 *   answered — and gets figures it can show, chart and export.
 * - Strata: an authority belongs to one stratum. Weight of a respondent of
 *   stratum h: w_h = N_h / n_h (N_h authorities, n_h respondents). A
 *   stratum with authorities but no respondent cannot speak for itself:
 *   it is COLLAPSED into the nearest stratum of the same kind that has
 *   respondents (the next band up, else down), whose weight becomes
 *   (N_h + N_g) / n_g. A kind without any respondent is not covered:
 *   stats_weights() reports the population covered, and weighted figures
 *   speak for that population only (said next to them).
 * - Shares (single or multiple choice: one 0/1 value per respondent and
 *   option): raw p = x / n; weighted p_w = Σ w_i y_i / Σ w_i. Margins of
 *   error at 95 % (1.96 standard errors), with the finite population
 *   correction fpc = (N − n)/(N − 1), because we often hear from a large
 *   part of a small population (all 18 régions...):
 *     raw       1.96 √( p(1−p)/n · fpc )
 *     weighted  1.96 √( p_w(1−p_w)/n_eff · fpc ),  n_eff = (Σw)² / Σw²
 *   (Kish's effective sample size: the loss of precision due to unequal
 *   weights). The same formula serves the whole population and any
 *   breakdown cell (a région, a kind): N is then the authorities of that
 *   cell, which the caller knows from the reference data. Shares and
 *   margins are in [0, 1].
 * - Small cells: a figure computed from fewer than STATS_MIN_CELL answers
 *   is not shown (suppressed = true; pages write "< 5"), whatever it is.
 * - Numbers: raw and weighted mean, raw and weighted median (the smallest
 *   value whose cumulative weight reaches half the total).
 * - Year over year: the difference of two weighted shares in percentage
 *   points, its margin 1.96 √(V1 + V2) (independent samples), and whether
 *   it is larger than its margin.
 */
#ifndef IAT_STATS_H
#define IAT_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATS_MIN_CELL 5
#define STATS_Z95 1.959963984540054

struct stratum {
	const char *kind;        /* organisation kind: strata of a kind collapse together */
	int band;                /* population band, in order (0 smallest) */
	int64_t population;      /* N_h: authorities of this kind and band in France */
	int64_t respondents;     /* n_h: those that answered */
	/* computed by stats_weights() */
	double weight;           /* w for each respondent of this stratum (0: none) */
	int into;                /* index of the stratum it was collapsed into, or itself */
};

struct weights_summary {
	int64_t population;      /* N: every authority of the strata */
	int64_t covered;         /* authorities represented by the respondents */
	int64_t respondents;     /* n */
	int collapsed;           /* strata collapsed into another */
};

/* Compute the weight of every stratum (see notes). Strata of one kind must
 * be given with distinct bands. Returns 0, or -1 if a stratum has more
 * respondents than authorities or negative counts. */
int stats_weights(struct stratum *s, int n, struct weights_summary *sum);

struct share {
	int64_t n;               /* answers the share is computed from */
	int64_t x;               /* of which with the value */
	double raw, raw_moe;     /* x/n and its margin of error (95 %) */
	double weighted, weighted_moe;
	double weighted_var;     /* variance of the weighted share (for year over year) */
	bool suppressed;         /* n < STATS_MIN_CELL: show "< 5", nothing else */
};

/* One respondent's contribution to a share: its stratum and 0/1. */
struct share_obs {
	int stratum;
	bool yes;
};

/* The share of obs with yes (weights from stats_weights()). population:
 * N, the authorities of the scope (0: unknown, no finite population
 * correction). */
void stats_share(const struct stratum *s, int ns, const struct share_obs *obs, size_t nobs, int64_t population,
                 struct share *out);

/* The same from sums the caller accumulated over the n answers of a cell:
 * x with the value, sw = Σw, sw2 = Σw², swy = Σw over those with the
 * value (one pass over the answers serves every option of a question). */
void stats_share_sums(int64_t n, int64_t x, double sw, double sw2, double swy, int64_t population, struct share *out);

struct numeric {
	int64_t n;
	double mean, weighted_mean;
	double median, weighted_median;
	double min, max;
	bool suppressed;
};

struct num_obs {
	int stratum;
	double value;
};

/* Mean and median of obs (values are sorted in place). */
void stats_numeric(const struct stratum *s, int ns, struct num_obs *obs, size_t nobs, struct numeric *out);

/* The same for obs already sorted by value (not modified). */
void stats_numeric_sorted(const struct stratum *s, int ns, const struct num_obs *obs, size_t nobs, struct numeric *out);

struct change {
	double points;           /* (p2 − p1) × 100 */
	double moe_points;       /* its margin of error, in points */
	bool significant;        /* |points| > moe_points */
	bool suppressed;         /* either share is suppressed */
};

void stats_change(const struct share *before, const struct share *after, struct change *out);

#endif
