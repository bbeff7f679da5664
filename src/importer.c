/*
 * importer.c — import of the Interconnectés library (see importer.h).
 *
 * Design notes
 * - Flow: read the whole file, parse every record with the strict CSV
 *   reader (so a syntax error anywhere stops the import before the
 *   database is touched), map the header, then in ONE transaction turn
 *   each record into an input object of model field names, validate it
 *   with model_validate() and save it with store_usecase_save(in_tx).
 *   Commit at the end (roll back on the first error, or always in a dry
 *   run). The official organisations must have been loaded (meta
 *   orgs_loaded_at): without them every SIREN would become an "autre" body. org_create_other() joins that transaction (it uses a savepoint
 *   when one is open), so a failed import creates no organisation either.
 * - Columns: the 38 column names of the Interconnectés table schema are
 *   the canonical names; the published export (data.csv) uses other
 *   spellings for 16 of them (Nom_collectivite, SIRET, Statut_du_projet...),
 *   listed as aliases in columns[]. Header cells are matched ASCII
 *   case-insensitively after trimming. An unknown, unnamed or repeated
 *   column is an error at line 1 naming the column's number. The model's
 *   field table says which column feeds which field (field.source); the
 *   two columns that feed no field, coll_nom and coll_type, are used to
 *   find the owner.
 * - Values, per field type:
 *     one-line text   white space (line ends included) collapsed to one
 *                     space: titles were typed with line breaks;
 *     long text       as is (model_validate trims and normalises CRLF);
 *     vocabulary      vocab_match(), then the same without / with a final
 *                     "s"; a miss is an error listing the accepted labels;
 *     lists           import_split() (',' ';' or '-' separated, see it);
 *                     for vocabulary lists the whole cell is tried first;
 *     sub-themes      free, but a spelling of a suggested sub-theme is
 *                     replaced by the suggestion ("performance énergétique"
 *                     → "Performance énergétique");
 *     partners        items that are not partners are dropped: "/", "NSP",
 *                     "aucun"...; an item that is a way of implementing
 *                     the project ("développé en régie") sets
 *                     implementation instead (unless mise_en_oeuvre says
 *                     otherwise: then a warning);
 *     dates           import_date() (MM/YYYY, DD/MM/YYYY, spreadsheet
 *                     serials with a warning);
 *     numbers         -?digits[.,digits], nothing else;
 *     URLs            http(s) only; anything else ("accès interne
 *                     uniquement") is kept in the provenance only, with a
 *                     warning.
 *   An empty cell gives null: on a re-import it clears the field, so the
 *   columns present in the file own their fields, while fields the file
 *   has no column for (edited in IA·T since) are kept.
 * - summary: the description cut at a word boundary to 350 characters
 *   (import_summary); no description → the title, with a warning.
 * - Owner, in this order (each fallback is a warning):
 *     1. the SIREN (first 9 digits of the SIRET) is valid, known, and its
 *        kind fits the declared type (coll_type through the org_kind
 *        vocabulary, so "Métropole" and "Communauté d'agglomérations" mean
 *        EPCI). Also fitting: a syndicat when the declared type is wrong
 *        but the name says "syndicat" (the library typed one "EPT"), and
 *        the two collectivités à statut particulier that are also a
 *        département — the Ville de Paris (commune 75056, SIREN 217500016,
 *        commune and département since 2019) and the Métropole de Lyon —
 *        when declared "Département" (both with a warning);
 *     2. org_find_by_name(coll_nom, kind of the declared type): régions and
 *        départements have no SIREN in the reference, a fake or mistyped
 *        SIREN, or a SIREN of another body (Ville de Metz with Metz
 *        Métropole's SIREN);
 *     3. the SIREN's organisation even though its kind does not fit;
 *     4. a valid SIREN nobody has: org_create_other() — syndicat if the
 *        name or the type says so, operateur for "Opérateur", else autre;
 *     5. an error.
 * - Identity: import key "interconnectes:<owner key>:<slug of the
 *   title>". A key met twice in one file is an error. A record found by
 *   its key is validated with its current doc as base and compared with
 *   the new doc ignoring provenance.imported_at/line/file: equal →
 *   unchanged (nothing written), else a new version (state unchanged). New
 *   records are created "published".
 * - provenance (added after validation): source, dataset, file (base
 *   name), line, imported_at, and raw = every non-empty cell as read, keyed
 *   by schema column name — so that model_render_json() hides the raw value
 *   of restricted columns (projet_contact, budget...) as it hides their
 *   fields.
 * - Memory: the file, the parsed rows and the header belong to struct imp
 *   and are freed by imp_free() on every path; per-row objects are freed at
 *   the end of import_row().
 */
#include "importer.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "csv.h"
#include "model.h"
#include "org.h"
#include "siren.h"
#include "store.h"
#include "text.h"
#include "util.h"

#define SUMMARY_MAX 350
#define KEY_SLUG_MAX 100
#define DATASET "Bibliothèque IA territoriale (Les Interconnectés)"

/* ==== Columns ==== */

static const struct column {
	const char *name;  /* schema name */
	const char *alias; /* spelling of the published export, or NULL */
} columns[] = {
	{ "coll_nom", "Nom_collectivite" },
	{ "nom_projet", "Nom_du_projet" },
	{ "coll_siret", "SIRET" },
	{ "latitude", NULL },
	{ "longitude", NULL },
	{ "coll_type", "Type_de_collectivite" },
	{ "projet_date", "Date_de_demarrage" },
	{ "projet_status", "Statut_du_projet" },
	{ "status_abandon", NULL },
	{ "partenaires", NULL },
	{ "projet_contact", NULL },
	{ "financement", NULL },
	{ "budget", NULL },
	{ "usage_description", "Description_service" },
	{ "mise_en_oeuvre", NULL },
	{ "theme", NULL },
	{ "sous_theme", NULL },
	{ "audience_service", "Audience" },
	{ "herbergement", NULL },
	{ "nom_algorithme", NULL },
	{ "algorithme_description", NULL },
	{ "algorithme_operations", NULL },
	{ "type_algorithme", NULL },
	{ "impact_environnement", NULL },
	{ "donnees_source", NULL },
	{ "donnees_acces", NULL },
	{ "risque", NULL },
	{ "risque_categorie", NULL },
	{ "proportionalite", NULL },
	{ "decision", NULL },
	{ "erreur", NULL },
	{ "explicabilite", NULL },
	{ "reversibilite", NULL },
	{ "objection", NULL },
	{ "url_infos", "URL_Service" },
	{ "url_ressources", NULL },
	{ "image_url", "URL_Logo" },
	{ "date", "Date_de_derniere_mise_a_jour" },
};
#define NCOLUMNS ((int)ARRAY_LEN(columns))

