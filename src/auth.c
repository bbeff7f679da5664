/*
 * auth.c — accounts, memberships, API tokens and rights (see auth.h).
 *
 * Rights are decided here and nowhere else. Tokens are 32 random bytes
 * from libsodium, shown once as "iat_<base64url>"; the database keeps only
 * BLAKE2b-256(token), so a stolen database does not give working tokens.
 */
#include "auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org.h"
#include "text.h"
#include "util.h"

#define TOKEN_PREFIX "iat_"
#define TOKEN_BYTES 32

int auth_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

static bool is_role(const struct viewer *v, const char *role)
{
	return strcmp(v->role, role) == 0;
}

bool auth_is_curator(const struct viewer *v)
{
	return v->user_id && (is_role(v, "curator") || is_role(v, "admin"));
}

bool auth_is_admin(const struct viewer *v)
{
	return v->user_id && is_role(v, "admin");
}

bool auth_is_member(const struct viewer *v, int64_t org_id)
{
	for (int i = 0; i < v->norgs; i++)
		if (v->orgs[i] == org_id) return v->user_id != 0;
	return false;
}

bool auth_can_manage_members(const struct viewer *v, int64_t org_id)
{
	return auth_can_publish_org(v, org_id);
}

bool auth_can_see_members(const struct viewer *v, int64_t org_id)
{
	return auth_is_curator(v) || auth_is_member(v, org_id);
}

bool auth_can_read_restricted(const struct viewer *v)
{
	return v->user_id && (v->norgs > 0 || auth_is_curator(v));
}

bool auth_can_edit_org(const struct viewer *v, int64_t org_id)
{
	if (!v->user_id) return false;
	if (auth_is_curator(v)) return true;
	for (int i = 0; i < v->norgs; i++)
		if (v->orgs[i] == org_id) return true;
	return false;
}

bool auth_can_publish_org(const struct viewer *v, int64_t org_id)
{
	if (!v->user_id) return false;
	if (auth_is_curator(v)) return true;
	for (int i = 0; i < v->norgs; i++)
		if (v->orgs[i] == org_id && v->referent_of[i]) return true;
	return false;
}

bool auth_can_read_usecase(const struct viewer *v, const char *state, int64_t org_id)
{
	if (strcmp(state, "published") == 0 || strcmp(state, "retracted") == 0) return true;
	return auth_can_edit_org(v, org_id);
}

static void token_hash(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

static int hash_password(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                         crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0 ? 0 : -1;
}

/* A fixed hash verified when an account does not exist, so that sign-in
 * takes as long either way. */
static char dummy_hash[crypto_pwhash_STRBYTES];

static void make_dummy_hash(void)
{
	if (hash_password("mot de passe factice pour égaliser les durées", dummy_hash) < 0) dummy_hash[0] = 0;
}

static int load_memberships(db_t *db, struct viewer *v)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT org_id, role FROM membership WHERE user_id = ?1 ORDER BY org_id");
	if (!st) return -1;
	db_bind_int(st, 1, v->user_id);
	v->norgs = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && v->norgs < AUTH_MAX_ORGS) {
		v->orgs[v->norgs] = sqlite3_column_int64(st, 0);
		v->referent_of[v->norgs] = strcmp((const char *)sqlite3_column_text(st, 1), "referent") == 0;
		v->norgs++;
	}
	db_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int auth_viewer_load(db_t *db, int64_t uid, struct viewer *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = db_stmt(db, "SELECT role FROM user WHERE id = ?1 AND disabled = 0");
	if (!st) return -1;
	db_bind_int(st, 1, uid);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->user_id = uid;
		snprintf(out->role, sizeof out->role, "%s", (const char *)sqlite3_column_text(st, 0));
	}
	db_reset(st);
	if (rc == SQLITE_DONE) return 0;
	if (rc != SQLITE_ROW) return -1;
	if (load_memberships(db, out) < 0) return -1;
	return 1;
}

