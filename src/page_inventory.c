/*
 * page_inventory.c — an authority's inventory of its public algorithms
 * (CRPA, articles L312-1-3 and L311-3-1), generated from its published
 * records without any extra typing:
 *   GET /organisations/{key}/inventaire-algorithmes             the page
 *   GET /api/v1/organisations/{key}/algorithm-inventory.csv     CSV
 *       (?format=excel: CSV for French Excel)
 *
 * Design notes
 * - The columns follow Etalab's guide « Inventaire des algorithmes
 *   publics »: administration, algorithm name, purpose, place in the
 *   decision, level of automation, legal bases, decisions per year,
 *   public concerned, data and sources, operations, contact. One table
 *   (COLS[]) drives the page and the CSV, so both say the same thing.
 *   Mapping: name = algorithm_name, else the record's title; purpose =
 *   summary; place in the decision = decision_scope and
 *   individual_decisions; automation = automation_level; legal bases =
 *   legal_bases ("title (url)"); decisions = decisions_per_year; public =
 *   audiences; data = data_sources and personal_data.
 * - Records: the organisation's PUBLISHED records (a retracted record is
 *   no longer in use; drafts are not public), read through
 *   model_doc_for_reader() like every output.
 * - Restricted fields: algorithm_operations and contact are restricted in
 *   the model. The public inventory has neither: its « contact » is
 *   public by construction — the record's information page (info_url)
 *   when it has one, else its page on IA·T, where anyone can ask a
 *   question or report an error. Readers of restricted fields
 *   (auth_can_read_inventory_operations(), the record export's rule) get
 *   two more columns: the operations and the service's contact. The
 *   public CSV has no such column at all (absent, not empty).
 * - CSV: RFC 4180 (comma, CRLF, UTF-8), or French Excel (';', BOM, dates
 *   JJ/MM/AAAA); cells through csvw.c (quoting, formula neutralisation).
 * - The page: a table with a caption, column headers (scope col) and the
 *   algorithm's name as row header (scope row), in a focusable scrolling
 *   region so that the page itself never scrolls sideways at 320 px.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "csvw.h"
#include "export.h"
#include "model.h"
#include "org.h"
#include "pages.h"
#include "store.h"
#include "util.h"

struct inv_rec {
	int64_t id;
	char *slug, *updated_at;
	json_t *doc;   /* as the reader sees it */
};

struct inv {
	struct inv_rec *v;
	int n, cap;
	bool restricted;
};

static int collect(void *ctx, const struct inventory_row *row)
{
	struct inv *inv = ctx;
	json_error_t je;
	json_t *raw = json_loadb(row->doc ? row->doc : "", row->doc_len, 0, &je);
	if (!json_is_object(raw)) {
		log_error("inventory: record %lld: stored doc unreadable (%s)", (long long)row->id, je.text);
		json_decref(raw);
		return 0;
	}
	if (inv->n == inv->cap) {
		inv->cap = inv->cap ? inv->cap * 2 : 16;
		inv->v = xrealloc(inv->v, (size_t)inv->cap * sizeof *inv->v);
	}
	struct inv_rec *x = &inv->v[inv->n++];
	x->id = row->id;
	x->slug = xstrdup(row->slug ? row->slug : "");
	x->updated_at = xstrdup(row->updated_at ? row->updated_at : "");
	x->doc = model_doc_for_reader(raw, inv->restricted);
	json_decref(raw);
	return 0;
}

static void inv_free(struct inv *inv)
{
	for (int i = 0; i < inv->n; i++) {
		free(inv->v[i].slug);
		free(inv->v[i].updated_at);
		json_decref(inv->v[i].doc);
	}
	free(inv->v);
}

/* ---- the columns ---- */

enum col_kind { C_TEXT, C_INT, C_DATE, C_BOOL, C_URL };

