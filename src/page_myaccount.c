/*
 * page_myaccount.c — the signed-in person's own account:
 *   GET /compte, GET/POST /compte/mot-de-passe, GET /compte/donnees,
 *   GET/POST /compte/supprimer, POST /compte/adhesions/{id}/annuler.
 *
 * Design notes
 * - Every route here requires CAP_USER (the router redirects anonymous
 *   visitors to /connexion); each acts only on r->viewer.user_id, so no
 *   right other than "signed in" is involved.
 * - Typing the current password is required to change it and to delete
 *   the account. Those checks are throttled per account (5 per 15
 *   minutes), like sign-in, so a session left open cannot be used to
 *   guess the password.
 * - Changing the password ends the account's other sessions (the current
 *   one stays).
 * - "My data" (right of access and portability, RGPD art. 15 and 20) is a
 *   JSON download of everything stored about the account: the account
 *   (without the password hash), memberships, join requests, sessions
 *   (times and address, never the token), API tokens (label and dates,
 *   never the token) and the audit entries by or about the account.
 * - Deletion (right to erasure, art. 17) anonymises the row instead of
 *   deleting it, because record versions and audit entries refer to it:
 *   e-mail "supprime-ID@invalid", no name, no password, disabled. Its
 *   memberships, sessions, pending requests, reset links and API tokens
 *   go; messages of the outbox to the address are deleted; audit entries
 *   naming the address are rewritten with the anonymous one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "auth.h"
#include "jsonw.h"
#include "model.h"
#include "pages.h"
#include "session.h"
#include "util.h"

#define PWCHECK_MAX 5
#define PWCHECK_WINDOW (15 * 60)

struct me {
	const char *email;
	const char *name;
	const char *role;
	const char *created_at;
};

/* Load the viewer's own row into *m (strings owned by r). 1/0/-1. */
static int me_load(struct req *r, struct me *m)
{
	sqlite3_stmt *st = db_stmt(r->db, "SELECT email, name, role, created_at FROM user WHERE id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, r->viewer.user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		m->email = req_strdup(r, (const char *)sqlite3_column_text(st, 0));
		const char *n = (const char *)sqlite3_column_text(st, 1);
		m->name = n ? req_strdup(r, n) : NULL;
		m->role = req_strdup(r, (const char *)sqlite3_column_text(st, 2));
		m->created_at = req_strdup(r, (const char *)sqlite3_column_text(st, 3));
	}
	db_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static void target_of(int64_t uid, char out[32])
{
	snprintf(out, 32, "user:%lld", (long long)uid);
}

/* Check the viewer's password (throttled). 1 right, 0 wrong (error added
 * to e on field), -1 error; a throttled attempt sets *throttled_msg. */
static int check_current(struct req *r, const char *email, const char *pw, const char *field, struct verrors *e,
                         char *msg, size_t msgsz, bool *throttled)
{
	*throttled = false;
	if (!pw || !*pw) {
		verrors_add(e, "validation.required", field, "Indiquez votre mot de passe actuel.");
		return 0;
	}
	if (strlen(pw) > AUTH_PASSWORD_MAX) {
		verrors_add(e, "auth.bad_password", field, "Le mot de passe actuel est incorrect.");
		return 0;
	}
	char key[32];
	snprintf(key, sizeof key, "%lld", (long long)r->viewer.user_id);
	if (!account_throttle(r, "pwcheck", key, PWCHECK_MAX, PWCHECK_WINDOW, msg, msgsz)) {
		*throttled = true;
		return 0;
	}
	int64_t uid = 0;
	int rc = auth_password_check(r->db, email, pw, &uid);
	if (rc < 0) return -1;
	if (rc == 0 || uid != r->viewer.user_id) {
		verrors_add(e, "auth.bad_password", field, "Le mot de passe actuel est incorrect.");
		return 0;
	}
	server_throttle_clear(r->srv, "pwcheck", key);
	return 1;
}

/* ==== GET /compte ==== */

static int memberships_section(struct req *r, buf_t *b)
{
	sqlite3_stmt *st = db_stmt(r->db,
	    "SELECT o.kind || '-' || coalesce(o.code, o.siren, ''), o.name, m.role, m.created_at "
	    "FROM membership m JOIN organisation o ON o.id = m.org_id WHERE m.user_id = ?1 ORDER BY o.name");
	if (!st) return -1;
	db_bind_int(st, 1, r->viewer.user_id);
	buf_puts(b, "<section aria-labelledby=\"titre-orgs\">\n<h2 id=\"titre-orgs\">Mes organisations</h2>\n");
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			buf_puts(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Tableau (défilement horizontal possible)\"><table class=\"data\">\n<caption>Organisations dont vous êtes "
			            "membre</caption>\n<thead><tr><th scope=\"col\">Organisation</th><th scope=\"col\">Rôle</th>"
			            "<th scope=\"col\">Depuis le</th><th scope=\"col\">Membres</th></tr></thead>\n<tbody>\n");
		const char *key = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		buf_fmt(b, "<tr><th scope=\"row\"><a href=\"/organisations/%U\">%h</a></th><td>%h</td><td>", key, name,
		        account_role_label((const char *)sqlite3_column_text(st, 2), true));
		html_time(b, (const char *)sqlite3_column_text(st, 3));
		buf_fmt(b, "</td><td><a href=\"/organisations/%U/membres\">Membres de %h</a></td></tr>\n", key, name);
	}
	db_reset(st);
	if (rc != SQLITE_DONE) return -1;
	if (n) buf_puts(b, "</tbody>\n</table></div>\n");
	else buf_puts(b, "<p>Vous n'êtes membre d'aucune organisation.</p>\n");
	buf_puts(b, "<p><a href=\"/compte/rejoindre\">Demander à rejoindre une organisation</a></p>\n</section>\n");
	return 0;
}

