/*
 * history.c — versions of a record, field-level differences, authors, and
 * the audit log (see history.h).
 *
 * Design notes
 * - Reads only; every statement binds its values and is reset before
 *   returning (db_stmt caches them per connection).
 * - A record's history is small (one row per save), so it is loaded whole,
 *   docs included, and the differences are computed in memory.
 * - Membership of an author is today's (membership table): the schema does
 *   not keep past memberships. An author who left the organisation is
 *   then shown as "un contributeur" to the public.
 */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

int history_load(db_t *db, int64_t usecase_id, int64_t owner_org_id, struct uc_version **out)
{
	*out = NULL;
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT v.version, v.state, v.at, v.note, v.user_id, u.name, u.email, u.role, "
	    " EXISTS (SELECT 1 FROM membership m WHERE m.user_id = v.user_id AND m.org_id = ?2), v.doc "
	    "FROM usecase_version v LEFT JOIN user u ON u.id = v.user_id "
	    "WHERE v.usecase_id = ?1 ORDER BY v.version");
	if (!st) return -1;
	db_bind_int(st, 1, usecase_id);
	db_bind_int(st, 2, owner_org_id);
	struct uc_version *v = NULL;
	int n = 0, cap = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xrealloc(v, (size_t)cap * sizeof *v);
		}
		struct uc_version *x = &v[n];
		memset(x, 0, sizeof *x);
		x->version = sqlite3_column_int64(st, 0);
		x->state = col_dup(st, 1);
		x->at = col_dup(st, 2);
		x->note = col_dup(st, 3);
		x->user_id = sqlite3_column_type(st, 4) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 4);
		x->user_name = col_dup(st, 5);
		x->user_email = col_dup(st, 6);
		x->user_role = col_dup(st, 7);
		x->user_member = sqlite3_column_int(st, 8) != 0;
		json_error_t jerr;
		const char *dj = (const char *)sqlite3_column_text(st, 9);
		x->doc = dj ? json_loads(dj, 0, &jerr) : NULL;
		if (!x->doc) {
			log_warn("usecase %lld version %lld: unreadable doc", (long long)usecase_id, (long long)x->version);
			x->doc = json_object();
		}
		n++;
	}
	db_reset(st);
	if (rc != SQLITE_DONE) {
		db_error(db, "history load");
		history_free(v, n);
		return -1;
	}
	*out = v;
	return n;
}

void history_free(struct uc_version *v, int n)
{
	if (!v) return;
	for (int i = 0; i < n; i++) {
		free(v[i].state);
		free(v[i].at);
		free(v[i].note);
		free(v[i].user_name);
		free(v[i].user_email);
		free(v[i].user_role);
		json_decref(v[i].doc);
		json_decref(v[i].raw);
	}
	free(v);
}

int64_t history_count(db_t *db, int64_t usecase_id, bool all)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT count(*) FROM usecase_version WHERE usecase_id = ?1 "
	    "AND (?2 OR state IN ('published', 'retracted'))");
	if (!st) return -1;
	db_bind_int(st, 1, usecase_id);
	db_bind_int(st, 2, all);
	int64_t n = 0;
	if (db_one_int(st, &n) < 0) return -1;
	return n;
}

/* ==== Differences ==== */

bool history_empty(const json_t *v)
{
	if (!v || json_is_null(v)) return true;
	if (json_is_string(v)) return json_string_length(v) == 0;
	if (json_is_array(v)) return json_array_size(v) == 0;
	return false;
}

bool history_field_differs(const struct field *f, const json_t *a, const json_t *b)
{
	const json_t *va = a ? json_object_get(a, f->name) : NULL;
	const json_t *vb = b ? json_object_get(b, f->name) : NULL;
	bool ea = history_empty(va), eb = history_empty(vb);
	if (ea || eb) return ea != eb;
	return !json_equal((json_t *)va, (json_t *)vb);
}

void history_filter(struct uc_version *v, int n, bool restricted)
{
	if (restricted) return;
	for (int i = 0; i < n; i++) {
		/* only the item lists: restricted fields stay, the readers of
		 * the docs hide them (and count them) with model_field_visible() */
		json_t *d = json_deep_copy(v[i].doc);
		for (size_t k = 0; k < model_nfields; k++) {
			const struct field *f = &model_fields[k];
			if (f->type != F_INDICATORS && f->type != F_KIT) continue;
			json_t *x = model_value_for_reader(f, json_object_get(d, f->name), false);
			if (x) json_object_set_new(d, f->name, x);
			else json_object_del(d, f->name);
		}
		v[i].raw = v[i].doc;
		v[i].doc = d;
	}
}

