/*
 * server.c — the HTTP server: libmicrohttpd in thread-pool mode, one SQLite
 * connection per worker thread, request life cycle, common headers.
 *
 * Request life cycle
 *   1. MHD calls uri_cb() with the raw URI as soon as the request line is
 *      read: we allocate the struct req (it becomes MHD's *con_cls) and
 *      keep the raw URI, so we parse the path and query ourselves, strictly.
 *   2. access_cb() first call: nothing is queued (Debian's MHD 0.9.75 closes
 *      keep-alive connections when a response is queued on the first call).
 *      Following calls accumulate the body up to HTTP_MAX_BODY (the excess
 *      is discarded and the request marked too large).
 *   3. Last call (no more upload data): router_dispatch() builds the whole
 *      reply in r->out; finish() adds the common headers and queues it.
 *   4. completed_cb() frees the request.
 *
 * Threads: MHD's pool of cfg->threads workers. Each worker lazily opens its
 * own db_t (thread-local); all are registered in the server so they are
 * closed after MHD has stopped. The only shared mutable state is the write
 * rate-limit table, behind a mutex.
 *
 * Shutdown: the main thread waits for SIGINT/SIGTERM with sigwait(), then
 * stops MHD (which finishes in-flight requests) and closes the databases.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "metrics.h"
#include "outbox.h"
#include "router.h"
#include "multipart.h"
#include "session.h"
#include "text.h"
#include "util.h"

#define RATE_SLOTS 1024
#define THROTTLE_SLOTS 4096

struct throttle_slot {
	uint64_t key;      /* hash64 of scope + NUL + key; 0 = empty */
	int64_t start;     /* start of the window (Unix seconds) */
	int count;
};

struct rate_slot {
	int64_t user_id;
	int64_t window;   /* minute number */
	int count;
};

struct server {
	const struct server_config *cfg;
	pthread_mutex_t lock;            /* protects dbs and rate */
	db_t **dbs;
	size_t ndbs, capdbs;
	struct rate_slot rate[RATE_SLOTS];
	struct throttle_slot throttle[THROTTLE_SLOTS];
};

static __thread db_t *tls_db;

/* ==== Request helpers ==== */

const char *req_param(const struct req *r, const char *name)
{
	for (int i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].name, name) == 0) return r->params[i].value;
	return NULL;
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void req_own(struct req *r, char *heap)
{
	if (r->nowned == r->capowned) {
		r->capowned = r->capowned ? r->capowned * 2 : 8;
		r->owned = xrealloc(r->owned, r->capowned * sizeof *r->owned);
	}
	r->owned[r->nowned++] = heap;
}

char *req_strdup(struct req *r, const char *s)
{
	char *p = xstrdup(s);
	req_own(r, p);
	return p;
}

void req_add_header(struct req *r, const char *name, const char *value)
{
	if (r->nextra >= (int)ARRAY_LEN(r->extra_headers)) return;
	r->extra_headers[r->nextra++] = xasprintf("%s\n%s", name, value);
}

/* The peer's address; when the peer is this machine (nginx in front, see
 * doc/deployment.md) and it sends X-Forwarded-For, the last address of
 * that header (the one nginx saw). A remote peer cannot claim another
 * address. */
void req_client_addr(struct req *r, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	out[0] = 0;
	if (!ci || !ci->client_addr) return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)outsz);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)outsz);
	if (strcmp(out, "127.0.0.1") != 0 && strcmp(out, "::1") != 0) return;
	const char *xff = req_header(r, "X-Forwarded-For");
	if (!xff) return;
	const char *last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	while (*last == ' ') last++;
	size_t n = strcspn(last, " ");
	unsigned char tmp[sizeof(struct in6_addr)];
	char addr[INET6_ADDRSTRLEN];
	if (n == 0 || n >= sizeof addr) return;
	memcpy(addr, last, n);
	addr[n] = 0;
	if (inet_pton(AF_INET, addr, tmp) == 1 || inet_pton(AF_INET6, addr, tmp) == 1) snprintf(out, outsz, "%s", addr);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Check decoded text out[0..j) (heap, taken over): multiline values get
 * CRLF and lone CR turned into LF and may keep LF and tab; otherwise no
 * control character at all; valid UTF-8 always. The text, or NULL (freed)
 * when it is not acceptable. */
