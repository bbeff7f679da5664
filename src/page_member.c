/*
 * page_member.c — joining an organisation and managing its members:
 *   GET  /compte/rejoindre?q=…                       find an organisation
 *   POST /organisations/{key}/adhesion               ask to join it
 *   GET  /organisations/{key}/membres                its members (and requests)
 *   POST /organisations/{key}/adhesions/{id}/accepter|refuser
 *   POST /organisations/{key}/membres/{uid}/role     agent ↔ référent
 *   POST /organisations/{key}/membres/{uid}/retirer
 * and the short "members" section of the organisation page
 * (page_org_members_section(), called by page_org.c).
 *
 * Design notes
 * - Rights only through auth.c: the member list is for members of the
 *   organisation, curators and admins (auth_can_see_members); decisions
 *   and role changes for its referents, curators and admins
 *   (auth_can_manage_members). Everyone else gets 403.
 * - A referent cannot remove or demote themselves when they are the last
 *   (active) referent of the organisation: it would leave nobody to accept
 *   members; curators may do anything.
 * - Rights follow memberships at the next request of the person concerned
 *   (the viewer is loaded per request); auth_role_refresh() keeps the
 *   account role (citizen/agent/referent) in step.
 * - E-mail addresses of members are shown here only (never on public
 *   pages). Messages to referents and requesters go through the outbox.
 * - Audit: membership.request/accept/refuse/role/remove with the
 *   organisation key as target and "user=ID ..." as detail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "auth.h"
#include "model.h"
#include "org.h"
#include "outbox.h"
#include "pages.h"
#include "text.h"
#include "util.h"

#define JOIN_MESSAGE_MAX 500
#define JOIN_SEARCH_MAX 20
#define JOIN_QUERY_MAX 100

/* Load the organisation of r->args[0] into *o and its key into *key
 * (owned by r). 1, or 0 after writing a 404/500 page. */
static int load_org(struct req *r, struct org *o, const char **key)
{
	int rc = org_find(r->db, r->args[0], o);
	if (rc <= 0) {
		page_error(r, rc < 0 ? 500 : 404,
		           rc < 0 ? "L'organisation n'a pas pu être lue." : "Aucune organisation ne correspond à cette adresse.");
		return 0;
	}
	char *k = org_key(o);
	req_own(r, k);
	*key = k;
	return 1;
}

static void members_path(buf_t *b, const char *key)
{
	buf_fmt(b, "/organisations/%U/membres", key);
}

/* Number of active referents of org_id, or -1. */
static int64_t referent_count(db_t *db, int64_t org_id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM membership m JOIN user u ON u.id = m.user_id "
	                               "WHERE m.org_id = ?1 AND m.role = 'referent' AND u.disabled = 0");
	if (!st) return -1;
	db_bind_int(st, 1, org_id);
	int64_t n = 0;
	return db_one_int(st, &n) < 0 ? -1 : n;
}

/* ==== GET /compte/rejoindre ==== */

struct found {
	int64_t id;
	char *key, *name, *kind, *dep;
};

struct found_list {
	struct found items[JOIN_SEARCH_MAX];
	int n;
};

static int found_cb(void *ctx, const struct org *o)
{
	struct found_list *l = ctx;
	if (l->n >= JOIN_SEARCH_MAX) return 1;
	struct found *f = &l->items[l->n++];
	f->id = o->id;
	f->key = org_key(o);
	f->name = xstrdup(o->name ? o->name : "");
	f->kind = o->kind ? xstrdup(o->kind) : NULL;
	f->dep = o->departement ? xstrdup(o->departement) : NULL;
	return 0;
}

static void found_free(struct found_list *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].name);
		free(l->items[i].kind);
		free(l->items[i].dep);
	}
	l->n = 0;
}

/* Is there a pending request of the viewer for org_id? */
static bool has_pending(struct req *r, int64_t org_id)
{
	sqlite3_stmt *st = db_stmt(r->db, "SELECT 1 FROM join_request WHERE user_id = ?1 AND org_id = ?2 AND state = 'pending'");
	if (!st) return false;
	db_bind_int(st, 1, r->viewer.user_id);
	db_bind_int(st, 2, org_id);
	int64_t one = 0;
	return db_one_int(st, &one) == 1;
}

/* The request form for one organisation; idx makes the ids unique on a
 * page with several forms. */