static int requests_section(struct req *r, buf_t *b)
{
	sqlite3_stmt *st = db_stmt(r->db,
	    "SELECT j.id, o.kind || '-' || coalesce(o.code, o.siren, ''), o.name, j.created_at "
	    "FROM join_request j JOIN organisation o ON o.id = j.org_id "
	    "WHERE j.user_id = ?1 AND j.state = 'pending' ORDER BY j.id");
	if (!st) return -1;
	db_bind_int(st, 1, r->viewer.user_id);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			buf_puts(b, "<section aria-labelledby=\"titre-demandes\">\n<h2 id=\"titre-demandes\">Mes demandes "
			            "d'adhésion en attente</h2>\n<ul class=\"requests\">\n");
		int64_t id = sqlite3_column_int64(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 2);
		buf_fmt(b, "<li><a href=\"/organisations/%U\">%h</a>, demande du ", (const char *)sqlite3_column_text(st, 1),
		        name);
		html_time(b, (const char *)sqlite3_column_text(st, 3));
		buf_fmt(b, " <form class=\"inline\" method=\"post\" action=\"/compte/adhesions/%D/annuler\">"
		           "<input type=\"hidden\" name=\"csrf\" value=\"%h\">"
		           "<button type=\"submit\" class=\"button-secondary\">Annuler la demande"
		           "<span class=\"visually-hidden\"> pour %h</span></button></form></li>\n",
		        id, req_csrf(r), name);
	}
	db_reset(st);
	if (rc != SQLITE_DONE) return -1;
	if (n) buf_puts(b, "</ul>\n</section>\n");
	return 0;
}

