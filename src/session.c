/*
 * session.c — sign-in sessions and CSRF tokens (see session.h).
 */
#include "session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define SESSION_PREFIX "s_"

static void hash_token(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

void session_random_token(char out[CSRF_TOKEN_LEN + 1])
{
	unsigned char rnd[32];
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2base64(out, CSRF_TOKEN_LEN + 1, rnd, sizeof rnd, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(rnd, sizeof rnd);
}

bool session_token_eq(const char *a, const char *b)
{
	if (!a || !b) return false;
	size_t n = strlen(a);
	if (n == 0 || n != strlen(b)) return false;
	return sodium_memcmp(a, b, n) == 0;
}

int session_create(db_t *db, int64_t user_id, const char *addr, char token[SESSION_TOKEN_MAX])
{
	char rnd[CSRF_TOKEN_LEN + 1], csrf[CSRF_TOKEN_LEN + 1];
	session_random_token(rnd);
	session_random_token(csrf);
	snprintf(token, SESSION_TOKEN_MAX, SESSION_PREFIX "%s", rnd);
	sodium_memzero(rnd, sizeof rnd);
	unsigned char h[32];
	hash_token(token, h);
	int64_t now = now_unix();
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO session(token_hash, user_id, csrf, created, last_seen, abs_expires, addr) "
	                               "VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)");
	if (!st) return -1;
	sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_TRANSIENT);
	db_bind_int(st, 2, user_id);
	db_bind_text(st, 3, csrf);
	db_bind_int(st, 4, now);
	db_bind_int(st, 5, now + SESSION_ABSOLUTE);
	db_bind_text(st, 6, addr && *addr ? addr : NULL);
	if (db_step_done(st) < 0) return -1;
	/* opportunistic clean-up of this user's expired sessions */
	st = db_stmt(db, "DELETE FROM session WHERE user_id = ?1 AND (abs_expires <= ?2 OR last_seen <= ?3)");
	if (st) {
		db_bind_int(st, 1, user_id);
		db_bind_int(st, 2, now);
		db_bind_int(st, 3, now - SESSION_IDLE);
		db_step_done(st);
	}
	return 0;
}

static int delete_by_hash(db_t *db, const unsigned char h[32])
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM session WHERE token_hash = ?1");
	if (!st) return -1;
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_TRANSIENT);
	return db_step_done(st);
}

int session_lookup(db_t *db, const char *token, struct viewer *v, char csrf[CSRF_TOKEN_LEN + 1])
{
	memset(v, 0, sizeof *v);
	csrf[0] = 0;
	size_t n = strlen(token);
	if (n < 10 || n >= SESSION_TOKEN_MAX || !str_starts(token, SESSION_PREFIX)) return 0;
	unsigned char h[32];
	hash_token(token, h);
	sqlite3_stmt *st = db_stmt(db, "SELECT s.id, s.user_id, s.csrf, s.last_seen, s.abs_expires, u.disabled "
	                               "FROM session s JOIN user u ON u.id = s.user_id WHERE s.token_hash = ?1");
	if (!st) return -1;
	sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		db_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		db_reset(st);
		return -1;
	}
	int64_t sid = sqlite3_column_int64(st, 0);
	int64_t uid = sqlite3_column_int64(st, 1);
	snprintf(csrf, CSRF_TOKEN_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 2));
	int64_t last_seen = sqlite3_column_int64(st, 3);
	int64_t abs_expires = sqlite3_column_int64(st, 4);
	bool disabled = sqlite3_column_int64(st, 5) != 0;
	db_reset(st);
	int64_t now = now_unix();
	if (disabled || now >= abs_expires || now - last_seen >= SESSION_IDLE) {
		csrf[0] = 0;
		return delete_by_hash(db, h) < 0 ? -1 : 0;
	}
	if (now - last_seen >= 60) {
		st = db_stmt(db, "UPDATE session SET last_seen = ?2 WHERE id = ?1");
		if (!st) return -1;
		db_bind_int(st, 1, sid);
		db_bind_int(st, 2, now);
		if (db_step_done(st) < 0) return -1;
	}
	int lrc = auth_viewer_load(db, uid, v);
	if (lrc <= 0) {
		csrf[0] = 0;
		return lrc;
	}
	return 1;
}

int session_destroy(db_t *db, const char *token)
{
	unsigned char h[32];
	hash_token(token, h);
	return delete_by_hash(db, h);
}

int session_destroy_user(db_t *db, int64_t user_id, const char *keep)
{
	unsigned char h[32] = { 0 };
	if (keep) hash_token(keep, h);
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM session WHERE user_id = ?1 AND token_hash <> ?2");
	if (!st) return -1;
	db_bind_int(st, 1, user_id);
	sqlite3_bind_blob(st, 2, h, sizeof h, SQLITE_TRANSIENT);
	return db_step_done(st);
}
