/*
 * opendata.c — the data package and the DCAT-AP catalogue (see
 * opendata.h).
 *
 * Design notes
 * - A CSV column becomes a Table Schema field as follows (the cells are
 *   those of export.c): metadata columns from their table (type,
 *   required, allowed codes, French description); fields by type —
 *   one-line and long texts: string with maxLength (characters); a code
 *   of a vocabulary: string with enum = the codes (labels in the
 *   description); lists (codes, texts, URLs, organisations, suppliers,
 *   legal bases): a string joining the items with " | ", with a pattern
 *   for lists of codes, URLs and organisation keys; URLs: format uri;
 *   booleans: true/false; integers and numbers with their bounds; dates
 *   of the model (AAAA, AAAA-MM or AAAA-MM-JJ): string with a pattern
 *   (no Table Schema type accepts the three); timestamps: datetime;
 *   indicators and reuse kit: NAME_count (integer) and NAME (array: a JSON
 *   cell). Public export only: restricted fields are not described
 *   (they are not in the public file).
 * - The Etalab impact CSV keeps Etalab's own schema; its columns are
 *   described here by name and type (api_export_impact.c writes them; the
 *   black-box suite opendata checks the file's header against them).
 * - DCAT-AP: EU vocabularies for file types, languages, themes and
 *   frequencies; IANA media types; every URL absolute when the server
 *   knows its base URL (serve --base-url), else site paths (JSON-LD
 *   resolves them against the document's address).
 */
#include "opendata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "export.h"
#include "export_history.h"
#include "model.h"
#include "util.h"

#define PUBLISHER "IA·T — Intelligences Associées des Territoires"
#define HOMEPAGE_PATH "/"
#define API_SERVICE "/api/v1/#service"
#define EU_FILE_TYPE "http://publications.europa.eu/resource/authority/file-type/"
#define IANA "https://www.iana.org/assignments/media-types/"
#define SIREN_PATTERN "^[0-9]{9}$"
#define INSEE_PATTERN "^([0-9]{2}|2[AB]|[0-9]{3}|[0-9][0-9AB][0-9]{3})$"
#define DATE_PATTERN "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
#define URL_LIST_PATTERN "^https?://[^ ]+( \\| https?://[^ ]+)*$"
#define ORG_LIST_PATTERN "^[a-z]+-[0-9A-Za-z]+( \\| [a-z]+-[0-9A-Za-z]+)*$"

static void url(jsonw_t *w, const char *key, const char *base, const char *path)
{
	buf_t u = BUF_INIT;
	buf_fmt(&u, "%R%R", base ? base : "", path);
	jw_kstr(w, key, buf_cstr(&u));
	buf_free(&u);
}

/* ---- Table Schema ---- */

/* Regex-escape a code (codes are letters, digits, _ and -; escape the
 * rest anyway). */
static void regex_code(buf_t *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\^$.|?*+()[]{}", *s)) buf_putc(b, '\\');
		buf_putc(b, *s);
	}
}

static void vocab_alternatives(buf_t *b, const struct vocab *v)
{
	buf_putc(b, '(');
	for (size_t i = 0; i < v->count; i++) {
		if (i) buf_putc(b, '|');
		regex_code(b, v->terms[i].code);
	}
	buf_putc(b, ')');
}

static void vocab_description(buf_t *d, const struct vocab *v)
{
	buf_puts(d, " Codes : ");
	for (size_t i = 0; i < v->count; i++) {
		if (i) buf_puts(d, ", ");
		buf_puts(d, v->terms[i].code);
		buf_puts(d, " (");
		buf_puts(d, v->terms[i].label);
		buf_puts(d, ")");
	}
	buf_puts(d, ".");
}

static void codes_enum(jsonw_t *w, const char *codes)
{
	jw_key(w, "enum");
	jw_arr(w);
	char *c = xstrdup(codes), *save = NULL;
	for (char *t = strtok_r(c, "|", &save); t; t = strtok_r(NULL, "|", &save)) jw_str(w, t);
	free(c);
	jw_arr_end(w);
}

