/*
 * fuzz_csv.c — libFuzzer target: CSV import (csv.h reader and the
 * Interconnectés importer).
 *
 * The input is a CSV file. The reader runs on it three times (separator
 * detected, forced ',' and forced ';'); then, when the input is at most
 * 64 KiB, the importer runs on it as `iat import interconnectes --dry-run`
 * would, against an in-memory database with the migrations and the
 * organisations of tests/fixtures/orgs-mini loaded once at start-up.
 * The dry run rolls back, so every input starts from the same state.
 *
 * Properties, reader: fields are valid UTF-8 C strings no longer than the
 * input; record lines never go back; an error has a message and a
 * position and is final; the records read, written back quoted and read
 * again, come out the same (the reader and a correct writer agree).
 * Importer: 0 without a message, or -1 with a one-line, valid UTF-8
 * message; a dry run leaves no record and no organisation behind.
 */
#include <stdbool.h>
#include <unistd.h>

#include "csv.h"
#include "fuzz.h"
#include "importer.h"
#include "org.h"
#include "text.h"

#ifndef IAT_FUZZ_SOURCE_DIR
#define IAT_FUZZ_SOURCE_DIR "."
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db_t *db;
static char csv_path[64];
static int64_t n_orgs;

static int64_t count(const char *sql)
{
	int64_t n = -1;
	FUZZ_CHECK(db_one_int(db_stmt(db, sql), &n) == 1);
	return n;
}

static void cleanup(void)
{
	unlink(csv_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_ERROR);
	db = fuzz_db(NULL);
	const char *src = getenv("IAT_SOURCE_DIR");
	char *dir = xasprintf("%s/tests/fixtures/orgs-mini", src && *src ? src : IAT_FUZZ_SOURCE_DIR);
	struct org_load_stats s;
	char *err = NULL;
	if (org_load_reference(db, dir, false, &s, &err) < 0) {
		fprintf(stderr, "fuzz: org_load_reference %s: %s\n", dir, err);
		abort();
	}
	free(dir);
	n_orgs = count("SELECT count(*) FROM organisation");
	snprintf(csv_path, sizeof csv_path, "/tmp/iat-fuzz-csv-XXXXXX");
	int fd = mkstemp(csv_path);
	FUZZ_CHECK(fd >= 0);
	close(fd);
	atexit(cleanup);
	return 0;
}

/* One record written back: every field quoted, quotes doubled. */
static void write_record(buf_t *out, char **f, size_t n, char delim)
{
	for (size_t i = 0; i < n; i++) {
		if (i) buf_putc(out, delim);
		buf_putc(out, '"');
		for (const char *p = f[i]; *p; p++) {
			if (*p == '"') buf_putc(out, '"');
			buf_putc(out, *p);
		}
		buf_putc(out, '"');
	}
	buf_puts(out, "\r\n");
}

/* Read data with delim; returns the records written back into out (when
 * not NULL) and the number of records read before the end or the error. */
static int read_all(const char *data, size_t size, char delim, buf_t *out, bool *failed)
{
	csv_reader *r = csv_open(data, size, delim);
	char d = csv_delim(r);
	FUZZ_CHECK(d == ',' || d == ';');
	FUZZ_CHECK(delim == 0 || d == delim);
	char **f;
	size_t n;
	int rc, records = 0, last_line = 0;
	while ((rc = csv_next(r, &f, &n)) == 1) {
		records++;
		FUZZ_CHECK(n >= 1);
		int line = csv_record_line(r);
		FUZZ_CHECK(line >= 1 && line >= last_line);
		last_line = line;
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(f[i]);
			FUZZ_CHECK(l <= size);
			FUZZ_CHECK(text_utf8_valid(f[i], l));
		}
		if (out) write_record(out, f, n, d);
	}
	*failed = rc < 0;
	if (rc < 0) {
		const struct csv_error *e = csv_error(r);
		FUZZ_CHECK(e->message && *e->message);
		FUZZ_CHECK(e->line >= 1 && e->field >= 1 && e->column >= 1);
		FUZZ_CHECK(csv_next(r, &f, &n) == -1);
	} else {
		FUZZ_CHECK(csv_next(r, &f, &n) == 0);
	}
	csv_close(r);
	return records;
}

static void check_reader(const char *data, size_t size, char delim)
{
	buf_t out = BUF_INIT, again = BUF_INIT;
	bool failed, failed2;
	int n = read_all(data, size, delim, &out, &failed);
	if (failed) {
		buf_free(&out);
		return;
	}
	char d;
	{
		csv_reader *r = csv_open(data, size, delim);
		d = csv_delim(r);
		csv_close(r);
	}
	int n2 = read_all(out.data ? out.data : "", out.len, d, &again, &failed2);
	FUZZ_CHECK(!failed2);
	FUZZ_CHECK(n2 == n);
	FUZZ_CHECK(out.len == again.len && (out.len == 0 || memcmp(out.data, again.data, out.len) == 0));
	buf_free(&out);
	buf_free(&again);
}

static void no_warn(void *ctx, const char *msg)
{
	FUZZ_CHECK(msg && text_utf8_valid(msg, strlen(msg)) && !strchr(msg, '\n'));
}

static void check_import(const uint8_t *data, size_t size)
{
	FILE *f = fopen(csv_path, "wb");
	FUZZ_CHECK(f);
	FUZZ_CHECK(fwrite(data, 1, size, f) == size || size == 0);
	FUZZ_CHECK(fclose(f) == 0);
	struct import_opts o = { .dry_run = true, .warn = no_warn };
	struct import_stats st;
	char *err = NULL;
	int rc = import_interconnectes(db, csv_path, &o, &st, &err);
	if (rc == 0) {
		FUZZ_CHECK(err == NULL);
		FUZZ_CHECK(st.rows == st.created + st.updated + st.unchanged + st.rejected);
	} else {
		FUZZ_CHECK(rc == -1 && err && *err);
		FUZZ_CHECK(text_utf8_valid(err, strlen(err)));
		FUZZ_CHECK(!strchr(err, '\n'));
	}
	/* every rejected row has its reason, one French line naming the line */
	FUZZ_CHECK((size_t)st.rejected == st.nrejects);
	for (size_t i = 0; i < st.nrejects; i++) {
		const char *why = st.rejects[i].reason;
		FUZZ_CHECK(why && *why && text_utf8_valid(why, strlen(why)) && !strchr(why, '\n'));
		FUZZ_CHECK(strncmp(why, "ligne ", 6) == 0);
	}
	import_stats_free(&st);
	free(err);
	FUZZ_CHECK(count("SELECT count(*) FROM usecase") == 0);
	FUZZ_CHECK(count("SELECT count(*) FROM organisation") == n_orgs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	check_reader(s, size, 0);
	check_reader(s, size, ',');
	check_reader(s, size, ';');
	if (size <= 64 * 1024) check_import(data, size);
	return 0;
}