int auth_role_refresh(db_t *db, int64_t uid)
{
	sqlite3_stmt *st = db_stmt(db,
	    "UPDATE user SET role = CASE "
	    " WHEN EXISTS (SELECT 1 FROM membership WHERE user_id = ?1 AND role = 'referent') THEN 'referent' "
	    " WHEN EXISTS (SELECT 1 FROM membership WHERE user_id = ?1) THEN 'agent' "
	    " ELSE 'citizen' END "
	    "WHERE id = ?1 AND role NOT IN ('curator', 'admin')");
	if (!st) return -1;
	db_bind_int(st, 1, uid);
	return db_step_done(st);
}

/* ==== Passwords ==== */

const char *auth_password_problem(const char *pw, const char *email)
{
	size_t bytes = strlen(pw);
	if (bytes > AUTH_PASSWORD_MAX) return "Le mot de passe est trop long (256 octets au plus).";
	if (!text_utf8_valid(pw, bytes) || text_has_control(pw, bytes))
		return "Le mot de passe contient des caractères non permis.";
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)pw; *p; p++)
		if ((*p & 0xC0) != 0x80) chars++;
	if (chars < AUTH_PASSWORD_MIN) return "Le mot de passe doit compter au moins 12 caractères.";
	if (email && str_ieq(pw, email)) return "Le mot de passe ne doit pas être votre adresse électronique.";
	bool all_same = true;
	for (size_t i = 1; i < bytes; i++)
		if (pw[i] != pw[0]) all_same = false;
	if (all_same) return "Le mot de passe ne doit pas répéter un seul caractère.";
	return NULL;
}

int auth_password_set(db_t *db, int64_t uid, const char *pw)
{
	char h[crypto_pwhash_STRBYTES];
	if (hash_password(pw, h) < 0) {
		log_error("argon2id : mémoire insuffisante pour hacher un mot de passe");
		return -1;
	}
	char ts[21];
	iso8601_utc(now_unix(), ts);
	sqlite3_stmt *st = db_stmt(db, "UPDATE user SET password_hash = ?2, password_changed_at = ?3 WHERE id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, uid);
	db_bind_text(st, 2, h);
	db_bind_text(st, 3, ts);
	return db_step_done(st);
}

int auth_user_by_email(db_t *db, const char *email, int64_t *uid)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM user WHERE email = ?1");
	if (!st) return -1;
	db_bind_text(st, 1, email);
	return db_one_int(st, uid);
}

int auth_password_check(db_t *db, const char *email, const char *pw, int64_t *uid)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, make_dummy_hash);
	sqlite3_stmt *st = db_stmt(db, "SELECT id, password_hash FROM user WHERE email = ?1 AND disabled = 0");
	if (!st) return -1;
	db_bind_text(st, 1, email);
	int rc = sqlite3_step(st);
	char stored[crypto_pwhash_STRBYTES] = "";
	int64_t id = 0;
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		const char *h = (const char *)sqlite3_column_text(st, 1);
		if (h) snprintf(stored, sizeof stored, "%s", h);
	}
	db_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) return -1;
	if (!stored[0]) {
		if (crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw)) == 0) log_warn("hash factice vérifié ?");
		return 0;
	}
	if (crypto_pwhash_str_verify(stored, pw, strlen(pw)) != 0) return 0;
	if (crypto_pwhash_str_needs_rehash(stored, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                                   crypto_pwhash_MEMLIMIT_INTERACTIVE) == 1)
		auth_password_set(db, id, pw);
	*uid = id;
	return 1;
}

