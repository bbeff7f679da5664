/*
 * import_intl.c — imports of the registers abroad as international
 * references (issue 6, section 2): `iat import nl-algoritmeregister`,
 * `uk-atrs`, `eu-pstw`. The contract is importer.h's; storage is
 * store_intl.h; vocabularies and parsers are intl.h. The field-by-field
 * mapping of each format is in doc/imports.md.
 *
 * Design notes
 * - Flow, as importer.c: read and parse the whole file first (a JSON or
 *   CSV syntax error, an unknown shape stop before the database is
 *   touched), then ONE transaction, a savepoint per record; a rejected
 *   record is listed with its reason ("enregistrement 12 (id 345) : titre
 *   manquant", "ligne 7 (id PSTW-5) : ..."); any rejection rolls
 *   everything back unless skip_invalid; dry runs roll back at the end.
 * - Each format has a mapper that turns one record into a JSON object of
 *   mapped fields (keys of intl_fields[], plus country, lang and status)
 *   and keeps the record as read ("raw"). Values are trimmed; one-line
 *   texts have their white space collapsed; long texts keep their line
 *   breaks; empty values and placeholders are left out. Texts stay in the
 *   original language (never translated).
 * - Rejected: no identifier, no title, an identifier met twice in the
 *   file, a text longer than its field's limit or with control
 *   characters, a record that is not an object, an unknown country, a
 *   malformed date or URL where the source's field is structured (the
 *   Dutch scrape's url and geregistreerd, the UK url, the EU "Date
 *   updated"). Kept with a warning (the value stays in the raw record
 *   only): free-text URLs and dates of the Dutch full export, EU websites
 *   without a URL, years that are not years.
 * - Identity and idempotence: (source, source id). The Dutch register
 *   comes in two files that share identifiers (the scrape's id is the full
 *   export's "lars" for 111 of its 117 records): each file is a "part" of
 *   the reference (scrape, full), stored with its own fields, raw record,
 *   file and hash, and the reference's fields are the parts merged (the
 *   daily scrape first: it is newer; the full export adds the fields the
 *   scrape lacks). Importing one file never erases what the other gave.
 *   A part whose hash (fields + raw) did not change is "unchanged": only
 *   last_imported_at is refreshed; otherwise the reference is "updated"
 *   (last_changed_at), or "created".
 * - Memory: everything per record is freed at the end of the record; the
 *   parsed file belongs to the entry point.
 */
#include "import_intl.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "csv.h"
#include "intl.h"
#include "store_intl.h"
#include "text.h"
#include "util.h"

#define NL_RECORD_URL "https://algoritmes.overheid.nl/nl/algoritme/"

/* ==== Context ==== */

struct seen {
	char *id;
	int num;
};

struct ictx {
	db_t *db;
	const struct import_opts *o;
	struct import_stats *st;
	const char *source;          /* intl_sources[].name */
	const char *const *parts;    /* part names, merge priority first */
	size_t nparts;
	const char *part;            /* the part this file feeds */
	const char *file;            /* base name */
	char now[21];
	bool csv;                    /* numbers are lines */
	int num;                     /* record number or line of the current record */
	const char *id;              /* its identifier, once known */
	char *err;                   /* the record's (or the file's) error */
	bool fatal;
	bool progress_shown;
	struct seen *seen;
	size_t nseen, capseen;
	/* the current record */
	json_t *fields, *raw;
	char *source_id;
	char **tmp;                  /* quoted values of its messages (heap) */
	size_t ntmp, captmp;
};

/* "enregistrement N (id X) : " or "ligne N (id X) : " + message (heap). */
static char *located(const struct ictx *c, const char *fmt, va_list ap)
{
	buf_t b = BUF_INIT;
	char head[64];
	snprintf(head, sizeof head, "%s %d", c->csv ? "ligne" : "enregistrement", c->num);
	buf_puts(&b, head);
	if (c->id && *c->id) { /* validated by set_id(): one line, valid UTF-8, 200 characters at most */
		buf_puts(&b, " (id ");
		buf_puts(&b, c->id);
		buf_puts(&b, ")");
	}
	buf_puts(&b, " : ");
	{
		char *m = xvasprintf(fmt, ap);
		buf_puts(&b, m);
		free(m);
	}
	buf_cstr(&b);
	return buf_detach(&b);
}

static int fail(struct ictx *c, const char *fmt, ...) IAT_PRINTF(2, 3);
static int fail(struct ictx *c, const char *fmt, ...)
{
	if (c->err) return -1;
	va_list ap;
	va_start(ap, fmt);
	c->err = located(c, fmt, ap);
	va_end(ap);
	return -1;
}

static void warn(struct ictx *c, const char *fmt, ...) IAT_PRINTF(2, 3);
static void warn(struct ictx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = located(c, fmt, ap);
	va_end(ap);
	c->st->warnings++;
	if (c->o->warn) c->o->warn(c->o->warn_ctx, msg);
	else fprintf(stderr, "%siat: avertissement : %s\n", c->progress_shown ? "\r\033[K" : "", msg);
	free(msg);
}

/* ==== Values ==== */

static char *clean(const char *s, bool one_line);

/* A value as quoted in a message: one line, at most max characters (cut
 * on a character, never inside one, with "…"), "(texte illisible)" if it
 * is not valid UTF-8. Valid until the end of the record. */
