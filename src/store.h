/*
 * store.h — the storage interface for use-case records and search.
 *
 * Design notes
 * - This is the narrow interface the handlers, the importer and the CLI
 *   use; store_usecase.c and search.c implement it on SQLite. A PostgreSQL
 *   back-end later implements the same functions.
 * - Writes (create, update, state change) run in one transaction each:
 *   the record row, its cached API representations (public and agent), the
 *   denormalised filter columns, the partner links, the search index (public
 *   text only) and a new version row are written together or not at all.
 *   store_usecase_save() can also run inside a caller's transaction (the
 *   importer's), see `in_tx`.
 * - Organisation keys in the doc are resolved here (org_find) and
 *   normalised to canonical keys; an unknown organisation is a validation
 *   error on that field.
 */
#ifndef IAT_STORE_H
#define IAT_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "model.h"

/* The cached representation of a record, for GET by id (the hot path). */
struct uc_json {
	int64_t id;
	int64_t owner_org_id;
	int64_t version;
	char state[24];
	char *json;     /* heap: json_public or json_agent */
	size_t len;
};

/* 1 found, 0 not found, -1 error. */
int store_usecase_json(db_t *db, int64_t id, bool restricted, struct uc_json *out);

/* A whole record, for pages and updates. */
struct uc_full {
	int64_t id;
	int64_t owner_org_id;
	int64_t version;
	char *slug, *state, *created_at, *updated_at, *published_at, *retract_reason;
	char *review_comment;    /* last "changes requested" comment, or NULL */
	int64_t origin_id;       /* the record this one reuses, or 0 */
	bool impact_label;       /* "impact démontré" (as last computed) */
	int evidence;            /* strength of evidence (impact_result.score) */
	json_t *doc;
};
int store_usecase_load(db_t *db, int64_t id, struct uc_full *out);
void store_usecase_free(struct uc_full *u);

/* Parameters of a save. */
struct uc_save {
	int64_t id;              /* 0: create */
	int64_t expect_version;  /* update: 0 = don't check, else must match (409) */
	const char *state;       /* create: initial state; update: NULL = unchanged */
	const char *retract_reason;
	const char *review_comment;  /* NULL: unchanged; "": cleared; else stored */
	int64_t user_id;         /* 0 for imports by the CLI */
	const char *import_key;  /* create/update keyed by import (NULL otherwise) */
	const char *note;        /* version note */
	bool in_tx;              /* the caller holds a transaction */
	int64_t origin_id;       /* create: the record this one reuses (0: none);
	                            never changed afterwards */
	/* restoring an exported history (iat import iat-json): */
	int64_t want_id;         /* create: this id (must be free); 0: the next one */
	int64_t want_version;    /* this version number (greater than the current
	                            one, else STORE_CONFLICT); 0: the next one */
	const char *at;          /* time of the change (ISO 8601 UTC); NULL: now */
	const char *created_at;  /* create: the record's creation time; NULL: at */
	const char *published_at; /* its first publication, when this save
	                            publishes it for the first time; NULL: at */
};

/* Outcome of a save beyond success. */
enum store_rc {
	STORE_OK = 0,
	STORE_ERR = -1,         /* database error (logged) */
	STORE_INVALID = -2,     /* errs filled (e.g. unknown organisation) */
	STORE_NOT_FOUND = -3,
	STORE_CONFLICT = -4,    /* version mismatch */
};

/* Create or update a record from a validated canonical doc (the store takes
 * its own reference; the caller keeps its own). On success *id_out gets the
 * id (and *version_out the new version if not NULL). */
int store_usecase_save(db_t *db, json_t *doc, const struct uc_save *p, struct verrors *errs,
                       int64_t *id_out, int64_t *version_out);

/* One row of a listing of records in any state (workspace, review queue).
 * Strings belong to the store and are valid during the callback only. */
