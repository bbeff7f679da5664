/*
 * page_reuse.c — reuse between territories on the web: the record page's
 * origin note and "Réutilisations" section (reuses, lineage link, reuse
 * kit, "we reuse this" button), the form to declare a reuse (GET/POST
 * /fiches/{id}/reutiliser), the lineage page (GET /fiches/{id}/lignee)
 * and the organisations' inbox (GET /espace/messages).
 *
 * Design notes
 * - The rules (what a reuse copies, who may declare one, the notice on
 *   publication, which lineage nodes a reader sees) live in reuse.c; this
 *   file renders them. Decisions are written in reuse.h.
 * - Only visible reuses (published or retracted) are listed and counted
 *   on the record page, for every reader: "Réutilisée par N territoires"
 *   counts the distinct organisations among them. A draft reuse appears
 *   nowhere on its origin's page (its own page is for its members).
 * - The origin note names the origin only when the reader may read it,
 *   else says "une fiche non publiée" (no title, no owner).
 * - The reuse kit is the doc as the reader sees it (model_doc_for_reader
 *   already removed restricted items for readers without the right);
 *   restricted items shown to agents carry the tag "réservé aux agents".
 * - The form: the organisation (a list of the viewer's organisations other
 *   than the origin's owner; curators type any key, like the record
 *   form), the context (required here, although optional in the model),
 *   the adaptations and the status. The reuse is created in draft with the
 *   origin's public description (reuse_seed) and the viewer goes on to the
 *   record form to complete it. Refusals: no organisation to reuse with
 *   (403 page), origin not published (409 page), on post a chosen
 *   organisation the viewer may not write for or the origin's own owner
 *   (422, on the field).
 * - The lineage page is a nested <ul>; each <li> carries data-id,
 *   data-depth and data-parent (hidden nodes: data-depth and data-parent
 *   only), the current record is marked aria-current="page".
 * - The inbox: members see their organisations' notices; curators and
 *   admins see every organisation's, ?org=KEY narrows (only to an
 *   organisation the viewer may edit for); an account with neither gets a
 *   403 page (the same rule as /espace/signalements). A notice links to
 *   the reuse when the reader may read it.
 * - Memory: loaded records, lists and organisations are freed before
 *   returning; form strings belong to the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"
#include "org.h"
#include "pages.h"
#include "reuse.h"
#include "store.h"
#include "text.h"
#include "util.h"

#define INBOX_MAX 200

/* ==== Helpers ==== */


static void record_link(buf_t *b, int64_t id, const char *slug, const char *title, bool current)
{
	buf_t p = BUF_INIT;
	html_usecase_path(&p, id, slug ? slug : "");
	buf_fmt(b, "<a href=\"%h\"%R>%h</a>", buf_cstr(&p), current ? " aria-current=\"page\"" : "",
	        title && *title ? title : "(sans titre)");
	buf_free(&p);
}


/* Organisations of the viewer that could reuse u (all but its owner). */
static int reuse_orgs(const struct viewer *v, const struct uc_full *u, int64_t *out)
{
	int n = 0;
	for (int i = 0; i < v->norgs; i++)
		if (v->orgs[i] != u->owner_org_id) out[n++] = v->orgs[i];
	return n;
}

/* ==== Record page: origin note ==== */

void reuse_origin_note(struct req *r, const struct uc_full *u)
{
	if (!u->origin_id) return;
	buf_t *b = &r->out;
	struct uc_full o;
	int rc = store_usecase_load(r->db, u->origin_id, &o);
	if (rc < 0) return;
	buf_puts(b, "<p class=\"reuse-origin\">Cette fiche réutilise ");
	if (rc == 1 && auth_can_read_usecase(&r->viewer, o.state, o.owner_org_id)) {
		bool restricted = auth_can_read_restricted(&r->viewer);
		json_t *view = model_doc_for_reader(o.doc, restricted);
		buf_puts(b, "« ");
		record_link(b, o.id, o.slug, doc_str(view, "title"), false);
		buf_puts(b, " »");
		struct org g;
		if (org_get(r->db, o.owner_org_id, &g) == 1) {
			char *k = org_key(&g);
			buf_fmt(b, " de <a href=\"/organisations/%U\">%h</a>", k, g.name);
			free(k);
			org_free(&g);
		}
		if (strcmp(o.state, "retracted") == 0) buf_puts(b, " (fiche retirée depuis)");
		json_decref(view);
	} else {
		buf_puts(b, "une fiche non publiée");
	}
	buf_fmt(b, ". <a href=\"/fiches/%D/lignee\">Voir la lignée</a></p>\n", u->id);
	if (rc == 1) store_usecase_free(&o);
}