static const char *quoted(struct ictx *c, const char *s, size_t max)
{
	char *v;
	if (!s) v = xstrdup("");
	else if (!text_utf8_valid(s, strlen(s))) v = xstrdup("(texte illisible)");
	else {
		v = clean(s, true);
		size_t chars = 0, i = 0;
		for (; v[i]; i++) {
			if (((unsigned char)v[i] & 0xC0) == 0x80) continue;
			if (chars++ == max) break;
		}
		if (v[i]) {
			v[i] = 0;
			char *cut = xasprintf("%s…", v);
			free(v);
			v = cut;
		}
	}
	if (c->ntmp == c->captmp) {
		c->captmp = c->captmp ? 2 * c->captmp : 8;
		c->tmp = xrealloc(c->tmp, c->captmp * sizeof *c->tmp);
	}
	c->tmp[c->ntmp++] = v;
	return v;
}

static bool is_ws(const char *s, size_t *n)
{
	unsigned char ch = (unsigned char)s[0];
	if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f') {
		*n = 1;
		return true;
	}
	if (ch == 0xC2 && (unsigned char)s[1] == 0xA0) {
		*n = 2;
		return true;
	}
	return false;
}

/* Trimmed copy; one_line: white space runs become one space; else CRLF
 * and CR become LF and runs of more than two line ends are kept as two. */
static char *clean(const char *s, bool one_line)
{
	size_t len = strlen(s);
	char *out = xmalloc(len + 1);
	size_t o = 0;
	size_t n;
	bool space = false;
	int newlines = 0;
	for (size_t i = 0; i < len;) {
		if (is_ws(s + i, &n)) {
			if (!one_line && (s[i] == '\n' || s[i] == '\r')) {
				if (s[i] == '\r' && s[i + 1] == '\n') i++;
				newlines++;
			}
			space = true;
			i += n;
			continue;
		}
		if (space && o) {
			if (newlines && !one_line) {
				out[o++] = '\n';
				if (newlines > 1) out[o++] = '\n';
			} else {
				out[o++] = ' ';
			}
		}
		space = false;
		newlines = 0;
		out[o++] = s[i++];
	}
	out[o] = 0;
	return out;
}

/* Copy of valid UTF-8 s without its control characters (C0 but \n \r
 * \t, DEL, C1). */
static char *strip_controls(const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t') || ch == 0x7F) continue;
		if (ch == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] < 0xA0) {
			i++; /* C1 */
			continue;
		}
		out[o++] = s[i];
	}
	out[o] = 0;
	return out;
}

/* Set field key to the cleaned text s (NULL or blank: nothing). Rejects
 * bad UTF-8 and texts over the field's limit; drops control characters
 * with a warning. */
static int set_text(struct ictx *c, const char *key, const char *s)
{
	if (!s) return 0;
	const struct intl_field *f = intl_field_find(key);
	size_t len = strlen(s);
	if (!text_utf8_valid(s, len)) return fail(c, "champ « %s » : texte qui n'est pas de l'UTF-8 valide", key);
	char *stripped = NULL;
	if (text_has_control(s, len)) {
		/* an invisible stray character (the EU data set has a U+0002):
		 * dropped, the raw record keeps it */
		stripped = strip_controls(s);
		s = stripped;
		warn(c, "champ « %s » : caractère de contrôle retiré du texte", key);
	}
	bool one_line = !f || f->max <= 2000;
	char *v = clean(s, one_line);
	free(stripped);
	if (!*v) {
		free(v);
		return 0;
	}
	size_t chars = text_utf8_len(v, strlen(v));
	if (f && chars > f->max) {
		free(v);
		return fail(c, "champ « %s » trop long (%zu caractères, %zu au plus)", key, chars, f->max);
	}
	json_object_set_new(c->fields, key, json_string(v));
	free(v);
	return 0;
}

/* A URL field: the first http(s) URL of s. strict: a value without one is
 * an error (else a warning, the value staying in the raw record). */
static int set_url(struct ictx *c, const char *key, const char *what, const char *s, bool strict)
{
	if (!s || intl_is_placeholder(s)) {
		if (strict) return fail(c, "%s manquante", what);
		return 0;
	}
	if (!text_utf8_valid(s, strlen(s))) return fail(c, "champ « %s » : texte qui n'est pas de l'UTF-8 valide", key);
	char *u = intl_first_url(s);
	if (!u) {
		if (strict) return fail(c, "%s invalide « %s » : une adresse http(s) est attendue", what, quoted(c, s, 80));
		warn(c, "%s « %s » n'est pas une adresse http(s) : gardée dans l'enregistrement d'origine seulement", what,
		     quoted(c, s, 80));
		return 0;
	}
	if (strlen(u) > 2000) {
		free(u);
		return fail(c, "%s trop longue (2000 caractères au plus)", what);
	}
	json_object_set_new(c->fields, key, json_string(u));
	free(u);
	return 0;
}

/* A date field. strict: malformed is an error, else a warning. */
static int set_date(struct ictx *c, const char *key, const char *what, const char *s, bool strict)
{
	if (!s || intl_is_placeholder(s)) return 0;
	char d[11];
	if (intl_date(s, d) < 0) {
		if (strict) return fail(c, "%s invalide « %s » (date attendue : AAAA-MM-JJ)", what, quoted(c, s, 60));
		warn(c, "%s « %s » n'est pas une date : gardée dans l'enregistrement d'origine seulement", what,
		     quoted(c, s, 60));
		return 0;
	}
	json_object_set_new(c->fields, key, json_string(d));
	return 0;
}

