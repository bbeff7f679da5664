/*
 * http.h — the request/response model shared by the server, the router
 * and every handler.
 *
 * Design notes
 * - One struct req per HTTP request, allocated by server.c when MHD first
 *   sees the request and freed when the response has been sent. Everything
 *   the request allocates hangs off it (req_strdup() strings are freed with
 *   it), so handlers never free what they got from the request.
 * - Handlers write the whole reply into r->out (one buffer) and set
 *   r->status and r->content_type; server.c sends it at the end and adds the
 *   common headers (security headers, ETag on GET 200, CORS when the route
 *   allows it). A failure half-way is turned into a clean error reply by
 *   resetting r->out.
 * - The query string is parsed by us from the raw URI (strict: bad
 *   percent-escapes, invalid UTF-8 and control characters are rejected with
 *   400 before any handler runs).
 */
#ifndef IAT_HTTP_H
#define IAT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "buf.h"
#include "db.h"

#define HTTP_MAX_BODY (1 << 20)   /* 1 MiB: larger bodies get 413 */
#define HTTP_MAX_PARAMS 64
#define HTTP_MAX_ROUTE_ARGS 4

struct qparam {
	char *name;
	char *value;
};

struct server;

struct req {
	struct server *srv;
	void *conn;              /* struct MHD_Connection * */
	char method[8];          /* GET, POST, PATCH, ... (HEAD is served as GET) */
	bool head;
	char *raw_uri;           /* as received */
	char *path;              /* percent-decoded path, without query */
	struct qparam params[HTTP_MAX_PARAMS];
	int nparams;
	char *bad_query;         /* set when the query string is malformed: the parameter at fault */
	buf_t body;
	bool body_too_large;
	bool started;
	db_t *db;                /* this thread's connection */
	struct viewer viewer;
	const char *args[HTTP_MAX_ROUTE_ARGS];   /* captured {} path segments (decoded) */
	int nargs;
	uint64_t t0;
	/* response */
	int status;
	const char *content_type;
	buf_t out;
	char *extra_headers[8];  /* "Name: value" heap strings */
	int nextra;
	bool cors;               /* route allows CORS for this reply */
	bool no_etag;
	/* memory owned by the request */
	char **owned;
	size_t nowned, capowned;
};

/* Value of query parameter name (first occurrence) or NULL. */
const char *req_param(const struct req *r, const char *name);
/* Request header value or NULL. */
const char *req_header(struct req *r, const char *name);
/* Copy s into memory owned by the request. */
char *req_strdup(struct req *r, const char *s);
void req_own(struct req *r, char *heap);
/* Add a response header (copied). */
void req_add_header(struct req *r, const char *name, const char *value);
/* Client address as text (for logs and rate limits). */
void req_client_addr(struct req *r, char *out, size_t outsz);

/* Percent-decode s[0..len) ('+' as space when plus_space). Returns a heap
 * string, or NULL on a malformed escape, invalid UTF-8 or a control
 * character. */
char *http_decode(const char *s, size_t len, bool plus_space);

/* ==== Server ==== */

struct server_config {
	const char *db_path;
	const char *listen;   /* HOST:PORT, [V6]:PORT */
	int threads;
	int write_rate;       /* API writes per minute per account (0: unlimited) */
	bool quiet;
};

/* Run the server until SIGINT/SIGTERM. Returns 0, or -1 with a message. */
int server_run(const struct server_config *cfg);

/* Per-account write rate limit: true if the write may go ahead. */
bool server_rate_ok(struct server *s, int64_t user_id, int *retry_after);

#endif