struct uc_row {
	int64_t id, owner_org_id;
	const char *slug, *title, *state, *updated_at;
	const char *since;   /* when the record entered its current state */
};
typedef int (*uc_row_fn)(void *ctx, const struct uc_row *row);

/* Records of owner_org_id (0: every organisation) in state (NULL: any
 * state), at most limit, newest update first, or (oldest_first) longest in
 * their state first. cb returning non-zero stops. Returns the number of
 * rows given to cb, or -1. */
int store_usecase_list(db_t *db, int64_t owner_org_id, const char *state, bool oldest_first, int limit,
                       uc_row_fn cb, void *ctx);

/* Find a record id by import key. 1/0/-1. */
int store_usecase_by_import_key(db_t *db, const char *key, int64_t *id);

/* Re-render the cached representations and denormalised columns of the
 * records whose owner or partner organisations changed since orgs_since
 * (an ISO time, after an organisation reload), or of every record when
 * orgs_since is NULL (after a model change), in one transaction. Returns
 * the number of records, or -1. */
int store_usecase_refresh(db_t *db, const char *orgs_since);

/* Version of the stored representations (json_public, json_agent, the
 * derived columns): bump it when model_render_json() or write_derived()
 * change, and every record is re-rendered once at the next start
 * (store_render_upgrade(), called after the migrations). 2: issue 5
 * (reuse_of, impact_label, indicators, reuse kit, costs); 3: schema 1.1
 * (schema_version in every representation). */
#define STORE_RENDER_VERSION 3
/* Re-render every record if the stored representations are older than
 * STORE_RENDER_VERSION. Returns the number of records re-rendered, or -1. */
int store_render_upgrade(db_t *db);

/* The org_ref_fn the stored representations use (ctx: the db_t *):
 * {id, name, kind, siren} or null. For model_render_json() elsewhere
 * (the versions API). */
void store_org_ref(void *ctx, jsonw_t *w, const char *key);

/* ==== Impact label (impact.h has the rules) ==== */

/* A curator's review and exception on a record's label. */
struct uc_impact {
	char *reviewed_at, *reviewed_hash;
	char *override;          /* NULL, "granted" or "withdrawn" */
	char *override_reason, *override_at;
};
/* 1 found, 0 none (all NULL), -1 error. */
int store_impact_get(db_t *db, int64_t id, struct uc_impact *out);
void store_impact_free(struct uc_impact *x);
/* The label decision for loaded record u (rules, review, exception). */
struct impact_result;
int store_impact_eval(db_t *db, const struct uc_full *u, struct impact_result *res);

/* A curator's act, in one transaction with its impact_event, its audit
 * entry ("usecase.impact") and the re-rendered representations:
 *   "review"   the impact evidence was reviewed (keeps the hash of the
 *              public indicators: a later change needs a new review);
 *   "grant"    label given by exception (reason);
 *   "withdraw" label withdrawn by exception (reason);
 *   "clear"    back to the rules (reason).
 * The caller checks the right (auth_is_curator) and the reason. STORE_OK,
 * STORE_NOT_FOUND or STORE_ERR. */
int store_impact_act(db_t *db, int64_t id, const char *act, const char *reason, int64_t user_id);
/* Restore the curators' decisions on the label of a record read back from
 * an IA·T export (import_iat.c), inside the caller's transaction: a review
 * of its current public indicators (review) and the exception (override
 * "granted" | "withdrawn" with its reason, or NULL: none), dated at, by no
 * account; the label is then recomputed. 0 or -1. */
int store_impact_restore(db_t *db, int64_t id, bool review, const char *override, const char *reason,
                         const char *at);

/* The label's history, newest first: kind gained | lost | review | grant |
 * withdraw | clear. Strings valid during the callback. Returns the number
 * of rows, or -1. */
struct impact_event_row {
	const char *at, *kind, *reason;
	int64_t version, user_id;
};
typedef int (*impact_event_fn)(void *ctx, const struct impact_event_row *e);
int store_impact_events(db_t *db, int64_t id, impact_event_fn cb, void *ctx);