/* A year (4 digits) field, with a warning for anything else. */
static int set_year(struct ictx *c, const char *key, const char *what, const char *s)
{
	if (!s || intl_is_placeholder(s)) return 0;
	char *v = clean(s, true);
	bool ok = strlen(v) == 4;
	for (int i = 0; ok && i < 4; i++)
		if (v[i] < '0' || v[i] > '9') ok = false;
	if (ok && (atoi(v) < 1950 || atoi(v) > 2100)) ok = false;
	if (ok) json_object_set_new(c->fields, key, json_string(v));
	else warn(c, "%s « %s » n'est pas une année : gardée dans l'enregistrement d'origine seulement", what,
	          quoted(c, v, 40));
	free(v);
	return 0;
}

static void set_code(struct ictx *c, const char *key, const char *code)
{
	json_object_set_new(c->fields, key, json_string(code));
}

/* The value of key in a JSON record as text: strings as they are,
 * integers in decimal, anything else NULL. Heap. */
static char *jtext(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (json_is_string(v)) return xstrndup(json_string_value(v), json_string_length(v));
	if (json_is_integer(v)) return xasprintf("%lld", (long long)json_integer_value(v));
	return NULL;
}

/* Map the JSON key jkey to text field key. */
static int map_text(struct ictx *c, const json_t *obj, const char *jkey, const char *key)
{
	char *v = jtext(obj, jkey);
	int rc = set_text(c, key, v);
	free(v);
	return rc;
}

/* The identifier: trimmed, 1..200 characters, no white space inside. */
static int set_id(struct ictx *c, const char *s)
{
	if (!s) return fail(c, "identifiant manquant");
	char *v = clean(s, true);
	if (!*v) {
		free(v);
		return fail(c, "identifiant manquant");
	}
	if (strlen(v) > 200 || strchr(v, ' ') || !text_utf8_valid(v, strlen(v)) || text_has_control(v, strlen(v))) {
		fail(c, "identifiant invalide « %s »", quoted(c, v, 60));
		free(v);
		return -1;
	}
	free(c->source_id);
	c->source_id = v;
	c->id = v;
	return 0;
}

/* ==== One record: compare, merge, save ==== */

static char *hash_hex(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	uint64_t h = hash64(s, strlen(s));
	free(s);
	return xasprintf("%016llx", (unsigned long long)h);
}

static const char *fstr(const json_t *fields, const char *key)
{
	return json_string_value(json_object_get(fields, key));
}

static int remember(struct ictx *c)
{
	for (size_t i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i].id, c->source_id) == 0)
			return fail(c, "identifiant en double : déjà à %s %d", c->csv ? "la ligne" : "l'enregistrement",
			            c->seen[i].num);
	if (c->nseen == c->capseen) {
		c->capseen = c->capseen ? 2 * c->capseen : 256;
		c->seen = xrealloc(c->seen, c->capseen * sizeof *c->seen);
	}
	c->seen[c->nseen].id = xstrdup(c->source_id);
	c->seen[c->nseen].num = c->num;
	c->nseen++;
	return 0;
}

