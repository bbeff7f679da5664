/*
 * page_usecase.c — GET /fiches/{id}-{slug} (and /fiches/{id}): the page of
 * one record.
 *
 * Design notes
 * - The id is the digits before the first '-' of the segment, strictly
 *   (anything else is a 404, never a guess). The canonical address is
 *   /fiches/ID-slug with the stored slug: any other spelling (missing or
 *   old slug, leading zeros) gets a 301 to it, so links survive a change of
 *   title and search engines see one address.
 * - Who sees what: records that are neither published nor retracted exist
 *   only for the editors of their organisation (auth_can_read_usecase());
 *   for everyone else they are a 404, exactly like a missing record, so
 *   drafts cannot be discovered by counting ids. Restricted fields are
 *   shown only when auth_can_read_restricted() — through
 *   model_field_visible(), the same test as the JSON representation —
 *   and anonymous readers get one note saying some information is reserved
 *   to agents, never the values, nor which fields are filled.
 * - The provenance of imported records ("provenance" in the doc: source,
 *   file, line, imported_at, raw) is shown with the raw source columns
 *   filtered exactly like model_render_json() does: a column that feeds a
 *   restricted field is hidden from readers without restricted rights.
 * - Fields are rendered from the field table (model_fields[]), in table
 *   order, grouped by section, each one as a <dt>/<dd> pair; an empty
 *   section is left out. Plain text keeps its line breaks with CSS
 *   (white-space: pre-line), so no markup is built from data; Markdown goes
 *   through markdown_render() (safe HTML, inserted raw — the only raw
 *   insertion of this file).
 * - Memory: the loaded record (struct uc_full) and the organisations looked
 *   up are freed before returning; temporary buffers too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "markdown.h"
#include "model.h"
#include "org.h"
#include "pages.h"
#include "store.h"
#include "util.h"

/* ==== Address ==== */

/* Parse "123" or "123-anything": digits only before the first '-'.
 * Returns 0 and sets *id, or -1. */
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

static void redirect(struct req *r, const char *location)
{
	buf_reset(&r->out);
	r->status = 301;
	r->content_type = "text/html; charset=utf-8";
	r->no_etag = true;
	req_add_header(r, "Location", location);
	html_begin(r, "Fiche déplacée");
	buf_fmt(&r->out, "<h1>Fiche déplacée</h1>\n<p>Cette fiche se trouve à l'adresse "
	                 "<a href=\"%h\">%h</a>.</p>\n",
	        location, location);
	html_end(r);
}

/* ==== Values ==== */

static bool is_http_url(const char *u)
{
	return u && (strncasecmp(u, "https://", 8) == 0 || strncasecmp(u, "http://", 7) == 0);
}

static void render_link(buf_t *b, const char *url, const char *text)
{
	if (is_http_url(url))
		buf_fmt(b, "<a class=\"external\" href=\"%h\" rel=\"noopener noreferrer\">%h</a>", url,
		        text && *text ? text : url);
	else
		buf_fmt(b, "%h", text && *text ? text : url);
}

/* A link to an organisation by key (resolved to its name), or the key as
 * text when unknown. */
static void render_org(struct req *r, buf_t *b, const char *key)
{
	struct org o = { 0 };
	int rc = org_find(r->db, key, &o);
	if (rc == 1) {
		char *k = org_key(&o);
		buf_fmt(b, "<a href=\"/organisations/%U\">%h</a>", k, o.name);
		const char *kl = org_kind_label(o.kind);
		if (kl) buf_fmt(b, " <span class=\"org-kind\">(%h)</span>", kl);
		free(k);
		org_free(&o);
	} else {
		buf_fmt(b, "%h", key);
	}
}


/* true when the value holds something to show */
static bool has_value(const json_t *v)
{
	if (!v || json_is_null(v)) return false;
	if (json_is_string(v)) return json_string_length(v) > 0;
	if (json_is_array(v)) return json_array_size(v) > 0;
	return true;
}

