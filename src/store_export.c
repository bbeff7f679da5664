/*
 * store_export.c — reading records for the open-data exports: the
 * Etalab impact CSV (api_export_impact.c), the record exports (export.c),
 * the history export (export_history.c), the catalogue's dates
 * (opendata.c) and an authority's CRPA inventory (page_inventory.c).
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
#include <stdio.h>

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

/* ==== The record exports (issue 6, export.c) ====
 * Batches in id order from a cursor (id > after_id), visible records only
 * (published or retracted: the SQL filter; the caller checks the state
 * again through auth_can_export_usecase()). The text handed over is the
 * stored API representation for the reader: json_public, or json_agent
 * for readers of restricted fields (both rendered by model_render_json(),
 * i.e. through model_value_for_reader()). The count of visible reuses is
 * one probe of the usecase_origin index per row. "+u.visible" keeps
 * SQLite on the primary key (id > cursor, in order): with the
 * (visible, updated_at) index it would read and sort every visible row
 * for each batch (80 s instead of a few seconds for 100k records). Each batch is one
 * statement, so one consistent read; the server reads the next batch
 * only when the client has taken the previous one. Optional filters
 * (theme, status, state, owner) on the row's own columns: the "?N IS NULL
 * OR" form keeps the walk on the primary key, each row read once. */
int store_usecase_export(db_t *db, bool restricted, const struct export_filter *flt, int64_t after_id, int limit,
                         usecase_export_fn cb, void *ctx)
{
	static const struct export_filter none = { 0 };
	if (!flt) flt = &none;
	sqlite3_stmt *st = db_stmt(db, restricted
	    ? "SELECT u.id, u.state, b.json_agent, o.kind, o.code, o.siren, u.impact_label, u.evidence, u.origin_id, "
	      "(SELECT count(*) FROM usecase r WHERE r.origin_id = u.id AND r.visible = 1) "
	      "FROM usecase u JOIN usecase_blob b ON b.id = u.id JOIN organisation o ON o.id = u.owner_org_id "
	      "WHERE u.id > ?1 AND +u.visible = 1 AND (?3 IS NULL OR u.theme = ?3) AND (?4 IS NULL OR u.status = ?4) "
	      "AND (?5 IS NULL OR u.state = ?5) AND (?6 = 0 OR u.owner_org_id = ?6) ORDER BY u.id LIMIT ?2"
	    : "SELECT u.id, u.state, b.json_public, o.kind, o.code, o.siren, u.impact_label, u.evidence, u.origin_id, "
	      "(SELECT count(*) FROM usecase r WHERE r.origin_id = u.id AND r.visible = 1) "
	      "FROM usecase u JOIN usecase_blob b ON b.id = u.id JOIN organisation o ON o.id = u.owner_org_id "
	      "WHERE u.id > ?1 AND +u.visible = 1 AND (?3 IS NULL OR u.theme = ?3) AND (?4 IS NULL OR u.status = ?4) "
	      "AND (?5 IS NULL OR u.state = ?5) AND (?6 = 0 OR u.owner_org_id = ?6) ORDER BY u.id LIMIT ?2");
	if (!st) return -1;
	db_bind_int(st, 1, after_id);
	db_bind_int(st, 2, limit);
	db_bind_text(st, 3, flt->theme);
	db_bind_text(st, 4, flt->status);
	db_bind_text(st, 5, flt->state);
	db_bind_int(st, 6, flt->owner_org_id);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct usecase_export_row row = {
			.id = sqlite3_column_int64(st, 0),
			.state = (const char *)sqlite3_column_text(st, 1),
			.json = (const char *)sqlite3_column_text(st, 2),
			.json_len = (size_t)sqlite3_column_bytes(st, 2),
			.org_kind = (const char *)sqlite3_column_text(st, 3),
			.org_code = (const char *)sqlite3_column_text(st, 4),
			.org_siren = (const char *)sqlite3_column_text(st, 5),
			.impact_label = sqlite3_column_int(st, 6) != 0,
			.evidence = sqlite3_column_int(st, 7),
			.origin_id = sqlite3_column_int64(st, 8),
			.reuses = sqlite3_column_int64(st, 9),
		};
		n++;
		if (cb(ctx, &row)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		db_error(db, "usecase export");
		db_reset(st);
		return -1;
	}
	db_reset(st);
	return n;
}

int store_usecase_export_count(db_t *db, int64_t *n)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM usecase WHERE visible = 1");
	if (!st) return -1;
	*n = 0;
	return db_one_int(st, n) < 0 ? -1 : 0;
}

/* ==== The history export (issue 6, export_history.c) ====
 * Every public version (state published or retracted) of every visible
 * record, in (record id, version) order from a cursor, as the raw stored
 * doc of that version: the caller filters it through
 * model_doc_for_reader() with the reader's rights. The row value
 * comparison walks the UNIQUE (usecase_id, version) index from the cursor;
 * each batch is one statement (one consistent read). The author's kind
 * (import, team, member of the current owner, contributor) is the
 * versions API's (history_author_kind()). The unary "+" keep SQLite on
 * that index: with usecase_visible_updated or usecase_version_state it
 * read every visible record and sorted them for each batch (134 s for
 * the 100k-record bench database instead of a few seconds). */
