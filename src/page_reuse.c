/*
 * page_reuse.c — reuse between territories on the record page (origin,
 * reuses, lineage, reuse kit) and the pages to declare a reuse.
 *
 * Design notes
 * - Being written (issue 5).
 */
#include "pages.h"
#include "store.h"

void reuse_origin_note(struct req *r, const struct uc_full *u)
{
	(void)r;
	(void)u;
}

void reuse_section(struct req *r, const struct uc_full *u, const json_t *doc)
{
	(void)r;
	(void)u;
	(void)doc;
}