int page_account(struct req *r)
{
	struct me m = { 0 };
	if (me_load(r, &m) <= 0) {
		page_error(r, 500, "Votre compte n'a pas pu être lu.");
		return 0;
	}
	r->no_etag = true;
	html_begin(r, "Mon compte");
	buf_t *b = &r->out;
	buf_puts(b, "<h1>Mon compte</h1>\n<dl class=\"facts\">\n");
	buf_fmt(b, "<div><dt>Adresse électronique</dt><dd>%h</dd></div>\n", m.email);
	buf_fmt(b, "<div><dt>Nom affiché</dt><dd>%h</dd></div>\n", m.name ? m.name : "(non renseigné)");
	buf_fmt(b, "<div><dt>Rôle</dt><dd>%h</dd></div>\n", account_role_label(m.role, false));
	buf_puts(b, "<div><dt>Compte créé le</dt><dd>");
	html_time(b, m.created_at);
	buf_puts(b, "</dd></div>\n</dl>\n");
	size_t mark = b->len;
	if (memberships_section(r, b) < 0 || requests_section(r, b) < 0) {
		b->len = mark;
		page_error(r, 500, "Vos organisations n'ont pas pu être lues.");
		return 0;
	}
	buf_puts(b, "<section aria-labelledby=\"titre-gerer\">\n<h2 id=\"titre-gerer\">Gérer mon compte</h2>\n<ul>\n"
	            "<li><a href=\"/compte/mot-de-passe\">Changer mon mot de passe</a></li>\n"
	            "<li><a href=\"/compte/rejoindre\">Rejoindre une organisation</a></li>\n"
	            "<li><a href=\"/compte/donnees\" download>Télécharger mes données (JSON)</a></li>\n"
	            "<li><a href=\"/compte/supprimer\">Supprimer mon compte</a></li>\n"
	            "</ul>\n</section>\n");
	html_end(r);
	return 0;
}

/* ==== Password change ==== */

static void password_form(struct req *r, const struct verrors *e, const char *notice)
{
	bool err = (e && e->count) || notice;
	html_begin(r, err ? "Erreur : changer mon mot de passe" : "Changer mon mot de passe");
	buf_t *b = &r->out;
	buf_puts(b, "<h1>Changer mon mot de passe</h1>\n");
	if (notice) buf_fmt(b, "<div class=\"error-summary\" role=\"alert\"><p>%h</p></div>\n", notice);
	html_error_summary(b, e);
	buf_puts(b, "<p>Vos autres sessions ouvertes (sur d'autres appareils ou navigateurs) seront fermées.</p>\n");
	html_form_begin(r, "/compte/mot-de-passe", "form");
	struct html_field fcur = { .name = "current", .label = "Mot de passe actuel", .type = "password",
		                   .autocomplete = "current-password", .maxlength = AUTH_PASSWORD_MAX, .required = true };
	html_input(b, &fcur, e);
	struct html_field fp = { .name = "password", .label = "Nouveau mot de passe", .type = "password",
		                 .autocomplete = "new-password", .maxlength = AUTH_PASSWORD_MAX, .required = true,
		                 .help = "12 caractères au moins. Une phrase de plusieurs mots est plus facile à "
		                         "retenir et plus sûre." };
	html_input(b, &fp, e);
	struct html_field fc = { .name = "confirmation", .label = "Confirmation du nouveau mot de passe",
		                 .type = "password", .autocomplete = "new-password", .maxlength = AUTH_PASSWORD_MAX,
		                 .required = true };
	html_input(b, &fc, e);
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Changer le mot de passe</button>"
	            " <a href=\"/compte\">Annuler</a></div>\n</form>\n");
	html_end(r);
}

int page_password(struct req *r)
{
	password_form(r, NULL, NULL);
	return 0;
}