/* Render one field's value (the <dd> content). */
static void render_value(struct req *r, buf_t *b, const struct field *f, const json_t *v)
{
	size_t i;
	json_t *x;
	switch (f->type) {
	case F_STR:
		buf_fmt(b, "%h", json_string_value(v));
		break;
	case F_TEXT:
		buf_fmt(b, "<div class=\"text\">%h</div>", json_string_value(v));
		break;
	case F_MD: {
		buf_t md = BUF_INIT;
		markdown_render(&md, json_string_value(v), json_string_length(v));
		/* safe HTML: markdown_render() escapes all text and filters URLs */
		buf_fmt(b, "<div class=\"md\">%R</div>", buf_cstr(&md));
		buf_free(&md);
		break;
	}
	case F_ENUM:
		buf_fmt(b, "%h", f->vocab ? vocab_label(f->vocab, json_string_value(v)) : json_string_value(v));
		break;
	case F_ENUMS:
	case F_STRS:
		buf_puts(b, "<ul>");
		json_array_foreach(v, i, x) {
			if (!json_is_string(x)) continue;
			const char *s = json_string_value(x);
			buf_fmt(b, "<li>%h</li>", f->type == F_ENUMS && f->vocab ? vocab_label(f->vocab, s) : s);
		}
		buf_puts(b, "</ul>");
		break;
	case F_URL:
		render_link(b, json_string_value(v), NULL);
		break;
	case F_URLS:
		buf_puts(b, "<ul>");
		json_array_foreach(v, i, x) {
			if (!json_is_string(x)) continue;
			buf_puts(b, "<li>");
			render_link(b, json_string_value(x), NULL);
			buf_puts(b, "</li>");
		}
		buf_puts(b, "</ul>");
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
	case F_DATE:
		html_time(b, json_string_value(v));
		break;
	case F_ORG:
		render_org(r, b, json_string_value(v));
		break;
	case F_ORGS:
		buf_puts(b, "<ul>");
		json_array_foreach(v, i, x) {
			if (!json_is_string(x)) continue;
			buf_puts(b, "<li>");
			render_org(r, b, json_string_value(x));
			buf_puts(b, "</li>");
		}
		buf_puts(b, "</ul>");
		break;
	case F_SUPPLIERS:
		buf_puts(b, "<ul>");
		json_array_foreach(v, i, x) {
			const char *name = json_string_value(json_object_get(x, "name"));
			const char *siren = json_string_value(json_object_get(x, "siren"));
			buf_fmt(b, "<li>%h", name ? name : "");
			if (siren) {
				buf_puts(b, " <span class=\"siren\">(SIREN ");
				html_siren(b, siren);
				buf_puts(b, ")</span>");
			}
			buf_puts(b, "</li>");
		}
		buf_puts(b, "</ul>");
		break;
	case F_INDICATORS:
	case F_KIT:
		break; /* their own sections: impact_section(), reuse_section() */
	case F_LEGAL:
		buf_puts(b, "<ul>");
		json_array_foreach(v, i, x) {
			const char *title = json_string_value(json_object_get(x, "title"));
			const char *url = json_string_value(json_object_get(x, "url"));
			buf_puts(b, "<li>");
			if (url) render_link(b, url, title);
			else buf_fmt(b, "%h", title);
			buf_puts(b, "</li>");
		}
		buf_puts(b, "</ul>");
		break;
	}
}

/* ==== Sections ==== */

/* Fields shown in the page header rather than in the sections. */
static bool in_header(const struct field *f)
{
	return strcmp(f->name, "title") == 0 || strcmp(f->name, "summary") == 0 ||
	       strcmp(f->name, "owner") == 0;
}