/* ==== Reuse between territories (store_reuse.c) ====
 * A reuse is a record whose usecase.origin_id names the record it reuses
 * (set at creation only, so the links form a forest without cycles). These
 * functions read the links and the organisations' inbox; who may see which
 * node is decided by the caller (auth_can_read_usecase, reuse.c). */

/* One record as a node of a reuse listing or a lineage. */
struct reuse_node {
	int64_t id;
	int64_t parent;          /* origin_id (0: the root of a lineage) */
	int depth;               /* 0 for the root (lineage), 1 for direct reuses */
	char *slug, *title, *state, *status;   /* heap; status may be NULL */
	bool visible;            /* published or retracted */
	bool impact_label;
	int64_t org_id;
	char *org_key, *org_name, *org_kind, *org_departement;  /* heap; dept may be NULL */
};
struct reuse_list {
	struct reuse_node *v;
	int n;
	bool truncated;          /* more than the cap */
};
void store_reuse_list_free(struct reuse_list *l);

#define REUSE_LIST_MAX 500   /* direct reuses listed */
#define LINEAGE_UP_MAX 20    /* steps up from a record to its root */
#define LINEAGE_MAX 1000     /* nodes of a lineage */

/* The direct reuses of record id, oldest first: only the visible ones
 * (published or retracted) when visible_only, else all. 0 or -1. */
int store_reuses(db_t *db, int64_t id, bool visible_only, struct reuse_list *out);
/* Visible direct reuses of id and the distinct organisations owning them.
 * 0 or -1. */
int store_reuse_counts(db_t *db, int64_t id, int64_t *reuses, int64_t *orgs);
/* The lineage of record id: up through origin_id to the root (at most
 * LINEAGE_UP_MAX steps), then the whole tree under the root (recursive
 * CTE), ordered by depth then id, at most LINEAGE_MAX nodes, every state.
 * 0 or -1. */
int store_lineage(db_t *db, int64_t id, struct reuse_list *out);

/* An organisation's inbox (org_notice). Add: 1 inserted, 0 already there
 * (UNIQUE org, kind, usecase, other), -1 error. */
int store_notice_add(db_t *db, int64_t org_id, const char *kind, int64_t usecase_id, int64_t other_id,
                     const char *text);
struct notice_row {
	int64_t id, org_id, usecase_id, other_id;
	const char *org_name, *kind, *text, *at;
	const char *other_slug, *other_title, *other_state;   /* the reuse (may be NULL) */
	int64_t other_org_id;
};
typedef int (*notice_fn)(void *ctx, const struct notice_row *n);
/* Notices of the organisations org_ids[0..norgs) (norgs < 0: every
 * organisation), newest first, at most limit. Strings valid during the
 * callback. Returns the number of rows, or -1. */
int store_notices(db_t *db, const int64_t *org_ids, int norgs, int limit, notice_fn cb, void *ctx);
/* ==== Open-data exports (store_export.c) ==== */

/* One published record carrying indicators, for the Etalab impact export.
 * Strings belong to the store and are valid during the callback only. */
struct impact_export_row {
	int64_t id;
	const char *title;
	const char *doc;                 /* the stored doc, JSON text (all items: filter it) */
	const char *org_name, *org_kind, *org_code;   /* owner organisation */
};
typedef int (*impact_export_fn)(void *ctx, const struct impact_export_row *row);
/* Every published record whose doc has indicators, in id order; cb
 * returning non-zero stops. Returns the number of rows, or -1. */
int store_impact_export(db_t *db, impact_export_fn cb, void *ctx);

/* ---- record exports (issue 6, store_export.c; formats in export.h) ---- */
/* One visible record for the exports. Strings belong to the store and are
 * valid during the callback only. */