static void join_form(struct req *r, const char *key, const char *name, int idx, const char *message,
                      const char *error)
{
	buf_t *b = &r->out;
	buf_t action = BUF_INIT;
	buf_fmt(&action, "/organisations/%U/adhesion", key);
	html_form_begin(r, buf_cstr(&action), "form join-form");
	buf_free(&action);
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-message-%d\">Message aux référents "
	           "<span class=\"visually-hidden\">de %h </span>(facultatif)</label>\n"
	           "<p class=\"help\" id=\"h-message-%d\">Votre service, votre fonction : 500 caractères au plus.</p>\n",
	        error ? " field-invalid" : "", idx, name, idx);
	if (error)
		buf_fmt(b, "<p class=\"field-error\" id=\"e-message-%d\"><span class=\"visually-hidden\">Erreur : </span>%h</p>\n",
		        idx, error);
	buf_fmt(b, "<textarea id=\"f-message-%d\" name=\"message\" rows=\"3\" maxlength=\"%d\" "
	           "aria-describedby=\"h-message-%d%h",
	        idx, JOIN_MESSAGE_MAX, idx, error ? " e-message-" : "");
	if (error) buf_fmt(b, "%d\" aria-invalid=\"true", idx);
	buf_fmt(b, "\">%h</textarea>\n</div>\n"
	           "<div class=\"actions\"><button type=\"submit\">Demander à rejoindre"
	           "<span class=\"visually-hidden\"> %h</span></button></div>\n</form>\n",
	        message ? message : "", name);
}

int page_join_search(struct req *r)
{
	const char *q = req_param(r, "q");
	bool too_long = q && text_utf8_len(q, strlen(q)) > JOIN_QUERY_MAX;
	struct found_list l = { 0 };
	if (q && *q && !too_long && org_search(r->db, q, JOIN_SEARCH_MAX, 0, found_cb, &l) < 0) {
		found_free(&l);
		page_error(r, 500, "La recherche d'organisations a échoué.");
		return 0;
	}
	if (too_long) r->status = 422;
	r->no_etag = true;
	html_begin(r, too_long ? "Erreur : rejoindre une organisation"
	                       : q && *q ? "Rejoindre une organisation : résultats" : "Rejoindre une organisation");
	buf_t *b = &r->out;
	buf_puts(b, "<h1>Rejoindre une organisation</h1>\n"
	            "<p>Agents d'une collectivité ou d'un organisme public : trouvez votre organisation et "
	            "demandez à la rejoindre. Ses référents reçoivent votre demande ; une fois acceptée, vous "
	            "pourrez rédiger ses fiches.</p>\n"
	            "<form class=\"form\" method=\"get\" action=\"/compte/rejoindre\" role=\"search\">\n"
	            "<div class=\"field\">\n<label for=\"f-q\">Nom, code INSEE ou SIREN de l'organisation</label>\n"
	            "<p class=\"help\" id=\"h-q\">Par exemple : Bordeaux Métropole, 69123 ou 243300316.</p>\n");
	if (too_long)
		buf_puts(b, "<p class=\"field-error\" id=\"e-q\"><span class=\"visually-hidden\">Erreur : </span>"
		            "La recherche dépasse 100 caractères.</p>\n");
	buf_fmt(b, "<input type=\"search\" id=\"f-q\" name=\"q\" maxlength=\"%d\" value=\"%h\" aria-describedby=\"h-q%h\"%R>\n"
	           "</div>\n<div class=\"actions\"><button type=\"submit\">Rechercher</button></div>\n</form>\n",
	        JOIN_QUERY_MAX, q ? q : "", too_long ? " e-q" : "", too_long ? " aria-invalid=\"true\"" : "");
	if (q && *q && !too_long) {
		buf_puts(b, "<section aria-labelledby=\"titre-resultats\">\n<h2 id=\"titre-resultats\">");
		html_count(b, l.n, "organisation trouvée", "organisations trouvées");
		buf_puts(b, "</h2>\n");
		if (l.n == 0)
			buf_puts(b, "<p>Aucune organisation ne correspond. Vérifiez l'orthographe, ou cherchez par code INSEE "
			            "ou par SIREN. Si votre organisme n'existe pas encore dans IA·T, écrivez à l'équipe de "
			            "l'observatoire.</p>\n");
		else
			buf_puts(b, "<ul class=\"org-results\">\n");
		for (int i = 0; i < l.n; i++) {
			struct found *f = &l.items[i];
			buf_fmt(b, "<li>\n<h3><a href=\"/organisations/%U\">%h</a></h3>\n<p>", f->key, f->name);
			const char *kl = org_kind_label(f->kind);
			if (kl) buf_fmt(b, "%h", kl);
			if (f->dep && strcmp(f->kind ? f->kind : "", "departement") != 0 &&
			    strcmp(f->kind ? f->kind : "", "region") != 0) {
				char *dn = org_area_name(r->db, "departement", f->dep);
				buf_fmt(b, " — département : %h (%h)", dn ? dn : f->dep, f->dep);
				free(dn);
			}
			buf_puts(b, "</p>\n");
			if (auth_is_member(&r->viewer, f->id))
				buf_puts(b, "<p><strong>Vous êtes membre de cette organisation.</strong></p>\n");
			else if (has_pending(r, f->id))
				buf_puts(b, "<p><strong>Votre demande d'adhésion est en attente.</strong></p>\n");
			else
				join_form(r, f->key, f->name, i + 1, NULL, NULL);
			buf_puts(b, "</li>\n");
		}
		if (l.n) buf_puts(b, "</ul>\n");
		buf_puts(b, "</section>\n");
	}
	html_end(r);
	found_free(&l);
	return 0;
}

