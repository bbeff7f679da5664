/*
 * page_workspace.c — the workspace of an organisation's members (GET
 * /espace) and the review queue (GET /relecture).
 *
 * Design notes
 * - /espace lists, for each organisation of the viewer, its records in
 *   every state (drafts included: the viewer is a member), newest update
 *   first, optionally only one state (?etat=, a code of vocab_state; any
 *   other value is a 400). A viewer without organisation gets a page
 *   explaining how to join one.
 * - /relecture lists the submitted records the viewer may publish
 *   (auth_can_publish_org): every organisation for curators, the
 *   organisations they are referent of for referents, longest waiting
 *   first; anyone else gets a 403.
 * - Listings are capped (WS_MAX rows per organisation) to keep pages
 *   bounded; the cap is said on the page when reached.
 * - Memory: rows are copied out of the store callback into request-owned
 *   strings (req_strdup), freed with the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "org.h"
#include "pages.h"
#include "store.h"
#include "util.h"

#define WS_MAX 500

struct row {
	int64_t id, org;
	const char *slug, *title, *state, *updated_at, *since;
};

struct rows {
	struct req *r;
	struct row *v;
	int n, cap;
};

static int collect(void *ctx, const struct uc_row *x)
{
	struct rows *rs = ctx;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 32;
		rs->v = xrealloc(rs->v, sizeof *rs->v * (size_t)rs->cap);
	}
	struct row *o = &rs->v[rs->n++];
	o->id = x->id;
	o->org = x->owner_org_id;
	o->slug = req_strdup(rs->r, x->slug ? x->slug : "");
	o->title = req_strdup(rs->r, x->title ? x->title : "");
	o->state = req_strdup(rs->r, x->state ? x->state : "");
	o->updated_at = req_strdup(rs->r, x->updated_at ? x->updated_at : "");
	o->since = req_strdup(rs->r, x->since ? x->since : (x->updated_at ? x->updated_at : ""));
	return 0;
}

static void title_link(buf_t *b, const struct row *x)
{
	buf_t p = BUF_INIT;
	html_usecase_path(&p, x->id, x->slug);
	buf_fmt(b, "<a href=\"%h\">%h</a>", buf_cstr(&p), *x->title ? x->title : "(sans titre)");
	buf_free(&p);
}

/* ==== GET /espace ==== */

int page_workspace(struct req *r)
{
	const struct viewer *v = &r->viewer;
	const char *etat = req_param(r, "etat");
	if (etat && vocab_index(&vocab_state, etat) < 0) {
		page_error(r, 400, "État inconnu dans le filtre « etat ».");
		return 0;
	}
	buf_t *b = &r->out;
	bool reviewer = auth_is_curator(v);
	for (int i = 0; i < v->norgs; i++)
		if (v->referent_of[i]) reviewer = true;

	if (v->norgs == 0) {
		html_begin(r, "Mon espace");
		buf_puts(b, "<h1>Mon espace</h1>\n"
		            "<p>Votre compte n'est membre d'aucune organisation. Les fiches sont écrites par les agents "
		            "des collectivités, au nom de leur organisation : demandez à rejoindre la vôtre, un de ses "
		            "référents validera votre demande.</p>\n"
		            "<p><a href=\"/compte/rejoindre\">Demander à rejoindre une organisation</a></p>\n");
		if (reviewer)
			buf_puts(b, "<p>En tant que membre de l'équipe de l'observatoire, vous pouvez aussi "
			            "<a href=\"/fiches/nouvelle\">écrire une fiche</a> pour toute organisation, et relire "
			            "les fiches soumises : <a href=\"/relecture\">file de relecture</a>.</p>\n");
		html_end(r);
		return 0;
	}

	buf_t t = BUF_INIT;
	buf_puts(&t, "Mon espace");
	if (etat) {
		buf_puts(&t, " — ");
		buf_puts(&t, vocab_label(&vocab_state, etat));
	}
	html_begin(r, buf_cstr(&t));
	buf_free(&t);
	buf_puts(b, "<h1>Mon espace</h1>\n");
	if (reviewer) buf_puts(b, "<p><a href=\"/relecture\">File de relecture : fiches soumises à relire</a></p>\n");

	buf_puts(b, "<nav class=\"state-filter\" aria-label=\"Filtrer les fiches par état\">\n<ul>\n");
	buf_fmt(b, "<li><a href=\"/espace\"%R>Tous les états</a></li>\n", etat ? "" : " aria-current=\"page\"");
	for (size_t k = 0; k < vocab_state.count; k++) {
		const struct term *tm = &vocab_state.terms[k];
		bool cur = etat && strcmp(etat, tm->code) == 0;
		buf_fmt(b, "<li><a href=\"/espace?etat=%U\"%R>%h</a></li>\n", tm->code, cur ? " aria-current=\"page\"" : "",
		        tm->label);
	}
	buf_puts(b, "</ul>\n</nav>\n");

	for (int i = 0; i < v->norgs; i++) {
		struct org o;
		if (org_get(r->db, v->orgs[i], &o) != 1) continue;
		char *key = org_key(&o);
		buf_fmt(b, "<section class=\"workspace-org\" aria-labelledby=\"org-%D\">\n<h2 id=\"org-%D\">%h</h2>\n",
		        o.id, o.id, o.name);
		buf_fmt(b, "<ul class=\"workspace-links\">\n"
		           "<li><a href=\"/fiches/nouvelle?organisation=%U\">Nouvelle fiche</a></li>\n"
		           "<li><a href=\"/organisations/%U/membres\">Membres</a></li>\n"
		           "<li><a href=\"/espace/signalements\">Signalements</a></li>\n"
		           "<li><a href=\"/espace/messages\">Messages (réutilisations de vos fiches)</a></li>\n"
		           "<li><a href=\"/organisations/%U\">Page publique de l'organisation</a></li>\n"
		           "</ul>\n",
		        key, key, key);
		struct rows rs = { r, NULL, 0, 0 };
		if (store_usecase_list(r->db, o.id, etat, false, WS_MAX, collect, &rs) < 0) {
			free(rs.v);
			free(key);
			org_free(&o);
			page_error(r, 500, "Les fiches n'ont pas pu être lues.");
			return 0;
		}
		if (rs.n == 0) {
			buf_fmt(b, "<p>Aucune fiche%h%h.</p>\n", etat ? " dans l'état : " : "",
			        etat ? vocab_label(&vocab_state, etat) : "");
		} else {
			buf_puts(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Tableau (défilement horizontal possible)\">\n<table class=\"data\">\n<caption>");
			html_count(b, rs.n, "fiche", "fiches");
			buf_fmt(b, " de %h", o.name);
			if (etat) buf_fmt(b, " (état : %h)", vocab_label(&vocab_state, etat));
			buf_puts(b, "</caption>\n<thead><tr><th scope=\"col\">Fiche</th><th scope=\"col\">État</th>"
			            "<th scope=\"col\">Mise à jour</th></tr></thead>\n<tbody>\n");
			for (int k = 0; k < rs.n; k++) {
				buf_puts(b, "<tr><th scope=\"row\">");
				title_link(b, &rs.v[k]);
				buf_puts(b, "</th><td>");
				html_badge(b, "state", rs.v[k].state);
				buf_puts(b, "</td><td>");
				html_time(b, rs.v[k].updated_at);
				buf_puts(b, "</td></tr>\n");
			}
			buf_puts(b, "</tbody>\n</table>\n</div>\n");
			if (rs.n >= WS_MAX)
				buf_fmt(b, "<p>Seules les %d fiches mises à jour le plus récemment sont affichées.</p>\n", WS_MAX);
		}
		buf_puts(b, "</section>\n");
		free(rs.v);
		free(key);
		org_free(&o);
	}
	html_end(r);
	return 0;
}

