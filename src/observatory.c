/*
 * observatory.c — loads the library statistics and describes the charts
 * of the observatory (see observatory.h).
 *
 * Design notes
 * - store_stats_count() does the counting in SQL; this file orders,
 *   labels and completes the groups (vocabulary order, "Non renseigné",
 *   months without records) and keeps nothing between requests.
 */
#include "observatory.h"
#include "org.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "model.h"
#include "store.h"
#include "util.h"

const char *const obs_chart_names[OBS_NCHARTS] = { "themes", "statuts", "types-statuts", "techniques", "strates",
	                                            "regions", "mois" };

#define NONE_LABEL "Non renseigné"

/* Index of code in d (adding it when absent); -1 when full. */
static int dist_slot(struct obs_dist *d, const struct vocab *v, const char *code)
{
	int vi = code ? vocab_index(v, code) : -1;
	const char *c = vi >= 0 ? v->terms[vi].code : "";
	for (int i = 0; i < d->n; i++)
		if (strcmp(d->code[i], c) == 0) return i;
	if (d->n >= OBS_MAX) return -1;
	d->code[d->n] = c;
	d->label[d->n] = vi >= 0 ? v->terms[vi].label : NONE_LABEL;
	d->count[d->n] = 0;
	return d->n++;
}

/* Every term of v, in order, with 0. */
static void dist_all(struct obs_dist *d, const struct vocab *v)
{
	d->n = 0;
	for (size_t i = 0; i < v->count && d->n < OBS_MAX; i++) dist_slot(d, v, v->terms[i].code);
}

/* Sort key of a code: its vocabulary rank ("" last). */
static int rank(const struct vocab *v, const char *code)
{
	int i = *code ? vocab_index(v, code) : -1;
	return i >= 0 ? i : 1000;
}

struct ctx {
	struct observatory *o;
	int64_t sum;
};

static int on_theme(void *p, const char *a, const char *b, int64_t n)
{
	struct ctx *c = p;
	int i = dist_slot(&c->o->theme, &vocab_theme, a);
	if (i >= 0) c->o->theme.count[i] += (double)n;
	return 0;
}

static int on_status(void *p, const char *a, const char *b, int64_t n)
{
	struct ctx *c = p;
	int i = dist_slot(&c->o->status, &vocab_status, a);
	if (i >= 0) c->o->status.count[i] += (double)n;
	return 0;
}

static int on_kind_status(void *p, const char *a, const char *b, int64_t n)
{
	struct ctx *c = p;
	int k = dist_slot(&c->o->kind, &vocab_org_kind, a);
	int s = dist_slot(&c->o->status, &vocab_status, b);
	if (k < 0 || s < 0) return 0;
	c->o->kind.count[k] += (double)n;
	c->o->kind_status[s][k] += (double)n;
	return 0;
}

struct month_row {
	char m[8];
	int64_t n;
};
struct months {
	struct month_row *rows;
	int n, cap;
	int64_t undated;
};

static int on_month(void *p, const char *a, const char *b, int64_t n)
{
	struct months *ms = p;
	int y, mo;
	if (!a || strlen(a) != 7 || sscanf(a, "%4d-%2d", &y, &mo) != 2 || mo < 1 || mo > 12) {
		ms->undated += n;
		return 0;
	}
	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? 2 * ms->cap : 32;
		ms->rows = xrealloc(ms->rows, (size_t)ms->cap * sizeof *ms->rows);
	}
	memcpy(ms->rows[ms->n].m, a, 8);
	ms->rows[ms->n++].n = n;
	return 0;
}

static int on_dep(void *p, const char *a, const char *b, int64_t n)
{
	struct ctx *c = p;
	int i = map_dep_index(a);
	if (i >= 0) c->o->dep_count[i] += (double)n;
	else c->o->dep_none += n;
	return 0;
}

static int on_technique(void *p, const char *a, const char *b, int64_t n)
{
	struct ctx *c = p;
	int i = dist_slot(&c->o->technique, &vocab_ai_technique, a);
	if (i >= 0) c->o->technique.count[i] += (double)n;
	return 0;
}

static int on_band(void *p, const char *a, const char *b, int64_t n)
{
	struct ctx *c = p;
	int i = dist_slot(&c->o->band, &vocab_pop_band, a);
	if (i >= 0) c->o->band.count[i] += (double)n;
	return 0;
}

/* régions have no vocabulary: the code is kept, the name looked up later */
static int on_region(void *p, const char *a, const char *b, int64_t n)
{
	struct ctx *c = p;
	struct obs_dist *d = &c->o->region;
	if (d->n >= OBS_MAX) return 0;
	c->o->region_code[d->n] = xstrdup(a ? a : "");
	d->code[d->n] = c->o->region_code[d->n];
	d->label[d->n] = NONE_LABEL;
	d->count[d->n++] = (double)n;
	return 0;
}

