/*
 * store_usecase.c — SQLite implementation of the use-case part of store.h.
 *
 * Invariants kept by every write (one transaction):
 *   - usecase_blob.doc is a canonical doc (model_validate() output) whose
 *     organisation fields hold canonical keys;
 *   - usecase_blob holds the doc and json_public / json_agent, the
 *     model_render_json() of that doc;
 *   - the denormalised columns (theme, status, org_*...) match the doc and
 *     the owner organisation;
 *   - usecase_fts holds only public text (title, summary, public long
 *     fields, organisation names);
 *   - each save adds a usecase_version row, and bumps meta 'generation'
 *     (which invalidates the in-process facet cache of search.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "impact.h"
#include "jsonw.h"
#include "org.h"
#include "store.h"
#include "text.h"
#include "util.h"

/* ==== Reading ==== */

int store_usecase_json(db_t *db, int64_t id, bool restricted, struct uc_json *out)
{
	sqlite3_stmt *st = db_stmt(db, restricted
	    ? "SELECT u.owner_org_id, u.version, u.state, b.json_agent FROM usecase u JOIN usecase_blob b ON b.id = u.id WHERE u.id = ?1"
	    : "SELECT u.owner_org_id, u.version, u.state, b.json_public FROM usecase u JOIN usecase_blob b ON b.id = u.id WHERE u.id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	int rc = sqlite3_step(st);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		out->id = id;
		out->owner_org_id = sqlite3_column_int64(st, 0);
		out->version = sqlite3_column_int64(st, 1);
		snprintf(out->state, sizeof out->state, "%s", (const char *)sqlite3_column_text(st, 2));
		int n = sqlite3_column_bytes(st, 3);
		out->json = xstrndup((const char *)sqlite3_column_blob(st, 3), (size_t)n);
		out->len = (size_t)n;
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = db_error(db, "usecase json");
	}
	db_reset(st);
	return ret;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

int store_usecase_load(db_t *db, int64_t id, struct uc_full *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT u.owner_org_id, u.version, u.slug, u.state, u.created_at, u.updated_at, u.published_at, "
	    "u.retract_reason, b.doc, u.review_comment, coalesce(u.origin_id, 0), u.impact_label, u.evidence "
	    "FROM usecase u JOIN usecase_blob b ON b.id = u.id WHERE u.id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	int rc = sqlite3_step(st);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		out->id = id;
		out->owner_org_id = sqlite3_column_int64(st, 0);
		out->version = sqlite3_column_int64(st, 1);
		out->slug = col_dup(st, 2);
		out->state = col_dup(st, 3);
		out->created_at = col_dup(st, 4);
		out->updated_at = col_dup(st, 5);
		out->published_at = col_dup(st, 6);
		out->retract_reason = col_dup(st, 7);
		out->review_comment = col_dup(st, 9);
		out->origin_id = sqlite3_column_int64(st, 10);
		out->impact_label = sqlite3_column_int(st, 11) != 0;
		out->evidence = (int)sqlite3_column_int64(st, 12);
		json_error_t jerr;
		out->doc = json_loads((const char *)sqlite3_column_text(st, 8), 0, &jerr);
		if (!out->doc) {
			log_error("usecase %lld: corrupt doc: %s", (long long)id, jerr.text);
			ret = -1;
		} else {
			ret = 1;
		}
	} else if (rc != SQLITE_DONE) {
		ret = db_error(db, "usecase load");
	}
	db_reset(st);
	if (ret != 1) store_usecase_free(out);
	return ret;
}

void store_usecase_free(struct uc_full *u)
{
	free(u->slug);
	free(u->state);
	free(u->created_at);
	free(u->updated_at);
	free(u->published_at);
	free(u->retract_reason);
	free(u->review_comment);
	json_decref(u->doc);
	memset(u, 0, sizeof *u);
}