int store_history_export(db_t *db, int64_t after_id, int64_t after_version, int limit, history_export_fn cb,
                         void *ctx)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT v.usecase_id, v.version, v.state, v.at, v.note, v.doc, v.user_id, usr.role, "
	    " EXISTS (SELECT 1 FROM membership m WHERE m.user_id = v.user_id AND m.org_id = u.owner_org_id), "
	    " u.slug, u.state, u.version, u.created_at, u.published_at, u.retract_reason, u.origin_id, "
	    " o.kind, o.code, o.siren, o.name "
	    "FROM usecase_version v JOIN usecase u ON u.id = v.usecase_id "
	    "JOIN organisation o ON o.id = u.owner_org_id LEFT JOIN user usr ON usr.id = v.user_id "
	    "WHERE (v.usecase_id, v.version) > (?1, ?2) AND +u.visible = 1 AND +v.state IN ('published', 'retracted') "
	    "ORDER BY v.usecase_id, v.version LIMIT ?3");
	if (!st) return -1;
	db_bind_int(st, 1, after_id);
	db_bind_int(st, 2, after_version);
	db_bind_int(st, 3, limit);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct history_export_row row = {
			.id = sqlite3_column_int64(st, 0),
			.version = sqlite3_column_int64(st, 1),
			.state = (const char *)sqlite3_column_text(st, 2),
			.at = (const char *)sqlite3_column_text(st, 3),
			.note = (const char *)sqlite3_column_text(st, 4),
			.doc = (const char *)sqlite3_column_text(st, 5),
			.doc_len = (size_t)sqlite3_column_bytes(st, 5),
			.author_id = sqlite3_column_type(st, 6) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 6),
			.author_role = (const char *)sqlite3_column_text(st, 7),
			.author_member = sqlite3_column_int(st, 8) != 0,
			.slug = (const char *)sqlite3_column_text(st, 9),
			.record_state = (const char *)sqlite3_column_text(st, 10),
			.record_version = sqlite3_column_int64(st, 11),
			.created_at = (const char *)sqlite3_column_text(st, 12),
			.published_at = (const char *)sqlite3_column_text(st, 13),
			.retract_reason = (const char *)sqlite3_column_text(st, 14),
			.origin_id = sqlite3_column_int64(st, 15),
			.org_kind = (const char *)sqlite3_column_text(st, 16),
			.org_code = (const char *)sqlite3_column_text(st, 17),
			.org_siren = (const char *)sqlite3_column_text(st, 18),
			.org_name = (const char *)sqlite3_column_text(st, 19),
		};
		n++;
		if (cb(ctx, &row)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		db_error(db, "history export");
		db_reset(st);
		return -1;
	}
	db_reset(st);
	return n;
}

int store_history_export_count(db_t *db, int64_t *n)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT count(*) FROM usecase_version v JOIN usecase u ON u.id = v.usecase_id "
	    "WHERE u.visible = 1 AND v.state IN ('published', 'retracted')");
	if (!st) return -1;
	*n = 0;
	return db_one_int(st, n) < 0 ? -1 : 0;
}

/* ==== Open-data catalogue and CRPA inventory (issue 6) ==== */

int store_public_dates(db_t *db, char *first, char *last, size_t sz)
{
	/* max: one step of usecase_visible_updated; min(published_at) reads
	 * the visible rows (no index on it: 50 ms for 100k records, for two
	 * rarely read documents that carry an ETag) */
	sqlite3_stmt *st = db_stmt(db, "SELECT (SELECT min(published_at) FROM usecase WHERE visible = 1), "
	                               "(SELECT max(updated_at) FROM usecase WHERE visible = 1)");
	if (!st) return -1;
	first[0] = last[0] = 0;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			snprintf(first, sz, "%s", (const char *)sqlite3_column_text(st, 0));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			snprintf(last, sz, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	db_reset(st);
	if (rc != SQLITE_ROW) {
		db_error(db, "public dates");
		return -1;
	}
	return 0;
}

/* The published records of one organisation for its CRPA inventory, in id
 * order, with their raw doc (the caller filters it through
 * model_doc_for_reader()). An organisation has few records: one
 * statement. */
int store_org_inventory(db_t *db, int64_t org_id, inventory_fn cb, void *ctx)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT u.id, u.slug, u.updated_at, b.doc FROM usecase u JOIN usecase_blob b ON b.id = u.id "
	    "WHERE u.owner_org_id = ?1 AND u.state = 'published' ORDER BY u.id");
	if (!st) return -1;
	db_bind_int(st, 1, org_id);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct inventory_row row = {
			.id = sqlite3_column_int64(st, 0),
			.slug = (const char *)sqlite3_column_text(st, 1),
			.updated_at = (const char *)sqlite3_column_text(st, 2),
			.doc = (const char *)sqlite3_column_text(st, 3),
			.doc_len = (size_t)sqlite3_column_bytes(st, 3),
		};
		n++;
		if (cb(ctx, &row)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		db_error(db, "org inventory");
		db_reset(st);
		return -1;
	}
	db_reset(st);
	return n;
}
