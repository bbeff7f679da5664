/*
 * store_export.c — reading records for the open-data exports (today: the
 * Etalab impact CSV, api_export_impact.c).
 *
 * Design notes
 * - One statement walks the published records that carry indicators, in
 *   id order, with their owner organisation; the document is handed to the
 *   callback as JSON text (the caller parses it and filters it through
 *   model_value_for_reader, like every reader-facing output).
 * - The prefilter instr(doc, '"indicators"') is exact enough: the stored
 *   doc is canonical JSON written by us, where a quote inside a string is
 *   escaped, so the quoted key can only be the key (or a string equal to
 *   it, which the caller's parse then ignores). It saves parsing the JSON
 *   of records without indicators in SQL.
 * - Runs inside the request's read transaction (R_READ), so the export is
 *   one consistent snapshot.
 */
#include <sqlite3.h>

#include "store.h"

int store_impact_export(db_t *db, impact_export_fn cb, void *ctx)
{
	sqlite3_stmt *st = db_stmt(db,
	                           "SELECT u.id, u.title, b.doc, o.name, o.kind, o.code "
	                           "FROM usecase u JOIN usecase_blob b ON b.id = u.id "
	                           "JOIN organisation o ON o.id = u.owner_org_id "
	                           "WHERE u.state = 'published' AND instr(b.doc, '\"indicators\"') > 0 "
	                           "ORDER BY u.id");
	if (!st) return -1;
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct impact_export_row row = {
			.id = sqlite3_column_int64(st, 0),
			.title = (const char *)sqlite3_column_text(st, 1),
			.doc = (const char *)sqlite3_column_text(st, 2),
			.org_name = (const char *)sqlite3_column_text(st, 3),
			.org_kind = (const char *)sqlite3_column_text(st, 4),
			.org_code = (const char *)sqlite3_column_text(st, 5),
		};
		n++;
		if (cb(ctx, &row)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		db_error(db, "impact export");
		db_reset(st);
		return -1;
	}
	db_reset(st);
	return n;
}
