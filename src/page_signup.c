/*
 * page_signup.c — creating an account and recovering a password:
 *   GET/POST /inscription, GET /inscription/envoyee,
 *   GET /inscription/confirmer?jeton=…,
 *   GET/POST /mot-de-passe-oublie, GET/POST /reinitialisation.
 *
 * Design notes
 * - Neither form tells whether an e-mail has an account. Sign-up always
 *   answers "a message has been sent": a new address gets an activation
 *   link, a known one a message saying the account exists (with the link
 *   to recover the password). The password is hashed (argon2id) in both
 *   cases, so the time taken tells nothing either. Password recovery
 *   always answers "if an account exists, a link has been sent".
 * - Nothing is written to user before the address is confirmed: the
 *   sign-up waits in table signup (003_accounts.sql) with the hash of the
 *   chosen password and the hash of its one-time token, for 24 hours.
 *   Following the link creates the account (role citizen) and signs in.
 *   The link is a GET because the brief asks that visiting it be enough;
 *   it only ever creates the account the owner of the address asked for.
 * - Reset links: 1 hour, one-time (password_reset.used), only the hash
 *   stored. Using one ends every session of the account and marks every
 *   other outstanding link of the account as used.
 * - Throttles (in memory): sign-up and recovery, per client address 10 an
 *   hour and per e-mail address 3 an hour, so the site cannot be used to
 *   flood someone's mailbox. Only well-formed submissions count.
 * - Bad links (unknown, used, expired): 410 with a page that says what to
 *   do; a malformed or missing token: 400.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "auth.h"
#include "model.h"
#include "outbox.h"
#include "pages.h"
#include "session.h"
#include "text.h"
#include "util.h"

#define SIGNUP_TTL (24 * 3600)
#define RESET_TTL 3600
#define THROTTLE_ADDR_MAX 10
#define THROTTLE_EMAIL_MAX 3
#define THROTTLE_WINDOW 3600
#define NAME_MAX_CHARS 100

/* A page for a link that cannot be used. */
static void bad_link(struct req *r, int status, const char *title, const char *msg, const char *href,
                     const char *label)
{
	buf_reset(&r->out);
	r->status = status;
	r->no_etag = true;
	html_begin(r, title);
	buf_fmt(&r->out, "<h1>%h</h1>\n<p class=\"lead\">%h</p>\n<p><a href=\"%h\">%h</a></p>\n", title, msg, href,
	        label);
	html_end(r);
}

/* Validate an e-mail field into e. */
static void check_email(struct verrors *e, const char *email)
{
	if (!email || !*email)
		verrors_add(e, "validation.required", "email", "Indiquez votre adresse électronique.");
	else if (strlen(email) > 254)
		verrors_add(e, "validation.too_long", "email", "L'adresse électronique est trop longue (254 caractères au plus).");
	else if (!auth_email_ok(email))
		verrors_add(e, "validation.format", "email",
		            "L'adresse électronique n'est pas valide : elle doit avoir la forme nom@domaine.fr.");
}

/* Validate a new password and its confirmation into e (fields "password"
 * and "confirmation"). */
static void check_new_password(struct verrors *e, const char *pw, const char *pw2, const char *email)
{
	if (!pw || !*pw) {
		verrors_add(e, "validation.required", "password", "Choisissez un mot de passe.");
	} else {
		const char *problem = auth_password_problem(pw, email);
		if (problem) verrors_add(e, "validation.password", "password", "%s", problem);
	}
	if (!pw2 || !*pw2)
		verrors_add(e, "validation.required", "confirmation", "Saisissez le mot de passe une seconde fois.");
	else if (pw && strcmp(pw, pw2) != 0)
		verrors_add(e, "validation.mismatch", "confirmation", "Les deux mots de passe ne sont pas identiques.");
}

static const char PASSWORD_HELP[] =
    "12 caractères au moins. Une phrase de plusieurs mots est plus facile à retenir et plus sûre.";

/* The two new-password fields. */
static void new_password_fields(buf_t *b, const struct verrors *e)
{
	struct html_field fp = { .name = "password", .label = "Mot de passe", .type = "password",
		                 .autocomplete = "new-password", .maxlength = AUTH_PASSWORD_MAX, .required = true,
		                 .help = PASSWORD_HELP };
	html_input(b, &fp, e);
	struct html_field fc = { .name = "confirmation", .label = "Confirmation du mot de passe", .type = "password",
		                 .autocomplete = "new-password", .maxlength = AUTH_PASSWORD_MAX, .required = true };
	html_input(b, &fc, e);
}