/* ==== POST /organisations/{key}/adhesion ==== */

/* A short page for a request that cannot be made (status 409). */
static void join_refused(struct req *r, const char *title, const char *msg)
{
	buf_reset(&r->out);
	r->status = 409;
	html_begin(r, title);
	buf_fmt(&r->out, "<h1>%h</h1>\n<p class=\"lead\">%h</p>\n<p><a href=\"/compte\">Revenir à mon compte</a></p>\n",
	        title, msg);
	html_end(r);
}

/* Who the viewer is, for messages: "Name <email>" or the e-mail (heap). */
static char *viewer_label(struct req *r)
{
	sqlite3_stmt *st = db_stmt(r->db, "SELECT email, name FROM user WHERE id = ?1");
	char *out = NULL;
	if (st) {
		db_bind_int(st, 1, r->viewer.user_id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *email = (const char *)sqlite3_column_text(st, 0);
			const char *name = (const char *)sqlite3_column_text(st, 1);
			out = name ? xasprintf("%s <%s>", name, email) : xstrdup(email);
		}
		db_reset(st);
	}
	return out ? out : xstrdup("?");
}

/* Send msg to the organisation's active referents, or, when it has none,
 * to the curators. *nref gets the number of referents. 0 or -1. */
static int notify_deciders(struct req *r, int64_t org_id, const char *subject, const char *body, const char *link,
                           int *nref)
{
	sqlite3_stmt *st = db_stmt(r->db, "SELECT u.email FROM membership m JOIN user u ON u.id = m.user_id "
	                                  "WHERE m.org_id = ?1 AND m.role = 'referent' AND u.disabled = 0 ORDER BY u.id");
	if (!st) return -1;
	db_bind_int(st, 1, org_id);
	char *to[64];
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 64) to[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	db_reset(st);
	*nref = n;
	if (n == 0) {
		st = db_stmt(r->db, "SELECT email FROM user WHERE role IN ('curator', 'admin') AND disabled = 0 ORDER BY id");
		if (!st) return -1;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 64) to[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
		db_reset(st);
	}
	int out = 0;
	for (int i = 0; i < n; i++) {
		if (out == 0 && outbox_send_link(r->db, to[i], subject, body, link) < 0) out = -1;
		free(to[i]);
	}
	return out;
}