struct col {
	const char *name;      /* CSV header */
	const char *header;    /* French header of the page ("" : not on the page) */
	enum col_kind kind;
	bool restricted;       /* only for readers of restricted fields */
};

enum {
	COL_ADMIN, COL_SIREN, COL_NAME, COL_PURPOSE, COL_PLACE, COL_INDIVIDUAL, COL_AUTOMATION, COL_LEGAL,
	COL_DECISIONS, COL_AUDIENCES, COL_DATA, COL_PERSONAL, COL_OPERATIONS, COL_CONTACT, COL_CONTACT_AGENTS,
	COL_ID, COL_URL, COL_UPDATED, NCOLS
};

static const struct col COLS[NCOLS] = {
	[COL_ADMIN] = { "administration", "Administration", C_TEXT, false },
	[COL_SIREN] = { "siren_administration", "", C_TEXT, false },
	[COL_NAME] = { "nom_algorithme", "Nom de l'algorithme", C_TEXT, false },
	[COL_PURPOSE] = { "finalite", "Finalité, objet", C_TEXT, false },
	[COL_PLACE] = { "place_dans_la_decision", "Place dans la décision", C_TEXT, false },
	[COL_INDIVIDUAL] = { "decisions_individuelles", "", C_BOOL, false },
	[COL_AUTOMATION] = { "niveau_automatisation", "Niveau d'automatisation", C_TEXT, false },
	[COL_LEGAL] = { "bases_legales", "Bases légales", C_TEXT, false },
	[COL_DECISIONS] = { "decisions_par_an", "Décisions par an", C_INT, false },
	[COL_AUDIENCES] = { "publics_concernes", "Publics concernés", C_TEXT, false },
	[COL_DATA] = { "donnees_et_sources", "Données et sources", C_TEXT, false },
	[COL_PERSONAL] = { "donnees_personnelles", "", C_TEXT, false },
	[COL_OPERATIONS] = { "operations", "Opérations effectuées (réservé aux agents)", C_TEXT, true },
	[COL_CONTACT] = { "contact", "Contact (page d'information)", C_URL, false },
	[COL_CONTACT_AGENTS] = { "contact_service", "Contact du service (réservé aux agents)", C_TEXT, true },
	[COL_ID] = { "fiche_id", "", C_INT, false },
	[COL_URL] = { "fiche_url", "", C_URL, false },
	[COL_UPDATED] = { "mise_a_jour", "Mise à jour", C_DATE, false },
};

static void labels(buf_t *t, const json_t *doc, const char *name, const char *sep)
{
	const struct field *f = model_field(name);
	json_t *v = json_object_get(doc, name);
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		if (!json_is_string(x)) continue;
		if (t->len) buf_puts(t, sep);
		buf_puts(t, f && f->vocab ? vocab_label(f->vocab, json_string_value(x)) : json_string_value(x));
	}
}

static void record_url(buf_t *t, const char *base, const struct inv_rec *x)
{
	buf_fmt(t, "%R/fiches/%D-%R", base ? base : "", x->id, x->slug);
}

