/*
 * page_audit.c — GET /admin/journal: the audit log, newest first, with
 * filters (?action= prefix of the action, ?cible= prefix of the target)
 * and pagination (?page=, 50 entries a page).
 *
 * Design notes
 * - Admins only (CAP_ADMIN, checked by the router: visitors are sent to
 *   /connexion, other accounts get a 403). Curators are deliberately left
 *   out: the log holds personal data (e-mail addresses of accounts, as
 *   authors and as targets of user.add / token.create), and the
 *   observatory's work on records is visible to them in each record's
 *   history. Widening it later means showing targets without e-mails.
 * - Filters are prefixes compared as plain text (no wildcards), at most
 *   100 characters; a bad page number or an over-long filter is a 400.
 * - Everything is escaped (%h / %U): actions, targets and details come
 *   from code but may carry user text (e-mail, retraction reason).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "pages.h"
#include "util.h"

#define AUDIT_PER_PAGE 50
#define AUDIT_FILTER_MAX 100

static void time_full(buf_t *b, const char *at)
{
	if (!at) return;
	buf_fmt(b, "<time datetime=\"%h\">", at);
	html_date_fr(b, at);
	if (strlen(at) >= 19 && at[10] == 'T') {
		char hm[9];
		memcpy(hm, at + 11, 8);
		hm[8] = 0;
		buf_fmt(b, " %h", hm);
	}
	buf_puts(b, "</time>");
}

int page_audit(struct req *r)
{
	const char *action = req_param(r, "action");
	const char *target = req_param(r, "cible");
	const char *pg = req_param(r, "page");
	int64_t page = 1;
	if ((pg && parse_int64(pg, 1, 1000000, &page) < 0) ||
	    (action && strlen(action) > AUDIT_FILTER_MAX) || (target && strlen(target) > AUDIT_FILTER_MAX)) {
		page_error(r, 400, "Paramètre invalide : « page » est un entier à partir de 1, « action » et "
		                   "« cible » ont au plus 100 caractères.");
		return 0;
	}
	struct audit_query q = { action, target, NULL, (page - 1) * AUDIT_PER_PAGE, AUDIT_PER_PAGE };
	struct audit_entry *e = NULL;
	int64_t total = 0;
	int n = audit_list(r->db, &q, &e, &total);
	if (n < 0) {
		page_error(r, 500, "Le journal n'a pas pu être lu.");
		return 0;
	}
	int npages = (int)((total + AUDIT_PER_PAGE - 1) / AUDIT_PER_PAGE);

	buf_t *b = &r->out;
	char *title = page > 1 ? xasprintf("Journal des actions — page %lld", (long long)page)
	                       : xstrdup("Journal des actions");
	r->status = 200;
	html_begin(r, title);
	free(title);
	buf_puts(b, "<h1>Journal des actions</h1>\n<p class=\"lead\">Changements d'état des fiches, comptes, "
	            "droits, jetons et chargements, du plus récent au plus ancien.</p>\n");
	buf_fmt(b, "<form method=\"get\" action=\"/admin/journal\" class=\"form audit-filter\" "
	           "aria-labelledby=\"titre-filtrer\">\n<h2 id=\"titre-filtrer\">Filtrer</h2>\n"
	           "<div class=\"field\">\n<label for=\"f-action\">Action (début du nom)</label>\n"
	           "<p class=\"hint\" id=\"h-action\">Par exemple « usecase. » ou « user.add ».</p>\n"
	           "<input id=\"f-action\" name=\"action\" type=\"text\" maxlength=\"100\" "
	           "aria-describedby=\"h-action\" value=\"%h\">\n</div>\n"
	           "<div class=\"field\">\n<label for=\"f-cible\">Cible (début)</label>\n"
	           "<p class=\"hint\" id=\"h-cible\">Par exemple « usecase:12 » ou une adresse électronique.</p>\n"
	           "<input id=\"f-cible\" name=\"cible\" type=\"text\" maxlength=\"100\" "
	           "aria-describedby=\"h-cible\" value=\"%h\">\n</div>\n"
	           "<div class=\"actions\"><button type=\"submit\">Filtrer</button></div>\n</form>\n",
	        action ? action : "", target ? target : "");

	buf_puts(b, "<h2 id=\"titre-entrees\">Entrées</h2>\n<p>");
	html_count(b, total, "entrée", "entrées");
	buf_puts(b, ".</p>\n");
	if (n == 0) {
		buf_puts(b, "<p>Aucune entrée à afficher.</p>\n");
	} else {
		buf_puts(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Tableau (défilement horizontal possible)\">\n<table class=\"data audit\">\n"
		            "<caption>Journal des actions, du plus récent au plus ancien</caption>\n<thead><tr>"
		            "<th scope=\"col\">Date (UTC)</th><th scope=\"col\">Compte</th><th scope=\"col\">Action</th>"
		            "<th scope=\"col\">Cible</th><th scope=\"col\">Détail</th></tr></thead>\n<tbody>\n");
		for (int i = 0; i < n; i++) {
			buf_puts(b, "<tr><td>");
			time_full(b, e[i].at);
			buf_puts(b, "</td><td>");
			if (e[i].user_id)
				buf_fmt(b, "%h", e[i].email ? e[i].email : "");
			else
				buf_puts(b, "ligne de commande");
			buf_fmt(b, "</td><td><code>%h</code></td><td>", e[i].action);
			if (e[i].target && str_starts(e[i].target, "usecase:"))
				buf_fmt(b, "<a href=\"/fiches/%U\">%h</a>", e[i].target + 8, e[i].target);
			else
				buf_fmt(b, "%h", e[i].target ? e[i].target : "");
			buf_fmt(b, "</td><td class=\"text\">%h</td></tr>\n", e[i].detail ? e[i].detail : "");
		}
		buf_puts(b, "</tbody>\n</table>\n</div>\n");
	}
	buf_t base = BUF_INIT;
	buf_puts(&base, "/admin/journal");
	if (action && *action) buf_fmt(&base, "?action=%U", action);
	if (target && *target) {
		buf_puts(&base, action && *action ? "&" : "?");
		buf_fmt(&base, "cible=%U", target);
	}
	html_pagination(b, buf_cstr(&base), (int)page, npages);
	buf_free(&base);
	html_end(r);
	audit_free(e, n);
	return 0;
}
