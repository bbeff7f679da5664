/*
 * survey_stats_out.c — the writers of a campaign's statistics (JSON, CSV,
 * HTML dashboard fragments) and the cache of rendered dashboards (see
 * survey_stats.h).
 *
 * Design notes
 * - A suppressed cell has been wiped by sv_compute(); the writers still
 *   test the flag first and write "< 5" (HTML, CSV) or only
 *   "suppressed": true (JSON): no count, share or mean of it anywhere.
 * - Shares are written as fractions in [0, 1] in JSON and CSV (stable,
 *   machine-friendly), as percentages in French in HTML.
 * - HTML: every text of the definition (labels, codes, units) through %h;
 *   charts and maps are chart.c / map.c with their tables; breakdown
 *   tables have a <caption> and th scope, and sit in a scrollable region
 *   (wide tables at 320 px).
 * - Cache: a small array of entries under one mutex, at most one per
 *   campaign (the newest generation); entries are reference-counted so a
 *   reply being sent keeps its strings while a newer one replaces it.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "csvw.h"
#include "jsonw.h"
#include "map.h"
#include "org.h"
#include "pages.h"
#include "survey_stats.h"
#include "util.h"

static const char *const kind_codes[] = { "single", "multiple", "number", "scale", "text", "longtext" };
static const char *const dim_codes[] = { "all", "kind", "band", "region" };
static const char *const dim_labels[] = { "Ensemble", "Type d’organisation", "Strate de population", "Région" };

static bool is_choice(const struct sv_question *q)
{
	return q->kind == SV_SINGLE || q->kind == SV_MULTIPLE || q->kind == SV_SCALE;
}

static bool has_numeric(const struct sv_question *q)
{
	return q->kind == SV_NUMBER || q->kind == SV_SCALE;
}

static double rate(int64_t n, int64_t N)
{
	return N > 0 ? (double)n / (double)N : 0;
}

/* ==== numbers: six decimals ====
 * Figures are written rounded to 6 decimal places, trailing zeros
 * dropped ("0.413793", "4887.931034", "17"): a share to 1/10,000 of a
 * point, and one integer conversion instead of the shortest-round-trip
 * search of jw_num/csvw_num (17 printf + strtod per share, which made the
 * JSON of a 36,000-answer campaign take 200 ms). */
static size_t fmt6(char *out, double v)
{
	if (!isfinite(v)) return 0;
	/* beyond 9e12 (no survey figure should be): %.17g, an exponent from
	 * 1e17 — an integer of 38 digits would not even parse back as JSON */
	if (fabs(v) >= 9e12) return (size_t)snprintf(out, 40, "%.17g", v);
	int64_t m = llround(v * 1e6);
	char tmp[40];
	size_t n = 0;
	bool neg = m < 0;
	uint64_t u = neg ? (uint64_t)(-m) : (uint64_t)m;
	/* digits, least significant first, at least 7 (one before the point) */
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u || n < 7);
	size_t k = 0, lo = 0;
	while (lo < 6 && tmp[lo] == '0') lo++; /* trailing zeros of the fraction */
	if (neg) out[k++] = '-';
	for (size_t i = n; i-- > 6;) out[k++] = tmp[i];
	if (lo < 6) {
		out[k++] = '.';
		for (size_t i = 6; i-- > lo;) out[k++] = tmp[i];
	}
	if (k == 2 && out[0] == '-' && out[1] == '0') out[0] = '0', k = 1; /* "-0" */
	out[k] = 0;
	return k;
}

/* ==== JSON ==== */

static void jw_knum(jsonw_t *w, const char *k, double v)
{
	jw_key(w, k);
	char t[48];
	size_t n = fmt6(t, v);
	if (n) jw_raw(w, t, n);
	else jw_null(w);
}

static void json_numeric(jsonw_t *w, const struct numeric *n)
{
	jw_knum(w, "mean", n->mean);
	jw_knum(w, "median", n->median);
	jw_knum(w, "weighted_mean", n->weighted_mean);
	jw_knum(w, "weighted_median", n->weighted_median);
	jw_knum(w, "min", n->min);
	jw_knum(w, "max", n->max);
}

static void json_share(jsonw_t *w, const struct share *s)
{
	jw_kint(w, "count", s->x);
	jw_knum(w, "share", s->raw);
	jw_knum(w, "share_moe", s->raw_moe);
	jw_knum(w, "weighted_share", s->weighted);
	jw_knum(w, "weighted_share_moe", s->weighted_moe);
}

