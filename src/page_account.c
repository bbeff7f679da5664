/*
 * page_account.c — signing in and out (GET/POST /connexion, POST
 * /deconnexion).
 *
 * Design notes
 * - Sign-in never tells whether an e-mail has an account: one message for
 *   an unknown e-mail and a wrong password, and the same time spent
 *   (auth_password_check() verifies a dummy hash for unknown e-mails).
 * - Throttling (in memory, server_throttle()): per address, 20 attempts
 *   per 15 minutes; per account (the e-mail as typed, case-folded), 5
 *   attempts per 15 minutes, cleared by a successful sign-in. An unknown
 *   e-mail is throttled exactly like a known one, so the limit reveals
 *   nothing either.
 * - A successful sign-in always creates a new session (no fixation) and
 *   ends the one the browser had. The return address (?retour= or the form
 *   field "retour") must be a local path (http_local_path_ok()).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "model.h"
#include "pages.h"
#include "session.h"
#include "util.h"

#define SIGNIN_ADDR_MAX 20
#define SIGNIN_ACCT_MAX 5
#define SIGNIN_WINDOW (15 * 60)

static void signin_form(struct req *r, const char *email, const char *retour, const struct verrors *e,
                        const char *notice)
{
	html_begin(r, e && e->count ? "Erreur : se connecter" : "Se connecter");
	buf_t *b = &r->out;
	buf_puts(b, "<h1>Se connecter</h1>\n");
	if (notice) buf_fmt(b, "<div class=\"error-summary\" role=\"alert\"><p>%h</p></div>\n", notice);
	html_error_summary(b, e);
	buf_puts(b, "<p>La connexion est réservée aux personnes qui ont un compte : agents des collectivités, "
	            "équipe de l'observatoire, et toute personne inscrite pour suivre ses signalements.</p>\n");
	html_form_begin(r, "/connexion", "form");
	if (retour) buf_fmt(b, "<input type=\"hidden\" name=\"retour\" value=\"%h\">\n", retour);
	struct html_field fe = { .name = "email", .label = "Adresse électronique", .type = "email",
		                 .value = email, .autocomplete = "email", .maxlength = 254, .required = true,
		                 .help = "Format attendu : nom@domaine.fr" };
	html_input(b, &fe, e);
	struct html_field fp = { .name = "password", .label = "Mot de passe", .type = "password",
		                 .autocomplete = "current-password", .maxlength = 256, .required = true };
	html_input(b, &fp, e);
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Se connecter</button></div>\n</form>\n"
	            "<p><a href=\"/mot-de-passe-oublie\">Mot de passe oublié ?</a></p>\n"
	            "<p>Pas encore de compte ? <a href=\"/inscription\">Créer un compte</a></p>\n");
	html_end(r);
}

static const char *clean_retour(const char *retour)
{
	return retour && http_local_path_ok(retour) ? retour : NULL;
}

int page_signin(struct req *r)
{
	if (r->viewer.user_id) {
		const char *to = clean_retour(req_param(r, "retour"));
		req_redirect(r, to ? to : "/compte");
		return 0;
	}
	signin_form(r, NULL, clean_retour(req_param(r, "retour")), NULL, NULL);
	return 0;
}

int page_signin_post(struct req *r)
{
	const char *email = req_form(r, "email");
	const char *pw = req_form(r, "password");
	const char *retour = clean_retour(req_form(r, "retour"));
	struct verrors e = { 0 };
	if (!email || !*email)
		verrors_add(&e, "validation.required", "email", "Indiquez votre adresse électronique.");
	else if (strlen(email) > 254)
		verrors_add(&e, "validation.too_long", "email", "L'adresse électronique est trop longue (254 caractères au plus).");
	if (!pw || !*pw) verrors_add(&e, "validation.required", "password", "Indiquez votre mot de passe.");
	else if (strlen(pw) > AUTH_PASSWORD_MAX)
		verrors_add(&e, "validation.too_long", "password", "Le mot de passe est trop long (256 octets au plus).");
	if (e.count) {
		r->status = 422;
		signin_form(r, email, retour, &e, NULL);
		return 0;
	}
	char addr[64], acct[256];
	req_client_addr(r, addr, sizeof addr);
	size_t n = 0;
	for (const char *p = email; *p && n + 1 < sizeof acct; p++) acct[n++] = (char)tolower((unsigned char)*p);
	acct[n] = 0;
	int retry_a = 0, retry_b = 0;
	bool ok_addr = server_throttle(r->srv, "signin-addr", addr, SIGNIN_ADDR_MAX, SIGNIN_WINDOW, &retry_a);
	bool ok_acct = ok_addr && server_throttle(r->srv, "signin-acct", acct, SIGNIN_ACCT_MAX, SIGNIN_WINDOW, &retry_b);
	if (!ok_addr || !ok_acct) {
		int retry = !ok_addr ? retry_a : retry_b;
		char ra[16], msg[200];
		snprintf(ra, sizeof ra, "%d", retry);
		req_add_header(r, "Retry-After", ra);
		snprintf(msg, sizeof msg,
		         "Trop de tentatives de connexion en peu de temps. Par sécurité, réessayez dans %d minute%s.",
		         (retry + 59) / 60, (retry + 59) / 60 > 1 ? "s" : "");
		log_warn("connexion freinée (%s)", !ok_addr ? "adresse" : "compte");
		r->status = 429;
		signin_form(r, email, retour, NULL, msg);
		return 0;
	}
	int64_t uid = 0;
	int rc = auth_password_check(r->db, email, pw, &uid);
	if (rc < 0) {
		page_error(r, 500, "Erreur interne.");
		return 0;
	}
	if (rc == 0) {
		verrors_add(&e, "auth.bad_credentials", "email",
		            "Adresse électronique ou mot de passe incorrect.");
		r->status = 422;
		signin_form(r, email, retour, &e, NULL);
		return 0;
	}
	server_throttle_clear(r->srv, "signin-acct", acct);
	if (r->session_token) session_destroy(r->db, r->session_token);
	char tok[SESSION_TOKEN_MAX];
	if (session_create(r->db, uid, addr, tok) < 0) {
		page_error(r, 500, "Erreur interne.");
		return 0;
	}
	sqlite3_stmt *st = db_stmt(r->db, "UPDATE user SET last_login_at = ?2 WHERE id = ?1");
	if (st) {
		char ts[21];
		iso8601_utc(now_unix(), ts);
		db_bind_int(st, 1, uid);
		db_bind_text(st, 2, ts);
		db_step_done(st);
	}
	req_set_cookie(r, SESSION_COOKIE, tok, -1);
	req_flash(r, "signed-in");
	req_redirect(r, retour ? retour : "/compte");
	return 0;
}

int page_signout(struct req *r)
{
	if (r->session_token) session_destroy(r->db, r->session_token);
	req_set_cookie(r, SESSION_COOKIE, "x", 0);
	req_flash(r, "signed-out");
	req_redirect(r, "/");
	return 0;
}
