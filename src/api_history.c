/*
 * api_history.c — GET /api/v1/usecases/{id}/versions (the versions of a
 * record with what changed) and GET /api/v1/usecases/{id}/versions/{n}
 * (one version's document).
 *
 * Design notes
 * - Same rules as the history page (page_history.c): the record must be
 *   readable (auth_can_read_usecase(), else 404); versions that were never
 *   public (drafts...) only for the organisation's editors
 *   (auth_can_see_version(), else 404 for one version, left out of the
 *   list); changed_fields lists only fields visible to the caller
 *   (model_field_visible()), compared with the previous version listed for
 *   that caller (previous_version, 0 for the first), so a change of
 *   restricted fields only is an empty list for the public.
 * - Authors: a kind (import, team, member, contributor) for everyone; the
 *   display name ("name") only for auth_can_see_version_authors(); never
 *   an e-mail.
 * - A version's document is written by model_render_json() with the
 *   caller's visibility, organisations expanded by store_org_ref(), the
 *   same functions as the stored representations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "history.h"
#include "store.h"
#include "util.h"

#define MAX_FIELDS 128

static int64_t parse_num(const char *s, int64_t max)
{
	int64_t v;
	if (!s || !*s || strlen(s) > 15) return 0;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9') return 0;
	if (parse_int64(s, 1, max, &v) < 0) return 0;
	return v;
}

/* Load the record (checking it may be read) and its versions. 1, or 0
 * after replying. */
static int load(struct req *r, struct uc_full *u, struct uc_version **v, int *nv)
{
	int64_t id = parse_num(r->args[0], 999999999999999LL);
	if (!api_usecase_load(r, id, u)) return 0;
	*nv = history_load(r->db, id, u->owner_org_id, v);
	if (*nv < 0) {
		store_usecase_free(u);
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	history_filter(*v, *nv, auth_can_read_restricted(&r->viewer));
	return 1;
}

static void author(struct req *r, jsonw_t *w, const struct uc_full *u, const struct uc_version *v)
{
	jw_key(w, "author");
	jw_obj(w);
	jw_kstr(w, "kind", history_author_kind(v));
	if (v->user_id && auth_can_see_version_authors(&r->viewer, u->owner_org_id)) {
		char *name = history_author(v, true, NULL);
		jw_kstr(w, "name", name);
		free(name);
	}
	jw_obj_end(w);
}

int api_usecase_versions(struct req *r)
{
	struct uc_full u;
	struct uc_version *v;
	int nv;
	if (!load(r, &u, &v, &nv)) return 0;
	bool restricted = auth_can_read_restricted(&r->viewer);
	int shown = 0;
	jsonw_t w;
	api_begin(r, &w);
	jw_arr(&w);
	const struct uc_version *prev = NULL;
	/* newest first: walk oldest first to know each one's previous, then
	 * write in reverse */
	int *order = xcalloc((size_t)nv + 1, sizeof *order);
	const struct uc_version **prevs = xcalloc((size_t)nv + 1, sizeof *prevs);
	for (int i = 0; i < nv; i++) {
		if (!auth_can_see_version(&r->viewer, v[i].state, u.owner_org_id)) continue;
		prevs[shown] = prev;
		order[shown++] = i;
		prev = &v[i];
	}
	for (int k = shown - 1; k >= 0; k--) {
		const struct uc_version *x = &v[order[k]], *p = prevs[k];
		jw_obj(&w);
		jw_kint(&w, "version", x->version);
		jw_kstr(&w, "at", x->at);
		jw_kstr(&w, "state", x->state);
		jw_kstr(&w, "note", x->note);
		author(r, &w, &u, x);
		jw_kint(&w, "previous_version", p ? p->version : 0);
		const struct field *fs[MAX_FIELDS];
		int hidden = 0;
		int n = history_diff(p ? p->doc : NULL, x->doc, restricted, fs, MAX_FIELDS, &hidden);
		jw_key(&w, "changed_fields");
		jw_arr(&w);
		for (int i = 0; i < n; i++) jw_str(&w, fs[i]->name);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	free(order);
	free(prevs);
	api_end(r, &w);
	history_free(v, nv);
	store_usecase_free(&u);
	return 0;
}

int api_usecase_version_get(struct req *r)
{
	struct uc_full u;
	struct uc_version *v;
	int nv;
	int64_t n = parse_num(r->nargs > 1 ? r->args[1] : NULL, 1000000000);
	if (!n) {
		api_error(r, 404, "resource.not_found", "version", "Version introuvable : numéro invalide.");
		return 0;
	}
	if (!load(r, &u, &v, &nv)) return 0;
	const struct uc_version *x = NULL;
	for (int i = 0; i < nv; i++)
		if (v[i].version == n) x = &v[i];
	if (!x || !auth_can_see_version(&r->viewer, x->state, u.owner_org_id)) {
		api_error(r, 404, "resource.not_found", "version", "Version %lld de la fiche %lld introuvable.",
		          (long long)n, (long long)u.id);
		goto out;
	}
	struct usecase_meta m = { u.id, u.slug, x->state, x->version, u.created_at, x->at,
		                  u.published_at, strcmp(x->state, "retracted") == 0 ? u.retract_reason : NULL,
		                  u.origin_id, NULL };
	jsonw_t w;
	api_begin(r, &w);
	model_render_json(&w, x->doc, &m, auth_can_read_restricted(&r->viewer), store_org_ref, r->db);
	api_end(r, &w);
out:
	history_free(v, nv);
	store_usecase_free(&u);
	return 0;
}
