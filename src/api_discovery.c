/*
 * api_discovery.c — the discovery API of issue 5:
 *   GET /api/v1/organisations/{key}/recommendations?theme=&page=&per_page=
 *     "territoires comme le mien" for one organisation:
 *     {data: [{id, url, title, summary, theme, updated_at, owner {id, name,
 *      kind}, score, impact_label, evidence_level, reuses, reasons [codes],
 *      explanation}], meta: {total, page, per_page, pages, organisation,
 *      kind, band, theme}}
 *   GET /api/v1/usecases/{id}/similar
 *     {data: [{id, url, title, owner {...}, theme, same_theme,
 *      shared_sub_themes, shared_words [..], reason}], meta: {total}}
 *
 * Design notes
 * - Public data only (published records; the search index is public), so
 *   both are CAP_NONE and CORS. The similar records of a record the viewer
 *   may not read are a 404, like the record itself.
 * - The ranking and its reason codes are documented in store.h and
 *   recommend.c; the French lines come from page_recommend.c and
 *   page_similar.c so that the page and the API say the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "model.h"
#include "org.h"
#include "pages.h"
#include "store.h"
#include "util.h"

static void write_owner(jsonw_t *w, const struct search_hit *h)
{
	jw_key(w, "owner");
	jw_obj(w);
	jw_kstr(w, "id", h->owner_key);
	jw_kstr(w, "name", h->owner_name);
	jw_kstr(w, "kind", h->owner_kind);
	jw_obj_end(w);
}

static void write_url(jsonw_t *w, const struct search_hit *h)
{
	buf_t u = BUF_INIT;
	buf_fmt(&u, "/fiches/%D-%R", h->id, h->slug);
	jw_kstr(w, "url", buf_cstr(&u));
	buf_free(&u);
}

int api_org_recommendations(struct req *r)
{
	struct org o;
	int rc = org_find(r->db, r->args[0], &o);
	if (rc < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	if (rc == 0) {
		api_error(r, 404, "resource.not_found", "organisation", "Organisation « %.60s » introuvable.", r->args[0]);
		return 0;
	}
	int64_t page = 1, per_page = 20;
	const char *theme = req_param(r, "theme");
	const char *p = req_param(r, "page");
	const char *pp = req_param(r, "per_page");
	if (theme && !*theme) theme = NULL;
	if (theme && vocab_index(&vocab_theme, theme) < 0) {
		api_error(r, 400, "request.invalid_parameter", "theme", "Valeur « %.40s » inconnue pour « theme ».", theme);
		goto out;
	}
	if (p && parse_int64(p, 1, RECO_MAX_PAGE, &page) < 0) {
		api_error(r, 400, "request.invalid_parameter", "page", "« page » doit être un entier entre 1 et %d.",
		          RECO_MAX_PAGE);
		goto out;
	}
	if (pp && parse_int64(pp, 1, 50, &per_page) < 0) {
		api_error(r, 400, "request.invalid_parameter", "per_page", "« per_page » doit être un entier entre 1 et 50.");
		goto out;
	}
	const char *band = org_band(o.population);
	struct reco_query rq = { .org_id = o.id, .kind = o.kind, .band = band, .theme = theme,
		                 .page = (int)page, .per_page = (int)per_page };
	struct reco_result res;
	if (search_recommend(r->db, &rq, &res) < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne pendant le calcul des recommandations.");
		goto out;
	}
	char *key = org_key(&o);
	jsonw_t w;
	api_begin(r, &w);
	jw_arr(&w);
	for (int i = 0; i < res.nhits; i++) {
		const struct reco_hit *x = &res.hits[i];
		const struct search_hit *h = &x->h;
		jw_obj(&w);
		jw_kint(&w, "id", h->id);
		write_url(&w, h);
		jw_kstr(&w, "title", h->title);
		jw_kstr(&w, "summary", h->summary);
		jw_kstr(&w, "theme", h->theme);
		jw_kstr(&w, "status", h->status);
		jw_kstr(&w, "updated_at", h->updated_at);
		write_owner(&w, h);
		jw_kint(&w, "score", x->score);
		jw_kbool(&w, "impact_label", x->label);
		jw_kint(&w, "evidence_level", x->evidence_level);
		jw_kint(&w, "reuses", x->reuses);
		jw_key(&w, "reasons");
		jw_arr(&w);
		for (int k = 0; k < x->nreasons; k++) jw_str(&w, x->reasons[k]);
		jw_arr_end(&w);
		buf_t why = BUF_INIT;
		reco_explain(&why, x, o.kind, band, o.name);
		jw_kstr(&w, "explanation", buf_cstr(&why));
		buf_free(&why);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "meta");
	jw_obj(&w);
	jw_kint(&w, "total", res.total);
	jw_kint(&w, "page", page);
	jw_kint(&w, "per_page", per_page);
	jw_kint(&w, "pages", (res.total + per_page - 1) / per_page);
	jw_key(&w, "organisation");
	jw_obj(&w);
	jw_kstr(&w, "id", key);
	jw_kstr(&w, "name", o.name);
	jw_obj_end(&w);
	jw_kstr(&w, "kind", o.kind);
	jw_kstr(&w, "band", band);
	jw_kstr(&w, "theme", theme);
	jw_obj_end(&w);
	api_end(r, &w);
	free(key);
	reco_result_free(&res);
out:
	org_free(&o);
	return 0;
}

int api_usecase_similar(struct req *r)
{
	const char *s = r->args[0];
	int64_t id = 0;
	bool digits = s && *s && strlen(s) <= 15;
	for (const char *c = s; digits && *c; c++)
		if (*c < '0' || *c > '9') digits = false;
	if (!digits || parse_int64(s, 1, 999999999999999LL, &id) < 0) id = 0;
	struct uc_full u;
	if (!api_usecase_load(r, id, &u)) return 0;
	store_usecase_free(&u);
	struct similar_result res;
	if (search_similar(r->db, id, &res) < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne pendant la recherche de fiches similaires.");
		return 0;
	}
	jsonw_t w;
	api_begin(r, &w);
	jw_arr(&w);
	for (int i = 0; i < res.n; i++) {
		const struct similar_item *it = &res.items[i];
		jw_obj(&w);
		jw_kint(&w, "id", it->h.id);
		write_url(&w, &it->h);
		jw_kstr(&w, "title", it->h.title);
		jw_kstr(&w, "theme", it->h.theme);
		write_owner(&w, &it->h);
		jw_kbool(&w, "same_theme", it->same_theme);
		jw_kint(&w, "shared_sub_themes", it->shared_sub_themes);
		jw_key(&w, "shared_words");
		jw_arr(&w);
		for (const char *p = it->words; *p;) {
			const char *e = strstr(p, ", ");
			size_t n = e ? (size_t)(e - p) : strlen(p);
			jw_strn(&w, p, n);
			p += n;
			if (e) p += 2;
		}
		jw_arr_end(&w);
		buf_t why = BUF_INIT;
		similar_reason(&why, it);
		jw_kstr(&w, "reason", buf_cstr(&why));
		buf_free(&why);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "meta");
	jw_obj(&w);
	jw_kint(&w, "total", res.n);
	jw_obj_end(&w);
	api_end(r, &w);
	similar_result_free(&res);
	return 0;
}
