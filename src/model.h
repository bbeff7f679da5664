/*
 * model.h — the use-case ("fiche") record model: vocabularies, the field
 * table, validation, and the API representation.
 *
 * Design notes
 * - The field table (model_fields[]) is the single description of a record:
 *   name (API, English), French label and help text, type, visibility
 *   (public / restricted to agents of authorities), limits, vocabulary, form
 *   section, and the column of the Interconnectés schema it comes from.
 *   Validation, rendering (JSON and HTML), the import and the /api/v1/schema
 *   document are all driven by it, so a field is added in one place.
 * - A record is stored as a canonical JSON document ("doc": field name →
 *   value, enum values as codes, organisations as public keys) plus
 *   read-only metadata kept in columns (id, state, version, dates...).
 * - Visibility is enforced in exactly one place for JSON: model_render_json()
 *   skips restricted fields unless told the reader may see them. The HTML
 *   record page uses model_field_visible() the same way. Search indexes only
 *   public text (model_public_text()).
 * - Everything here is pure (no database); organisations are resolved by
 *   the caller (store.c) through the org_ref callback.
 */
#ifndef IAT_MODEL_H
#define IAT_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "jsonw.h"

#define MODEL_SCHEMA_VERSION "1.1"

/* ==== Vocabularies ==== */

struct term {
	const char *code;     /* stable API value */
	const char *label;    /* French label */
	const char *aliases;  /* '|'-separated other spellings accepted on import
	                         (compared folded), or NULL */
};

struct vocab {
	const char *name;     /* e.g. "theme" */
	const struct term *terms;
	size_t count;
};

extern const struct vocab vocab_theme, vocab_status, vocab_audience, vocab_hosting,
    vocab_implementation, vocab_ai_technique, vocab_data_source, vocab_data_access,
    vocab_risk_level, vocab_budget_band, vocab_level3, vocab_automation, vocab_personal_data,
    vocab_state, vocab_org_kind, vocab_pop_band, vocab_sub_theme, vocab_indicator_type,
    vocab_frequency, vocab_evidence, vocab_item_visibility, vocab_kit_kind, vocab_funding_source;

/* Index of code in v, or -1. */
int vocab_index(const struct vocab *v, const char *code);
/* French label of code (code itself when unknown; NULL for NULL). */
const char *vocab_label(const struct vocab *v, const char *code);
/* Map a free spelling (label, alias or code; compared case-, accent- and
 * space-insensitively) to a code, or NULL. */
const char *vocab_match(const struct vocab *v, const char *text);

/* ==== Fields ==== */

enum ftype {
	F_STR,       /* one line of text */
	F_TEXT,      /* several lines of plain text */
	F_MD,        /* Markdown */
	F_ENUM,      /* one code of a vocabulary */
	F_ENUMS,     /* list of codes of a vocabulary (no duplicates) */
	F_STRS,      /* list of short strings */
	F_URL,       /* http(s) URL */
	F_URLS,      /* list of URLs */
	F_BOOL,
	F_INT,       /* integer >= 0 */
	F_NUM,       /* number within [min,max] */
	F_DATE,      /* "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
	F_ORG,       /* organisation key (see org.h) */
	F_ORGS,      /* list of organisation keys */
	F_SUPPLIERS, /* list of {name, siren?} */
	F_LEGAL,     /* list of {title, url?} */
	F_INDICATORS, /* list of impact indicators (see model_check_indicator) */
	F_KIT,       /* list of reuse-kit items {kind, title, url?, reference?, visibility} */
};

enum visibility { VIS_PUBLIC = 0, VIS_RESTRICTED = 1 };

struct field {
	const char *name;        /* API name */
	const char *label;       /* French label */
	const char *help;        /* French help text */
	enum ftype type;
	enum visibility vis;
	bool required;           /* on creation */
	int maxlen;              /* characters for strings, items for lists */
	double min, max;         /* F_NUM bounds */
	const struct vocab *vocab;
	const char *section;     /* form section: general, service, algorithm, data, risks, resources */
	const char *source;      /* Interconnectés column, or NULL */
};

extern const struct field model_fields[];
extern const size_t model_nfields;

