/*
 * page_similar.c — "similar records" on the record page.
 *
 * Design notes
 * - Being written (issue 5).
 */
#include "pages.h"
#include "store.h"

void similar_section(struct req *r, const struct uc_full *u)
{
	(void)r;
	(void)u;
}