static void field_of_meta(jsonw_t *w, const struct export_meta_column *m, const char *base, bool pk)
{
	jw_kstr(w, "name", m->name);
	jw_kstr(w, "description", m->description);
	jw_kstr(w, "type", m->type);
	if (strcmp(m->type, "datetime") == 0) jw_kstr(w, "format", "default");
	if (strcmp(m->type, "boolean") == 0) {
		jw_key(w, "trueValues");
		jw_arr(w);
		jw_str(w, "true");
		jw_arr_end(w);
		jw_key(w, "falseValues");
		jw_arr(w);
		jw_str(w, "false");
		jw_arr_end(w);
	}
	if (strcmp(m->name, "url") == 0 && base && *base) jw_kstr(w, "format", "uri");
	jw_key(w, "constraints");
	jw_obj(w);
	if (m->required) jw_kbool(w, "required", true);
	if (pk) jw_kbool(w, "unique", true);
	if (m->codes) codes_enum(w, m->codes);
	if (strcmp(m->type, "integer") == 0) jw_kint(w, "minimum", strcmp(m->name, "id") == 0 || strcmp(m->name, "version") == 0 ||
	                                                          strcmp(m->name, "reuse_of") == 0 ? 1 : 0);
	if (strcmp(m->name, "owner_siren") == 0) jw_kstr(w, "pattern", SIREN_PATTERN);
	if (strcmp(m->name, "owner_insee_code") == 0) jw_kstr(w, "pattern", INSEE_PATTERN);
	if (strcmp(m->name, "owner_id") == 0) jw_kstr(w, "pattern", "^[a-z]+-[0-9A-Za-z]+$");
	if (strcmp(m->name, "schema_version") == 0) jw_kstr(w, "pattern", "^[0-9]+\\.[0-9]+$");
	jw_obj_end(w);
}

