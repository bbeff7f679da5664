/*
 * api_reuse.c — reuse between territories in the JSON API:
 *   GET  /api/v1/usecases/{id}/reuses    the visible direct reuses
 *   POST /api/v1/usecases/{id}/reuses    declare a reuse (token)
 *   GET  /api/v1/usecases/{id}/lineage   the lineage tree
 *
 * Design notes
 * - The record {id} must be readable by the viewer (api_usecase_load: a
 *   404 otherwise, like every other read).
 * - Listings show only visible reuses (published or retracted), for every
 *   reader, members of the reusing organisation included: the list and
 *   its counts are the public "reused by N territories". meta.count is
 *   the number of reuses, meta.organisations the distinct organisations.
 * - The lineage is nested JSON from the root: {id, url, title, state,
 *   depth, current, owner{id,name,kind}, children[]}; a node the reader
 *   may not read and that has readable nodes under it is
 *   {hidden: true, depth, children[]} (reuse.h). Nodes come in the order
 *   of their creation within each level.
 * - POST: body = any record fields (model_validate, like POST
 *   /api/v1/usecases) over the fields copied from the origin (reuse_seed),
 *   with "owner" (required: the organisation that reuses), "reuse_context"
 *   (required, not blank) and an optional "state" (draft by default,
 *   submitted, published — publishing needs auth_can_publish_org). Checks
 *   in order: owner present and known (422), reuse_check (403
 *   auth.forbidden, 409 state.not_published, 422 validation.same_owner),
 *   publishing right (403 auth.forbidden_publish), reuse_context (422),
 *   validation (422). 201 with the new record (reuse_of set).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "org.h"
#include "reuse.h"
#include "store.h"
#include "text.h"
#include "util.h"

static int64_t seg_id(const char *s)
{
	int64_t id;
	if (!s || !*s || strlen(s) > 15) return 0;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9') return 0;
	if (parse_int64(s, 1, 999999999999999LL, &id) < 0) return 0;
	return id;
}

static void node_url(jsonw_t *w, const struct reuse_node *x)
{
	buf_t u = BUF_INIT;
	buf_fmt(&u, "/fiches/%D-%R", x->id, x->slug);
	jw_kstr(w, "url", buf_cstr(&u));
	buf_free(&u);
}

static void node_owner(jsonw_t *w, const struct reuse_node *x)
{
	jw_key(w, "owner");
	jw_obj(w);
	jw_kstr(w, "id", x->org_key);
	jw_kstr(w, "name", x->org_name);
	jw_kstr(w, "kind", x->org_kind);
	jw_obj_end(w);
}

/* ==== GET /api/v1/usecases/{id}/reuses ==== */