void sv_write_json(buf_t *b, const struct sv_result *r)
{
	jsonw_t w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_key(&w, "campaign");
	jw_obj(&w);
	jw_kstr(&w, "code", r->def->code);
	jw_kint(&w, "year", r->def->year);
	jw_kstr(&w, "title", r->def->title);
	jw_obj_end(&w);
	jw_kint(&w, "min_cell", STATS_MIN_CELL);
	jw_kint(&w, "population", r->population);
	jw_kint(&w, "respondents", r->respondents);
	jw_knum(&w, "response_rate", rate(r->respondents, r->population));
	jw_key(&w, "weights");
	jw_obj(&w);
	jw_kstr(&w, "method", "post-stratification by organisation kind x population band");
	jw_kint(&w, "population", r->wsum.population);
	jw_kint(&w, "covered", r->wsum.covered);
	jw_kint(&w, "respondents", r->wsum.respondents);
	jw_kint(&w, "collapsed", r->wsum.collapsed);
	jw_key(&w, "strata");
	jw_arr(&w);
	for (int h = 0; h < r->nstrata; h++) {
		const struct sv_stratum_row *s = &r->strata[h];
		jw_obj(&w);
		jw_kstr(&w, "kind", s->kind);
		jw_kstr(&w, "band", s->band);
		jw_kint(&w, "population", s->population);
		jw_kint(&w, "respondents", s->respondents);
		jw_knum(&w, "weight", s->weight);
		jw_kbool(&w, "covered", s->covered);
		jw_key(&w, "collapsed_into");
		if (s->collapsed) {
			jw_obj(&w);
			jw_kstr(&w, "kind", s->into_kind);
			jw_kstr(&w, "band", s->into_band);
			jw_obj_end(&w);
		} else {
			jw_null(&w);
		}
		jw_kbool(&w, "population_adjusted", s->population_adjusted);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_key(&w, "cells");
	jw_arr(&w);
	for (int j = 0; j < r->ncells; j++) {
		const struct sv_cellkey *c = &r->cells[j];
		jw_obj(&w);
		jw_kstr(&w, "dimension", dim_codes[c->dim]);
		jw_kstr(&w, "code", c->code);
		jw_kstr(&w, "label", c->label);
		jw_kint(&w, "population", c->population);
		jw_kint(&w, "respondents", c->respondents);
		jw_knum(&w, "response_rate", rate(c->respondents, c->population));
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "questions");
	jw_arr(&w);
	for (int q = 0; q < r->nq; q++) {
		const struct sv_question *qq = r->q[q].q;
		jw_obj(&w);
		jw_kstr(&w, "code", qq->code);
		jw_kstr(&w, "kind", kind_codes[qq->kind]);
		jw_kstr(&w, "label", qq->label);
		if (qq->unit) jw_kstr(&w, "unit", qq->unit);
		jw_key(&w, "show_if");
		if (qq->show_q >= 0) {
			jw_obj(&w);
			jw_kstr(&w, "question", r->def->q[qq->show_q].code);
			jw_kstr(&w, "value", r->def->q[qq->show_q].opt_code[qq->show_opt]);
			jw_obj_end(&w);
		} else {
			jw_null(&w);
		}
		if (is_choice(qq)) {
			jw_key(&w, "options");
			jw_arr(&w);
			for (int o = 0; o < qq->nopt; o++) {
				jw_obj(&w);
				jw_kstr(&w, "code", qq->opt_code[o]);
				jw_kstr(&w, "label", qq->opt_label[o]);
				jw_obj_end(&w);
			}
			jw_arr_end(&w);
		}
		jw_key(&w, "results");
		jw_arr(&w);
		for (int j = 0; j < r->ncells; j++) {
			const struct sv_cell *c = &r->q[q].cell[j];
			jw_obj(&w);
			jw_kstr(&w, "dimension", dim_codes[r->cells[j].dim]);
			jw_kstr(&w, "code", r->cells[j].code);
			jw_kbool(&w, "suppressed", c->suppressed);
			if (!c->suppressed) {
				jw_kint(&w, "shown", c->shown);
				jw_kint(&w, "answered", c->n);
				jw_kint(&w, "missing", c->shown - c->n);
				if (qq->kind != SV_TEXT && qq->kind != SV_LONGTEXT) jw_knum(&w, "weighted_answered", c->wn);
				if (is_choice(qq)) {
					jw_key(&w, "options");
					jw_arr(&w);
					for (int o = 0; o < qq->nopt; o++) {
						jw_obj(&w);
						jw_kstr(&w, "code", qq->opt_code[o]);
						json_share(&w, &c->opt[o]);
						jw_knum(&w, "weighted_count", c->opt[o].weighted * c->wn);
						jw_obj_end(&w);
					}
					jw_arr_end(&w);
				}
				if (has_numeric(qq)) json_numeric(&w, &c->num);
			}
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "year_over_year");
	if (r->has_prev) {
		jw_obj(&w);
		jw_key(&w, "previous");
		jw_obj(&w);
		jw_kstr(&w, "code", r->prev_code);
		jw_kint(&w, "year", r->prev_year);
		jw_obj_end(&w);
		jw_key(&w, "questions");
		jw_arr(&w);
		for (int y = 0; y < r->nyoy; y++) {
			const struct sv_yoy *yy = &r->yoy[y];
			const struct sv_question *qq = &r->def->q[yy->q];
			jw_obj(&w);
			jw_kstr(&w, "code", qq->code);
			jw_kstr(&w, "kind", kind_codes[qq->kind]);
			if (is_choice(qq)) {
				jw_key(&w, "options");
				jw_arr(&w);
				for (int o = 0; o < yy->nopt; o++) {
					const struct sv_yoy_opt *yo = &yy->opt[o];
					jw_obj(&w);
					jw_kstr(&w, "code", qq->opt_code[yo->opt]);
					const struct share *both[2] = { &yo->before, &yo->after };
					const char *names[2] = { "before", "after" };
					for (int k = 0; k < 2; k++) {
						jw_key(&w, names[k]);
						jw_obj(&w);
						jw_kbool(&w, "suppressed", both[k]->suppressed);
						if (!both[k]->suppressed) {
							jw_kint(&w, "answered", both[k]->n);
							json_share(&w, both[k]);
						}
						jw_obj_end(&w);
					}
					jw_kbool(&w, "suppressed", yo->change.suppressed);
					if (!yo->change.suppressed) {
						jw_knum(&w, "change_points", yo->change.points);
						jw_knum(&w, "change_moe_points", yo->change.moe_points);
						jw_kbool(&w, "significant", yo->change.significant);
					}
					jw_obj_end(&w);
				}
				jw_arr_end(&w);
			}
			if (has_numeric(qq)) {
				const struct numeric *both[2] = { &yy->before_num, &yy->after_num };
				const char *names[2] = { "before_numeric", "after_numeric" };
				for (int k = 0; k < 2; k++) {
					jw_key(&w, names[k]);
					jw_obj(&w);
					jw_kbool(&w, "suppressed", both[k]->suppressed);
					if (!both[k]->suppressed) {
						jw_kint(&w, "answered", both[k]->n);
						json_numeric(&w, both[k]);
					}
					jw_obj_end(&w);
				}
			}
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		jw_obj_end(&w);
	} else {
		jw_null(&w);
	}
	jw_obj_end(&w);
}

/* ==== CSV ==== */

static void csv_num(buf_t *b, double v, bool last)
{
	char t[48];
	size_t n = fmt6(t, v);
	buf_append(b, t, n);
	if (!last) buf_putc(b, ',');
}

static const char *const csv_header[] = { "question", "question_label", "question_kind", "dimension", "cell", "cell_label",
	                                  "statistic", "option", "option_label", "answered", "count", "raw", "raw_moe",
	                                  "weighted", "weighted_moe" };
#define CSV_NCOLS 15

static void csv_supp(buf_t *b, int ncells, bool last)
{
	for (int k = 0; k < ncells; k++) csvw_cell(b, "< 5", ',', last && k == ncells - 1);
}

static void csv_prefix(buf_t *b, const struct sv_result *r, int q, int j, const char *stat, const char *oc,
                       const char *ol)
{
	const struct sv_question *qq = r->q[q].q;
	csvw_cell(b, qq->code, ',', false);
	csvw_cell(b, qq->label, ',', false);
	csvw_cell(b, kind_codes[qq->kind], ',', false);
	csvw_cell(b, dim_codes[r->cells[j].dim], ',', false);
	csvw_cell(b, r->cells[j].code, ',', false);
	csvw_cell(b, r->cells[j].label, ',', false);
	csvw_cell(b, stat, ',', false);
	csvw_cell(b, oc, ',', false);
	csvw_cell(b, ol, ',', false);
}

static void csv_stat(buf_t *b, const struct sv_result *r, int q, int j, const char *stat, double raw, double weighted,
                     bool has_weighted)
{
	const struct sv_cell *c = &r->q[q].cell[j];
	csv_prefix(b, r, q, j, stat, NULL, NULL);
	if (c->suppressed) {
		csv_supp(b, 6, true);
	} else {
		csv_num(b, (double)c->n, false);
		csvw_cell(b, NULL, ',', false);
		csv_num(b, raw, false);
		csvw_cell(b, NULL, ',', false);
		if (has_weighted) csv_num(b, weighted, false);
		else csvw_cell(b, NULL, ',', false);
		csvw_cell(b, NULL, ',', true);
	}
	buf_puts(b, "\r\n");
}

void sv_write_csv(buf_t *b, const struct sv_result *r)
{
	buf_puts(b, "\xEF\xBB\xBF");
	for (int k = 0; k < CSV_NCOLS; k++) csvw_cell(b, csv_header[k], ',', k == CSV_NCOLS - 1);
	buf_puts(b, "\r\n");
	for (int q = 0; q < r->nq; q++) {
		const struct sv_question *qq = r->q[q].q;
		for (int j = 0; j < r->ncells; j++) {
			const struct sv_cell *c = &r->q[q].cell[j];
			if (is_choice(qq))
				for (int o = 0; o < qq->nopt; o++) {
					csv_prefix(b, r, q, j, "share", qq->opt_code[o], qq->opt_label[o]);
					if (c->suppressed) {
						csv_supp(b, 6, true);
					} else {
						const struct share *s = &c->opt[o];
						csv_num(b, (double)c->n, false);
						csv_num(b, (double)s->x, false);
						csv_num(b, s->raw, false);
						csv_num(b, s->raw_moe, false);
						csv_num(b, s->weighted, false);
						csv_num(b, s->weighted_moe, true);
					}
					buf_puts(b, "\r\n");
				}
			if (has_numeric(qq)) {
				csv_stat(b, r, q, j, "mean", c->num.mean, c->num.weighted_mean, true);
				csv_stat(b, r, q, j, "median", c->num.median, c->num.weighted_median, true);
				csv_stat(b, r, q, j, "min", c->num.min, 0, false);
				csv_stat(b, r, q, j, "max", c->num.max, 0, false);
			}
			if (qq->kind == SV_TEXT || qq->kind == SV_LONGTEXT) {
				csv_prefix(b, r, q, j, "answered", NULL, NULL);
				if (c->suppressed) {
					csv_supp(b, 1, false);
					for (int k = 0; k < 5; k++) csvw_cell(b, NULL, ',', k == 4);
				} else {
					csv_num(b, (double)c->n, false);
					for (int k = 0; k < 5; k++) csvw_cell(b, NULL, ',', k == 4);
				}
				buf_puts(b, "\r\n");
			}
		}
	}
}

/* ==== HTML ==== */

static void pct(buf_t *b, double share, bool supp)
{
	chart_value(b, CHART_PCT, 100.0 * share, supp);
}

/* "42,5 % ± 3,1 pts" */
static void pct_moe(buf_t *b, double share, double moe, bool supp)
{
	pct(b, share, supp);
	if (!supp) {
		buf_puts(b, " ±\u00a0");
		chart_value(b, CHART_DEC1, 100.0 * moe, false);
		buf_puts(b, "\u00a0pt");
	}
}

static void count(buf_t *b, int64_t n, bool supp)
{
	chart_value(b, CHART_INT, (double)n, supp);
}

static void num(buf_t *b, double v, const char *unit, bool supp)
{
	chart_value(b, CHART_DEC1, v, supp);
	if (!supp && unit && *unit) buf_fmt(b, "\u00a0%h", unit);
}

static void hopen(buf_t *b, int level, const char *id, const char *text)
{
	buf_fmt(b, "<h%d id=\"%h\">%h</h%d>\n", level, id, text, level);
}

void sv_html_coverage(buf_t *b, const struct sv_result *r, int hlevel)
{
	buf_fmt(b, "<section class=\"survey-coverage\" aria-labelledby=\"sv-couverture\">\n");
	hopen(b, hlevel, "sv-couverture", "Participation et pondération");
	buf_puts(b, "<p>");
	html_count(b, r->respondents, "organisation a répondu", "organisations ont répondu");
	buf_puts(b, " sur ");
	html_count(b, r->population, "organisation interrogée", "organisations interrogées");
	buf_puts(b, " (");
	pct(b, rate(r->respondents, r->population), false);
	buf_puts(b, "). Les résultats pondérés représentent ");
	html_count(b, r->wsum.covered, "organisation", "organisations");
	buf_puts(b, " : chaque réponse compte pour les organisations de même type et de même strate de population "
	            "qui n’ont pas répondu (post-stratification). Les marges d’erreur sont à 95 %. Aucun chiffre "
	            "calculé sur moins de 5 réponses n’est publié (« &lt; 5 »).</p>\n");
	buf_fmt(b, "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"sv-poids-cap\">"
	           "<table><caption id=\"sv-poids-cap\">Poids par type d’organisation et strate de population</caption>\n"
	           "<thead><tr><th scope=\"col\">Type</th><th scope=\"col\">Strate</th><th scope=\"col\">Organisations</th>"
	           "<th scope=\"col\">Réponses</th><th scope=\"col\">Poids</th><th scope=\"col\">Remarque</th></tr></thead><tbody>\n");
	for (int h = 0; h < r->nstrata; h++) {
		const struct sv_stratum_row *s = &r->strata[h];
		const char *kl = org_kind_label(s->kind);
		const char *bl = org_band_label(s->band);
		buf_fmt(b, "<tr><th scope=\"row\">%h</th><td>%h</td><td>", kl ? kl : s->kind, bl ? bl : "population inconnue");
		count(b, s->population, false);
		buf_puts(b, "</td><td>");
		count(b, s->respondents, false);
		buf_puts(b, "</td><td>");
		if (s->weight > 0) num(b, s->weight, NULL, false);
		else buf_puts(b, "—");
		buf_puts(b, "</td><td>");
		if (s->collapsed) {
			const char *ibl = org_band_label(s->into_band);
			buf_fmt(b, "regroupée avec la strate « %h »", ibl ? ibl : "population inconnue");
		} else if (!s->covered) {
			buf_puts(b, "non représentée");
		} else if (s->population_adjusted) {
			buf_puts(b, "hors référentiel : chaque réponse compte pour elle-même");
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n");
	/* response rate by cell */
	buf_fmt(b, "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"sv-taux-cap\">"
	           "<table><caption id=\"sv-taux-cap\">Taux de réponse par type, strate et région</caption>\n"
	           "<thead><tr><th scope=\"col\">Découpage</th><th scope=\"col\">Groupe</th><th scope=\"col\">Organisations</th>"
	           "<th scope=\"col\">Réponses</th><th scope=\"col\">Taux de réponse</th></tr></thead><tbody>\n");
	for (int j = 0; j < r->ncells; j++) {
		const struct sv_cellkey *c = &r->cells[j];
		buf_fmt(b, "<tr><td>%h</td><th scope=\"row\">%h</th><td>", dim_labels[c->dim], c->label);
		count(b, c->population, false);
		buf_puts(b, "</td><td>");
		count(b, c->respondents, false);
		buf_puts(b, "</td><td>");
		pct(b, rate(c->respondents, c->population), false);
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n</section>\n");
}

/* A breakdown table of a choice question: rows = cells of dim. */
static void html_breakdown_choice(buf_t *b, const struct sv_result *r, int q, enum sv_dim dim)
{
	const struct sv_question *qq = r->q[q].q;
	buf_fmt(b, "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"sv-q%d-%h-cap\">"
	           "<table><caption id=\"sv-q%d-%h-cap\">%h : parts pondérées par %h</caption>\n<thead><tr>"
	           "<th scope=\"col\">%h</th><th scope=\"col\">Réponses</th>",
	        q, dim_codes[dim], q, dim_codes[dim], qq->label, dim == SV_KIND ? "type d’organisation"
	                                                         : dim == SV_BAND ? "strate de population"
	                                                                          : "région",
	        dim_labels[dim]);
	for (int o = 0; o < qq->nopt; o++) buf_fmt(b, "<th scope=\"col\">%h</th>", qq->opt_label[o]);
	buf_puts(b, "</tr></thead><tbody>\n");
	for (int j = 0; j < r->ncells; j++) {
		if (r->cells[j].dim != dim) continue;
		const struct sv_cell *c = &r->q[q].cell[j];
		buf_fmt(b, "<tr><th scope=\"row\">%h</th><td>", r->cells[j].label);
		count(b, c->n, c->suppressed);
		buf_puts(b, "</td>");
		for (int o = 0; o < qq->nopt; o++) {
			buf_puts(b, "<td>");
			pct_moe(b, c->opt[o].weighted, c->opt[o].weighted_moe, c->suppressed);
			buf_puts(b, "</td>");
		}
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n");
}

static void html_breakdown_numeric(buf_t *b, const struct sv_result *r, int q, enum sv_dim dim)
{
	const struct sv_question *qq = r->q[q].q;
	buf_fmt(b, "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"sv-q%d-%h-ncap\">"
	           "<table><caption id=\"sv-q%d-%h-ncap\">%h : moyennes et médianes par %h</caption>\n<thead><tr>"
	           "<th scope=\"col\">%h</th><th scope=\"col\">Réponses</th><th scope=\"col\">Moyenne brute</th>"
	           "<th scope=\"col\">Moyenne pondérée</th><th scope=\"col\">Médiane brute</th>"
	           "<th scope=\"col\">Médiane pondérée</th></tr></thead><tbody>\n",
	        q, dim_codes[dim], q, dim_codes[dim], qq->label,
	        dim == SV_KIND ? "type d’organisation" : dim == SV_BAND ? "strate de population" : "région", dim_labels[dim]);
	for (int j = 0; j < r->ncells; j++) {
		if (r->cells[j].dim != dim) continue;
		const struct sv_cell *c = &r->q[q].cell[j];
		buf_fmt(b, "<tr><th scope=\"row\">%h</th><td>", r->cells[j].label);
		count(b, c->n, c->suppressed);
		const double v[4] = { c->num.mean, c->num.weighted_mean, c->num.median, c->num.weighted_median };
		for (int k = 0; k < 4; k++) {
			buf_puts(b, "</td><td>");
			num(b, v[k], qq->unit, c->suppressed);
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n");
}

void sv_html_question(buf_t *b, const struct sv_result *r, int q, int hlevel, const char *csv_base)
{
	const struct sv_question *qq = r->q[q].q;
	const struct sv_cell *all = &r->q[q].cell[0];
	buf_fmt(b, "<section class=\"survey-question\" id=\"sv-q%d\" aria-labelledby=\"sv-q%d-h\">\n", q, q);
	buf_fmt(b, "<h%d id=\"sv-q%d-h\">%h</h%d>\n<p class=\"hint\">Question <code>%h</code>", hlevel, q, qq->label,
	        hlevel, qq->code);
	if (qq->show_q >= 0)
		buf_fmt(b, " — posée seulement si la réponse à « %h » est « %h »", r->def->q[qq->show_q].label,
		        r->def->q[qq->show_q].opt_label[qq->show_opt]);
	buf_puts(b, ".</p>\n<p>");
	if (all->suppressed) {
		buf_puts(b, "Moins de 5 réponses : aucun résultat n’est publié.</p>\n</section>\n");
		return;
	}
	html_count(b, all->n, "réponse", "réponses");
	buf_puts(b, " sur ");
	html_count(b, all->shown, "organisation à qui la question était posée", "organisations à qui la question était posée");
	buf_puts(b, ".</p>\n");
	if (qq->kind == SV_TEXT || qq->kind == SV_LONGTEXT) {
		buf_puts(b, "<p>Les réponses libres ne sont ni agrégées ni publiées.</p>\n</section>\n");
		return;
	}
	if (is_choice(qq)) {
		double *raw = xcalloc((size_t)qq->nopt, sizeof *raw), *wei = xcalloc((size_t)qq->nopt, sizeof *wei);
		for (int o = 0; o < qq->nopt; o++) {
			raw[o] = 100.0 * all->opt[o].raw;
			wei[o] = 100.0 * all->opt[o].weighted;
		}
		struct chart_series series[2] = { { "Part brute", raw, NULL }, { "Part pondérée", wei, NULL } };
		char id[32];
		snprintf(id, sizeof id, "sv-q%d-chart", q);
		char *title = xasprintf("%s%s", qq->label, qq->kind == SV_MULTIPLE ? " (plusieurs réponses possibles)" : "");
		struct chart c = { .kind = CHART_BARS, .id = id, .title = title, .cat_label = "Réponse",
			           .cats = (const char *const *)qq->opt_label, .ncats = qq->nopt, .series = series,
			           .nseries = 2, .fmt = CHART_PCT, .unit = NULL };
		buf_fmt(b, "<div class=\"chart-svg\">");
		chart_svg(b, &c);
		chart_legend(b, &c);
		buf_puts(b, "</div>\n");
		free(title);
		free(raw);
		free(wei);
		/* the figures, with their margins */
		buf_fmt(b, "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"sv-q%d-cap\">"
		           "<table><caption id=\"sv-q%d-cap\">%h : effectifs et parts (marges d’erreur à 95 %%)</caption>\n"
		           "<thead><tr><th scope=\"col\">Réponse</th><th scope=\"col\">Effectif</th>"
		           "<th scope=\"col\">Part brute</th><th scope=\"col\">Part pondérée</th></tr></thead><tbody>\n",
		        q, q, qq->label);
		for (int o = 0; o < qq->nopt; o++) {
			const struct share *s = &all->opt[o];
			buf_fmt(b, "<tr><th scope=\"row\">%h</th><td>", qq->opt_label[o]);
			count(b, s->x, false);
			buf_puts(b, "</td><td>");
			pct_moe(b, s->raw, s->raw_moe, false);
			buf_puts(b, "</td><td>");
			pct_moe(b, s->weighted, s->weighted_moe, false);
			buf_puts(b, "</td></tr>\n");
		}
		buf_puts(b, "</tbody></table></div>\n");
	}
	if (has_numeric(qq)) {
		const char *unit = qq->kind == SV_SCALE ? NULL : qq->unit;
		buf_fmt(b, "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"sv-q%d-num\">"
		           "<table><caption id=\"sv-q%d-num\">%h : moyenne et médiane</caption>\n"
		           "<thead><tr><th scope=\"col\">Statistique</th><th scope=\"col\">Brute</th>"
		           "<th scope=\"col\">Pondérée</th></tr></thead><tbody>\n<tr><th scope=\"row\">Moyenne</th><td>",
		        q, q, qq->label);
		num(b, all->num.mean, unit, false);
		buf_puts(b, "</td><td>");
		num(b, all->num.weighted_mean, unit, false);
		buf_puts(b, "</td></tr>\n<tr><th scope=\"row\">Médiane</th><td>");
		num(b, all->num.median, unit, false);
		buf_puts(b, "</td><td>");
		num(b, all->num.weighted_median, unit, false);
		buf_puts(b, "</td></tr>\n<tr><th scope=\"row\">Minimum – maximum</th><td>");
		num(b, all->num.min, unit, false);
		buf_puts(b, " – ");
		num(b, all->num.max, unit, false);
		buf_puts(b, "</td><td>—</td></tr>\n</tbody></table></div>\n");
	}
	if (csv_base) buf_fmt(b, "<p><a href=\"%h\" download>Toutes les données de la campagne (CSV)</a></p>\n", csv_base);
	/* breakdowns, in a disclosure */
	buf_puts(b, "<details><summary>Par type d’organisation, strate de population et région</summary>\n");
	for (int dim = SV_KIND; dim <= SV_REGION; dim++) {
		if (is_choice(qq)) html_breakdown_choice(b, r, q, (enum sv_dim)dim);
		if (has_numeric(qq)) html_breakdown_numeric(b, r, q, (enum sv_dim)dim);
	}
	buf_puts(b, "</details>\n</section>\n");
}

void sv_html_map(buf_t *b, const struct sv_result *r, int hlevel, const char *csv_href)
{
	int n = map_dep_count();
	double *v = xcalloc((size_t)n, sizeof *v);
	bool *has = xcalloc((size_t)n, sizeof *has);
	sv_dep_response_rate(r, v, has);
	struct map_spec m = { .id = "sv-carte-reponses", .title = "Taux de réponse par département",
		              .value_label = "Taux de réponse", .fmt = CHART_PCT, .values = v, .has = has, .nclasses = 5 };
	map_figure(b, &m, hlevel, csv_href);
	free(v);
	free(has);
}

void sv_html_map_share(buf_t *b, const struct sv_result *r, int q, int opt, int hlevel, const char *csv_href)
{
	const struct sv_question *qq = r->q[q].q;
	if (opt < 0 || opt >= qq->nopt) return;
	int n = map_dep_count();
	double *v = xcalloc((size_t)n, sizeof *v);
	bool *has = xcalloc((size_t)n, sizeof *has);
	sv_dep_share(r, q, opt, v, has);
	char id[48];
	snprintf(id, sizeof id, "sv-carte-q%d-o%d", q, opt);
	char *title = xasprintf("%s : part « %s » par département (brute)", qq->label, qq->opt_label[opt]);
	char *label = xasprintf("Part « %s »", qq->opt_label[opt]);
	struct map_spec m = { .id = id, .title = title, .value_label = label, .fmt = CHART_PCT, .values = v, .has = has,
		              .nclasses = 5 };
	map_figure(b, &m, hlevel, csv_href);
	buf_puts(b, "<p class=\"hint\">Les départements comptant moins de 5 réponses sont laissés sans donnée.</p>\n");
	free(title);
	free(label);
	free(v);
	free(has);
}

void sv_html_yoy(buf_t *b, const struct sv_result *r, int hlevel)
{
	if (!r->has_prev) return;
	buf_puts(b, "<section class=\"survey-yoy\" aria-labelledby=\"sv-evolution\">\n");
	char *t = xasprintf("Évolution depuis %d", r->prev_year);
	hopen(b, hlevel, "sv-evolution", t);
	free(t);
	if (r->nyoy == 0) {
		buf_puts(b, "<p>Aucune question commune aux deux campagnes.</p>\n</section>\n");
		return;
	}
	buf_fmt(b, "<p>Parts pondérées des deux campagnes pour les questions de même code, et l’écart en points avec sa "
	           "marge d’erreur à 95 %% ; un écart est dit significatif quand il dépasse sa marge.</p>\n"
	           "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"sv-evol-cap\">"
	           "<table><caption id=\"sv-evol-cap\">Évolution entre %d et %d</caption>\n<thead><tr>"
	           "<th scope=\"col\">Question</th><th scope=\"col\">Réponse</th><th scope=\"col\">%d</th>"
	           "<th scope=\"col\">%d</th><th scope=\"col\">Écart</th><th scope=\"col\">Significatif</th></tr></thead><tbody>\n",
	        r->prev_year, r->def->year, r->prev_year, r->def->year);
	for (int y = 0; y < r->nyoy; y++) {
		const struct sv_yoy *yy = &r->yoy[y];
		const struct sv_question *qq = &r->def->q[yy->q];
		for (int o = 0; o < yy->nopt; o++) {
			const struct sv_yoy_opt *yo = &yy->opt[o];
			buf_fmt(b, "<tr><th scope=\"row\">%h</th><td>%h</td><td>", qq->label, qq->opt_label[yo->opt]);
			pct_moe(b, yo->before.weighted, yo->before.weighted_moe, yo->before.suppressed);
			buf_puts(b, "</td><td>");
			pct_moe(b, yo->after.weighted, yo->after.weighted_moe, yo->after.suppressed);
			buf_puts(b, "</td><td>");
			if (yo->change.suppressed) {
				buf_puts(b, "—");
			} else {
				if (yo->change.points > 0) buf_puts(b, "+");
				chart_value(b, CHART_DEC1, yo->change.points, false);
				buf_puts(b, "\u00a0pt ±\u00a0");
				chart_value(b, CHART_DEC1, yo->change.moe_points, false);
			}
			buf_fmt(b, "</td><td>%h</td></tr>\n", yo->change.suppressed ? "—" : yo->change.significant ? "oui" : "non");
		}
		if (qq->kind == SV_NUMBER) {
			buf_fmt(b, "<tr><th scope=\"row\">%h</th><td>moyenne pondérée</td><td>", qq->label);
			num(b, yy->before_num.weighted_mean, qq->unit, yy->before_num.suppressed);
			buf_puts(b, "</td><td>");
			num(b, yy->after_num.weighted_mean, qq->unit, yy->after_num.suppressed);
			buf_puts(b, "</td><td>—</td><td>—</td></tr>\n");
		}
	}
	buf_puts(b, "</tbody></table></div>\n</section>\n");
}

void sv_html_dashboard(buf_t *b, const struct sv_result *r, int hlevel, const char *csv_base)
{
	sv_html_coverage(b, r, hlevel);
	sv_html_map(b, r, hlevel, NULL);
	for (int q = 0; q < r->nq; q++) sv_html_question(b, r, q, hlevel, csv_base);
	sv_html_yoy(b, r, hlevel);
}

/* ==== cache ==== */

struct sv_cache {
	pthread_mutex_t mu;
	int cap, n;
	struct sv_dashboard **e;
	int64_t hits, misses, puts;
};

struct sv_cache *sv_cache_new(int capacity)
{
	struct sv_cache *c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
	c->cap = capacity > 0 ? capacity : 8;
	c->e = xcalloc((size_t)c->cap, sizeof *c->e);
	return c;
}

static void dash_free(struct sv_dashboard *d)
{
	struct sv_data *data = d->res ? d->res->data_ : NULL;
	sv_result_free(d->res);
	sv_data_free(data);
	sv_def_free(d->def);
	free(d->json);
	free(d->html);
	free(d->csv);
	free(d);
}

/* Drop one reference (mutex held); frees at zero. */
static void unref(struct sv_dashboard *d)
{
	if (--d->refs == 0) dash_free(d);
}

void sv_cache_free(struct sv_cache *c)
{
	if (!c) return;
	for (int i = 0; i < c->n; i++) unref(c->e[i]);
	free(c->e);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static void remove_at(struct sv_cache *c, int i)
{
	unref(c->e[i]);
	memmove(c->e + i, c->e + i + 1, (size_t)(c->n - i - 1) * sizeof *c->e);
	c->n--;
}

struct sv_dashboard *sv_cache_get(struct sv_cache *c, int64_t campaign, int64_t generation)
{
	struct sv_dashboard *d = NULL;
	pthread_mutex_lock(&c->mu);
	for (int i = 0; i < c->n; i++) {
		if (c->e[i]->campaign != campaign) continue;
		if (c->e[i]->generation == generation) {
			d = c->e[i];
			d->refs++;
		} else {
			remove_at(c, i); /* stale: the answers changed */
		}
		break;
	}
	if (d) c->hits++;
	else c->misses++;
	pthread_mutex_unlock(&c->mu);
	return d;
}

struct sv_dashboard *sv_cache_put(struct sv_cache *c, int64_t campaign, int64_t generation, struct sv_result *res,
                                  struct sv_def *def, const char *csv_base)
{
	struct sv_dashboard *d = xcalloc(1, sizeof *d);
	d->campaign = campaign;
	d->generation = generation;
	d->res = res;
	d->def = def;
	buf_t b = BUF_INIT;
	sv_write_json(&b, res);
	d->json_len = b.len;
	d->json = buf_detach(&b);
	sv_html_dashboard(&b, res, 2, csv_base);
	d->html_len = b.len;
	d->html = buf_detach(&b);
	sv_write_csv(&b, res);
	d->csv_len = b.len;
	d->csv = buf_detach(&b);
	d->refs = 2; /* the cache's and the caller's */
	pthread_mutex_lock(&c->mu);
	c->puts++;
	for (int i = 0; i < c->n; i++)
		if (c->e[i]->campaign == campaign) {
			remove_at(c, i);
			break;
		}
	if (c->n == c->cap) remove_at(c, 0); /* the oldest */
	c->e[c->n++] = d;
	pthread_mutex_unlock(&c->mu);
	return d;
}

void sv_dashboard_release(struct sv_cache *c, struct sv_dashboard *d)
{
	if (!d) return;
	pthread_mutex_lock(&c->mu);
	unref(d);
	pthread_mutex_unlock(&c->mu);
}

void sv_cache_counters(struct sv_cache *c, int64_t *hits, int64_t *misses, int64_t *puts)
{
	pthread_mutex_lock(&c->mu);
	if (hits) *hits = c->hits;
	if (misses) *misses = c->misses;
	if (puts) *puts = c->puts;
	pthread_mutex_unlock(&c->mu);
}
