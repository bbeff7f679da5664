/*
 * store_reuse.c — SQLite implementation of the reuse part of store.h:
 * direct reuses of a record, its lineage, and the organisations' inbox
 * (org_notice).
 *
 * Design notes
 * - The links are usecase.origin_id, written once at creation
 *   (store_usecase_save with uc_save.origin_id), so they form a forest:
 *   no cycle is possible. The walks are bounded anyway (LINEAGE_UP_MAX
 *   steps up, 64 levels down, LINEAGE_MAX nodes), so a damaged database
 *   cannot make a request loop or grow without bound.
 * - Nothing here decides who may see a node: every node comes with its
 *   state, visibility and owner, and the callers filter with
 *   auth_can_read_usecase() (reuse.c holds the lineage rule). The listing
 *   of direct reuses can be asked for visible records only, which is what
 *   every public output uses.
 * - Reads use the partial index usecase_origin (origin_id IS NOT NULL).
 * - Memory: nodes own heap copies of their strings; free the list with
 *   store_reuse_list_free(). Notice rows are valid during the callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"

static char *dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

void store_reuse_list_free(struct reuse_list *l)
{
	for (int i = 0; i < l->n; i++) {
		struct reuse_node *x = &l->v[i];
		free(x->slug);
		free(x->title);
		free(x->state);
		free(x->status);
		free(x->org_key);
		free(x->org_name);
		free(x->org_kind);
		free(x->org_departement);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* The columns every node query selects, after its own (id, parent, depth):
 * from usecase u and organisation o. */
#define NODE_COLS                                                                                          \
	"u.slug, u.title, u.state, u.status, u.visible, u.impact_label, o.id, o.kind || '-' || "             \
	"coalesce(o.code, o.siren, ''), o.name, o.kind, CASE WHEN o.kind = 'departement' THEN o.code ELSE "   \
	"o.departement END"

/* Read rows (id, parent, depth, NODE_COLS) into out, at most max. 0 or -1. */
static int read_nodes(db_t *db, sqlite3_stmt *st, int max, struct reuse_list *out)
{
	int rc, cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n >= max) {
			out->truncated = true;
			break;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xrealloc(out->v, sizeof *out->v * (size_t)cap);
		}
		struct reuse_node *x = &out->v[out->n++];
		memset(x, 0, sizeof *x);
		x->id = sqlite3_column_int64(st, 0);
		x->parent = sqlite3_column_int64(st, 1);
		x->depth = sqlite3_column_int(st, 2);
		x->slug = dup_col(st, 3);
		x->title = dup_col(st, 4);
		x->state = dup_col(st, 5);
		x->status = dup_col(st, 6);
		x->visible = sqlite3_column_int(st, 7) != 0;
		x->impact_label = sqlite3_column_int(st, 8) != 0;
		x->org_id = sqlite3_column_int64(st, 9);
		x->org_key = dup_col(st, 10);
		x->org_name = dup_col(st, 11);
		x->org_kind = dup_col(st, 12);
		x->org_departement = dup_col(st, 13);
		if (!x->slug) x->slug = xstrdup("");
		if (!x->title) x->title = xstrdup("");
		if (!x->state) x->state = xstrdup("draft");
		if (!x->org_key) x->org_key = xstrdup("");
		if (!x->org_name) x->org_name = xstrdup("");
		if (!x->org_kind) x->org_kind = xstrdup("");
	}
	int ret = 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) ret = db_error(db, "reuse nodes");
	db_reset(st);
	if (ret < 0) store_reuse_list_free(out);
	return ret;
}

int store_reuses(db_t *db, int64_t id, bool visible_only, struct reuse_list *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT u.id, u.origin_id, 1, " NODE_COLS " FROM usecase u JOIN organisation o ON o.id = u.owner_org_id "
	    "WHERE u.origin_id = ?1 AND (?2 = 0 OR u.visible = 1) ORDER BY u.id LIMIT ?3");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, visible_only);
	db_bind_int(st, 3, REUSE_LIST_MAX + 1);
	return read_nodes(db, st, REUSE_LIST_MAX, out);
}

int store_reuse_counts(db_t *db, int64_t id, int64_t *reuses, int64_t *orgs)
{
	*reuses = *orgs = 0;
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT count(*), count(DISTINCT owner_org_id) FROM usecase WHERE origin_id = ?1 AND visible = 1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	int rc = sqlite3_step(st);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		*reuses = sqlite3_column_int64(st, 0);
		*orgs = sqlite3_column_int64(st, 1);
	} else {
		ret = db_error(db, "reuse counts");
	}
	db_reset(st);
	return ret;
}