int page_password_post(struct req *r)
{
	struct me m = { 0 };
	if (me_load(r, &m) <= 0) goto fail;
	const char *cur = req_form(r, "current");
	const char *pw = req_form(r, "password");
	const char *pw2 = req_form(r, "confirmation");
	struct verrors e = { 0 };
	if (!pw || !*pw) {
		verrors_add(&e, "validation.required", "password", "Choisissez un nouveau mot de passe.");
	} else {
		const char *problem = auth_password_problem(pw, m.email);
		if (problem) verrors_add(&e, "validation.password", "password", "%s", problem);
		else if (cur && strcmp(cur, pw) == 0)
			verrors_add(&e, "validation.unchanged", "password", "Le nouveau mot de passe doit différer de l'actuel.");
	}
	if (!pw2 || !*pw2)
		verrors_add(&e, "validation.required", "confirmation", "Saisissez le nouveau mot de passe une seconde fois.");
	else if (pw && strcmp(pw, pw2) != 0)
		verrors_add(&e, "validation.mismatch", "confirmation", "Les deux nouveaux mots de passe ne sont pas identiques.");
	char msg[200];
	bool throttled = false;
	/* the current password is checked last, and only when the rest is right */
	if (e.count == 0) {
		int rc = check_current(r, m.email, cur, "current", &e, msg, sizeof msg, &throttled);
		if (rc < 0) goto fail;
	}
	if (throttled) {
		r->status = 429;
		password_form(r, NULL, msg);
		return 0;
	}
	if (e.count) {
		r->status = 422;
		password_form(r, &e, NULL);
		return 0;
	}
	char target[32];
	target_of(r->viewer.user_id, target);
	if (db_begin(r->db) < 0) goto fail;
	if (auth_password_set(r->db, r->viewer.user_id, pw) < 0 ||
	    session_destroy_user(r->db, r->viewer.user_id, r->session_token) < 0 ||
	    auth_audit(r->db, r->viewer.user_id, "user.password", target, NULL) < 0 || db_commit(r->db) < 0) {
		db_rollback(r->db);
		goto fail;
	}
	req_flash(r, "password-changed");
	req_redirect(r, "/compte");
	return 0;
fail:
	page_error(r, 500, "Erreur interne : le mot de passe n'a pas pu être changé.");
	return 0;
}

/* ==== GET /compte/donnees ==== */

/* Write the rows of st (bound, not stepped) as an array of objects with
 * these keys (column i → keys[i]; integer columns stay numbers). */
static int rows_json(jsonw_t *w, sqlite3_stmt *st, const char *const *keys, int nkeys)
{
	jw_arr(w);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		jw_obj(w);
		for (int i = 0; i < nkeys; i++) {
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL: jw_knull(w, keys[i]); break;
			case SQLITE_INTEGER: jw_kint(w, keys[i], sqlite3_column_int64(st, i)); break;
			default: jw_kstr(w, keys[i], (const char *)sqlite3_column_text(st, i)); break;
			}
		}
		jw_obj_end(w);
	}
	db_reset(st);
	jw_arr_end(w);
	return rc == SQLITE_DONE ? 0 : -1;
}