static char *check_text(char *out, size_t j, bool multiline)
{
	if (multiline) { /* CRLF and lone CR become LF */
		size_t k = 0;
		for (size_t i = 0; i < j; i++) {
			if (out[i] == '\r') {
				out[k++] = '\n';
				if (i + 1 < j && out[i + 1] == '\n') i++;
			} else {
				out[k++] = out[i];
			}
		}
		j = k;
		out[j] = 0;
	}
	if (!text_utf8_valid(out, j)) goto bad;
	for (size_t i = 0; i < j; i++) {
		unsigned char u = (unsigned char)out[i];
		if (multiline && (u == '\n' || u == '\t')) continue;
		if (u < 0x20 || u == 0x7f) goto bad;
	}
	if (text_has_control(out, j)) goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

/* Percent-decode; form values (multiline) may hold \n and \t, with \r\n
 * normalised to \n; nothing else below 0x20. */
static char *decode(const char *s, size_t len, bool plus_space, bool multiline)
{
	char *out = xmalloc(len + 1);
	size_t j = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			int h, l;
			if (i + 2 >= len) goto bad;
			h = hexval(s[i + 1]);
			l = hexval(s[i + 2]);
			if (h < 0 || l < 0) goto bad;
			out[j++] = (char)(h * 16 + l);
			i += 2;
		} else if (c == '+' && plus_space) {
			out[j++] = ' ';
		} else {
			out[j++] = c;
		}
	}
	out[j] = 0;
	return check_text(out, j, multiline);
bad:
	free(out);
	return NULL;
}

char *http_decode(const char *s, size_t len, bool plus_space)
{
	return decode(s, len, plus_space, false);
}

int http_parse_pairs(const char *q, size_t qlen, struct qparam *params, int max, bool multiline, char **bad)
{
	int n = 0;
	const char *end = q + qlen;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		size_t len = amp ? (size_t)(amp - q) : (size_t)(end - q);
		if (len) {
			const char *eq = memchr(q, '=', len);
			size_t nlen = eq ? (size_t)(eq - q) : len;
			char *name = decode(q, nlen, true, false);
			char *value = eq ? decode(eq + 1, len - nlen - 1, true, multiline) : xstrdup("");
			if (!name || !value || !*name || n >= max) {
				/* keep the first problem only; name it when it is readable */
				*bad = xstrdup(name && *name ? name : "(nom illisible ou vide)");
				free(name);
				free(value);
				for (int i = 0; i < n; i++) {
					free(params[i].name);
					free(params[i].value);
				}
				return -1;
			}
			params[n].name = name;
			params[n].value = value;
			n++;
		}
		if (!amp) break;
		q = amp + 1;
	}
	return n;
}

/* Parse the query string into r->params. On error sets r->bad_query. */
static void parse_query(struct req *r, const char *q)
{
	int n = http_parse_pairs(q, strlen(q), r->params, HTTP_MAX_PARAMS, false, &r->bad_query);
	r->nparams = n < 0 ? 0 : n;
}

int http_parse_form(struct req *r, char **bad)
{
	*bad = NULL;
	int n = http_parse_pairs(r->body.data ? r->body.data : "", r->body.len, r->form, HTTP_MAX_FORM, true, bad);
	if (n < 0) return -1;
	r->nform = n;
	return 0;
}

int http_parse_multipart(struct req *r, char **bad)
{
	*bad = NULL;
	char boundary[80];
	if (multipart_boundary(req_header(r, "Content-Type"), boundary, sizeof boundary) < 0) {
		*bad = xstrdup("délimiteur multipart absent ou invalide");
		return -1;
	}
	struct mpart parts[MULTIPART_MAX_PARTS];
	const char *err = NULL;
	int n = multipart_parse(r->body.data ? r->body.data : "", r->body.len, boundary, parts, MULTIPART_MAX_PARTS,
	                        &err);
	if (n < 0) {
		*bad = xstrdup(err);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const struct mpart *p = &parts[i];
		if (p->is_file) {
			if (r->upload.present) {
				*bad = xasprintf("un seul fichier par envoi (%s)", p->name);
				return -1;
			}
			r->upload.present = true;
			snprintf(r->upload.field, sizeof r->upload.field, "%s", p->name);
			snprintf(r->upload.filename, sizeof r->upload.filename, "%s", p->filename);
			r->upload.data = p->data;
			r->upload.len = p->len;
			continue;
		}
		char *name = check_text(xstrndup(p->name, strlen(p->name)), strlen(p->name), false);
		char *copy = xmalloc(p->len + 1);
		memcpy(copy, p->data, p->len);
		copy[p->len] = 0;
		char *value = check_text(copy, p->len, true);
		if (!name || !*name || !value || r->nform >= HTTP_MAX_FORM) {
			*bad = xstrdup(name && *name ? name : "(nom illisible ou vide)");
			free(name);
			free(value);
			return -1;
		}
		r->form[r->nform].name = name;
		r->form[r->nform].value = value;
		r->nform++;
	}
	return 0;
}

