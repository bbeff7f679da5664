/*
 * fuzz.h — helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * Design notes
 * - Header-only (static inline): each target stays one translation unit,
 *   linked against libiatfuzz.a (the project's sources built by clang with
 *   coverage, ASan and UBSan; see tests/fuzz/CMakeLists.txt).
 * - FUZZ_CHECK() states a property the code under test must keep for every
 *   input; a violation prints the condition and abort()s, which libFuzzer
 *   reports as a crash and saves the input.
 * - Databases: fuzz_db() opens a private SQLite database with the
 *   migrations applied (in memory unless a path is given); targets open it
 *   once, in LLVMFuzzerInitialize, not per input.
 */
#ifndef IAT_FUZZ_H
#define IAT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "util.h"

#define FUZZ_CHECK(cond)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz: property violated at %s:%d: %s\n", __FILE__, \
			        __LINE__, #cond);                                         \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* A NUL-terminated heap copy of data[0..size) (embedded NULs kept). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);
	if (size) memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/* Open path (":memory:" when NULL) and apply the migrations; aborts on
 * failure (a broken set-up is not a finding). */
static inline db_t *fuzz_db(const char *path)
{
	char *err = NULL;
	db_t *db = db_open(path ? path : ":memory:", DB_CREATE, &err);
	if (!db) {
		fprintf(stderr, "fuzz: db_open: %s\n", err ? err : "?");
		abort();
	}
	if (db_migrate(db) < 0) {
		fprintf(stderr, "fuzz: db_migrate failed\n");
		abort();
	}
	return db;
}

/* true if s[0..len) has no byte below 0x20 (except those allowed in
 * allow), and no DEL. */
static inline int fuzz_no_controls(const char *s, size_t len, const char *allow)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(c && strchr(allow, c))) || c == 0x7f) return 0;
	}
	return 1;
}

#endif
