/*
 * assets.h — files embedded in the binary at build time by tools/embed.c:
 * everything in static/ (served under /static/) and src/sql/NNN_*.sql (the
 * numbered migrations). The table is sorted by file name.
 */
#ifndef IAT_ASSETS_H
#define IAT_ASSETS_H

#include <stddef.h>

struct asset {
	const char *name;  /* base name, e.g. "iat.css" or "001_init.sql" */
	const char *data;  /* NUL-terminated */
	size_t len;        /* without the NUL */
};

extern const struct asset assets[];
extern const size_t assets_count;

/* Find an embedded file by base name; NULL if absent. */
const struct asset *asset_find(const char *name);

#endif