const char *req_form(const struct req *r, const char *name)
{
	for (int i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].name, name) == 0) return r->form[i].value;
	return NULL;
}

int req_form_all(const struct req *r, const char *name, const char **vals, int max)
{
	int n = 0;
	for (int i = 0; i < r->nform && n < max; i++)
		if (strcmp(r->form[i].name, name) == 0) vals[n++] = r->form[i].value;
	return n;
}

const char *req_cookie(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

bool http_token_ok(const char *v)
{
	for (; *v; v++)
		if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
		      *v == '-' || *v == '_' || *v == '.'))
			return false;
	return true;
}

void req_set_cookie(struct req *r, const char *name, const char *value, int max_age)
{
	if (!http_token_ok(value)) return;
	char age[32] = "";
	if (max_age >= 0) snprintf(age, sizeof age, "; Max-Age=%d", max_age);
	char *v = xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", name, value, r->https ? "; Secure" : "",
	                    age);
	req_add_header(r, "Set-Cookie", v);
	free(v);
}

const char *req_csrf(struct req *r)
{
	if (r->csrf[0]) return r->csrf;
	const char *c = req_cookie(r, CSRF_COOKIE);
	if (c && strlen(c) == CSRF_TOKEN_LEN && http_token_ok(c)) {
		snprintf(r->csrf, sizeof r->csrf, "%s", c);
		return r->csrf;
	}
	char tok[CSRF_TOKEN_LEN + 1];
	session_random_token(tok);
	snprintf(r->csrf, sizeof r->csrf, "%s", tok);
	req_set_cookie(r, CSRF_COOKIE, tok, -1);
	r->no_etag = true;
	return r->csrf;
}

void req_flash(struct req *r, const char *code)
{
	req_set_cookie(r, "iat_flash", code, 120);
}

void req_redirect(struct req *r, const char *location)
{
	buf_reset(&r->out);
	r->status = 303;
	r->content_type = "text/plain; charset=utf-8";
	req_add_header(r, "Location", location);
	buf_puts(&r->out, "Voir l'adresse indiquée dans l'en-tête Location.\n");
}

bool http_local_path_ok(const char *p)
{
	if (!p || p[0] != '/' || p[1] == '/' || p[1] == '\\') return false;
	size_t n = 0;
	for (const unsigned char *c = (const unsigned char *)p; *c; c++, n++)
		if (*c <= 0x20 || *c >= 0x7f || *c == '\\' || *c == '"' || *c == '<' || *c == '>') return false;
	return n <= 512;
}

/* ==== Per-thread database ==== */