static int on_label(void *p, const char *a, const char *b, int64_t n)
{
	struct ctx *c = p;
	if (a && strcmp(a, "awarded") == 0) c->o->label_awarded = n;
	return 0;
}

static int on_reuses(void *p, const char *a, const char *b, int64_t n)
{
	struct ctx *c = p;
	if (strcmp(a, "reuses") == 0) c->o->reuses = n;
	else c->o->reused = n;
	return 0;
}

static int on_total(void *p, const char *a, const char *b, int64_t n)
{
	struct ctx *c = p;
	c->o->total = n;
	return 0;
}

/* Most frequent first; ties in vocabulary order ("" last), or by code
 * when there is no vocabulary (v NULL). */
static bool comes_before(const struct obs_dist *d, int a, int b, const struct vocab *v)
{
	if (d->count[a] != d->count[b]) return d->count[a] > d->count[b];
	int ra = v ? rank(v, d->code[a]) : (*d->code[a] ? 0 : 1000);
	int rb = v ? rank(v, d->code[b]) : (*d->code[b] ? 0 : 1000);
	if (ra != rb) return ra < rb;
	return strcmp(d->code[a], d->code[b]) < 0;
}

static void sort_by_count(struct obs_dist *d, const struct vocab *v)
{
	for (int i = 1; i < d->n; i++)
		for (int j = i; j > 0 && comes_before(d, j, j - 1, v); j--) {
			const char *c = d->code[j], *l = d->label[j];
			double n = d->count[j];
			d->code[j] = d->code[j - 1], d->label[j] = d->label[j - 1], d->count[j] = d->count[j - 1];
			d->code[j - 1] = c, d->label[j - 1] = l, d->count[j - 1] = n;
		}
}

/* Kinds in vocabulary order (kind_status columns move along). */
static void sort_kinds(struct observatory *o)
{
	struct obs_dist *d = &o->kind;
	for (int i = 1; i < d->n; i++)
		for (int j = i; j > 0 && rank(&vocab_org_kind, d->code[j]) < rank(&vocab_org_kind, d->code[j - 1]); j--) {
			const char *c = d->code[j], *l = d->label[j];
			double n = d->count[j];
			d->code[j] = d->code[j - 1], d->label[j] = d->label[j - 1], d->count[j] = d->count[j - 1];
			d->code[j - 1] = c, d->label[j - 1] = l, d->count[j - 1] = n;
			for (int s = 0; s < OBS_MAX; s++) {
				double t = o->kind_status[s][j];
				o->kind_status[s][j] = o->kind_status[s][j - 1];
				o->kind_status[s][j - 1] = t;
			}
		}
}

static int month_num(const char *m)
{
	int y = 0, mo = 0;
	sscanf(m, "%4d-%2d", &y, &mo);
	return y * 12 + (mo - 1);
}

int obs_load(db_t *db, struct observatory *o)
{
	memset(o, 0, sizeof *o);
	o->dep_count = xcalloc((size_t)map_dep_count(), sizeof *o->dep_count);
	struct ctx c = { o, 0 };
	dist_all(&o->status, &vocab_status);
	dist_all(&o->band, &vocab_pop_band);
	struct months ms = { 0 };
	if (store_stats_count(db, STATS_TOTAL, on_total, &c) < 0 || store_stats_count(db, STATS_BY_THEME, on_theme, &c) < 0 ||
	    store_stats_count(db, STATS_BY_TECHNIQUE, on_technique, &c) < 0 ||
	    store_stats_count(db, STATS_BY_BAND, on_band, &c) < 0 ||
	    store_stats_count(db, STATS_BY_REGION, on_region, &c) < 0 ||
	    store_stats_count(db, STATS_BY_LABEL, on_label, &c) < 0 ||
	    store_stats_count(db, STATS_REUSES, on_reuses, &c) < 0 ||
	    store_stats_count(db, STATS_BY_STATUS, on_status, &c) < 0 ||
	    store_stats_count(db, STATS_BY_KIND_STATUS, on_kind_status, &c) < 0 ||
	    store_stats_count(db, STATS_BY_MONTH, on_month, &ms) < 0 ||
	    store_stats_count(db, STATS_BY_DEPARTEMENT, on_dep, &c) < 0) {
		free(ms.rows);
		obs_free(o);
		return -1;
	}
	sort_by_count(&o->theme, &vocab_theme);
	sort_by_count(&o->technique, &vocab_ai_technique);
	/* régions: their names (the code when unknown), most records first */
	for (int i = 0; i < o->region.n; i++) {
		if (!*o->region.code[i]) continue;
		o->region_label[i] = org_area_name(db, "region", o->region.code[i]);
		o->region.label[i] = o->region_label[i] ? o->region_label[i] : o->region.code[i];
	}
	sort_by_count(&o->region, NULL);
	sort_kinds(o);
	/* months: a continuous axis from the first to the last (at most 50 years) */
	o->undated = ms.undated;
	if (ms.n > 0) {
		int first = month_num(ms.rows[0].m), last = month_num(ms.rows[ms.n - 1].m);
		if (last - first > 600) first = last - 600;
		o->nmonth = last - first + 1;
		o->month = xcalloc((size_t)o->nmonth, sizeof *o->month);
		o->month_label = xcalloc((size_t)o->nmonth, sizeof *o->month_label);
		o->month_count = xcalloc((size_t)o->nmonth, sizeof *o->month_count);
		o->month_cum = xcalloc((size_t)o->nmonth, sizeof *o->month_cum);
		for (int i = 0; i < o->nmonth; i++) {
			int v = first + i;
			int y = (v / 12) % 10000, mo = v % 12 + 1;
			char *m = o->month[i];
			m[0] = (char)('0' + y / 1000), m[1] = (char)('0' + y / 100 % 10), m[2] = (char)('0' + y / 10 % 10);
			m[3] = (char)('0' + y % 10), m[4] = '-', m[5] = (char)('0' + mo / 10), m[6] = (char)('0' + mo % 10), m[7] = 0;
			o->month_label[i] = o->month[i];
		}
		double before = 0;
		for (int k = 0; k < ms.n; k++) {
			int i = month_num(ms.rows[k].m) - first;
			if (i < 0) before += (double)ms.rows[k].n;
			else o->month_count[i] += (double)ms.rows[k].n;
		}
		double cum = before;
		for (int i = 0; i < o->nmonth; i++) {
			cum += o->month_count[i];
			o->month_cum[i] = cum;
		}
	}
	free(ms.rows);
	return 0;
}

