/*
 * page_history.c — GET /fiches/{id}/historique (the versions of a record,
 * newest first, with what changed) and GET /fiches/{id}/comparer?de=N&a=M
 * (field-by-field comparison of two versions); and the link to the history
 * on the record page (page_history_link()).
 *
 * Design notes
 * - Same address rule as the record page for the id ("ID" or "ID-slug",
 *   digits strictly; the slug is not checked, no redirection). A record
 *   the viewer may not read (auth_can_read_usecase()) is a 404 with the
 *   record page's message, so drafts cannot be discovered here either.
 * - Which versions: auth_can_see_version() — versions that were public
 *   (published, retracted) for everyone, every version for the editors of
 *   the owner organisation. "What changed" compares a version with the
 *   previous version SHOWN to this viewer (for the public, the first
 *   public version is "première version publiée" even if drafts came
 *   before it).
 * - Which fields: model_field_visible(f, auth_can_read_restricted()). A
 *   version whose only changes are restricted fields is listed for the
 *   public with the neutral "Pas de modification des informations
 *   publiques." (no field names, no values: we chose to list it rather
 *   than omit it, so version numbers stay contiguous without a gap to
 *   explain); restricted readers see the field names and the phrase
 *   "modification d'informations réservées aux collectivités".
 * - Who: history_author() — never an e-mail; display names only for
 *   auth_can_see_version_authors() (restricted readers, the organisation's
 *   editors); the public sees "un membre de ORG", "l'équipe de
 *   l'observatoire", "import" or "un contributeur".
 * - Comparison values are rendered as text only (no links, no Markdown
 *   rendering: the Markdown source is shown), escaped with %h, line breaks
 *   kept by CSS (class "text", white-space: pre-line). Vocabulary codes
 *   become their French labels, organisations their names, booleans
 *   Oui/Non. The "modifié"/"identique" marker is text, not colour.
 * - Bad or missing de/a (or tout other than 0/1) is a 400 page; a version
 *   that does not exist or that the viewer may not see is a 404.
 * - Memory: versions, record and organisation are freed before returning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "model.h"
#include "org.h"
#include "pages.h"
#include "store.h"
#include "util.h"

#define MAX_FIELDS 128

/* "123" or "123-anything" (same rule as page_usecase.c). 0 or -1. */
static int parse_id(const char *seg, int64_t *id)
{
	size_t n = 0;
	while (seg[n] >= '0' && seg[n] <= '9') n++;
	if (n == 0 || n > 18 || (seg[n] != 0 && seg[n] != '-')) return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) v = v * 10 + (seg[i] - '0');
	if (v < 1) return -1;
	*id = v;
	return 0;
}

/* Everything both pages need. */
struct ctx {
	struct uc_full u;
	struct org owner;
	bool have_owner;
	struct uc_version *v;
	int nv;
	bool restricted, names;
	const char *title;
};

static void ctx_free(struct ctx *c)
{
	history_free(c->v, c->nv);
	if (c->have_owner) org_free(&c->owner);
	store_usecase_free(&c->u);
}

/* Load the record, check it may be read, load its versions. 1, or 0 after
 * writing an error page. */
static int ctx_load(struct req *r, struct ctx *c)
{
	memset(c, 0, sizeof *c);
	int64_t id;
	if (r->nargs < 1 || parse_id(r->args[0], &id) < 0) {
		page_error(r, 404, "Cette fiche n'existe pas.");
		return 0;
	}
	int rc = store_usecase_load(r->db, id, &c->u);
	if (rc < 0) {
		page_error(r, 500, "La fiche n'a pas pu être lue.");
		return 0;
	}
	if (rc == 0 || !auth_can_read_usecase(&r->viewer, c->u.state, c->u.owner_org_id)) {
		if (rc == 1) store_usecase_free(&c->u);
		page_error(r, 404, "Cette fiche n'existe pas, ou n'est pas publiée.");
		return 0;
	}
	int orc = org_get(r->db, c->u.owner_org_id, &c->owner);
	c->have_owner = orc == 1;
	c->nv = orc < 0 ? -1 : history_load(r->db, id, c->u.owner_org_id, &c->v);
	if (c->nv < 0) {
		c->nv = 0;
		ctx_free(c);
		page_error(r, 500, "L'historique de la fiche n'a pas pu être lu.");
		return 0;
	}
	c->restricted = auth_can_read_restricted(&r->viewer);
	history_filter(c->v, c->nv, c->restricted);
	c->names = auth_can_see_version_authors(&r->viewer, c->u.owner_org_id);
	c->title = doc_str(c->u.doc, "title");
	if (!c->title || !*c->title) c->title = "(sans titre)";
	return 1;
}

