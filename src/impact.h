/*
 * impact.h — measured impact: the common indicators, the figures of an
 * indicator (baseline → result, change, period) and the rules of the
 * "impact démontré" label.
 *
 * Design notes
 * - Pure functions over a canonical doc (model.c validated it): no
 *   database, no clock. The store calls impact_eval() at every write and
 *   denormalises the outcome (usecase.impact_label, usecase.evidence); the
 *   record page calls it again to say what is missing. So the rules live
 *   here only, and doc/impact.md describes them in French and English.
 * - An indicator is modelled on Etalab's table schema for the impact of
 *   digital public services (one row per measurement there; one object
 *   with its baseline, measurements and target here):
 *     {name, common?, type: impact|usage, unit, baseline?: {value, date},
 *      measurements: [{value, date, start?}] (date order), target?: {value,
 *      date?}, frequency?, automated?, source?, method?, comments?,
 *      evidence: declared|measured|independent, evaluator?, report_url?,
 *      visibility: public|restricted}
 * - The label rules (all must hold, by one and the same indicator for the
 *   first five):
 *     1. a public indicator of type "impact";
 *     2. with a baseline (value and date);
 *     3. and a measured result (its latest measurement);
 *     4. over a period of at least IMPACT_MIN_DAYS days: from the
 *        measurement's own start when it covers a period, else from the
 *        baseline date, to the measurement date;
 *     5. evidence level "measured" or "independent" (an "independent"
 *        level without evaluator and report counts as "declared"), and a
 *        named method;
 *     6. the record is published;
 *     7. a curator reviewed the impact evidence, and the public
 *        indicators have not changed since (their hash is kept with the
 *        review).
 *   A curator's exception overrides the outcome either way ("granted" or
 *   "withdrawn", with a public reason).
 * - Only public indicators count: evidence nobody outside the authority
 *   can read cannot support a public label.
 */
#ifndef IAT_IMPACT_H
#define IAT_IMPACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define IMPACT_MIN_DAYS 90

/* One indicator of the pick-list. better: +1 when a higher value is an
 * improvement, -1 when lower is better, 0 when neither. */
struct impact_common {
	const char *code;
	const char *label;   /* French name */
	const char *unit;    /* French unit */
	const char *type;    /* impact | usage */
	int better;
};
extern const struct impact_common impact_commons[];
extern const size_t impact_ncommons;
const struct impact_common *impact_common_find(const char *code);

/* Days since 1970-01-01 of a "YYYY-MM-DD" date, or INT32_MIN when it is
 * not one. */
int32_t impact_days(const char *date);

/* The figures of one indicator, for display and exports. */
struct impact_figures {
	bool has_baseline, has_result;
	double baseline, result;        /* values */
	const char *baseline_date;      /* borrowed from the doc */
	const char *result_date, *result_start;
	double change;                  /* result - baseline */
	double change_pct;              /* change / |baseline| * 100 (NAN when baseline is 0) */
	int32_t period_days;            /* see rule 4; -1 without result or start */
	int nmeasures;
};
void impact_figures(const json_t *indicator, struct impact_figures *out);

/* Evidence level of an indicator as a number: 1 declared, 2 measured,
 * 3 independent (an independent level without evaluator and report_url
 * counts as 1), 0 when absent. */
int impact_evidence(const json_t *indicator);
bool impact_is_public(const json_t *indicator);

/* What the label decision takes besides the doc. */
struct impact_review {
	bool published;            /* record state */
	const char *reviewed_hash; /* hash of the public indicators at the curator's review, or NULL */
	const char *override;      /* NULL, "granted" or "withdrawn" */
};

/* One unmet rule: stable code and French explanation. */
struct impact_missing {
	const char *code;
	char message[200];
};

struct impact_result {
	bool awarded;        /* the label, after any exception */
	bool rules_met;      /* the rules alone */
	const char *basis;   /* "rules", "granted" or "withdrawn" */
	int best_indicator;  /* index in doc.indicators of the indicator that
	                        meets (or comes closest to) rules 1-5, or -1 */
	int evidence;        /* highest evidence level of a public impact
	                        indicator with a baseline and a result (0-3) */
	int score;           /* strength of evidence for sorting (higher first) */
	struct impact_missing missing[10];
	int nmissing;
};

/* Hash of the public indicators of doc (16 hex digits + NUL). */
void impact_hash(const json_t *doc, char out[17]);

void impact_eval(const json_t *doc, const struct impact_review *rv, struct impact_result *out);

/* French label of an evidence level number (1-3), "" for 0. */
const char *impact_evidence_label(int level);

#endif
