/*
 * api_export_impact.c — the impact indicators as open data, in Etalab's
 * table schema "Impact d'un service public numérique" (v0.5.0, copied in
 * tests/fixtures/etalab-impact/schema.json):
 *   GET /api/v1/usecases/{id}/impact.csv   one record
 *   GET /api/v1/impact.csv                 every published record
 *
 * Design notes
 * - Open data: only PUBLIC indicators, whoever asks (an agent's token
 *   included): every indicator list goes through model_value_for_reader()
 *   with restricted = false, always. The one-record export follows the
 *   read rights of the record (a draft is a 404 except for its editors,
 *   who can preview it); the whole export holds published records only.
 * - One row per value, as the schema wants: the baseline (est_cible false,
 *   a stock: est_periode false), each measurement (est_periode true with
 *   date_debut when it covers a period) and the target (est_cible true),
 *   a target without a date is left out (the schema requires a date).
 *   administration_rattachement is the owner organisation's name,
 *   nom_service_public_numerique the record's title; denom_insee and
 *   code_insee are COM / DEP / REG and the owner's INSEE code when the
 *   owner is a commune, a département or a région (the indicator is then
 *   computed at that scale), else empty. dataviz_wish is left empty.
 * - Columns the schema requires but a record may not give (frequence_
 *   monitoring, est_automatise, source_collecte) are written EMPTY: we do
 *   not invent a value. Such rows are flagged by a schema validator, and
 *   doc/api.md says so; the indicator form asks for them.
 * - Format: UTF-8 with a BOM (like Etalab's example file), RFC 4180 (comma,
 *   CRLF, quotes doubled, a field quoted when it holds a comma, a quote or
 *   a line break), numbers with a decimal point, dates AAAA-MM-JJ, booleans
 *   true/false. Text cells that a spreadsheet would run as a formula
 *   (first character, after any white space, = + - @, or a tab or CR) get
 *   a leading apostrophe; numbers are written by us and never need it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "csvw.h"
#include "org.h"
#include "store.h"
#include "util.h"

static const char *const COLUMNS =
    "administration_rattachement,nom_service_public_numerique,indicateur,valeur,unite_mesure,est_cible,"
    "type_indicateur,frequence_monitoring,date,est_periode,date_debut,est_automatise,source_collecte,"
    "denom_insee,code_insee,dataviz_wish,commentaires\r\n";

/* One text cell (csvw.c: quoting and formula neutralisation). */
static void cell(buf_t *b, const char *s, bool last)
{
	csvw_cell(b, s, ',', true);
	buf_puts(b, last ? "\r\n" : ",");
}

/* A number with a decimal point, shortest exact form, no exponent. */
static void num_cell(buf_t *b, double d)
{
	csvw_num(b, d, '.', ',', false);
}

/* Etalab's French code of a frequency (the first alias of the term). */
static void frequency_cell(buf_t *b, const char *code)
{
	int i = code ? vocab_index(&vocab_frequency, code) : -1;
	char tmp[40] = "";
	if (i >= 0 && vocab_frequency.terms[i].aliases) {
		snprintf(tmp, sizeof tmp, "%s", vocab_frequency.terms[i].aliases);
		char *bar = strchr(tmp, '|');
		if (bar) *bar = 0;
	}
	cell(b, tmp, false);
}

struct owner {
	const char *name, *kind, *code;
	int64_t id;
	const char *title;
};