static bool shown(struct req *r, const struct ctx *c, const struct uc_version *v)
{
	return auth_can_see_version(&r->viewer, v->state, c->u.owner_org_id);
}

/* A timestamp "2026-11-26T10:05:00Z" as "26 novembre 2026 à 10 h 05 (UTC)". */
static void time_fr(buf_t *b, const char *at)
{
	if (!at) return;
	buf_fmt(b, "<time datetime=\"%h\">", at);
	html_date_fr(b, at);
	if (strlen(at) >= 16 && at[10] == 'T')
		buf_fmt(b, " à %h h %h (UTC)", (char[]){ at[11], at[12], 0 }, (char[]){ at[14], at[15], 0 });
	buf_puts(b, "</time>");
}

static void author(buf_t *b, const struct ctx *c, const struct uc_version *v)
{
	char *a = history_author(v, c->names, c->have_owner ? c->owner.name : NULL);
	buf_fmt(b, "%h", a);
	free(a);
}

static void breadcrumb(struct req *r, const struct ctx *c, const char *here)
{
	buf_t path = BUF_INIT;
	html_usecase_path(&path, c->u.id, c->u.slug);
	buf_fmt(&r->out, "<nav class=\"breadcrumb\" aria-label=\"Fil d'Ariane\">\n<ol>\n"
	                 "<li><a href=\"/\">Accueil</a></li>\n"
	                 "<li><a href=\"/recherche\">Fiches</a></li>\n"
	                 "<li><a href=\"%h\">%h</a></li>\n",
	        buf_cstr(&path), c->title);
	if (strcmp(here, "Historique") != 0)
		buf_fmt(&r->out, "<li><a href=\"/fiches/%D/historique\">Historique</a></li>\n", c->u.id);
	buf_fmt(&r->out, "<li><span aria-current=\"page\">%h</span></li>\n</ol>\n</nav>\n", here);
	buf_free(&path);
}

/* ==== History ==== */

static void compare_form(struct req *r, const struct ctx *c, int nshown)
{
	buf_t *b = &r->out;
	if (nshown < 2) return;
	buf_fmt(b, "<form method=\"get\" action=\"/fiches/%D/comparer\" class=\"form compare-form\" "
	           "aria-labelledby=\"titre-comparer\">\n"
	           "<h2 id=\"titre-comparer\">Comparer deux versions</h2>\n",
	        c->u.id);
	for (int k = 0; k < 2; k++) {
		const char *name = k == 0 ? "de" : "a";
		buf_fmt(b, "<div class=\"field\">\n<label for=\"f-%h\">%h</label>\n<select id=\"f-%h\" name=\"%h\">\n",
		        name, k == 0 ? "De la version" : "À la version", name, name);
		/* defaults: the two newest versions shown */
		int seen = 0;
		for (int i = c->nv - 1; i >= 0; i--) {
			if (!shown(r, c, &c->v[i])) continue;
			seen++;
			bool sel = (k == 0 && seen == 2) || (k == 1 && seen == 1);
			buf_fmt(b, sel ? "<option value=\"%D\" selected>Version %D</option>\n"
			               : "<option value=\"%D\">Version %D</option>\n",
			        c->v[i].version, c->v[i].version);
		}
		buf_puts(b, "</select>\n</div>\n");
	}
	buf_puts(b, "<div class=\"actions\"><button type=\"submit\">Comparer</button></div>\n</form>\n");
}