/* Save the record built in c->fields / c->raw. */
static int save_record(struct ictx *c)
{
	if (!c->source_id) return fail(c, "identifiant manquant");
	if (!fstr(c->fields, "title")) return fail(c, "titre manquant");
	if (remember(c) < 0) return -1;

	struct intl_ref old = { 0 };
	int rc = store_intl_find(c->db, c->source, c->source_id, &old);
	if (rc < 0) {
		c->fatal = true;
		return fail(c, "erreur de base de données (lecture de la référence existante)");
	}
	bool have_old = rc == 1;
	int ret = -1;
	json_t *content = json_pack("{s:O,s:O}", "fields", c->fields, "raw", c->raw);
	char *hash = hash_hex(content);
	json_t *doc = NULL;
	char *body = NULL, *chash = NULL;

	json_t *oldparts = have_old ? json_object_get(old.doc, "parts") : NULL;
	json_t *oldpart = json_object_get(oldparts, c->part);
	const char *oldhash = fstr(oldpart, "hash");
	if (oldhash && strcmp(oldhash, hash) == 0) {
		if (!c->o->dry_run && store_intl_touch(c->db, old.id, c->now) < 0) {
			c->fatal = true;
			fail(c, "erreur de base de données (mise à jour de la date d'import)");
			goto out;
		}
		c->st->unchanged++;
		ret = 0;
		goto out;
	}

	/* the new doc: the other parts kept, this one replaced */
	doc = have_old ? json_deep_copy(old.doc) : json_object();
	json_object_set_new(doc, "source", json_string(c->source));
	json_object_set_new(doc, "source_id", json_string(c->source_id));
	json_t *parts = json_object_get(doc, "parts");
	if (!json_is_object(parts)) {
		parts = json_object();
		json_object_set_new(doc, "parts", parts);
	}
	const char *first = fstr(oldpart, "first_imported_at");
	json_object_set_new(parts, c->part,
	                    json_pack("{s:s,s:s,s:s,s:s,s:O,s:O}", "file", c->file, "hash", hash, "first_imported_at",
	                              first ? first : c->now, "changed_at", c->now, "fields", c->fields, "raw",
	                              c->raw));
	/* merged fields, parts in priority order */
	json_t *merged = json_object();
	for (size_t p = 0; p < c->nparts; p++) {
		json_t *pf = json_object_get(json_object_get(parts, c->parts[p]), "fields");
		const char *k;
		json_t *v;
		json_object_foreach(pf, k, v) {
			if (!json_object_get(merged, k)) json_object_set(merged, k, v);
		}
	}
	json_object_set_new(doc, "fields", merged);

	/* full-text body: the long texts */
	buf_t b = BUF_INIT;
	for (size_t i = 0; i < intl_nfields; i++) {
		const struct intl_field *f = &intl_fields[i];
		if (f->kind != INTL_TEXT || !strcmp(f->key, "title") || !strcmp(f->key, "organisation")) continue;
		const char *v = fstr(merged, f->key);
		if (!v) continue;
		if (b.len) buf_puts(&b, "\n");
		buf_puts(&b, v);
	}
	body = buf_detach(&b);
	if (!body) body = xstrdup("");

	json_t *hashed = json_pack("{s:O}", "fields", merged);
	chash = hash_hex(hashed);
	json_decref(hashed);

	struct intl_ref x = { 0 };
	x.id = have_old ? old.id : 0;
	x.source = (char *)c->source;
	x.source_id = c->source_id;
	x.country = (char *)fstr(merged, "country");
	x.lang = (char *)fstr(merged, "lang");
	x.title = (char *)fstr(merged, "title");
	x.organisation = (char *)fstr(merged, "organisation");
	x.description = (char *)fstr(merged, "description");
	x.status = (char *)fstr(merged, "status");
	if (!x.status) x.status = "unknown";
	x.status_text = (char *)fstr(merged, "status_text");
	x.sector = (char *)fstr(merged, "sector");
	x.legal_basis = (char *)fstr(merged, "legal_basis");
	x.impact_assessment = (char *)fstr(merged, "impact_assessment");
	x.source_url = (char *)fstr(merged, "source_url");
	x.website = (char *)fstr(merged, "website");
	x.source_date = (char *)fstr(merged, "registered_at");
	if (!x.source_date) x.source_date = (char *)fstr(merged, "published_at");
	if (!x.source_date) x.source_date = (char *)fstr(merged, "start_year");
	x.source_updated = (char *)fstr(merged, "updated_at");
	x.file = (char *)c->file;
	x.first_imported_at = have_old ? old.first_imported_at : c->now;
	x.last_imported_at = c->now;
	x.last_changed_at = c->now;
	x.content_hash = chash;
	x.doc = doc;
	if (!x.country || !x.lang) {
		fail(c, "pays ou langue inconnus");
		goto out;
	}
	if (store_intl_save(c->db, &x, body, NULL) < 0) {
		c->fatal = true;
		fail(c, "erreur de base de données à l'enregistrement de la référence : %s",
		     sqlite3_errmsg(db_sqlite(c->db)));
		goto out;
	}
	if (have_old) c->st->updated++;
	else c->st->created++;
	ret = 0;
out:
	json_decref(content);
	json_decref(doc);
	free(hash);
	free(body);
	free(chash);
	if (have_old) store_intl_free(&old);
	return ret;
}

/* ==== The mappers ==== */

typedef int (*map_fn)(struct ictx *c, void *data, size_t i);

/* Dutch register, daily scrape: {"algoritmes": [{id, title, organisatie,
 * status, doel, juridische_basis, impactassessment, geregistreerd,
 * toegevoegd, url}]} */
static int map_nl_scrape(struct ictx *c, void *data, size_t i)
{
	const json_t *r = json_array_get((const json_t *)data, i);
	if (!json_is_object(r)) return fail(c, "pas un objet JSON");
	c->raw = json_incref((json_t *)r);
	char *id = jtext(r, "id");
	int rc = set_id(c, id);
	free(id);
	if (rc < 0) return -1;
	set_code(c, "country", "NL");
	set_code(c, "lang", "nl");
	if (map_text(c, r, "title", "title") < 0 || map_text(c, r, "organisatie", "organisation") < 0 ||
	    map_text(c, r, "doel", "description") < 0 || map_text(c, r, "juridische_basis", "legal_basis") < 0 ||
	    map_text(c, r, "impactassessment", "impact_assessment") < 0 || map_text(c, r, "status", "status_text") < 0)
		return -1;
	char *status = jtext(r, "status");
	set_code(c, "status", intl_status_code(status));
	free(status);
	char *url = jtext(r, "url");
	rc = set_url(c, "source_url", "adresse de la fiche (url)", url, true);
	free(url);
	if (rc < 0) return -1;
	char *reg = jtext(r, "geregistreerd");
	rc = set_date(c, "registered_at", "date d'enregistrement (geregistreerd)", reg, true);
	free(reg);
	return rc;
}

/* Dutch register, full-field export (pub_data.json): [{name, organization,
 * department, ..., lars, ...}] (46 keys). */