/* The rows of one value of an indicator. */
static void value_row(buf_t *b, const struct owner *o, const json_t *ind, const json_t *point, bool target)
{
	const char *date = doc_str(point, "date"), *start = doc_str(point, "start");
	cell(b, o->name, false);
	cell(b, o->title, false);
	cell(b, doc_str(ind, "name"), false);
	num_cell(b, json_number_value(json_object_get(point, "value")));
	cell(b, doc_str(ind, "unit"), false);
	buf_puts(b, target ? "true," : "false,");
	cell(b, doc_str(ind, "type"), false);
	frequency_cell(b, doc_str(ind, "frequency"));
	cell(b, date, false);
	buf_puts(b, start ? "true," : "false,");
	cell(b, start, false);
	json_t *a = json_object_get(ind, "automated");
	buf_puts(b, json_is_true(a) ? "true," : json_is_false(a) ? "false," : ",");
	cell(b, doc_str(ind, "source"), false);
	const char *denom = !o->kind ? NULL
	                    : strcmp(o->kind, "commune") == 0     ? "COM"
	                    : strcmp(o->kind, "departement") == 0 ? "DEP"
	                    : strcmp(o->kind, "region") == 0      ? "REG"
	                                                          : NULL;
	cell(b, denom, false);
	cell(b, denom ? o->code : NULL, false);
	cell(b, NULL, false); /* dataviz_wish */
	cell(b, doc_str(ind, "comments"), true);
}

/* Every row of the public indicators of doc. */
static void record_rows(buf_t *b, const struct owner *o, const json_t *doc)
{
	const struct field *f = model_field("indicators");
	json_t *list = model_value_for_reader(f, json_object_get(doc, "indicators"), false); /* open data: public only */
	if (!json_is_array(list)) {
		json_decref(list);
		return;
	}
	size_t i, k;
	json_t *ind, *m;
	json_array_foreach(list, i, ind) {
		json_t *bl = json_object_get(ind, "baseline");
		if (json_is_object(bl) && doc_str(bl, "date")) value_row(b, o, ind, bl, false);
		json_array_foreach(json_object_get(ind, "measurements"), k, m) value_row(b, o, ind, m, false);
		json_t *tg = json_object_get(ind, "target");
		if (json_is_object(tg) && doc_str(tg, "date")) value_row(b, o, ind, tg, true);
	}
	json_decref(list);
}

static void begin_csv(struct req *r, const char *filename)
{
	buf_reset(&r->out);
	r->status = 200;
	r->content_type = "text/csv; charset=utf-8";
	char cd[160];
	snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", filename);
	req_add_header(r, "Content-Disposition", cd);
	buf_puts(&r->out, "\xEF\xBB\xBF");
	buf_puts(&r->out, COLUMNS);
}

static int all_row(void *ctx, const struct impact_export_row *row)
{
	struct req *r = ctx;
	json_error_t je;
	json_t *doc = json_loads(row->doc, 0, &je);
	if (!doc) return 0;
	struct owner o = { row->org_name, row->org_kind, row->org_code, row->id, row->title };
	record_rows(&r->out, &o, doc);
	json_decref(doc);
	return 0;
}

int api_export_impact_all(struct req *r)
{
	begin_csv(r, "impact-iat.csv");
	if (store_impact_export(r->db, all_row, r) < 0) {
		buf_reset(&r->out);
		api_error(r, 500, "server.database", NULL, "Erreur interne : l'export n'a pas pu être produit.");
	}
	return 0;
}

int api_export_impact_one(struct req *r)
{
	int64_t id = 0;
	const char *s = r->args[0];
	bool digits = s && *s && strlen(s) <= 15;
	for (const char *p = s; digits && *p; p++)
		if (*p < '0' || *p > '9') digits = false;
	if (!digits || parse_int64(s, 1, 999999999999999LL, &id) < 0) {
		api_error(r, 404, "resource.not_found", "id", "Fiche introuvable.");
		return 0;
	}
	struct uc_full u;
	if (!api_usecase_load(r, id, &u)) return 0;
	struct org org;
	int rc = org_get(r->db, u.owner_org_id, &org);
	if (rc != 1) {
		store_usecase_free(&u);
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	char filename[64];
	snprintf(filename, sizeof filename, "impact-fiche-%lld.csv", (long long)id);
	begin_csv(r, filename);
	struct owner o = { org.name, org.kind, org.code, u.id, doc_str(u.doc, "title") };
	record_rows(&r->out, &o, u.doc);
	org_free(&org);
	store_usecase_free(&u);
	return 0;
}
