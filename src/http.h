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
#define HTTP_MAX_UPLOAD (32 << 20) /* 32 MiB: routes flagged R_UPLOAD (file uploads) */
#define HTTP_MAX_PARAMS 64
#define HTTP_MAX_ROUTE_ARGS 4
#define HTTP_MAX_FORM 256         /* fields of one form post */

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
	size_t body_max;         /* HTTP_MAX_BODY, or HTTP_MAX_UPLOAD on R_UPLOAD routes */
	bool body_too_large;
	bool started;
	db_t *db;                /* this thread's connection */
	struct viewer viewer;
	const char *args[HTTP_MAX_ROUTE_ARGS];   /* captured {} path segments (decoded) */
	int nargs;
	/* form posts (routes with R_FORM): the decoded fields, in order */
	struct qparam form[HTTP_MAX_FORM];
	int nform;
	/* the file of a multipart form post (routes with R_UPLOAD): its content
	 * points into r->body (bytes as sent, not checked) */
	struct {
		bool present;
		char field[128];
		char filename[256];  /* as sent by the browser (not trusted: display only) */
		const char *data;
		size_t len;
	} upload;
	/* web sessions (router.c): the session token from the cookie, and the
	 * CSRF token forms must carry (the session's, or the visitor's
	 * double-submit cookie); empty until req_csrf() makes one */
	const char *session_token;
	char csrf[48];
	bool https;              /* served over https (base URL or trusted proxy) */
	uint64_t t0;
	/* response */
	int status;
	const char *content_type;
	buf_t out;
	char *extra_headers[12]; /* "Name\nvalue" heap strings */
	int nextra;
	bool cors;               /* route allows CORS for this reply */
	bool no_etag;
	/* streamed reply (issue 6, the record exports): when stream_read is
	 * set, the body is produced by stream_read() as the client takes it
	 * (r->out is ignored, no ETag, chunked encoding); stream_free(ctx) is
	 * called once, when the reply is done or abandoned. Both run on the
	 * worker thread that owns the connection (so r->db may be used, between
	 * statements only). stream_read returns the number of bytes written
	 * into buf (1..max), REQ_STREAM_END or REQ_STREAM_ERROR. */
	long (*stream_read)(void *ctx, char *buf, size_t max);
	void (*stream_free)(void *ctx);
	void *stream_ctx;
	/* memory owned by the request */
	char **owned;
	size_t nowned, capowned;
};

#define REQ_STREAM_END (-1L)
#define REQ_STREAM_ERROR (-2L)

/* A 200 reply streamed in batches, as a download (Content-Disposition:
 * attachment; filename="..."), without ETag: fill(ctx, out) appends the
 * next batch to out and returns 1 (more to come), 0 (that was the last)
 * or -1 (a database error: the transfer is cut); the server hands the
 * bytes to the client as it takes them. free_ctx(ctx) runs once at the
 * end. Used by the record and history exports. */
typedef int (*req_fill_fn)(void *ctx, buf_t *out);
void req_stream_batches(struct req *r, const char *content_type, const char *filename, req_fill_fn fill,
                        void (*free_ctx)(void *), void *ctx);

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

/* Value of form field name (first occurrence) or NULL. Form values keep
 * their line breaks (normalised to \n); they are valid UTF-8 without other
 * control characters (the router rejected the post otherwise). */
const char *req_form(const struct req *r, const char *name);
/* Parse a multipart/form-data body (R_UPLOAD routes): text fields into
 * r->form (checked like urlencoded ones), the one file into r->upload.
 * 0, or -1 with a French reason in *bad (heap). */
int http_parse_multipart(struct req *r, char **bad);
/* Every value of a repeated form field (checkboxes, multiple selects):
 * up to max pointers into vals; returns the number found. */
int req_form_all(const struct req *r, const char *name, const char **vals, int max);
/* Cookie value or NULL. */
const char *req_cookie(struct req *r, const char *name);
/* Set a cookie: HttpOnly, SameSite=Lax, Path=/, Secure over https.
 * max_age < 0: a session cookie; 0: delete it. value must be a token
 * (letters, digits, '-', '_', '.'). */
void req_set_cookie(struct req *r, const char *name, const char *value, int max_age);
/* The CSRF token to put in this page's forms: the session's when signed
 * in, else the visitor's double-submit cookie (created now if absent). */
const char *req_csrf(struct req *r);
/* A one-time message shown on the next page (a code of html.c's flash
 * table, e.g. "signed-in"): a short-lived cookie, read and cleared by
 * html_begin(). */
void req_flash(struct req *r, const char *code);
/* 303 See Other to a local path (after a form post). */
void req_redirect(struct req *r, const char *location);
/* Is p a safe local return path ("/..." but not "//..." nor "/\...",
 * printable ASCII, at most 512 bytes)? For ?retour= parameters. */
bool http_local_path_ok(const char *p);

/* Parse "a=1&b=2" (a query string, or a urlencoded form body when
 * multiline: values may then hold line breaks, CRLF normalised to \n) into
 * params (at most max; names and values are heap strings, '+' is a space).
 * Returns the count, or -1 with *bad set to the first faulty name (heap)
 * and nothing left in params. Used by the query and form parsers; public
 * for the fuzz tests (tests/fuzz/fuzz_url.c). */
int http_parse_pairs(const char *q, size_t qlen, struct qparam *params, int max, bool multiline, char **bad);
/* Is v a cookie token we set or accept (letters, digits, '-', '_', '.')? */
bool http_token_ok(const char *v);

/* Parse an application/x-www-form-urlencoded body into r->form. 0, or -1
 * with the name of the faulty field in *bad (heap, or NULL). */
int http_parse_form(struct req *r, char **bad);

/* Throttle an action: at most max events per window seconds for this
 * (scope, key), e.g. ("signin-addr", "192.0.2.1"). true if the event may
 * go ahead (and is counted); otherwise *retry_after seconds. In memory,
 * per process. */
bool server_throttle(struct server *s, const char *scope, const char *key, int max, int window,
                     int *retry_after);
/* Clear a throttle (after a successful sign-in for the account). */
void server_throttle_clear(struct server *s, const char *scope, const char *key);
/* The configured public base URL ("" when none), e.g. for links in
 * messages of the outbox. */
const char *server_base_url(struct server *s);
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
	const char *base_url; /* public address, e.g. https://iat.example.fr (NULL: none) */
	bool quiet;
};

/* Run the server until SIGINT/SIGTERM. Returns 0, or -1 with a message. */
int server_run(const struct server_config *cfg);

/* Per-account write rate limit: true if the write may go ahead. */
bool server_rate_ok(struct server *s, int64_t user_id, int *retry_after);

#endif
