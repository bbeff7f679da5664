/*
 * util.h — allocation wrappers, logging and small helpers shared by every
 * module.
 *
 * Design notes
 * - Out of memory is not an error we recover from: xmalloc() and friends
 *   abort the process with a message (one allocation wrapper, as in kore and
 *   Fossil). Callers therefore never check their result.
 * - Functions in this project return 0 on success and a negative code on
 *   failure unless their comment says otherwise; they clean up with
 *   `goto out`.
 * - log_*() write one line to stderr with a timestamp and level; they are
 *   thread-safe (one write(2) per line).
 */
#ifndef IAT_UTIL_H
#define IAT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED(x) ((void)(x))

#if defined(__GNUC__)
#define IAT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define IAT_NORETURN __attribute__((noreturn))
#else
#define IAT_PRINTF(f, a)
#define IAT_NORETURN
#endif

/* Allocate; abort on failure. Never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string (caller frees). */
char *xasprintf(const char *fmt, ...) IAT_PRINTF(1, 2);
/* The same with a va_list (messages built by callers with their own prefix). */
char *xvasprintf(const char *fmt, va_list ap) IAT_PRINTF(1, 0);

/* Print "iat: <message>" to stderr and exit(1). For CLI misuse and
 * unrecoverable environment errors. */
IAT_NORETURN void die(const char *fmt, ...) IAT_PRINTF(1, 2);

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
/* Minimum level printed; set once at start-up (not thread-safe to change). */
void log_set_level(enum log_level lvl);
void log_msg(enum log_level lvl, const char *fmt, ...) IAT_PRINTF(2, 3);
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Read a whole file into a NUL-terminated heap buffer. Returns NULL and sets
 * errno on failure; *len receives the size without the NUL. */
char *read_file(const char *path, size_t *len);

/* Current time: seconds since the epoch, and an ISO 8601 UTC string
 * "YYYY-MM-DDTHH:MM:SSZ" written into out (at least 21 bytes). */
int64_t now_unix(void);
void iso8601_utc(int64_t t, char out[21]);
/* Monotonic clock in nanoseconds, for measurements. */
uint64_t mono_ns(void);

/* Parse a decimal integer in [min,max] from the whole string s (no sign
 * other than a leading '-', no spaces). Returns 0 and sets *out, or -1. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* 64-bit FNV-1a hash, used for ETags and cache keys (not for security). */
uint64_t hash64(const void *data, size_t len);

/* true when s starts with prefix */
bool str_starts(const char *s, const char *prefix);
/* ASCII-only case-insensitive equality. */
bool str_ieq(const char *a, const char *b);

#endif