int store_usecase_list(db_t *db, int64_t owner_org_id, const char *state, bool oldest_first, int limit,
                       uc_row_fn cb, void *ctx)
{
	/* since: the time of the first version of the current run of versions
	 * in the record's current state */
#define UC_LIST_SQL \
	"SELECT u.id, u.owner_org_id, u.slug, u.title, u.state, u.updated_at, " \
	" (SELECT min(v.at) FROM usecase_version v WHERE v.usecase_id = u.id AND v.version > " \
	"   coalesce((SELECT max(w.version) FROM usecase_version w WHERE w.usecase_id = u.id AND w.state <> u.state), 0)) AS since " \
	"FROM usecase u WHERE (?1 = 0 OR u.owner_org_id = ?1) AND (?2 IS NULL OR u.state = ?2) "
	sqlite3_stmt *st = db_stmt(db, oldest_first ? UC_LIST_SQL "ORDER BY since ASC, u.id ASC LIMIT ?3"
	                                            : UC_LIST_SQL "ORDER BY u.updated_at DESC, u.id DESC LIMIT ?3");
#undef UC_LIST_SQL
	if (!st) return -1;
	db_bind_int(st, 1, owner_org_id);
	db_bind_text(st, 2, state);
	db_bind_int(st, 3, limit);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct uc_row row = {
			.id = sqlite3_column_int64(st, 0),
			.owner_org_id = sqlite3_column_int64(st, 1),
			.slug = (const char *)sqlite3_column_text(st, 2),
			.title = (const char *)sqlite3_column_text(st, 3),
			.state = (const char *)sqlite3_column_text(st, 4),
			.updated_at = (const char *)sqlite3_column_text(st, 5),
			.since = (const char *)sqlite3_column_text(st, 6),
		};
		n++;
		if (cb(ctx, &row)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		db_error(db, "usecase list");
		db_reset(st);
		return -1;
	}
	db_reset(st);
	return n;
}

int store_usecase_by_import_key(db_t *db, const char *key, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM usecase WHERE import_key = ?1");
	if (!st) return -1;
	db_bind_text(st, 1, key);
	return db_one_int(st, id);
}

/* ==== Rendering and indexing ==== */

/* org_ref_fn for model_render_json: {id, name, kind, siren} or null. */
static void org_ref(void *ctx, jsonw_t *w, const char *key)
{
	db_t *db = ctx;
	struct org o;
	if (org_find(db, key, &o) != 1) {
		jw_null(w);
		return;
	}
	char *k = org_key(&o);
	jw_obj(w);
	jw_kstr(w, "id", k);
	jw_kstr(w, "name", o.name);
	jw_kstr(w, "kind", o.kind);
	jw_kstr(w, "siren", o.siren);
	jw_obj_end(w);
	free(k);
	org_free(&o);
}

void store_org_ref(void *ctx, jsonw_t *w, const char *key)
{
	org_ref(ctx, w, key);
}

/* Resolve every organisation key of doc (owner, partner_orgs) to its
 * canonical key, in place. Unknown ones are reported in errs. On success
 * fills *owner. Returns 0 or -1 (errs) or -2 (database error). */
static int resolve_orgs(db_t *db, json_t *doc, struct org *owner, struct verrors *errs)
{
	const char *key = doc_str(doc, "owner");
	int rc = key ? org_find(db, key, owner) : 0;
	if (rc < 0) return -2;
	if (rc == 0) {
		verrors_add(errs, "validation.not_found", "owner", "Organisation porteuse « %.60s » introuvable.",
		            key ? key : "");
	} else {
		char *k = org_key(owner);
		json_object_set_new(doc, "owner", json_string(k));
		free(k);
	}
	json_t *partners = json_object_get(doc, "partner_orgs");
	size_t i;
	json_t *x;
	json_array_foreach(partners, i, x) {
		struct org p;
		int prc = org_find(db, json_string_value(x), &p);
		if (prc < 0) return -2;
		if (prc == 0) {
			char f[48];
			snprintf(f, sizeof f, "partner_orgs[%zu]", i);
			verrors_add(errs, "validation.not_found", f, "Collectivité partenaire « %.60s » introuvable.",
			            json_string_value(x));
			continue;
		}
		char *k = org_key(&p);
		json_array_set_new(partners, i, json_string(k));
		free(k);
		org_free(&p);
	}
	return errs->count ? -1 : 0;
}

static int count_cb(void *ctx, const char *tok, size_t toklen, size_t start, size_t end)
{
	(*(int64_t *)ctx)++;
	return 0;
}

/* Number of tokens of s as the search index sees them. */
static int64_t count_tokens(const char *s)
{
	int64_t n = 0;
	if (s) text_tokenize(s, strlen(s), count_cb, &n);
	return n;
}

/* Increment meta 'generation' and return its new value (> 0), or -1.
 * Every write stamps the rows it touches with it (usecase.rev), so the
 * search index (search.c) reloads only what changed. */