static void field_of_model(jsonw_t *w, const struct export_column *c)
{
	const struct field *f = c->field;
	buf_t d = BUF_INIT, p = BUF_INIT;
	jw_kstr(w, "name", c->name);
	jw_kstr(w, "title", f->label);
	if (c->count) {
		buf_fmt(&d, "Nombre d'éléments publics de « %R ».", f->label);
		jw_kstr(w, "description", buf_cstr(&d));
		jw_kstr(w, "type", "integer");
		jw_key(w, "constraints");
		jw_obj(w);
		jw_kbool(w, "required", true);
		jw_kint(w, "minimum", 0);
		jw_obj_end(w);
		buf_free(&d);
		return;
	}
	buf_puts(&d, f->help);
	const char *type = "string", *format = NULL, *pattern = NULL;
	bool vocab_enum = false;
	int maxlen = 0;
	switch (f->type) {
	case F_STR:
	case F_TEXT:
	case F_MD:
		maxlen = f->maxlen;
		if (f->type == F_MD) buf_puts(&d, " Texte au format Markdown.");
		break;
	case F_ENUM:
		vocab_enum = true;
		vocab_description(&d, f->vocab);
		break;
	case F_ENUMS:
		buf_puts(&d, " Liste de codes séparés par « | ».");
		vocab_description(&d, f->vocab);
		buf_putc(&p, '^');
		vocab_alternatives(&p, f->vocab);
		buf_puts(&p, "( \\| ");
		vocab_alternatives(&p, f->vocab);
		buf_puts(&p, ")*$");
		pattern = buf_cstr(&p);
		break;
	case F_STRS: buf_puts(&d, " Liste séparée par « | »."); break;
	case F_URL:
		format = "uri";
		maxlen = f->maxlen;
		break;
	case F_URLS:
		buf_puts(&d, " Liste d'adresses séparées par « | ».");
		pattern = URL_LIST_PATTERN;
		break;
	case F_ORGS:
		buf_puts(&d, " Liste d'identifiants IA·T d'organisations (type-code) séparés par « | ».");
		pattern = ORG_LIST_PATTERN;
		break;
	case F_SUPPLIERS: buf_puts(&d, " Liste « nom (SIREN) » séparée par « | »."); break;
	case F_LEGAL: buf_puts(&d, " Liste « titre (adresse) » séparée par « | »."); break;
	case F_BOOL: type = "boolean"; break;
	case F_INT: type = "integer"; break;
	case F_NUM: type = "number"; break;
	case F_DATE:
		buf_puts(&d, " Date AAAA, AAAA-MM ou AAAA-MM-JJ.");
		pattern = DATE_PATTERN;
		break;
	case F_INDICATORS:
	case F_KIT:
		type = "array";
		buf_puts(&d, " Tableau JSON des éléments publics, tels que l'API les rend.");
		break;
	case F_ORG: pattern = "^[a-z]+-[0-9A-Za-z]+$"; break;
	}
	const char *unit = model_field_unit(f);
	if (unit) buf_fmt(&d, " Unité : %R.", unit);
	jw_kstr(w, "description", buf_cstr(&d));
	jw_kstr(w, "type", type);
	if (format) jw_kstr(w, "format", format);
	if (f->type == F_BOOL) {
		jw_key(w, "trueValues");
		jw_arr(w);
		jw_str(w, "true");
		jw_arr_end(w);
		jw_key(w, "falseValues");
		jw_arr(w);
		jw_str(w, "false");
		jw_arr_end(w);
	}
	if (f->type == F_NUM) jw_kstr(w, "decimalChar", ".");
	jw_key(w, "constraints");
	jw_obj(w);
	if (f->required) jw_kbool(w, "required", true);
	if (maxlen > 0) jw_kint(w, "maxLength", maxlen);
	if (vocab_enum) {
		jw_key(w, "enum");
		jw_arr(w);
		for (size_t i = 0; i < f->vocab->count; i++) jw_str(w, f->vocab->terms[i].code);
		jw_arr_end(w);
	}
	if (pattern) jw_kstr(w, "pattern", pattern);
	if (f->type == F_INT) {
		jw_kint(w, "minimum", 0);
		jw_key(w, "maximum");
		jw_num(w, f->max);
	}
	if (f->type == F_NUM) {
		jw_key(w, "minimum");
		jw_num(w, f->min);
		jw_key(w, "maximum");
		jw_num(w, f->max);
	}
	jw_obj_end(w);
	buf_free(&d);
	buf_free(&p);
}

struct schema_ctx {
	jsonw_t *w;
	const char *base;
	const char *pk;
};

static void schema_field(void *ctx, const struct export_column *c)
{
	struct schema_ctx *s = ctx;
	jw_obj(s->w);
	if (c->meta)
		field_of_meta(s->w, c->meta, s->base, s->pk && strcmp(c->name, s->pk) == 0);
	else
		field_of_model(s->w, c);
	jw_obj_end(s->w);
}

static void licenses(jsonw_t *w)
{
	jw_key(w, "licenses");
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "name", "etalab-2.0");
	jw_kstr(w, "title", "Licence Ouverte / Open Licence version 2.0");
	jw_kstr(w, "path", OPENDATA_LICENSE_URL);
	jw_obj_end(w);
	jw_arr_end(w);
}

static void csv_dialect(jsonw_t *w)
{
	jw_key(w, "dialect");
	jw_obj(w);
	jw_kstr(w, "delimiter", ",");
	jw_kbool(w, "doubleQuote", true);
	jw_kstr(w, "lineTerminator", "\r\n");
	jw_kstr(w, "quoteChar", "\"");
	jw_kbool(w, "header", true);
	jw_obj_end(w);
}

static void missing_values(jsonw_t *w)
{
	jw_key(w, "missingValues");
	jw_arr(w);
	jw_str(w, "");
	jw_arr_end(w);
}