void obs_free(struct observatory *o)
{
	free(o->month);
	free(o->month_label);
	free(o->month_count);
	free(o->month_cum);
	free(o->dep_count);
	for (int i = 0; i < OBS_MAX; i++) {
		free(o->region_code[i]);
		free(o->region_label[i]);
	}
	memset(o, 0, sizeof *o);
}

bool obs_chart(const struct observatory *o, const char *name, struct chart *c, struct chart_series *series)
{
	memset(c, 0, sizeof *c);
	c->fmt = CHART_INT;
	c->unit = "fiches";
	c->series = series;
	if (strcmp(name, "themes") == 0) {
		*c = (struct chart){ CHART_BARS, "themes", "Fiches par thème", NULL, "Thème", o->theme.label, o->theme.n, series, 1,
			             CHART_INT, "fiches" };
		series[0] = (struct chart_series){ "Fiches", o->theme.count, NULL };
	} else if (strcmp(name, "statuts") == 0) {
		*c = (struct chart){ CHART_BARS, "statuts", "Fiches par état d’avancement du projet", NULL, "État d’avancement",
			             o->status.label, o->status.n, series, 1, CHART_INT, "fiches" };
		series[0] = (struct chart_series){ "Fiches", o->status.count, NULL };
	} else if (strcmp(name, "types-statuts") == 0) {
		*c = (struct chart){ CHART_STACKED, "types-statuts", "Fiches par type d’organisation et état d’avancement", NULL,
			             "Type d’organisation", o->kind.label, o->kind.n, series, o->status.n, CHART_INT, "fiches" };
		for (int s = 0; s < o->status.n; s++)
			series[s] = (struct chart_series){ o->status.label[s], o->kind_status[s], NULL };
	} else if (strcmp(name, "techniques") == 0) {
		*c = (struct chart){ CHART_BARS, "techniques", "Fiches par technique d’IA", NULL, "Technique", o->technique.label,
			             o->technique.n, series, 1, CHART_INT, "fiches" };
		series[0] = (struct chart_series){ "Fiches", o->technique.count, NULL };
	} else if (strcmp(name, "strates") == 0) {
		*c = (struct chart){ CHART_BARS, "strates", "Fiches par taille de l’organisation porteuse", NULL,
			             "Population", o->band.label, o->band.n, series, 1, CHART_INT, "fiches" };
		series[0] = (struct chart_series){ "Fiches", o->band.count, NULL };
	} else if (strcmp(name, "regions") == 0) {
		*c = (struct chart){ CHART_BARS, "regions", "Fiches par région de l’organisation porteuse", NULL, "Région",
			             o->region.label, o->region.n, series, 1, CHART_INT, "fiches" };
		series[0] = (struct chart_series){ "Fiches", o->region.count, NULL };
	} else if (strcmp(name, "mois") == 0) {
		*c = (struct chart){ CHART_LINES, "mois", "Fiches publiées par mois", NULL, "Mois (AAAA-MM)",
			             (const char *const *)o->month_label, o->nmonth, series, 2, CHART_INT, "fiches" };
		series[0] = (struct chart_series){ "Publiées dans le mois", o->month_count, NULL };
		series[1] = (struct chart_series){ "Total cumulé", o->month_cum, NULL };
	} else {
		return false;
	}
	return true;
}