static int map_nl_full(struct ictx *c, void *data, size_t i)
{
	const json_t *r = json_array_get((const json_t *)data, i);
	if (!json_is_object(r)) return fail(c, "pas un objet JSON");
	c->raw = json_incref((json_t *)r);
	char *id = jtext(r, "lars");
	int rc = set_id(c, id);
	free(id);
	if (rc < 0) return -1;
	set_code(c, "country", "NL");
	char *lang = jtext(r, "lang");
	if (lang && !intl_is_placeholder(lang) && strcasecmp(lang, "Nederlands") != 0 && strcasecmp(lang, "NLD") != 0 &&
	    strcasecmp(lang, "nl") != 0)
		warn(c, "langue « %s » inattendue : textes tenus pour du néerlandais", quoted(c, lang, 40));
	free(lang);
	set_code(c, "lang", "nl");
	static const char *const texts[][2] = {
		{ "name", "title" },
		{ "organization", "organisation" },
		{ "department", "department" },
		{ "competent_authority", "competent_authority" },
		{ "goal", "purpose" },
		{ "status", "status_text" },
		{ "category", "sector" },
		{ "type", "algorithm_type" },
		{ "impact", "impact" },
		{ "proportionality", "proportionality" },
		{ "decision_making_process", "decision_making" },
		{ "lawful_basis", "legal_basis" },
		{ "iama", "iama" },
		{ "iama_description", "iama_description" },
		{ "dpia", "dpia" },
		{ "dpia_description", "dpia_description" },
		{ "objection_procedure", "objection_procedure" },
		{ "contact_email", "contact" },
		{ "area", "area" },
		{ "source_data", "source_data" },
		{ "methods_and_models", "methods_and_models" },
		{ "monitoring", "monitoring" },
		{ "human_intervention", "human_intervention" },
		{ "risks", "risks" },
		{ "performance_standard", "performance_standard" },
		{ "provider", "provider" },
		{ "tags", "tags" },
	};
	for (size_t k = 0; k < ARRAY_LEN(texts); k++)
		if (map_text(c, r, texts[k][0], texts[k][1]) < 0) return -1;
	/* description: the long one, else the short one */
	if (map_text(c, r, "description", "description") < 0) return -1;
	if (!json_object_get(c->fields, "description") && map_text(c, r, "description_short", "description") < 0)
		return -1;
	char *status = jtext(r, "status");
	set_code(c, "status", intl_status_code(status));
	free(status);
	static const char *const urls[][3] = {
		{ "website", "website", "site (website)" },
		{ "documentation", "documentation", "documentation" },
	};
	for (size_t k = 0; k < ARRAY_LEN(urls); k++) {
		char *v = jtext(r, urls[k][0]);
		rc = set_url(c, urls[k][1], urls[k][2], v, false);
		free(v);
		if (rc < 0) return -1;
	}
	char *rev = jtext(r, "revision_date");
	rc = set_date(c, "updated_at", "date de révision (revision_date)", rev, false);
	free(rev);
	if (rc < 0) return -1;
	char *url = xasprintf(NL_RECORD_URL "%s", c->source_id);
	json_object_set_new(c->fields, "source_url", json_string(url));
	free(url);
	return 0;
}

/* UK ATRS index: {"meta": {...}, "records": [{publishing_body, tool_name,
 * title, url, published, description, listed_organisations}]} */
static int map_uk(struct ictx *c, void *data, size_t i)
{
	const json_t *r = json_array_get((const json_t *)data, i);
	if (!json_is_object(r)) return fail(c, "pas un objet JSON");
	c->raw = json_incref((json_t *)r);
	char *url = jtext(r, "url");
	char *u = url ? intl_first_url(url) : NULL;
	char *slug = u ? intl_url_slug(u) : NULL;
	int rc = 0;
	if (!url || intl_is_placeholder(url)) rc = fail(c, "adresse de la fiche (url) manquante : l'identifiant en vient");
	else if (!u || !slug) rc = fail(c, "adresse de la fiche (url) invalide « %s »", quoted(c, url, 80));
	else rc = set_id(c, slug);
	if (rc == 0) json_object_set_new(c->fields, "source_url", json_string(u));
	free(url);
	free(u);
	free(slug);
	if (rc < 0) return -1;
	set_code(c, "country", "GB");
	set_code(c, "lang", "en");
	set_code(c, "status", "unknown");
	/* the tool's name; the index's title is "Body: tool name" */
	if (map_text(c, r, "tool_name", "title") < 0) return -1;
	if (!json_object_get(c->fields, "title") && map_text(c, r, "title", "title") < 0) return -1;
	if (map_text(c, r, "publishing_body", "organisation") < 0 || map_text(c, r, "description", "description") < 0)
		return -1;
	char *pub = jtext(r, "published");
	rc = set_date(c, "published_at", "date de publication (published)", pub, true);
	free(pub);
	return rc;
}

/* EU Public Sector Tech Watch CSV: one row per case, 56 columns. */
struct eu_data {
	size_t ncols;
	char **header;               /* trimmed */
	struct eu_row {
		int line;
		char **vals;
	} *rows;
	size_t nrows, caprows;
	int col[64];                 /* file column of each eu_columns[] entry, or -1 */
};

enum {
	EU_ID, EU_NAME, EU_WEBSITE, EU_DESC, EU_EXTENT, EU_COUNTRY, EU_NUTS, EU_ORG, EU_ORGCAT, EU_COFOG1, EU_COFOG2,
	EU_STATUS, EU_START, EU_END, EU_PROCESS, EU_APPTYPE, EU_XBORDER, EU_XSECTOR, EU_TECH1, EU_TECH2, EU_INTERACTION,
	EU_SOURCE, EU_AI1, EU_AI2, EU_AI3, EU_AI4, EU_AI5, EU_KEYWORDS, EU_COLLAB, EU_PROCUREMENT, EU_FUNDING,
	EU_GOVTECH, EU_COMPANY, EU_GOVTECH_INIT, EU_UPDATED, EU_NCOLS
};
static const char *const eu_columns[EU_NCOLS] = {
	"PSTW ID", "Name", "Website", "Description", "Geographical extent", "Geographical coverage (country)",
	"NUTS 2021", "Responsible organisation", "Responsible organisation category",
	"Functions of Government (COFOG level I)", "Functions of Government (COFOG level II)", "Status",
	"Start Year", "End Year", "Process type", "Application type", "Cross Border", "Cross Sector",
	"Primary Technology", "Secondary Technology", "Interaction", "Source", "AI Classification (I)",
	"AI Classification Subdomain (II) (main)", "AI Classification Subdomain (II) (Other I)",
	"AI Classification Subdomain (II) (Other II)", "AI Classification Subdomain (II) (Other III)",
	"AI Keywords", "Collaboration type", "Procurement (EU Model Contractual AI)", "Funding source", "GovTech",
	"Company name or GovTech ID", "GovTech Initiative + ID", "Date updated",
};
/* The 18 tick-box columns of expected benefits ("x"): their names, joined,
 * make the benefits field. */
