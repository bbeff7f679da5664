/*
 * api_usecase.c — /api/v1/usecases: list and search, read, create, update,
 * retract.
 *
 * Rights: reading follows auth_can_read_usecase() (drafts only for the
 * owner's members and curators; a record one may not read is a 404, so its
 * existence does not leak). Writing needs a token (checked by the router)
 * and auth_can_edit_org() on the owner organisation — on the new owner too
 * when it changes; publishing needs auth_can_publish_org().
 * Bodies: valid UTF-8, well-formed JSON without duplicate keys, an object;
 * then model_validate() reports every field error at once (422). Nothing is
 * written unless everything is valid.
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
#include "workflow.h"

/* ==== Shared helpers ==== */

/* Reply with the record as the viewer may see it. */
static void reply_record(struct req *r, int64_t id, int status)
{
	struct uc_json uj;
	int rc = store_usecase_json(r->db, id, auth_can_read_restricted(&r->viewer), &uj);
	if (rc != 1) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return;
	}
	r->status = status;
	jsonw_t w;
	api_begin(r, &w);
	jw_raw(&w, uj.json, uj.len);
	api_end(r, &w);
	free(uj.json);
}

static void save_error(struct req *r, int rc, const struct verrors *errs)
{
	switch (rc) {
	case STORE_INVALID: api_verrors(r, errs); break;
	case STORE_NOT_FOUND: api_error(r, 404, "resource.not_found", NULL, "Fiche introuvable."); break;
	case STORE_CONFLICT:
		api_error(r, 409, "resource.conflict", "version",
		          "La fiche a été modifiée entre-temps : relisez-la et recommencez.");
		break;
	default: api_error(r, 500, "server.database", NULL, "Erreur interne : rien n'a été enregistré."); break;
	}
}

/* Take an optional "state" ("draft", "submitted" or "published") out of input. Returns
 * 0 and sets *state (NULL if absent), or -1 after replying. */
static int take_state(struct req *r, json_t *input, const char **state)
{
	*state = NULL;
	json_t *s = json_object_get(input, "state");
	if (!s) return 0;
	const char *v = json_is_string(s) ? json_string_value(s) : NULL;
	if (!v || (strcmp(v, "draft") && strcmp(v, "submitted") && strcmp(v, "published"))) {
		api_error(r, 422, "validation.enum", "state",
		          "« state » accepte « draft », « submitted » ou « published » (retrait : POST .../retract).");
		return -1;
	}
	*state = strcmp(v, "draft") == 0 ? "draft" : strcmp(v, "submitted") == 0 ? "submitted" : "published";
	json_object_del(input, "state");
	return 0;
}

/* Resolve the owner key of a validated doc and check the viewer may write
 * for it (and publish when publishing). Returns 0, or -1 after replying. */
static int check_owner_rights(struct req *r, const json_t *doc, const char *state)
{
	struct org o;
	const char *key = doc_str(doc, "owner");
	int rc = key ? org_find(r->db, key, &o) : 0;
	if (rc < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return -1;
	}
	if (rc == 0) {
		struct verrors e = { 0 };
		verrors_add(&e, "validation.not_found", "owner", "Organisation porteuse « %.60s » introuvable.",
		            key ? key : "");
		api_verrors(r, &e);
		return -1;
	}
	int64_t id = o.id;
	org_free(&o);
	if (!auth_can_edit_org(&r->viewer, id)) {
		api_error(r, 403, "auth.forbidden", "owner",
		          "Vous n'êtes pas membre de l'organisation porteuse : vous ne pouvez pas écrire pour elle.");
		return -1;
	}
	if (state && strcmp(state, "published") == 0 && !auth_can_publish_org(&r->viewer, id)) {
		api_error(r, 403, "auth.forbidden_publish", "state",
		          "Seul un référent de l'organisation (ou l'équipe de l'observatoire) peut publier.");
		return -1;
	}
	return 0;
}

/* Save and write the audit entry in one transaction. Returns a store_rc. */
static int save_audited(struct req *r, json_t *doc, struct uc_save *p, const char *action,
                        const char *detail, struct verrors *errs, int64_t *id)
{
	if (db_begin(r->db) < 0) return STORE_ERR;
	p->in_tx = true;
	int rc = store_usecase_save(r->db, doc, p, errs, id, NULL);
	if (rc == STORE_OK && action) {
		char target[32];
		snprintf(target, sizeof target, "usecase:%lld", (long long)*id);
		if (auth_audit(r->db, r->viewer.user_id, action, target, detail) < 0) rc = STORE_ERR;
	}
	/* a published reuse tells its origin's owner, in this transaction (reuse.h) */
	if (rc == STORE_OK && p->state && strcmp(p->state, "published") == 0 && reuse_on_publish(r->db, *id) < 0)
		rc = STORE_ERR;
	if (rc == STORE_OK && db_commit(r->db) < 0) rc = STORE_ERR;
	if (rc != STORE_OK) db_rollback(r->db);
	return rc;
}

