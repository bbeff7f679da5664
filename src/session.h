/*
 * session.h — sign-in sessions of the web interface and their anti-forgery
 * (CSRF) tokens.
 *
 * Design notes
 * - The cookie "iat_session" carries 32 random bytes (base64url, prefixed
 *   "s_"); the database keeps only BLAKE2b-256(token), like API tokens, so
 *   a copy of the database gives no working session.
 * - Expiry: SESSION_IDLE seconds without a request, or SESSION_ABSOLUTE
 *   seconds after sign-in, whichever comes first. last_seen is written at
 *   most once a minute (reads stay reads).
 * - CSRF: each session has its own random token, put in every form
 *   (hidden field "csrf") and checked centrally by the router on every
 *   form post. Visitors without a session (sign-in, sign-up, error report
 *   forms) get a double-submit cookie "iat_csrf" instead: the form field
 *   must equal the cookie. Comparisons are constant-time.
 * - The cookie is HttpOnly, SameSite=Lax, Path=/, and Secure when the site
 *   is served over https (see server.c: --base-url https://... or a
 *   loopback proxy sending X-Forwarded-Proto: https).
 */
#ifndef IAT_SESSION_H
#define IAT_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"

#define SESSION_COOKIE "iat_session"
#define CSRF_COOKIE "iat_csrf"
#define SESSION_IDLE (2 * 3600)        /* 2 hours without activity */
#define SESSION_ABSOLUTE (12 * 3600)   /* 12 hours after sign-in */
#define SESSION_TOKEN_MAX 64           /* "s_" + 43 base64url + NUL fits */
#define CSRF_TOKEN_LEN 43              /* base64url of 32 bytes */

/* Create a session for user_id. Writes the clear token (for the cookie)
 * into token[SESSION_TOKEN_MAX]. 0 or -1. */
int session_create(db_t *db, int64_t user_id, const char *addr, char token[SESSION_TOKEN_MAX]);

/* Resolve a session token: fills *v (user, role, memberships) and
 * csrf[CSRF_TOKEN_LEN + 1]. 1 valid, 0 unknown or expired (an expired row
 * is deleted), -1 database error. Refreshes last_seen (at most once a
 * minute). A disabled account has no valid session. */
int session_lookup(db_t *db, const char *token, struct viewer *v, char csrf[CSRF_TOKEN_LEN + 1]);

/* End one session (sign-out). 0 or -1. */
int session_destroy(db_t *db, const char *token);
/* End every session of a user except the one with token keep (may be
 * NULL): after a password change or reset, a role change, a deletion. */
int session_destroy_user(db_t *db, int64_t user_id, const char *keep);

/* A fresh random token for the anonymous CSRF cookie. */
void session_random_token(char out[CSRF_TOKEN_LEN + 1]);
/* Constant-time comparison of two NUL-terminated tokens. */
bool session_token_eq(const char *a, const char *b);

#endif