/* The Etalab impact CSV (api_export_impact.c): name, type, description. */
static const char *const impact_columns[][3] = {
	{ "administration_rattachement", "string", "Organisation porteuse." },
	{ "nom_service_public_numerique", "string", "Nom du service (titre de la fiche)." },
	{ "indicateur", "string", "Nom de l'indicateur." },
	{ "valeur", "number", "Valeur mesurée, de référence ou cible." },
	{ "unite_mesure", "string", "Unité de mesure." },
	{ "est_cible", "boolean", "La valeur est-elle une cible ?" },
	{ "type_indicateur", "string", "Type d'indicateur." },
	{ "frequence_monitoring", "string", "Fréquence de mesure." },
	{ "date", "date", "Date de la valeur (AAAA-MM-JJ)." },
	{ "est_periode", "boolean", "La valeur porte-t-elle sur une période ?" },
	{ "date_debut", "date", "Début de la période." },
	{ "est_automatise", "boolean", "La mesure est-elle automatisée ?" },
	{ "source_collecte", "string", "Source de la mesure." },
	{ "denom_insee", "string", "Échelle : COM, DEP ou REG." },
	{ "code_insee", "string", "Code INSEE de l'organisation porteuse." },
	{ "dataviz_wish", "string", "Visualisation souhaitée (vide)." },
	{ "commentaires", "string", "Commentaires (méthode, niveau de preuve)." },
};

static void resource_common(jsonw_t *w, const char *base, const char *path)
{
	jw_kstr(w, "profile", "tabular-data-resource");
	url(w, "path", base, path);
	jw_kstr(w, "format", "csv");
	jw_kstr(w, "mediatype", "text/csv");
	jw_kstr(w, "encoding", "utf-8");
	csv_dialect(w);
	licenses(w);
}

void opendata_table_schema(jsonw_t *w, const char *base)
{
	jw_obj(w);
	/* schema.data.gouv.fr's TableSchema metadata */
	jw_kstr(w, "$schema", "https://frictionlessdata.io/schemas/table-schema.json");
	jw_kstr(w, "name", "iat-fiches");
	jw_kstr(w, "title", "Fiches des usages de l'intelligence artificielle dans les collectivités territoriales");
	jw_kstr(w, "description",
	        "Schéma de l'export CSV public des fiches d'IA·T : une ligne par projet d'intelligence artificielle ou "
	        "algorithme public d'une collectivité territoriale (publié ou retiré), avec l'organisation porteuse "
	        "(SIREN, code INSEE), le service, l'algorithme, les données, les risques, les indicateurs d'impact et "
	        "les ressources. Seuls les champs publics y figurent. Les codes des listes sont ceux de "
	        "/api/v1/schema ; les listes sont jointes par « | ». Une cellule de texte qui commencerait par = + - "
	        "ou @ reçoit une apostrophe initiale (protection contre l'injection de formules).");
	jw_kstr(w, "countryCode", "FR");
	url(w, "homepage", base, HOMEPAGE_PATH);
	url(w, "path", base, OPENDATA_TABLE_SCHEMA);
	jw_kstr(w, "version", MODEL_SCHEMA_VERSION);
	jw_kstr(w, "created", OPENDATA_SCHEMA_CREATED);
	jw_kstr(w, "lastModified", OPENDATA_SCHEMA_MODIFIED);
	jw_key(w, "contributors");
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "title", PUBLISHER);
	jw_kstr(w, "role", "author");
	url(w, "path", base, HOMEPAGE_PATH);
	jw_obj_end(w);
	jw_arr_end(w);
	licenses(w);
	jw_key(w, "resources");
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "title", "Export CSV public des fiches");
	jw_kstr(w, "name", "fiches");
	url(w, "path", base, OPENDATA_RECORDS_CSV);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_key(w, "fields");
	jw_arr(w);
	struct schema_ctx sc = { w, base, "id" };
	export_columns(false, schema_field, &sc);
	jw_arr_end(w);
	missing_values(w);
	jw_kstr(w, "primaryKey", "id");
	jw_obj_end(w);
}