static db_t *thread_db(struct server *s)
{
	if (tls_db) return tls_db;
	char *err = NULL;
	db_t *db = db_open(s->cfg->db_path, 0, &err);
	if (!db) {
		log_error("%s", err);
		free(err);
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	if (s->ndbs == s->capdbs) {
		s->capdbs = s->capdbs ? s->capdbs * 2 : 8;
		s->dbs = xrealloc(s->dbs, s->capdbs * sizeof *s->dbs);
	}
	s->dbs[s->ndbs++] = db;
	pthread_mutex_unlock(&s->lock);
	tls_db = db;
	return db;
}

bool server_rate_ok(struct server *s, int64_t user_id, int *retry_after)
{
	if (s->cfg->write_rate <= 0) return true;
	int64_t now = now_unix();
	int64_t minute = now / 60;
	bool ok;
	pthread_mutex_lock(&s->lock);
	struct rate_slot *slot = &s->rate[(uint64_t)user_id % RATE_SLOTS];
	if (slot->user_id != user_id || slot->window != minute) {
		slot->user_id = user_id;
		slot->window = minute;
		slot->count = 0;
	}
	ok = slot->count < s->cfg->write_rate;
	if (ok) slot->count++;
	pthread_mutex_unlock(&s->lock);
	*retry_after = (int)(60 - now % 60);
	return ok;
}

static uint64_t throttle_key(const char *scope, const char *key)
{
	buf_t b;
	buf_init(&b);
	buf_puts(&b, scope);
	buf_putc(&b, 0);
	buf_puts(&b, key ? key : "");
	uint64_t h = hash64(b.data, b.len);
	buf_free(&b);
	return h ? h : 1;
}

bool server_throttle(struct server *s, const char *scope, const char *key, int max, int window,
                     int *retry_after)
{
	uint64_t k = throttle_key(scope, key);
	int64_t now = now_unix();
	bool ok;
	pthread_mutex_lock(&s->lock);
	/* two candidate slots; a full pair evicts the older window */
	struct throttle_slot *a = &s->throttle[k % THROTTLE_SLOTS];
	struct throttle_slot *b = &s->throttle[(k >> 17) % THROTTLE_SLOTS];
	struct throttle_slot *slot = a->key == k ? a : b->key == k ? b : a->start <= b->start ? a : b;
	if (slot->key != k || now - slot->start >= window) {
		slot->key = k;
		slot->start = now;
		slot->count = 0;
	}
	ok = slot->count < max;
	if (ok) slot->count++;
	*retry_after = (int)(slot->start + window - now);
	if (*retry_after < 1) *retry_after = 1;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

void server_throttle_clear(struct server *s, const char *scope, const char *key)
{
	uint64_t k = throttle_key(scope, key);
	pthread_mutex_lock(&s->lock);
	struct throttle_slot *a = &s->throttle[k % THROTTLE_SLOTS];
	struct throttle_slot *b = &s->throttle[(k >> 17) % THROTTLE_SLOTS];
	if (a->key == k) memset(a, 0, sizeof *a);
	if (b->key == k) memset(b, 0, sizeof *b);
	pthread_mutex_unlock(&s->lock);
}

/* ==== Streamed downloads in batches (req_stream_batches) ==== */

struct batch_stream {
	req_fill_fn fill;
	void (*free_ctx)(void *);
	void *ctx;
	buf_t pending;
	size_t off;
	bool done;
};

static long batch_read(void *ctx, char *buf, size_t max)
{
	struct batch_stream *s = ctx;
	while (s->off == s->pending.len) {
		if (s->done) return REQ_STREAM_END;
		buf_reset(&s->pending);
		s->off = 0;
		int rc = s->fill(s->ctx, &s->pending);
		if (rc < 0) return REQ_STREAM_ERROR;
		if (rc == 0) s->done = true;
	}
	size_t n = s->pending.len - s->off;
	if (n > max) n = max;
	memcpy(buf, s->pending.data + s->off, n);
	s->off += n;
	return (long)n;
}

static void batch_free(void *ctx)
{
	struct batch_stream *s = ctx;
	if (s->free_ctx) s->free_ctx(s->ctx);
	buf_free(&s->pending);
	free(s);
}

void req_stream_batches(struct req *r, const char *content_type, const char *filename, req_fill_fn fill,
                        void (*free_ctx)(void *), void *ctx)
{
	struct batch_stream *s = xcalloc(1, sizeof *s);
	s->fill = fill;
	s->free_ctx = free_ctx;
	s->ctx = ctx;
	buf_init(&s->pending);
	char *cd = xasprintf("attachment; filename=\"%s\"", filename);
	buf_reset(&r->out);
	r->status = 200;
	r->content_type = content_type;
	r->no_etag = true;
	req_add_header(r, "Content-Disposition", cd);
	free(cd);
	r->stream_read = batch_read;
	r->stream_free = batch_free;
	r->stream_ctx = s;
}

const char *server_base_url(struct server *s)
{
	return s->cfg->base_url ? s->cfg->base_url : "";
}

/* ==== MHD callbacks ==== */

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct req *r = xcalloc(1, sizeof *r);
	r->srv = cls;
	r->conn = con;
	r->raw_uri = xstrdup(uri ? uri : "/");
	r->t0 = mono_ns();
	return r;
}

static void completed_cb(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	if (!r) return;
	if (r->stream_free) r->stream_free(r->stream_ctx); /* never handed to MHD */
	free(r->raw_uri);
	free(r->path);
	free(r->bad_query);
	for (int i = 0; i < r->nparams; i++) {
		free(r->params[i].name);
		free(r->params[i].value);
	}
	for (int i = 0; i < r->nform; i++) {
		free(r->form[i].name);
		free(r->form[i].value);
	}
	buf_free(&r->body);
	buf_free(&r->out);
	for (int i = 0; i < r->nextra; i++) free(r->extra_headers[i]);
	for (size_t i = 0; i < r->nowned; i++) free(r->owned[i]);
	free(r->owned);
	free(r);
	*con_cls = NULL;
}

/* ---- streamed replies (issue 6): the handler's reader behind MHD's ---- */
struct stream {
	long (*read)(void *ctx, char *buf, size_t max);
	void (*free)(void *ctx);
	void *ctx;
};

static ssize_t stream_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct stream *st = cls;
	long n = st->read(st->ctx, buf, max);
	if (n == REQ_STREAM_END) return MHD_CONTENT_READER_END_OF_STREAM;
	if (n <= 0) return MHD_CONTENT_READER_END_WITH_ERROR; /* the client sees a cut chunked reply */
	return (ssize_t)n;
}