int page_mydata(struct req *r)
{
	int64_t uid = r->viewer.user_id;
	sqlite3_stmt *st = db_stmt(r->db, "SELECT id, email, name, role, created_at, last_login_at, password_changed_at "
	                                  "FROM user WHERE id = ?1");
	if (!st) goto fail;
	db_bind_int(st, 1, uid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_reset(st);
		goto fail;
	}
	char *email = req_strdup(r, (const char *)sqlite3_column_text(st, 1));
	db_reset(st);

	buf_t *b = &r->out;
	jsonw_t w;
	jw_init(&w, b);
	jw_obj(&w);
	char ts[21];
	account_now(ts);
	jw_kstr(&w, "generated_at", ts);
	jw_kstr(&w, "site", "IA·T — Intelligences Associées des Territoires");

	static const char *const acct_keys[] = { "id", "email", "name", "role", "created_at", "last_login_at",
		                                 "password_changed_at" };
	jw_key(&w, "account");
	st = db_stmt(r->db, "SELECT id, email, name, role, created_at, last_login_at, password_changed_at "
	                    "FROM user WHERE id = ?1");
	if (!st) goto fail;
	db_bind_int(st, 1, uid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_reset(st);
		goto fail;
	}
	jw_obj(&w);
	for (int i = 0; i < 7; i++) {
		if (sqlite3_column_type(st, i) == SQLITE_NULL) jw_knull(&w, acct_keys[i]);
		else if (i == 0) jw_kint(&w, acct_keys[i], sqlite3_column_int64(st, i));
		else jw_kstr(&w, acct_keys[i], (const char *)sqlite3_column_text(st, i));
	}
	jw_obj_end(&w);
	db_reset(st);

	static const char *const mem_keys[] = { "organisation", "organisation_name", "role", "since" };
	jw_key(&w, "memberships");
	st = db_stmt(r->db, "SELECT o.kind || '-' || coalesce(o.code, o.siren, ''), o.name, m.role, m.created_at "
	                    "FROM membership m JOIN organisation o ON o.id = m.org_id WHERE m.user_id = ?1 ORDER BY o.name");
	if (!st) goto fail;
	db_bind_int(st, 1, uid);
	if (rows_json(&w, st, mem_keys, 4) < 0) goto fail;

	static const char *const req_keys[] = { "id", "organisation", "organisation_name", "state", "message",
		                                "created_at", "decided_at" };
	jw_key(&w, "join_requests");
	st = db_stmt(r->db, "SELECT j.id, o.kind || '-' || coalesce(o.code, o.siren, ''), o.name, j.state, j.message, "
	                    "j.created_at, j.decided_at FROM join_request j JOIN organisation o ON o.id = j.org_id "
	                    "WHERE j.user_id = ?1 ORDER BY j.id");
	if (!st) goto fail;
	db_bind_int(st, 1, uid);
	if (rows_json(&w, st, req_keys, 7) < 0) goto fail;

	static const char *const ses_keys[] = { "created", "last_seen", "expires", "address" };
	jw_key(&w, "sessions");
	st = db_stmt(r->db, "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', created, 'unixepoch'), "
	                    "strftime('%Y-%m-%dT%H:%M:%SZ', last_seen, 'unixepoch'), "
	                    "strftime('%Y-%m-%dT%H:%M:%SZ', min(abs_expires, last_seen + ?2), 'unixepoch'), addr "
	                    "FROM session WHERE user_id = ?1 ORDER BY id");
	if (!st) goto fail;
	db_bind_int(st, 1, uid);
	db_bind_int(st, 2, SESSION_IDLE);
	if (rows_json(&w, st, ses_keys, 4) < 0) goto fail;

	static const char *const tok_keys[] = { "label", "created_at", "revoked_at" };
	jw_key(&w, "api_tokens");
	st = db_stmt(r->db, "SELECT label, created_at, revoked_at FROM api_token WHERE user_id = ?1 ORDER BY id");
	if (!st) goto fail;
	db_bind_int(st, 1, uid);
	if (rows_json(&w, st, tok_keys, 3) < 0) goto fail;

	static const char *const aud_keys[] = { "at", "by_you", "action", "target", "detail" };
	jw_key(&w, "audit");
	char target[32], pat[48];
	target_of(uid, target);
	snprintf(pat, sizeof pat, "%% user=%lld %%", (long long)uid);
	st = db_stmt(r->db, "SELECT at, user_id = ?1, action, target, detail FROM audit "
	                    "WHERE user_id = ?1 OR target = ?2 OR target = ?3 COLLATE NOCASE "
	                    "OR (' ' || detail || ' ') LIKE ?4 ORDER BY id");
	if (!st) goto fail;
	db_bind_int(st, 1, uid);
	db_bind_text(st, 2, target);
	db_bind_text(st, 3, email);
	db_bind_text(st, 4, pat);
	if (rows_json(&w, st, aud_keys, 5) < 0) goto fail;
	jw_obj_end(&w);
	buf_putc(b, '\n');

	r->content_type = "application/json; charset=utf-8";
	r->no_etag = true;
	req_add_header(r, "Content-Disposition", "attachment; filename=\"mes-donnees-iat.json\"");
	return 0;
fail:
	page_error(r, 500, "Erreur interne : vos données n'ont pas pu être rassemblées.");
	return 0;
}

/* ==== Deleting the account ==== */

