/*
 * search_index.h — the in-process index of every record's filter and facet
 * values, used by search.c so that a search never reads record rows to
 * filter or count facets.
 *
 * Design notes
 * - One index per process (for the database it was last loaded from),
 *   an array indexed by record id: 64 bytes per record (6.4 MB for 100k).
 * - Issue 5 added to each row what the discovery features need without
 *   reading records: the "impact démontré" label (also the 9th facet,
 *   impact_label: awarded | none), the strength of evidence
 *   (usecase.evidence, for sort=evidence and the recommendations), the
 *   origin of a reuse (usecase.origin_id) and the number of visible
 *   reuses of the record. That count is not a column: it is recomputed
 *   from the origins after every (re)load (one pass over the rows, ~0.2 ms
 *   for 100k), because creating a reuse writes the reuse's row only.
 * - Kept fresh with the 'generation' counter of the meta table: every write
 *   bumps it and stamps the rows it touched with it (usecase.rev), so
 *   sidx_acquire() reloads only rows with rev greater than the generation
 *   the index holds — also for writes made by another process (the CLI).
 * - Facet values are interned per facet into small dictionaries (value
 *   index 1..n; 0 = no value); ai_technique is a bitmask.
 * - The database file must not be replaced under a running process (a
 *   restore needs a restart, as for SQLite itself).
 * - Readers hold a shared lock between sidx_acquire() and sidx_release();
 *   the reload takes it exclusively.
 */
#ifndef IAT_SEARCH_INDEX_H
#define IAT_SEARCH_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

#define SIDX_FACETS 9       /* = SEARCH_NFACETS (store.h) */
#define SIDX_TECH 6          /* the facet stored as a bitmask */
#define SIDX_LABEL 8         /* the facet of the impact label (awarded | none) */
#define SIDX_MAX_VALUES 1024 /* per facet dictionary */

struct sidx_row {
	int64_t updated;         /* YYYYMMDDHHMMSS */
	int64_t owner;           /* owner organisation id */
	uint64_t tech;           /* ai_technique bitmask */
	uint32_t len;            /* tokens of the indexed text (usecase.doclen) */
	uint32_t origin;         /* the record this one reuses (usecase.origin_id), 0: none */
	uint16_t val[SIDX_FACETS];
	uint16_t evidence;       /* strength of evidence (usecase.evidence, 0..1399) */
	uint16_t reuses;         /* visible records whose origin is this one */
	uint8_t present;
	uint8_t visible;         /* published or retracted */
	uint8_t published;
	uint8_t label;           /* "impact démontré" (usecase.impact_label) */
};

/* Make the index current for db and take the shared lock. 0, or -1 on a
 * database error (no lock held then). */
int sidx_acquire(db_t *db);
void sidx_release(void);

/* Row of record id, or NULL (unknown id). Only between acquire/release. */
const struct sidx_row *sidx_get(int64_t id);
/* A number that changes whenever the index content changes (a reload
 * after a write, or another database): anything computed from the index
 * stays valid while it is unchanged. Between acquire/release. */
int64_t sidx_generation(void);
/* Highest id + 1 (for full scans). */
int64_t sidx_end(void);
/* Code of value v (1-based) of facet f; NULL if out of range. */
const char *sidx_value(int f, unsigned v);
/* Value index (1-based) of code in facet f, 0 if the index has never seen
 * it. */
unsigned sidx_lookup(int f, const char *code);
/* Number of values in facet f's dictionary. */
unsigned sidx_nvalues(int f);

/* Length of record id's indexed text divided by the average length over
 * all records (for BM25's length normalisation in fts_rank.c); 1.0 when
 * unknown. Only between acquire/release. */
double sidx_len_ratio(int64_t id);

#endif