/* ==== Sign-up ==== */

static void signup_form(struct req *r, const char *email, const char *name, const struct verrors *e,
                        const char *notice)
{
	bool err = (e && e->count) || notice;
	html_begin(r, err ? "Erreur : créer un compte" : "Créer un compte");
	buf_t *b = &r->out;
	buf_puts(b, "<h1>Créer un compte</h1>\n");
	if (notice) buf_fmt(b, "<div class=\"error-summary\" role=\"alert\"><p>%h</p></div>\n", notice);
	html_error_summary(b, e);
	buf_puts(b, "<p>Un compte permet de suivre vos signalements et, pour les agents des collectivités, "
	            "de demander à rejoindre leur organisation pour y rédiger des fiches. Nous vous envoyons "
	            "un lien pour confirmer votre adresse : le compte est créé quand vous l'ouvrez.</p>\n");
	html_form_begin(r, "/inscription", "form");
	struct html_field fe = { .name = "email", .label = "Adresse électronique", .type = "email",
		                 .value = email, .autocomplete = "email", .maxlength = 254, .required = true,
		                 .help = "Format attendu : nom@domaine.fr" };
	html_input(b, &fe, e);
	struct html_field fn = { .name = "name", .label = "Nom affiché", .value = name, .autocomplete = "name",
		                 .maxlength = NAME_MAX_CHARS,
		                 .help = "Facultatif, 100 caractères au plus. Visible des membres de vos organisations." };
	html_input(b, &fn, e);
	new_password_fields(b, e);
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Créer mon compte</button></div>\n</form>\n"
	            "<p>Déjà un compte ? <a href=\"/connexion\">Se connecter</a></p>\n");
	html_end(r);
}

int page_signup(struct req *r)
{
	if (r->viewer.user_id) {
		req_redirect(r, "/compte");
		return 0;
	}
	signup_form(r, NULL, NULL, NULL, NULL);
	return 0;
}

/* Delete sign-ups past their expiry (opportunistic). */
static void signup_cleanup(db_t *db)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM signup WHERE expires <= ?1");
	if (!st) return;
	db_bind_int(st, 1, now_unix());
	db_step_done(st);
}

