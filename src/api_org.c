/*
 * api_org.c — /api/v1/organisations: search by name, INSEE code or SIREN,
 * and one organisation with its public records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "org.h"
#include "store.h"
#include "text.h"
#include "util.h"

/* Write an organisation object. */
static void write_org(db_t *db, jsonw_t *w, const struct org *o, bool detailed)
{
	char *key = org_key(o);
	jw_obj(w);
	jw_kstr(w, "id", key);
	jw_kstr(w, "name", o->name);
	jw_kstr(w, "kind", o->kind);
	jw_kstr(w, "kind_label", org_kind_label(o->kind));
	jw_kstr(w, "subtype", o->subtype);
	jw_kstr(w, "code", o->code);
	jw_kstr(w, "siren", o->siren);
	jw_key(w, "population");
	if (o->population >= 0) jw_int(w, o->population);
	else jw_null(w);
	jw_kstr(w, "population_band", org_band(o->population));
	jw_kstr(w, "departement", o->departement);
	jw_kstr(w, "region", o->region);
	jw_kbool(w, "official", o->official);
	jw_kbool(w, "active", o->active);
	if (detailed) {
		char *dn = o->departement ? org_area_name(db, "departement", o->departement) : NULL;
		char *rn = o->region ? org_area_name(db, "region", o->region) : NULL;
		jw_kstr(w, "departement_name", dn);
		jw_kstr(w, "region_name", rn);
		free(dn);
		free(rn);
	}
	buf_t u = BUF_INIT;
	buf_fmt(&u, "/organisations/%U", key);
	jw_kstr(w, "url", buf_cstr(&u));
	buf_free(&u);
	jw_obj_end(w);
	free(key);
}

struct list_ctx {
	db_t *db;
	jsonw_t *w;
};

static int list_cb(void *ctx, const struct org *o)
{
	struct list_ctx *c = ctx;
	write_org(c->db, c->w, o, false);
	return 0;
}

static int page_params(struct req *r, int *page, int *per_page, int max_per_page)
{
	int64_t v;
	const char *p = req_param(r, "page");
	*page = 1;
	*per_page = 20;
	if (p) {
		if (parse_int64(p, 1, 10000, &v) < 0) {
			api_error(r, 400, "request.invalid_parameter", "page", "« page » doit être un entier entre 1 et 10000.");
			return -1;
		}
		*page = (int)v;
	}
	p = req_param(r, "per_page");
	if (p) {
		if (parse_int64(p, 1, max_per_page, &v) < 0) {
			api_error(r, 400, "request.invalid_parameter", "per_page",
			          "« per_page » doit être un entier entre 1 et %d.", max_per_page);
			return -1;
		}
		*per_page = (int)v;
	}
	return 0;
}

int api_org_list(struct req *r)
{
	const char *q = req_param(r, "q");
	if (!q || !*q) {
		api_error(r, 400, "request.missing_parameter", "q",
		          "Paramètre « q » obligatoire : un nom, un code INSEE ou un SIREN.");
		return 0;
	}
	if (text_utf8_len(q, strlen(q)) > 100) {
		api_error(r, 400, "request.invalid_parameter", "q", "La recherche dépasse 100 caractères.");
		return 0;
	}
	int page, per_page;
	if (page_params(r, &page, &per_page, 100) < 0) return 0;
	jsonw_t w;
	api_begin(r, &w);
	jw_arr(&w);
	struct list_ctx c = { r->db, &w };
	int n = org_search(r->db, q, per_page, (page - 1) * per_page, list_cb, &c);
	if (n < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne pendant la recherche.");
		return 0;
	}
	jw_arr_end(&w);
	jw_key(&w, "meta");
	jw_obj(&w);
	jw_kint(&w, "page", page);
	jw_kint(&w, "per_page", per_page);
	jw_kint(&w, "count", n);
	jw_kstr(&w, "query", q);
	jw_obj_end(&w);
	api_end(r, &w);
	return 0;
}

int api_org_get(struct req *r)
{
	struct org o;
	int rc = org_find(r->db, r->args[0], &o);
	if (rc < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	if (rc == 0) {
		api_error(r, 404, "resource.not_found", "id", "Organisation « %.60s » introuvable.", r->args[0]);
		return 0;
	}
	int page, per_page;
	if (page_params(r, &page, &per_page, 100) < 0) {
		org_free(&o);
		return 0;
	}
	struct search_query sq = { 0 };
	sq.owner_org_id = o.id;
	sq.page = page;
	sq.per_page = per_page;
	struct search_result res;
	if (search_run(r->db, &sq, &res) < 0) {
		org_free(&o);
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	jsonw_t w;
	api_begin(r, &w);
	jw_obj(&w);
	jw_key(&w, "organisation");
	write_org(r->db, &w, &o, true);
	jw_key(&w, "usecases");
	jw_arr(&w);
	for (int i = 0; i < res.nhits; i++) {
		const struct search_hit *h = &res.hits[i];
		jw_obj(&w);
		jw_kint(&w, "id", h->id);
		jw_kstr(&w, "title", h->title);
		jw_kstr(&w, "summary", h->summary);
		jw_kstr(&w, "state", h->state);
		jw_kstr(&w, "status", h->status);
		jw_kstr(&w, "theme", h->theme);
		jw_kstr(&w, "updated_at", h->updated_at);
		buf_t u = BUF_INIT;
		buf_fmt(&u, "/fiches/%D-%R", h->id, h->slug);
		jw_kstr(&w, "url", buf_cstr(&u));
		buf_free(&u);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_key(&w, "meta");
	jw_obj(&w);
	jw_kint(&w, "total", res.total);
	jw_kint(&w, "page", page);
	jw_kint(&w, "per_page", per_page);
	jw_obj_end(&w);
	api_end(r, &w);
	search_result_free(&res);
	org_free(&o);
	return 0;
}
