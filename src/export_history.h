/*
 * export_history.h — the history export (issue 6, section 3): every
 * public version of every public record, with its timestamp, as JSON
 * Lines (one version per line) or CSV.
 *
 * Design notes
 * - Which versions: those of visible records (published or retracted
 *   today) whose own state was published or retracted
 *   (auth_can_export_version(): the versions a visitor sees in the
 *   public history, GET /api/v1/usecases/{id}/versions). Drafts,
 *   submissions and versions with changes requested never leave the
 *   site, not even in the agents' export (like the record export).
 * - What of each version: its canonical doc (field name → value, codes of
 *   the vocabularies, organisations as keys) through
 *   model_doc_for_reader(): restricted fields, restricted indicator and
 *   kit items and raw source values of restricted columns in the
 *   provenance are absent unless the export is the agents' one.
 * - Each line stands alone, so `iat import iat-json` can rebuild the
 *   records and their history from it: the record's id, slug, creation
 *   and first publication dates, the owner at that version (key, SIREN,
 *   name, kind, INSEE code: resolved from the version doc's owner key;
 *   the record's current owner when that key is unknown), the id of the
 *   record it reuses (reuse_of, set at creation, so the same on every
 *   line of a record) and the schema version of the line.
 * - Example (one line, wrapped here):
 *     {"schema_version":"1.1","id":12,"version":3,"state":"published",
 *      "at":"2026-03-02T10:00:00Z","note":null,"author_kind":"member",
 *      "slug":"tri-du-courrier","url":"https://iat.example/fiches/12-tri-du-courrier",
 *      "created_at":"2026-03-01T09:00:00Z","published_at":"2026-03-02T10:00:00Z",
 *      "retract_reason":null,
 *      "owner":{"id":"commune-69123","name":"Lyon","kind":"commune",
 *               "siren":"216901231","insee_code":"69123"},
 *      "reuse_of":null,
 *      "doc":{"title":"Tri du courrier","owner":"commune-69123","status":"deployed",...}}
 *   doc/api.md ("History export") describes every member.
 * - CSV: the same versions, one per row: the history columns
 *   (export_history_meta_columns[]) then the field columns of the record
 *   CSV (export_field_cells(), same cells, same formula neutralisation).
 * - Pure formatting except the owner lookup (org_find() on the caller's
 *   connection, one cached entry: consecutive versions share their owner).
 */
#ifndef IAT_EXPORT_HISTORY_H
#define IAT_EXPORT_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "export.h"
#include "store.h"

struct history_writer {
	bool csv;                 /* CSV (RFC 4180), else JSON Lines */
	bool restricted;          /* agents' export */
	const char *base_url;     /* "" or NULL: URLs are site paths */
	db_t *db;                 /* for the owner lookup */
	int64_t rows;
	/* cache of the last owner looked up (owned) */
	char *cache_key;
	char *cache_name, *cache_kind, *cache_siren, *cache_insee;
	bool cache_found;
};

/* The history columns of the CSV (then come the field columns). */
extern const struct export_meta_column export_history_meta_columns[];
extern const size_t export_history_nmeta_columns;
/* Every column of the history CSV for this reader, in file order. */
int export_history_columns(bool restricted, export_column_fn cb, void *ctx);

/* The start of the file (CSV: the header line; JSON Lines: nothing). */
void export_history_begin(struct history_writer *w, buf_t *b);
/* One version. 0, or -1 when its stored doc does not parse (then nothing
 * is written; logged). */
int export_history_row(struct history_writer *w, buf_t *b, const struct history_export_row *row);
/* Free the writer's cache. */
void export_history_free(struct history_writer *w);
/* iat-historique[-agents]-AAAA-MM-JJ.jsonl|csv */
void export_history_filename(const struct history_writer *w, char *out, size_t outsz);

#endif