int page_signup_post(struct req *r)
{
	if (r->viewer.user_id) {
		req_redirect(r, "/compte");
		return 0;
	}
	const char *email = req_form(r, "email");
	const char *name = req_form(r, "name");
	const char *pw = req_form(r, "password");
	const char *pw2 = req_form(r, "confirmation");
	struct verrors e = { 0 };
	check_email(&e, email);
	if (name && *name) {
		if (text_utf8_len(name, strlen(name)) > NAME_MAX_CHARS)
			verrors_add(&e, "validation.too_long", "name", "Le nom affiché est trop long (100 caractères au plus).");
		else if (strchr(name, '\n'))
			verrors_add(&e, "validation.format", "name", "Le nom affiché doit tenir sur une ligne.");
	}
	check_new_password(&e, pw, pw2, email);
	if (e.count) {
		r->status = 422;
		signup_form(r, email, name, &e, NULL);
		return 0;
	}
	char addr[64], key[256], msg[200];
	req_client_addr(r, addr, sizeof addr);
	account_fold(email, key, sizeof key);
	if (!account_throttle(r, "signup-addr", addr, THROTTLE_ADDR_MAX, THROTTLE_WINDOW, msg, sizeof msg) ||
	    !account_throttle(r, "signup-email", key, THROTTLE_EMAIL_MAX, THROTTLE_WINDOW, msg, sizeof msg)) {
		r->status = 429;
		signup_form(r, email, name, NULL, msg);
		return 0;
	}
	/* hashed whether or not the address has an account: same time either way */
	char hash[AUTH_HASH_MAX];
	if (auth_password_hash(pw, hash) < 0) {
		page_error(r, 503, "Le serveur est trop chargé pour créer un compte maintenant. Réessayez dans un instant.");
		return 0;
	}
	int64_t uid = 0;
	int rc = auth_user_by_email(r->db, email, &uid);
	if (rc < 0 || db_begin(r->db) < 0) goto fail;
	signup_cleanup(r->db);
	buf_t link = BUF_INIT;
	if (rc == 1) {
		outbox_link(&link, server_base_url(r->srv), "/mot-de-passe-oublie");
		char *txt = xasprintf("Bonjour,\n\nQuelqu'un (sans doute vous) a demandé à créer un compte IA·T avec cette "
		                      "adresse. Un compte existe déjà pour elle : connectez-vous, ou choisissez un "
		                      "nouveau mot de passe ici :\n%s\n\nSi vous n'êtes pas à l'origine de cette demande, "
		                      "ignorez ce message.\n",
		                      buf_cstr(&link));
		int orc = outbox_send(r->db, email, "Votre compte IA·T existe déjà", txt);
		free(txt);
		if (orc < 0) goto fail_tx;
	} else {
		char tok[ACCOUNT_TOKEN_LEN + 1];
		unsigned char h[32];
		account_token_new(tok, h);
		int64_t now = now_unix();
		sqlite3_stmt *st = db_stmt(r->db, "INSERT INTO signup(email, name, password_hash, token_hash, created, expires) "
		                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
		if (!st) goto fail_tx;
		db_bind_text(st, 1, email);
		db_bind_text(st, 2, name && *name ? name : NULL);
		db_bind_text(st, 3, hash);
		sqlite3_bind_blob(st, 4, h, sizeof h, SQLITE_TRANSIENT);
		db_bind_int(st, 5, now);
		db_bind_int(st, 6, now + SIGNUP_TTL);
		if (db_step_done(st) < 0) goto fail_tx;
		buf_t path = BUF_INIT;
		buf_fmt(&path, "/inscription/confirmer?jeton=%U", tok);
		outbox_link(&link, server_base_url(r->srv), buf_cstr(&path));
		buf_free(&path);
		char *txt = xasprintf("Bonjour,\n\nPour confirmer votre adresse et créer votre compte IA·T, ouvrez ce lien "
		                      "dans les 24 heures :\n%s\n\nSi vous n'êtes pas à l'origine de cette demande, "
		                      "ignorez ce message : aucun compte ne sera créé.\n",
		                      buf_cstr(&link));
		int orc = outbox_send_link(r->db, email, "Confirmez la création de votre compte IA·T", txt, buf_cstr(&link));
		free(txt);
		if (orc < 0) goto fail_tx;
	}
	if (db_commit(r->db) < 0) goto fail_tx;
	buf_free(&link);
	req_redirect(r, "/inscription/envoyee");
	return 0;
fail_tx:
	db_rollback(r->db);
	buf_free(&link);
fail:
	page_error(r, 500, "Erreur interne : la demande n'a pas pu être enregistrée.");
	return 0;
}

int page_signup_sent(struct req *r)
{
	html_begin(r, "Message envoyé");
	buf_puts(&r->out,
	         "<h1>Message envoyé</h1>\n"
	         "<p class=\"lead\">Un message vient d'être envoyé à l'adresse électronique que vous avez indiquée.</p>\n"
	         "<p>Ouvrez le lien qu'il contient dans les 24 heures pour confirmer votre adresse : votre compte "
	         "sera alors créé et vous serez connecté. Si vous ne le trouvez pas, regardez dans les courriers "
	         "indésirables.</p>\n"
	         "<p>Si un compte existait déjà pour cette adresse, le message le dit et propose de "
	         "<a href=\"/mot-de-passe-oublie\">choisir un nouveau mot de passe</a>.</p>\n");
	html_end(r);
	return 0;
}

int page_signup_confirm(struct req *r)
{
	unsigned char h[32];
	if (!account_token_hash(req_param(r, "jeton"), h)) {
		bad_link(r, 400, "Lien d'activation invalide",
		         "Ce lien d'activation est incomplet ou mal recopié. Copiez-le en entier depuis le message reçu.",
		         "/inscription", "Recommencer l'inscription");
		return 0;
	}
	sqlite3_stmt *st = db_stmt(r->db, "SELECT id, email, name, password_hash, expires FROM signup WHERE token_hash = ?1");
	if (!st) goto fail;
	sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		db_reset(st);
		if (rc != SQLITE_DONE) goto fail;
		bad_link(r, 410, "Lien d'activation expiré ou déjà utilisé",
		         "Ce lien d'activation n'est plus valable : il a déjà servi ou il a expiré (il vaut 24 heures). "
		         "Si votre compte est créé, connectez-vous ; sinon, recommencez l'inscription.",
		         "/inscription", "Recommencer l'inscription");
		return 0;
	}
	char *email = req_strdup(r, (const char *)sqlite3_column_text(st, 1));
	const char *nm = (const char *)sqlite3_column_text(st, 2);
	char *name = nm ? req_strdup(r, nm) : NULL;
	char *hash = req_strdup(r, (const char *)sqlite3_column_text(st, 3));
	int64_t expires = sqlite3_column_int64(st, 4);
	db_reset(st);
	if (expires <= now_unix()) {
		st = db_stmt(r->db, "DELETE FROM signup WHERE token_hash = ?1");
		if (st) {
			sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_TRANSIENT);
			db_step_done(st);
		}
		bad_link(r, 410, "Lien d'activation expiré ou déjà utilisé",
		         "Ce lien d'activation n'est plus valable : il a déjà servi ou il a expiré (il vaut 24 heures). "
		         "Recommencez l'inscription.",
		         "/inscription", "Recommencer l'inscription");
		return 0;
	}
	if (db_begin(r->db) < 0) goto fail;
	int64_t uid = 0;
	rc = auth_user_by_email(r->db, email, &uid);
	if (rc < 0) goto fail_tx;
	bool exists = rc == 1;
	if (!exists) {
		char ts[21];
		account_now(ts);
		st = db_stmt(r->db, "INSERT INTO user(email, name, password_hash, role, created_at, password_changed_at) "
		                    "VALUES (?1, ?2, ?3, 'citizen', ?4, ?4) RETURNING id");
		if (!st) goto fail_tx;
		db_bind_text(st, 1, email);
		db_bind_text(st, 2, name);
		db_bind_text(st, 3, hash);
		db_bind_text(st, 4, ts);
		if (db_one_int(st, &uid) != 1) goto fail_tx;
		char target[32];
		snprintf(target, sizeof target, "user:%lld", (long long)uid);
		if (auth_audit(r->db, uid, "user.signup", target, NULL) < 0) goto fail_tx;
	}
	st = db_stmt(r->db, "DELETE FROM signup WHERE email = ?1");
	if (!st) goto fail_tx;
	db_bind_text(st, 1, email);
	if (db_step_done(st) < 0) goto fail_tx;
	if (db_commit(r->db) < 0) goto fail_tx;
	if (exists) {
		bad_link(r, 409, "Ce compte existe déjà",
		         "Un compte existe déjà pour cette adresse électronique. Connectez-vous, ou choisissez un "
		         "nouveau mot de passe si vous l'avez oublié.",
		         "/connexion", "Se connecter");
		return 0;
	}
	if (account_sign_in(r, uid) < 0) goto fail;
	req_flash(r, "signed-up");
	req_redirect(r, "/compte");
	return 0;