int api_reuse_list(struct req *r)
{
	struct uc_full u;
	if (!api_usecase_load(r, seg_id(r->args[0]), &u)) return 0;
	struct reuse_list l;
	int64_t nreuses = 0, norgs = 0;
	if (store_reuses(r->db, u.id, true, &l) < 0 || store_reuse_counts(r->db, u.id, &nreuses, &norgs) < 0) {
		store_usecase_free(&u);
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	jsonw_t w;
	api_begin(r, &w);
	jw_arr(&w);
	for (int i = 0; i < l.n; i++) {
		const struct reuse_node *x = &l.v[i];
		jw_obj(&w);
		jw_kint(&w, "id", x->id);
		node_url(&w, x);
		jw_kstr(&w, "title", x->title);
		node_owner(&w, x);
		jw_kstr(&w, "departement", x->org_departement);
		jw_kstr(&w, "state", x->state);
		jw_kstr(&w, "status", x->status);
		jw_key(&w, "impact_label");
		jw_obj(&w);
		jw_kbool(&w, "awarded", x->impact_label);
		jw_obj_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "meta");
	jw_obj(&w);
	jw_kint(&w, "count", nreuses);
	jw_kint(&w, "organisations", norgs);
	jw_kbool(&w, "truncated", l.truncated);
	jw_obj_end(&w);
	api_end(r, &w);
	store_reuse_list_free(&l);
	store_usecase_free(&u);
	return 0;
}

/* ==== GET /api/v1/usecases/{id}/lineage ==== */

struct tree {
	const struct reuse_list *l;
	const bool *shown, *keep;
	int64_t current;
	int count;
};

static void write_node(jsonw_t *w, struct tree *t, int i)
{
	const struct reuse_node *x = &t->l->v[i];
	jw_obj(w);
	if (t->shown[i]) {
		t->count++;
		jw_kint(w, "id", x->id);
		node_url(w, x);
		jw_kstr(w, "title", x->title);
		jw_kstr(w, "state", x->state);
		node_owner(w, x);
		jw_kbool(w, "current", x->id == t->current);
	} else {
		jw_kbool(w, "hidden", true);
	}
	jw_kint(w, "depth", x->depth);
	jw_key(w, "children");
	jw_arr(w);
	for (int j = i + 1; j < t->l->n; j++)
		if (t->keep[j] && t->l->v[j].parent == x->id) write_node(w, t, j);
	jw_arr_end(w);
	jw_obj_end(w);
}

int api_reuse_lineage(struct req *r)
{
	struct uc_full u;
	if (!api_usecase_load(r, seg_id(r->args[0]), &u)) return 0;
	struct reuse_list l;
	if (store_lineage(r->db, u.id, &l) < 0) {
		store_usecase_free(&u);
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	bool *shown = xcalloc((size_t)l.n + 1, sizeof *shown), *keep = xcalloc((size_t)l.n + 1, sizeof *keep);
	reuse_lineage_view(&r->viewer, &l, shown, keep);
	struct tree t = { &l, shown, keep, u.id, 0 };
	jsonw_t w;
	api_begin(r, &w);
	if (l.n > 0 && keep[0]) write_node(&w, &t, 0);
	else jw_null(&w);
	jw_key(&w, "meta");
	jw_obj(&w);
	jw_kint(&w, "count", t.count);
	jw_kbool(&w, "truncated", l.truncated);
	jw_obj_end(&w);
	api_end(r, &w);
	free(shown);
	free(keep);
	store_reuse_list_free(&l);
	store_usecase_free(&u);
	return 0;
}

/* ==== POST /api/v1/usecases/{id}/reuses ==== */

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r') return false;
	return true;
}

int api_reuse_create(struct req *r)
{
	struct uc_full origin;
	if (!api_usecase_load(r, seg_id(r->args[0]), &origin)) return 0;
	json_t *input = api_body_object(r), *doc = NULL, *merged = NULL;
	struct org o = { 0 };
	if (!input) goto out;

	const char *state = "draft";
	json_t *s = json_object_get(input, "state");
	if (s) {
		const char *v = json_is_string(s) ? json_string_value(s) : "";
		if (strcmp(v, "draft") && strcmp(v, "submitted") && strcmp(v, "published")) {
			api_error(r, 422, "validation.enum", "state", "« state » accepte « draft », « submitted » ou « published ».");
			goto out;
		}
		state = strcmp(v, "draft") == 0 ? "draft" : strcmp(v, "submitted") == 0 ? "submitted" : "published";
		json_object_del(input, "state");
	}
	json_t *ow = json_object_get(input, "owner");
	if (!json_is_string(ow) || !*json_string_value(ow)) {
		api_error(r, 422, ow ? "validation.type" : "validation.required", "owner",
		          "« owner » (l'organisation qui réutilise : identifiant IA·T, SIREN ou code INSEE) est obligatoire.");
		goto out;
	}
	int frc = org_find(r->db, json_string_value(ow), &o);
	if (frc < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		goto out;
	}
	if (frc == 0) {
		api_error(r, 422, "validation.not_found", "owner", "Organisation « %.60s » introuvable.", json_string_value(ow));
		goto out;
	}
	const char *code = NULL, *msg = NULL;
	int st = reuse_check(&r->viewer, &origin, o.id, &code, &msg);
	if (st) {
		api_error(r, st, code, st == 409 ? "id" : "owner", "%s", msg);
		goto out;
	}
	if (strcmp(state, "published") == 0 && !auth_can_publish_org(&r->viewer, o.id)) {
		api_error(r, 403, "auth.forbidden_publish", "state",
		          "Seul un référent de l'organisation (ou l'équipe de l'observatoire) peut publier.");
		goto out;
	}
	json_t *ctx = json_object_get(input, "reuse_context");
	if (!json_is_string(ctx) || blank(json_string_value(ctx))) {
		api_error(r, 422, ctx && !json_is_string(ctx) ? "validation.type" : "validation.required", "reuse_context",
		          "« reuse_context » (le contexte de la réutilisation) est obligatoire.");
		goto out;
	}
	merged = reuse_seed(origin.doc);
	json_object_update(merged, input);
	struct verrors errs = { 0 };
	doc = model_validate(merged, NULL, &errs);
	if (!doc) {
		api_verrors(r, &errs);
		goto out;
	}
	int64_t id = 0;
	int rc = reuse_create(r->db, &r->viewer, &origin, doc, state, "réutilisation (API)", &errs, &id);
	if (rc == STORE_INVALID) {
		api_verrors(r, &errs);
		goto out;
	}
	if (rc != STORE_OK) {
		api_error(r, 500, "server.database", NULL, "Erreur interne : rien n'a été enregistré.");
		goto out;
	}
	struct uc_json uj;
	if (store_usecase_json(r->db, id, auth_can_read_restricted(&r->viewer), &uj) != 1) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		goto out;
	}
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/usecases/%lld", (long long)id);
	req_add_header(r, "Location", loc);
	r->status = 201;
	jsonw_t w;
	api_begin(r, &w);
	jw_raw(&w, uj.json, uj.len);
	api_end(r, &w);
	free(uj.json);
out:
	org_free(&o);
	json_decref(merged);
	json_decref(doc);
	json_decref(input);
	store_usecase_free(&origin);
	return 0;
}
