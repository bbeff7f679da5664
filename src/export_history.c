/*
 * export_history.c — the history export's formats (see export_history.h).
 *
 * Design notes
 * - One version at a time: the stored doc is parsed, filtered through
 *   model_doc_for_reader() (the one filter of restricted fields and
 *   items) and written back by our JSON writer (same escaping as the
 *   API), or as the record CSV's field cells (export_field_cells()).
 * - The owner of a version is the owner key of its own doc: a record
 *   whose owner changed shows the old owner on its old versions. The
 *   lookup goes through org_find() with a one-entry cache; when the key
 *   is unknown (organisation deleted from the reference), the record's
 *   current owner is given.
 */
#include "export_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "csvw.h"
#include "jsonw.h"
#include "model.h"
#include "org.h"
#include "util.h"

const struct export_meta_column export_history_meta_columns[] = {
	{ "id", "integer", true, NULL, "Identifiant stable de la fiche dans IA·T (jamais réutilisé)." },
	{ "version", "integer", true, NULL, "Numéro de la version (croissant ; les versions non publiques manquent)." },
	{ "state", "string", true, "published|retracted", "État de la fiche dans cette version : publiée ou retirée." },
	{ "at", "datetime", true, NULL, "Date et heure d'enregistrement de cette version (UTC)." },
	{ "note", "string", false, NULL, "Note de la version (publication, retrait...)." },
	{ "author_kind", "string", true, "import|team|member|contributor",
	  "Auteur de la version : import, équipe de l'observatoire, membre de l'organisation, contributeur." },
	{ "url", "string", true, NULL, "Adresse de la fiche sur le site." },
	{ "schema_version", "string", true, NULL, "Version du schéma des fiches (doc/schema-changelog.md)." },
	{ "created_at", "datetime", true, NULL, "Date et heure de création de la fiche (UTC)." },
	{ "published_at", "datetime", false, NULL, "Date et heure de la première publication de la fiche (UTC)." },
	{ "owner_id", "string", true, NULL, "Identifiant IA·T de l'organisation porteuse dans cette version." },
	{ "owner_name", "string", false, NULL, "Nom de l'organisation porteuse." },
	{ "owner_kind", "string", true, "commune|epci|ept|departement|region|syndicat|operateur|autre",
	  "Type de l'organisation porteuse." },
	{ "owner_siren", "string", false, NULL, "SIREN de l'organisation porteuse (9 chiffres)." },
	{ "owner_insee_code", "string", false, NULL,
	  "Code INSEE de l'organisation porteuse quand c'est une commune, un département ou une région." },
	{ "reuse_of", "integer", false, NULL, "Identifiant de la fiche d'origine, pour une réutilisation." },
};
const size_t export_history_nmeta_columns = ARRAY_LEN(export_history_meta_columns);

struct fields_only {
	export_column_fn cb;
	void *ctx;
	int n;
};

static void field_column(void *ctx, const struct export_column *c)
{
	struct fields_only *f = ctx;
	if (c->meta) return;
	f->cb(f->ctx, c);
	f->n++;
}

int export_history_columns(bool restricted, export_column_fn cb, void *ctx)
{
	for (size_t i = 0; i < export_history_nmeta_columns; i++)
		cb(ctx, &(struct export_column){ export_history_meta_columns[i].name, &export_history_meta_columns[i], NULL,
		                                 false });
	struct fields_only f = { cb, ctx, 0 };
	export_columns(restricted, field_column, &f);
	return (int)export_history_nmeta_columns + f.n;
}

void export_history_filename(const struct history_writer *w, char *out, size_t outsz)
{
	char now[21];
	iso8601_utc(now_unix(), now);
	now[10] = 0;
	snprintf(out, outsz, "iat-historique%s-%s.%s", w->restricted ? "-agents" : "", now, w->csv ? "csv" : "jsonl");
}

struct header_ctx {
	buf_t *b;
	int n;
};

static void header_cell(void *ctx, const struct export_column *c)
{
	struct header_ctx *h = ctx;
	if (h->n++) buf_putc(h->b, ',');
	csvw_cell(h->b, c->name, ',', true);
}

void export_history_begin(struct history_writer *w, buf_t *b)
{
	w->rows = 0;
	if (!w->csv) return;
	struct header_ctx h = { b, 0 };
	export_history_columns(w->restricted, header_cell, &h);
	buf_puts(b, "\r\n");
}

void export_history_free(struct history_writer *w)
{
	free(w->cache_key);
	free(w->cache_name);
	free(w->cache_kind);
	free(w->cache_siren);
	free(w->cache_insee);
	w->cache_key = w->cache_name = w->cache_kind = w->cache_siren = w->cache_insee = NULL;
}