int page_join_request(struct req *r)
{
	struct org o = { 0 };
	const char *key;
	if (!load_org(r, &o, &key)) return 0;
	const char *message = req_form(r, "message");
	if (message && !*message) message = NULL;
	if (message && text_utf8_len(message, strlen(message)) > JOIN_MESSAGE_MAX) {
		r->status = 422;
		html_begin(r, "Erreur : demander à rejoindre une organisation");
		buf_fmt(&r->out, "<h1>Demander à rejoindre %h</h1>\n"
		                 "<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"erreurs-titre\" tabindex=\"-1\" id=\"erreurs\">\n"
		                 "<h2 id=\"erreurs-titre\">1 erreur à corriger</h2>\n<ul>\n"
		                 "<li><a href=\"#f-message-1\">Le message dépasse 500 caractères.</a></li>\n</ul>\n</div>\n",
		        o.name);
		join_form(r, key, o.name, 1, message, "Le message dépasse 500 caractères.");
		html_end(r);
		org_free(&o);
		return 0;
	}
	if (auth_is_member(&r->viewer, o.id)) {
		join_refused(r, "Déjà membre", "Vous êtes déjà membre de cette organisation.");
		org_free(&o);
		return 0;
	}
	if (has_pending(r, o.id)) {
		join_refused(r, "Demande déjà en attente",
		             "Vous avez déjà une demande en attente pour cette organisation : ses référents vont y répondre.");
		org_free(&o);
		return 0;
	}
	char ts[21];
	account_now(ts);
	int64_t rid = 0;
	int nref = 0;
	if (db_begin(r->db) < 0) goto fail;
	sqlite3_stmt *st = db_stmt(r->db, "INSERT INTO join_request(user_id, org_id, message, created_at) "
	                                  "VALUES (?1, ?2, ?3, ?4) RETURNING id");
	if (!st) goto fail_tx;
	db_bind_int(st, 1, r->viewer.user_id);
	db_bind_int(st, 2, o.id);
	db_bind_text(st, 3, message);
	db_bind_text(st, 4, ts);
	if (db_one_int(st, &rid) != 1) goto fail_tx;
	buf_t path = BUF_INIT, link = BUF_INIT;
	members_path(&path, key);
	outbox_link(&link, server_base_url(r->srv), buf_cstr(&path));
	char *who = viewer_label(r);
	char *subject = xasprintf("Demande d'adhésion à %s", o.name);
	char *body = xasprintf("Bonjour,\n\n%s demande à rejoindre %s dans IA·T comme agent.\n%s%s%s\n"
	                       "Pour accepter ou refuser la demande :\n%s\n",
	                       who, o.name, message ? "\nSon message :\n" : "", message ? message : "",
	                       message ? "\n" : "", buf_cstr(&link));
	int nrc = notify_deciders(r, o.id, subject, body, buf_cstr(&link), &nref);
	free(who);
	free(subject);
	free(body);
	buf_free(&path);
	buf_free(&link);
	char detail[80];
	snprintf(detail, sizeof detail, "user=%lld request=%lld", (long long)r->viewer.user_id, (long long)rid);
	if (nrc < 0 || auth_audit(r->db, r->viewer.user_id, "membership.request", key, detail) < 0 || db_commit(r->db) < 0)
		goto fail_tx;
	req_flash(r, nref > 0 ? "join-requested" : "join-requested-noref");
	req_redirect(r, "/compte");
	org_free(&o);
	return 0;
fail_tx:
	db_rollback(r->db);
fail:
	org_free(&o);
	page_error(r, 500, "Erreur interne : la demande n'a pas pu être enregistrée.");
	return 0;
}

/* ==== GET /organisations/{key}/membres ==== */

static int requests_table(struct req *r, buf_t *b, int64_t org_id, const char *key)
{
	sqlite3_stmt *st = db_stmt(r->db, "SELECT j.id, u.name, u.email, j.message, j.created_at FROM join_request j "
	                                  "JOIN user u ON u.id = j.user_id WHERE j.org_id = ?1 AND j.state = 'pending' "
	                                  "ORDER BY j.id");
	if (!st) return -1;
	db_bind_int(st, 1, org_id);
	buf_puts(b, "<section aria-labelledby=\"titre-demandes\">\n<h2 id=\"titre-demandes\">Demandes d'adhésion en attente</h2>\n");
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			buf_puts(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Tableau (défilement horizontal possible)\"><table class=\"data\">\n<caption>Demandes d'adhésion en "
			            "attente</caption>\n<thead><tr><th scope=\"col\">Personne</th><th scope=\"col\">Adresse "
			            "électronique</th><th scope=\"col\">Message</th><th scope=\"col\">Reçue le</th>"
			            "<th scope=\"col\">Décision</th></tr></thead>\n<tbody>\n");
		int64_t id = sqlite3_column_int64(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *email = (const char *)sqlite3_column_text(st, 2);
		const char *msg = (const char *)sqlite3_column_text(st, 3);
		const char *who = name ? name : email;
		buf_fmt(b, "<tr><th scope=\"row\">%h</th><td>%h</td><td>%h</td><td>", name ? name : "(sans nom)", email,
		        msg ? msg : "—");
		html_time(b, (const char *)sqlite3_column_text(st, 4));
		buf_fmt(b, "</td><td>"
		           "<form class=\"inline\" method=\"post\" action=\"/organisations/%U/adhesions/%D/accepter\">"
		           "<input type=\"hidden\" name=\"csrf\" value=\"%h\"><button type=\"submit\">Accepter"
		           "<span class=\"visually-hidden\"> la demande de %h</span></button></form> "
		           "<form class=\"inline\" method=\"post\" action=\"/organisations/%U/adhesions/%D/refuser\">"
		           "<input type=\"hidden\" name=\"csrf\" value=\"%h\"><button type=\"submit\" class=\"button-secondary\">"
		           "Refuser<span class=\"visually-hidden\"> la demande de %h</span></button></form>"
		           "</td></tr>\n",
		        key, id, req_csrf(r), who, key, id, req_csrf(r), who);
	}
	db_reset(st);
	if (rc != SQLITE_DONE) return -1;
	if (n) buf_puts(b, "</tbody>\n</table></div>\n");
	else buf_puts(b, "<p>Aucune demande en attente.</p>\n");
	buf_puts(b, "</section>\n");
	return 0;
}