static int64_t bump_generation(db_t *db)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO meta(key, value) VALUES ('generation', '1') "
	    "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 "
	    "RETURNING CAST(value AS INTEGER)");
	int64_t g = -1;
	if (!st || db_one_int(st, &g) != 1) return -1;
	return g;
}

struct row_meta {
	int64_t id, version, gen;
	const char *slug, *state, *created_at, *updated_at, *published_at, *retract_reason;
	int64_t user_id;   /* who caused the write (0: the CLI), for label events */
};

/* ==== Impact label ==== */

void store_impact_free(struct uc_impact *x)
{
	free(x->reviewed_at);
	free(x->reviewed_hash);
	free(x->override);
	free(x->override_reason);
	free(x->override_at);
	memset(x, 0, sizeof *x);
}

int store_impact_get(db_t *db, int64_t id, struct uc_impact *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT reviewed_at, reviewed_hash, override, override_reason, override_at "
	    "FROM usecase_impact WHERE usecase_id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	int rc = sqlite3_step(st), ret = 0;
	if (rc == SQLITE_ROW) {
		out->reviewed_at = col_dup(st, 0);
		out->reviewed_hash = col_dup(st, 1);
		out->override = col_dup(st, 2);
		out->override_reason = col_dup(st, 3);
		out->override_at = col_dup(st, 4);
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = db_error(db, "usecase impact");
	}
	db_reset(st);
	return ret;
}

int store_impact_eval(db_t *db, const struct uc_full *u, struct impact_result *res)
{
	struct uc_impact x;
	if (store_impact_get(db, u->id, &x) < 0) return -1;
	struct impact_review rv = { strcmp(u->state, "published") == 0, x.reviewed_hash, x.override };
	impact_eval(u->doc, &rv, res);
	store_impact_free(&x);
	return 0;
}

static int add_impact_event(db_t *db, int64_t id, const char *kind, int64_t user_id, int64_t version,
                            const char *reason, const char *now)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO impact_event(usecase_id, at, kind, user_id, version, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, now);
	db_bind_text(st, 3, kind);
	if (user_id) db_bind_int(st, 4, user_id);
	db_bind_int(st, 5, version);
	db_bind_text(st, 6, reason);
	return db_step_done(st) < 0 ? -1 : 0;
}

int store_impact_events(db_t *db, int64_t id, impact_event_fn cb, void *ctx)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT at, kind, version, reason, coalesce(user_id, 0) FROM impact_event WHERE usecase_id = ?1 ORDER BY id DESC");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	int rc, n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct impact_event_row e = {
			.at = (const char *)sqlite3_column_text(st, 0),
			.kind = (const char *)sqlite3_column_text(st, 1),
			.version = sqlite3_column_int64(st, 2),
			.reason = (const char *)sqlite3_column_text(st, 3),
			.user_id = sqlite3_column_int64(st, 4),
		};
		n++;
		if (cb(ctx, &e)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) n = db_error(db, "impact events");
	db_reset(st);
	return n;
}

/* Write the documents (doc as docjson, the cached representations), the
 * denormalised columns, partner links and search index of record m->id.
 * 0 or -1. */