static void render_sections(struct req *r, buf_t *b, const json_t *doc, bool restricted)
{
	/* sections in the order they first appear in the table */
	const char *secs[16];
	int nsecs = model_sections(secs, (int)ARRAY_LEN(secs));
	for (int si = 0; si < nsecs; si++) {
		const char *sec = secs[si];

		int shown = 0;
		for (size_t j = 0; j < model_nfields; j++) {
			const struct field *f = &model_fields[j];
			if (strcmp(f->section, sec) != 0 || in_header(f)) continue;
			if (f->type == F_INDICATORS || f->type == F_KIT) continue; /* own sections */
			if (!model_field_visible(f, restricted)) continue;
			const json_t *v = json_object_get(doc, f->name);
			if (!has_value(v)) continue;
			if (shown++ == 0)
				buf_fmt(b, "<section class=\"fields\" aria-labelledby=\"section-%h\">\n"
				           "<h2 id=\"section-%h\">%h</h2>\n<dl>\n",
				        sec, sec, model_section_label(sec));
			buf_fmt(b, "<div class=\"field field-%h\">\n<dt>%h", f->name, f->label);
			if (f->vis == VIS_RESTRICTED)
				buf_puts(b, " <span class=\"restricted-tag\">réservé aux agents</span>");
			buf_puts(b, "</dt>\n<dd>");
			render_value(r, b, f, v);
			buf_puts(b, "</dd>\n</div>\n");
		}
		if (shown) buf_puts(b, "</dl>\n</section>\n");
	}
}

/* ==== Provenance ==== */

/* Same rule as model_render_json(): a raw source column is visible unless
 * a field fed by it is restricted (the last field naming it decides). */
static bool raw_column_visible(const char *col, bool restricted)
{
	bool visible = true;
	for (size_t i = 0; i < model_nfields; i++)
		if (model_fields[i].source && strcmp(model_fields[i].source, col) == 0)
			visible = model_field_visible(&model_fields[i], restricted);
	return visible;
}

static void render_provenance(buf_t *b, const json_t *doc, bool restricted)
{
	json_t *prov = json_object_get(doc, "provenance");
	if (!json_is_object(prov)) return;
	const char *source = json_string_value(json_object_get(prov, "source"));
	const char *file = json_string_value(json_object_get(prov, "file"));
	json_t *line = json_object_get(prov, "line");
	const char *imported = json_string_value(json_object_get(prov, "imported_at"));
	if (!imported) imported = json_string_value(json_object_get(prov, "imported"));

	buf_puts(b, "<section class=\"provenance\" aria-labelledby=\"titre-source\">\n"
	            "<h2 id=\"titre-source\">Origine de la fiche</h2>\n<p>Source : ");
	if (!source || strcasestr(source, "interconnect"))
		buf_puts(b, "Bibliothèque IA territoriale (Les Interconnectés)");
	else
		buf_fmt(b, "%h", source);
	if (imported) {
		buf_puts(b, ", importée le ");
		html_time(b, imported);
	}
	if (file || json_is_integer(line)) {
		buf_puts(b, " (");
		if (file) buf_fmt(b, "fichier « %h »", file);
		if (file && json_is_integer(line)) buf_puts(b, ", ");
		if (json_is_integer(line)) buf_fmt(b, "ligne %D", (int64_t)json_integer_value(line));
		buf_puts(b, ")");
	}
	buf_puts(b, ".</p>\n");

	json_t *raw = json_object_get(prov, "raw");
	if (json_is_object(raw) && json_object_size(raw) > 0) {
		int shown = 0;
		const char *col;
		json_t *val;
		json_object_foreach(raw, col, val) {
			if (!raw_column_visible(col, restricted)) continue;
			if (shown++ == 0)
				buf_puts(b, "<details>\n<summary>Valeurs d'origine dans le fichier source</summary>\n"
				            "<dl class=\"raw\">\n");
			buf_fmt(b, "<div><dt>%h</dt><dd>", col);
			if (json_is_string(val)) {
				buf_fmt(b, "<div class=\"text\">%h</div>", json_string_value(val));
			} else {
				char *s = json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
				buf_fmt(b, "%h", s ? s : "");
				free(s);
			}
			buf_puts(b, "</dd></div>\n");
		}
		if (shown) {
			buf_puts(b, "</dl>\n");
			if (!restricted)
				buf_puts(b, "<p class=\"hint\">Les colonnes réservées aux agents des collectivités "
				            "ne sont pas affichées.</p>\n");
			buf_puts(b, "</details>\n");
		}
	}
	buf_puts(b, "</section>\n");
}