static int members_table(struct req *r, buf_t *b, int64_t org_id, const char *key, bool manage)
{
	sqlite3_stmt *st = db_stmt(r->db, "SELECT u.id, u.name, u.email, m.role, m.created_at FROM membership m "
	                                  "JOIN user u ON u.id = m.user_id WHERE m.org_id = ?1 AND u.disabled = 0 "
	                                  "ORDER BY m.role DESC, coalesce(u.name, u.email), u.id");
	if (!st) return -1;
	db_bind_int(st, 1, org_id);
	buf_t rows = BUF_INIT;
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		int64_t uid = sqlite3_column_int64(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *email = (const char *)sqlite3_column_text(st, 2);
		const char *role = (const char *)sqlite3_column_text(st, 3);
		const char *who = name ? name : email;
		buf_fmt(&rows, "<tr><th scope=\"row\">%h%h</th><td>%h</td><td>%h</td><td>", name ? name : "(sans nom)",
		        uid == r->viewer.user_id ? " (vous)" : "", email, account_role_label(role, true));
		html_time(&rows, (const char *)sqlite3_column_text(st, 4));
		buf_puts(&rows, "</td>");
		if (manage) {
			bool ref = strcmp(role, "referent") == 0;
			buf_fmt(&rows, "<td><form class=\"inline\" method=\"post\" action=\"/organisations/%U/membres/%D/role\">"
			               "<input type=\"hidden\" name=\"csrf\" value=\"%h\">"
			               "<label for=\"role-%D\" class=\"visually-hidden\">Rôle de %h</label>"
			               "<select id=\"role-%D\" name=\"role\"><option value=\"agent\"%h>agent</option>"
			               "<option value=\"referent\"%h>référent</option></select> "
			               "<button type=\"submit\" class=\"button-secondary\">Changer le rôle"
			               "<span class=\"visually-hidden\"> de %h</span></button></form> "
			               "<form class=\"inline\" method=\"post\" action=\"/organisations/%U/membres/%D/retirer\">"
			               "<input type=\"hidden\" name=\"csrf\" value=\"%h\">"
			               "<button type=\"submit\" class=\"button-danger\">Retirer"
			               "<span class=\"visually-hidden\"> %h de l'organisation</span></button></form></td>",
			        key, uid, req_csrf(r), uid, who, uid, ref ? "" : " selected", ref ? " selected" : "", who, key,
			        uid, req_csrf(r), who);
		}
		buf_puts(&rows, "</tr>\n");
	}
	db_reset(st);
	if (rc != SQLITE_DONE) {
		buf_free(&rows);
		return -1;
	}
	buf_puts(b, "<section aria-labelledby=\"titre-membres\">\n<h2 id=\"titre-membres\">Membres ");
	buf_fmt(b, "(%d)</h2>\n", n);
	if (n) {
		buf_puts(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Tableau (défilement horizontal possible)\"><table class=\"data\">\n<caption>Membres de l'organisation</caption>\n"
		            "<thead><tr><th scope=\"col\">Nom</th><th scope=\"col\">Adresse électronique</th>"
		            "<th scope=\"col\">Rôle</th><th scope=\"col\">Depuis le</th>");
		if (manage) buf_puts(b, "<th scope=\"col\">Actions</th>");
		buf_puts(b, "</tr></thead>\n<tbody>\n");
		buf_append(b, rows.data, rows.len);
		buf_puts(b, "</tbody>\n</table></div>\n");
	} else {
		buf_puts(b, "<p>Cette organisation n'a pas encore de membre.</p>\n");
	}
	buf_free(&rows);
	buf_puts(b, "</section>\n");
	return 0;
}

