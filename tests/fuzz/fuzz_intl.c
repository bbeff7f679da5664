/*
 * fuzz_intl.c — libFuzzer target: the imports of the registers abroad
 * (import_intl.c) and the helpers they share (intl.c).
 *
 * The first byte of the input chooses the format (modulo 3:
 * nl-algoritmeregister, uk-atrs, eu-pstw), the rest is the file. Files of
 * at most 64 KiB are imported as `iat import FORMAT --dry-run` would (one
 * run with --skip-invalid, one without) into an in-memory database with
 * the migrations, opened once; the dry run rolls back, so every input
 * starts from the same empty state. The helpers run on the whole input
 * as a C string.
 *
 * Properties, importer: 0 without a message, or -1 with a one-line, valid
 * UTF-8 message; every reason of a rejected record is one line of valid
 * UTF-8 naming the record ("enregistrement N" or "ligne N"); the counts
 * add up (created + updated + unchanged + rejected = rows); nothing is
 * left in the database. Helpers: a URL found is http(s), has no white
 * space, quote or angle bracket, and is part of the input; a date is
 * YYYY, YYYY-MM or YYYY-MM-DD; a status is one of the vocabulary's codes.
 */
#include <stdbool.h>
#include <strings.h>
#include <unistd.h>

#include "fuzz.h"
#include "import_intl.h"
#include "intl.h"
#include "text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db_t *db;
static char path[64];

static void cleanup(void)
{
	unlink(path);
}

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	FUZZ_CHECK(text_utf8_valid(msg, strlen(msg)));
	FUZZ_CHECK(!strchr(msg, '\n'));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_ERROR);
	db = fuzz_db(NULL);
	snprintf(path, sizeof path, "/tmp/iat-fuzz-intl-XXXXXX");
	int fd = mkstemp(path);
	FUZZ_CHECK(fd >= 0);
	close(fd);
	atexit(cleanup);
	return 0;
}

static void check_message(const char *m)
{
	FUZZ_CHECK(m && *m);
	FUZZ_CHECK(text_utf8_valid(m, strlen(m)));
	FUZZ_CHECK(!strchr(m, '\n'));
}

static void check_helpers(const char *s)
{
	char *u = intl_first_url(s);
	if (u) {
		FUZZ_CHECK(strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0);
		for (const unsigned char *p = (const unsigned char *)u; *p; p++)
			FUZZ_CHECK(*p > ' ' && *p != '"' && *p != '<' && *p != '>' && *p != 0x7F);
		FUZZ_CHECK(strstr(s, u) != NULL);
		char *slug = intl_url_slug(u);
		if (slug) FUZZ_CHECK(*slug && !strchr(slug, '/'));
		free(slug);
		free(u);
	}
	char d[11];
	if (intl_date(s, d) == 0) {
		size_t n = strlen(d);
		FUZZ_CHECK(n == 4 || n == 7 || n == 10);
	}
	FUZZ_CHECK(intl_status_label(intl_status_code(s)) != NULL);
	const char *cc = intl_country_code(s);
	if (cc) FUZZ_CHECK(intl_country_label(cc) != NULL);
	(void)intl_is_placeholder(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0) return 0;
	char *s = fuzz_cstr(data + 1, size - 1);
	check_helpers(s);
	free(s);
	if (size - 1 > 64 * 1024) return 0;

	FILE *f = fopen(path, "wb");
	FUZZ_CHECK(f);
	FUZZ_CHECK(fwrite(data + 1, 1, size - 1, f) == size - 1);
	fclose(f);
	static const import_fn fns[] = { import_nl_algoritmeregister, import_uk_atrs, import_eu_pstw };
	import_fn fn = fns[data[0] % 3];
	for (int skip = 0; skip < 2; skip++) {
		struct import_opts o = { 0 };
		o.dry_run = true;
		o.skip_invalid = skip;
		o.warn = quiet;
		struct import_stats st;
		char *err = NULL;
		int rc = fn(db, path, &o, &st, &err);
		FUZZ_CHECK(rc == 0 || rc == -1);
		if (rc == 0) FUZZ_CHECK(err == NULL);
		else check_message(err);
		free(err);
		FUZZ_CHECK(st.rejected == (int)st.nrejects);
		if (rc == 0) FUZZ_CHECK(st.created + st.updated + st.unchanged + st.rejected == st.rows);
		for (size_t i = 0; i < st.nrejects; i++) {
			check_message(st.rejects[i].reason);
			FUZZ_CHECK(strncmp(st.rejects[i].reason, "enregistrement ", 15) == 0 ||
			           strncmp(st.rejects[i].reason, "ligne ", 6) == 0);
		}
		import_stats_free(&st);
		int64_t n = -1;
		FUZZ_CHECK(db_one_int(db_stmt(db, "SELECT count(*) FROM intl_ref"), &n) == 1);
		FUZZ_CHECK(n == 0);
	}
	return 0;
}