fail_tx:
	db_rollback(r->db);
fail:
	page_error(r, 500, "Erreur interne : le compte n'a pas pu être créé.");
	return 0;
}

/* ==== Forgotten password ==== */

static void forgot_form(struct req *r, const char *email, const struct verrors *e, const char *notice)
{
	bool err = (e && e->count) || notice;
	html_begin(r, err ? "Erreur : mot de passe oublié" : "Mot de passe oublié");
	buf_t *b = &r->out;
	buf_puts(b, "<h1>Mot de passe oublié</h1>\n");
	if (notice) buf_fmt(b, "<div class=\"error-summary\" role=\"alert\"><p>%h</p></div>\n", notice);
	html_error_summary(b, e);
	buf_puts(b, "<p>Indiquez l'adresse électronique de votre compte : nous y envoyons un lien pour choisir un "
	            "nouveau mot de passe. Le lien est valable une heure et ne sert qu'une fois.</p>\n");
	html_form_begin(r, "/mot-de-passe-oublie", "form");
	struct html_field fe = { .name = "email", .label = "Adresse électronique", .type = "email",
		                 .value = email, .autocomplete = "email", .maxlength = 254, .required = true,
		                 .help = "Format attendu : nom@domaine.fr" };
	html_input(b, &fe, e);
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Recevoir un lien</button></div>\n</form>\n"
	            "<p><a href=\"/connexion\">Revenir à la connexion</a></p>\n");
	html_end(r);
}

