/*
 * survey_stats.h — the statistics engine of ONE survey campaign (issue 7,
 * section 2): figures per question, raw and weighted with their margins,
 * breakdowns by organisation kind, population band and région, small-cell
 * suppression, the weights table, coverage, response rates by département,
 * year over year; and their writers (JSON, CSV, HTML dashboard fragments)
 * with a cache keyed by (campaign, data generation).
 *
 * Design notes
 * - Pure: no database, no request. The caller (the survey storage, next
 *   session) gives the campaign definition (JSON, format iat-campaign/1 of
 *   notes/survey-contract.md), the responses (organisation kind, band,
 *   région, département, state, answers JSON) and the population of
 *   authorities (store_stats_population(): active official organisations
 *   per kind × band × région × département). The estimators are stats.c's.
 * - Two steps. sv_load() reads the definition and converts every SUBMITTED
 *   response once into a columnar form: per question one small value per
 *   respondent (option index, option bitmask, number, scale value) and a
 *   state (hidden by its show_if, shown but not answered, answered); a
 *   number question also keeps its answers sorted once (medians without
 *   sorting per cell). sv_compute() then makes every figure in one pass
 *   per question, each answer adding to four cells (all, its kind, its
 *   band, its région): 36,000 respondents × 50 questions in a few ms
 *   (bench/survey_stats_bench.c, bench/RESULTS.md).
 * - Base of a question: the respondents to whom it was SHOWN (show_if
 *   evaluated here again from the answers; a hidden question's answer is
 *   ignored even if present) and who answered it. Hidden respondents are
 *   neither answers nor non-answers of that question. Shares are over the
 *   answers (n); "missing" = shown − answered is published alongside.
 * - Weights: post-stratification by kind × band (stats_weights(): collapse
 *   of empty strata into the nearest band of the kind). Band "unknown"
 *   (population unknown) is a fifth band after the four of org_band().
 *   The population is the campaign's target (kinds, bands, régions of the
 *   definition; empty = all). A stratum with more respondents than
 *   authorities in the reference (an organisation outside the reference,
 *   such as a syndicat) gets N = n: its respondents speak for themselves
 *   (flagged "population_adjusted" in the weights table).
 * - Suppression: any cell (the whole campaign included) with fewer than
 *   STATS_MIN_CELL answers carries no figure at all: writers print "< 5"
 *   (HTML, CSV) or null with "suppressed": true (JSON), never the count.
 *   Response counts per cell (who answered, not what) are not answers and
 *   are shown. Text answers are never aggregated nor shown: only counted.
 * - Labels of options and questions are the definition's (escaped by the
 *   writers); kinds and bands are labelled by org.c, régions by a table of
 *   the 18 INSEE codes here.
 */
#ifndef IAT_SURVEY_STATS_H
#define IAT_SURVEY_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "stats.h"

#define SV_MAX_OPTIONS 50
#define SV_NBANDS 5          /* the four bands of org_band(), then "unknown" */

enum sv_kind { SV_SINGLE, SV_MULTIPLE, SV_NUMBER, SV_SCALE, SV_TEXT, SV_LONGTEXT };

struct sv_question {
	char *code, *label, *unit;
	enum sv_kind kind;
	int nopt;                 /* options (scale: 5, codes "1".."5") */
	char **opt_code, **opt_label;
	int show_q;               /* index of the show_if question, or -1 */
	int show_opt;             /* its option index */
};

struct sv_def {
	char *code, *title;
	int year;
	int nq;
	struct sv_question *q;
	/* target (empty lists: all) */
	int ntkinds, ntbands, ntregions;
	char **tkinds, **tbands, **tregions;
};

/* Read a campaign definition (iat-campaign/1). NULL and *err (French,
 * heap) when it is not one. Free with sv_def_free(). */
struct sv_def *sv_def_parse(const char *json, size_t len, char **err);
void sv_def_free(struct sv_def *d);