static void stream_free_cb(void *cls)
{
	struct stream *st = cls;
	if (st->free) st->free(st->ctx);
	free(st);
}

/* Add common headers, ETag handling, and queue the reply. */
static enum MHD_Result finish(struct req *r)
{
	int status = r->status ? r->status : 200;
	bool is_get = strcmp(r->method, "GET") == 0;
	char etag[24] = "";
	bool streamed = r->stream_read && status == 200;
	if (!streamed && r->stream_free) { /* an error replaced the stream */
		r->stream_free(r->stream_ctx);
		r->stream_free = NULL;
	}
	if (is_get && status == 200 && !r->no_etag && !streamed) {
		uint64_t h = hash64(r->out.data ? r->out.data : "", r->out.len);
		snprintf(etag, sizeof etag, "\"%016llx\"", (unsigned long long)h);
		const char *inm = req_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
		if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
			status = 304;
			buf_reset(&r->out);
		}
	}
	size_t len = r->out.len;
	struct MHD_Response *resp;
	if (streamed) {
		struct stream *st = xmalloc(sizeof *st);
		st->read = r->stream_read;
		st->free = r->stream_free;
		st->ctx = r->stream_ctx;
		r->stream_read = NULL;
		r->stream_free = NULL;
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_cb, st, stream_free_cb);
		if (!resp) stream_free_cb(st);
	} else if (len) {
		char *body = buf_detach(&r->out);
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	} else {
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (!resp) return MHD_NO;
	if (status != 304 && status != 204)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        r->content_type ? r->content_type : "text/plain; charset=utf-8");
	if (etag[0]) MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Security-Policy",
	                        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
	                        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	if (!r->content_type || !str_starts(r->content_type, "text/css"))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	else
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=3600");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Authorization, Cookie");
	if (r->cors) {
		MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
		MHD_add_response_header(resp, "Access-Control-Expose-Headers", "ETag");
	}
	for (int i = 0; i < r->nextra; i++) {
		char *nl = strchr(r->extra_headers[i], '\n');
		*nl = 0;
		MHD_add_response_header(resp, r->extra_headers[i], nl + 1);
		*nl = '\n';
	}
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	if (!r->srv->cfg->quiet && (status >= 500 || !is_get)) {
		char addr[64];
		req_client_addr(r, addr, sizeof addr);
		log_info("%s %s %d %.1f ms %s", r->method, r->path ? r->path : r->raw_uri, status,
		         (double)(mono_ns() - r->t0) / 1e6, addr);
	}
	return ret;
}

/* Served over https: the configured base URL says so, or a proxy on this
 * machine (nginx in front, see doc/deployment.md) sends
 * X-Forwarded-Proto: https. Other peers cannot claim it. */