struct usecase_export_row {
	int64_t id;
	const char *state;               /* published | retracted */
	const char *json;                /* the stored API representation for the reader */
	size_t json_len;
	const char *org_kind, *org_code, *org_siren;   /* owner organisation */
	bool impact_label;               /* "impact démontré" awarded */
	int evidence;                    /* evidence score */
	int64_t origin_id;               /* the record it reuses, or 0 */
	int64_t reuses;                  /* its visible reuses */
};
typedef int (*usecase_export_fn)(void *ctx, const struct usecase_export_row *row);
/* Optional filters of an export (NULL / 0: any). */
struct export_filter {
	const char *theme, *status;      /* vocabulary codes */
	const char *state;               /* published | retracted */
	int64_t owner_org_id;
};
/* At most limit visible records (published, retracted) with id > after_id
 * matching flt (NULL: all), in id order, public representation or
 * (restricted) the agents' one; cb returning non-zero stops. Returns the
 * number of rows read, or -1. */
int store_usecase_export(db_t *db, bool restricted, const struct export_filter *flt, int64_t after_id, int limit,
                         usecase_export_fn cb, void *ctx);
/* Number of visible records (for the CLI's progress). 0 or -1. */
int store_usecase_export_count(db_t *db, int64_t *n);

/* ---- history export (issue 6, store_export.c; format in export_history.h) ---- */
/* One public version of a visible record. Strings belong to the store
 * and are valid during the callback only. */
struct history_export_row {
	int64_t id, version;
	const char *state, *at, *note;   /* the version's */
	const char *doc;                 /* the version's raw stored doc (filter it) */
	size_t doc_len;
	int64_t author_id;               /* 0: an import */
	const char *author_role;         /* NULL when author_id is 0 */
	bool author_member;              /* member of the record's current owner */
	const char *slug, *record_state; /* the record's, today */
	int64_t record_version;
	const char *created_at, *published_at, *retract_reason;
	int64_t origin_id;               /* the record it reuses, or 0 */
	const char *org_kind, *org_code, *org_siren, *org_name;   /* current owner */
};
typedef int (*history_export_fn)(void *ctx, const struct history_export_row *row);
/* At most limit public versions (published, retracted) of visible records
 * after (after_id, after_version), in (id, version) order; cb returning
 * non-zero stops. Returns the number of rows read, or -1. */
int store_history_export(db_t *db, int64_t after_id, int64_t after_version, int limit, history_export_fn cb,
                         void *ctx);
/* Number of those versions (for the CLI's progress). 0 or -1. */
int store_history_export_count(db_t *db, int64_t *n);
/* The first publication (min published_at) and the last change (max
 * updated_at) of a visible record, each into a buffer of sz bytes (""
 * when there is none). 0 or -1. */
int store_public_dates(db_t *db, char *first, char *last, size_t sz);
/* One published record of an organisation, for its CRPA inventory. */
struct inventory_row {
	int64_t id;
	const char *slug, *updated_at;
	const char *doc;                 /* raw stored doc (filter it) */
	size_t doc_len;
};
typedef int (*inventory_fn)(void *ctx, const struct inventory_row *row);
/* The published records of organisation org_id, in id order; cb returning
 * non-zero stops. Returns their number, or -1. */
int store_org_inventory(db_t *db, int64_t org_id, inventory_fn cb, void *ctx);

/* ==== Search ==== */

#define SEARCH_MAX_VALUES 8
/* Number of facets (search_facet_names[]); the 9th, impact_label (awarded |
 * none), was added by issue 5. */
#define SEARCH_NFACETS 9

/* One facet filter: a column and up to SEARCH_MAX_VALUES accepted values
 * (OR within a facet, AND across facets). */
struct search_filter {
	const char *facet;   /* theme, status, org_kind, region, departement, population_band, ai_technique,
	                        risk_level, impact_label */
	const char *values[SEARCH_MAX_VALUES];
	int nvalues;
};