/* The plain text of a cell (empty when there is nothing). */
static void cell_text(buf_t *t, int c, const struct org *o, const struct inv_rec *x, const char *base)
{
	const json_t *d = x->doc;
	switch (c) {
	case COL_ADMIN: buf_puts(t, o->name ? o->name : ""); break;
	case COL_SIREN: buf_puts(t, o->siren ? o->siren : ""); break;
	case COL_NAME: {
		const char *n = doc_str(d, "algorithm_name");
		buf_puts(t, n && *n ? n : doc_str(d, "title") ? doc_str(d, "title") : "");
		break;
	}
	case COL_PURPOSE: buf_puts(t, doc_str(d, "summary") ? doc_str(d, "summary") : ""); break;
	case COL_PLACE: {
		const char *s = doc_str(d, "decision_scope");
		if (s) buf_puts(t, s);
		json_t *ind = json_object_get(d, "individual_decisions");
		if (json_is_boolean(ind))
			buf_fmt(t, "%RFonde des décisions individuelles (CRPA, article L311-3-1) : %R.", t->len ? " " : "",
			        json_is_true(ind) ? "oui" : "non");
		break;
	}
	case COL_INDIVIDUAL: {
		json_t *ind = json_object_get(d, "individual_decisions");
		if (json_is_boolean(ind)) buf_puts(t, json_is_true(ind) ? "true" : "false");
		break;
	}
	case COL_AUTOMATION: {
		const char *a = doc_str(d, "automation_level");
		if (a) buf_puts(t, vocab_label(&vocab_automation, a));
		break;
	}
	case COL_LEGAL: {
		json_t *v = json_object_get(d, "legal_bases");
		size_t i;
		json_t *x2;
		json_array_foreach(v, i, x2) {
			const char *title = doc_str(x2, "title"), *u = doc_str(x2, "url");
			if (!title) continue;
			if (t->len) buf_puts(t, " ; ");
			buf_puts(t, title);
			if (u) buf_fmt(t, " (%R)", u);
		}
		break;
	}
	case COL_DECISIONS: {
		json_t *v = json_object_get(d, "decisions_per_year");
		if (json_is_integer(v)) buf_fmt(t, "%D", (int64_t)json_integer_value(v));
		break;
	}
	case COL_AUDIENCES: labels(t, d, "audiences", ", "); break;
	case COL_DATA: {
		labels(t, d, "data_sources", ", ");
		const char *p = doc_str(d, "personal_data");
		if (p) buf_fmt(t, "%RDonnées personnelles : %R.", t->len ? ". " : "", vocab_label(&vocab_personal_data, p));
		break;
	}
	case COL_PERSONAL: {
		const char *p = doc_str(d, "personal_data");
		if (p) buf_puts(t, p);
		break;
	}
	case COL_OPERATIONS: buf_puts(t, doc_str(d, "algorithm_operations") ? doc_str(d, "algorithm_operations") : ""); break;
	case COL_CONTACT: {
		const char *info = doc_str(d, "info_url");
		if (info && *info)
			buf_puts(t, info);
		else
			record_url(t, base, x);
		break;
	}
	case COL_CONTACT_AGENTS: buf_puts(t, doc_str(d, "contact") ? doc_str(d, "contact") : ""); break;
	case COL_ID: buf_fmt(t, "%D", x->id); break;
	case COL_URL: record_url(t, base, x); break;
	case COL_UPDATED: buf_puts(t, x->updated_at); break;
	}
}

static bool col_shown(int c, bool restricted)
{
	return !COLS[c].restricted || restricted;
}

/* Load the organisation of the path and its inventory. 1, or 0 after
 * replying (api: JSON errors, else an HTML page). */
static int load(struct req *r, bool api, struct org *o, struct inv *inv)
{
	memset(inv, 0, sizeof *inv);
	int rc = r->nargs >= 1 ? org_find(r->db, r->args[0], o) : 0;
	if (rc <= 0) {
		if (api)
			api_error(r, rc < 0 ? 500 : 404, rc < 0 ? "server.database" : "resource.not_found", "key",
			          rc < 0 ? "Erreur interne." : "Organisation introuvable.");
		else
			page_error(r, rc < 0 ? 500 : 404,
			           rc < 0 ? "L'organisation n'a pas pu être lue." : "Aucune organisation ne correspond à cette adresse.");
		return 0;
	}
	inv->restricted = auth_can_read_inventory_operations(&r->viewer);
	if (store_org_inventory(r->db, o->id, collect, inv) < 0) {
		inv_free(inv);
		org_free(o);
		if (api)
			api_error(r, 500, "server.database", NULL, "Erreur interne.");
		else
			page_error(r, 500, "L'inventaire n'a pas pu être lu.");
		return 0;
	}
	return 1;
}