int auth_token_lookup(db_t *db, const char *token, struct viewer *out)
{
	memset(out, 0, sizeof *out);
	size_t n = strlen(token);
	if (n < 10 || n > 100 || !str_starts(token, TOKEN_PREFIX)) return 0;
	unsigned char h[32];
	token_hash(token, h);
	sqlite3_stmt *st = db_stmt(db, "SELECT u.id, u.role FROM api_token t JOIN user u ON u.id = t.user_id "
	                               "WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND u.disabled = 0");
	if (!st) return -1;
	sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->user_id = sqlite3_column_int64(st, 0);
		snprintf(out->role, sizeof out->role, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	db_reset(st);
	if (rc == SQLITE_DONE) return 0;
	if (rc != SQLITE_ROW) return -1;
	if (load_memberships(db, out) < 0) return -1;
	return 1;
}

int auth_audit(db_t *db, int64_t user_id, const char *action, const char *target, const char *detail)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO audit(at, user_id, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!st) return -1;
	char ts[21];
	iso8601_utc(now_unix(), ts);
	db_bind_text(st, 1, ts);
	if (user_id) db_bind_int(st, 2, user_id);
	db_bind_text(st, 3, action);
	db_bind_text(st, 4, target);
	db_bind_text(st, 5, detail);
	return db_step_done(st);
}

bool auth_email_ok(const char *e)
{
	size_t n = strlen(e);
	if (n < 3 || n > 254) return false;
	const char *at = strchr(e, '@');
	if (!at || at == e || strchr(at + 1, '@') || !strchr(at + 1, '.')) return false;
	if (at[1] == '.' || e[n - 1] == '.') return false;
	for (const unsigned char *p = (const unsigned char *)e; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == '"' || *p == ',' || *p == ';')
			return false;
	return true;
}

int64_t auth_user_add(db_t *db, const char *email, const char *org_ref, const char *role, char **err)
{
	static const char *const roles[] = { "citizen", "agent", "referent", "curator", "admin" };
	bool known = false;
	for (size_t i = 0; i < ARRAY_LEN(roles); i++)
		if (strcmp(roles[i], role) == 0) known = true;
	if (!known) {
		*err = xasprintf("rôle inconnu « %s » (citizen, agent, referent, curator ou admin)", role);
		return -1;
	}
	if (!auth_email_ok(email)) {
		*err = xasprintf("adresse électronique invalide : « %s »", email);
		return -1;
	}
	bool member_role = strcmp(role, "agent") == 0 || strcmp(role, "referent") == 0;
	if (member_role && !org_ref) {
		*err = xasprintf("le rôle %s demande une organisation (--org SIREN)", role);
		return -1;
	}
	struct org o = { 0 };
	if (org_ref) {
		int rc = org_find(db, org_ref, &o);
		if (rc < 0) {
			*err = xstrdup("erreur de base de données");
			return -1;
		}
		if (rc == 0) {
			*err = xasprintf("organisation introuvable : « %s » (SIREN, code INSEE ou identifiant)", org_ref);
			return -1;
		}
	}
	int64_t uid = -1;
	char ts[21];
	iso8601_utc(now_unix(), ts);
	if (db_begin(db) < 0) goto fail;
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO user(email, role, created_at) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT(email) DO UPDATE SET role = CASE WHEN excluded.role IN ('curator','admin') THEN excluded.role "
	    "WHEN user.role IN ('curator','admin') THEN user.role ELSE excluded.role END RETURNING id");
	if (!st) goto fail;
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, role);
	db_bind_text(st, 3, ts);
	if (db_one_int(st, &uid) != 1) goto fail;
	if (org_ref) {
		st = db_stmt(db, "INSERT INTO membership(user_id, org_id, role, created_at) VALUES (?1, ?2, ?3, ?4) "
		                 "ON CONFLICT(user_id, org_id) DO UPDATE SET role = excluded.role");
		if (!st) goto fail;
		db_bind_int(st, 1, uid);
		db_bind_int(st, 2, o.id);
		db_bind_text(st, 3, strcmp(role, "agent") == 0 ? "agent" : "referent");
		db_bind_text(st, 4, ts);
		if (db_step_done(st) < 0) goto fail;
		if (auth_role_refresh(db, uid) < 0) goto fail;
	}
	char *key = org_ref ? org_key(&o) : NULL;
	char *detail = xasprintf("role=%s%s%s", role, key ? " org=" : "", key ? key : "");
	int arc = auth_audit(db, 0, "user.add", email, detail);
	free(detail);
	free(key);
	if (arc < 0 || db_commit(db) < 0) goto fail;
	org_free(&o);
	return uid;
