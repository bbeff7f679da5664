/*
 * page_static.c — GET /static/{name}: the files of static/, embedded in the
 * binary at build time (tools/embed.c, assets.h).
 *
 * Design notes
 * - Only names ending in .css, .svg or .js are served, with their type;
 *   everything else is a 404 — in particular the SQL migrations, which
 *   share the embedded table, are never served.
 * - The optional query parameter "v" (a content hash put in links by
 *   html_begin()) only defeats caches; its value is ignored.
 * - The bytes are the asset's, copied into r->out; the server adds the
 *   ETag, nosniff and the cache headers.
 */
#include <string.h>

#include "assets.h"
#include "pages.h"

static const char *type_of(const char *name)
{
	static const char *const map[][2] = {
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".js", "text/javascript; charset=utf-8" },
	};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		size_t e = strlen(map[i][0]);
		if (n > e && memcmp(name + n - e, map[i][0], e) == 0) return map[i][1];
	}
	return NULL;
}

int page_static(struct req *r)
{
	const char *name = r->nargs >= 1 ? r->args[0] : "";
	const char *type = name[0] != '.' ? type_of(name) : NULL;
	const struct asset *a = type ? asset_find(name) : NULL;
	if (!a) {
		page_error(r, 404, "Ce fichier n'existe pas.");
		return 0;
	}
	r->status = 200;
	r->content_type = type;
	buf_append(&r->out, a->data, a->len);
	return 0;
}