/* ==== GET /api/v1/usecases ==== */

int api_usecase_list(struct req *r)
{
	struct search_query sq = { 0 };
	sq.page = 1;
	sq.per_page = 20;
	sq.with_facets = true;
	if (api_list_params(r, &sq.q, &sq.page, &sq.per_page) < 0) return 0;
	const char *sort = req_param(r, "sort");
	if (sort && strcmp(sort, "relevance") && strcmp(sort, "updated") && strcmp(sort, "evidence")) {
		api_error(r, 400, "request.invalid_parameter", "sort",
		          "« sort » vaut « relevance », « updated » ou « evidence ».");
		return 0;
	}
	sq.by_relevance = sort ? strcmp(sort, "relevance") == 0 : (sq.q && *sq.q);
	sq.by_evidence = sort && strcmp(sort, "evidence") == 0;
	const char *owner = req_param(r, "owner");
	if (owner) {
		struct org o;
		int rc = org_find(r->db, owner, &o);
		if (rc <= 0) {
			api_error(r, rc < 0 ? 500 : 400, rc < 0 ? "server.database" : "request.invalid_parameter", "owner",
			          "Organisation « %.60s » introuvable.", owner);
			return 0;
		}
		sq.owner_org_id = o.id;
		org_free(&o);
	}
	for (int f = 0; f < SEARCH_NFACETS; f++) {
		const char *name = search_facet_names[f];
		struct search_filter *flt = &sq.filters[sq.nfilters];
		flt->facet = name;
		flt->nvalues = 0;
		for (int i = 0; i < r->nparams; i++) {
			if (strcmp(r->params[i].name, name)) continue;
			if (!search_facet_value_ok(name, r->params[i].value)) {
				api_error(r, 400, "request.invalid_parameter", name, "Valeur « %.40s » inconnue pour « %s ».",
				          r->params[i].value, name);
				return 0;
			}
			if (flt->nvalues >= SEARCH_MAX_VALUES) {
				api_error(r, 400, "request.invalid_parameter", name, "Trop de valeurs pour « %s » (%d au plus).",
				          name, SEARCH_MAX_VALUES);
				return 0;
			}
			flt->values[flt->nvalues++] = r->params[i].value;
		}
		if (flt->nvalues) sq.nfilters++;
	}
	struct search_result res;
	if (search_run(r->db, &sq, &res) < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne pendant la recherche.");
		return 0;
	}
	jsonw_t w;
	api_begin(r, &w);
	jw_arr(&w);
	for (int i = 0; i < res.nhits; i++) {
		const struct search_hit *h = &res.hits[i];
		jw_obj(&w);
		jw_kint(&w, "id", h->id);
		jw_kstr(&w, "slug", h->slug);
		buf_t u = BUF_INIT;
		buf_fmt(&u, "/fiches/%D-%R", h->id, h->slug);
		jw_kstr(&w, "url", buf_cstr(&u));
		buf_free(&u);
		jw_kstr(&w, "title", h->title);
		jw_kstr(&w, "summary", h->summary);
		jw_kstr(&w, "state", h->state);
		jw_kstr(&w, "theme", h->theme);
		jw_kstr(&w, "status", h->status);
		jw_kstr(&w, "updated_at", h->updated_at);
		jw_key(&w, "owner");
		jw_obj(&w);
		jw_kstr(&w, "id", h->owner_key);
		jw_kstr(&w, "name", h->owner_name);
		jw_kstr(&w, "kind", h->owner_kind);
		jw_obj_end(&w);
		jw_kbool(&w, "impact_label", h->impact_label);
		jw_kint(&w, "evidence_score", h->evidence);
		jw_key(&w, "reuse_of");
		if (h->origin_id) jw_int(&w, h->origin_id);
		else jw_null(&w);
		jw_kint(&w, "reuses", h->reuses);
		jw_kstr(&w, "snippet_html", h->snippet_html);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "meta");
	jw_obj(&w);
	jw_kint(&w, "total", res.total);
	jw_kint(&w, "page", sq.page);
	jw_kint(&w, "per_page", sq.per_page);
	jw_kint(&w, "pages", (res.total + sq.per_page - 1) / sq.per_page);
	jw_kstr(&w, "sort", sq.by_evidence ? "evidence" : sq.by_relevance ? "relevance" : "updated");
	jw_kstr(&w, "query", sq.q);
	jw_kstr(&w, "fts", res.fts);
	jw_key(&w, "facets");
	jw_obj(&w);
	for (int f = 0; f < res.nfacets; f++) {
		jw_key(&w, res.facets[f].name);
		jw_arr(&w);
		for (int i = 0; i < res.facets[f].ncounts; i++) {
			jw_obj(&w);
			jw_kstr(&w, "value", res.facets[f].counts[i].value);
			jw_kstr(&w, "label", res.facets[f].counts[i].label);
			jw_kint(&w, "count", res.facets[f].counts[i].count);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
	jw_obj_end(&w);
	api_end(r, &w);
	search_result_free(&res);
	return 0;
}

/* ==== GET /api/v1/usecases/{id} ==== */

int api_usecase_get(struct req *r)
{
	int64_t id = api_parse_id(r->args[0]);
	if (!id) {
		api_error(r, 404, "resource.not_found", "id", "Fiche introuvable : identifiant invalide.");
		return 0;
	}
	struct uc_json uj;
	int rc = store_usecase_json(r->db, id, auth_can_read_restricted(&r->viewer), &uj);
	if (rc < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	if (rc == 0 || !auth_can_read_usecase(&r->viewer, uj.state, uj.owner_org_id)) {
		if (rc) free(uj.json);
		api_error(r, 404, "resource.not_found", "id", "Fiche %lld introuvable.", (long long)id);
		return 0;
	}
	jsonw_t w;
	api_begin(r, &w);
	jw_raw(&w, uj.json, uj.len);
	api_end(r, &w);
	free(uj.json);
	return 0;
}

/* ==== POST /api/v1/usecases ==== */

int api_usecase_create(struct req *r)
{
	json_t *input = api_body_object(r);
	if (!input) return 0;
	const char *state;
	json_t *doc = NULL;
	if (take_state(r, input, &state) < 0) goto out;
	if (!state) state = "draft";
	struct verrors errs = { 0 };
	doc = model_validate(input, NULL, &errs);
	if (!doc) {
		api_verrors(r, &errs);
		goto out;
	}
	if (check_owner_rights(r, doc, state) < 0) goto out;
	struct uc_save p = { 0 };
	p.state = state;
	p.user_id = r->viewer.user_id;
	p.note = "création (API)";
	int64_t id;
	int rc = save_audited(r, doc, &p, "usecase.create", state, &errs, &id);
	if (rc != STORE_OK) {
		save_error(r, rc, &errs);
		goto out;
	}
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/usecases/%lld", (long long)id);
	req_add_header(r, "Location", loc);
	reply_record(r, id, 201);
out:
	json_decref(doc);
	json_decref(input);
	return 0;
}

int api_usecase_load(struct req *r, int64_t id, struct uc_full *u)
{
	if (!id) {
		api_error(r, 404, "resource.not_found", "id", "Fiche introuvable : identifiant invalide.");
		return 0;
	}
	int rc = store_usecase_load(r->db, id, u);
	if (rc < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	if (rc == 0 || !auth_can_read_usecase(&r->viewer, u->state, u->owner_org_id)) {
		if (rc) store_usecase_free(u);
		api_error(r, 404, "resource.not_found", "id", "Fiche %lld introuvable.", (long long)id);
		return 0;
	}
	return 1;
}

/* Load a record for a write, checking the viewer may edit it. Returns 1,
 * or 0 after replying. */
static int load_for_write(struct req *r, int64_t id, struct uc_full *u)
{
	if (!api_usecase_load(r, id, u)) return 0;
	if (!auth_can_edit_org(&r->viewer, u->owner_org_id)) {
		store_usecase_free(u);
		api_error(r, 403, "auth.forbidden", NULL,
		          "Seuls les membres de l'organisation porteuse peuvent modifier cette fiche.");
		return 0;
	}
	return 1;
}

/* ==== PATCH /api/v1/usecases/{id} ==== */

int api_usecase_patch(struct req *r)
{
	int64_t id = api_parse_id(r->args[0]);
	json_t *input = api_body_object(r);
	if (!input) return 0;
	json_t *doc = NULL;
	struct uc_full u;
	if (!load_for_write(r, id, &u)) {
		json_decref(input);
		return 0;
	}
	int64_t expect = 0;
	json_t *ver = json_object_get(input, "version");
	if (ver) {
		if (!json_is_integer(ver) || json_integer_value(ver) < 1) {
			api_error(r, 422, "validation.type", "version", "« version » doit être un entier (la version lue).");
			goto out;
		}
		expect = json_integer_value(ver);
		json_object_del(input, "version");
	}
	const char *state;
	if (take_state(r, input, &state) < 0) goto out;
	if (state && strcmp(state, u.state) == 0) state = NULL; /* no state change */
	if (state && strcmp(state, "draft") == 0 && strcmp(u.state, "published") == 0) {
		api_error(r, 409, "resource.conflict", "state",
		          "Une fiche publiée ne redevient pas brouillon : retirez-la (POST .../retract).");
		goto out;
	}
	/* the workflow decides (workflow.c); going back to draft from a
	 * submitted record is an edit by its members */
	enum wf_action action = !state || strcmp(state, "draft") == 0 ? WF_EDIT
	                        : strcmp(state, "submitted") == 0   ? WF_SUBMIT
	                                                            : WF_PUBLISH;
	const char *why = NULL;
	int wst = wf_check(&r->viewer, action, u.state, u.owner_org_id, &why);
	if (wst == 409) {
		api_error(r, 409, "resource.conflict", "state", "%s", why);
		goto out;
	}
	if (wst == 403) {
		if (action == WF_PUBLISH)
			api_error(r, 403, "auth.forbidden_publish", "state", "%s", why);
		else
			api_error(r, 403, "auth.forbidden", NULL, "%s", why);
		goto out;
	}
	struct verrors errs = { 0 };
	doc = model_validate(input, u.doc, &errs);
	if (!doc) {
		api_verrors(r, &errs);
		goto out;
	}
	if (check_owner_rights(r, doc, state) < 0) goto out;
	struct uc_save p = { 0 };
	p.id = id;
	p.expect_version = expect;
	p.state = state;
	if (action == WF_SUBMIT || action == WF_PUBLISH) p.review_comment = "";
	p.user_id = r->viewer.user_id;
	char *note = state ? wf_note(action, NULL) : NULL;
	p.note = note ? note : "modification (API)";
	int64_t newid;
	char *detail = state ? xasprintf("%s→%s", u.state, state) : NULL;
	int rc = save_audited(r, doc, &p, state ? "usecase.state" : NULL, detail, &errs, &newid);
	free(detail);
	free(note);
	if (rc != STORE_OK) {
		save_error(r, rc, &errs);
		goto out;
	}
	reply_record(r, id, 200);
out:
	json_decref(doc);
	json_decref(input);
	store_usecase_free(&u);
	return 0;
}

/* ==== POST /api/v1/usecases/{id}/retract ==== */

int api_usecase_retract(struct req *r)
{
	int64_t id = api_parse_id(r->args[0]);
	json_t *input = api_body_object(r);
	if (!input) return 0;
	struct uc_full u;
	if (!load_for_write(r, id, &u)) {
		json_decref(input);
		return 0;
	}
	const char *key;
	json_t *v;
	json_object_foreach(input, key, v) {
		if (strcmp(key, "reason")) {
			api_error(r, 422, "validation.unknown_field", key, "Champ inconnu « %.60s » (attendu : reason).", key);
			goto out;
		}
	}
	json_t *reason = json_object_get(input, "reason");
	const char *rs = json_is_string(reason) ? json_string_value(reason) : NULL;
	if (!rs) {
		api_error(r, 422, reason ? "validation.type" : "validation.required", "reason",
		          "« reason » (le motif du retrait, en texte) est obligatoire.");
		goto out;
	}
	size_t n = json_string_length(reason);
	size_t chars = text_utf8_len(rs, n);
	bool blank = true;
	for (size_t i = 0; i < n; i++)
		if (rs[i] != ' ' && rs[i] != '\n' && rs[i] != '\t' && rs[i] != '\r') blank = false;
	if (blank || chars > 2000 || text_has_control(rs, n)) {
		api_error(r, 422, blank ? "validation.required" : "validation.too_long", "reason",
		          "« reason » : un motif de 1 à 2000 caractères, sans caractères de contrôle.");
		goto out;
	}
	const char *msg = NULL;
	int st = wf_apply(r->db, &r->viewer, &u, WF_RETRACT, rs, 0, &msg);
	if (st) {
		api_error(r, st, st == 403   ? "auth.forbidden"
		                 : st == 409 ? "resource.conflict"
		                 : st == 404 ? "resource.not_found"
		                 : st == 422 ? "validation.required"
		                             : "server.database",
		          st == 409 ? "state" : st == 422 ? "reason" : NULL, "%s", msg);
		goto out;
	}
	reply_record(r, id, 200);
out:
	json_decref(input);
	store_usecase_free(&u);
	return 0;
}