/* ==== Page ==== */

static void render_meta(buf_t *b, const struct uc_full *u)
{
	buf_fmt(b, "<section class=\"meta\" aria-labelledby=\"titre-meta\">\n"
	           "<h2 id=\"titre-meta\">À propos de cette fiche</h2>\n<dl>\n"
	           "<div><dt>Identifiant</dt><dd>%D</dd></div>\n"
	           "<div><dt>État</dt><dd>%h</dd></div>\n"
	           "<div><dt>Version</dt><dd>%D</dd></div>\n",
	        u->id, vocab_label(&vocab_state, u->state), u->version);
	if (u->created_at) {
		buf_puts(b, "<div><dt>Créée le</dt><dd>");
		html_time(b, u->created_at);
		buf_puts(b, "</dd></div>\n");
	}
	if (u->published_at) {
		buf_puts(b, "<div><dt>Publiée le</dt><dd>");
		html_time(b, u->published_at);
		buf_puts(b, "</dd></div>\n");
	}
	if (u->updated_at) {
		buf_puts(b, "<div><dt>Mise à jour le</dt><dd>");
		html_time(b, u->updated_at);
		buf_puts(b, "</dd></div>\n");
	}
	buf_fmt(b, "</dl>\n<p class=\"json-link\"><a href=\"/api/v1/usecases/%D\" type=\"application/json\">"
	           "Télécharger cette fiche au format JSON</a> (données ouvertes)</p>\n"
	           "</section>\n",
	        u->id);
}