static int write_derived(db_t *db, const json_t *doc, const char *docjson, const struct row_meta *m,
                         const struct org *owner)
{
	/* the label: previous value, the curator's review and exception */
	int64_t old_label = 0, origin = 0;
	sqlite3_stmt *st = db_stmt(db, "SELECT impact_label, coalesce(origin_id, 0) FROM usecase WHERE id = ?1");
	if (!st) return -1;
	db_bind_int(st, 1, m->id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		old_label = sqlite3_column_int64(st, 0);
		origin = sqlite3_column_int64(st, 1);
	}
	db_reset(st);
	struct uc_impact ix;
	if (store_impact_get(db, m->id, &ix) < 0) return -1;
	struct impact_review rv = { strcmp(m->state, "published") == 0, ix.reviewed_hash, ix.override };
	struct impact_result res;
	impact_eval(doc, &rv, &res);
	store_impact_free(&ix);
	if ((old_label != 0) != res.awarded &&
	    add_impact_event(db, m->id, res.awarded ? "gained" : "lost", m->user_id, m->version, NULL, m->updated_at) < 0)
		return -1;

	struct usecase_meta um = { m->id, m->slug, m->state, m->version, m->created_at, m->updated_at,
		                   m->published_at, m->retract_reason, origin, &res };
	buf_t pub = BUF_INIT, agent = BUF_INIT, body = BUF_INIT, orgtext = BUF_INIT;
	jsonw_t w;
	jw_init(&w, &pub);
	model_render_json(&w, doc, &um, false, org_ref, db);
	jw_init(&w, &agent);
	model_render_json(&w, doc, &um, true, org_ref, db);
	model_public_text(&body, doc);
	buf_puts(&orgtext, owner->name);
	int ret = -1;

	const char *region = strcmp(owner->kind, "region") == 0 ? owner->code : owner->region;
	const char *dep = strcmp(owner->kind, "departement") == 0 ? owner->code : owner->departement;
	st = db_stmt(db,
	    "INSERT INTO usecase_blob(id, doc, json_public, json_agent) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, json_public = excluded.json_public, "
	    "json_agent = excluded.json_agent");
	if (!st) goto out;
	db_bind_int(st, 1, m->id);
	sqlite3_bind_text(st, 2, docjson, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pub.data, (int)pub.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, agent.data, (int)agent.len, SQLITE_STATIC);
	if (db_step_done(st) < 0) goto out;
	st = db_stmt(db, "DELETE FROM usecase_partner WHERE usecase_id = ?1");
	if (!st) goto out;
	db_bind_int(st, 1, m->id);
	if (db_step_done(st) < 0) goto out;
	json_t *partners = json_object_get(doc, "partner_orgs");
	size_t i;
	json_t *x;
	json_array_foreach(partners, i, x) {
		struct org p;
		if (org_find(db, json_string_value(x), &p) != 1) continue;
		buf_putc(&orgtext, '\n');
		buf_puts(&orgtext, p.name);
		st = db_stmt(db, "INSERT OR IGNORE INTO usecase_partner(usecase_id, org_id) VALUES (?1, ?2)");
		int64_t pid = p.id;
		org_free(&p);
		if (!st) goto out;
		db_bind_int(st, 1, m->id);
		db_bind_int(st, 2, pid);
		if (db_step_done(st) < 0) goto out;
	}

	st = db_stmt(db,
	    "UPDATE usecase SET theme = ?4, status = ?5, risk_level = ?6, "
	    "techniques = ?7, org_kind = ?8, org_region = ?9, org_departement = ?10, org_band = ?11, "
	    "owner_org_id = ?12, visible = ?13, rev = ?14, doclen = ?15, impact_label = ?16, evidence = ?17 WHERE id = ?1");
	if (!st) goto out;
	db_bind_int(st, 1, m->id);
	db_bind_int(st, 14, m->gen);
	const char *title = doc_str(doc, "title"), *summary = doc_str(doc, "summary");
	int64_t doclen = count_tokens(title) + count_tokens(summary) + count_tokens(buf_cstr(&body)) +
	                 count_tokens(buf_cstr(&orgtext));
	db_bind_int(st, 15, doclen);
	db_bind_text(st, 4, doc_str(doc, "theme"));
	db_bind_text(st, 5, doc_str(doc, "status"));
	db_bind_text(st, 6, doc_str(doc, "risk_level"));
	db_bind_int(st, 7, model_techniques_mask(doc));
	db_bind_text(st, 8, owner->kind);
	db_bind_text(st, 9, region);
	db_bind_text(st, 10, dep);
	db_bind_text(st, 11, org_band(owner->population));
	db_bind_int(st, 12, owner->id);
	db_bind_int(st, 13, strcmp(m->state, "published") == 0 || strcmp(m->state, "retracted") == 0);
	db_bind_int(st, 16, res.awarded);
	db_bind_int(st, 17, res.score);
	if (db_step_done(st) < 0) goto out;

	st = db_stmt(db, "DELETE FROM usecase_fts WHERE rowid = ?1");
	if (!st) goto out;
	db_bind_int(st, 1, m->id);
	if (db_step_done(st) < 0) goto out;
	st = db_stmt(db, "INSERT INTO usecase_fts(rowid, title, summary, body, org) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!st) goto out;
	db_bind_int(st, 1, m->id);
	db_bind_text(st, 2, doc_str(doc, "title"));
	db_bind_text(st, 3, doc_str(doc, "summary"));
	sqlite3_bind_text(st, 4, body.data ? body.data : "", (int)body.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, orgtext.data ? orgtext.data : "", (int)orgtext.len, SQLITE_STATIC);
	if (db_step_done(st) < 0) goto out;
	ret = 0;
out:
	buf_free(&pub);
	buf_free(&agent);
	buf_free(&body);
	buf_free(&orgtext);
	return ret;
}


/* ==== Saving ==== */

int store_usecase_save(db_t *db, json_t *input_doc, const struct uc_save *p, struct verrors *errs,
                       int64_t *id_out, int64_t *version_out)
{
	json_t *doc = json_deep_copy(input_doc);
	struct org owner = { 0 };
	struct uc_full old = { 0 };
	bool have_old = false;
	char *slug = NULL;
	int ret = STORE_ERR;
	bool began = false;

	if (!p->in_tx) {
		if (db_begin(db) < 0) goto out;
		began = true;
	}
	int rrc = resolve_orgs(db, doc, &owner, errs);
	if (rrc == -2) goto out;
	if (rrc == -1) {
		ret = STORE_INVALID;
		goto out;
	}
	if (p->id) {
		int lrc = store_usecase_load(db, p->id, &old);
		if (lrc < 0) goto out;
		if (lrc == 0) {
			ret = STORE_NOT_FOUND;
			goto out;
		}
		have_old = true;
		if (p->expect_version && p->expect_version != old.version) {
			ret = STORE_CONFLICT;
			goto out;
		}
	}
	char now[21];
	iso8601_utc(now_unix(), now);
	if (p->at) snprintf(now, sizeof now, "%s", p->at);
	const char *state = p->state ? p->state : (have_old ? old.state : "draft");
	const char *published_at = have_old ? old.published_at : NULL;
	if (!published_at && strcmp(state, "published") == 0) published_at = p->published_at ? p->published_at : now;
	/* a restored record may arrive retracted: it was published then */
	if (!published_at && p->published_at && strcmp(state, "retracted") == 0) published_at = p->published_at;
	const char *reason = p->retract_reason ? p->retract_reason : (have_old ? old.retract_reason : NULL);
	if (strcmp(state, "retracted") != 0) reason = NULL;
	const char *title = doc_str(doc, "title");
	slug = text_slugify(title ? title : "", 80);
	int64_t version = have_old ? old.version + 1 : 1;
	if (p->want_version) {
		if (p->want_version < version) {
			ret = STORE_CONFLICT;
			goto out;
		}
		version = p->want_version;
	}
	int64_t id = p->id;

	char *docjson = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	sqlite3_stmt *st;
	if (!have_old) {
		st = db_stmt(db,
		    "INSERT INTO usecase(id, slug, state, visible, owner_org_id, version, "
		    "title, summary, import_key, retract_reason, created_at, updated_at, published_at, created_by, updated_by, origin_id) "
		    "VALUES (?13, ?1, ?2, 0, ?3, ?14, ?5, ?6, ?7, ?8, ?15, ?9, ?10, ?11, ?11, ?12) RETURNING id");
	} else {
		st = db_stmt(db,
		    "UPDATE usecase SET slug = ?1, state = ?2, owner_org_id = ?3, version = ?12, title = ?5, "
		    "summary = ?6, import_key = coalesce(?7, import_key), retract_reason = ?8, updated_at = ?9, "
		    "published_at = ?10, updated_by = ?11, "
		    "review_comment = CASE WHEN ?14 IS NULL THEN review_comment WHEN ?14 = '' THEN NULL ELSE ?14 END "
		    "WHERE id = ?13 RETURNING id");
	}
	if (!st) {
		free(docjson);
		goto out;
	}
	db_bind_text(st, 1, slug);
	db_bind_text(st, 2, state);
	db_bind_int(st, 3, owner.id);
	db_bind_text(st, 5, title);
	db_bind_text(st, 6, doc_str(doc, "summary"));
	db_bind_text(st, 7, p->import_key);
	db_bind_text(st, 8, reason);
	db_bind_text(st, 9, now);
	db_bind_text(st, 10, published_at);
	if (p->user_id) db_bind_int(st, 11, p->user_id);
	if (!have_old && p->origin_id > 0) db_bind_int(st, 12, p->origin_id);
	if (!have_old) {
		if (p->want_id > 0) db_bind_int(st, 13, p->want_id);
		db_bind_int(st, 14, version);
		db_bind_text(st, 15, p->created_at ? p->created_at : now);
	}
	if (have_old) {
		db_bind_int(st, 12, version);
		db_bind_int(st, 13, id);
		db_bind_text(st, 14, p->review_comment);
	}
	int rc = db_one_int(st, &id);
	if (rc != 1) {
		free(docjson);
		goto out;
	}
	int64_t gen = bump_generation(db);
	if (gen < 0) {
		free(docjson);
		goto out;
	}
	struct row_meta m = { id, version, gen, slug, state,
		              have_old ? old.created_at : p->created_at ? p->created_at : now, now, published_at, reason,
		              p->user_id };
	if (write_derived(db, doc, docjson, &m, &owner) < 0) {
		free(docjson);
		goto out;
	}
	st = db_stmt(db, "INSERT INTO usecase_version(usecase_id, version, state, doc, user_id, at, note) "
	                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (!st) {
		free(docjson);
		goto out;
	}
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, version);
	db_bind_text(st, 3, state);
	db_bind_text(st, 4, docjson);
	if (p->user_id) db_bind_int(st, 5, p->user_id);
	db_bind_text(st, 6, now);
	db_bind_text(st, 7, p->note);
	free(docjson);
	if (db_step_done(st) < 0) goto out;
	if (began && db_commit(db) < 0) goto out;
	began = false;
	*id_out = id;
	if (version_out) *version_out = version;
	ret = STORE_OK;
out:
	if (began) db_rollback(db);
	free(slug);
	json_decref(doc);
	org_free(&owner);
	if (have_old) store_usecase_free(&old);
	return ret;
}

/* Rewrite the derived data of record id from its stored doc (after an
 * organisation reload, a model change or a curator's act on the label),
 * inside the caller's transaction. 0 or -1. */
static int rederive(db_t *db, int64_t id, int64_t gen, int64_t user_id)
{
	struct uc_full u;
	if (store_usecase_load(db, id, &u) != 1) return -1;
	struct verrors errs = { 0 };
	struct org owner = { 0 };
	int rrc = resolve_orgs(db, u.doc, &owner, &errs);
	if (rrc == 0) {
		struct row_meta m = { id, u.version, gen, u.slug, u.state, u.created_at, u.updated_at,
			              u.published_at, u.retract_reason, user_id };
		char *dj = json_dumps(u.doc, JSON_COMPACT | JSON_SORT_KEYS);
		rrc = write_derived(db, u.doc, dj, &m, &owner);
		free(dj);
	} else {
		log_warn("usecase %lld: organisation no longer found, left as is", (long long)id);
		rrc = 0;
	}
	org_free(&owner);
	store_usecase_free(&u);
	return rrc < 0 ? -1 : 0;
}

int store_impact_act(db_t *db, int64_t id, const char *act, const char *reason, int64_t user_id)
{
	bool review = strcmp(act, "review") == 0, grant = strcmp(act, "grant") == 0,
	     withdraw = strcmp(act, "withdraw") == 0, clear = strcmp(act, "clear") == 0;
	if (!review && !grant && !withdraw && !clear) return STORE_ERR;
	if (db_begin(db) < 0) return STORE_ERR;
	struct uc_full u;
	int lrc = store_usecase_load(db, id, &u);
	if (lrc <= 0) {
		db_rollback(db);
		return lrc == 0 ? STORE_NOT_FOUND : STORE_ERR;
	}
	char now[21], h[17];
	iso8601_utc(now_unix(), now);
	impact_hash(u.doc, h);
	int64_t version = u.version;
	store_usecase_free(&u);
	sqlite3_stmt *st = db_stmt(db, review
	    ? "INSERT INTO usecase_impact(usecase_id, reviewed_at, reviewed_by, reviewed_hash) VALUES (?1, ?2, ?3, ?4) "
	      "ON CONFLICT(usecase_id) DO UPDATE SET reviewed_at = ?2, reviewed_by = ?3, reviewed_hash = ?4"
	    : "INSERT INTO usecase_impact(usecase_id, override, override_reason, override_at, override_by) "
	      "VALUES (?1, ?5, ?6, ?2, ?3) ON CONFLICT(usecase_id) DO UPDATE SET override = ?5, "
	      "override_reason = ?6, override_at = ?2, override_by = ?3");
	if (!st) goto fail;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, now);
	if (user_id) db_bind_int(st, 3, user_id);
	if (review) db_bind_text(st, 4, h);
	else {
		db_bind_text(st, 5, grant ? "granted" : withdraw ? "withdrawn" : NULL);
		db_bind_text(st, 6, clear ? NULL : reason);
	}
	if (db_step_done(st) < 0) goto fail;
	if (add_impact_event(db, id, act, user_id, version, reason, now) < 0) goto fail;
	int64_t gen = bump_generation(db);
	if (gen < 0 || rederive(db, id, gen, user_id) < 0) goto fail;
	char target[32], detail[64];
	snprintf(target, sizeof target, "usecase:%lld", (long long)id);
	snprintf(detail, sizeof detail, "%s v%lld", act, (long long)version);
	if (auth_audit(db, user_id, "usecase.impact", target, detail) < 0) goto fail;
	if (db_commit(db) < 0) goto fail;
	return STORE_OK;
fail:
	db_rollback(db);
	return STORE_ERR;
}