int history_hidden_items(const struct uc_version *a, const struct uc_version *b)
{
	if (!b->raw) return 0;
	int n = 0;
	for (size_t k = 0; k < model_nfields; k++) {
		const struct field *f = &model_fields[k];
		if (f->type != F_INDICATORS && f->type != F_KIT) continue;
		if (history_field_differs(f, a ? a->raw : NULL, b->raw) &&
		    !history_field_differs(f, a ? a->doc : NULL, b->doc))
			n++;
	}
	return n;
}

int history_diff(const json_t *a, const json_t *b, bool restricted, const struct field **out, int max,
                 int *hidden)
{
	int n = 0, h = 0;
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		if (!history_field_differs(f, a, b)) continue;
		if (!model_field_visible(f, restricted)) {
			h++;
			continue;
		}
		if (n < max) out[n] = f;
		n++;
	}
	if (hidden) *hidden = h;
	return n < max ? n : max;
}

/* ==== Authors ==== */

static bool is_team(const struct uc_version *v)
{
	return v->user_role && (strcmp(v->user_role, "curator") == 0 || strcmp(v->user_role, "admin") == 0);
}

const char *history_author_kind(const struct uc_version *v)
{
	if (!v->user_id) return "import";
	if (is_team(v)) return "team";
	if (v->user_member) return "member";
	return "contributor";
}

char *history_author(const struct uc_version *v, bool show_names, const char *org_name)
{
	if (!v->user_id) return xstrdup("import");
	if (show_names) {
		if (v->user_name && *v->user_name) return xstrdup(v->user_name);
		return xasprintf("compte n°%lld", (long long)v->user_id);
	}
	if (is_team(v)) return xstrdup("l'équipe de l'observatoire");
	if (v->user_member && org_name && *org_name) return xasprintf("un membre de %s", org_name);
	return xstrdup("un contributeur");
}

/* ==== Audit log ==== */

/* Prefix tests with substr() rather than LIKE, so '%' and '_' in a filter
 * are plain characters. */
#define AUDIT_WHERE \
	"WHERE (?1 IS NULL OR substr(a.action, 1, length(?1)) = ?1) " \
	"AND (?2 IS NULL OR substr(a.target, 1, length(?2)) = ?2) " \
	"AND (?3 IS NULL OR a.at >= ?3) "

static void bind_audit_filters(sqlite3_stmt *st, const struct audit_query *q)
{
	db_bind_text(st, 1, q->action_prefix && *q->action_prefix ? q->action_prefix : NULL);
	db_bind_text(st, 2, q->target_prefix && *q->target_prefix ? q->target_prefix : NULL);
	db_bind_text(st, 3, q->since && *q->since ? q->since : NULL);
}

int audit_list(db_t *db, const struct audit_query *q, struct audit_entry **out, int64_t *total)
{
	*out = NULL;
	if (total) {
		sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM audit a " AUDIT_WHERE);
		if (!st) return -1;
		bind_audit_filters(st, q);
		if (db_one_int(st, total) < 0) return -1;
	}
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT a.id, a.at, a.user_id, u.email, a.action, a.target, a.detail "
	    "FROM audit a LEFT JOIN user u ON u.id = a.user_id " AUDIT_WHERE
	    "ORDER BY a.at DESC, a.id DESC LIMIT ?4 OFFSET ?5");
	if (!st) return -1;
	bind_audit_filters(st, q);
	db_bind_int(st, 4, q->limit);
	db_bind_int(st, 5, q->offset);
	struct audit_entry *e = NULL;
	int n = 0, cap = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			e = xrealloc(e, (size_t)cap * sizeof *e);
		}
		struct audit_entry *x = &e[n++];
		x->id = sqlite3_column_int64(st, 0);
		x->at = col_dup(st, 1);
		x->user_id = sqlite3_column_type(st, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 2);
		x->email = col_dup(st, 3);
		x->action = col_dup(st, 4);
		x->target = col_dup(st, 5);
		x->detail = col_dup(st, 6);
	}
	db_reset(st);
	if (rc != SQLITE_DONE) {
		db_error(db, "audit list");
		audit_free(e, n);
		return -1;
	}
	*out = e;
	return n;
}

void audit_free(struct audit_entry *e, int n)
{
	if (!e) return;
	for (int i = 0; i < n; i++) {
		free(e[i].at);
		free(e[i].email);
		free(e[i].action);
		free(e[i].target);
		free(e[i].detail);
	}
	free(e);
}