void opendata_datapackage(jsonw_t *w, const char *base, const char *first, const char *last)
{
	jw_obj(w);
	jw_kstr(w, "profile", "tabular-data-package");
	jw_kstr(w, "name", "iat-fiches-ia-collectivites");
	url(w, "id", base, OPENDATA_DATAPACKAGE);
	jw_kstr(w, "title", "Usages de l'intelligence artificielle dans les collectivités territoriales (IA·T)");
	jw_kstr(w, "description",
	        "Fiches publiques de la bibliothèque IA·T : projets d'intelligence artificielle et d'algorithmes "
	        "publics des collectivités territoriales (une ligne par fiche publiée ou retirée), leurs indicateurs "
	        "d'impact (schéma Etalab) et l'historique de leurs versions publiques. Seuls les champs publics "
	        "figurent dans ces fichiers. Une cellule de texte qui commencerait par = + - ou @ reçoit une "
	        "apostrophe initiale (protection contre l'injection de formules dans les tableurs).");
	jw_kstr(w, "countryCode", "FR");
	url(w, "homepage", base, HOMEPAGE_PATH);
	url(w, "path", base, OPENDATA_DATAPACKAGE);
	jw_kstr(w, "version", MODEL_SCHEMA_VERSION);
	jw_key(w, "keywords");
	jw_arr(w);
	jw_str(w, "intelligence artificielle");
	jw_str(w, "algorithmes publics");
	jw_str(w, "collectivités territoriales");
	jw_str(w, "CRPA");
	jw_arr_end(w);
	jw_key(w, "contributors");
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "title", PUBLISHER);
	jw_kstr(w, "role", "publisher");
	url(w, "path", base, HOMEPAGE_PATH);
	jw_obj_end(w);
	jw_arr_end(w);
	if (first && *first) jw_kstr(w, "created", first);
	if (last && *last) jw_kstr(w, "lastModified", last);
	licenses(w);
	jw_key(w, "sources");
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "title", "Déclarations des collectivités sur IA·T");
	url(w, "path", base, HOMEPAGE_PATH);
	jw_obj_end(w);
	jw_arr_end(w);

	jw_key(w, "resources");
	jw_arr(w);
	/* the public records CSV */
	jw_obj(w);
	jw_kstr(w, "name", "fiches");
	jw_kstr(w, "title", "Fiches publiques (CSV)");
	jw_kstr(w, "description", "Une ligne par fiche publiée ou retirée, champs publics seulement.");
	resource_common(w, base, OPENDATA_RECORDS_CSV);
	jw_key(w, "schema");
	opendata_table_schema(w, base);
	jw_obj_end(w);
	/* the history CSV */
	jw_obj(w);
	jw_kstr(w, "name", "historique");
	jw_kstr(w, "title", "Historique des versions publiques (CSV)");
	jw_kstr(w, "description",
	        "Une ligne par version publique (publiée ou retirée) de chaque fiche visible, champs publics "
	        "seulement. Version JSON Lines : /api/v1/exports/history.jsonl.");
	resource_common(w, base, OPENDATA_HISTORY_CSV);
	jw_key(w, "schema");
	jw_obj(w);
	jw_key(w, "fields");
	jw_arr(w);
	struct schema_ctx hc = { w, base, NULL };
	export_history_columns(false, schema_field, &hc);
	jw_arr_end(w);
	missing_values(w);
	jw_key(w, "primaryKey");
	jw_arr(w);
	jw_str(w, "id");
	jw_str(w, "version");
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
	/* the Etalab impact CSV */
	jw_obj(w);
	jw_kstr(w, "name", "impact");
	jw_kstr(w, "title", "Indicateurs d'impact publics (schéma Etalab)");
	jw_kstr(w, "description",
	        "Indicateurs publics des fiches publiées, au schéma Etalab « Impact d'un service public numérique » "
	        "(une ligne par valeur : référence, mesures, cible). Fichier encodé en UTF-8 avec BOM.");
	resource_common(w, base, OPENDATA_IMPACT_CSV);
	jw_key(w, "sources");
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "title", "Schéma Etalab de l'impact des services publics numériques");
	jw_kstr(w, "path", "https://schema.data.gouv.fr/etalab/schema-impact-service-public-numerique/");
	jw_obj_end(w);
	jw_arr_end(w);
	jw_key(w, "schema");
	jw_obj(w);
	jw_key(w, "fields");
	jw_arr(w);
	for (size_t i = 0; i < ARRAY_LEN(impact_columns); i++) {
		jw_obj(w);
		jw_kstr(w, "name", impact_columns[i][0]);
		jw_kstr(w, "description", impact_columns[i][2]);
		jw_kstr(w, "type", impact_columns[i][1]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	missing_values(w);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
}

/* ---- DCAT-AP ---- */

static void lit(jsonw_t *w, const char *key, const char *text)
{
	jw_key(w, key);
	jw_obj(w);
	jw_kstr(w, "@value", text);
	jw_kstr(w, "@language", "fr");
	jw_obj_end(w);
}

static void ref(jsonw_t *w, const char *key, const char *base, const char *path)
{
	jw_key(w, key);
	jw_obj(w);
	url(w, "@id", base, path);
	jw_obj_end(w);
}

static void iri(jsonw_t *w, const char *key, const char *absolute)
{
	jw_key(w, key);
	jw_obj(w);
	jw_kstr(w, "@id", absolute);
	jw_obj_end(w);
}

static void datetime(jsonw_t *w, const char *key, const char *at)
{
	if (!at || !*at) return;
	jw_key(w, key);
	jw_obj(w);
	jw_kstr(w, "@value", at);
	jw_kstr(w, "@type", "xsd:dateTime");
	jw_obj_end(w);
}

static void publisher(jsonw_t *w, const char *base)
{
	jw_key(w, "dct:publisher");
	jw_obj(w);
	url(w, "@id", base, "/#editeur");
	jw_kstr(w, "@type", "foaf:Agent");
	jw_kstr(w, "foaf:name", PUBLISHER);
	jw_obj_end(w);
}

static void contact(jsonw_t *w, const char *base)
{
	jw_key(w, "dcat:contactPoint");
	jw_obj(w);
	jw_kstr(w, "@type", "vcard:Organization");
	jw_kstr(w, "vcard:fn", PUBLISHER);
	ref(w, "vcard:hasURL", base, "/mentions-legales");
	jw_obj_end(w);
}

struct distribution {
	const char *path;
	const char *title;
	const char *file_type;    /* EU file-type code */
	const char *media_type;   /* IANA type/subtype, or NULL */
	bool download;            /* a file (downloadURL), else a service (accessURL only) */
};

static void distribution(jsonw_t *w, const char *base, const struct distribution *d)
{
	jw_obj(w);
	buf_t id = BUF_INIT;
	buf_fmt(&id, "%R%R#distribution", base ? base : "", d->path);
	jw_kstr(w, "@id", buf_cstr(&id));
	buf_free(&id);
	jw_kstr(w, "@type", "dcat:Distribution");
	lit(w, "dct:title", d->title);
	ref(w, "dcat:accessURL", base, d->path);
	if (d->download) ref(w, "dcat:downloadURL", base, d->path);
	if (d->media_type) {
		buf_t m = BUF_INIT;
		buf_fmt(&m, IANA "%R", d->media_type);
		iri(w, "dcat:mediaType", buf_cstr(&m));
		buf_free(&m);
	}
	buf_t f = BUF_INIT;
	buf_fmt(&f, EU_FILE_TYPE "%R", d->file_type);
	iri(w, "dct:format", buf_cstr(&f));
	buf_free(&f);
	iri(w, "dct:license", OPENDATA_LICENSE_URL);
	if (!d->download) ref(w, "dcat:accessService", base, API_SERVICE);
	jw_obj_end(w);
}

static void dataset_begin(jsonw_t *w, const char *base, const char *anchor, const char *title, const char *desc,
                          const char *first, const char *last, const char *const *keywords)
{
	jw_obj(w);
	url(w, "@id", base, anchor);
	jw_kstr(w, "@type", "dcat:Dataset");
	lit(w, "dct:title", title);
	lit(w, "dct:description", desc);
	jw_key(w, "dcat:keyword");
	jw_arr(w);
	for (; *keywords; keywords++) {
		jw_obj(w);
		jw_kstr(w, "@value", *keywords);
		jw_kstr(w, "@language", "fr");
		jw_obj_end(w);
	}
	jw_arr_end(w);
	iri(w, "dcat:theme", "http://publications.europa.eu/resource/authority/data-theme/GOVE");
	iri(w, "dct:language", "http://publications.europa.eu/resource/authority/language/FRA");
	iri(w, "dct:spatial", "http://publications.europa.eu/resource/authority/country/FRA");
	iri(w, "dct:accrualPeriodicity", "http://publications.europa.eu/resource/authority/frequency/CONT");
	publisher(w, base);
	contact(w, base);
	ref(w, "dcat:landingPage", base, HOMEPAGE_PATH);
	datetime(w, "dct:issued", first);
	datetime(w, "dct:modified", last);
	iri(w, "dct:license", OPENDATA_LICENSE_URL);
}

void opendata_catalog(jsonw_t *w, const char *base, const char *first, const char *last)
{
	jw_obj(w);
	jw_key(w, "@context");
	jw_obj(w);
	jw_kstr(w, "dcat", "http://www.w3.org/ns/dcat#");
	jw_kstr(w, "dct", "http://purl.org/dc/terms/");
	jw_kstr(w, "foaf", "http://xmlns.com/foaf/0.1/");
	jw_kstr(w, "vcard", "http://www.w3.org/2006/vcard/ns#");
	jw_kstr(w, "xsd", "http://www.w3.org/2001/XMLSchema#");
	jw_obj_end(w);
	url(w, "@id", base, OPENDATA_CATALOG);
	jw_kstr(w, "@type", "dcat:Catalog");
	lit(w, "dct:title", "Catalogue des données ouvertes d'IA·T");
	lit(w, "dct:description",
	    "Les jeux de données publiés par IA·T, la bibliothèque nationale des usages de l'intelligence "
	    "artificielle dans les collectivités territoriales : fiches, indicateurs d'impact, historique des versions.");
	publisher(w, base);
	ref(w, "foaf:homepage", base, HOMEPAGE_PATH);
	iri(w, "dct:language", "http://publications.europa.eu/resource/authority/language/FRA");
	iri(w, "dct:license", OPENDATA_LICENSE_URL);
	datetime(w, "dct:issued", first);
	datetime(w, "dct:modified", last);
	jw_key(w, "dcat:dataset");
	jw_arr(w);

	static const char *const kw_records[] = { "intelligence artificielle", "algorithmes publics",
		                                  "collectivités territoriales", NULL };
	dataset_begin(w, base, "/#jeu-fiches", "Fiches des usages de l'IA dans les collectivités",
	              "Une fiche par projet d'intelligence artificielle ou algorithme public d'une collectivité : "
	              "service, algorithme, données, risques, ressources. Champs publics ; les agents des "
	              "collectivités obtiennent aussi les champs réservés avec un jeton d'API.",
	              first, last, kw_records);
	ref(w, "dct:conformsTo", base, OPENDATA_DATAPACKAGE);
	jw_key(w, "dcat:distribution");
	jw_arr(w);
	static const struct distribution recs[] = {
		{ "/api/v1/exports/usecases.csv", "Fiches (CSV RFC 4180)", "CSV", "text/csv", true },
		{ "/api/v1/exports/usecases-excel.csv", "Fiches (CSV pour Excel : point-virgule, BOM, dates JJ/MM/AAAA)",
		  "CSV", "text/csv", true },
		{ "/api/v1/exports/usecases.json", "Fiches (JSON)", "JSON", "application/json", true },
		{ "/api/v1/exports/usecases.jsonl", "Fiches (JSON Lines)", "JSON", NULL, true },
		{ "/flux/fiches.atom", "Fiches nouvelles et mises à jour (flux Atom)", "ATOM", "application/atom+xml", true },
		{ "/api/v1/usecases", "API des fiches (documentation : /api/documentation)", "JSON", "application/json", false },
		{ OPENDATA_DATAPACKAGE, "Description Frictionless (datapackage.json)", "JSON", "application/json", true },
	};
	for (size_t i = 0; i < ARRAY_LEN(recs); i++) distribution(w, base, &recs[i]);
	jw_arr_end(w);
	jw_obj_end(w);

	static const char *const kw_impact[] = { "impact", "indicateurs", "services publics numériques", NULL };
	dataset_begin(w, base, "/#jeu-impact", "Indicateurs d'impact des projets d'IA des collectivités",
	              "Les indicateurs publics des fiches publiées (valeur de référence, mesures, cible), au schéma "
	              "Etalab « Impact d'un service public numérique ».",
	              first, last, kw_impact);
	iri(w, "dct:conformsTo", "https://schema.data.gouv.fr/etalab/schema-impact-service-public-numerique/");
	jw_key(w, "dcat:distribution");
	jw_arr(w);
	static const struct distribution imp[] = {
		{ OPENDATA_IMPACT_CSV, "Indicateurs d'impact (CSV, schéma Etalab)", "CSV", "text/csv", true },
	};
	distribution(w, base, &imp[0]);
	jw_arr_end(w);
	jw_obj_end(w);

	static const char *const kw_history[] = { "historique", "versions", "intelligence artificielle", NULL };
	dataset_begin(w, base, "/#jeu-historique", "Historique des versions publiques des fiches",
	              "Chaque version publique (publiée ou retirée) de chaque fiche visible, datée, avec le document "
	              "de la fiche tel que le public le voit.",
	              first, last, kw_history);
	ref(w, "dct:conformsTo", base, OPENDATA_DATAPACKAGE);
	jw_key(w, "dcat:distribution");
	jw_arr(w);
	static const struct distribution hist[] = {
		{ "/api/v1/exports/history.jsonl", "Historique (JSON Lines, une version par ligne)", "JSON", NULL, true },
		{ OPENDATA_HISTORY_CSV, "Historique (CSV RFC 4180)", "CSV", "text/csv", true },
	};
	for (size_t i = 0; i < ARRAY_LEN(hist); i++) distribution(w, base, &hist[i]);
	jw_arr_end(w);
	jw_obj_end(w);

	jw_arr_end(w);

	/* the API as a data service */
	jw_key(w, "dcat:service");
	jw_arr(w);
	jw_obj(w);
	url(w, "@id", base, API_SERVICE);
	jw_kstr(w, "@type", "dcat:DataService");
	lit(w, "dct:title", "API JSON d'IA·T");
	lit(w, "dct:description",
	    "Lecture des fiches, de leur historique, des organisations et des indicateurs ; écriture pour les "
	    "agents des collectivités (jeton). Contrat OpenAPI 3.1.");
	ref(w, "dcat:endpointURL", base, "/api/v1/");
	ref(w, "dcat:endpointDescription", base, "/api/v1/openapi.json");
	ref(w, "foaf:page", base, "/api/documentation");
	jw_key(w, "dcat:servesDataset");
	jw_arr(w);
	static const char *const served[] = { "/#jeu-fiches", "/#jeu-impact", "/#jeu-historique" };
	for (size_t i = 0; i < ARRAY_LEN(served); i++) {
		jw_obj(w);
		url(w, "@id", base, served[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	publisher(w, base);
	iri(w, "dct:license", OPENDATA_LICENSE_URL);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
}