/* Schema index of a column name, or -1. */
static int column_index(const char *name)
{
	for (int i = 0; i < NCOLUMNS; i++)
		if (strcmp(columns[i].name, name) == 0) return i;
	return -1;
}

enum { COL_NOM = 0, COL_PROJET = 1, COL_SIRET = 2, COL_TYPE = 5 };

/* ==== Import state ==== */

struct row {
	int line;     /* 1-based line where the record starts */
	char **vals;  /* one heap string per file column */
};

struct seen_key {
	char *key;
	int line;
};

struct imp {
	db_t *db;
	const struct import_opts *o;
	struct import_stats *st;
	const char *file;           /* base name of the path (borrowed) */
	char now[21];
	char *data;                 /* the file */
	size_t ncols;               /* file columns */
	char **header;              /* their spelling, trimmed (heap) */
	int *schema_of;             /* schema index of each file column */
	int colidx[NCOLUMNS];       /* file column of each schema column, or -1 */
	struct row *rows;
	size_t nrows, caprows;
	struct seen_key *keys;
	size_t nkeys, capkeys;
	const struct row *row;      /* the record being imported */
	char *err;                  /* first error of the row or the file (heap) */
	bool fatal;                 /* err is a database error: stop the import */
	bool progress_shown;
};

static void imp_free(struct imp *im)
{
	free(im->data);
	for (size_t i = 0; i < im->ncols; i++) free(im->header[i]);
	free(im->header);
	free(im->schema_of);
	for (size_t r = 0; r < im->nrows; r++) {
		for (size_t i = 0; i < im->ncols; i++) free(im->rows[r].vals[i]);
		free(im->rows[r].vals);
	}
	free(im->rows);
	for (size_t k = 0; k < im->nkeys; k++) free(im->keys[k].key);
	free(im->keys);
}

/* Name of schema column c as the file spells it (schema name if absent). */
static const char *colname(const struct imp *im, int c)
{
	return im->colidx[c] >= 0 ? im->header[im->colidx[c]] : columns[c].name;
}

/* Cell of schema column c in the current record, or NULL if the file has
 * no such column. */
static const char *cell(const struct imp *im, int c)
{
	return im->colidx[c] >= 0 ? im->row->vals[im->colidx[c]] : NULL;
}

/* "ligne N[, colonne C] : " + message, as a heap string. */
static char *located(const struct imp *im, int c, const char *fmt, va_list ap)
{
	buf_t b = BUF_INIT;
	char head[160];
	int line = im->row ? im->row->line : 1;
	if (c >= 0) snprintf(head, sizeof head, "ligne %d, colonne %s : ", line, colname(im, c));
	else snprintf(head, sizeof head, "ligne %d : ", line);
	buf_puts(&b, head);
	{
		char *m = xvasprintf(fmt, ap);
		buf_puts(&b, m);
		free(m);
	}
	buf_cstr(&b);
	return buf_detach(&b);
}

/* Record the error (the first one wins) and return -1. c: schema column,
 * or -1 for the whole line. */
static int fail(struct imp *im, int c, const char *fmt, ...) IAT_PRINTF(3, 4);
static int fail(struct imp *im, int c, const char *fmt, ...)
{
	if (im->err) return -1;
	va_list ap;
	va_start(ap, fmt);
	im->err = located(im, c, fmt, ap);
	va_end(ap);
	return -1;
}

/* Record the error "ligne L[, colonne N[ (name)]] : ..." for positions
 * that are not a schema column of a record (CSV syntax, header, field
 * counts). col 0: no column. */
static int fail_at(struct imp *im, int line, size_t col, const char *name, const char *fmt, ...)
    IAT_PRINTF(5, 6);
static int fail_at(struct imp *im, int line, size_t col, const char *name, const char *fmt, ...)
{
	if (im->err) return -1;
	buf_t b = BUF_INIT;
	char head[200];
	if (col && name) snprintf(head, sizeof head, "ligne %d, colonne %zu (%s) : ", line, col, name);
	else if (col) snprintf(head, sizeof head, "ligne %d, colonne %zu : ", line, col);
	else snprintf(head, sizeof head, "ligne %d : ", line);
	buf_puts(&b, head);
	va_list ap;
	va_start(ap, fmt);
	{
		char *m = xvasprintf(fmt, ap);
		buf_puts(&b, m);
		free(m);
	}
	va_end(ap);
	buf_cstr(&b);
	im->err = buf_detach(&b);
	return -1;
}

/* A database error: recorded like fail(), but it stops the whole import
 * instead of rejecting the row. */
#define fail_db(im, ...) ((im)->fatal = true, fail((im), __VA_ARGS__))

static void warn(struct imp *im, int c, const char *fmt, ...) IAT_PRINTF(3, 4);
static void warn(struct imp *im, int c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = located(im, c, fmt, ap);
	va_end(ap);
	im->st->warnings++;
	if (im->o->warn) {
		im->o->warn(im->o->warn_ctx, msg);
	} else {
		/* over the progress line, erased first */
		fprintf(stderr, "%siat: avertissement : %s\n", im->progress_shown ? "\r\033[K" : "", msg);
	}
	free(msg);
}

/* ==== Small text helpers ==== */

static bool is_space_at(const char *s, size_t *n)
{
	unsigned char c = (unsigned char)s[0];
	if (c == ' ' || (c >= '\t' && c <= '\r')) {
		*n = 1;
		return true;
	}
	if (c == 0xC2 && (unsigned char)s[1] == 0xA0) { /* U+00A0 */
		*n = 2;
		return true;
	}
	if (c == 0xE2 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0xAF) { /* U+202F */
		*n = 3;
		return true;
	}
	return false;
}

/* Copy of s[0..len) with white space runs collapsed to one space and no
 * space at either end (heap). */
static char *collapse_n(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;
	bool space = false;
	for (size_t i = 0; i < len;) {
		size_t n;
		if (is_space_at(s + i, &n) && i + n <= len) {
			space = true;
			i += n;
			continue;
		}
		if (space && o) out[o++] = ' ';
		space = false;
		out[o++] = s[i++];
	}
	out[o] = 0;
	return out;
}

static char *collapse(const char *s)
{
	return collapse_n(s, strlen(s));
}

/* Copy of s without white space at either end (heap). */
static char *trim(const char *s)
{
	size_t n;
	while (*s && is_space_at(s, &n)) s += n;
	size_t len = strlen(s);
	for (;;) {
		if (len && (s[len - 1] == ' ' || (s[len - 1] >= '\t' && s[len - 1] <= '\r'))) len--;
		else if (len >= 2 && (unsigned char)s[len - 2] == 0xC2 && (unsigned char)s[len - 1] == 0xA0) len -= 2;
		else if (len >= 3 && (unsigned char)s[len - 3] == 0xE2 && (unsigned char)s[len - 2] == 0x80 &&
		         (unsigned char)s[len - 1] == 0xAF) len -= 3;
		else break;
	}
	return xstrndup(s, len);
}