struct search_query {
	const char *q;          /* user text, may be NULL */
	struct search_filter filters[SEARCH_NFACETS];
	int nfilters;
	int64_t owner_org_id;   /* 0: any */
	bool by_relevance;      /* else by last update */
	bool by_evidence;       /* strength of evidence first (usecase.evidence desc,
	                           then last update); wins over by_relevance */
	int page;               /* 1-based */
	int per_page;
	bool restricted;        /* reader may see restricted fields (not used for
	                           search: the index is public-only) */
	bool with_facets;
};

struct search_hit {
	int64_t id;
	char *slug, *title, *summary, *state, *theme, *status, *updated_at;
	char *owner_key, *owner_name, *owner_kind;
	char *snippet_html;      /* escaped HTML with <mark>, or NULL */
	bool impact_label;       /* "impact démontré" */
	int evidence;            /* strength of evidence (usecase.evidence) */
	int64_t origin_id;       /* the record it reuses, or 0 */
	int64_t reuses;          /* its visible (published or retracted) direct reuses
	                            (filled by search_run(), from the index; 0 from
	                            search_hit_load()) */
};

struct facet_count {
	char *value;
	char *label;
	int64_t count;
};

struct facet {
	const char *name;
	struct facet_count *counts;
	int ncounts;
};

struct search_result {
	int64_t total;
	struct search_hit *hits;
	int nhits;
	struct facet facets[SEARCH_NFACETS];
	int nfacets;
	char *fts;   /* the FTS5 expression used (for meta/debug), or NULL */
};

/* Facet names, in display order, and their vocabularies (NULL for région
 * and département, whose labels come from the organisation table). */
extern const char *const search_facet_names[SEARCH_NFACETS];
const struct vocab *search_facet_vocab(const char *facet);
const char *search_facet_label(const char *facet);

/* Validate a facet value (vocabulary code, or an INSEE code for région and
 * département). */
bool search_facet_value_ok(const char *facet, const char *value);

/* Run a search over public records (visible = 1), optionally only those of
 * owner_org_id. 0 or -1. */
int search_run(db_t *db, const struct search_query *sq, struct search_result *out);
void search_result_free(struct search_result *res);

/* Figures for the home page: published records, and distinct
 * organisations owning a public record. 0 or -1. */
struct store_figures {
	int64_t published;
	int64_t owners;
};
int store_figures(db_t *db, struct store_figures *f);

/* Read the page fields of public record id into h (owned strings; free
 * with search_hit_free). 1 found, 0 not, -1 error. For the lists built
 * outside search_run() (recommend.c, similar records). */
int search_hit_load(db_t *db, int64_t id, struct search_hit *h);
void search_hit_free(struct search_hit *h);

/* ==== Discovery (issue 5): "territoires comme le mien", similar records ==== */

/* Recommendations for one organisation (recommend.c): published records of
 * OTHER organisations of the same kind and population band, from the
 * search index (no SQL scan). Score (0..160, higher first; documented in
 * recommend.c): impact label 60, evidence level 10 each (0-3), 15 per
 * visible reuse up to 4, recency up to 20 (linear over two years); ties by
 * last update then id. */
#define RECO_MAX_PAGE 50
struct reco_query {
	int64_t org_id;
	const char *kind;        /* the organisation's kind (org.kind) */
	const char *band;        /* its population band (org_band()), NULL when unknown */
	const char *theme;       /* NULL: any theme */
	int page, per_page;
};
/* Reason codes: same_kind_band (always), impact_label, evidence (measured
 * or independent evidence without the label), reused, recent (updated
 * within 180 days), theme (the theme filter). */
#define RECO_MAX_REASONS 6
struct reco_hit {
	struct search_hit h;
	int score;
	bool label;
	int evidence_level;      /* 0-3 */
	int reuses;
	const char *reasons[RECO_MAX_REASONS];
	int nreasons;
};
struct reco_result {
	int64_t total;
	struct reco_hit *hits;
	int nhits;
};
int search_recommend(db_t *db, const struct reco_query *q, struct reco_result *out);
void reco_result_free(struct reco_result *res);

