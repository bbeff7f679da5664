/*
 * router.h — the routing table and the dispatcher.
 *
 * Design notes
 * - One readable array (router.c) maps {method, path pattern} to a handler
 *   with the capability it requires and flags. "{}" in a pattern captures
 *   one path segment (percent-decoded) into r->args.
 * - The dispatcher checks centrally, before any handler runs: the query
 *   string is well-formed, the method is allowed (405 + Allow otherwise),
 *   the bearer token is valid when one is given (401), the capability
 *   (401/403), the body size (413), the content type of JSON bodies (415),
 *   CSRF on form posts (flag R_FORM), and the per-account write rate (429).
 * - Who is asking: an API route trusts only a bearer token, never the
 *   session cookie (so a browser's cookie cannot authorise an API call);
 *   a page trusts the session cookie (session.h), or a bearer token when a
 *   script sends one (a browser never sends it on its own).
 * - Pages that need an account redirect anonymous visitors to
 *   /connexion?retour=PATH (303); a signed-in account without the
 *   capability gets a 403 page.
 *   A handler therefore cannot forget any of these.
 * - Handlers return 0; they set r->status/r->out through api_*() or
 *   page_*() helpers.
 */
#ifndef IAT_ROUTER_H
#define IAT_ROUTER_H

#include "http.h"

typedef int (*handler_fn)(struct req *r);

/* capabilities */
#define CAP_NONE 0u
#define CAP_AUTH 1u    /* an authenticated account (API token) */
#define CAP_USER 2u    /* a signed-in account (web session); else a redirection to /connexion */
#define CAP_CURATOR 4u /* a curator or an admin */
#define CAP_ADMIN 8u   /* an admin */

/* flags */
#define R_API 1u        /* JSON errors, API envelope */
#define R_CORS 2u       /* public GET: Access-Control-Allow-Origin: * */
#define R_JSON_BODY 4u  /* requires Content-Type: application/json */
#define R_WRITE 8u      /* counts against the write rate limit */
#define R_FORM 16u      /* HTML form post: urlencoded body parsed into r->form, CSRF token required */
#define R_UPLOAD 64u    /* with R_FORM: the form is multipart/form-data with one file (r->upload),
                           body up to HTTP_MAX_UPLOAD instead of HTTP_MAX_BODY */
#define R_READ 32u      /* read-only handler: runs in one read transaction (one WAL read lock
                           for all its statements instead of one per statement) */

struct route {
	const char *method;
	const char *pattern;
	handler_fn handler;
	unsigned caps;
	unsigned flags;
	const char *params;   /* allowed query parameters, space-separated */
};

/* The largest body the route of (method, path) accepts: HTTP_MAX_UPLOAD
 * for R_UPLOAD routes, else HTTP_MAX_BODY. Called by the server before it
 * buffers the body. */
size_t router_body_max(const char *method, const char *path);

/* Dispatch r (path, method, params already parsed). Always fills a reply. */
void router_dispatch(struct req *r);

#endif