/* ==== Record page: reuses, kit, button ==== */

static void render_kit(buf_t *b, const json_t *doc)
{
	json_t *kit = json_object_get(doc, "reuse_kit");
	if (!json_is_array(kit) || json_array_size(kit) == 0) return;
	buf_puts(b, "<h3 id=\"titre-kit\">Kit de réutilisation</h3>\n<ul class=\"reuse-kit\">\n");
	size_t i;
	json_t *x;
	json_array_foreach(kit, i, x) {
		const char *kind = doc_str(x, "kind"), *title = doc_str(x, "title"), *url = doc_str(x, "url");
		const char *ref = doc_str(x, "reference"), *vis = doc_str(x, "visibility");
		buf_fmt(b, "<li><span class=\"kit-kind\">%h</span> : ", kind ? vocab_label(&vocab_kit_kind, kind) : "Document");
		if (url && (strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "http://", 7) == 0))
			buf_fmt(b, "<a class=\"external\" href=\"%h\" rel=\"noopener noreferrer\">%h</a>", url,
			        title && *title ? title : url);
		else
			buf_fmt(b, "%h", title ? title : "");
		if (ref && *ref) buf_fmt(b, " — <span class=\"kit-reference\">%h</span>", ref);
		if (vis && strcmp(vis, "restricted") == 0)
			buf_puts(b, " <span class=\"restricted-tag\">réservé aux agents</span>");
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ul>\n");
}