static const char *const eu_benefits[] = {
	"Improved Public Service",
	"Personalized Services",
	"Public (citizen)-centered services",
	"Increase quality of PSI and services",
	"More responsive, efficient, and cost-effective public services",
	"New services or channels",
	"Improved Administrative Efficiency",
	"Cost-reduction",
	"Responsiveness of government operation",
	"Improved management of public resources",
	"Increased quality of processes and systems",
	"Better collaboration and better communication",
	"Reduced or eliminated the risk of corruption and abuse of the law by public servants",
	"Enabled greater fairness, honesty, equality",
	"Open government capabilities",
	"Increased transparency of public sector operations",
	"Increased public participation in government actions and policy making",
	"Improved public control and influence on government actions and policies",
};

static int eu_col(const struct eu_data *d, const char *name)
{
	for (size_t i = 0; i < d->ncols; i++)
		if (strcasecmp(d->header[i], name) == 0) return (int)i;
	return -1;
}

static const char *eu_cell(const struct eu_data *d, const struct eu_row *row, int which)
{
	int i = d->col[which];
	return i >= 0 ? row->vals[i] : NULL;
}

/* Join the non-blank cells of columns cols (", "). Heap or NULL. */
static char *eu_join(const struct eu_data *d, const struct eu_row *row, const int *cols, size_t n)
{
	buf_t b = BUF_INIT;
	for (size_t k = 0; k < n; k++) {
		const char *v = eu_cell(d, row, cols[k]);
		if (!v || intl_is_placeholder(v)) continue;
		char *cv = clean(v, true);
		if (b.len) buf_puts(&b, ", ");
		buf_puts(&b, cv);
		free(cv);
	}
	return buf_detach(&b);
}

static int map_eu(struct ictx *c, void *data, size_t i)
{
	const struct eu_data *d = data;
	const struct eu_row *row = &d->rows[i];
	json_t *raw = json_object();
	for (size_t k = 0; k < d->ncols; k++)
		if (!intl_is_placeholder(row->vals[k])) json_object_set_new(raw, d->header[k], json_string(row->vals[k]));
	c->raw = raw;
	if (set_id(c, eu_cell(d, row, EU_ID)) < 0) return -1;
	set_code(c, "lang", "en");
	const char *country = eu_cell(d, row, EU_COUNTRY);
	const char *code = intl_country_code(country);
	if (!code) {
		if (!country || intl_is_placeholder(country)) return fail(c, "colonne « Geographical coverage (country) » : pays manquant");
		return fail(c, "colonne « Geographical coverage (country) » : pays inconnu « %s »", quoted(c, country, 60));
	}
	set_code(c, "country", code);
	static const struct {
		int col;
		const char *key;
	} map[] = {
		{ EU_NAME, "title" },           { EU_DESC, "description" },       { EU_EXTENT, "geographic_extent" },
		{ EU_NUTS, "area" },            { EU_ORG, "organisation" },       { EU_ORGCAT, "organisation_category" },
		{ EU_COFOG1, "sector" },        { EU_COFOG2, "sector_detail" },   { EU_STATUS, "status_text" },
		{ EU_PROCESS, "process_type" }, { EU_APPTYPE, "application_type" }, { EU_XBORDER, "cross_border" },
		{ EU_XSECTOR, "cross_sector" }, { EU_INTERACTION, "interaction" }, { EU_SOURCE, "references" },
		{ EU_KEYWORDS, "ai_keywords" }, { EU_COLLAB, "collaboration" },   { EU_PROCUREMENT, "procurement" },
		{ EU_FUNDING, "funding" },
	};
	for (size_t k = 0; k < ARRAY_LEN(map); k++)
		if (set_text(c, map[k].key, eu_cell(d, row, map[k].col)) < 0) return -1;
	set_code(c, "status", intl_status_code(eu_cell(d, row, EU_STATUS)));
	static const int tech[] = { EU_TECH1, EU_TECH2 };
	static const int ai[] = { EU_AI1, EU_AI2, EU_AI3, EU_AI4, EU_AI5 };
	static const int gov[] = { EU_GOVTECH, EU_COMPANY, EU_GOVTECH_INIT };
	static const struct {
		const int *cols;
		size_t n;
		const char *key;
	} joins[] = {
		{ tech, ARRAY_LEN(tech), "technology" },
		{ ai, ARRAY_LEN(ai), "ai_classification" },
		{ gov, ARRAY_LEN(gov), "govtech" },
	};
	for (size_t k = 0; k < ARRAY_LEN(joins); k++) {
		char *v = eu_join(d, row, joins[k].cols, joins[k].n);
		int rc = set_text(c, joins[k].key, v);
		free(v);
		if (rc < 0) return -1;
	}
	buf_t b = BUF_INIT;
	for (size_t k = 0; k < ARRAY_LEN(eu_benefits); k++) {
		int col = eu_col(d, eu_benefits[k]);
		if (col < 0 || intl_is_placeholder(row->vals[col])) continue;
		if (b.len) buf_puts(&b, " ; ");
		buf_puts(&b, eu_benefits[k]);
	}
	char *benefits = buf_detach(&b);
	int rc = set_text(c, "benefits", benefits);
	free(benefits);
	if (rc < 0) return -1;
	if (set_url(c, "website", "site (Website)", eu_cell(d, row, EU_WEBSITE), false) < 0) return -1;
	set_year(c, "start_year", "année de début (Start Year)", eu_cell(d, row, EU_START));
	set_year(c, "end_year", "année de fin (End Year)", eu_cell(d, row, EU_END));
	return set_date(c, "updated_at", "date de mise à jour (Date updated)", eu_cell(d, row, EU_UPDATED), true);
}

