/*
 * fuzz_url.c — libFuzzer target: the request URI as server.c reads it.
 *
 * The input is a raw URI "PATH?QUERY" (as MHD hands it over, but possibly
 * with NUL bytes: they must be rejected like any control character). The
 * path goes through http_decode() (no '+' for space), the query through
 * http_parse_pairs() in query mode, and every value through
 * http_local_path_ok() (the ?retour= check).
 *
 * Properties: a decoded string is valid UTF-8 without control characters
 * and never longer than its source; the splitter returns either pairs
 * with non-empty names and no error, or -1 with the faulty name; a value
 * accepted as a local return path starts with one '/', not "//" nor "/\",
 * and is printable ASCII.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "http.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_decoded(const char *d, size_t srclen)
{
	size_t n = strlen(d);
	FUZZ_CHECK(n <= srclen);
	FUZZ_CHECK(text_utf8_valid(d, n));
	FUZZ_CHECK(fuzz_no_controls(d, n, ""));
	FUZZ_CHECK(!text_has_control(d, n));
}

static void check_local_path(const char *v)
{
	if (!http_local_path_ok(v)) return;
	size_t n = strlen(v);
	FUZZ_CHECK(n >= 1 && n <= 512 && v[0] == '/');
	FUZZ_CHECK(n < 2 || (v[1] != '/' && v[1] != '\\'));
	for (size_t i = 0; i < n; i++) FUZZ_CHECK(v[i] > 0x20 && v[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *q = memchr(s, '?', size);
	size_t plen = q ? (size_t)(q - s) : size;

	char *path = http_decode(s, plen, false);
	if (path) {
		check_decoded(path, plen);
		check_local_path(path);
		free(path);
	}
	if (!q) return 0;

	struct qparam params[HTTP_MAX_PARAMS];
	char *bad = NULL;
	size_t qlen = size - plen - 1;
	int n = http_parse_pairs(q + 1, qlen, params, HTTP_MAX_PARAMS, false, &bad);
	if (n < 0) {
		FUZZ_CHECK(bad != NULL && *bad);
		free(bad);
		return 0;
	}
	FUZZ_CHECK(bad == NULL);
	FUZZ_CHECK(n <= HTTP_MAX_PARAMS);
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(params[i].name[0] != 0);
		check_decoded(params[i].name, qlen);
		check_decoded(params[i].value, qlen);
		check_local_path(params[i].value);
		free(params[i].name);
		free(params[i].value);
	}
	return 0;
}