void reuse_section(struct req *r, const struct uc_full *u, const json_t *doc)
{
	buf_t *b = &r->out;
	struct reuse_list l;
	int64_t nreuses = 0, norgs = 0;
	if (store_reuses(r->db, u->id, true, &l) < 0) return;
	if (l.truncated) {
		if (store_reuse_counts(r->db, u->id, &nreuses, &norgs) < 0) {
			store_reuse_list_free(&l);
			return;
		}
	} else {
		/* the whole list is here: count it rather than ask again */
		nreuses = l.n;
		for (int i = 0; i < l.n; i++) {
			bool seen = false;
			for (int k = 0; k < i && !seen; k++) seen = l.v[k].org_id == l.v[i].org_id;
			if (!seen) norgs++;
		}
	}
	const struct viewer *v = &r->viewer;
	int64_t eligible[AUTH_MAX_ORGS];
	bool can_declare = strcmp(u->state, "published") == 0 && v->user_id &&
	                   (auth_is_curator(v) || reuse_orgs(v, u, eligible) > 0);
	json_t *kit = json_object_get(doc, "reuse_kit");
	bool has_kit = json_is_array(kit) && json_array_size(kit) > 0;
	bool published = strcmp(u->state, "published") == 0 || strcmp(u->state, "retracted") == 0;
	if (!published && !has_kit && l.n == 0) {
		store_reuse_list_free(&l);
		return; /* a draft: nothing to say yet */
	}

	buf_puts(b, "<section class=\"reuses\" aria-labelledby=\"titre-reutilisations\">\n"
	            "<h2 id=\"titre-reutilisations\">Réutilisations</h2>\n");
	if (norgs > 0) {
		buf_puts(b, "<p class=\"reuse-count\">Réutilisée par ");
		html_count(b, norgs, "territoire", "territoires");
		if (nreuses != norgs) {
			buf_puts(b, " (");
			html_count(b, nreuses, "fiche", "fiches");
			buf_puts(b, ")");
		}
		buf_puts(b, ".</p>\n");
		buf_puts(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Réutilisations (défilement horizontal possible)\">\n"
		            "<table class=\"data reuse-table\">\n<caption>Collectivités qui réutilisent ce projet</caption>\n"
		            "<thead><tr><th scope=\"col\">Organisation</th><th scope=\"col\">Type</th>"
		            "<th scope=\"col\">Département</th><th scope=\"col\">Avancement</th>"
		            "<th scope=\"col\">Fiche</th></tr></thead>\n<tbody>\n");
		for (int i = 0; i < l.n; i++) {
			const struct reuse_node *x = &l.v[i];
			const char *kl = org_kind_label(x->org_kind);
			buf_fmt(b, "<tr><td><a href=\"/organisations/%U\">%h</a></td><td>%h</td><td>%h</td><td>",
			        x->org_key, x->org_name, kl ? kl : x->org_kind,
			        x->org_departement ? x->org_departement : "—");
			if (strcmp(x->state, "published") != 0) {
				html_badge(b, "state", x->state);
				buf_puts(b, " ");
			}
			if (x->status) html_badge(b, "status", x->status);
			buf_puts(b, "</td><td>");
			record_link(b, x->id, x->slug, x->title, false);
			buf_puts(b, "</td></tr>\n");
		}
		buf_puts(b, "</tbody>\n</table>\n</div>\n");
		if (l.truncated) buf_fmt(b, "<p>Seules les %d premières réutilisations sont listées.</p>\n", REUSE_LIST_MAX);
	} else if (published) {
		buf_puts(b, "<p class=\"reuse-count\">Aucune collectivité n'a encore déclaré réutiliser ce projet.</p>\n");
	}
	if (norgs > 0 || u->origin_id)
		buf_fmt(b, "<p><a href=\"/fiches/%D/lignee\">Voir la lignée</a> (la fiche d'origine et toutes ses "
		           "réutilisations, en arbre)</p>\n",
		        u->id);
	render_kit(b, doc);
	if (can_declare)
		buf_fmt(b, "<p class=\"reuse-declare\"><a class=\"button\" href=\"/fiches/%D/reutiliser\">Notre collectivité "
		           "réutilise ce projet</a></p>\n",
		        u->id);
	buf_puts(b, "</section>\n");
	store_reuse_list_free(&l);
}

/* ==== GET/POST /fiches/{id}/reutiliser ==== */

/* The refusal page when the viewer cannot declare a reuse of u at all.
 * Returns true after replying. */
static bool refuse_early(struct req *r, const struct uc_full *u)
{
	const struct viewer *v = &r->viewer;
	int64_t eligible[AUTH_MAX_ORGS];
	if (!auth_is_curator(v) && v->norgs == 0) {
		page_error(r, 403, "Une réutilisation est déclarée au nom d'une collectivité : votre compte n'est membre "
		                   "d'aucune organisation. Demandez à rejoindre la vôtre depuis votre compte.");
		return true;
	}
	if (!auth_is_curator(v) && reuse_orgs(v, u, eligible) == 0) {
		page_error(r, 403, "Cette fiche est portée par votre organisation : une collectivité ne réutilise pas "
		                   "sa propre fiche.");
		return true;
	}
	if (strcmp(u->state, "published") != 0) {
		page_error(r, 409, "Seule une fiche publiée peut être réutilisée.");
		return true;
	}
	return false;
}