int page_usecase(struct req *r)
{
	int64_t id;
	if (r->nargs < 1 || parse_id(r->args[0], &id) < 0) {
		page_error(r, 404, "Cette fiche n'existe pas.");
		return 0;
	}
	struct uc_full u;
	int rc = store_usecase_load(r->db, id, &u);
	if (rc < 0) {
		page_error(r, 500, "La fiche n'a pas pu être lue.");
		return 0;
	}
	if (rc == 0 || !auth_can_read_usecase(&r->viewer, u.state, u.owner_org_id)) {
		if (rc == 1) store_usecase_free(&u);
		page_error(r, 404, "Cette fiche n'existe pas, ou n'est pas publiée.");
		return 0;
	}

	buf_t canon = BUF_INIT;
	html_usecase_path(&canon, u.id, u.slug);
	const char *cpath = buf_cstr(&canon);
	if (strcmp(cpath + strlen("/fiches/"), r->args[0]) != 0) {
		redirect(r, cpath);
		buf_free(&canon);
		store_usecase_free(&u);
		return 0;
	}
	buf_free(&canon);

	bool restricted = auth_can_read_restricted(&r->viewer);
	/* everything below reads the doc as this reader may see it */
	json_t *view = model_doc_for_reader(u.doc, restricted);
	const json_t *doc = view;
	const char *title = doc_str(doc, "title");
	if (!title || !*title) title = "(sans titre)";
	const char *summary = doc_str(doc, "summary");

	struct org owner = { 0 };
	int orc = org_get(r->db, u.owner_org_id, &owner);
	if (orc < 0) {
		json_decref(view);
		store_usecase_free(&u);
		page_error(r, 500, "La fiche n'a pas pu être lue.");
		return 0;
	}

	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, title);
	buf_fmt(b, "<nav class=\"breadcrumb\" aria-label=\"Fil d'Ariane\">\n<ol>\n"
	           "<li><a href=\"/\">Accueil</a></li>\n"
	           "<li><a href=\"/recherche\">Fiches</a></li>\n"
	           "<li><span aria-current=\"page\">%h</span></li>\n</ol>\n</nav>\n",
	        title);

	buf_fmt(b, "<article class=\"usecase\">\n<header class=\"usecase-header\">\n<h1>%h</h1>\n", title);
	buf_puts(b, "<p class=\"usecase-owner\">Porté par ");
	if (orc == 1) {
		char *k = org_key(&owner);
		buf_fmt(b, "<a href=\"/organisations/%U\">%h</a>", k, owner.name);
		const char *kl = org_kind_label(owner.kind);
		if (kl) buf_fmt(b, " <span class=\"org-kind\">(%h)</span>", kl);
		free(k);
	} else {
		buf_fmt(b, "%h", doc_str(doc, "owner") ? doc_str(doc, "owner") : "une organisation inconnue");
	}
	buf_puts(b, "</p>\n<p class=\"usecase-tags\">");
	if (strcmp(u.state, "published") != 0) {
		buf_puts(b, "<span class=\"visually-hidden\">État : </span>");
		html_badge(b, "state", u.state);
		buf_puts(b, " ");
	}
	const char *status = doc_str(doc, "status");
	if (status) {
		buf_puts(b, "<span class=\"visually-hidden\">Maturité : </span>");
		html_badge(b, "status", status);
		buf_puts(b, " ");
	}
	const char *theme = doc_str(doc, "theme");
	if (theme)
		buf_fmt(b, "<a class=\"tag\" href=\"/recherche?theme=%U\"><span class=\"visually-hidden\">Thème : </span>%h</a>",
		        theme, vocab_label(&vocab_theme, theme));
	/* hook: the "impact démontré" badge (page_impact.c) */
	impact_badge(r, &u);
	buf_puts(b, "</p>\n</header>\n");
	/* hook: "this record reuses …" (page_reuse.c) */
	reuse_origin_note(r, &u);

	if (strcmp(u.state, "retracted") == 0) {
		buf_puts(b, "<div class=\"notice notice-retracted\" role=\"note\">\n"
		            "<p class=\"notice-title\">Fiche retirée</p>\n"
		            "<p>Son organisation l'a retirée de la bibliothèque ; elle reste consultable pour mémoire "
		            "et ne doit plus être considérée comme à jour.</p>\n");
		if (u.retract_reason && *u.retract_reason)
			buf_fmt(b, "<p>Motif du retrait : <span class=\"text\">%h</span></p>\n", u.retract_reason);
		buf_puts(b, "</div>\n");
	} else if (strcmp(u.state, "published") != 0) {
		buf_fmt(b, "<div class=\"notice\" role=\"note\">\n<p class=\"notice-title\">Fiche non publiée (%h)</p>\n"
		           "<p>Seuls les membres de l'organisation et l'équipe de l'observatoire la voient.</p>\n</div>\n",
		        vocab_label(&vocab_state, u.state));
	}

	if (summary && *summary) buf_fmt(b, "<p class=\"lead summary text\">%h</p>\n", summary);
	if (!restricted)
		buf_puts(b, "<p class=\"note-restricted\">Certaines informations sont réservées aux agents des "
		            "collectivités.</p>\n");

	/* hook: workflow actions for editors (page_edit.c) */
	page_edit_actions(r, &u);
	render_sections(r, b, doc, restricted);
	/* hook: indicators, the label and what it lacks, curator acts (page_impact.c) */
	impact_section(r, &u, doc);
	/* hook: reuses, lineage, reuse kit, "we reuse this" (page_reuse.c) */
	reuse_section(r, &u, doc);
	/* hook: similar records (page_similar.c) */
	similar_section(r, &u);
	render_meta(b, &u);
	/* hook: link to the history (page_history.c) */
	page_history_link(r, &u);
	/* hook: error reports (page_report.c) */
	report_section(r, &u);
	render_provenance(b, doc, restricted);
	buf_puts(b, "</article>\n");
	html_end(r);

	org_free(&owner);
	json_decref(view);
	store_usecase_free(&u);
	return 0;
}
