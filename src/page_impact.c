/*
 * page_impact.c — the impact part of the record page (badge, indicators,
 * the "impact démontré" label and what it lacks, curator acts) and the
 * pages that edit indicators.
 *
 * Design notes
 * - Being written (issue 5): see impact.h for the model and the rules.
 */
#include "pages.h"
#include "store.h"

void impact_badge(struct req *r, const struct uc_full *u)
{
	(void)r;
	(void)u;
}

void impact_section(struct req *r, const struct uc_full *u, const json_t *doc)
{
	(void)r;
	(void)u;
	(void)doc;
}