static void render_reuse_form(struct req *r, const struct uc_full *u, const struct verrors *e)
{
	buf_t *b = &r->out;
	const struct viewer *v = &r->viewer;
	const char *title = doc_str(u->doc, "title");
	bool failed = e && e->count;
	buf_t t = BUF_INIT;
	buf_puts(&t, failed ? "Erreur : réutiliser « " : "Réutiliser « ");
	buf_puts(&t, title ? title : "");
	buf_puts(&t, " »");
	html_begin(r, buf_cstr(&t));
	buf_free(&t);
	buf_fmt(b, "<h1>Notre collectivité réutilise « %h »</h1>\n", title ? title : "");
	html_error_summary(b, e);
	buf_puts(b, "<p>Vous déclarez que votre collectivité reprend ce projet. Une nouvelle fiche est créée en "
	            "brouillon au nom de votre organisation, liée à la fiche d'origine ; elle reprend sa description "
	            "publique (titre, résumé, algorithme, données, risques), que vous pourrez modifier. Vos "
	            "fournisseurs, coûts, contacts et résultats sont les vôtres : vous les ajouterez ensuite. "
	            "L'organisation d'origine sera prévenue quand votre fiche sera publiée.</p>\n<p>Fiche d'origine : ");
	record_link(b, u->id, u->slug, title, false);
	buf_puts(b, "</p>\n");
	char action[64];
	snprintf(action, sizeof action, "/fiches/%lld/reutiliser", (long long)u->id);
	html_form_begin(r, action, "form reuse-form");

	/* organisation */
	const char *cur = req_form(r, "organisation");
	if (!cur) cur = "";
	const char *oerr = html_ferr(e, "organisation");
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-organisation\">Organisation qui réutilise "
	           "<span class=\"req\">(obligatoire)</span></label>\n"
	           "<p class=\"help\" id=\"h-organisation\">%h</p>\n",
	        oerr ? " field-invalid" : "",
	        auth_is_curator(v) ? "Identifiant IA·T, SIREN ou code INSEE de l'organisation (par exemple commune-69123)."
	                           : "Une de vos organisations, autre que celle qui porte la fiche d'origine.");
	html_field_error(b, e, "organisation");
	if (auth_is_curator(v)) {
		buf_fmt(b, "<input type=\"text\" id=\"f-organisation\" name=\"organisation\" maxlength=\"64\" required "
		           "aria-required=\"true\"%R aria-describedby=\"h-organisation%R\" value=\"%h\">\n",
		        oerr ? " aria-invalid=\"true\"" : "", oerr ? " e-organisation" : "", cur);
	} else {
		int64_t ids[AUTH_MAX_ORGS];
		int n = reuse_orgs(v, u, ids);
		buf_fmt(b, "<select id=\"f-organisation\" name=\"organisation\" required aria-required=\"true\"%R "
		           "aria-describedby=\"h-organisation%R\">\n",
		        oerr ? " aria-invalid=\"true\"" : "", oerr ? " e-organisation" : "");
		if (n != 1) buf_puts(b, "<option value=\"\">— Choisissez —</option>\n");
		for (int i = 0; i < n; i++) {
			struct org o;
			if (org_get(r->db, ids[i], &o) != 1) continue;
			char *k = org_key(&o);
			buf_fmt(b, "<option value=\"%h\"%R>%h</option>\n", k, strcmp(k, cur) == 0 ? " selected" : "", o.name);
			free(k);
			org_free(&o);
		}
		buf_puts(b, "</select>\n");
	}
	buf_puts(b, "</div>\n");

	const struct field *fc = model_field("reuse_context"), *fa = model_field("reuse_adaptations");
	html_input(b, &(struct html_field){ .name = "reuse_context", .label = fc ? fc->label : "Contexte",
	                                    .help = fc ? fc->help : NULL, .type = "textarea", .rows = 6,
	                                    .value = req_form(r, "reuse_context"), .required = true },
	           e);
	html_input(b, &(struct html_field){ .name = "reuse_adaptations", .label = fa ? fa->label : "Adaptations",
	                                    .help = fa ? fa->help : NULL, .type = "textarea", .rows = 6,
	                                    .value = req_form(r, "reuse_adaptations") },
	           e);

	/* status */
	const char *scur = req_form(r, "status");
	if (!scur) scur = "";
	const char *serr = html_ferr(e, "status");
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-status\">Avancement chez vous <span class=\"req\">(obligatoire)"
	           "</span></label>\n<p class=\"help\" id=\"h-status\">Où en est le projet dans votre collectivité.</p>\n",
	        serr ? " field-invalid" : "");
	html_field_error(b, e, "status");
	buf_fmt(b, "<select id=\"f-status\" name=\"status\" required aria-required=\"true\"%R aria-describedby=\"h-status%R\">\n"
	           "<option value=\"\">— Choisissez —</option>\n",
	        serr ? " aria-invalid=\"true\"" : "", serr ? " e-status" : "");
	for (size_t k = 0; k < vocab_status.count; k++) {
		const struct term *tm = &vocab_status.terms[k];
		buf_fmt(b, "<option value=\"%h\"%R>%h</option>\n", tm->code, strcmp(tm->code, scur) == 0 ? " selected" : "",
		        tm->label);
	}
	buf_puts(b, "</select>\n</div>\n");
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Créer notre fiche de réutilisation</button> ");
	record_link(b, u->id, u->slug, "Annuler", false);
	buf_puts(b, "</div>\n</form>\n");
	html_end(r);
}

