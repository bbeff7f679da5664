/*
 * jsonw.c — see jsonw.h.
 */
#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ST_COMMA 1u
#define ST_OBJ 2u
#define ST_KEY 4u

static void jw_fail(const char *what)
{
	log_error("jsonw: %s", what);
	abort();
}

void jw_init(jsonw_t *w, buf_t *b)
{
	w->b = b;
	w->depth = 0;
	w->st[0] = 0;
}

/* Called before writing any value: emits the comma if needed. */
static void before_value(jsonw_t *w)
{
	unsigned char *s = &w->st[w->depth];
	if (*s & ST_OBJ) {
		if (!(*s & ST_KEY)) jw_fail("value without key in object");
		*s &= (unsigned char)~ST_KEY;
		return;
	}
	if (*s & ST_COMMA) buf_putc(w->b, ',');
	*s |= ST_COMMA;
}

static void push(jsonw_t *w, bool obj)
{
	before_value(w);
	if (w->depth + 1 >= JSONW_MAX_DEPTH) jw_fail("too deep");
	w->depth++;
	w->st[w->depth] = obj ? ST_OBJ : 0;
	buf_putc(w->b, obj ? '{' : '[');
}

static void pop(jsonw_t *w, bool obj)
{
	if (w->depth == 0) jw_fail("unbalanced end");
	if (!!(w->st[w->depth] & ST_OBJ) != obj) jw_fail("mismatched end");
	if (w->st[w->depth] & ST_KEY) jw_fail("key without value");
	w->depth--;
	buf_putc(w->b, obj ? '}' : ']');
}

void jw_obj(jsonw_t *w) { push(w, true); }
void jw_obj_end(jsonw_t *w) { pop(w, true); }
void jw_arr(jsonw_t *w) { push(w, false); }
void jw_arr_end(jsonw_t *w) { pop(w, false); }

void jw_key(jsonw_t *w, const char *key)
{
	unsigned char *s = &w->st[w->depth];
	if (!(*s & ST_OBJ) || (*s & ST_KEY)) jw_fail("key outside object");
	if (*s & ST_COMMA) buf_putc(w->b, ',');
	*s |= ST_COMMA | ST_KEY;
	buf_json_str(w->b, key, strlen(key));
	buf_putc(w->b, ':');
}

void jw_str(jsonw_t *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_strn(jsonw_t *w, const char *s, size_t len)
{
	before_value(w);
	buf_json_str(w->b, s, len);
}

void jw_int(jsonw_t *w, int64_t v)
{
	char tmp[24];
	before_value(w);
	int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
	buf_append(w->b, tmp, (size_t)n);
}

void jw_num(jsonw_t *w, double v)
{
	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	char tmp[32];
	before_value(w);
	int n = snprintf(tmp, sizeof tmp, "%.17g", v);
	/* shortest representation that round-trips */
	for (int prec = 1; prec < 17; prec++) {
		char t2[32];
		int m = snprintf(t2, sizeof t2, "%.*g", prec, v);
		if (strtod(t2, NULL) == v) {
			memcpy(tmp, t2, (size_t)m + 1);
			n = m;
			break;
		}
	}
	buf_append(w->b, tmp, (size_t)n);
}

void jw_bool(jsonw_t *w, bool v)
{
	before_value(w);
	buf_puts(w->b, v ? "true" : "false");
}

void jw_null(jsonw_t *w)
{
	before_value(w);
	buf_puts(w->b, "null");
}

void jw_raw(jsonw_t *w, const char *json, size_t len)
{
	before_value(w);
	buf_append(w->b, json, len);
}

void jw_jansson(jsonw_t *w, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		jw_obj(w);
		json_object_foreach((json_t *)v, k, x) {
			jw_key(w, k);
			jw_jansson(w, x);
		}
		jw_obj_end(w);
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		jw_arr(w);
		json_array_foreach(v, i, x) jw_jansson(w, x);
		jw_arr_end(w);
		break;
	}
	case JSON_STRING: jw_strn(w, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: jw_int(w, (int64_t)json_integer_value(v)); break;
	case JSON_REAL: jw_num(w, json_real_value(v)); break;
	case JSON_TRUE: jw_bool(w, true); break;
	case JSON_FALSE: jw_bool(w, false); break;
	case JSON_NULL: jw_null(w); break;
	}
}

void jw_kstr(jsonw_t *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kint(jsonw_t *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kbool(jsonw_t *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_knull(jsonw_t *w, const char *key)
{
	jw_key(w, key);
	jw_null(w);
}