/* ==== The run: one transaction, a savepoint per record ==== */

static void record_reset(struct ictx *c)
{
	for (size_t i = 0; i < c->ntmp; i++) free(c->tmp[i]);
	c->ntmp = 0;
	json_decref(c->fields);
	json_decref(c->raw);
	free(c->source_id);
	c->fields = NULL;
	c->raw = NULL;
	c->source_id = NULL;
	c->id = NULL;
}

static int run(struct ictx *c, map_fn map, void *data, size_t n, const int *lines)
{
	if (db_begin(c->db) < 0) {
		c->err = xasprintf("erreur de base de données : %s", sqlite3_errmsg(db_sqlite(c->db)));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		c->num = lines ? lines[i] : (int)i + 1;
		c->st->rows++;
		if (import_row_begin(c->db, &c->err) < 0) goto fail;
		c->fields = json_object();
		int rc = map(c, data, i);
		if (rc == 0) rc = save_record(c);
		char *reason = NULL;
		if (rc < 0) {
			if (c->fatal) {
				record_reset(c);
				goto fail;
			}
			reason = c->err ? c->err : xstrdup("enregistrement refusé");
			c->err = NULL;
		}
		record_reset(c);
		if (import_row_end(c->db, c->st, c->num, reason, &c->err) < 0) goto fail;
		if (c->o->progress) {
			fprintf(stderr, "\rimport : %zu/%zu", i + 1, n);
			c->progress_shown = true;
		}
	}
	c->num = 0;
	if (import_finish(c->db, c->o, c->st, &c->err) < 0) goto fail;
	return 0;
fail:
	db_rollback(c->db);
	return -1;
}

/* ==== Entry points ==== */

static const char *const nl_parts[] = { "scrape", "full" };
static const char *const main_part[] = { "main" };

static void ctx_init(struct ictx *c, db_t *db, const char *path, const struct import_opts *o,
                     struct import_stats *st, const char *source)
{
	memset(c, 0, sizeof *c);
	c->db = db;
	c->o = o;
	c->st = st;
	c->source = source;
	const char *slash = strrchr(path, '/');
	c->file = slash ? slash + 1 : path;
	iso8601_utc(now_unix(), c->now);
	c->parts = main_part;
	c->nparts = 1;
	c->part = "main";
}

static int ctx_end(struct ictx *c, int ret, char **err, uint64_t t0)
{
	if (c->progress_shown) fputc('\n', stderr);
	for (size_t i = 0; i < c->nseen; i++) free(c->seen[i].id);
	free(c->seen);
	record_reset(c);
	free(c->tmp);
	if (ret < 0) *err = c->err ? c->err : xstrdup("import impossible");
	else free(c->err);
	c->st->seconds = (double)(mono_ns() - t0) / 1e9;
	return ret;
}

/* Read and parse a JSON file; NULL with c->err set on failure. */
static json_t *load_json(struct ictx *c, const char *path)
{
	size_t len;
	char *data = read_file(path, &len);
	if (!data) {
		c->err = xasprintf("%s : lecture impossible (%s)", path, strerror(errno));
		return NULL;
	}
	json_error_t je;
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	free(data);
	if (!root) c->err = xasprintf("JSON invalide, ligne %d, colonne %d : %s", je.line, je.column, je.text);
	return root;
}

static void opts_default(const struct import_opts **o, struct import_stats **st, struct import_stats *local)
{
	static const struct import_opts defaults = { 0 };
	if (!*o) *o = &defaults;
	if (!*st) *st = local;
	memset(*st, 0, sizeof **st);
}

int import_nl_algoritmeregister(db_t *db, const char *path, const struct import_opts *o, struct import_stats *st,
                                char **err)
{
	struct import_stats local;
	opts_default(&o, &st, &local);
	*err = NULL;
	uint64_t t0 = mono_ns();
	struct ictx c;
	ctx_init(&c, db, path, o, st, "nl-algoritmeregister");
	c.parts = nl_parts;
	c.nparts = ARRAY_LEN(nl_parts);
	int ret = -1;
	json_t *root = load_json(&c, path);
	if (!root) return ctx_end(&c, -1, err, t0);
	json_t *list = NULL;
	map_fn map = NULL;
	if (json_is_object(root) && json_is_array(json_object_get(root, "algoritmes"))) {
		list = json_object_get(root, "algoritmes");
		map = map_nl_scrape;
		c.part = "scrape";
	} else if (json_is_array(root) &&
	           (json_array_size(root) == 0 || json_object_get(json_array_get(root, 0), "lars"))) {
		list = root;
		map = map_nl_full;
		c.part = "full";
	} else {
		c.err = xstrdup("forme de fichier inconnue : un objet {\"algoritmes\": [...]} (relevé quotidien, "
		                "algoritmes.json) ou une liste d'objets avec « lars » (export complet, pub_data.json) "
		                "est attendu");
		goto out;
	}
	ret = run(&c, map, list, json_array_size(list), NULL);
out:
	json_decref(root);
	return ctx_end(&c, ret, err, t0);
}