int page_reuse_form(struct req *r)
{
	struct uc_full u;
	if (!page_usecase_load(r, &u)) return 0;
	if (!refuse_early(r, &u)) {
		r->no_etag = true;
		render_reuse_form(r, &u, NULL);
	}
	store_usecase_free(&u);
	return 0;
}

static bool is_blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r') return false;
	return true;
}

int page_reuse_post(struct req *r)
{
	struct uc_full u;
	if (!page_usecase_load(r, &u)) return 0;
	if (refuse_early(r, &u)) {
		store_usecase_free(&u);
		return 0;
	}
	struct verrors e = { 0 };
	const char *okey = req_form(r, "organisation");
	const char *ctx = req_form(r, "reuse_context"), *adapt = req_form(r, "reuse_adaptations");
	const char *status = req_form(r, "status");
	struct org o = { 0 };
	int64_t owner = 0;
	if (is_blank(okey)) {
		verrors_add(&e, "validation.required", "organisation", "« Organisation qui réutilise » est obligatoire.");
	} else {
		int rc = org_find(r->db, okey, &o);
		if (rc < 0) {
			store_usecase_free(&u);
			page_error(r, 500, "Erreur interne : réessayez.");
			return 0;
		}
		if (rc == 0) {
			verrors_add(&e, "validation.not_found", "organisation", "Organisation « %.60s » introuvable.", okey);
		} else {
			const char *code, *msg;
			if (reuse_check(&r->viewer, &u, o.id, &code, &msg))
				verrors_add(&e, code, "organisation", "Organisation qui réutilise : %s", msg);
			else
				owner = o.id;
		}
	}
	if (is_blank(ctx))
		verrors_add(&e, "validation.required", "reuse_context", "« Contexte de la réutilisation » est obligatoire.");
	if (is_blank(status))
		verrors_add(&e, "validation.required", "status", "« Avancement chez vous » est obligatoire.");
	json_t *doc = NULL;
	if (!e.count) {
		json_t *in = reuse_seed(u.doc);
		char *k = org_key(&o);
		json_object_set_new(in, "owner", json_string(k));
		free(k);
		json_object_set_new(in, "reuse_context", json_string(ctx));
		if (!is_blank(adapt)) json_object_set_new(in, "reuse_adaptations", json_string(adapt));
		json_object_set_new(in, "status", json_string(status));
		struct verrors mv = { 0 };
		doc = model_validate(in, NULL, &mv);
		json_decref(in);
		int n = mv.count < 32 ? mv.count : 32;
		for (int i = 0; i < n; i++) {
			const char *f = mv.items[i].field;
			bool ours = strcmp(f, "reuse_context") == 0 || strcmp(f, "reuse_adaptations") == 0 ||
			            strcmp(f, "status") == 0;
			verrors_add(&e, mv.items[i].code, ours ? f : "", "%s", mv.items[i].message);
		}
	}
	if (doc && owner) {
		int64_t id = 0;
		struct verrors se = { 0 };
		int rc = reuse_create(r->db, &r->viewer, &u, doc, "draft", "réutilisation", &se, &id);
		if (rc == STORE_OK) {
			char loc[64];
			snprintf(loc, sizeof loc, "/fiches/%lld/modifier", (long long)id);
			req_flash(r, "reuse-created");
			req_redirect(r, loc);
			goto out;
		}
		if (rc != STORE_INVALID) {
			page_error(r, 500, "Erreur interne : la réutilisation n'a pas été enregistrée.");
			goto out;
		}
		for (int i = 0; i < se.count && i < 32; i++) verrors_add(&e, se.items[i].code, "", "%s", se.items[i].message);
	}
	r->status = 422;
	r->no_etag = true;
	render_reuse_form(r, &u, &e);
out:
	json_decref(doc);
	org_free(&o);
	store_usecase_free(&u);
	return 0;
}