static bool is_https(struct req *r)
{
	const char *base = r->srv->cfg->base_url;
	if (base && str_starts(base, "https://")) return true;
	const char *xfp = req_header(r, "X-Forwarded-Proto");
	if (!xfp || strcmp(xfp, "https") != 0) return false;
	char addr[64];
	req_client_addr(r, addr, sizeof addr);
	return strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *con, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	if (!r) { /* no URI callback happened (should not) */
		r = uri_cb(s, url, con);
		*con_cls = r;
	}
	if (!r->started) {
		r->started = true;
		snprintf(r->method, sizeof r->method, "%s", method);
		if (strcmp(method, "HEAD") == 0) {
			r->head = true;
			snprintf(r->method, sizeof r->method, "GET");
		}
		r->body_max = router_body_max(r->method, url);
		const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		int64_t n;
		if (cl && parse_int64(cl, 0, INT64_MAX, &n) == 0 && n > (int64_t)r->body_max) r->body_too_large = true;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!r->body_too_large) {
			if (r->body.len + *upload_data_size > r->body_max) {
				r->body_too_large = true;
				buf_free(&r->body);
			} else {
				buf_append(&r->body, upload_data, *upload_data_size);
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* the whole request is here: parse the URI and dispatch */
	const char *q = strchr(r->raw_uri, '?');
	size_t plen = q ? (size_t)(q - r->raw_uri) : strlen(r->raw_uri);
	r->path = http_decode(r->raw_uri, plen, false);
	if (!r->path) {
		/* keep /api/ requests recognisable so the error comes back as JSON */
		r->path = xstrdup(str_starts(r->raw_uri, "/api/") ? "/api/" : "/");
		free(r->bad_query);
		r->bad_query = xstrdup("(chemin)");
	}
	if (q) parse_query(r, q + 1);
	r->https = is_https(r);
	r->db = thread_db(s);
	struct timespec t0, t1; /* response times for /api/v1/status (metrics.h) */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	router_dispatch(r);
	enum MHD_Result res = finish(r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_record(r->method, r->path, (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	return res;
}

/* ==== Listening address ==== */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sslen)
{
	char host[256];
	const char *port;
	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');
		if (!end || end[1] != ':') return -1;
		size_t n = (size_t)(end - listen - 1);
		if (n >= sizeof host) return -1;
		memcpy(host, listen + 1, n);
		host[n] = 0;
		port = end + 2;
	} else {
		const char *colon = strrchr(listen, ':');
		if (!colon) return -1;
		size_t n = (size_t)(colon - listen);
		if (n >= sizeof host) return -1;
		memcpy(host, listen, n);
		host[n] = 0;
		port = colon + 1;
	}
	int64_t p;
	if (parse_int64(port, 1, 65535, &p) < 0) return -1;
	struct addrinfo hints = { 0 }, *res = NULL;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(host[0] ? host : NULL, port, &hints, &res) != 0 || !res) return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n') msg[--n] = 0;
	log_warn("microhttpd: %s", msg);
}

int server_run(const struct server_config *cfg)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	if (parse_listen(cfg->listen, &ss, &sslen) < 0) {
		log_error("adresse d'écoute invalide : %s (attendu HOTE:PORT)", cfg->listen);
		return -1;
	}
	struct server *s = xcalloc(1, sizeof *s);
	s->cfg = cfg;
	metrics_init(cfg->write_rate);
	outbox_set_base_url(cfg->base_url);
	pthread_mutex_init(&s->lock, NULL);

	/* Block the signals in every thread; the main thread sigwait()s. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
	struct MHD_Daemon *d = MHD_start_daemon(
	    flags, 0, NULL, NULL, &access_cb, s,
	    MHD_OPTION_EXTERNAL_LOGGER, &mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
	    MHD_OPTION_URI_LOG_CALLBACK, &uri_cb, s,
	    MHD_OPTION_NOTIFY_COMPLETED, &completed_cb, s,
	    MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	    MHD_OPTION_CONNECTION_LIMIT, 4096u,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
	    MHD_OPTION_END);
	if (!d) {
		log_error("impossible d'écouter sur %s : %s", cfg->listen, strerror(errno));
		pthread_mutex_destroy(&s->lock);
		free(s);
		return -1;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char host[INET6_ADDRSTRLEN] = "";
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
	bool v6 = ss.ss_family == AF_INET6;
	printf("IA·T (base %s, %d threads) : http://%s%s%s:%u/ — Ctrl-C pour arrêter\n", cfg->db_path,
	       cfg->threads, v6 ? "[" : "", host, v6 ? "]" : "", di ? di->port : 0);
	fflush(stdout);

	int sig = 0;
	sigwait(&set, &sig);
	log_info("signal %d reçu : arrêt", sig);
	MHD_stop_daemon(d);
	for (size_t i = 0; i < s->ndbs; i++) db_close(s->dbs[i]);
	free(s->dbs);
	pthread_mutex_destroy(&s->lock);
	free(s);
	printf("IA·T arrêté proprement.\n");
	return 0;
}