int store_impact_restore(db_t *db, int64_t id, bool review, const char *override, const char *reason,
                         const char *at)
{
	struct uc_full u;
	if (store_usecase_load(db, id, &u) != 1) return -1;
	char h[17];
	impact_hash(u.doc, h);
	int64_t version = u.version;
	store_usecase_free(&u);
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO usecase_impact(usecase_id, reviewed_at, reviewed_hash, override, override_reason, override_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?4 IS NULL THEN NULL ELSE ?6 END) "
	    "ON CONFLICT(usecase_id) DO UPDATE SET reviewed_at = coalesce(?2, reviewed_at), "
	    "reviewed_hash = coalesce(?3, reviewed_hash), override = ?4, override_reason = ?5, "
	    "override_at = CASE WHEN ?4 IS NULL THEN NULL ELSE ?6 END");
	if (!st) return -1;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, review ? at : NULL);
	db_bind_text(st, 3, review ? h : NULL);
	db_bind_text(st, 4, override);
	db_bind_text(st, 5, override ? reason : NULL);
	db_bind_text(st, 6, at);
	if (db_step_done(st) < 0) return -1;
	if (review && add_impact_event(db, id, "review", 0, version, NULL, at) < 0) return -1;
	const char *act = !override ? "clear" : strcmp(override, "granted") == 0 ? "grant" : "withdraw";
	if (add_impact_event(db, id, act, 0, version, override ? reason : NULL, at) < 0) return -1;
	int64_t gen = bump_generation(db);
	return gen < 0 || rederive(db, id, gen, 0) < 0 ? -1 : 0;
}

