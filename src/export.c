/*
 * export.c — the record exports' formats (see export.h for the contract).
 *
 * Design notes
 * - Each row parses the stored representation once (jansson keeps the
 *   members in document order) and writes it back either as JSON through
 *   our writer (jw_jansson: same escaping as the API) or as CSV cells.
 * - The CSV columns are derived from the field table: the metadata
 *   columns, then every field the reader may see (model_field_visible),
 *   in table order; "owner" is expanded into owner_* columns; the
 *   indicator and reuse-kit lists become NAME_count + NAME (a JSON cell).
 *   A field added to the model therefore appears in the exports.
 * - Excel cells differ from CSV cells only in dates and the decimal mark,
 *   so a parser reading both with their separators gets the same table.
 */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvw.h"
#include "jsonw.h"
#include "model.h"
#include "util.h"

#define LIST_SEP " | "

/* The metadata columns of the record CSV, in order, with what the data
 * package (opendata.c) says of them: the two are one table, so the
 * published Table Schema cannot drift from the file. */
const struct export_meta_column export_meta_columns[] = {
	{ "id", "integer", true, NULL, "Identifiant stable de la fiche dans IA·T (jamais réutilisé)." },
	{ "url", "string", true, NULL, "Adresse de la fiche sur le site." },
	{ "schema_version", "string", true, NULL, "Version du schéma des fiches (doc/schema-changelog.md)." },
	{ "state", "string", true, "published|retracted", "État de la fiche : publiée (published) ou retirée (retracted)." },
	{ "version", "integer", true, NULL, "Numéro de la version courante de la fiche." },
	{ "created_at", "datetime", true, NULL, "Date et heure de création (UTC)." },
	{ "updated_at", "datetime", true, NULL, "Date et heure de la dernière modification (UTC)." },
	{ "published_at", "datetime", false, NULL, "Date et heure de la première publication (UTC)." },
	{ "retract_reason", "string", false, NULL, "Motif du retrait, pour une fiche retirée." },
	{ "owner_id", "string", true, NULL, "Identifiant IA·T de l'organisation porteuse (type-code, ex. commune-69123)." },
	{ "owner_name", "string", false, NULL, "Nom de l'organisation porteuse." },
	{ "owner_kind", "string", true, "commune|epci|ept|departement|region|syndicat|operateur|autre",
	  "Type de l'organisation porteuse." },
	{ "owner_siren", "string", false, NULL, "SIREN de l'organisation porteuse (9 chiffres)." },
	{ "owner_insee_code", "string", false, NULL,
	  "Code INSEE de l'organisation porteuse quand c'est une commune, un département ou une région." },
	{ "impact_label", "boolean", true, NULL, "Label « impact démontré » attribué." },
	{ "evidence_level", "string", false, "declared|measured|independent",
	  "Niveau de preuve le plus fort des indicateurs publics." },
	{ "evidence_score", "integer", true, NULL, "Score de preuve de l'impact (pour le tri)." },
	{ "reuse_of", "integer", false, NULL, "Identifiant de la fiche d'origine, pour une réutilisation." },
	{ "reuses", "integer", true, NULL, "Nombre de réutilisations visibles de la fiche." },
};
const size_t export_nmeta_columns = ARRAY_LEN(export_meta_columns);

int export_columns(bool restricted, export_column_fn cb, void *ctx)
{
	int n = 0;
	for (size_t i = 0; i < export_nmeta_columns; i++, n++)
		cb(ctx, &(struct export_column){ export_meta_columns[i].name, &export_meta_columns[i], NULL, false });
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		if (!model_field_visible(f, restricted) || strcmp(f->name, "owner") == 0) continue;
		if (f->type == F_INDICATORS || f->type == F_KIT) {
			char name[80];
			snprintf(name, sizeof name, "%s_count", f->name);
			cb(ctx, &(struct export_column){ name, NULL, f, true });
			n++;
		}
		cb(ctx, &(struct export_column){ f->name, NULL, f, false });
		n++;
	}
	return n;
}