const struct field *model_field(const char *name);
/* The French unit of a number field ("€ HT", "ETP"), or NULL. */
const char *model_field_unit(const struct field *f);
/* The value of field f that a reader sees: for lists whose items carry
 * their own visibility (indicators, reuse kit), the public items only
 * unless restricted; other fields unchanged. A new reference, or NULL when
 * nothing is left (v NULL or only restricted items). Every reader-facing
 * output (JSON, pages, history, exports, search text) goes through it. */
json_t *model_value_for_reader(const struct field *f, const json_t *v, bool restricted);
/* A copy of doc as a reader sees it: without the fields and items they may
 * not see (new reference). */
json_t *model_doc_for_reader(const json_t *doc, bool restricted);
/* Whether a reader allowed restricted fields (or not) may see f. */
bool model_field_visible(const struct field *f, bool restricted);
const char *model_type_name(enum ftype t);
const char *model_section_label(const char *section);
/* The form sections (general, service, ...) in the order they first appear
 * in the field table: fills out[0..max) and returns their number. */
int model_sections(const char **out, int max);

/* ==== Validation ==== */

/* One validation problem. code is a stable API code ("validation.required",
 * "validation.type", "validation.enum", "validation.too_long",
 * "validation.format", "validation.unknown_field", "validation.read_only",
 * "validation.not_found"), field the field's name, message French. */
struct verror {
	const char *code;
	char field[64];
	char message[256];
};

struct verrors {
	struct verror items[32];
	int count;   /* may exceed 32: only the first 32 are kept */
};

void verrors_add(struct verrors *e, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Keys of the input that are metadata, not fields: rejected as read-only in
 * input ("id", "slug", "version", "created_at", "updated_at",
 * "published_at", "schema_version", "state", "retract_reason",
 * "provenance"). The API layer removes the few it accepts before calling
 * model_validate(). */
bool model_is_meta_key(const char *key);

/* Validate input (a JSON object) and merge it into base (a canonical doc,
 * or NULL for a creation). Unknown and read-only keys, wrong types,
 * vocabulary misses, over-long values, bad URLs/dates/SIRENs are reported in
 * errs, each naming its field. null or "" clears a field. On creation the
 * required fields must be present. Cross-field rules: status "abandoned"
 * needs abandon_reasons; dpia_url needs dpia_done true.
 * Returns a new canonical doc (caller json_decref()s) when errs->count is 0,
 * else NULL. Organisation keys are only checked for syntax here; the store
 * resolves them. */
json_t *model_validate(const json_t *input, const json_t *base, struct verrors *errs);

/* true if u is an http(s) URL we accept: a host, at most 2000 bytes, no
 * white space, control characters, quotes, angle brackets, backslashes or
 * backquotes. */
bool model_url_ok(const char *u);

/* ==== Representation ==== */

/* Resolves an organisation key to its public summary: writes a JSON object
 * {id, name, kind, siren} (or null when unknown) with w. */
typedef void (*org_ref_fn)(void *ctx, jsonw_t *w, const char *key);

struct impact_result;

struct usecase_meta {
	int64_t id;
	const char *slug;
	const char *state;
	int64_t version;
	const char *created_at, *updated_at, *published_at;
	const char *retract_reason;
	int64_t origin_id;                   /* the record this one reuses, or 0 */
	const struct impact_result *impact;  /* the label decision, or NULL (not rendered) */
};

/* Write the API representation of a record: metadata (with "reuse_of" and
 * "impact_label"), then every field in table order (null when empty),
 * omitting restricted fields and restricted items unless restricted is
 * true. Organisation fields are expanded with ref(). */
void model_render_json(jsonw_t *w, const json_t *doc, const struct usecase_meta *m, bool restricted,
                       org_ref_fn ref, void *ref_ctx);

/* The "impact_label" member: {awarded, rules_met, basis, evidence_level,
 * evidence_score, missing: [{code, message}]}. */
void model_render_impact(jsonw_t *w, const struct impact_result *r);

/* Concatenated public text of the long fields (for the search index),
 * Markdown reduced to text. Appends to out. */
void model_public_text(buf_t *out, const json_t *doc);

/* Bitmask of doc's ai_techniques (bit i = vocab_ai_technique term i). */
int64_t model_techniques_mask(const json_t *doc);

/* Convenience accessors on a doc: string value or NULL. */
const char *doc_str(const json_t *doc, const char *name);

/* Write the field table as the /api/v1/schema document. */
void model_render_schema(jsonw_t *w);

#endif