int api_org_inventory_csv(struct req *r)
{
	const char *fmt = req_param(r, "format");
	if (fmt && strcmp(fmt, "csv") != 0 && strcmp(fmt, "excel") != 0) {
		api_error(r, 400, "request.invalid_parameter", "format", "« format » vaut « csv » ou « excel ».");
		return 0;
	}
	bool excel = fmt && strcmp(fmt, "excel") == 0;
	struct org o;
	struct inv inv;
	if (!load(r, true, &o, &inv)) return 0;
	struct export_writer ew = { excel ? EXPORT_EXCEL : EXPORT_CSV, inv.restricted, NULL, 0 };
	char sep = excel ? ';' : ',';
	const char *base = server_base_url(r->srv);
	buf_t *b = &r->out;
	buf_reset(b);
	if (excel) buf_puts(b, "\xEF\xBB\xBF");
	int last = NCOLS - 1;
	bool first = true;
	for (int c = 0; c < NCOLS; c++) {
		if (!col_shown(c, inv.restricted)) continue;
		if (!first) buf_putc(b, sep);
		first = false;
		csvw_cell(b, COLS[c].name, sep, true);
	}
	buf_puts(b, "\r\n");
	buf_t t = BUF_INIT;
	for (int i = 0; i < inv.n; i++) {
		for (int c = 0; c < NCOLS; c++) {
			if (!col_shown(c, inv.restricted)) continue;
			buf_reset(&t);
			cell_text(&t, c, &o, &inv.v[i], base);
			bool is_last = c == last;
			if (COLS[c].kind == C_DATE)
				export_date_cell(&ew, b, t.len ? buf_cstr(&t) : NULL, is_last);
			else
				csvw_cell(b, t.len ? buf_cstr(&t) : NULL, sep, is_last);
		}
		buf_puts(b, "\r\n");
	}
	buf_free(&t);
	char *key = org_key(&o);
	char cd[200];
	snprintf(cd, sizeof cd, "attachment; filename=\"inventaire-algorithmes-%s%s.csv\"", key, excel ? "-excel" : "");
	free(key);
	req_add_header(r, "Content-Disposition", cd);
	r->status = 200;
	r->content_type = "text/csv; charset=utf-8";
	inv_free(&inv);
	org_free(&o);
	return 0;
}