int export_format_parse(const char *name, enum export_format *out)
{
	static const char *const names[] = { "csv", "excel", "json", "jsonl" };
	for (int i = 0; i < 4; i++)
		if (name && strcmp(name, names[i]) == 0) {
			*out = (enum export_format)i;
			return 0;
		}
	return -1;
}

const char *export_format_name(enum export_format f)
{
	return f == EXPORT_CSV ? "csv" : f == EXPORT_EXCEL ? "excel" : f == EXPORT_JSON ? "json" : "jsonl";
}

const char *export_content_type(enum export_format f)
{
	return f == EXPORT_JSON    ? "application/json; charset=utf-8"
	       : f == EXPORT_JSONL ? "application/x-ndjson; charset=utf-8"
	                           : "text/csv; charset=utf-8";
}

void export_filename(const struct export_writer *w, char *out, size_t outsz)
{
	char now[21];
	iso8601_utc(now_unix(), now);
	now[10] = 0;
	snprintf(out, outsz, "iat-fiches%s%s-%s.%s", w->restricted ? "-agents" : "", w->fmt == EXPORT_EXCEL ? "-excel" : "",
	         now, w->fmt == EXPORT_JSON ? "json" : w->fmt == EXPORT_JSONL ? "jsonl" : "csv");
}

static bool is_csv(const struct export_writer *w)
{
	return w->fmt == EXPORT_CSV || w->fmt == EXPORT_EXCEL;
}

static char sep_of(const struct export_writer *w)
{
	return w->fmt == EXPORT_EXCEL ? ';' : ',';
}

struct header_ctx {
	buf_t *b;
	char sep;
	int n;
};

static void header_cell(void *ctx, const struct export_column *c)
{
	struct header_ctx *h = ctx;
	if (h->n++) buf_putc(h->b, h->sep);
	csvw_cell(h->b, c->name, h->sep, true);
}

void export_begin(struct export_writer *w, buf_t *b)
{
	w->rows = 0;
	if (w->fmt == EXPORT_JSON) {
		buf_puts(b, "[");
		return;
	}
	if (w->fmt == EXPORT_JSONL) return;
	if (w->fmt == EXPORT_EXCEL) buf_puts(b, "\xEF\xBB\xBF");
	struct header_ctx h = { b, sep_of(w), 0 };
	export_columns(w->restricted, header_cell, &h);
	buf_puts(b, "\r\n");
}

void export_end(struct export_writer *w, buf_t *b)
{
	if (w->fmt == EXPORT_JSON) buf_puts(b, w->rows ? "\n]\n" : "]\n");
}

/* ---- CSV cells ---- */

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9') return false;
	return true;
}

/* A date (AAAA, AAAA-MM, AAAA-MM-JJ) or a timestamp (AAAA-MM-JJTHH:MM:SSZ):
 * as stored, or for Excel JJ/MM/AAAA (MM/AAAA, AAAA; JJ/MM/AAAA HH:MM:SS). */
void export_date_cell(const struct export_writer *w, buf_t *b, const char *s, bool last)
{
	char t[40];
	size_t n = s ? strlen(s) : 0;
	if (w->fmt == EXPORT_EXCEL && n >= 7 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2)) {
		if (n == 7)
			snprintf(t, sizeof t, "%.2s/%.4s", s + 5, s);
		else if (n >= 10 && s[7] == '-' && digits(s + 8, 2) && (n == 10 || (n == 20 && s[10] == 'T')))
			snprintf(t, sizeof t, "%.2s/%.2s/%.4s%s%.*s", s + 8, s + 5, s, n == 20 ? " " : "", n == 20 ? 8 : 0,
			         s + 11);
		else
			snprintf(t, sizeof t, "%.39s", s);
		csvw_cell(b, t, ';', last);
		return;
	}
	csvw_cell(b, s, sep_of(w), last);
}

void export_int_cell(const struct export_writer *w, buf_t *b, int64_t v, bool last)
{
	char t[32];
	snprintf(t, sizeof t, "%lld", (long long)v);
	csvw_cell(b, t, sep_of(w), last);
}