/* Similar records (recommend.c): up to n published records sharing words
 * (FTS5 over title and summary, OR of the record's significant words) and
 * themes with record id, excluding it and its reuses (its descendants).
 * Cached per (id, search index generation). Each item: the shared words
 * (folded, up to 4, comma-separated) and whether the theme is the same. */
#define SIMILAR_MAX 5
struct similar_item {
	struct search_hit h;
	bool same_theme;
	int shared_sub_themes;
	char words[160];         /* "compostage, collecte" (folded words), may be "" */
	double score;
};
struct similar_result {
	struct similar_item items[SIMILAR_MAX];
	int n;
};
int search_similar(db_t *db, int64_t id, struct similar_result *out);
/* The same for the record page: 1 when cached or computed inline (out
 * filled; inline under 10,000 records), 0 when not — then the computation
 * is queued for a background thread (own connection) and the next view
 * finds it — or -1. */
int search_similar_cached(db_t *db, int64_t id, struct similar_result *out);
void similar_result_free(struct similar_result *res);


/* ==== Library statistics (issue 7: store_stats.c) ====
 * Counts of VISIBLE records (published or retracted: what the public
 * library shows, like the search facets) grouped by one or two fixed
 * dimensions. The callback gets the group's keys (NULL when the value is
 * empty) and its count (groups in no particular order, except months:
 * ascending, undated last or first). Counted from the search index, like
 * the facets; months in SQL, cached per index generation. 0 or -1. */
enum stats_query {
	STATS_BY_THEME,        /* a = theme code */
	STATS_BY_STATUS,       /* a = status code */
	STATS_BY_KIND_STATUS,  /* a = organisation kind, b = status */
	STATS_BY_MONTH,        /* a = month of first publication, "YYYY-MM" */
	STATS_BY_DEPARTEMENT,  /* a = INSEE code of the owner's département */
	STATS_TOTAL,           /* one row, no key */
	STATS_BY_TECHNIQUE,    /* a = AI technique code (a record counts once per technique), NULL: none */
	STATS_BY_BAND,         /* a = population band of the owner */
	STATS_BY_REGION,       /* a = INSEE code of the owner's région */
	STATS_BY_LABEL,        /* a = "awarded" | "none" (the "impact démontré" label) */
	STATS_REUSES,          /* a = "reuses" (visible records that reuse another), "reused" (visible records reused at least once) */
};
typedef int (*stats_fn)(void *ctx, const char *a, const char *b, int64_t n);
int store_stats_count(db_t *db, enum stats_query q, stats_fn cb, void *ctx);

/* ==== Population of authorities for the survey weights (issue 7,
 * survey statistics: store_stats.c) ====
 * Counts of ACTIVE OFFICIAL organisations (the reference data) grouped by
 * kind, population band (org_band(); NULL when the population is
 * unknown), région and département (NULL when none). The survey engine
 * (survey_stats.h) sums them per kind × band (weights) and per kind, band,
 * région and département (finite population corrections, response
 * rates). Rows in no particular order. 0 or -1. */
typedef int (*stats_pop_fn)(void *ctx, const char *kind, const char *band, const char *region, const char *departement,
                            int64_t n);
int store_stats_population(db_t *db, stats_pop_fn cb, void *ctx);

/* ==== Survey campaigns and responses (issue 7 §1: store_survey.c) ====
 * A campaign is its validated iat-campaign/1 definition (survey.h) plus
 * copies of code, year, title and dates; a response is one organisation's
 * answers to one campaign (UNIQUE), draft or submitted. Every write is one
 * transaction. */
struct survey_def;
struct survey_campaign_row {
	int64_t id, year, drafts, submitted;
	const char *code, *title, *opens_on, *closes_on;
};
typedef int (*survey_campaign_fn)(void *ctx, const struct survey_campaign_row *row);
/* Every campaign, newest year first (then code), with its response
 * counts. cb returning non-zero stops. Returns the number of rows or -1. */
