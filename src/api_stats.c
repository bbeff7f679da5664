/*
 * api_stats.c — GET /api/v1/stats/library: the library statistics of the
 * observatory page (/observatoire) as JSON (issue 7).
 *
 * Design notes
 * - The same figures as the page and its CSV files: one obs_load()
 *   (observatory.c). Visible records (published or retracted) only; public.
 * - Shape: total; by_theme, by_status ([{code, label, count}], the page's
 *   order); by_org_kind_status ([{code, label, total, by_status: {status
 *   code: count}}]); published_by_month ([{month, count, cumulative}],
 *   continuous), undated; by_departement (all 101: [{code, name, count}])
 *   and without_departement. A code "" is "non renseigné".
 */
#include "api.h"
#include "map.h"
#include "observatory.h"

static void dist(jsonw_t *w, const char *key, const struct obs_dist *d)
{
	jw_key(w, key);
	jw_arr(w);
	for (int i = 0; i < d->n; i++) {
		jw_obj(w);
		jw_kstr(w, "code", d->code[i]);
		jw_kstr(w, "label", d->label[i]);
		jw_kint(w, "count", (int64_t)d->count[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

int api_stats_library(struct req *r)
{
	struct observatory o;
	if (obs_load(r->db, &o) < 0) {
		api_error(r, 500, "server.database", NULL, "Les statistiques sont momentanément indisponibles.");
		return 0;
	}
	jsonw_t w;
	api_begin(r, &w);
	jw_obj(&w);
	jw_kint(&w, "total", o.total);
	dist(&w, "by_theme", &o.theme);
	dist(&w, "by_status", &o.status);
	dist(&w, "by_ai_technique", &o.technique);
	dist(&w, "by_population_band", &o.band);
	dist(&w, "by_region", &o.region);
	jw_kint(&w, "impact_label_awarded", o.label_awarded);
	jw_key(&w, "reuses");
	jw_obj(&w);
	jw_kint(&w, "reusing_records", o.reuses);
	jw_kint(&w, "reused_records", o.reused);
	jw_obj_end(&w);
	jw_key(&w, "by_org_kind_status");
	jw_arr(&w);
	for (int k = 0; k < o.kind.n; k++) {
		jw_obj(&w);
		jw_kstr(&w, "code", o.kind.code[k]);
		jw_kstr(&w, "label", o.kind.label[k]);
		jw_kint(&w, "total", (int64_t)o.kind.count[k]);
		jw_key(&w, "by_status");
		jw_obj(&w);
		for (int s = 0; s < o.status.n; s++) jw_kint(&w, o.status.code[s], (int64_t)o.kind_status[s][k]);
		jw_obj_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "published_by_month");
	jw_arr(&w);
	for (int i = 0; i < o.nmonth; i++) {
		jw_obj(&w);
		jw_kstr(&w, "month", o.month[i]);
		jw_kint(&w, "count", (int64_t)o.month_count[i]);
		jw_kint(&w, "cumulative", (int64_t)o.month_cum[i]);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_kint(&w, "undated", o.undated);
	jw_key(&w, "by_departement");
	jw_arr(&w);
	for (int i = 0; i < map_dep_count(); i++) {
		jw_obj(&w);
		jw_kstr(&w, "code", map_dep_code(i));
		jw_kstr(&w, "name", map_dep_name(i));
		jw_kint(&w, "count", (int64_t)o.dep_count[i]);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_kint(&w, "without_departement", o.dep_none);
	jw_obj_end(&w);
	api_end(r, &w);
	obs_free(&o);
	return 0;
}