static bool blank(const char *s)
{
	size_t n;
	while (*s && is_space_at(s, &n)) s += n;
	return *s == 0;
}

/* http(s) URL with a host and no space, quote or angle bracket (the rule
 * model_validate applies). */
/* Folded copy of s (heap). */
static char *fold(const char *s)
{
	return text_fold(s, strlen(s), NULL);
}

/* ==== Lists ==== */

/* Hyphenated names that must not be split (compared ASCII
 * case-insensitively). Place names with particles ("Île-de-France") and
 * "Saint-" names are handled by rule in keep_hyphen(); these are the
 * others met in partner lists. */
static const char *const hyphenated_names[] = {
	"Exo-Dev",
	"Paris-Saclay",
	"Aix-Marseille",
	"Auvergne-Rhône-Alpes",
	"Bourgogne-Franche-Comté",
	"Centre-Val de Loire",
	"Provence-Alpes-Côte d'Azur",
	"Provence-Alpes-Côte d’Azur",
};

static const char *const particles[] = { "de", "du", "des", "la", "le", "les", "en", "sur", "sous",
	                                 "lès", "lez", "et", "aux", "au" };

static bool word_is(const char *w, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(list[i]) == n && strncmp(w, list[i], n) == 0) return true;
	return false;
}

static bool is_sep_char(char c)
{
	return c == 0 || c == ' ' || c == ',' || c == ';' || c == '-' || c == '\n' || c == '\r' || c == '\t';
}

/* Whether the hyphen at s[i] belongs to a name rather than separating two
 * items. */
static bool keep_hyphen(const char *s, size_t i)
{
	size_t len = strlen(s);
	/* digits on both sides: "2023-2024" */
	if (i > 0 && i + 1 < len && s[i - 1] >= '0' && s[i - 1] <= '9' && s[i + 1] >= '0' && s[i + 1] <= '9')
		return true;
	/* known names */
	for (size_t k = 0; k < ARRAY_LEN(hyphenated_names); k++) {
		const char *nm = hyphenated_names[k];
		size_t nl = strlen(nm);
		for (const char *h = strchr(nm, '-'); h; h = strchr(h + 1, '-')) {
			size_t off = (size_t)(h - nm);
			if (off > i || i - off + nl > len) continue;
			size_t start = i - off;
			if (strncasecmp(s + start, nm, nl) != 0) continue;
			if ((start == 0 || is_sep_char(s[start - 1]) || s[start - 1] == '\'') && is_sep_char(s[start + nl]))
				return true;
		}
	}
	/* word after the hyphen, and before it */
	size_t a = i + 1, b = a;
	while (b < len && !is_sep_char(s[b])) b++;
	if (word_is(s + a, b - a, particles, ARRAY_LEN(particles)) && s[b] == '-') return true;
	size_t e = i, d = e;
	while (d > 0 && !is_sep_char(s[d - 1])) d--;
	if (word_is(s + d, e - d, particles, ARRAY_LEN(particles)) && d > 0 && s[d - 1] == '-') return true;
	static const char *const saints[] = { "Saint", "Sainte", "St", "Ste", "saint", "sainte", "SAINT",
		                              "SAINTE" };
	if (word_is(s + d, e - d, saints, ARRAY_LEN(saints))) return true;
	return false;
}

size_t import_split(const char *s, char ***items)
{
	bool comma = strpbrk(s, ",;") != NULL;
	size_t n = 0, cap = 4;
	char **out = xmalloc(cap * sizeof *out);
	size_t len = strlen(s), start = 0;
	for (size_t i = 0; i <= len; i++) {
		char c = s[i];
		bool cut = c == 0 || c == '\n' || c == '\r';
		if (comma) cut = cut || c == ',' || c == ';';
		else if (c == '-') cut = !keep_hyphen(s, i);
		if (!cut) continue;
		char *part = xstrndup(s + start, i - start);
		char *t = collapse(part);
		free(part);
		start = i + 1;
		if (!*t) {
			free(t);
			continue;
		}
		if (n == cap) out = xrealloc(out, (cap *= 2) * sizeof *out);
		out[n++] = t;
	}
	*items = out;
	return n;
}

static void free_items(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++) free(items[i]);
	free(items);
}

/* ==== Dates, numbers, summaries ==== */

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool ymd_ok(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1950 || y > 2100) return false;
	if (m < 1 || m > 12) return false;
	if (d == 0) return true; /* month precision */
	int max = mdays[m - 1] + (m == 2 && leap(y));
	return d >= 1 && d <= max;
}

/* Parse 1 to maxd digits at *p, advancing it. -1 if none. */
static int digits(const char **p, int maxd)
{
	int v = 0, n = 0;
	while (n < maxd && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n ? v : -1;
}

/* Write "YYYY", "YYYY-MM" or "YYYY-MM-DD" (m, d 0 when absent); the
 * values were checked by ymd_ok(). */
static void put_date(char out[11], int y, int m, int d)
{
	char *p = out;
	*p++ = (char)('0' + y / 1000 % 10);
	*p++ = (char)('0' + y / 100 % 10);
	*p++ = (char)('0' + y / 10 % 10);
	*p++ = (char)('0' + y % 10);
	if (m) {
		*p++ = '-';
		*p++ = (char)('0' + m / 10);
		*p++ = (char)('0' + m % 10);
	}
	if (m && d) {
		*p++ = '-';
		*p++ = (char)('0' + d / 10);
		*p++ = (char)('0' + d % 10);
	}
	*p = 0;
}

/* Civil date of a day count since 1970-01-01 (H. Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int import_date(const char *s, char out[11], bool *serial)
{
	*serial = false;
	size_t len = strlen(s);
	bool all_digits = len > 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9') all_digits = false;
	int y, m = 0, d = 0;
	if (all_digits && len == 4) {
		y = atoi(s);
		if (!ymd_ok(y, 1, 0)) return -1;
		put_date(out, y, 0, 0);
		return 0;
	}
	if (all_digits && len == 5) {
		/* spreadsheet serial: day 25569 is 1970-01-01 */
		int64_t v = atoi(s);
		civil_from_days(v - 25569, &y, &m, &d);
		if (!ymd_ok(y, m, d)) return -1;
		*serial = true;
		put_date(out, y, m, d);
		return 0;
	}
	const char *p = s;
	if (len >= 7 && s[4] == '-') { /* YYYY-MM or YYYY-MM-DD */
		y = digits(&p, 4);
		if (p != s + 4 || *p++ != '-') return -1;
		const char *q = p;
		m = digits(&p, 2);
		if (p != q + 2) return -1;
		if (*p == '-') {
			p++;
			q = p;
			d = digits(&p, 2);
			if (p != q + 2 || d == 0) return -1;
		}
	} else { /* [DD/]MM/YYYY, separators / - . */
		int a = digits(&p, 2);
		if (a < 0 || !(*p == '/' || *p == '-' || *p == '.')) return -1;
		char sep = *p++;
		int b = digits(&p, 4);
		if (b < 0) return -1;
		if (*p == sep) {
			p++;
			const char *q = p;
			y = digits(&p, 4);
			if (p != q + 4) return -1;
			d = a;
			m = b;
			if (d == 0) return -1;
		} else {
			y = b;
			m = a;
			if (p - s < 4 || !(p[-4] >= '0' && p[-4] <= '9')) return -1; /* 4-digit year */
		}
	}
	if (*p || y < 0 || !ymd_ok(y, m, d)) return -1;
	put_date(out, y, m, d);
	return 0;
}