int import_uk_atrs(db_t *db, const char *path, const struct import_opts *o, struct import_stats *st, char **err)
{
	struct import_stats local;
	opts_default(&o, &st, &local);
	*err = NULL;
	uint64_t t0 = mono_ns();
	struct ictx c;
	ctx_init(&c, db, path, o, st, "uk-atrs");
	int ret = -1;
	json_t *root = load_json(&c, path);
	if (!root) return ctx_end(&c, -1, err, t0);
	json_t *list = json_object_get(root, "records");
	if (!json_is_object(root) || !json_is_array(list)) {
		c.err = xstrdup("forme de fichier inconnue : un objet {\"meta\": {...}, \"records\": [...]} (index ATRS) "
		                "est attendu");
		goto out;
	}
	ret = run(&c, map_uk, list, json_array_size(list), NULL);
out:
	json_decref(root);
	return ctx_end(&c, ret, err, t0);
}

static void eu_free(struct eu_data *d)
{
	for (size_t i = 0; i < d->ncols; i++) free(d->header[i]);
	free(d->header);
	for (size_t r = 0; r < d->nrows; r++) {
		for (size_t i = 0; i < d->ncols; i++) free(d->rows[r].vals[i]);
		free(d->rows[r].vals);
	}
	free(d->rows);
}

static int eu_read(struct ictx *c, struct eu_data *d, const char *data, size_t len)
{
	csv_reader *r = csv_open(data, len, 0);
	char **f;
	size_t n;
	int ret = -1;
	int rc = csv_next(r, &f, &n);
	if (rc <= 0) {
		if (rc == 0) c->err = xstrdup("ligne 1 : fichier vide (une ligne d'en-tête est attendue)");
		goto syntax;
	}
	d->ncols = n;
	d->header = xcalloc(n, sizeof *d->header);
	for (size_t i = 0; i < n; i++) d->header[i] = clean(f[i], true);
	for (int k = 0; k < EU_NCOLS; k++) d->col[k] = eu_col(d, eu_columns[k]);
	if (d->col[EU_ID] < 0 || d->col[EU_NAME] < 0 || d->col[EU_COUNTRY] < 0) {
		c->err = xstrdup("ligne 1 : colonnes obligatoires « PSTW ID », « Name » et « Geographical coverage "
		                 "(country) » attendues dans l'en-tête (export Public Sector Tech Watch)");
		goto out;
	}
	while ((rc = csv_next(r, &f, &n)) == 1) {
		int line = csv_record_line(r);
		bool all_blank = true;
		for (size_t i = 0; i < n; i++)
			if (!intl_is_placeholder(f[i])) all_blank = false;
		if (all_blank) continue;
		if (n != d->ncols) {
			c->err = xasprintf("ligne %d : %zu champs au lieu de %zu (un par colonne de l'en-tête)", line, n,
			                   d->ncols);
			goto out;
		}
		if (d->nrows == d->caprows) {
			d->caprows = d->caprows ? 2 * d->caprows : 256;
			d->rows = xrealloc(d->rows, d->caprows * sizeof *d->rows);
		}
		struct eu_row *row = &d->rows[d->nrows++];
		row->line = line;
		row->vals = xmalloc(n * sizeof *row->vals);
		for (size_t i = 0; i < n; i++) row->vals[i] = xstrdup(f[i]);
	}
	if (rc == 0) {
		ret = 0;
		goto out;
	}
syntax:
	if (!c->err) {
		const struct csv_error *e = csv_error(r);
		c->err = xasprintf("ligne %d, colonne %d : %s (caractère %d de la ligne)", e->line, e->field,
		                   e->message ? e->message : "erreur de syntaxe CSV", e->column);
	}
out:
	csv_close(r);
	return ret;
}

int import_eu_pstw(db_t *db, const char *path, const struct import_opts *o, struct import_stats *st, char **err)
{
	struct import_stats local;
	opts_default(&o, &st, &local);
	*err = NULL;
	uint64_t t0 = mono_ns();
	struct ictx c;
	ctx_init(&c, db, path, o, st, "eu-pstw");
	c.csv = true;
	struct eu_data d = { 0 };
	int ret = -1;
	size_t len;
	char *data = read_file(path, &len);
	if (!data) {
		c.err = xasprintf("%s : lecture impossible (%s)", path, strerror(errno));
		return ctx_end(&c, -1, err, t0);
	}
	if (eu_read(&c, &d, data, len) == 0) {
		int *lines = xmalloc((d.nrows ? d.nrows : 1) * sizeof *lines);
		for (size_t i = 0; i < d.nrows; i++) lines[i] = d.rows[i].line;
		ret = run(&c, map_eu, &d, d.nrows, lines);
		free(lines);
	}
	eu_free(&d);
	free(data);
	return ctx_end(&c, ret, err, t0);
}