int page_org_inventory(struct req *r)
{
	struct org o;
	struct inv inv;
	if (!load(r, false, &o, &inv)) return 0;
	char *key = org_key(&o);
	req_own(r, key);
	if (strcmp(key, r->args[0]) != 0) {
		buf_t loc = BUF_INIT;
		buf_fmt(&loc, "/organisations/%U/inventaire-algorithmes", key);
		r->status = 301;
		r->no_etag = true;
		req_add_header(r, "Location", buf_cstr(&loc));
		html_begin(r, "Inventaire déplacé");
		buf_fmt(&r->out, "<h1>Inventaire déplacé</h1>\n<p>Cet inventaire se trouve à l'adresse "
		                 "<a href=\"%h\">%h</a>.</p>\n",
		        buf_cstr(&loc), buf_cstr(&loc));
		html_end(r);
		buf_free(&loc);
		inv_free(&inv);
		org_free(&o);
		return 0;
	}
	buf_t title = BUF_INIT;
	buf_fmt(&title, "Inventaire des algorithmes publics — %R", o.name ? o.name : key);
	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, buf_cstr(&title));
	buf_free(&title);
	buf_fmt(b, "<nav class=\"breadcrumb\" aria-label=\"Fil d'Ariane\">\n<ol>\n"
	           "<li><a href=\"/\">Accueil</a></li>\n"
	           "<li><a href=\"/organisations/%U\">%h</a></li>\n"
	           "<li><span aria-current=\"page\">Inventaire des algorithmes publics</span></li>\n</ol>\n</nav>\n"
	           "<h1>Inventaire des algorithmes publics de %h</h1>\n",
	        key, o.name, o.name);
	buf_puts(b, "<p>Cet inventaire est établi automatiquement à partir des fiches publiées par l'organisation "
	            "dans la bibliothèque, selon les rubriques du guide d'Etalab « Inventaire des algorithmes "
	            "publics » (code des relations entre le public et l'administration, articles L312-1-3 et "
	            "L311-3-1). Le contact indiqué est la page d'information du projet, ou à défaut sa fiche, "
	            "où chacun peut poser une question ou signaler une erreur.</p>\n");
	buf_fmt(b, "<ul class=\"inventory-downloads\">\n"
	           "<li><a href=\"/api/v1/organisations/%U/algorithm-inventory.csv\" type=\"text/csv\" download>"
	           "Télécharger l'inventaire (CSV)</a></li>\n"
	           "<li><a href=\"/api/v1/organisations/%U/algorithm-inventory.csv?format=excel\" type=\"text/csv\" "
	           "download>Télécharger l'inventaire (CSV pour Excel)</a></li>\n</ul>\n",
	        key, key);
	if (inv.n == 0) {
		buf_puts(b, "<p>Cette organisation n'a pas encore publié de fiche : son inventaire est vide.</p>\n");
	} else {
		buf_puts(b, "<p class=\"hint\">Le tableau a une colonne par rubrique de l'inventaire : il défile "
		            "horizontalement sur un petit écran.</p>\n");
		buf_puts(b, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" "
		            "aria-labelledby=\"titre-inventaire\">\n<table class=\"data inventory\">\n");
		buf_fmt(b, "<caption id=\"titre-inventaire\">Algorithmes publics de %h (", o.name);
		html_count(b, inv.n, "algorithme", "algorithmes");
		buf_puts(b, ")</caption>\n<thead><tr>");
		/* the name first, as row header */
		buf_fmt(b, "<th scope=\"col\">%h</th>", COLS[COL_NAME].header);
		for (int c = 0; c < NCOLS; c++) {
			if (c == COL_NAME || !*COLS[c].header || !col_shown(c, inv.restricted)) continue;
			buf_fmt(b, "<th scope=\"col\">%h</th>", COLS[c].header);
		}
		buf_puts(b, "</tr></thead>\n<tbody>\n");
		buf_t t = BUF_INIT;
		for (int i = 0; i < inv.n; i++) {
			const struct inv_rec *x = &inv.v[i];
			buf_reset(&t);
			cell_text(&t, COL_NAME, &o, x, "");
			buf_fmt(b, "<tr><th scope=\"row\"><a href=\"/fiches/%D-%U\">%h</a></th>", x->id, x->slug, buf_cstr(&t));
			for (int c = 0; c < NCOLS; c++) {
				if (c == COL_NAME || !*COLS[c].header || !col_shown(c, inv.restricted)) continue;
				buf_reset(&t);
				cell_text(&t, c, &o, x, "");
				buf_puts(b, "<td>");
				if (!t.len)
					buf_puts(b, "<span class=\"hint\">non renseigné</span>");
				else if (COLS[c].kind == C_URL)
					buf_fmt(b, "<a href=\"%h\">%h</a>", buf_cstr(&t), buf_cstr(&t));
				else if (COLS[c].kind == C_DATE)
					html_date_fr(b, buf_cstr(&t));
				else if (COLS[c].kind == C_INT)
					html_int_fr(b, json_integer_value(json_object_get(x->doc, "decisions_per_year")));
				else
					buf_fmt(b, "%h", buf_cstr(&t));
				buf_puts(b, "</td>");
			}
			buf_puts(b, "</tr>\n");
		}
		buf_free(&t);
		buf_puts(b, "</tbody>\n</table>\n</div>\n");
	}
	buf_fmt(b, "<p class=\"more\"><a href=\"/organisations/%U\">Retour à la page de %h</a></p>\n", key, o.name);
	html_end(r);
	inv_free(&inv);
	org_free(&o);
	return 0;
}
