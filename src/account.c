/*
 * account.c — helpers of the account pages (see account.h).
 */
#include "account.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "session.h"
#include "util.h"

void account_token_new(char tok[ACCOUNT_TOKEN_LEN + 1], unsigned char hash[32])
{
	session_random_token(tok);
	crypto_generichash(hash, 32, (const unsigned char *)tok, strlen(tok), NULL, 0);
}

bool account_token_hash(const char *tok, unsigned char hash[32])
{
	if (!tok || strlen(tok) != ACCOUNT_TOKEN_LEN) return false;
	for (const char *p = tok; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') return false;
	crypto_generichash(hash, 32, (const unsigned char *)tok, ACCOUNT_TOKEN_LEN, NULL, 0);
	return true;
}

bool account_throttle(struct req *r, const char *scope, const char *key, int max, int window, char *msg,
                      size_t msgsz)
{
	int retry = 0;
	if (server_throttle(r->srv, scope, key, max, window, &retry)) return true;
	char ra[16];
	snprintf(ra, sizeof ra, "%d", retry);
	req_add_header(r, "Retry-After", ra);
	int minutes = (retry + 59) / 60;
	snprintf(msg, msgsz, "Trop de demandes en peu de temps. Par sécurité, réessayez dans %d minute%s.", minutes,
	         minutes > 1 ? "s" : "");
	log_warn("demande freinée (%s)", scope);
	return false;
}

void account_fold(const char *in, char *out, size_t outsz)
{
	size_t n = 0;
	for (const char *p = in ? in : ""; *p && n + 1 < outsz; p++) out[n++] = (char)tolower((unsigned char)*p);
	out[n] = 0;
}

int account_sign_in(struct req *r, int64_t uid)
{
	char addr[64];
	req_client_addr(r, addr, sizeof addr);
	if (r->session_token) session_destroy(r->db, r->session_token);
	char tok[SESSION_TOKEN_MAX];
	if (session_create(r->db, uid, addr, tok) < 0) return -1;
	sqlite3_stmt *st = db_stmt(r->db, "UPDATE user SET last_login_at = ?2 WHERE id = ?1");
	if (st) {
		char ts[21];
		account_now(ts);
		db_bind_int(st, 1, uid);
		db_bind_text(st, 2, ts);
		db_step_done(st);
	}
	req_set_cookie(r, SESSION_COOKIE, tok, -1);
	sodium_memzero(tok, sizeof tok);
	return 0;
}

const char *account_role_label(const char *role, bool membership)
{
	if (!role) return "";
	if (membership) return strcmp(role, "referent") == 0 ? "référent" : "agent";
	if (strcmp(role, "citizen") == 0) return "Compte personnel (sans organisation)";
	if (strcmp(role, "agent") == 0) return "Agent d'une collectivité";
	if (strcmp(role, "referent") == 0) return "Référent d'une collectivité";
	if (strcmp(role, "curator") == 0) return "Équipe de l'observatoire (relecture)";
	if (strcmp(role, "admin") == 0) return "Administration du site";
	return role;
}

void account_now(char out[21])
{
	iso8601_utc(now_unix(), out);
}
