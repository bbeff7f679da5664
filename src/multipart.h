/*
 * multipart.h — a strict parser of multipart/form-data bodies (RFC 7578),
 * for the one form that uploads a file: the curators' import page.
 *
 * Design notes
 * - Pure: it works on the body in memory (the server buffers it, up to
 *   the route's limit) and hands out pointers into it, so nothing is
 *   copied; the caller copies what it keeps.
 * - Strict: a missing or malformed boundary, a part without its
 *   Content-Disposition "form-data; name=...", headers longer than 8 KiB,
 *   more than 64 parts or a body without its closing delimiter are errors
 *   with a French reason. Quoted names follow the HTML standard's
 *   encoding (browsers send '"' as %22, CR and LF as %0D %0A; they are
 *   decoded back).
 */
#ifndef IAT_MULTIPART_H
#define IAT_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#define MULTIPART_MAX_PARTS 64

struct mpart {
	char name[128];       /* the field name */
	char filename[256];   /* the file name as sent (may be ""), for a file part */
	bool is_file;         /* the part had a filename parameter */
	const char *data;     /* the content, inside the body */
	size_t len;
};

/* The boundary of a Content-Type "multipart/form-data; boundary=...",
 * into out (at most 70 characters, RFC 2046). 0, or -1 when the header is
 * not multipart/form-data or its boundary is missing or invalid. */
int multipart_boundary(const char *content_type, char *out, size_t outsz);

/* Parse body into parts (at most max). Returns the number of parts, or -1
 * with a static French reason in *err. */
int multipart_parse(const char *body, size_t len, const char *boundary, struct mpart *parts, int max,
                    const char **err);

#endif