/* One organisation's response, as the storage gives it. */
struct sv_response {
	const char *kind;         /* organisation kind */
	const char *band;         /* org_band() code, NULL: unknown */
	const char *region;       /* INSEE code, may be NULL */
	const char *departement;  /* INSEE code, may be NULL */
	bool submitted;           /* drafts are ignored */
	const char *answers;      /* answers JSON (contract § 2) */
	size_t answers_len;       /* 0: strlen(answers) */
};

/* One row of store_stats_population(). */
struct sv_pop {
	const char *kind, *band, *region, *departement;
	int64_t n;
};

/* Breakdown dimensions; cell 0 of every result is "all". */
enum sv_dim { SV_ALL, SV_KIND, SV_BAND, SV_REGION };

struct sv_cellkey {
	enum sv_dim dim;
	const char *code;         /* "" for all, kind, band ("unknown"), région */
	const char *label;        /* French */
	int64_t population;       /* authorities of the target in this cell */
	int64_t respondents;      /* submitted responses in this cell */
};

/* The converted data: opaque. */
struct sv_data;

/* Convert (copies what it keeps; def must outlive the data). Responses
 * whose answers are not a JSON object count as respondents without
 * answers. NULL only on allocation failure or a def of 0 questions. */
struct sv_data *sv_load(const struct sv_def *def, const struct sv_response *r, size_t nr, const struct sv_pop *pop,
                        size_t npop);
void sv_data_free(struct sv_data *d);
size_t sv_data_respondents(const struct sv_data *d);

/* One question in one cell. */
struct sv_cell {
	int64_t shown;            /* respondents to whom it was shown */
	int64_t n;                /* answers */
	double wn;                /* Σ weights of the answers (weighted count) */
	bool suppressed;          /* n < STATS_MIN_CELL */
	struct share *opt;        /* nopt shares (single, multiple, scale) */
	struct numeric num;       /* number and scale */
};

struct sv_qresult {
	const struct sv_question *q;
	struct sv_cell *cell;     /* ncells */
};

struct sv_stratum_row {
	const char *kind, *band;  /* band code, "unknown" */
	int64_t population, respondents;
	double weight;
	const char *into_kind, *into_band; /* collapsed into (NULL: itself, or not covered) */
	bool collapsed, covered, population_adjusted;
};

struct sv_yoy_opt {
	int opt;                  /* option of this year */
	int prev_opt;             /* same code last time */
	struct share before, after;
	struct change change;
};

struct sv_yoy {
	int q, prev_q;            /* question here and in the earlier campaign */
	int nopt;
	struct sv_yoy_opt *opt;   /* choices and scale: options with the same code */
	struct numeric before_num, after_num; /* number and scale: whole campaign */
};

struct sv_result {
	const struct sv_def *def;
	int ncells;
	struct sv_cellkey *cells;
	int nq;
	struct sv_qresult *q;
	int nstrata;
	struct sv_stratum_row *strata;
	struct weights_summary wsum;
	int64_t respondents;      /* submitted */
	int64_t population;       /* authorities of the target */
	/* by département (map_dep_count() entries): population and respondents */
	int64_t *dep_population, *dep_respondents;
	/* year over year (sv_compare) */
	bool has_prev;            /* sv_compare() was given an earlier result */
	char prev_code[72];       /* its campaign code (copied: prev may go) */
	int prev_year;
	int nyoy;
	struct sv_yoy *yoy;
	/* private */
	struct sv_data *data_;
};

/* Every figure (see notes). The result points into data and def, which
 * must outlive it. NULL on allocation failure. */
struct sv_result *sv_compute(struct sv_data *d);
void sv_result_free(struct sv_result *r);

/* Year over year: for each question of r whose code is in prev (same
 * kind), both years side by side; for choices, options joined by code.
 * Changes of the weighted share of the whole campaign (stats_change).
 * Everything needed is copied into r: prev may be freed afterwards. */