/* -?digits[(.|,)digits], nothing else. 0 or -1. */
static int parse_number(const char *s, double *out)
{
	const char *p = s;
	char tmp[64];
	size_t o = 0;
	if (*p == '-') tmp[o++] = *p++;
	if (!(*p >= '0' && *p <= '9')) return -1;
	while (*p >= '0' && *p <= '9' && o < sizeof tmp - 2) tmp[o++] = *p++;
	if (*p == '.' || *p == ',') {
		p++;
		tmp[o++] = '.';
		if (!(*p >= '0' && *p <= '9')) return -1;
		while (*p >= '0' && *p <= '9' && o < sizeof tmp - 1) tmp[o++] = *p++;
	}
	if (*p) return -1;
	tmp[o] = 0;
	char *end;
	errno = 0;
	double d = strtod(tmp, &end);
	if (*end || errno) return -1;
	*out = d;
	return 0;
}

char *import_summary(const char *desc, size_t max)
{
	char *s = collapse(desc);
	size_t len = strlen(s);
	if (max == 0 || text_utf8_len(s, len) <= max) return s;
	/* byte offset just after the first max-1 code points (room for "…") */
	size_t lim = 0, cps = 0;
	while (lim < len) {
		if (((unsigned char)s[lim] & 0xC0) != 0x80) {
			if (cps == max - 1) break;
			cps++;
		}
		lim++;
	}
	size_t cut = lim;
	if (s[lim] != ' ') {
		size_t k = lim;
		while (k > 0 && s[k - 1] != ' ') k--;
		if (k > 1) cut = k - 1;
	}
	while (cut > 0 && strchr(" ,;:.-(", s[cut - 1])) cut--;
	if (cut == 0) cut = lim;
	buf_t b = BUF_INIT;
	buf_append(&b, s, cut);
	buf_puts(&b, "…");
	free(s);
	buf_cstr(&b);
	return buf_detach(&b);
}

/* ==== Vocabularies ==== */

/* vocab_match(), then without a final s/x, then with a final s. */
static const char *match_term(const struct vocab *v, const char *text)
{
	const char *code = vocab_match(v, text);
	if (code) return code;
	size_t n = strlen(text);
	if (n > 1 && (text[n - 1] == 's' || text[n - 1] == 'x' || text[n - 1] == 'S')) {
		char *t = xstrndup(text, n - 1);
		code = vocab_match(v, t);
		free(t);
		if (code) return code;
	}
	char *t = xasprintf("%ss", text);
	code = vocab_match(v, t);
	free(t);
	return code;
}

/* "label ; label ; ..." (heap). */
static char *accepted(const struct vocab *v)
{
	buf_t b = BUF_INIT;
	for (size_t i = 0; i < v->count; i++) {
		if (i) buf_puts(&b, " ; ");
		buf_puts(&b, v->terms[i].label);
	}
	buf_cstr(&b);
	return buf_detach(&b);
}

static int fail_enum(struct imp *im, int c, const struct vocab *v, const char *value, const char *in_cell)
{
	char *acc = accepted(v);
	if (in_cell && strcmp(in_cell, value) != 0)
		fail(im, c, "valeur « %s » inconnue dans « %s » (attendu : %s)", value, in_cell, acc);
	else
		fail(im, c, "valeur « %s » inconnue (attendu : %s)", value, acc);
	free(acc);
	return -1;
}

/* Cells that name no partner. */
static bool not_a_partner(const char *item)
{
	bool alnum = false;
	for (const unsigned char *p = (const unsigned char *)item; *p; p++)
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p >= 0x80)
			alnum = true;
	if (!alnum) return true;
	static const char *const none[] = { "aucun", "aucune", "neant", "nsp", "n/a", "na", "non",
		                            "sans objet", "sans", "ne sait pas", "-" };
	char *f = fold(item);
	bool hit = false;
	for (size_t i = 0; i < ARRAY_LEN(none); i++)
		if (strcmp(f, none[i]) == 0) hit = true;
	free(f);
	return hit;
}

/* ==== Fields ==== */

/* Implementation read from the partners cell ("développé en régie"). */
struct derived {
	const char *implementation;
	int impl_col;
};

/* Convert the cell of schema column c for field f and store it in `in`
 * (null for an empty cell). 0, or -1 with im->err. */