static void field_list(buf_t *b, const struct field **fs, int n)
{
	buf_puts(b, "<ul class=\"changed-fields\">\n");
	for (int i = 0; i < n; i++) {
		buf_fmt(b, "<li>%h", fs[i]->label);
		if (fs[i]->vis == VIS_RESTRICTED)
			buf_puts(b, " <span class=\"restricted-tag\">réservé aux agents</span>");
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ul>\n");
}

/* What changed between prev (NULL: none shown before) and v. */
static void changes(buf_t *b, const struct ctx *c, const struct uc_version *prev, const struct uc_version *v)
{
	if (!prev) {
		buf_fmt(b, "<p class=\"version-changes\">%h</p>\n",
		        v->version == 1 ? "Création de la fiche." : "Première version publiée.");
		return;
	}
	if (strcmp(prev->state, v->state) != 0) {
		buf_puts(b, "<p class=\"version-state-change\">Changement d'état : ");
		html_badge(b, "state", prev->state);
		buf_puts(b, " → ");
		html_badge(b, "state", v->state);
		buf_puts(b, "</p>\n");
	}
	const struct field *fs[MAX_FIELDS];
	int hidden = 0;
	int n = history_diff(prev->doc, v->doc, c->restricted, fs, MAX_FIELDS, &hidden);
	hidden += history_hidden_items(prev, v);
	int public_changes = 0;
	for (int i = 0; i < n; i++)
		if (fs[i]->vis == VIS_PUBLIC) public_changes++;
	if (n > 0) {
		buf_fmt(b, "<p class=\"version-changes\">%h</p>\n",
		        n == 1 ? "Champ modifié :" : "Champs modifiés :");
		field_list(b, fs, n);
		if (public_changes == 0)
			buf_puts(b, "<p class=\"version-changes\">Modification d'informations réservées aux "
			            "collectivités.</p>\n");
	} else if (hidden > 0) {
		buf_puts(b, "<p class=\"version-changes\">Pas de modification des informations publiques.</p>\n");
	} else {
		buf_puts(b, "<p class=\"version-changes\">Aucun champ modifié.</p>\n");
	}
}

int page_history(struct req *r)
{
	struct ctx c;
	if (!ctx_load(r, &c)) return 0;
	buf_t *b = &r->out;
	int nshown = 0;
	for (int i = 0; i < c.nv; i++)
		if (shown(r, &c, &c.v[i])) nshown++;

	/* html_begin() escapes the title */
	char *t = xasprintf("Historique des modifications — %s", c.title);
	r->status = 200;
	html_begin(r, t);
	free(t);
	breadcrumb(r, &c, "Historique");
	buf_t path = BUF_INIT;
	html_usecase_path(&path, c.u.id, c.u.slug);
	buf_fmt(b, "<h1>Historique des modifications</h1>\n"
	           "<p class=\"lead\">Fiche « <a href=\"%h\">%h</a> » : ",
	        buf_cstr(&path), c.title);
	buf_free(&path);
	html_count(b, nshown, "version", "versions");
	buf_puts(b, ", de la plus récente à la plus ancienne.</p>\n");
	if (!c.restricted)
		buf_puts(b, "<p class=\"note-restricted\">Seules les versions publiées et les informations "
		            "publiques sont présentées ici.</p>\n");

	compare_form(r, &c, nshown);

	if (nshown == 0) {
		buf_puts(b, "<p>Aucune version à afficher.</p>\n");
	} else {
		buf_puts(b, "<h2 id=\"titre-versions\">Versions</h2>\n<ol class=\"history\" reversed "
		            "aria-labelledby=\"titre-versions\">\n");
		for (int i = c.nv - 1; i >= 0; i--) {
			const struct uc_version *v = &c.v[i];
			if (!shown(r, &c, v)) continue;
			const struct uc_version *prev = NULL;
			for (int j = i - 1; j >= 0 && !prev; j--)
				if (shown(r, &c, &c.v[j])) prev = &c.v[j];
			buf_fmt(b, "<li class=\"version\" id=\"version-%D\">\n<h3>Version %D</h3>\n"
			           "<p class=\"version-meta\">",
			        v->version, v->version);
			time_fr(b, v->at);
			buf_puts(b, ", par ");
			author(b, &c, v);
			buf_puts(b, " — <span class=\"visually-hidden\">État : </span>");
			html_badge(b, "state", v->state);
			buf_puts(b, "</p>\n");
			if (v->note && *v->note) buf_fmt(b, "<p class=\"version-note\">Note : <span class=\"text\">%h</span></p>\n", v->note);
			changes(b, &c, prev, v);
			if (prev)
				buf_fmt(b, "<p><a href=\"/fiches/%D/comparer?de=%D&amp;a=%D\">Comparer la version %D "
				           "avec la version %D</a></p>\n",
				        c.u.id, prev->version, v->version, v->version, prev->version);
			buf_puts(b, "</li>\n");
		}
		buf_puts(b, "</ol>\n");
	}
	/* hook: the label's events (page_impact.c) */
	impact_history_section(r, c.u.id);
	html_end(r);
	ctx_free(&c);
	return 0;
}

/* ==== Comparison ==== */

static void render_org_name(struct req *r, buf_t *b, const char *key)
{
	struct org o;
	if (key && org_find(r->db, key, &o) == 1) {
		buf_fmt(b, "%h", o.name);
		org_free(&o);
	} else {
		buf_fmt(b, "%h", key ? key : "");
	}
}

/* One value as text (the cell content). */
static void value_text(struct req *r, buf_t *b, const struct field *f, const json_t *v)
{
	if (history_empty(v)) {
		buf_puts(b, "<span class=\"empty\">(vide)</span>");
		return;
	}
	size_t i;
	json_t *x;
	switch (f->type) {
	case F_STR:
	case F_TEXT:
	case F_MD:
	case F_URL:
	case F_DATE:
		buf_fmt(b, "<div class=\"text\">%h</div>", json_string_value(v));
		break;
	case F_ENUM:
		buf_fmt(b, "%h", f->vocab ? vocab_label(f->vocab, json_string_value(v)) : json_string_value(v));
		break;
	case F_BOOL:
		buf_puts(b, json_is_true(v) ? "Oui" : "Non");
		break;
	case F_INT:
		html_int_fr(b, json_integer_value(v));
		break;
	case F_NUM:
		html_field_num(b, f, json_number_value(v));
		break;
	case F_ORG:
		render_org_name(r, b, json_string_value(v));
		break;
	case F_ENUMS:
	case F_STRS:
	case F_URLS:
	case F_ORGS:
	case F_SUPPLIERS:
	case F_LEGAL:
	case F_INDICATORS:
	case F_KIT:
		buf_puts(b, "<ul>");
		json_array_foreach(v, i, x) {
			buf_puts(b, "<li>");
			if (f->type == F_ORGS) {
				render_org_name(r, b, json_string_value(x));
			} else if (f->type == F_SUPPLIERS) {
				const char *name = json_string_value(json_object_get(x, "name"));
				const char *siren = json_string_value(json_object_get(x, "siren"));
				buf_fmt(b, "%h", name ? name : "");
				if (siren) buf_fmt(b, " (%h)", siren);
			} else if (f->type == F_LEGAL) {
				const char *title = json_string_value(json_object_get(x, "title"));
				const char *url = json_string_value(json_object_get(x, "url"));
				buf_fmt(b, "%h", title ? title : "");
				if (url) buf_fmt(b, " — %h", url);
			} else if (f->type == F_INDICATORS || f->type == F_KIT) {
				html_item_summary(b, f, x);
			} else if (json_is_string(x)) {
				const char *s = json_string_value(x);
				buf_fmt(b, "%h", f->vocab ? vocab_label(f->vocab, s) : s);
			}
			buf_puts(b, "</li>");
		}
		buf_puts(b, "</ul>");
		break;
	}
}

/* Parse a version number parameter: 1..10^9. 0 or -1. */
static int parse_version(const char *s, int64_t *out)
{
	if (!s || !*s || strlen(s) > 10) return -1;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9') return -1;
	return parse_int64(s, 1, 1000000000, out);
}

static void version_summary(struct req *r, const struct ctx *c, const struct uc_version *v)
{
	buf_t *b = &r->out;
	buf_fmt(b, "<li>Version %D : ", v->version);
	time_fr(b, v->at);
	buf_puts(b, ", par ");
	author(b, c, v);
	buf_puts(b, " — <span class=\"visually-hidden\">État : </span>");
	html_badge(b, "state", v->state);
	buf_puts(b, "</li>\n");
}

int page_compare(struct req *r)
{
	int64_t de, a;
	const char *tout = req_param(r, "tout");
	if (parse_version(req_param(r, "de"), &de) < 0 || parse_version(req_param(r, "a"), &a) < 0 ||
	    (tout && strcmp(tout, "0") != 0 && strcmp(tout, "1") != 0)) {
		page_error(r, 400,
		           "Comparaison impossible : indiquez deux numéros de version, « de » et « a », "
		           "entiers à partir de 1 (par exemple ?de=1&a=2), et « tout » vaut 0 ou 1.");
		return 0;
	}
	bool all = tout && strcmp(tout, "1") == 0;
	struct ctx c;
	if (!ctx_load(r, &c)) return 0;
	const struct uc_version *va = NULL, *vb = NULL;
	for (int i = 0; i < c.nv; i++) {
		if (c.v[i].version == de) va = &c.v[i];
		if (c.v[i].version == a) vb = &c.v[i];
	}
	if (!va || !vb || !shown(r, &c, va) || !shown(r, &c, vb)) {
		ctx_free(&c);
		page_error(r, 404, "Cette version de la fiche n'existe pas, ou n'est pas visible.");
		return 0;
	}

	/* fields to show: visible ones with a value in at least one version */
	const struct field *rows[MAX_FIELDS];
	bool diff[MAX_FIELDS];
	int nrows = 0, nchanged = 0, nsame = 0;
	for (size_t i = 0; i < model_nfields && nrows < MAX_FIELDS; i++) {
		const struct field *f = &model_fields[i];
		if (!model_field_visible(f, c.restricted)) continue;
		bool d = history_field_differs(f, va->doc, vb->doc);
		if (!d && history_empty(json_object_get(va->doc, f->name))) continue;
		if (d) nchanged++;
		else nsame++;
		if (!d && !all) continue;
		diff[nrows] = d;
		rows[nrows++] = f;
	}

	buf_t *b = &r->out;
	char *t = xasprintf("Comparaison des versions %lld et %lld — %s", (long long)de, (long long)a, c.title);
	r->status = 200;
	html_begin(r, t);
	free(t);
	breadcrumb(r, &c, "Comparaison");
	buf_fmt(b, "<h1>Comparaison des versions %D et %D</h1>\n<p class=\"lead\">Fiche « %h ».</p>\n<ul class=\"compared\">\n",
	        de, a, c.title);
	version_summary(r, &c, va);
	version_summary(r, &c, vb);
	buf_puts(b, "</ul>\n<p class=\"compare-count\">");
	html_count(b, nchanged, "champ modifié", "champs modifiés");
	buf_puts(b, ", ");
	html_count(b, nsame, "champ identique", "champs identiques");
	if (!all && nsame > 0)
		buf_fmt(b, " (non affichés : <a href=\"/fiches/%D/comparer?de=%D&amp;a=%D&amp;tout=1\">afficher "
		           "aussi les champs identiques</a>)",
		        c.u.id, de, a);
	else if (all)
		buf_fmt(b, " (<a href=\"/fiches/%D/comparer?de=%D&amp;a=%D\">n'afficher que les champs modifiés</a>)",
		        c.u.id, de, a);
	buf_puts(b, ".</p>\n");
	if (!c.restricted)
		buf_puts(b, "<p class=\"note-restricted\">Les informations réservées aux agents des collectivités "
		            "ne sont pas comparées ici.</p>\n");
	if (nrows == 0)
		buf_puts(b, "<p>Aucune différence entre ces deux versions.</p>\n");

	/* one table per section, sections in table order */
	const char *secs[16];
	int nsecs = model_sections(secs, (int)ARRAY_LEN(secs));
	for (int si = 0; si < nsecs; si++) {
		const char *sec = secs[si];
		int i = 0;   /* the section's first row, if it has any */
		while (i < nrows && strcmp(rows[i]->section, sec) != 0) i++;
		if (i == nrows) continue;
		buf_fmt(b, "<h2 id=\"section-%h\">%h</h2>\n<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Tableau (défilement horizontal possible)\">\n<table class=\"data compare\">\n"
		           "<caption>%h : version %D et version %D</caption>\n<thead><tr>"
		           "<th scope=\"col\">Champ</th><th scope=\"col\">Version %D</th>"
		           "<th scope=\"col\">Version %D</th><th scope=\"col\">Différence</th></tr></thead>\n<tbody>\n",
		        sec, model_section_label(sec), model_section_label(sec), de, a, de, a);
		for (int j = i; j < nrows; j++) {
			const struct field *f = rows[j];
			if (strcmp(f->section, sec) != 0) continue;
			buf_fmt(b, "<tr class=\"%h\"><th scope=\"row\">%h", diff[j] ? "changed" : "same", f->label);
			if (f->vis == VIS_RESTRICTED)
				buf_puts(b, " <span class=\"restricted-tag\">réservé aux agents</span>");
			buf_puts(b, "</th><td>");
			value_text(r, b, f, json_object_get(va->doc, f->name));
			buf_puts(b, "</td><td>");
			value_text(r, b, f, json_object_get(vb->doc, f->name));
			buf_puts(b, diff[j] ? "</td><td><strong>modifié</strong></td></tr>\n" : "</td><td>identique</td></tr>\n");
		}
		buf_puts(b, "</tbody>\n</table>\n</div>\n");
	}
	buf_fmt(b, "<p><a href=\"/fiches/%D/historique\">Retour à l'historique de la fiche</a></p>\n", c.u.id);
	html_end(r);
	ctx_free(&c);
	return 0;
}

/* ==== Link on the record page ==== */

void page_history_link(struct req *r, const struct uc_full *u)
{
	int64_t n = history_count(r->db, u->id, auth_can_edit_org(&r->viewer, u->owner_org_id));
	if (n < 0) return;
	buf_fmt(&r->out, "<p class=\"history-link\"><a href=\"/fiches/%D/historique\">Historique des modifications (",
	        u->id);
	html_count(&r->out, n, "version", "versions");
	buf_puts(&r->out, ")</a></p>\n");
}
