/*
 * api_status.c — GET /api/v1/status: the published limits of the API and
 * its measured response times (issue 6).
 *
 * Design notes
 * - Limits are the real ones, read from where they are enforced: the write
 *   rate per account (server_rate_ok(), `iat serve --write-rate`, 120 a
 *   minute by default; 429 rate.limited with Retry-After beyond), the body
 *   size (HTTP_MAX_BODY, 413) and the page sizes of the lists. Reads of
 *   the API are not throttled; the sign-in and error-report throttles
 *   concern web forms, not the API, and are not listed.
 * - Response times come from metrics.c (per route family: count since
 *   start, p50/p95 over the last METRICS_WINDOW replies). Public, CORS.
 */
#include "api.h"
#include "metrics.h"

#define IAT_VERSION "0.1.0" /* package.json "version" */

int api_status(struct req *r)
{
	jsonw_t w;
	r->no_etag = true; /* the reply changes at every call (uptime, counters) */
	api_begin(r, &w);
	jw_obj(&w);
	jw_kstr(&w, "status", "ok");
	jw_kstr(&w, "version", IAT_VERSION);
	jw_kstr(&w, "api_version", "1");
	jw_kstr(&w, "schema_version", MODEL_SCHEMA_VERSION);
	jw_kstr(&w, "started_at", metrics_started_at());
	jw_kint(&w, "uptime_seconds", metrics_uptime());
	jw_key(&w, "rate_limits");
	jw_arr(&w);
	jw_obj(&w);
	jw_kstr(&w, "name", "api.writes");
	jw_kstr(&w, "scope", "account");
	jw_kint(&w, "limit", metrics_write_rate());
	jw_kint(&w, "window_seconds", 60);
	jw_kstr(&w, "applies_to", "POST, PATCH (écritures de l'API et formulaires qui écrivent)");
	jw_kstr(&w, "description",
	        metrics_write_rate() > 0
	            ? "Écritures par compte et par minute civile ; au-delà : 429 rate.limited avec Retry-After (secondes jusqu'à la minute suivante)."
	            : "Aucune limite d'écriture sur cette instance (--write-rate 0).");
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_key(&w, "request_limits");
	jw_obj(&w);
	jw_kint(&w, "max_body_bytes", HTTP_MAX_BODY);
	jw_kint(&w, "max_per_page", 100);
	jw_kint(&w, "max_page", 10000);
	jw_kint(&w, "max_query_characters", 200);
	jw_kbool(&w, "reads_throttled", false);
	jw_obj_end(&w);
	jw_key(&w, "response_times");
	metrics_render(&w);
	jw_obj_end(&w);
	api_end(r, &w);
	return 0;
}