static int convert(struct imp *im, const struct field *f, int c, const char *raw, json_t *in,
                   struct derived *dv)
{
	char *v = trim(raw);
	int ret = -1;
	if (!*v) {
		json_object_set_new(in, f->name, json_null());
		ret = 0;
		goto out;
	}
	switch (f->type) {
	case F_STR:
	case F_ORG: {
		char *t = collapse(v);
		json_object_set_new(in, f->name, json_string(t));
		free(t);
		break;
	}
	case F_TEXT:
	case F_MD:
		json_object_set_new(in, f->name, json_string(v));
		break;
	case F_ENUM: {
		char *t = collapse(v);
		const char *code = match_term(f->vocab, t);
		if (!code) {
			fail_enum(im, c, f->vocab, t, NULL);
			free(t);
			goto out;
		}
		free(t);
		json_object_set_new(in, f->name, json_string(code));
		break;
	}
	case F_ENUMS: {
		json_t *arr = json_array();
		char *whole = collapse(v);
		const char *code = match_term(f->vocab, whole);
		if (code) {
			json_array_append_new(arr, json_string(code));
		} else {
			char **items;
			size_t n = import_split(v, &items);
			for (size_t i = 0; i < n; i++) {
				code = match_term(f->vocab, items[i]);
				if (!code) {
					fail_enum(im, c, f->vocab, items[i], whole);
					free_items(items, n);
					free(whole);
					json_decref(arr);
					goto out;
				}
				json_array_append_new(arr, json_string(code));
			}
			free_items(items, n);
		}
		free(whole);
		json_object_set_new(in, f->name, arr);
		break;
	}
	case F_STRS:
	case F_ORGS:
	case F_SUPPLIERS:
	case F_LEGAL: {
		json_t *arr = json_array();
		char **items;
		size_t n = import_split(v, &items);
		bool partners = strcmp(f->name, "partners") == 0;
		for (size_t i = 0; i < n; i++) {
			const char *it = items[i];
			if (partners) {
				const char *impl = vocab_match(&vocab_implementation, it);
				if (impl) {
					dv->implementation = impl;
					dv->impl_col = c;
					continue;
				}
				if (not_a_partner(it)) continue;
			}
			if (f->type == F_STRS && f->vocab) {
				const char *code = match_term(f->vocab, it);
				if (code) it = code;
			}
			if (f->type == F_SUPPLIERS) {
				json_array_append_new(arr, json_pack("{s:s}", "name", it));
			} else if (f->type == F_LEGAL) {
				json_array_append_new(arr, model_url_ok(it) ? json_pack("{s:s,s:s}", "title", it, "url", it)
				                                      : json_pack("{s:s}", "title", it));
			} else {
				json_array_append_new(arr, json_string(it));
			}
		}
		free_items(items, n);
		json_object_set_new(in, f->name, arr);
		break;
	}
	case F_INDICATORS:
	case F_KIT:
		/* no Interconnectés column maps to these (model_fields[].source is NULL) */
		break;
	case F_URL:
		if (model_url_ok(v)) {
			json_object_set_new(in, f->name, json_string(v));
		} else {
			warn(im, c, "« %s » n'est pas une adresse web : gardé dans la provenance seulement", v);
			json_object_set_new(in, f->name, json_null());
		}
		break;
	case F_URLS: {
		json_t *arr = json_array();
		const char *p = v;
		while (*p) {
			size_t k = strcspn(p, " \t\r\n;|");
			if (k) {
				char *u = xstrndup(p, k);
				size_t ul = strlen(u);
				while (ul && u[ul - 1] == ',') u[--ul] = 0;
				if (model_url_ok(u)) json_array_append_new(arr, json_string(u));
				else if (*u) warn(im, c, "« %s » n'est pas une adresse web : gardé dans la provenance seulement", u);
				free(u);
			}
			p += k;
			if (*p) p++;
		}
		json_object_set_new(in, f->name, arr);
		break;
	}
	case F_DATE: {
		char d[11];
		bool serial;
		if (import_date(v, d, &serial) < 0) {
			fail(im, c, "date « %s » illisible (attendu : MM/AAAA, JJ/MM/AAAA, AAAA, AAAA-MM ou AAAA-MM-JJ, "
			            "années 1950 à 2100)", v);
			goto out;
		}
		if (serial) warn(im, c, "« %s » lu comme un numéro de jour de tableur : %s", v, d);
		json_object_set_new(in, f->name, json_string(d));
		break;
	}
	case F_NUM: {
		double d;
		if (parse_number(v, &d) < 0) {
			fail(im, c, "nombre « %s » illisible (chiffres, avec un point ou une virgule décimale)", v);
			goto out;
		}
		json_object_set_new(in, f->name, json_real(d));
		break;
	}
	case F_INT: {
		int64_t n;
		if (parse_int64(v, 0, INT64_MAX, &n) < 0) {
			fail(im, c, "nombre entier « %s » illisible", v);
			goto out;
		}
		json_object_set_new(in, f->name, json_integer(n));
		break;
	}
	case F_BOOL: {
		static const char *const yes[] = { "oui", "vrai", "true", "1", "yes", "o" };
		static const char *const no[] = { "non", "faux", "false", "0", "no", "n" };
		char *fv = fold(v);
		int b = -1;
		for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
			if (strcmp(fv, yes[i]) == 0) b = 1;
			if (strcmp(fv, no[i]) == 0) b = 0;
		}
		free(fv);
		if (b < 0) {
			fail(im, c, "valeur « %s » inconnue (attendu : oui ou non)", v);
			goto out;
		}
		json_object_set_new(in, f->name, json_boolean(b));
		break;
	}
	}
	ret = 0;
out:
	free(v);
	return ret;
}

/* Build the input object of the current record (every field but owner). */
static int build_input(struct imp *im, json_t *in)
{
	struct derived dv = { NULL, -1 };
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		if (!f->source || strcmp(f->name, "owner") == 0) continue;
		int c = column_index(f->source);
		if (c < 0) continue; /* a source outside the schema: nothing to read */
		const char *raw = cell(im, c);
		if (!raw) continue;
		if (convert(im, f, c, raw, in, &dv) < 0) return -1;
	}
	if (dv.implementation) {
		const char *cur = doc_str(in, "implementation");
		if (!cur) {
			json_object_set_new(in, "implementation", json_string(dv.implementation));
		} else if (strcmp(cur, dv.implementation) != 0) {
			warn(im, dv.impl_col, "« %s » en partenaire, mais mise_en_oeuvre dit « %s » : mise_en_oeuvre retenue",
			     vocab_label(&vocab_implementation, dv.implementation),
			     vocab_label(&vocab_implementation, cur));
		}
	}
	/* summary from the description, else the title */
	int cd = column_index("usage_description");
	const char *desc = cell(im, cd);
	char *summary = desc ? import_summary(desc, SUMMARY_MAX) : xstrdup("");
	if (!*summary) {
		free(summary);
		const char *title = doc_str(in, "title");
		if (title) {
			warn(im, cd, "pas de description : le résumé reprend le nom du projet");
			summary = import_summary(title, SUMMARY_MAX);
		} else {
			summary = xstrdup("");
		}
	}
	json_object_set_new(in, "summary", *summary ? json_string(summary) : json_null());
	free(summary);
	return 0;
}

/* ==== Owner ==== */

/* Kind in a sentence: "(commune)", "(EPCI)". */
static const char *kind_text(const char *kind)
{
	static const char *const map[][2] = {
		{ "commune", "commune" },         { "epci", "EPCI" },         { "ept", "EPT" },
		{ "departement", "département" }, { "region", "région" },     { "syndicat", "syndicat" },
		{ "operateur", "opérateur public" }, { "autre", "autre organisme" },
	};
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (strcmp(map[i][0], kind) == 0) return map[i][1];
	return kind;
}

/* Collectivités à statut particulier that are also a département: a
 * record declared "Département" with their SIREN belongs to them. */
static const char *const also_departement[] = {
	"commune-75056",  /* Ville de Paris (loi 2017-257, since 2019) */
	"epci-200046977", /* Métropole de Lyon (since 2015) */
};