int page_members(struct req *r)
{
	struct org o = { 0 };
	const char *key;
	if (!load_org(r, &o, &key)) return 0;
	if (!auth_can_see_members(&r->viewer, o.id)) {
		org_free(&o);
		page_error(r, 403, "La liste des membres est réservée aux membres de l'organisation et à l'équipe de "
		                   "l'observatoire.");
		return 0;
	}
	bool manage = auth_can_manage_members(&r->viewer, o.id);
	int64_t nref = referent_count(r->db, o.id);
	r->no_etag = true;
	buf_t title = BUF_INIT;
	buf_puts(&title, "Membres — ");
	buf_puts(&title, o.name);
	html_begin(r, buf_cstr(&title));
	buf_free(&title);
	buf_t *b = &r->out;
	buf_fmt(b, "<nav class=\"breadcrumb\" aria-label=\"Fil d'Ariane\">\n<ol>\n<li><a href=\"/\">Accueil</a></li>\n"
	           "<li><a href=\"/organisations/%U\">%h</a></li>\n<li><span aria-current=\"page\">Membres</span></li>\n"
	           "</ol>\n</nav>\n<h1>Membres de %h</h1>\n",
	        key, o.name, o.name);
	if (nref == 0)
		buf_puts(b, "<div class=\"notice\" role=\"note\">\n<p class=\"notice-title\">Aucun référent</p>\n"
		            "<p>Cette organisation n'a pas de référent : l'équipe de l'observatoire doit en désigner un. "
		            "En attendant, elle traite les demandes d'adhésion.</p>\n</div>\n");
	if (manage)
		buf_puts(b, "<p>Les référents acceptent les membres, changent leur rôle et publient les fiches de "
		            "l'organisation ; les agents rédigent les fiches. Un changement prend effet à la prochaine "
		            "page que la personne ouvre.</p>\n");
	int rc = (manage ? requests_table(r, b, o.id, key) : 0);
	if (rc == 0) rc = members_table(r, b, o.id, key, manage);
	if (rc < 0) {
		org_free(&o);
		page_error(r, 500, "La liste des membres n'a pas pu être lue.");
		return 0;
	}
	html_end(r);
	org_free(&o);
	return 0;
}

/* ==== Decisions and changes ==== */

/* Common start of the management posts: the organisation, the right, and
 * the numeric second argument. 1, or 0 after writing the page. */
static int manage_begin(struct req *r, struct org *o, const char **key, int64_t *id)
{
	if (!load_org(r, o, key)) return 0;
	if (!auth_can_manage_members(&r->viewer, o->id)) {
		org_free(o);
		page_error(r, 403, "Seuls les référents de l'organisation et l'équipe de l'observatoire gèrent ses membres.");
		return 0;
	}
	if (parse_int64(r->args[1], 1, INT64_MAX, id) < 0) {
		org_free(o);
		page_error(r, 404, "Cette page n'existe pas.");
		return 0;
	}
	return 1;
}

static void redirect_members(struct req *r, const char *key, const char *flash)
{
	buf_t p = BUF_INIT;
	members_path(&p, key);
	req_flash(r, flash);
	req_redirect(r, buf_cstr(&p));
	buf_free(&p);
}

static void decide(struct req *r, bool accept)
{
	struct org o = { 0 };
	const char *key;
	int64_t id;
	if (!manage_begin(r, &o, &key, &id)) return;
	sqlite3_stmt *st = db_stmt(r->db, "SELECT j.user_id, j.state, u.email FROM join_request j "
	                                  "JOIN user u ON u.id = j.user_id WHERE j.id = ?1 AND j.org_id = ?2");
	if (!st) goto fail;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, o.id);
	int rc = sqlite3_step(st);
	int64_t uid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	bool pending = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 1), "pending") == 0;
	char *email = rc == SQLITE_ROW ? req_strdup(r, (const char *)sqlite3_column_text(st, 2)) : NULL;
	db_reset(st);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE) goto fail;
		org_free(&o);
		page_error(r, 404, "Cette demande d'adhésion n'existe pas.");
		return;
	}
	if (!pending) {
		org_free(&o);
		join_refused(r, "Demande déjà traitée", "Cette demande d'adhésion a déjà été acceptée, refusée ou annulée.");
		return;
	}
	char ts[21], detail[80];
	account_now(ts);
	snprintf(detail, sizeof detail, "user=%lld request=%lld", (long long)uid, (long long)id);
	if (db_begin(r->db) < 0) goto fail;
	st = db_stmt(r->db, "UPDATE join_request SET state = ?2, decided_by = ?3, decided_at = ?4 WHERE id = ?1");
	if (!st) goto fail_tx;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, accept ? "accepted" : "refused");
	db_bind_int(st, 3, r->viewer.user_id);
	db_bind_text(st, 4, ts);
	if (db_step_done(st) < 0) goto fail_tx;
	if (accept) {
		st = db_stmt(r->db, "INSERT INTO membership(user_id, org_id, role, created_at) VALUES (?1, ?2, 'agent', ?3) "
		                    "ON CONFLICT(user_id, org_id) DO NOTHING");
		if (!st) goto fail_tx;
		db_bind_int(st, 1, uid);
		db_bind_int(st, 2, o.id);
		db_bind_text(st, 3, ts);
		if (db_step_done(st) < 0 || auth_role_refresh(r->db, uid) < 0) goto fail_tx;
	}
	buf_t link = BUF_INIT;
	outbox_link(&link, server_base_url(r->srv), accept ? "/compte" : "/compte/rejoindre");
	char *subject = xasprintf(accept ? "Bienvenue dans %s" : "Votre demande d'adhésion à %s", o.name);
	char *body = accept ? xasprintf("Bonjour,\n\nVotre demande d'adhésion à %s est acceptée : vous en êtes "
	                                "maintenant agent dans IA·T et pouvez rédiger ses fiches.\n%s\n",
	                                o.name, buf_cstr(&link))
	                    : xasprintf("Bonjour,\n\nVotre demande d'adhésion à %s n'a pas été acceptée. Si vous "
	                                "pensez qu'il s'agit d'une erreur, contactez un référent de l'organisation.\n",
	                                o.name);
	int orc = outbox_send(r->db, email, subject, body);
	free(subject);
	free(body);
	buf_free(&link);
	if (orc < 0 || auth_audit(r->db, r->viewer.user_id, accept ? "membership.accept" : "membership.refuse", key,
	                          detail) < 0 ||
	    db_commit(r->db) < 0)
		goto fail_tx;
	redirect_members(r, key, accept ? "join-accepted" : "join-refused");
	org_free(&o);
	return;
