/*
 * jsonw.h — our small JSON writer (jansson is used only for parsing).
 *
 * Design notes
 * - Writes into a caller-owned buf_t; keeps only a nesting stack, so commas
 *   are placed automatically. Keys and strings go through buf_json_str(),
 *   the one JSON string encoder (escapes <, >, & too: JSON is inert in HTML).
 * - Misuse (a value without a key inside an object, unbalanced ends, more
 *   than JSONW_MAX_DEPTH levels) is a programming error and aborts.
 * - jw_raw() inserts a pre-rendered JSON value (for instance a record's
 *   cached representation); only for JSON this program produced.
 */
#ifndef IAT_JSONW_H
#define IAT_JSONW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

#define JSONW_MAX_DEPTH 32

typedef struct jsonw {
	buf_t *b;
	int depth;
	/* per level: 0 = nothing written yet, 1 = need comma; bit 2 = object,
	 * bit 3 = key just written */
	unsigned char st[JSONW_MAX_DEPTH];
} jsonw_t;

void jw_init(jsonw_t *w, buf_t *b);
void jw_obj(jsonw_t *w);
void jw_obj_end(jsonw_t *w);
void jw_arr(jsonw_t *w);
void jw_arr_end(jsonw_t *w);
void jw_key(jsonw_t *w, const char *key);
void jw_str(jsonw_t *w, const char *s);  /* NULL writes null */
void jw_strn(jsonw_t *w, const char *s, size_t len);
void jw_int(jsonw_t *w, int64_t v);
void jw_num(jsonw_t *w, double v);       /* non-finite writes null */
void jw_bool(jsonw_t *w, bool v);
void jw_null(jsonw_t *w);
void jw_raw(jsonw_t *w, const char *json, size_t len);
/* Write a jansson value through this writer (same escaping rules). */
void jw_jansson(jsonw_t *w, const json_t *v);

/* key + value shorthands */
void jw_kstr(jsonw_t *w, const char *key, const char *s);
void jw_kint(jsonw_t *w, const char *key, int64_t v);
void jw_kbool(jsonw_t *w, const char *key, bool v);
void jw_knull(jsonw_t *w, const char *key);

#endif
