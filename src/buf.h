/*
 * buf.h — the one growable text buffer, and the escaping formatter.
 *
 * Design notes
 * - Every reply (HTML or JSON) is built in one buf_t and sent at the end, so
 *   a failure half-way becomes a clean error page (Fossil's one-buffer reply).
 * - buf_t owns its memory. buf_free() releases it; buf_detach() hands the
 *   NUL-terminated string to the caller, who must free() it.
 * - Growth never fails (xrealloc aborts on OOM).
 * - buf_fmt() is the only printf-like call for reply text. Its conversions
 *   escape by context, Fossil-style:
 *       %h   const char *  HTML-escaped text (safe in elements and quoted
 *                          attributes: & < > " ' are escaped); NULL -> ""
 *       %.*h int, const char *  same, first n bytes
 *       %U   const char *  URL component (percent-encoding of everything but
 *                          unreserved characters)
 *       %J   const char *  JSON string, with its quotes (see buf_json_str)
 *       %d   int           %D int64_t        %z size_t
 *       %R   const char *  RAW, unescaped: only for trusted markup produced
 *                          by this program (a loud name on purpose; the lint
 *                          test lists every use)
 *       %%   a percent sign
 *   There is deliberately no %s: an unknown conversion aborts, so data can
 *   never reach a reply unescaped by accident.
 */
#ifndef IAT_BUF_H
#define IAT_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct buf {
	char *data;  /* NULL until the first append; not NUL-terminated unless
	                buf_cstr() was called */
	size_t len;
	size_t cap;
} buf_t;

#define BUF_INIT { NULL, 0, 0 }

void buf_init(buf_t *b);
void buf_free(buf_t *b);
/* Keep the memory, drop the content. */
void buf_reset(buf_t *b);
void buf_reserve(buf_t *b, size_t extra);
void buf_append(buf_t *b, const void *data, size_t len);
/* Raw append of a trusted literal or already-escaped text. */
void buf_puts(buf_t *b, const char *s);
void buf_putc(buf_t *b, char c);
/* Escaping appenders (the same as %h, %U, %J). */
void buf_html(buf_t *b, const char *s, size_t len);
void buf_url(buf_t *b, const char *s, size_t len);
/* JSON string with quotes. Escapes ", \, control characters, and also <, >,
 * & and U+2028/U+2029 as \uXXXX so JSON is inert inside HTML. Invalid UTF-8
 * sequences become U+FFFD. */
void buf_json_str(buf_t *b, const char *s, size_t len);
void buf_fmt(buf_t *b, const char *fmt, ...);
void buf_vfmt(buf_t *b, const char *fmt, va_list ap);
/* Ensure a terminating NUL (not counted in len) and return data. */
const char *buf_cstr(buf_t *b);
/* Return the NUL-terminated content (caller frees) and reset b to empty. */
char *buf_detach(buf_t *b);

#endif
