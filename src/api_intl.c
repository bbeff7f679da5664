/*
 * api_intl.c — the international references in the API (issue 6,
 * section 2), public reads:
 *   GET /api/v1/international-references       q country source status
 *                                              lang page per_page
 *   GET /api/v1/international-references/{id}
 *
 * Design notes
 * - Same envelope and conventions as the use-case list (api_usecase.c):
 *   {"ok":true,"data":[...],"meta":{total,page,per_page,pages,query,
 *   facets}}; a bad parameter is 400 request.invalid_parameter naming it;
 *   an unknown id is 404 resource.not_found.
 * - Filters take one value each (vocabularies of intl.h); facets are
 *   disjunctive like the use cases' and give a French label per value.
 * - The detail gives every mapped field ("fields", original language,
 *   "lang" says which), the provenance (per part of the source), the
 *   attribution and licence of the source, and the raw record(s) as read.
 *   References are never mixed with use-case records.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "importer.h"
#include "intl.h"
#include "jsonw.h"
#include "store_intl.h"
#include "text.h"
#include "util.h"

static void source_obj(jsonw_t *w, const char *name)
{
	const struct intl_source *s = intl_source_find(name);
	jw_obj(w);
	jw_kstr(w, "id", name);
	jw_kstr(w, "label", s ? s->label : NULL);
	jw_kstr(w, "publisher", s ? s->publisher : NULL);
	jw_kstr(w, "licence", s ? s->licence : NULL);
	jw_kstr(w, "licence_url", s ? s->licence_url : NULL);
	jw_kstr(w, "home_url", s ? s->home_url : NULL);
	jw_obj_end(w);
}

int api_intl_list(struct req *r)
{
	struct intl_query q = { 0 };
	q.page = 1;
	q.per_page = 20;
	q.with_facets = true;
	if (api_list_params(r, &q.q, &q.page, &q.per_page) < 0) return 0;
	for (int f = 0; f < INTL_NFACETS; f++) {
		const char *name = intl_facet_names[f];
		const char *val = req_param(r, name);
		if (!val || !*val) continue;
		if (!intl_filter_label(name, val)) {
			api_error(r, 400, "request.invalid_parameter", name, "Valeur « %.40s » inconnue pour « %s ».", val, name);
			return 0;
		}
		q.filters[f] = val;
	}
	struct intl_result res;
	if (store_intl_search(r->db, &q, &res) < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne pendant la recherche.");
		return 0;
	}
	jsonw_t w;
	api_begin(r, &w);
	jw_arr(&w);
	for (int i = 0; i < res.nhits; i++) {
		const struct intl_hit *h = &res.hits[i];
		jw_obj(&w);
		jw_kint(&w, "id", h->id);
		buf_t u = BUF_INIT;
		buf_fmt(&u, "/references-internationales/%D", h->id);
		jw_kstr(&w, "url", buf_cstr(&u));
		buf_free(&u);
		jw_kstr(&w, "source", h->source);
		jw_kstr(&w, "source_id", h->source_id);
		jw_kstr(&w, "country", h->country);
		jw_kstr(&w, "lang", h->lang);
		jw_kstr(&w, "title", h->title);
		jw_kstr(&w, "organisation", h->organisation);
		jw_kstr(&w, "status", h->status);
		char *sum = h->description ? import_summary(h->description, 300) : NULL;
		jw_kstr(&w, "summary", sum);
		free(sum);
		jw_kstr(&w, "source_url", h->source_url);
		jw_kstr(&w, "source_date", h->source_date);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "meta");
	jw_obj(&w);
	jw_kint(&w, "total", res.total);
	jw_kint(&w, "page", q.page);
	jw_kint(&w, "per_page", q.per_page);
	jw_kint(&w, "pages", (res.total + q.per_page - 1) / q.per_page);
	jw_kstr(&w, "query", q.q);
	jw_kstr(&w, "fts", res.fts);
	jw_key(&w, "facets");
	jw_obj(&w);
	for (int f = 0; f < INTL_NFACETS; f++) {
		jw_key(&w, intl_facet_names[f]);
		jw_arr(&w);
		for (int i = 0; i < res.facets[f].ncounts; i++) {
			const char *val = res.facets[f].counts[i].value;
			jw_obj(&w);
			jw_kstr(&w, "value", val);
			jw_kstr(&w, "label", intl_filter_label(intl_facet_names[f], val));
			jw_kint(&w, "count", res.facets[f].counts[i].count);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
	jw_obj_end(&w);
	api_end(r, &w);
	store_intl_result_free(&res);
	return 0;
}

int api_intl_get(struct req *r)
{
	int64_t id = api_parse_id(r->args[0]);
	if (!id) {
		api_error(r, 404, "resource.not_found", "id", "Référence introuvable : identifiant invalide.");
		return 0;
	}
	struct intl_ref x;
	int rc = store_intl_get(r->db, id, &x);
	if (rc < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	if (rc == 0) {
		api_error(r, 404, "resource.not_found", "id", "Référence internationale %lld introuvable.", (long long)id);
		return 0;
	}
	jsonw_t w;
	api_begin(r, &w);
	jw_obj(&w);
	jw_kint(&w, "id", x.id);
	buf_t u = BUF_INIT;
	buf_fmt(&u, "/references-internationales/%D", x.id);
	jw_kstr(&w, "url", buf_cstr(&u));
	buf_free(&u);
	jw_key(&w, "source");
	source_obj(&w, x.source);
	jw_kstr(&w, "source_id", x.source_id);
	jw_kstr(&w, "country", x.country);
	jw_kstr(&w, "country_label", intl_country_label(x.country));
	jw_kstr(&w, "lang", x.lang);
	jw_kstr(&w, "title", x.title);
	jw_kstr(&w, "organisation", x.organisation);
	jw_kstr(&w, "status", x.status);
	jw_kstr(&w, "status_label", intl_status_label(x.status));
	jw_kstr(&w, "status_text", x.status_text);
	jw_kstr(&w, "source_url", x.source_url);
	jw_key(&w, "fields");
	jw_jansson(&w, json_object_get(x.doc, "fields"));
	jw_key(&w, "provenance");
	jw_obj(&w);
	jw_kstr(&w, "source", x.source);
	jw_kstr(&w, "source_id", x.source_id);
	jw_kstr(&w, "file", x.file);
	jw_kstr(&w, "first_imported_at", x.first_imported_at);
	jw_kstr(&w, "last_imported_at", x.last_imported_at);
	jw_kstr(&w, "last_changed_at", x.last_changed_at);
	jw_kstr(&w, "content_hash", x.content_hash);
	jw_key(&w, "parts");
	jw_arr(&w);
	const char *pname;
	json_t *part;
	json_object_foreach(json_object_get(x.doc, "parts"), pname, part) {
		jw_obj(&w);
		jw_kstr(&w, "part", pname);
		jw_kstr(&w, "file", json_string_value(json_object_get(part, "file")));
		jw_kstr(&w, "first_imported_at", json_string_value(json_object_get(part, "first_imported_at")));
		jw_kstr(&w, "changed_at", json_string_value(json_object_get(part, "changed_at")));
		jw_key(&w, "raw");
		json_t *raw = json_object_get(part, "raw");
		if (raw) jw_jansson(&w, raw);
		else jw_null(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	api_end(r, &w);
	store_intl_free(&x);
	return 0;
}