static bool insee_kind(const char *kind)
{
	return kind && (strcmp(kind, "commune") == 0 || strcmp(kind, "departement") == 0 || strcmp(kind, "region") == 0);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Fill the cache with the owner of key (the doc's owner key), falling back
 * on the record's current owner. */
static void owner_of(struct history_writer *w, const char *key, const struct history_export_row *row)
{
	char *cur = xasprintf("%s-%s", row->org_kind ? row->org_kind : "", row->org_code ? row->org_code : "");
	if (!key || strcmp(key, cur) == 0 || !w->db) {
		export_history_free(w);
		w->cache_key = cur;
		w->cache_name = dup_or_null(row->org_name);
		w->cache_kind = dup_or_null(row->org_kind);
		w->cache_siren = dup_or_null(row->org_siren);
		w->cache_insee = insee_kind(row->org_kind) ? dup_or_null(row->org_code) : NULL;
		return;
	}
	if (w->cache_key && strcmp(w->cache_key, key) == 0) {
		free(cur);
		return;
	}
	struct org o;
	if (org_find(w->db, key, &o) == 1) {
		export_history_free(w);
		w->cache_key = xstrdup(key);
		w->cache_name = dup_or_null(o.name);
		w->cache_kind = dup_or_null(o.kind);
		w->cache_siren = dup_or_null(o.siren);
		w->cache_insee = insee_kind(o.kind) ? dup_or_null(o.code) : NULL;
		org_free(&o);
		free(cur);
		return;
	}
	/* unknown key: the current owner (not cached under the unknown key) */
	export_history_free(w);
	w->cache_key = cur;
	w->cache_name = dup_or_null(row->org_name);
	w->cache_kind = dup_or_null(row->org_kind);
	w->cache_siren = dup_or_null(row->org_siren);
	w->cache_insee = insee_kind(row->org_kind) ? dup_or_null(row->org_code) : NULL;
}

static const char *author_kind(const struct history_export_row *row)
{
	if (!row->author_id) return "import";
	if (row->author_role && (strcmp(row->author_role, "curator") == 0 || strcmp(row->author_role, "admin") == 0))
		return "team";
	return row->author_member ? "member" : "contributor";
}

static char *record_url(const struct history_writer *w, const struct history_export_row *row)
{
	buf_t u = BUF_INIT;
	buf_fmt(&u, "%R/fiches/%D-%R", w->base_url ? w->base_url : "", row->id, row->slug ? row->slug : "");
	char *s = xstrdup(buf_cstr(&u));
	buf_free(&u);
	return s;
}

static void csv_row(struct history_writer *w, buf_t *b, const struct history_export_row *row, const json_t *doc,
                    const char *url)
{
	struct export_writer ew = { EXPORT_CSV, w->restricted, w->base_url, 0 };
	export_int_cell(&ew, b, row->id, false);
	export_int_cell(&ew, b, row->version, false);
	csvw_cell(b, row->state, ',', false);
	export_date_cell(&ew, b, row->at, false);
	csvw_cell(b, row->note, ',', false);
	csvw_cell(b, author_kind(row), ',', false);
	csvw_cell(b, url, ',', false);
	csvw_cell(b, MODEL_SCHEMA_VERSION, ',', false);
	export_date_cell(&ew, b, row->created_at, false);
	export_date_cell(&ew, b, row->published_at, false);
	csvw_cell(b, w->cache_key, ',', false);
	csvw_cell(b, w->cache_name, ',', false);
	csvw_cell(b, w->cache_kind, ',', false);
	csvw_cell(b, w->cache_siren, ',', false);
	csvw_cell(b, w->cache_insee, ',', false);
	if (row->origin_id > 0)
		export_int_cell(&ew, b, row->origin_id, false);
	else
		csvw_cell(b, NULL, ',', false);
	export_field_cells(&ew, b, doc);
	buf_puts(b, "\r\n");
}

static void json_row(struct history_writer *w, buf_t *b, const struct history_export_row *row, const json_t *doc,
                     const char *url)
{
	jsonw_t jw;
	jw_init(&jw, b);
	jw_obj(&jw);
	jw_kstr(&jw, "schema_version", MODEL_SCHEMA_VERSION);
	jw_kint(&jw, "id", row->id);
	jw_kint(&jw, "version", row->version);
	jw_kstr(&jw, "state", row->state);
	jw_kstr(&jw, "at", row->at);
	jw_kstr(&jw, "note", row->note && *row->note ? row->note : NULL);
	jw_kstr(&jw, "author_kind", author_kind(row));
	jw_kstr(&jw, "slug", row->slug);
	jw_kstr(&jw, "url", url);
	jw_kstr(&jw, "created_at", row->created_at);
	jw_kstr(&jw, "published_at", row->published_at);
	jw_kstr(&jw, "retract_reason", strcmp(row->state, "retracted") == 0 ? row->retract_reason : NULL);
	jw_key(&jw, "owner");
	jw_obj(&jw);
	jw_kstr(&jw, "id", w->cache_key);
	jw_kstr(&jw, "name", w->cache_name);
	jw_kstr(&jw, "kind", w->cache_kind);
	jw_kstr(&jw, "siren", w->cache_siren);
	jw_kstr(&jw, "insee_code", w->cache_insee);
	jw_obj_end(&jw);
	jw_key(&jw, "reuse_of");
	if (row->origin_id > 0)
		jw_int(&jw, row->origin_id);
	else
		jw_null(&jw);
	jw_key(&jw, "doc");
	jw_jansson(&jw, doc);
	jw_obj_end(&jw);
	buf_putc(b, '\n');
}

int export_history_row(struct history_writer *w, buf_t *b, const struct history_export_row *row)
{
	if (!auth_can_export_version(row->state)) return 0;
	json_error_t je;
	json_t *raw = json_loadb(row->doc ? row->doc : "", row->doc ? row->doc_len : 0, 0, &je);
	if (!json_is_object(raw)) {
		log_error("history export: record %lld version %lld: stored doc unreadable (%s)", (long long)row->id,
		          (long long)row->version, je.text);
		json_decref(raw);
		return -1;
	}
	json_t *doc = model_doc_for_reader(raw, w->restricted);
	json_decref(raw);
	owner_of(w, doc_str(doc, "owner"), row);
	char *url = record_url(w, row);
	if (w->csv)
		csv_row(w, b, row, doc, url);
	else
		json_row(w, b, row, doc, url);
	free(url);
	json_decref(doc);
	w->rows++;
	return 0;
}