static void delete_form(struct req *r, const struct verrors *e, const char *notice)
{
	bool err = (e && e->count) || notice;
	html_begin(r, err ? "Erreur : supprimer mon compte" : "Supprimer mon compte");
	buf_t *b = &r->out;
	buf_puts(b, "<h1>Supprimer mon compte</h1>\n");
	if (notice) buf_fmt(b, "<div class=\"error-summary\" role=\"alert\"><p>%h</p></div>\n", notice);
	html_error_summary(b, e);
	buf_puts(b, "<p>La suppression est définitive. Votre adresse électronique, votre nom et votre mot de passe "
	            "sont effacés ; vous quittez vos organisations ; vos demandes d'adhésion en attente, vos "
	            "sessions et vos jetons d'API sont supprimés. Les fiches que vous avez rédigées restent "
	            "publiées au nom de leur organisation ; leur historique mentionnera un compte supprimé.</p>\n"
	            "<p>Vous pouvez d'abord <a href=\"/compte/donnees\" download>télécharger vos données</a>.</p>\n");
	/* organisations where the viewer is the last referent */
	sqlite3_stmt *st = db_stmt(r->db,
	    "SELECT o.kind || '-' || coalesce(o.code, o.siren, ''), o.name FROM membership m "
	    "JOIN organisation o ON o.id = m.org_id WHERE m.user_id = ?1 AND m.role = 'referent' "
	    "AND NOT EXISTS (SELECT 1 FROM membership m2 JOIN user u ON u.id = m2.user_id "
	    "WHERE m2.org_id = m.org_id AND m2.role = 'referent' AND m2.user_id <> ?1 AND u.disabled = 0) "
	    "ORDER BY o.name");
	if (st) {
		db_bind_int(st, 1, r->viewer.user_id);
		int n = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (n++ == 0)
				buf_puts(b, "<div class=\"notice\" role=\"note\">\n<p class=\"notice-title\">Vous êtes le dernier "
				            "référent de :</p>\n<ul>\n");
			buf_fmt(b, "<li><a href=\"/organisations/%U\">%h</a></li>\n", (const char *)sqlite3_column_text(st, 0),
			        (const char *)sqlite3_column_text(st, 1));
		}
		db_reset(st);
		if (n)
			buf_puts(b, "</ul>\n<p>Vous pouvez quand même supprimer votre compte, mais ces organisations n'auront "
			            "plus de référent pour accepter des membres et publier des fiches, jusqu'à ce que l'équipe "
			            "de l'observatoire en désigne un. Si vous le pouvez, nommez d'abord un autre référent "
			            "depuis la page des membres.</p>\n</div>\n");
	}
	html_form_begin(r, "/compte/supprimer", "form");
	struct html_field fp = { .name = "password", .label = "Mot de passe", .type = "password",
		                 .autocomplete = "current-password", .maxlength = AUTH_PASSWORD_MAX, .required = true,
		                 .help = "Pour confirmer qu'il s'agit bien de vous." };
	html_input(b, &fp, e);
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\" class=\"button-danger\">Supprimer définitivement "
	            "mon compte</button> <a href=\"/compte\">Annuler</a></div>\n</form>\n");
	html_end(r);
}

int page_delete(struct req *r)
{
	r->no_etag = true;
	delete_form(r, NULL, NULL);
	return 0;
}

/* Run one statement binding ?1 = uid (and ?2 = text when given). 0/-1. */
static int exec_uid(db_t *db, const char *sql, int64_t uid, const char *text)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st) return -1;
	db_bind_int(st, 1, uid);
	if (text) db_bind_text(st, 2, text);
	return db_step_done(st);
}