int store_survey_campaigns(db_t *db, survey_campaign_fn cb, void *ctx);
/* The same without the response counts (drafts and submitted are -1): no
 * read of the responses, for pages served at every request. */
int store_survey_campaigns_brief(db_t *db, survey_campaign_fn cb, void *ctx);
/* A number that changes with every write to any campaign or response
 * (meta 'survey_generation'): the key of the results cache. 0 or -1. */
int store_survey_generation(db_t *db, int64_t *gen);
/* Every response to campaign_id (drafts too: the engine ignores them) with
 * its organisation's kind, population band (org_band(); NULL: unknown),
 * région and département. Strings valid during the callback; cb returning
 * non-zero stops. Returns the number of rows or -1. */
struct survey_answers_row {
	const char *kind, *band, *region, *departement;
	bool submitted;
	const char *answers;
};
typedef int (*survey_response_fn)(void *ctx, const struct survey_answers_row *row);
int store_survey_responses(db_t *db, int64_t campaign_id, survey_response_fn cb, void *ctx);
/* The submitted responses whose organisation chose to publish them
 * (publish = 1), by organisation name; only the one of org_key
 * ("kind-code") when it is not NULL. Strings valid during the callback;
 * cb returning non-zero stops. Returns the number of rows or -1. */
struct survey_published_row {
	const char *kind, *code, *name, *answers, *submitted_at;
};
typedef int (*survey_published_fn)(void *ctx, const struct survey_published_row *row);
int store_survey_published(db_t *db, int64_t campaign_id, const char *org_key, survey_published_fn cb, void *ctx);
/* The campaign with this code: 1 with *id and *definition (heap JSON,
 * caller frees; either may be NULL), 0 when unknown, -1 error. */
int store_survey_campaign_get(db_t *db, const char *code, int64_t *id, char **definition);
/* Create the campaign d (old_code NULL) or replace campaign old_code by d
 * (its code may change). STORE_OK; STORE_INVALID with errs when d's code
 * belongs to another campaign, or when a question that has answers would
 * change kind or option codes or disappear (survey_def_check_change());
 * STORE_NOT_FOUND; STORE_ERR. Writes an audit entry. dry_run: every check,
 * then the transaction is rolled back. */
int store_survey_campaign_save(db_t *db, const char *old_code, const struct survey_def *d, int64_t user_id,
                               bool dry_run, struct verrors *errs);
struct survey_response_row {
	int64_t id;
	char state[12];          /* draft | submitted */
	char *answers;           /* heap JSON object */
	bool publish;
	char *updated_at, *submitted_at;   /* heap; submitted_at may be NULL */
};
/* 1 found, 0 none, -1 error. Free with store_survey_response_free(). */
int store_survey_response_get(db_t *db, int64_t campaign_id, int64_t org_id, struct survey_response_row *out);
void store_survey_response_free(struct survey_response_row *r);
/* Write an organisation's answers (already validated JSON). submit: the
 * state becomes submitted (and submitted_at/by are set); otherwise the
 * state is unchanged (a new response is a draft): a submitted response
 * edited stays submitted. 0 or -1. */
int store_survey_response_save(db_t *db, int64_t campaign_id, int64_t org_id, const char *answers, bool publish,
                               bool submit, int64_t user_id);
/* The active organisations targeted by d (survey_targets()), in kind then
 * name order, with the state of their response to campaign_id (NULL:
 * none). Strings valid during the callback. Returns the number or -1. */
struct survey_target_row {
	int64_t org_id;
	const char *name, *kind, *code, *siren, *region, *departement, *band, *state;
};
typedef int (*survey_target_fn)(void *ctx, const struct survey_target_row *row);
int store_survey_targets(db_t *db, int64_t campaign_id, const struct survey_def *d, survey_target_fn cb, void *ctx);

#endif