enum fit { FIT_NO, FIT_YES, FIT_DUAL, FIT_SYNDICAT };

static enum fit kind_fits(const struct org *o, const char *declared, bool name_syndicat)
{
	if (!declared || strcmp(o->kind, declared) == 0) return FIT_YES;
	if (strcmp(declared, "departement") == 0) {
		char *k = org_key(o);
		bool dual = false;
		for (size_t i = 0; i < ARRAY_LEN(also_departement); i++)
			if (strcmp(k, also_departement[i]) == 0) dual = true;
		free(k);
		if (dual) return FIT_DUAL;
	}
	if (strcmp(o->kind, "syndicat") == 0 && name_syndicat) return FIT_SYNDICAT;
	return FIT_NO;
}

enum siren_state { S_NONE, S_INVALID, S_UNKNOWN, S_FOUND };

/* Find (or create) the owner of the current record; see the notes. 0 and
 * *out filled, or -1. */
static int resolve_owner(struct imp *im, struct org *out)
{
	const char *raw_siret = cell(im, COL_SIRET), *raw_name = cell(im, COL_NOM), *raw_type = cell(im, COL_TYPE);
	char *siret = raw_siret ? trim(raw_siret) : xstrdup("");
	char *name = raw_name ? collapse(raw_name) : xstrdup("");
	char *type = raw_type ? collapse(raw_type) : xstrdup("");
	struct org by_siren = { 0 };
	bool have_siren_org = false;
	int ret = -1;
	char siren[16] = "";
	char why[64] = ""; /* why the SIRET is invalid */

	/* declared kind */
	const char *declared = NULL;
	if (*type) {
		declared = match_term(&vocab_org_kind, type);
		if (!declared) {
			fail_enum(im, COL_TYPE, &vocab_org_kind, type, NULL);
			goto out;
		}
	}
	char *fname = fold(name);
	bool name_syndicat = strstr(fname, "syndicat") != NULL;
	free(fname);
	const char *hint = name_syndicat ? "syndicat" : declared;

	/* 1. SIREN */
	enum siren_state ss = S_NONE;
	if (*siret) {
		char dg[32];
		int nd = siren_digits(siret, dg, sizeof dg);
		if (nd == 9 || nd == 14) {
			memcpy(siren, dg, 9);
			siren[9] = 0;
		}
		if (!siren[0]) {
			ss = S_INVALID;
			if (nd < 0) snprintf(why, sizeof why, "caractères inattendus");
			else snprintf(why, sizeof why, "%d chiffres au lieu de 14", nd);
		} else if (!siren_valid(siren)) {
			ss = S_INVALID;
			snprintf(why, sizeof why, "clé de contrôle du SIREN %s fausse", siren);
		} else {
			int rc = org_find(im->db, siren, &by_siren);
			if (rc < 0) {
				fail_db(im, COL_SIRET, "erreur de base de données (recherche du SIREN %s)", siren);
				goto out;
			}
			ss = rc ? S_FOUND : S_UNKNOWN;
			have_siren_org = rc == 1;
		}
	}
	if (ss == S_FOUND) {
		enum fit fit = kind_fits(&by_siren, declared, name_syndicat);
		if (fit != FIT_NO) {
			if (fit == FIT_DUAL)
				warn(im, COL_TYPE, "type déclaré %s : %s (%s, SIREN %s) exerce aussi les compétences d'un "
				                   "département (collectivité à statut particulier) : rattaché à %s (%s)",
				     type, by_siren.name, kind_text(by_siren.kind), siren, by_siren.name,
				     kind_text(by_siren.kind));
			else if (fit == FIT_SYNDICAT)
				warn(im, COL_TYPE, "type déclaré %s mais le nom désigne un syndicat : rattaché à %s (%s, SIREN %s)",
				     type, by_siren.name, kind_text(by_siren.kind), siren);
			*out = by_siren;
			have_siren_org = false;
			ret = 0;
			goto out;
		}
	}

	/* 2. name */
	struct org by_name = { 0 };
	int rc = *name ? org_find_by_name(im->db, name, hint, &by_name) : 0;
	if (rc < 0) {
		fail_db(im, COL_NOM, "erreur de base de données (recherche du nom « %s »)", name);
		goto out;
	}
	if (rc == 1) {
		const char *bn = by_name.name, *bk = kind_text(by_name.kind);
		switch (ss) {
		case S_NONE:
			warn(im, COL_SIRET, "pas de SIRET : rattaché par le nom à %s (%s)", bn, bk);
			break;
		case S_INVALID:
			warn(im, COL_SIRET, "SIRET « %s » invalide (%s) : rattaché par le nom à %s (%s)", siret, why, bn, bk);
			break;
		case S_UNKNOWN:
			warn(im, COL_SIRET, "SIREN %s absent du référentiel : rattaché par le nom à %s (%s)", siren, bn, bk);
			break;
		case S_FOUND:
			warn(im, -1, "SIREN %s désigne %s (%s) mais le type déclaré est %s : rattaché à %s (%s)", siren,
			     by_siren.name, kind_text(by_siren.kind), type, bn, bk);
			break;
		}
		*out = by_name;
		ret = 0;
		goto out;
	}

	/* 3. the SIREN's organisation anyway */
	if (ss == S_FOUND) {
		warn(im, -1, "SIREN %s désigne %s (%s) mais le type déclaré est %s, et aucun organisme ne porte le nom "
		             "« %s » : rattaché à %s (%s)",
		     siren, by_siren.name, kind_text(by_siren.kind), type, name, by_siren.name,
		     kind_text(by_siren.kind));
		*out = by_siren;
		have_siren_org = false;
		ret = 0;
		goto out;
	}

	/* 4. create the body */
	if (ss == S_UNKNOWN) {
		if (!*name) {
			fail(im, COL_SIRET, "SIREN %s absent du référentiel, et pas de nom (%s) pour créer l'organisme", siren,
			     colname(im, COL_NOM));
			goto out;
		}
		const char *kind = name_syndicat || (declared && strcmp(declared, "syndicat") == 0) ? "syndicat"
		                   : declared && strcmp(declared, "operateur") == 0             ? "operateur"
		                                                                                 : "autre";
		char *cerr = NULL;
		int64_t id = org_create_other(im->db, kind, siren, name, NULL, &cerr);
		if (id < 0) {
			fail(im, COL_SIRET, "création de l'organisme « %s » impossible : %s", name, cerr ? cerr : "?");
			free(cerr);
			goto out;
		}
		if (org_get(im->db, id, out) != 1) {
			fail_db(im, COL_SIRET, "erreur de base de données (organisme créé introuvable)");
			goto out;
		}
		if (declared && strcmp(declared, kind) != 0)
			warn(im, COL_SIRET, "SIREN %s absent du référentiel et nom inconnu : organisme « %s » créé (%s ; type "
			                    "déclaré %s)", siren, name, kind_text(kind), type);
		else
			warn(im, COL_SIRET, "SIREN %s absent du référentiel et nom inconnu : organisme « %s » créé (%s)", siren,
			     name, kind_text(kind));
		ret = 0;
		goto out;
	}

	/* 5. */
	if (ss == S_INVALID)
		fail(im, COL_SIRET, "porteur introuvable : SIRET « %s » invalide (%s) et aucun organisme nommé « %s »",
		     siret, why, name);
	else
		fail(im, COL_SIRET, "porteur introuvable : pas de SIRET et aucun organisme nommé « %s »", name);
out:
	if (have_siren_org) org_free(&by_siren);
	free(siret);
	free(name);
	free(type);
	return ret;
}