/* ==== GET /relecture ==== */

static int by_since(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->since, y->since);
	return c ? c : (x->id < y->id ? -1 : x->id > y->id);
}

int page_review_queue(struct req *r)
{
	const struct viewer *v = &r->viewer;
	bool curator = auth_is_curator(v);
	bool referent = false;
	for (int i = 0; i < v->norgs; i++)
		if (v->referent_of[i]) referent = true;
	if (!curator && !referent) {
		page_error(r, 403, "La file de relecture est réservée aux référents des organisations et à l'équipe "
		                   "de l'observatoire.");
		return 0;
	}
	struct rows rs = { r, NULL, 0, 0 };
	int rc = 0;
	if (curator) {
		rc = store_usecase_list(r->db, 0, "submitted", true, WS_MAX, collect, &rs);
	} else {
		for (int i = 0; i < v->norgs && rc >= 0; i++)
			if (v->referent_of[i] && auth_can_publish_org(v, v->orgs[i]))
				rc = store_usecase_list(r->db, v->orgs[i], "submitted", true, WS_MAX, collect, &rs);
		if (rs.n > 1) qsort(rs.v, (size_t)rs.n, sizeof *rs.v, by_since);
	}
	if (rc < 0) {
		free(rs.v);
		page_error(r, 500, "Les fiches n'ont pas pu être lues.");
		return 0;
	}
	buf_t *b = &r->out;
	html_begin(r, "File de relecture");
	buf_puts(b, "<h1>File de relecture</h1>\n");
	buf_puts(b, curator ? "<p>Fiches soumises à la relecture, toutes organisations confondues, les plus anciennes d'abord.</p>\n"
	                    : "<p>Fiches soumises à la relecture par les organisations dont vous êtes référent, les plus "
	                      "anciennes d'abord. Ouvrez une fiche pour la publier ou demander des modifications.</p>\n");
	if (rs.n == 0) {
		buf_puts(b, "<p>Aucune fiche n'attend de relecture.</p>\n");
	} else {
		buf_puts(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Tableau (défilement horizontal possible)\">\n<table class=\"data\">\n<caption>");
		html_count(b, rs.n, "fiche soumise", "fiches soumises");
		buf_puts(b, "</caption>\n<thead><tr><th scope=\"col\">Fiche</th><th scope=\"col\">Organisation</th>"
		            "<th scope=\"col\">Soumise le</th></tr></thead>\n<tbody>\n");
		for (int k = 0; k < rs.n; k++) {
			buf_puts(b, "<tr><th scope=\"row\">");
			title_link(b, &rs.v[k]);
			buf_puts(b, "</th><td>");
			struct org o;
			if (org_get(r->db, rs.v[k].org, &o) == 1) {
				char *key = org_key(&o);
				buf_fmt(b, "<a href=\"/organisations/%U\">%h</a>", key, o.name);
				free(key);
				org_free(&o);
			}
			buf_puts(b, "</td><td>");
			html_time(b, rs.v[k].since);
			buf_puts(b, "</td></tr>\n");
		}
		buf_puts(b, "</tbody>\n</table>\n</div>\n");
	}
	html_end(r);
	free(rs.v);
	return 0;
}
