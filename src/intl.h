/*
 * intl.h — vocabularies and pure helpers of the international references
 * (issue 6, section 2): the sources and their attribution, the normalised
 * status vocabulary, countries and languages in French, the table of
 * mapped fields (with their French labels), and the small parsers the
 * importers share (status, dates, URLs, countries).
 *
 * Design notes
 * - One table per vocabulary, read by the importers (import_intl.c), the
 *   pages (page_intl.c), the API (api_intl.c) and the unit tests; adding a
 *   country or a status is one line here.
 * - Nothing here touches the database; every function is pure.
 * - The texts of a reference stay in the original language (never
 *   translated): fields of kind INTL_TEXT are shown with lang="xx".
 */
#ifndef IAT_INTL_H
#define IAT_INTL_H

#include <stdbool.h>
#include <stddef.h>

/* A register abroad (one per import format). */
struct intl_source {
	const char *name;          /* import format and source key: "nl-algoritmeregister" */
	const char *label;         /* French name of the register */
	const char *publisher;     /* who publishes it */
	const char *licence;       /* licence of the data, as shown */
	const char *licence_url;
	const char *home_url;      /* the register or the data set */
};
extern const struct intl_source intl_sources[];
extern const size_t intl_nsources;
const struct intl_source *intl_source_find(const char *name);

/* The normalised status vocabulary: in_use, pilot, in_development, planned,
 * retired, unknown. */
struct intl_term {
	const char *code;
	const char *label;         /* French */
};
extern const struct intl_term intl_statuses[];
extern const size_t intl_nstatuses;
/* French label of a status code, or NULL if unknown. */
const char *intl_status_label(const char *code);
/* The code of a status as written at the source, in any of the registers'
 * wordings ("in_gebruik", "In gebruik", "Actief", "Implemented", "Pilot",
 * "Not in use"...), compared case-insensitively after trimming, with '_'
 * read as a space; "unknown" for anything else (NULL, empty, free text). */
const char *intl_status_code(const char *text);

/* Countries: ISO 3166-1 alpha-2 ("EU" for the European Union itself, an
 * exceptionally reserved code). */
const char *intl_country_label(const char *code);   /* French name, or NULL */
/* The code of an English country name as the EU data set writes it
 * ("Netherlands", "United Kingdom", "Türkiye", "Monte Carlo"...), trimmed,
 * case-insensitive; a valid code itself is accepted. NULL if unknown. */
const char *intl_country_code(const char *name);
/* Languages: ISO 639-1. French name ("néerlandais"), or NULL. */
const char *intl_lang_label(const char *code);

/* Whether value is a known value of filter name ("country", "source",
 * "status", "lang"), and its French label (the source's label, the
 * country's or language's name...), or NULL. */
const char *intl_filter_label(const char *name, const char *value);

/* Kinds of mapped fields. */
enum intl_kind {
	INTL_TEXT,   /* text in the original language (lang attribute) */
	INTL_CODE,   /* code, number, e-mail: no language */
	INTL_URL,    /* http(s) URL */
	INTL_DATE,   /* YYYY, YYYY-MM or YYYY-MM-DD */
};
struct intl_field {
	const char *key;           /* key in the doc's "fields" and the API */
	const char *label;         /* French label on the page */
	enum intl_kind kind;
	size_t max;                /* length limit in characters */
};
extern const struct intl_field intl_fields[];
extern const size_t intl_nfields;
const struct intl_field *intl_field_find(const char *key);

/* A date at the source: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" (or with a
 * space, fractions, offset: the date part is kept), "DD/MM/YYYY",
 * "YYYY-MM", "YYYY". Real calendar days, years 1950-2100. 0 and out, or
 * -1. */
int intl_date(const char *s, char out[11]);

/* The first http(s) URL of s (cells often hold several, or a trailing
 * space): the run of characters up to white space, without a trailing
 * ',' or ';', that has a host and no quote or angle bracket. Heap string,
 * or NULL if there is none. */
char *intl_first_url(const char *s);

/* A placeholder for "nothing" as registers write it: empty or white space
 * (also no-break spaces), "-", "—", "volgt", "n.v.t.", "niet bekend",
 * "nog niet beschikbaar" (case-insensitive, final '.' ignored). */
bool intl_is_placeholder(const char *s);

/* The last segment of a URL's path (no query, fragment or final '/'):
 * the UK records' identifier. Heap string, or NULL when there is none. */
char *intl_url_slug(const char *url);

#endif