int store_usecase_refresh(db_t *db, const char *orgs_since)
{
	if (db_begin(db) < 0) return -1;
	int n = 0;
	int64_t gen = bump_generation(db);
	if (gen < 0) goto fail;
	int64_t last = 0;
	for (;;) {
		sqlite3_stmt *st = db_stmt(db,
		    "SELECT u.id FROM usecase u WHERE u.id > ?1 AND (?2 IS NULL "
		    " OR u.owner_org_id IN (SELECT id FROM organisation WHERE updated_at >= ?2) "
		    " OR u.id IN (SELECT p.usecase_id FROM usecase_partner p JOIN organisation o ON o.id = p.org_id "
		    "             WHERE o.updated_at >= ?2)) "
		    "ORDER BY u.id LIMIT 1");
		if (!st) goto fail;
		db_bind_int(st, 1, last);
		db_bind_text(st, 2, orgs_since);
		int64_t id;
		int rc = db_one_int(st, &id);
		if (rc < 0) goto fail;
		if (rc == 0) break;
		last = id;
		if (rederive(db, id, gen, 0) < 0) goto fail;
		n++;
	}
	if (db_commit(db) < 0) goto fail;
	return n;
fail:
	db_rollback(db);
	return -1;
}

int store_render_upgrade(db_t *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'render_version'");
	int64_t have = 0;
	if (!st || db_one_int(st, &have) < 0) return -1;
	if (have == STORE_RENDER_VERSION) return 0;
	st = db_stmt(db, "SELECT count(*) FROM usecase");
	int64_t n = 0;
	if (!st || db_one_int(st, &n) < 0) return -1;
	if (n > 0) {
		log_info("re-rendering %lld records (representation version %lld -> %d)", (long long)n, (long long)have,
		         STORE_RENDER_VERSION);
		if (store_usecase_refresh(db, NULL) < 0) return -1;
	}
	st = db_stmt(db, "INSERT INTO meta(key, value) VALUES ('render_version', ?1) "
	                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
	if (!st) return -1;
	db_bind_int(st, 1, STORE_RENDER_VERSION);
	return db_step_done(st) < 0 ? -1 : (int)n;
}
