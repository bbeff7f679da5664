/*
 * api.h — JSON API v1 handlers and the reply envelope.
 *
 * Envelope (every reply of /api/v1 and /healthz):
 *   success: {"ok":true,"data":...,"meta":{...}}      (meta optional)
 *   error:   {"ok":false,"error":{"status":422,"code":"validation.enum",
 *             "message":"...","field":"theme","details":[...]}}
 * Error codes are grouped by family: request.* (400, 405, 413, 415),
 * auth.* (401, 403), validation.* (422), resource.* (404, 409),
 * rate.* (429), server.* (500). See doc/api.md.
 */
#ifndef IAT_API_H
#define IAT_API_H

#include "http.h"
#include "jsonw.h"
#include "model.h"

/* Write an error reply. field may be NULL. */
void api_error(struct req *r, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* 422 with every validation error in details[]. */
void api_verrors(struct req *r, const struct verrors *e);
/* Start a success reply: writes {"ok":true,"data": and returns the writer
 * positioned for the data value; finish with api_end(). */
void api_begin(struct req *r, jsonw_t *w);
void api_end(struct req *r, jsonw_t *w);

struct uc_full;
/* Load record id for an API reply: 1, or 0 after replying 404 (unknown id,
 * or a record the viewer may not read, alike) or 500. Free with
 * store_usecase_free(). */
int api_usecase_load(struct req *r, int64_t id, struct uc_full *u);
/* A record id from a path segment: digits only, 1..10^15; 0 when not one. */
int64_t api_parse_id(const char *s);
/* The common parameters of a paged list: q (at most 200 characters),
 * page (1..10000) and per_page (1..100), left unchanged when absent. 0, or
 * -1 with the 400 reply written (request.invalid_parameter naming it). */
int api_list_params(struct req *r, const char **q, int *page, int *per_page);
/* The request body as a JSON object (UTF-8 checked, duplicate keys
 * refused), or NULL after replying 400 (empty, invalid UTF-8, malformed)
 * or 422 (not an object). */
json_t *api_body_object(struct req *r);

int api_healthz(struct req *r);
int api_schema(struct req *r);
int api_usecase_list(struct req *r);
int api_usecase_get(struct req *r);
int api_usecase_create(struct req *r);
int api_usecase_patch(struct req *r);
int api_usecase_retract(struct req *r);
int api_org_list(struct req *r);
int api_org_get(struct req *r);

/* ---- history, comparison, audit (api_history.c) ---- */
int api_usecase_versions(struct req *r);
int api_usecase_version_get(struct req *r);

/* ---- measured impact (api_impact.c) ---- */
int api_usecase_impact(struct req *r);
int api_usecase_impact_events(struct req *r);
/* ---- reuse between territories (api_reuse.c) ---- */
int api_reuse_list(struct req *r);
int api_reuse_create(struct req *r);
int api_reuse_lineage(struct req *r);
/* ---- Etalab impact export (api_export_impact.c) ---- */
int api_export_impact_all(struct req *r);
int api_export_impact_one(struct req *r);
/* ---- record exports, issue 6 (api_export.c, formats in export.c) ---- */
int api_export_usecases_csv(struct req *r);
int api_export_usecases_excel(struct req *r);
int api_export_usecases_json(struct req *r);
int api_export_usecases_jsonl(struct req *r);
/* ---- discovery, issue 5 (api_discovery.c) ---- */
int api_org_recommendations(struct req *r);
int api_usecase_similar(struct req *r);

/* ---- open data, issue 6 (api_opendata.c, page_inventory.c) ---- */
int api_export_history_jsonl(struct req *r);
int api_export_history_csv(struct req *r);
int api_export_datapackage(struct req *r);
int api_export_table_schema(struct req *r);
int api_catalog(struct req *r);
int api_org_inventory_csv(struct req *r);

/* ---- API contract, issue 6 (api_openapi.c, api_status.c) ---- */
int api_openapi(struct req *r);
int api_status(struct req *r);

/* ---- international references, issue 6 §2 (api_intl.c) ---- */
int api_intl_list(struct req *r);
int api_intl_get(struct req *r);
/* ---- observatory, issue 7 (api_stats.c): library statistics ---- */
int api_stats_library(struct req *r);

/* ---- survey campaigns, issue 7 §1 (api_survey.c): one organisation's response ---- */
int api_survey_response_get(struct req *r);
int api_survey_response_put(struct req *r);

/* page_survey_results.c (issue 7): GET /api/v1/campaigns/{code}/results */
int api_survey_results(struct req *r);

#endif