int page_delete_post(struct req *r)
{
	struct me m = { 0 };
	if (me_load(r, &m) <= 0) goto fail;
	struct verrors e = { 0 };
	char msg[200];
	bool throttled = false;
	int rc = check_current(r, m.email, req_form(r, "password"), "password", &e, msg, sizeof msg, &throttled);
	if (rc < 0) goto fail;
	if (throttled) {
		r->status = 429;
		delete_form(r, NULL, msg);
		return 0;
	}
	if (rc == 0) {
		r->status = 422;
		delete_form(r, &e, NULL);
		return 0;
	}
	int64_t uid = r->viewer.user_id;
	char anon[48], target[32], ts[21];
	snprintf(anon, sizeof anon, "supprime-%lld@invalid", (long long)uid);
	target_of(uid, target);
	account_now(ts);
	if (db_begin(r->db) < 0) goto fail;
	if (exec_uid(r->db, "DELETE FROM membership WHERE user_id = ?1", uid, NULL) < 0 ||
	    exec_uid(r->db, "DELETE FROM session WHERE user_id = ?1", uid, NULL) < 0 ||
	    exec_uid(r->db, "DELETE FROM join_request WHERE user_id = ?1 AND state = 'pending'", uid, NULL) < 0 ||
	    exec_uid(r->db, "UPDATE join_request SET message = NULL WHERE user_id = ?1", uid, NULL) < 0 ||
	    exec_uid(r->db, "DELETE FROM password_reset WHERE user_id = ?1", uid, NULL) < 0 ||
	    exec_uid(r->db, "UPDATE api_token SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL", uid, ts) < 0 ||
	    exec_uid(r->db, "DELETE FROM outbox WHERE ?1 > 0 AND to_email = ?2 COLLATE NOCASE", uid, m.email) < 0 ||
	    exec_uid(r->db, "DELETE FROM signup WHERE ?1 > 0 AND email = ?2", uid, m.email) < 0 ||
	    exec_uid(r->db, "UPDATE audit SET target = 'user:' || ?1 WHERE target = ?2 COLLATE NOCASE", uid, m.email) < 0 ||
	    exec_uid(r->db, "UPDATE user SET email = ?2, name = NULL, password_hash = NULL, disabled = 1, "
	                    "role = CASE WHEN role IN ('curator', 'admin') THEN role ELSE 'citizen' END WHERE id = ?1",
	             uid, anon) < 0 ||
	    auth_audit(r->db, uid, "user.delete", target, NULL) < 0 || db_commit(r->db) < 0) {
		db_rollback(r->db);
		goto fail;
	}
	req_set_cookie(r, SESSION_COOKIE, "x", 0);
	req_flash(r, "account-deleted");
	req_redirect(r, "/");
	return 0;
fail:
	page_error(r, 500, "Erreur interne : le compte n'a pas pu être supprimé.");
	return 0;
}

/* ==== POST /compte/adhesions/{id}/annuler ==== */

int page_join_cancel(struct req *r)
{
	int64_t id;
	if (parse_int64(r->args[0], 1, INT64_MAX, &id) < 0) {
		page_error(r, 404, "Cette demande d'adhésion n'existe pas.");
		return 0;
	}
	sqlite3_stmt *st = db_stmt(r->db, "SELECT o.kind || '-' || coalesce(o.code, o.siren, '') FROM join_request j "
	                                  "JOIN organisation o ON o.id = j.org_id "
	                                  "WHERE j.id = ?1 AND j.user_id = ?2 AND j.state = 'pending'");
	if (!st) goto fail;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, r->viewer.user_id);
	int rc = sqlite3_step(st);
	char *key = rc == SQLITE_ROW ? req_strdup(r, (const char *)sqlite3_column_text(st, 0)) : NULL;
	db_reset(st);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE) goto fail;
		page_error(r, 404, "Cette demande d'adhésion n'existe pas ou n'est plus en attente.");
		return 0;
	}
	char ts[21], detail[64];
	account_now(ts);
	snprintf(detail, sizeof detail, "user=%lld request=%lld", (long long)r->viewer.user_id, (long long)id);
	if (db_begin(r->db) < 0) goto fail;
	st = db_stmt(r->db, "UPDATE join_request SET state = 'cancelled', decided_by = ?2, decided_at = ?3 WHERE id = ?1");
	if (!st) goto fail_tx;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, r->viewer.user_id);
	db_bind_text(st, 3, ts);
	if (db_step_done(st) < 0 || auth_audit(r->db, r->viewer.user_id, "membership.cancel", key, detail) < 0 ||
	    db_commit(r->db) < 0)
		goto fail_tx;
	req_flash(r, "join-cancelled");
	req_redirect(r, "/compte");
	return 0;
fail_tx:
	db_rollback(r->db);
fail:
	page_error(r, 500, "Erreur interne : la demande n'a pas pu être annulée.");
	return 0;
}