/* ==== One record ==== */

/* Column of a validation error's field ("partners[2]" → partenaires). */
static int verror_column(const char *field)
{
	char name[64];
	size_t n = strcspn(field, "[.");
	if (n >= sizeof name) n = sizeof name - 1;
	memcpy(name, field, n);
	name[n] = 0;
	if (strcmp(name, "summary") == 0) return column_index("usage_description");
	const struct field *f = model_field(name);
	return f && f->source ? column_index(f->source) : -1;
}

static int fail_verrors(struct imp *im, const struct verrors *e)
{
	if (e->count == 0) return fail(im, -1, "enregistrement refusé");
	const struct verror *v = &e->items[0];
	if (e->count > 1)
		return fail(im, verror_column(v->field), "%s (et %d autre%s erreur%s)", v->message, e->count - 1,
		            e->count > 2 ? "s" : "", e->count > 2 ? "s" : "");
	return fail(im, verror_column(v->field), "%s", v->message);
}

static json_t *provenance(const struct imp *im)
{
	json_t *raw = json_object();
	for (size_t i = 0; i < im->ncols; i++) {
		const char *v = im->row->vals[i];
		if (!blank(v)) json_object_set_new(raw, columns[im->schema_of[i]].name, json_string(v));
	}
	return json_pack("{s:s,s:s,s:s,s:i,s:s,s:o}", "source", "interconnectes", "dataset", DATASET, "file", im->file,
	                 "line", im->row->line, "imported_at", im->now, "raw", raw);
}

/* doc without what changes at every import (provenance line, file, time). */
static json_t *comparable(const json_t *doc)
{
	json_t *c = json_deep_copy(doc);
	json_t *p = json_object_get(c, "provenance");
	if (json_is_object(p)) {
		json_object_del(p, "imported_at");
		json_object_del(p, "line");
		json_object_del(p, "file");
	}
	return c;
}

static int remember_key(struct imp *im, const char *key, const char *title)
{
	for (size_t i = 0; i < im->nkeys; i++)
		if (strcmp(im->keys[i].key, key) == 0)
			return fail(im, COL_PROJET, "projet « %s » en double : même porteur et même nom qu'à la ligne %d", title,
			            im->keys[i].line);
	if (im->nkeys == im->capkeys) {
		im->capkeys = im->capkeys ? 2 * im->capkeys : 32;
		im->keys = xrealloc(im->keys, im->capkeys * sizeof *im->keys);
	}
	im->keys[im->nkeys].key = xstrdup(key);
	im->keys[im->nkeys].line = im->row->line;
	im->nkeys++;
	return 0;
}

static int import_row(struct imp *im)
{
	json_t *in = json_object(), *doc = NULL;
	struct org owner = { 0 };
	bool have_owner = false, have_old = false;
	struct uc_full old = { 0 };
	char *okey = NULL, *slug = NULL, *key = NULL, *note = NULL;
	int ret = -1;

	if (build_input(im, in) < 0) goto out;
	const char *title = doc_str(in, "title");
	if (!title) {
		fail(im, COL_PROJET, "nom du projet vide");
		goto out;
	}
	if (resolve_owner(im, &owner) < 0) goto out;
	have_owner = true;
	okey = org_key(&owner);
	json_object_set_new(in, "owner", json_string(okey));

	slug = text_slugify(title, KEY_SLUG_MAX);
	key = xasprintf("interconnectes:%s:%s", okey, slug);
	if (remember_key(im, key, title) < 0) goto out;
	int64_t id = 0;
	int rc = store_usecase_by_import_key(im->db, key, &id);
	if (rc == 1) rc = store_usecase_load(im->db, id, &old);
	if (rc < 0) {
		fail_db(im, -1, "erreur de base de données (lecture de la fiche existante)");
		goto out;
	}
	have_old = rc == 1;

	struct verrors errs = { 0 };
	doc = model_validate(in, have_old ? old.doc : NULL, &errs);
	if (!doc) {
		fail_verrors(im, &errs);
		goto out;
	}
	json_object_set_new(doc, "provenance", provenance(im));

	if (have_old) {
		json_t *a = comparable(doc), *b = comparable(old.doc);
		bool same = json_equal(a, b);
		json_decref(a);
		json_decref(b);
		if (same) {
			im->st->unchanged++;
			ret = 0;
			goto out;
		}
	}
	note = xasprintf("import interconnectes : %s, ligne %d", im->file, im->row->line);
	struct uc_save p = { 0 };
	p.id = have_old ? old.id : 0;
	p.state = have_old ? NULL : "published";
	p.import_key = key;
	p.note = note;
	p.in_tx = true;
	memset(&errs, 0, sizeof errs);
	int64_t new_id, version;
	int src = store_usecase_save(im->db, doc, &p, &errs, &new_id, &version);
	if (src == STORE_INVALID) {
		fail_verrors(im, &errs);
		goto out;
	}
	if (src != STORE_OK) {
		fail_db(im, -1, "erreur de base de données à l'enregistrement de la fiche : %s",
		     sqlite3_errmsg(db_sqlite(im->db)));
		goto out;
	}
	if (have_old) im->st->updated++;
	else im->st->created++;
	ret = 0;
out:
	json_decref(in);
	json_decref(doc);
	if (have_owner) org_free(&owner);
	if (have_old) store_usecase_free(&old);
	free(okey);
	free(slug);
	free(key);
	free(note);
	return ret;
}

/* ==== Reading the file ==== */

static int csv_fail(struct imp *im, const csv_reader *r)
{
	const struct csv_error *e = csv_error(r);
	const char *name = im->header && e->field >= 1 && (size_t)e->field <= im->ncols ? im->header[e->field - 1]
	                                                                             : NULL;
	return fail_at(im, e->line, e->field > 0 ? (size_t)e->field : 0, name, "%s (caractère %d de la ligne)",
	               e->message ? e->message : "erreur de syntaxe CSV", e->column);
}