int store_lineage(db_t *db, int64_t id, struct reuse_list *out)
{
	memset(out, 0, sizeof *out);
	/* up: the farthest ancestor within LINEAGE_UP_MAX steps */
	sqlite3_stmt *st = db_stmt(db,
	    "WITH RECURSIVE up(id, origin, n) AS ("
	    " SELECT id, origin_id, 0 FROM usecase WHERE id = ?1"
	    " UNION ALL SELECT u.id, u.origin_id, up.n + 1 FROM usecase u JOIN up ON u.id = up.origin"
	    " WHERE up.n < ?2) "
	    "SELECT id FROM up ORDER BY n DESC LIMIT 1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, LINEAGE_UP_MAX);
	int64_t root = 0;
	int rc = db_one_int(st, &root);
	if (rc < 0) return -1;
	if (rc == 0) return 0; /* no such record: empty lineage */
	/* down: the whole tree under the root */
	st = db_stmt(db,
	    "WITH RECURSIVE down(id, parent, depth) AS ("
	    " SELECT id, 0, 0 FROM usecase WHERE id = ?1"
	    " UNION ALL SELECT u.id, u.origin_id, down.depth + 1 FROM usecase u JOIN down ON u.origin_id = down.id"
	    " WHERE down.depth < 64) "
	    "SELECT d.id, d.parent, d.depth, " NODE_COLS " FROM down d JOIN usecase u ON u.id = d.id "
	    "JOIN organisation o ON o.id = u.owner_org_id ORDER BY d.depth, d.id LIMIT ?2");
	if (!st) return -1;
	db_bind_int(st, 1, root);
	db_bind_int(st, 2, LINEAGE_MAX + 1);
	return read_nodes(db, st, LINEAGE_MAX, out);
}

/* ==== Inbox ==== */

int store_notice_add(db_t *db, int64_t org_id, const char *kind, int64_t usecase_id, int64_t other_id,
                     const char *text)
{
	char now[21];
	iso8601_utc(now_unix(), now);
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO org_notice(org_id, kind, usecase_id, other_id, text, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT(org_id, kind, usecase_id, other_id) DO NOTHING RETURNING id");
	if (!st) return -1;
	db_bind_int(st, 1, org_id);
	db_bind_text(st, 2, kind);
	db_bind_int(st, 3, usecase_id);
	db_bind_int(st, 4, other_id);
	db_bind_text(st, 5, text);
	db_bind_text(st, 6, now);
	int64_t nid = 0;
	return db_one_int(st, &nid);
}

int store_notices(db_t *db, const int64_t *org_ids, int norgs, int limit, notice_fn cb, void *ctx)
{
	/* the organisations as a JSON array of ids, bound (NULL: every one) */
	buf_t ids = BUF_INIT;
	if (norgs >= 0) {
		buf_puts(&ids, "[");
		for (int i = 0; i < norgs; i++) buf_fmt(&ids, "%R%D", i ? "," : "", org_ids[i]);
		buf_puts(&ids, "]");
	}
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT n.id, n.org_id, coalesce(n.usecase_id, 0), coalesce(n.other_id, 0), o.name, n.kind, n.text, n.at, "
	    "u.slug, u.title, u.state, coalesce(u.owner_org_id, 0) "
	    "FROM org_notice n JOIN organisation o ON o.id = n.org_id LEFT JOIN usecase u ON u.id = n.other_id "
	    "WHERE ?1 IS NULL OR n.org_id IN (SELECT value FROM json_each(?1)) ORDER BY n.id DESC LIMIT ?2");
	int count = -1;
	if (!st) goto out;
	db_bind_text(st, 1, norgs >= 0 ? buf_cstr(&ids) : NULL);
	db_bind_int(st, 2, limit);
	int rc;
	count = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct notice_row n = {
			.id = sqlite3_column_int64(st, 0),
			.org_id = sqlite3_column_int64(st, 1),
			.usecase_id = sqlite3_column_int64(st, 2),
			.other_id = sqlite3_column_int64(st, 3),
			.org_name = (const char *)sqlite3_column_text(st, 4),
			.kind = (const char *)sqlite3_column_text(st, 5),
			.text = (const char *)sqlite3_column_text(st, 6),
			.at = (const char *)sqlite3_column_text(st, 7),
			.other_slug = (const char *)sqlite3_column_text(st, 8),
			.other_title = (const char *)sqlite3_column_text(st, 9),
			.other_state = (const char *)sqlite3_column_text(st, 10),
			.other_org_id = sqlite3_column_int64(st, 11),
		};
		count++;
		if (cb(ctx, &n)) break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) count = db_error(db, "notices");
	db_reset(st);
out:
	buf_free(&ids);
	return count;
}
