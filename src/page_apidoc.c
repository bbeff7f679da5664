/*
 * page_apidoc.c — GET /api/documentation (stub, filled below).
 */
#include "pages.h"
#include "openapi.h"

int page_apidoc(struct req *r)
{
	html_begin(r, "Documentation de l'API");
	html_end(r);
	return 0;
}
