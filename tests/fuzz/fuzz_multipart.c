/*
 * fuzz_multipart.c — libFuzzer target: multipart/form-data bodies (the
 * curators' import page, routes flagged R_UPLOAD).
 *
 * Input: "BOUNDARY\nBODY". The first line goes through multipart_boundary()
 * as the value of a Content-Type header; when it is accepted, the rest is
 * parsed with multipart_parse() as the router does.
 *
 * Properties: a refused body always has a reason; an accepted one has at
 * most MULTIPART_MAX_PARTS parts, each with a non-empty name, its content
 * inside the body, in order and without overlap, and never containing the
 * delimiter "\r\n--BOUNDARY"; names and file names are NUL-terminated
 * within their arrays.
 */
#include <string.h>

#include "fuzz.h"
#include "multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	if (!nl || nl - s > 200) return 0;
	char ct[256];
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%.*s", (int)(nl - s), s);
	char boundary[80];
	if (multipart_boundary(ct, boundary, sizeof boundary) < 0) return 0;
	FUZZ_CHECK(strlen(boundary) >= 1 && strlen(boundary) <= 70);
	const char *body = nl + 1;
	size_t len = size - (size_t)(body - s);
	struct mpart parts[MULTIPART_MAX_PARTS];
	const char *err = NULL;
	int n = multipart_parse(body, len, boundary, parts, MULTIPART_MAX_PARTS, &err);
	if (n < 0) {
		FUZZ_CHECK(err && *err);
		return 0;
	}
	FUZZ_CHECK(n <= MULTIPART_MAX_PARTS);
	char delim[80];
	snprintf(delim, sizeof delim, "\r\n--%s", boundary);
	size_t dlen = strlen(delim);
	const char *prev_end = body;
	for (int i = 0; i < n; i++) {
		const struct mpart *p = &parts[i];
		FUZZ_CHECK(memchr(p->name, 0, sizeof p->name) && p->name[0]);
		FUZZ_CHECK(memchr(p->filename, 0, sizeof p->filename));
		FUZZ_CHECK(p->data >= prev_end && p->data + p->len <= body + len);
		for (size_t k = 0; k + dlen <= p->len; k++) FUZZ_CHECK(memcmp(p->data + k, delim, dlen) != 0);
		prev_end = p->data + p->len;
	}
	return 0;
}