int page_forgot(struct req *r)
{
	forgot_form(r, NULL, NULL, NULL);
	return 0;
}

int page_forgot_post(struct req *r)
{
	const char *email = req_form(r, "email");
	struct verrors e = { 0 };
	check_email(&e, email);
	if (e.count) {
		r->status = 422;
		forgot_form(r, email, &e, NULL);
		return 0;
	}
	char addr[64], key[256], msg[200];
	req_client_addr(r, addr, sizeof addr);
	account_fold(email, key, sizeof key);
	if (!account_throttle(r, "reset-addr", addr, THROTTLE_ADDR_MAX, THROTTLE_WINDOW, msg, sizeof msg) ||
	    !account_throttle(r, "reset-email", key, THROTTLE_EMAIL_MAX, THROTTLE_WINDOW, msg, sizeof msg)) {
		r->status = 429;
		forgot_form(r, email, NULL, msg);
		return 0;
	}
	sqlite3_stmt *st = db_stmt(r->db, "SELECT id, email FROM user WHERE email = ?1 AND disabled = 0");
	if (!st) goto fail;
	db_bind_text(st, 1, email);
	int rc = sqlite3_step(st);
	int64_t uid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	char *to = rc == SQLITE_ROW ? req_strdup(r, (const char *)sqlite3_column_text(st, 1)) : NULL;
	db_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) goto fail;
	if (uid) {
		char tok[ACCOUNT_TOKEN_LEN + 1];
		unsigned char h[32];
		account_token_new(tok, h);
		int64_t now = now_unix();
		if (db_begin(r->db) < 0) goto fail;
		st = db_stmt(r->db, "INSERT INTO password_reset(user_id, token_hash, created, expires) VALUES (?1, ?2, ?3, ?4)");
		if (!st) goto fail_tx;
		db_bind_int(st, 1, uid);
		sqlite3_bind_blob(st, 2, h, sizeof h, SQLITE_TRANSIENT);
		db_bind_int(st, 3, now);
		db_bind_int(st, 4, now + RESET_TTL);
		if (db_step_done(st) < 0) goto fail_tx;
		buf_t path = BUF_INIT, link = BUF_INIT;
		buf_fmt(&path, "/reinitialisation?jeton=%U", tok);
		outbox_link(&link, server_base_url(r->srv), buf_cstr(&path));
		char *txt = xasprintf("Bonjour,\n\nPour choisir un nouveau mot de passe pour votre compte IA·T, ouvrez ce "
		                      "lien dans l'heure qui vient (il ne sert qu'une fois) :\n%s\n\nSi vous n'êtes pas "
		                      "à l'origine de cette demande, ignorez ce message : votre mot de passe ne change "
		                      "pas.\n",
		                      buf_cstr(&link));
		int orc = outbox_send_link(r->db, to, "Réinitialisation de votre mot de passe IA·T", txt, buf_cstr(&link));
		free(txt);
		buf_free(&path);
		buf_free(&link);
		char target[32];
		snprintf(target, sizeof target, "user:%lld", (long long)uid);
		if (orc < 0 || auth_audit(r->db, uid, "user.reset_request", target, NULL) < 0 || db_commit(r->db) < 0)
			goto fail_tx;
	}
	req_flash(r, "reset-sent");
	req_redirect(r, "/connexion");
	return 0;
fail_tx:
	db_rollback(r->db);
fail:
	page_error(r, 500, "Erreur interne : la demande n'a pas pu être enregistrée.");
	return 0;
}

/* The account of a usable reset token: 1 (and *uid, *email owned by r),
 * 0 none, -1 error. */