/* One item of a list as text: a string, an organisation's key, a supplier
 * "name (SIREN)", a legal basis "title (url)". */
static void item_text(buf_t *t, enum ftype type, const json_t *x)
{
	if (json_is_string(x)) {
		buf_append(t, json_string_value(x), json_string_length(x));
		return;
	}
	if (!json_is_object(x)) return;
	const char *main = type == F_ORGS ? doc_str(x, "id") : type == F_LEGAL ? doc_str(x, "title") : doc_str(x, "name");
	const char *extra = type == F_SUPPLIERS ? doc_str(x, "siren") : type == F_LEGAL ? doc_str(x, "url") : NULL;
	if (main) buf_puts(t, main);
	if (extra) {
		buf_puts(t, " (");
		buf_puts(t, extra);
		buf_puts(t, ")");
	}
}

static void field_cells(const struct export_writer *w, buf_t *b, const struct field *f, const json_t *v, bool last)
{
	char sep = sep_of(w);
	if (json_is_null(v)) v = NULL;
	switch (f->type) {
	case F_INDICATORS:
	case F_KIT: {
		json_t *list = model_value_for_reader(f, v, w->restricted);
		size_t n = json_is_array(list) ? json_array_size(list) : 0;
		export_int_cell(w, b, (int64_t)n, false);
		if (n) {
			buf_t t = BUF_INIT;
			jsonw_t jw;
			jw_init(&jw, &t);
			jw_jansson(&jw, list);
			csvw_cell(b, buf_cstr(&t), sep, last);
			buf_free(&t);
		} else {
			csvw_cell(b, NULL, sep, last);
		}
		json_decref(list);
		return;
	}
	case F_DATE: export_date_cell(w, b, json_string_value(v), last); return;
	case F_BOOL: csvw_cell(b, !v ? NULL : json_is_true(v) ? "true" : "false", sep, last); return;
	case F_INT:
		if (json_is_integer(v)) {
			export_int_cell(w, b, (int64_t)json_integer_value(v), last);
			return;
		}
		/* a real */
		__attribute__((fallthrough));
	case F_NUM:
		if (json_is_number(v)) {
			csvw_num(b, json_number_value(v), w->fmt == EXPORT_EXCEL ? ',' : '.', sep, last);
			return;
		}
		csvw_cell(b, NULL, sep, last);
		return;
	case F_ORG: csvw_cell(b, json_is_object(v) ? doc_str(v, "id") : json_string_value(v), sep, last); return;
	case F_ENUMS:
	case F_STRS:
	case F_URLS:
	case F_ORGS:
	case F_SUPPLIERS:
	case F_LEGAL: {
		buf_t t = BUF_INIT;
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (i) buf_puts(&t, LIST_SEP);
			item_text(&t, f->type, x);
		}
		csvw_cell(b, t.len ? buf_cstr(&t) : NULL, sep, last);
		buf_free(&t);
		return;
	}
	default: csvw_cell(b, json_string_value(v), sep, last); return;
	}
}