/* ==== GET /fiches/{id}/lignee ==== */

struct tree {
	struct req *r;
	const struct reuse_list *l;
	const bool *shown, *keep;
	int64_t current;
};

static void render_node(struct tree *t, int i)
{
	buf_t *b = &t->r->out;
	const struct reuse_node *x = &t->l->v[i];
	bool cur = x->id == t->current;
	if (t->shown[i]) {
		buf_fmt(b, "<li data-id=\"%D\" data-depth=\"%d\" data-parent=\"%D\"%R>", x->id, x->depth, x->parent,
		        cur ? " class=\"lineage-current\"" : "");
		record_link(b, x->id, x->slug, x->title, cur);
		const char *kl = org_kind_label(x->org_kind);
		buf_fmt(b, " <span class=\"lineage-org\">— <a href=\"/organisations/%U\">%h</a>", x->org_key, x->org_name);
		if (kl) buf_fmt(b, " (%h)", kl);
		buf_puts(b, "</span>");
		if (strcmp(x->state, "published") != 0) {
			buf_puts(b, " ");
			html_badge(b, "state", x->state);
		}
		if (x->depth == 0) buf_puts(b, " <span class=\"lineage-root\">fiche d'origine</span>");
	} else {
		buf_fmt(b, "<li data-depth=\"%d\" data-parent=\"%D\"><span class=\"lineage-hidden\">Fiche non publiée</span>",
		        x->depth, x->parent);
	}
	bool open = false;
	for (int j = i + 1; j < t->l->n; j++) {
		if (!t->keep[j] || t->l->v[j].parent != x->id) continue;
		if (!open) buf_puts(b, "\n<ul>\n");
		open = true;
		render_node(t, j);
	}
	if (open) buf_puts(b, "</ul>\n");
	buf_puts(b, "</li>\n");
}

int page_lineage(struct req *r)
{
	struct uc_full u;
	if (!page_usecase_load(r, &u)) return 0;
	struct reuse_list l;
	if (store_lineage(r->db, u.id, &l) < 0) {
		store_usecase_free(&u);
		page_error(r, 500, "La lignée n'a pas pu être lue.");
		return 0;
	}
	bool *shown = xcalloc((size_t)l.n + 1, sizeof *shown), *keep = xcalloc((size_t)l.n + 1, sizeof *keep);
	reuse_lineage_view(&r->viewer, &l, shown, keep);
	json_t *view = model_doc_for_reader(u.doc, auth_can_read_restricted(&r->viewer));
	const char *title = doc_str(view, "title");
	if (!title || !*title) title = "(sans titre)";
	buf_t tt = BUF_INIT;
	buf_puts(&tt, "Lignée de « ");
	buf_puts(&tt, title);
	buf_puts(&tt, " »");
	buf_t *b = &r->out;
	html_begin(r, buf_cstr(&tt));
	buf_free(&tt);
	buf_t p = BUF_INIT;
	html_usecase_path(&p, u.id, u.slug);
	buf_fmt(b, "<nav class=\"breadcrumb\" aria-label=\"Fil d'Ariane\">\n<ol>\n<li><a href=\"/\">Accueil</a></li>\n"
	           "<li><a href=\"/recherche\">Fiches</a></li>\n<li><a href=\"%h\">%h</a></li>\n"
	           "<li><span aria-current=\"page\">Lignée</span></li>\n</ol>\n</nav>\n"
	           "<h1>Lignée de « %h »</h1>\n"
	           "<p>La fiche d'origine et les fiches des collectivités qui l'ont réutilisée, puis celles qui ont "
	           "réutilisé ces réutilisations. La fiche que vous consultiez est mise en évidence. Une fiche non "
	           "publiée est indiquée sans son titre quand des fiches publiées en découlent.</p>\n",
	        buf_cstr(&p), title, title);
	buf_free(&p);
	struct tree t = { r, &l, shown, keep, u.id };
	buf_puts(b, "<ul class=\"lineage-tree\">\n");
	if (l.n > 0 && keep[0]) render_node(&t, 0);
	buf_puts(b, "</ul>\n");
	if (l.truncated) buf_fmt(b, "<p>Seules les %d premières fiches de la lignée sont affichées.</p>\n", LINEAGE_MAX);
	html_end(r);
	json_decref(view);
	free(shown);
	free(keep);
	store_reuse_list_free(&l);
	store_usecase_free(&u);
	return 0;
}