static int reset_lookup(struct req *r, const unsigned char h[32], int64_t *uid, const char **email)
{
	sqlite3_stmt *st = db_stmt(r->db, "SELECT u.id, u.email FROM password_reset p JOIN user u ON u.id = p.user_id "
	                                  "WHERE p.token_hash = ?1 AND p.used IS NULL AND p.expires > ?2 AND u.disabled = 0");
	if (!st) return -1;
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_TRANSIENT);
	db_bind_int(st, 2, now_unix());
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*uid = sqlite3_column_int64(st, 0);
		*email = req_strdup(r, (const char *)sqlite3_column_text(st, 1));
	}
	db_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static void reset_form(struct req *r, const char *tok, const struct verrors *e)
{
	html_begin(r, e && e->count ? "Erreur : nouveau mot de passe" : "Nouveau mot de passe");
	buf_t *b = &r->out;
	buf_puts(b, "<h1>Choisir un nouveau mot de passe</h1>\n");
	html_error_summary(b, e);
	buf_puts(b, "<p>Après ce changement, toutes les sessions ouvertes avec votre compte sont fermées : "
	            "vous vous reconnecterez avec le nouveau mot de passe.</p>\n");
	html_form_begin(r, "/reinitialisation", "form");
	buf_fmt(b, "<input type=\"hidden\" name=\"jeton\" value=\"%h\">\n", tok);
	new_password_fields(b, e);
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Enregistrer le mot de passe</button></div>\n</form>\n");
	html_end(r);
}

static void reset_bad_link(struct req *r, bool malformed)
{
	if (malformed)
		bad_link(r, 400, "Lien de réinitialisation invalide",
		         "Ce lien de réinitialisation est incomplet ou mal recopié. Copiez-le en entier depuis le "
		         "message reçu, ou demandez-en un nouveau.",
		         "/mot-de-passe-oublie", "Demander un nouveau lien");
	else
		bad_link(r, 410, "Lien de réinitialisation expiré ou déjà utilisé",
		         "Ce lien de réinitialisation n'est plus valable : il a déjà servi ou il a expiré (il vaut "
		         "une heure). Demandez-en un nouveau.",
		         "/mot-de-passe-oublie", "Demander un nouveau lien");
}

/* Check the one-time link's token: 1 valid (*uid, *email set), 0 when the
 * reply is made (bad link page or error). */
static int reset_check(struct req *r, const char *tok, int64_t *uid, const char **email)
{
	unsigned char h[32];
	if (!account_token_hash(tok, h)) {
		reset_bad_link(r, true);
		return 0;
	}
	int rc = reset_lookup(r, h, uid, email);
	if (rc < 0) page_error(r, 500, "Erreur interne.");
	else if (rc == 0) reset_bad_link(r, false);
	return rc > 0;
}

int page_reset(struct req *r)
{
	const char *tok = req_param(r, "jeton");
	int64_t uid;
	const char *email;
	if (!reset_check(r, tok, &uid, &email)) return 0;
	r->no_etag = true;
	reset_form(r, tok, NULL);
	return 0;
}

int page_reset_post(struct req *r)
{
	const char *tok = req_form(r, "jeton");
	int64_t uid;
	const char *email;
	if (!reset_check(r, tok, &uid, &email)) return 0;
	const char *pw = req_form(r, "password");
	const char *pw2 = req_form(r, "confirmation");
	struct verrors e = { 0 };
	check_new_password(&e, pw, pw2, email);
	if (e.count) {
		r->status = 422;
		reset_form(r, tok, &e);
		return 0;
	}
	if (db_begin(r->db) < 0) goto fail;
	if (auth_password_set(r->db, uid, pw) < 0) goto fail_tx;
	sqlite3_stmt *st = db_stmt(r->db, "UPDATE password_reset SET used = ?2 WHERE user_id = ?1 AND used IS NULL");
	if (!st) goto fail_tx;
	db_bind_int(st, 1, uid);
	db_bind_int(st, 2, now_unix());
	if (db_step_done(st) < 0) goto fail_tx;
	if (session_destroy_user(r->db, uid, NULL) < 0) goto fail_tx;
	char target[32];
	snprintf(target, sizeof target, "user:%lld", (long long)uid);
	if (auth_audit(r->db, uid, "user.password_reset", target, NULL) < 0) goto fail_tx;
	if (db_commit(r->db) < 0) goto fail_tx;
	char key[256];
	account_fold(email, key, sizeof key);
	server_throttle_clear(r->srv, "signin-acct", key);
	if (r->viewer.user_id == uid) req_set_cookie(r, SESSION_COOKIE, "x", 0);
	req_flash(r, "password-reset");
	req_redirect(r, "/connexion");
	return 0;
fail_tx:
	db_rollback(r->db);
fail:
	page_error(r, 500, "Erreur interne : le mot de passe n'a pas pu être changé.");
	return 0;
}