fail:
	db_rollback(db);
	org_free(&o);
	*err = xasprintf("enregistrement du compte impossible : %s", sqlite3_errmsg(db_sqlite(db)));
	return -1;
}

int auth_token_create(db_t *db, const char *email, const char *label, char **token, char **err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM user WHERE email = ?1 AND disabled = 0");
	if (!st) goto dberr;
	db_bind_text(st, 1, email);
	int64_t uid;
	int rc = db_one_int(st, &uid);
	if (rc < 0) goto dberr;
	if (rc == 0) {
		*err = xasprintf("aucun compte actif pour « %s » (créez-le avec « iat user add »)", email);
		return -1;
	}
	unsigned char rnd[TOKEN_BYTES];
	randombytes_buf(rnd, sizeof rnd);
	char b64[sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	sodium_bin2base64(b64, sizeof b64, rnd, sizeof rnd, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *tok = xasprintf(TOKEN_PREFIX "%s", b64);
	unsigned char h[32];
	token_hash(tok, h);
	char ts[21];
	iso8601_utc(now_unix(), ts);
	if (db_begin(db) < 0) {
		free(tok);
		goto dberr;
	}
	st = db_stmt(db, "INSERT INTO api_token(user_id, token_hash, label, created_at) VALUES (?1, ?2, ?3, ?4)");
	if (!st) {
		db_rollback(db);
		free(tok);
		goto dberr;
	}
	db_bind_int(st, 1, uid);
	sqlite3_bind_blob(st, 2, h, sizeof h, SQLITE_TRANSIENT);
	db_bind_text(st, 3, label);
	db_bind_text(st, 4, ts);
	if (db_step_done(st) < 0 || auth_audit(db, uid, "token.create", email, label) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		free(tok);
		goto dberr;
	}
	sodium_memzero(rnd, sizeof rnd);
	*token = tok;
	return 0;
dberr:
	*err = xasprintf("erreur de base de données : %s", sqlite3_errmsg(db_sqlite(db)));
	return -1;
}

/* ---- history, comparison, audit ---- */

bool auth_can_see_version(const struct viewer *v, const char *version_state, int64_t org_id)
{
	if (strcmp(version_state, "published") == 0 || strcmp(version_state, "retracted") == 0) return true;
	return auth_can_edit_org(v, org_id);
}

bool auth_can_see_version_authors(const struct viewer *v, int64_t org_id)
{
	return auth_can_read_restricted(v) || auth_can_edit_org(v, org_id);
}

/* ==== measured impact (issue 5) ==== */

bool auth_can_act_on_label(const struct viewer *v)
{
	return auth_is_curator(v); /* curators and admins */
}

/* ==== accounts, sessions, memberships: additions ==== */

int auth_password_hash(const char *pw, char out[AUTH_HASH_MAX])
{
	_Static_assert(AUTH_HASH_MAX >= crypto_pwhash_STRBYTES, "AUTH_HASH_MAX too small");
	return hash_password(pw, out);
}

/* ==== record exports (issue 6) ==== */

bool auth_can_export_usecase(const char *state)
{
	return state && (strcmp(state, "published") == 0 || strcmp(state, "retracted") == 0);
}

/* ==== history export, open-data inventory (issue 6, export_history.c, page_inventory.c) ==== */

bool auth_can_export_version(const char *version_state)
{
	return auth_can_export_usecase(version_state);
}

bool auth_can_read_inventory_operations(const struct viewer *v)
{
	return auth_can_read_restricted(v);
}

/* ---- survey campaigns (issue 7 §1) ---- */

bool auth_can_answer_survey(const struct viewer *v, int64_t org_id)
{
	return auth_is_member(v, org_id);
}

bool auth_can_submit_survey(const struct viewer *v, int64_t org_id)
{
	for (int i = 0; i < v->norgs; i++)
		if (v->orgs[i] == org_id) return v->user_id != 0 && v->referent_of[i];
	return false;
}

bool auth_can_manage_surveys(const struct viewer *v)
{
	return auth_is_curator(v);
}