/* ==== GET /espace/messages ==== */

struct inbox {
	struct req *r;
	bool several;   /* more than one organisation: name it */
};

static int inbox_row(void *ctx, const struct notice_row *n)
{
	struct inbox *in = ctx;
	buf_t *b = &in->r->out;
	buf_puts(b, "<li class=\"notice-item\"><p>");
	html_time(b, n->at);
	if (in->several) buf_fmt(b, " — <strong>%h</strong>", n->org_name ? n->org_name : "");
	buf_fmt(b, "</p>\n<p>%h</p>\n", n->text ? n->text : "");
	if (n->other_id && n->other_state &&
	    auth_can_read_usecase(&in->r->viewer, n->other_state, n->other_org_id)) {
		buf_puts(b, "<p>Voir la fiche : ");
		record_link(b, n->other_id, n->other_slug, n->other_title, false);
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "</li>\n");
	return 0;
}

int page_inbox(struct req *r)
{
	const struct viewer *v = &r->viewer;
	bool curator = auth_is_curator(v);
	if (!curator && v->norgs == 0) {
		page_error(r, 403, "Les messages sont adressés aux organisations : cette page est réservée à leurs "
		                   "membres. Si vous travaillez pour une collectivité, demandez à rejoindre son "
		                   "organisation depuis votre compte.");
		return 0;
	}
	struct org fo = { 0 };
	int64_t ids[AUTH_MAX_ORGS];
	int nids = -1;
	int frc = page_org_param(r, &fo);
	if (frc < 0) return 0;
	if (frc > 0) {
		ids[0] = fo.id;
		nids = 1;
	} else if (!curator) {
		for (int i = 0; i < v->norgs; i++) ids[i] = v->orgs[i];
		nids = v->norgs;
	}
	buf_t *b = &r->out;
	r->status = 200;
	r->no_etag = true;
	html_begin(r, "Messages de mes organisations");
	buf_puts(b, "<h1>Messages de mes organisations</h1>\n");
	if (nids == 1 && fo.name)
		buf_fmt(b, "<p>Organisation : <strong>%h</strong> (<a href=\"/espace/messages\">toutes</a>)</p>\n", fo.name);
	buf_fmt(b, "<p>Ce que la bibliothèque signale à %h : en particulier, quand une autre collectivité publie la "
	           "réutilisation d'une de vos fiches.</p>\n",
	        curator && nids < 0 ? "toutes les organisations" : "vos organisations");
	if (curator || v->norgs > 1) page_org_filter_form(r, "/espace/messages");
	struct inbox in = { r, nids != 1 };
	size_t mark = b->len;
	buf_puts(b, "<ul class=\"org-notices\">\n");
	int n = store_notices(r->db, ids, nids, INBOX_MAX, inbox_row, &in);
	if (n < 0) {
		org_free(&fo);
		page_error(r, 500, "Les messages n'ont pas pu être lus.");
		return 0;
	}
	if (n == 0) {
		b->len = mark;
		buf_puts(b, "<p>Aucun message pour le moment.</p>\n");
	} else {
		buf_puts(b, "</ul>\n");
	}
	html_end(r);
	org_free(&fo);
	return 0;
}
