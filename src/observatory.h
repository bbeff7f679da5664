/*
 * observatory.h — the library statistics of the observatory (issue 7), as
 * the page /observatoire, its CSV files and /api/v1/stats/library show
 * them: one loader (from store_stats.c), one description of each chart,
 * so the picture, the table, the CSV and the JSON always hold the same
 * figures.
 *
 * Design notes
 * - What is counted: visible records (published or retracted), like the
 *   public library and its facets. Themes: only those with records, most
 *   frequent first (ties in vocabulary order). Statuses: every status in
 *   vocabulary order (an ordered scale), zeros included. Organisation
 *   kind × status: kinds with records, in vocabulary order. Months: from
 *   the first to the last month of first publication, empty months
 *   included (a time axis has no holes). Départements: all 101, the
 *   owner's département (usecase.org_departement); records of owners
 *   without one (régions, national bodies) are counted apart. Techniques
 *   (a record may have several: the bars do not add up to the total, the
 *   page says so), population bands in order, régions most records first;
 *   the "impact démontré" labels and the reuses as key figures.
 * - A value missing from the vocabulary or empty is shown as
 *   "Non renseigné" (code ""), so that every breakdown adds up to the total.
 */
#ifndef IAT_OBSERVATORY_H
#define IAT_OBSERVATORY_H

#include <stdint.h>

#include "chart.h"
#include "db.h"

#define OBS_MAX 24   /* values of one breakdown: 18 régions + "non renseigné" fit */
#define OBS_NCHARTS 7

struct obs_dist {
	int n;
	const char *code[OBS_MAX];   /* vocabulary code, "" for "non renseigné" */
	const char *label[OBS_MAX];
	double count[OBS_MAX];
};

struct observatory {
	int64_t total;
	struct obs_dist theme, status, kind;
	struct obs_dist technique;   /* a record counts once per technique; "" = none given */
	struct obs_dist band;        /* population band of the owner, in order; "" = unknown */
	struct obs_dist region;      /* the owner's région, most records first; "" = none */
	char *region_code[OBS_MAX];  /* the strings behind region's codes and labels (heap; */
	char *region_label[OBS_MAX]; /*  in load order, which sorting does not change) */
	int64_t label_awarded;       /* records with the "impact démontré" label */
	int64_t reuses, reused;      /* records that reuse another / records reused at least once */
	double kind_status[OBS_MAX][OBS_MAX]; /* [status index][kind index] */
	int nmonth;
	char (*month)[8];            /* "YYYY-MM" */
	const char **month_label;    /* = month[i] */
	double *month_count, *month_cum;
	int64_t undated;             /* visible records without a publication date */
	double *dep_count;           /* map_dep_count() values */
	int64_t dep_none;            /* records whose owner has no département on the map */
};

/* Load everything (one read of each grouping). 0 or -1. Free with obs_free(). */
int obs_load(db_t *db, struct observatory *o);
void obs_free(struct observatory *o);

/* The charts of the page, by name: "themes", "statuts", "types-statuts",
 * "techniques", "strates", "regions", "mois". Fills c (pointing into o and series, which must hold OBS_MAX
 * entries); false for an unknown name. */
bool obs_chart(const struct observatory *o, const char *name, struct chart *c, struct chart_series *series);
/* The names, in page order. */
extern const char *const obs_chart_names[OBS_NCHARTS];

#endif