static void csv_row(struct export_writer *w, buf_t *b, const struct usecase_export_row *row, const json_t *rec)
{
	char sep = sep_of(w);
	export_int_cell(w, b, row->id, false);
	buf_t u = BUF_INIT;
	buf_puts(&u, w->base_url ? w->base_url : "");
	buf_puts(&u, doc_str(rec, "url") ? doc_str(rec, "url") : "");
	csvw_cell(b, buf_cstr(&u), sep, false);
	buf_free(&u);
	csvw_cell(b, doc_str(rec, "schema_version"), sep, false);
	csvw_cell(b, row->state, sep, false);
	json_t *ver = json_object_get(rec, "version");
	export_int_cell(w, b, json_is_integer(ver) ? (int64_t)json_integer_value(ver) : 0, false);
	export_date_cell(w, b, doc_str(rec, "created_at"), false);
	export_date_cell(w, b, doc_str(rec, "updated_at"), false);
	export_date_cell(w, b, doc_str(rec, "published_at"), false);
	csvw_cell(b, doc_str(rec, "retract_reason"), sep, false);
	json_t *owner = json_object_get(rec, "owner");
	csvw_cell(b, doc_str(owner, "id"), sep, false);
	csvw_cell(b, doc_str(owner, "name"), sep, false);
	csvw_cell(b, row->org_kind, sep, false);
	csvw_cell(b, row->org_siren, sep, false);
	bool insee = row->org_kind && (strcmp(row->org_kind, "commune") == 0 || strcmp(row->org_kind, "departement") == 0 ||
	                               strcmp(row->org_kind, "region") == 0);
	csvw_cell(b, insee ? row->org_code : NULL, sep, false);
	csvw_cell(b, row->impact_label ? "true" : "false", sep, false);
	csvw_cell(b, doc_str(json_object_get(rec, "impact_label"), "evidence_level"), sep, false);
	export_int_cell(w, b, row->evidence, false);
	if (row->origin_id > 0)
		export_int_cell(w, b, row->origin_id, false);
	else
		csvw_cell(b, NULL, sep, false);
	export_int_cell(w, b, row->reuses, false);
	export_field_cells(w, b, rec);
	buf_puts(b, "\r\n");
}

void export_field_cells(const struct export_writer *w, buf_t *b, const json_t *rec)
{
	const struct field *lastf = NULL;
	for (size_t i = 0; i < model_nfields; i++)
		if (model_field_visible(&model_fields[i], w->restricted) && strcmp(model_fields[i].name, "owner") != 0)
			lastf = &model_fields[i];
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		if (!model_field_visible(f, w->restricted) || strcmp(f->name, "owner") == 0) continue;
		field_cells(w, b, f, json_object_get(rec, f->name), f == lastf);
	}
}

/* ---- JSON ---- */

static void absolute_url(const struct export_writer *w, json_t *obj)
{
	const char *u = doc_str(obj, "url");
	if (!u || !w->base_url || !*w->base_url || u[0] != '/') return;
	char *abs = xasprintf("%s%s", w->base_url, u);
	json_object_set_new(obj, "url", json_string(abs));
	free(abs);
}

int export_row(struct export_writer *w, buf_t *b, const struct usecase_export_row *row)
{
	json_error_t je;
	json_t *rec = json_loadb(row->json, row->json_len, 0, &je);
	if (!json_is_object(rec)) {
		log_error("export: record %lld: stored representation unreadable (%s)", (long long)row->id, je.text);
		json_decref(rec);
		return -1;
	}
	if (is_csv(w)) {
		csv_row(w, b, row, rec);
	} else {
		absolute_url(w, rec);
		json_t *origin = json_object_get(rec, "reuse_of");
		if (json_is_object(origin)) absolute_url(w, origin);
		json_t *owner = json_object_get(rec, "owner");
		bool insee = row->org_kind && (strcmp(row->org_kind, "commune") == 0 ||
		                               strcmp(row->org_kind, "departement") == 0 || strcmp(row->org_kind, "region") == 0);
		if (json_is_object(owner)) json_object_set_new(owner, "insee_code", insee ? json_string(row->org_code) : json_null());
		json_object_set_new(rec, "reuses", json_integer(row->reuses));
		/* the lists with per-item visibility, filtered once more */
		for (size_t i = 0; i < model_nfields; i++) {
			const struct field *f = &model_fields[i];
			if (f->type != F_INDICATORS && f->type != F_KIT) continue;
			json_t *v = json_object_get(rec, f->name);
			if (!json_is_array(v)) continue;
			json_t *list = model_value_for_reader(f, v, w->restricted);
			json_object_set_new(rec, f->name, list ? list : json_null());
		}
		if (w->fmt == EXPORT_JSON) buf_puts(b, w->rows ? ",\n" : "\n");
		jsonw_t jw;
		jw_init(&jw, b);
		jw_jansson(&jw, rec);
		if (w->fmt == EXPORT_JSONL) buf_putc(b, '\n');
	}
	json_decref(rec);
	w->rows++;
	return 0;
}