fail_tx:
	db_rollback(r->db);
fail:
	org_free(&o);
	page_error(r, 500, "Erreur interne : la décision n'a pas pu être enregistrée.");
}

int page_join_accept(struct req *r)
{
	decide(r, true);
	return 0;
}

int page_join_refuse(struct req *r)
{
	decide(r, false);
	return 0;
}

/* The membership role of uid in org_id into role[16]: 1/0/-1. */
static int member_role(db_t *db, int64_t uid, int64_t org_id, char role[16])
{
	sqlite3_stmt *st = db_stmt(db, "SELECT role FROM membership WHERE user_id = ?1 AND org_id = ?2");
	if (!st) return -1;
	db_bind_int(st, 1, uid);
	db_bind_int(st, 2, org_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) snprintf(role, 16, "%s", (const char *)sqlite3_column_text(st, 0));
	db_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Would this change leave the viewer's organisation without referent by
 * the viewer's own hand? (curators are exempt) */
static bool last_referent_self(struct req *r, int64_t uid, int64_t org_id, const char *old_role)
{
	if (uid != r->viewer.user_id || auth_is_curator(&r->viewer)) return false;
	if (strcmp(old_role, "referent") != 0) return false;
	return referent_count(r->db, org_id) <= 1;
}

static void change_member(struct req *r, bool remove)
{
	struct org o = { 0 };
	const char *key;
	int64_t uid;
	if (!manage_begin(r, &o, &key, &uid)) return;
	const char *role = remove ? NULL : req_form(r, "role");
	if (!remove && (!role || (strcmp(role, "agent") != 0 && strcmp(role, "referent") != 0))) {
		org_free(&o);
		page_error(r, 422, "Rôle inconnu : choisissez « agent » ou « référent ».");
		return;
	}
	char old[16];
	int rc = member_role(r->db, uid, o.id, old);
	if (rc < 0) goto fail;
	if (rc == 0) {
		org_free(&o);
		page_error(r, 404, "Cette personne n'est pas membre de l'organisation.");
		return;
	}
	if ((remove || strcmp(role, "agent") == 0) && last_referent_self(r, uid, o.id, old)) {
		org_free(&o);
		join_refused(r, "Dernier référent",
		             "Vous êtes le dernier référent de cette organisation : nommez d'abord un autre référent, "
		             "ou demandez à l'équipe de l'observatoire.");
		return;
	}
	char detail[80];
	if (remove) snprintf(detail, sizeof detail, "user=%lld role=%s", (long long)uid, old);
	else snprintf(detail, sizeof detail, "user=%lld role=%s previous=%s", (long long)uid, role, old);
	if (db_begin(r->db) < 0) goto fail;
	sqlite3_stmt *st = db_stmt(r->db, remove ? "DELETE FROM membership WHERE user_id = ?1 AND org_id = ?2"
	                                         : "UPDATE membership SET role = ?3 WHERE user_id = ?1 AND org_id = ?2");
	if (!st) goto fail_tx;
	db_bind_int(st, 1, uid);
	db_bind_int(st, 2, o.id);
	if (!remove) db_bind_text(st, 3, role);
	if (db_step_done(st) < 0 || auth_role_refresh(r->db, uid) < 0 ||
	    auth_audit(r->db, r->viewer.user_id, remove ? "membership.remove" : "membership.role", key, detail) < 0 ||
	    db_commit(r->db) < 0)
		goto fail_tx;
	if (remove && uid == r->viewer.user_id && !auth_is_curator(&r->viewer)) {
		req_flash(r, "member-removed");
		req_redirect(r, "/compte");
	} else {
		redirect_members(r, key, remove ? "member-removed" : "member-updated");
	}
	org_free(&o);
	return;
fail_tx:
	db_rollback(r->db);
fail:
	org_free(&o);
	page_error(r, 500, "Erreur interne : la modification n'a pas pu être enregistrée.");
}

int page_member_role(struct req *r)
{
	change_member(r, false);
	return 0;
}

int page_member_remove(struct req *r)
{
	change_member(r, true);
	return 0;
}

/* ==== Section of the organisation page ==== */

void page_org_members_section(struct req *r, int64_t org_id, const char *key)
{
	const struct viewer *v = &r->viewer;
	if (!v->user_id) return;
	buf_t *b = &r->out;
	if (!auth_can_see_members(v, org_id)) {
		buf_puts(b, "<section aria-labelledby=\"titre-adhesion\">\n<h2 id=\"titre-adhesion\">Vous travaillez pour "
		            "cette organisation ?</h2>\n");
		buf_t action = BUF_INIT;
		buf_fmt(&action, "/organisations/%U/adhesion", key);
		html_form_begin(r, buf_cstr(&action), "form inline");
		buf_free(&action);
		buf_puts(b, "<button type=\"submit\" class=\"button-secondary\">Demander à rejoindre cette organisation"
		            "</button>\n</form>\n</section>\n");
		return;
	}
	sqlite3_stmt *st = db_stmt(r->db, "SELECT (SELECT count(*) FROM membership m JOIN user u ON u.id = m.user_id "
	                                  "WHERE m.org_id = ?1 AND u.disabled = 0), "
	                                  "(SELECT count(*) FROM join_request WHERE org_id = ?1 AND state = 'pending')");
	if (!st) return;
	db_bind_int(st, 1, org_id);
	int64_t members = 0, pending = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		members = sqlite3_column_int64(st, 0);
		pending = sqlite3_column_int64(st, 1);
	}
	db_reset(st);
	buf_fmt(b, "<section aria-labelledby=\"titre-membres\">\n<h2 id=\"titre-membres\">Membres de l'organisation "
	           "(%D)</h2>\n<p class=\"note-restricted\">Cette liste n'est visible que des membres de "
	           "l'organisation et de l'équipe de l'observatoire.</p>\n",
	        members);
	/* the list itself (names and roles; e-mails only on the members page) */
	st = db_stmt(r->db, "SELECT u.id, coalesce(nullif(u.name, ''), ''), m.role FROM membership m "
	                    "JOIN user u ON u.id = m.user_id WHERE m.org_id = ?1 AND u.disabled = 0 "
	                    "ORDER BY m.role DESC, u.name, u.id LIMIT 50");
	if (st) {
		db_bind_int(st, 1, org_id);
		bool any = false;
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (!any) buf_puts(b, "<ul class=\"members\">\n");
			any = true;
			const char *name = (const char *)sqlite3_column_text(st, 1);
			bool ref = strcmp((const char *)sqlite3_column_text(st, 2), "referent") == 0;
			if (name && *name)
				buf_fmt(b, "<li>%h", name);
			else
				buf_fmt(b, "<li>Compte n°%D", sqlite3_column_int64(st, 0));
			buf_puts(b, ref ? " — référent</li>\n" : " — agent</li>\n");
		}
		db_reset(st);
		if (any) buf_puts(b, "</ul>\n");
	}
	buf_fmt(b, "<p><a href=\"/organisations/%U/membres\">Voir les membres en détail", key);
	if (auth_can_manage_members(v, org_id) && pending > 0) {
		buf_puts(b, " et les demandes d'adhésion</a> : ");
		html_count(b, pending, "demande en attente", "demandes en attente");
		buf_puts(b, "</p>\n");
	} else {
		buf_puts(b, "</a></p>\n");
	}
	buf_puts(b, "</section>\n");
}