/* Map the header cells to schema columns. */
static int read_header(struct imp *im, char **f, size_t n)
{
	im->ncols = n;
	im->header = xcalloc(n, sizeof *im->header);
	im->schema_of = xcalloc(n, sizeof *im->schema_of);
	for (int c = 0; c < NCOLUMNS; c++) im->colidx[c] = -1;
	for (size_t i = 0; i < n; i++) im->header[i] = collapse(f[i]);
	for (size_t i = 0; i < n; i++) {
		const char *h = im->header[i];
		if (!*h) return fail_at(im, 1, i + 1, NULL, "colonne sans nom dans l'en-tête");
		int found = -1;
		for (int c = 0; c < NCOLUMNS && found < 0; c++)
			if (str_ieq(h, columns[c].name) || (columns[c].alias && str_ieq(h, columns[c].alias))) found = c;
		if (found < 0) {
			buf_t b = BUF_INIT;
			for (int c = 0; c < NCOLUMNS; c++) {
				if (c) buf_puts(&b, ", ");
				buf_puts(&b, columns[c].name);
			}
			fail_at(im, 1, i + 1, NULL, "colonne « %s » inconnue (colonnes du schéma des Interconnectés : %s)", h,
			        buf_cstr(&b));
			buf_free(&b);
			return -1;
		}
		if (im->colidx[found] >= 0)
			return fail_at(im, 1, i + 1, NULL, "colonne « %s » en double (déjà colonne %d)", h,
			               im->colidx[found] + 1);
		im->colidx[found] = (int)i;
		im->schema_of[i] = found;
	}
	static const int required[] = { COL_NOM, COL_PROJET };
	for (size_t k = 0; k < ARRAY_LEN(required); k++) {
		int c = required[k];
		if (im->colidx[c] < 0)
			return fail_at(im, 1, 0, NULL, "colonne obligatoire « %s » absente (ou « %s »)", columns[c].name,
			               columns[c].alias);
	}
	return 0;
}

/* Parse the whole file into im->rows (copies). 0 or -1. */
static int read_rows(struct imp *im, size_t len)
{
	csv_reader *r = csv_open(im->data, len, 0);
	char **f;
	size_t n;
	int ret = -1;
	int rc = csv_next(r, &f, &n);
	if (rc < 0) {
		csv_fail(im, r);
		goto out;
	}
	if (rc == 0) {
		fail_at(im, 1, 0, NULL, "fichier vide (une ligne d'en-tête est attendue)");
		goto out;
	}
	if (read_header(im, f, n) < 0) goto out;
	while ((rc = csv_next(r, &f, &n)) == 1) {
		int line = csv_record_line(r);
		bool all_blank = true;
		for (size_t i = 0; i < n; i++)
			if (!blank(f[i])) all_blank = false;
		if (all_blank) continue; /* a line of separators, as spreadsheets export */
		if (n > im->ncols) {
			fail_at(im, line, im->ncols + 1, NULL, "champ en trop (%zu champs au lieu de %zu, un par colonne de "
			        "l'en-tête)", n, im->ncols);
			goto out;
		}
		if (n < im->ncols) {
			fail_at(im, line, n + 1, im->header[n], "champ manquant (%zu champs au lieu de %zu, un par colonne de "
			        "l'en-tête)", n, im->ncols);
			goto out;
		}
		if (im->nrows == im->caprows) {
			im->caprows = im->caprows ? 2 * im->caprows : 64;
			im->rows = xrealloc(im->rows, im->caprows * sizeof *im->rows);
		}
		struct row *cur = &im->rows[im->nrows++];
		cur->line = line;
		cur->vals = xmalloc(n * sizeof *cur->vals);
		for (size_t i = 0; i < n; i++) cur->vals[i] = xstrdup(f[i]);
	}
	if (rc < 0) {
		csv_fail(im, r);
		goto out;
	}
	ret = 0;
out:
	csv_close(r);
	return ret;
}

/* ==== Entry point ==== */

int import_interconnectes(db_t *db, const char *path, const struct import_opts *o, struct import_stats *st,
                          char **err)
{
	static const struct import_opts defaults = { 0 };
	struct import_stats local;
	if (!o) o = &defaults;
	if (!st) st = &local;
	memset(st, 0, sizeof *st);
	*err = NULL;
	uint64_t t0 = mono_ns();
	struct imp im = { 0 };
	im.db = db;
	im.o = o;
	im.st = st;
	const char *slash = strrchr(path, '/');
	im.file = o->filename ? o->filename : slash ? slash + 1 : path;
	iso8601_utc(now_unix(), im.now);
	bool began = false;
	int ret = -1;

	size_t len;
	im.data = read_file(path, &len);
	if (!im.data) {
		im.err = xasprintf("%s : lecture impossible (%s)", path, strerror(errno));
		goto out;
	}
	if (read_rows(&im, len) < 0) goto out;
	/* Without the reference every SIREN would become an "autre" body. */
	char *loaded = NULL;
	int mrc = db_meta_get(db, "orgs_loaded_at", &loaded);
	free(loaded);
	if (mrc != 1) {
		im.err = xstrdup(mrc < 0 ? "erreur de base de données (lecture de meta)"
		                         : "les organisations officielles ne sont pas chargées (iat orgs load)");
		goto out;
	}
	if (db_begin(db) < 0) {
		im.err = xasprintf("erreur de base de données : %s", sqlite3_errmsg(db_sqlite(db)));
		goto out;
	}
	began = true;
	for (size_t i = 0; i < im.nrows; i++) {
		im.row = &im.rows[i];
		st->rows++;
		/* each row in a savepoint: a rejected row leaves nothing behind */
		if (import_row_begin(db, &im.err) < 0) goto out;
		char *reason = NULL;
		if (import_row(&im) < 0) {
			if (im.fatal) goto out;
			reason = im.err;
			im.err = NULL;
		}
		if (import_row_end(db, st, im.row->line, reason, &im.err) < 0) goto out;
		if (o->progress) {
			fprintf(stderr, "\rimport : %zu/%zu", i + 1, im.nrows);
			im.progress_shown = true;
		}
	}
	im.row = NULL;
	if (import_finish(db, o, st, &im.err) < 0) goto out;
	began = false;
	ret = 0;
out:
	if (began) db_rollback(db);
	if (im.progress_shown) fputc('\n', stderr);
	if (ret < 0) *err = im.err ? im.err : xstrdup("import impossible");
	else free(im.err);
	imp_free(&im);
	st->seconds = (double)(mono_ns() - t0) / 1e9;
	return ret;
}