void sv_compare(struct sv_result *r, const struct sv_result *prev);

/* Index of a question by code, or -1. */
int sv_question_index(const struct sv_def *d, const char *code);

/* Per-département figures for the map (map_dep_count() entries): the
 * response rate (respondents / authorities), or the raw share of option
 * opt of question q (has[i] false when fewer than 5 answers). */
void sv_dep_response_rate(const struct sv_result *r, double *values, bool *has);
void sv_dep_share(const struct sv_result *r, int q, int opt, double *values, bool *has);

/* ---- writers ---- */
/* The whole result as JSON (doc/statistics.md, "Survey statistics"). */
void sv_write_json(buf_t *b, const struct sv_result *r);
/* CSV: one row per question × option (or statistic) × cell, BOM, CRLF;
 * suppressed cells "< 5". */
void sv_write_csv(buf_t *b, const struct sv_result *r);
/* HTML fragments (French, escaped): the coverage and weights; one question
 * (chart, table, raw and weighted figures with margins, breakdowns); the
 * map of response rates; year over year; the whole dashboard.
 * hlevel: heading level of each section; csv_base: NULL or the URL the
 * chart CSV links start with. */
void sv_html_coverage(buf_t *b, const struct sv_result *r, int hlevel);
void sv_html_question(buf_t *b, const struct sv_result *r, int q, int hlevel, const char *csv_base);
void sv_html_map(buf_t *b, const struct sv_result *r, int hlevel, const char *csv_href);
/* The map of the raw share of option opt of question q by département
 * (départements with fewer than 5 answers: no data). */
void sv_html_map_share(buf_t *b, const struct sv_result *r, int q, int opt, int hlevel, const char *csv_href);
void sv_html_yoy(buf_t *b, const struct sv_result *r, int hlevel);
void sv_html_dashboard(buf_t *b, const struct sv_result *r, int hlevel, const char *csv_base);

/* ---- cache: (campaign, generation) → result and its renderings ----
 * The storage bumps the generation on every answer change; an entry of
 * another generation is never served (and is dropped on the next get).
 * Thread-safe; entries are reference-counted, so a dashboard being sent
 * survives its replacement. */
struct sv_dashboard {
	int64_t campaign, generation;
	struct sv_result *res;    /* owns its data (and def when given) */
	struct sv_def *def;       /* freed with the entry, may be NULL */
	char *json, *html, *csv;
	size_t json_len, html_len, csv_len;
	int refs;                 /* private */
};

struct sv_cache;
struct sv_cache *sv_cache_new(int capacity);
void sv_cache_free(struct sv_cache *c);
/* The entry for (campaign, generation) with a reference, or NULL. */
struct sv_dashboard *sv_cache_get(struct sv_cache *c, int64_t campaign, int64_t generation);
/* Store a computed result: the cache takes res, the sv_data it was
 * computed from (res->data_) and def (may be NULL), all freed with the
 * entry; renders JSON, HTML (csv_base as for sv_html_dashboard) and CSV
 * now, and returns the entry with a reference. Replaces the campaign's
 * older one. Typical use by the storage:
 *   d = sv_cache_get(c, id, gen);
 *   if (!d) d = sv_cache_put(c, id, gen, sv_compute(sv_load(def, ...)), def, url);
 *   ... send d->html / d->json / d->csv ...; sv_dashboard_release(c, d); */
struct sv_dashboard *sv_cache_put(struct sv_cache *c, int64_t campaign, int64_t generation, struct sv_result *res,
                                  struct sv_def *def, const char *csv_base);
void sv_dashboard_release(struct sv_cache *c, struct sv_dashboard *d);
/* Counters: hits and puts since creation (tests, metrics). */
void sv_cache_counters(struct sv_cache *c, int64_t *hits, int64_t *misses, int64_t *puts);

#endif
