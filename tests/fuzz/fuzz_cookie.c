/*
 * fuzz_cookie.c — libFuzzer target: cookie and token values as our code
 * consumes them.
 *
 * libmicrohttpd parses the Cookie header itself (splitting on ';' and '=')
 * and hands us NUL-terminated values through req_cookie(); that parser is
 * MHD's, not ours, and is not fuzzed here. What our code does with a value
 * is: the session cookie goes to session_lookup() (router.c), the
 * anonymous CSRF cookie is accepted by req_csrf() only when it is 43
 * token characters (http_token_ok), and a form's "csrf" field is compared
 * with session_token_eq(); an API request's "Authorization: Bearer X"
 * goes to auth_token_lookup(). The same chain runs here, without MHD.
 *
 * Input: "COOKIE\nFORMFIELD" (the first line is used as the session
 * cookie, the CSRF cookie and the bearer token; the rest as the submitted
 * csrf field). The database is in memory, set up once: one account with
 * one live session and one API token whose clear values are known (the
 * corpus holds them and near misses).
 *
 * Properties: no lookup ever fails with a database error; a lookup
 * succeeds only for the exact known token, and then gives that account
 * and that session's CSRF token; session_token_eq(a, b) is exactly
 * "non-empty and equal"; http_token_ok() accepts only [A-Za-z0-9._-].
 */
#include <sodium.h>
#include <stdbool.h>

#include "auth.h"
#include "fuzz.h"
#include "http.h"
#include "session.h"

#define KNOWN_SESSION "s_FuzzSessionTokenFuzzSessionTokenFuzzSessio"
#define KNOWN_CSRF "FuzzCsrfTokenFuzzCsrfTokenFuzzCsrfTokenFuzz"
#define KNOWN_API "iat_FuzzApiTokenFuzzApiTokenFuzzApiTokenFuzzApi"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db_t *db;

static void insert_hashed(const char *sql, const char *token)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sqlite3_stmt *st = db_stmt(db, sql);
	FUZZ_CHECK(st);
	sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_TRANSIENT);
	db_bind_int(st, 2, now_unix());
	FUZZ_CHECK(db_step_done(st) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FUZZ_CHECK(auth_init() == 0);
	FUZZ_CHECK(strlen(KNOWN_CSRF) == CSRF_TOKEN_LEN);
	db = fuzz_db(NULL);
	FUZZ_CHECK(db_exec(db, "INSERT INTO user(id, email, role, created_at) "
	                       "VALUES (1, 'fuzz@example.fr', 'citizen', '2025-01-01T00:00:00Z')") == 0);
	insert_hashed("INSERT INTO session(token_hash, user_id, csrf, created, last_seen, abs_expires) "
	              "VALUES (?1, 1, '" KNOWN_CSRF "', ?2, ?2, ?2 + 36000000)",
	              KNOWN_SESSION);
	insert_hashed("INSERT INTO api_token(token_hash, user_id, label, created_at) "
	              "VALUES (?1, 1, 'fuzz', ?2)",
	              KNOWN_API);
	return 0;
}

static bool token_chars(const char *v)
{
	for (; *v; v++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *v)) return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstr(data, size); /* MHD's values are C strings: cut at a NUL */
	char *nl = strchr(in, '\n');
	const char *cookie = in, *field = nl ? nl + 1 : NULL;
	if (nl) *nl = 0;

	/* the session cookie (router.c load_session) */
	struct viewer v;
	char csrf[CSRF_TOKEN_LEN + 1];
	int rc = session_lookup(db, cookie, &v, csrf);
	FUZZ_CHECK(rc >= 0);
	if (strcmp(cookie, KNOWN_SESSION) == 0) {
		FUZZ_CHECK(rc == 1 && v.user_id == 1 && strcmp(csrf, KNOWN_CSRF) == 0);
	} else {
		FUZZ_CHECK(rc == 0 && v.user_id == 0 && csrf[0] == 0);
	}

	/* the bearer token (router.c, "Authorization: Bearer <cookie>") */
	rc = auth_token_lookup(db, cookie, &v);
	FUZZ_CHECK(rc >= 0);
	FUZZ_CHECK(rc == (strcmp(cookie, KNOWN_API) == 0));
	FUZZ_CHECK(rc == 0 || v.user_id == 1);

	/* the anonymous CSRF cookie (server.c req_csrf) and the form field */
	bool tok = http_token_ok(cookie);
	FUZZ_CHECK(tok == token_chars(cookie));
	bool csrf_cookie_ok = tok && strlen(cookie) == CSRF_TOKEN_LEN;
	if (field) {
		bool eq = session_token_eq(field, csrf_cookie_ok ? cookie : NULL);
		FUZZ_CHECK(eq == (csrf_cookie_ok && strcmp(field, cookie) == 0));
		FUZZ_CHECK(session_token_eq(field, cookie) == (*field && strcmp(field, cookie) == 0));
		FUZZ_CHECK(session_token_eq(field, KNOWN_CSRF) == (strcmp(field, KNOWN_CSRF) == 0));
	}
	FUZZ_CHECK(!session_token_eq(cookie, ""));
	free(in);
	return 0;
}
