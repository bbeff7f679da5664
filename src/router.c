/*
 * router.c — the routing table and the central checks (see router.h).
 *
 * To add a page or an API route: write the handler (page_*.c or api_*.c),
 * declare it in pages.h or api.h, and add one line to routes[] below with
 * the query parameters it accepts. doc/hacking.md walks through it.
 */
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "pages.h"
#include "session.h"
#include "util.h"

/* issue 6: filters of the record exports (api_export.c) */
#define EXPORT_PARAMS "theme status state owner"
#define LIST_PARAMS "q page per_page sort theme status org_kind region departement population_band ai_technique risk_level owner impact_label"

/* clang-format off */
static const struct route routes[] = {
	/* method   pattern                         handler               caps      flags                           query parameters */
	{ "GET",   "/healthz",                      api_healthz,          CAP_NONE, R_API | R_CORS,                 "" },
	{ "GET",   "/api/v1/schema",                api_schema,           CAP_NONE, R_API | R_CORS,                 "" },
	{ "GET",   "/api/v1/usecases",              api_usecase_list,     CAP_NONE, R_API | R_CORS | R_READ,        LIST_PARAMS },
	{ "POST",  "/api/v1/usecases",              api_usecase_create,   CAP_AUTH, R_API | R_JSON_BODY | R_WRITE,  "" },
	{ "GET",   "/api/v1/usecases/{}",           api_usecase_get,      CAP_NONE, R_API | R_CORS | R_READ,        "" },
	{ "PATCH", "/api/v1/usecases/{}",           api_usecase_patch,    CAP_AUTH, R_API | R_JSON_BODY | R_WRITE,  "" },
	{ "POST",  "/api/v1/usecases/{}/retract",   api_usecase_retract,  CAP_AUTH, R_API | R_JSON_BODY | R_WRITE,  "" },
	{ "GET",   "/api/v1/organisations",         api_org_list,         CAP_NONE, R_API | R_CORS | R_READ,        "q page per_page" },
	{ "GET",   "/api/v1/organisations/{}",      api_org_get,          CAP_NONE, R_API | R_CORS | R_READ,        "page per_page" },
	{ "GET",   "/",                             page_home,            CAP_NONE, R_READ,                         "" },
	{ "GET",   "/recherche",                    page_search,          CAP_NONE, R_READ,                         LIST_PARAMS },
	{ "GET",   "/fiches/{}",                    page_usecase,         CAP_NONE, R_READ,                         "" },
	{ "GET",   "/organisations/{}",             page_org,             CAP_NONE, R_READ,                         "page" },
	{ "GET",   "/accessibilite",                page_accessibility,   CAP_NONE, 0,                              "" },
	{ "GET",   "/static/{}",                    page_static,          CAP_NONE, 0,                              "v" },

	/* ---- accounts, sessions, memberships (page_account.c, page_member.c) ---- */
	{ "GET",   "/connexion",                    page_signin,          CAP_NONE, 0,                              "retour" },
	{ "POST",  "/connexion",                    page_signin_post,     CAP_NONE, R_FORM,                         "" },
	{ "POST",  "/deconnexion",                  page_signout,         CAP_NONE, R_FORM,                         "" },
	{ "GET",   "/inscription",                  page_signup,          CAP_NONE, 0,                              "" },
	{ "POST",  "/inscription",                  page_signup_post,     CAP_NONE, R_FORM,                         "" },
	{ "GET",   "/inscription/envoyee",          page_signup_sent,     CAP_NONE, 0,                              "" },
	{ "GET",   "/inscription/confirmer",        page_signup_confirm,  CAP_NONE, 0,                              "jeton" },
	{ "GET",   "/mot-de-passe-oublie",          page_forgot,          CAP_NONE, 0,                              "" },
	{ "POST",  "/mot-de-passe-oublie",          page_forgot_post,     CAP_NONE, R_FORM,                         "" },
	{ "GET",   "/reinitialisation",             page_reset,           CAP_NONE, 0,                              "jeton" },
	{ "POST",  "/reinitialisation",             page_reset_post,      CAP_NONE, R_FORM,                         "" },
	{ "GET",   "/compte",                       page_account,         CAP_USER, 0,                              "" },
	{ "GET",   "/compte/mot-de-passe",          page_password,        CAP_USER, 0,                              "" },
	{ "POST",  "/compte/mot-de-passe",          page_password_post,   CAP_USER, R_FORM,                         "" },
	{ "GET",   "/compte/donnees",               page_mydata,          CAP_USER, 0,                              "" },
	{ "GET",   "/compte/supprimer",             page_delete,          CAP_USER, 0,                              "" },
	{ "POST",  "/compte/supprimer",             page_delete_post,     CAP_USER, R_FORM,                         "" },
	{ "POST",  "/compte/adhesions/{}/annuler",  page_join_cancel,     CAP_USER, R_FORM,                         "" },
	{ "GET",   "/compte/rejoindre",             page_join_search,     CAP_USER, 0,                              "q" },
	{ "POST",  "/organisations/{}/adhesion",    page_join_request,    CAP_USER, R_FORM,                         "" },
	{ "GET",   "/organisations/{}/membres",     page_members,         CAP_USER, 0,                              "" },
	{ "POST",  "/organisations/{}/adhesions/{}/accepter", page_join_accept, CAP_USER, R_FORM,               "" },
	{ "POST",  "/organisations/{}/adhesions/{}/refuser",  page_join_refuse, CAP_USER, R_FORM,               "" },
	{ "POST",  "/organisations/{}/membres/{}/role",       page_member_role, CAP_USER, R_FORM,               "" },
	{ "POST",  "/organisations/{}/membres/{}/retirer",    page_member_remove, CAP_USER, R_FORM,             "" },

	/* ---- writing records and the publication workflow (page_edit.c, page_workspace.c) ---- */
	{ "GET",   "/fiches/nouvelle",              page_edit_new,        CAP_USER, 0,                              "organisation" },
	{ "POST",  "/fiches/nouvelle",              page_edit_new_post,   CAP_USER, R_FORM | R_WRITE,               "" },
	{ "GET",   "/fiches/{}/modifier",           page_edit,            CAP_USER, 0,                              "" },
	{ "POST",  "/fiches/{}/modifier",           page_edit_post,       CAP_USER, R_FORM | R_WRITE,               "" },
	{ "POST",  "/fiches/{}/soumettre",          page_wf_submit,       CAP_USER, R_FORM | R_WRITE,               "" },
	{ "POST",  "/fiches/{}/publier",            page_wf_publish,      CAP_USER, R_FORM | R_WRITE,               "" },
	{ "POST",  "/fiches/{}/demander-modifications", page_wf_request_changes, CAP_USER, R_FORM | R_WRITE,        "" },
	{ "POST",  "/fiches/{}/retirer",            page_wf_retract,      CAP_USER, R_FORM | R_WRITE,               "" },
	{ "GET",   "/espace",                       page_workspace,       CAP_USER, 0,                              "etat" },
	{ "GET",   "/relecture",                    page_review_queue,    CAP_USER, 0,                              "" },

	/* ---- history, comparison, audit (page_history.c, page_audit.c) ---- */
	{ "GET",   "/api/v1/usecases/{}/versions",    api_usecase_versions,    CAP_NONE,  R_API | R_CORS, "" },
	{ "GET",   "/api/v1/usecases/{}/versions/{}", api_usecase_version_get, CAP_NONE,  R_API | R_CORS, "" },
	{ "GET",   "/fiches/{}/historique",           page_history,            CAP_NONE,  R_READ,              "" },
	{ "GET",   "/fiches/{}/comparer",             page_compare,            CAP_NONE,  R_READ,              "de a tout" },
	{ "GET",   "/admin/journal",                  page_audit,              CAP_ADMIN, 0,              "action cible page" },

	/* ---- imports by curators (page_import.c; issue 6) ---- */
	{ "GET",   "/admin/imports",                  page_imports,            CAP_CURATOR, 0,        "" },
	{ "POST",  "/admin/imports",                  page_imports_post,       CAP_CURATOR, R_FORM | R_UPLOAD | R_WRITE, "" },

	/* ---- error reports (page_report.c) ---- */
	{ "GET",   "/fiches/{}/signaler",           page_report,          CAP_NONE, 0,                              "" },
	{ "POST",  "/fiches/{}/signaler",           page_report_post,     CAP_NONE, R_FORM,                         "" },
	{ "GET",   "/espace/signalements",          page_report_inbox,    CAP_USER, 0,                              "org" },
	{ "POST",  "/signalements/{}/repondre",     page_report_answer,   CAP_USER, R_FORM | R_WRITE,               "" },

	/* ---- measured impact (page_impact.c, api_impact.c) ---- */
	{ "POST",  "/api/v1/usecases/{}/impact",        api_usecase_impact,        CAP_AUTH, R_API | R_JSON_BODY | R_WRITE, "" },
	{ "GET",   "/api/v1/usecases/{}/impact-events", api_usecase_impact_events, CAP_NONE, R_API | R_CORS | R_READ,       "" },
	{ "POST",  "/fiches/{}/impact/relire",      page_impact_review,   CAP_USER, R_FORM | R_WRITE,               "" },
	{ "POST",  "/fiches/{}/impact/accorder",    page_impact_grant,    CAP_USER, R_FORM | R_WRITE,               "" },
	{ "POST",  "/fiches/{}/impact/retirer",     page_impact_withdraw, CAP_USER, R_FORM | R_WRITE,               "" },
	{ "POST",  "/fiches/{}/impact/retablir",    page_impact_clear,    CAP_USER, R_FORM | R_WRITE,               "" },
	{ "GET",   "/impact-demontre",              page_impact_rules,    CAP_NONE, 0,                              "" },
	/* ---- reuse between territories (page_reuse.c, api_reuse.c) ---- */
	{ "GET",   "/api/v1/usecases/{}/reuses",    api_reuse_list,       CAP_NONE, R_API | R_CORS | R_READ,        "" },
	{ "POST",  "/api/v1/usecases/{}/reuses",    api_reuse_create,     CAP_AUTH, R_API | R_JSON_BODY | R_WRITE,  "" },
	{ "GET",   "/api/v1/usecases/{}/lineage",   api_reuse_lineage,    CAP_NONE, R_API | R_CORS | R_READ,        "" },
	{ "GET",   "/fiches/{}/reutiliser",         page_reuse_form,      CAP_USER, 0,                              "" },
	{ "POST",  "/fiches/{}/reutiliser",         page_reuse_post,      CAP_USER, R_FORM | R_WRITE,               "" },
	{ "GET",   "/fiches/{}/lignee",             page_lineage,         CAP_NONE, R_READ,                         "" },
	{ "GET",   "/espace/messages",              page_inbox,           CAP_USER, 0,                              "org" },
	/* ---- editing indicators and the reuse kit (page_indicators.c); Etalab impact export (api_export_impact.c) ---- */
	{ "GET",   "/fiches/{}/indicateurs",                 page_indicators,            CAP_USER, 0,                 "" },
	{ "GET",   "/fiches/{}/indicateurs/nouveau",         page_indicator_new,         CAP_USER, 0,                 "" },
	{ "POST",  "/fiches/{}/indicateurs/nouveau",         page_indicator_new_post,    CAP_USER, R_FORM | R_WRITE,  "" },
	{ "GET",   "/fiches/{}/indicateurs/{}/modifier",     page_indicator_edit,        CAP_USER, 0,                 "" },
	{ "POST",  "/fiches/{}/indicateurs/{}/modifier",     page_indicator_edit_post,   CAP_USER, R_FORM | R_WRITE,  "" },
	{ "GET",   "/fiches/{}/indicateurs/{}/supprimer",    page_indicator_delete,      CAP_USER, 0,                 "" },
	{ "POST",  "/fiches/{}/indicateurs/{}/supprimer",    page_indicator_delete_post, CAP_USER, R_FORM | R_WRITE,  "" },
	{ "GET",   "/fiches/{}/kit",                         page_kit,                   CAP_USER, 0,                 "" },
	{ "GET",   "/fiches/{}/kit/nouveau",                 page_kit_new,               CAP_USER, 0,                 "" },
	{ "POST",  "/fiches/{}/kit/nouveau",                 page_kit_new_post,          CAP_USER, R_FORM | R_WRITE,  "" },
	{ "GET",   "/fiches/{}/kit/{}/modifier",             page_kit_edit,              CAP_USER, 0,                 "" },
	{ "POST",  "/fiches/{}/kit/{}/modifier",             page_kit_edit_post,         CAP_USER, R_FORM | R_WRITE,  "" },
	{ "GET",   "/fiches/{}/kit/{}/supprimer",            page_kit_delete,            CAP_USER, 0,                 "" },
	{ "POST",  "/fiches/{}/kit/{}/supprimer",            page_kit_delete_post,       CAP_USER, R_FORM | R_WRITE,  "" },
	{ "GET",   "/api/v1/impact.csv",                     api_export_impact_all,      CAP_NONE, R_API | R_CORS | R_READ, "" },
	{ "GET",   "/api/v1/usecases/{}/impact.csv",         api_export_impact_one,      CAP_NONE, R_API | R_CORS | R_READ, "" },
	/* ---- discovery, issue 5: territories like mine, similar records (page_recommend.c, api_discovery.c) ---- */
	{ "GET",   "/territoires-comme-le-mien",    page_territories,     CAP_NONE, R_READ,                         "organisation theme page q" },
	{ "GET",   "/api/v1/organisations/{}/recommendations", api_org_recommendations, CAP_NONE, R_API | R_CORS | R_READ, "theme page per_page" },
	{ "GET",   "/api/v1/usecases/{}/similar",   api_usecase_similar,  CAP_NONE, R_API | R_CORS | R_READ,        "" },

	/* ---- record exports, issue 6 (api_export.c): public, a token of an agent adds restricted fields ---- */
	{ "GET",   "/api/v1/exports/usecases.csv",       api_export_usecases_csv,   CAP_NONE, R_API | R_CORS, EXPORT_PARAMS },
	{ "GET",   "/api/v1/exports/usecases-excel.csv", api_export_usecases_excel, CAP_NONE, R_API | R_CORS, EXPORT_PARAMS },
	{ "GET",   "/api/v1/exports/usecases.json",      api_export_usecases_json,  CAP_NONE, R_API | R_CORS, EXPORT_PARAMS },
	{ "GET",   "/api/v1/exports/usecases.jsonl",     api_export_usecases_jsonl, CAP_NONE, R_API | R_CORS, EXPORT_PARAMS },

	/* ---- open data, issue 6 (api_opendata.c, page_inventory.c): history export, data package, DCAT catalogue, CRPA inventory ---- */
	{ "GET",   "/api/v1/exports/history.jsonl",     api_export_history_jsonl,  CAP_NONE, R_API | R_CORS, "" },
	{ "GET",   "/api/v1/exports/history.csv",       api_export_history_csv,    CAP_NONE, R_API | R_CORS, "" },
	{ "GET",   "/api/v1/exports/datapackage.json",  api_export_datapackage,    CAP_NONE, R_API | R_CORS | R_READ, "" },
	{ "GET",   "/api/v1/exports/usecases.schema.json", api_export_table_schema, CAP_NONE, R_API | R_CORS, "" },
	{ "GET",   "/api/v1/catalog.jsonld",            api_catalog,               CAP_NONE, R_API | R_CORS | R_READ, "" },
	{ "GET",   "/api/v1/organisations/{}/algorithm-inventory.csv", api_org_inventory_csv, CAP_NONE, R_API | R_CORS | R_READ, "format" },
	{ "GET",   "/organisations/{}/inventaire-algorithmes", page_org_inventory, CAP_NONE, R_READ,         "" },

	/* ---- Atom feeds (page_feed.c) ---- */
	{ "GET",   "/flux/fiches.atom",             page_feed,            CAP_NONE, R_READ,                         "theme organisation" },

	/* ---- legal pages (page_legal.c) ---- */
	/* ---- API contract, issue 6 (api_openapi.c, api_status.c, page_apidoc.c) ---- */
	{ "GET",   "/api/v1/openapi.json",          api_openapi,          CAP_NONE, R_API | R_CORS,                 "" },
	{ "GET",   "/api/v1/status",                api_status,           CAP_NONE, R_API | R_CORS,                 "" },
	{ "GET",   "/api/documentation",            page_apidoc,          CAP_NONE, 0,                              "" },

	/* ---- international references, issue 6 §2 (page_intl.c, api_intl.c): public reads ---- */
	{ "GET",   "/references-internationales",        page_intl_list, CAP_NONE, R_READ,                  "q country source status lang page" },
	{ "GET",   "/references-internationales/{}",     page_intl,      CAP_NONE, R_READ,                  "" },
	{ "GET",   "/api/v1/international-references",   api_intl_list,  CAP_NONE, R_API | R_CORS | R_READ, "q country source status lang page per_page" },
	{ "GET",   "/api/v1/international-references/{}", api_intl_get,  CAP_NONE, R_API | R_CORS | R_READ, "" },
	/* ---- observatory, issue 7: library statistics, charts and map (page_observatory.c, api_stats.c) ---- */
	{ "GET",   "/observatoire",                 page_observatory,     CAP_NONE, R_READ,                         "" },
	{ "GET",   "/observatoire/{}",              page_observatory_csv, CAP_NONE, R_READ,                         "" },
	{ "GET",   "/api/v1/stats/library",         api_stats_library,    CAP_NONE, R_API | R_CORS | R_READ,        "" },

	/* ---- survey campaigns, issue 7 §1 (page_survey.c): curators manage and follow, members of targeted organisations answer ---- */
	{ "GET",   "/observatoire/campagnes",                         page_survey_campaigns,       CAP_CURATOR, 0,                          "" },
	{ "POST",  "/observatoire/campagnes/importer",                page_survey_import_post,     CAP_CURATOR, R_FORM | R_UPLOAD | R_WRITE, "" },
	{ "GET",   "/observatoire/campagnes/{}",                      page_survey_campaign,        CAP_CURATOR, 0,                          "" },
	{ "GET",   "/observatoire/campagnes/{}/definition.json",      page_survey_definition,      CAP_CURATOR, 0,                          "" },
	{ "GET",   "/observatoire/campagnes/{}/apercu",               page_survey_preview,         CAP_CURATOR, 0,                          "" },
	{ "GET",   "/observatoire/campagnes/{}/suivi",                page_survey_followup,        CAP_CURATOR, 0,                          "" },
	{ "GET",   "/observatoire/campagnes/{}/non-repondants.csv",   page_survey_nonrespondents,  CAP_CURATOR, 0,                          "" },
	{ "GET",   "/observatoire/campagnes/{}/modifier",             page_survey_edit,            CAP_CURATOR, 0,                          "" },
	{ "POST",  "/observatoire/campagnes/{}/modifier",             page_survey_edit_post,       CAP_CURATOR, R_FORM | R_WRITE,           "" },
	{ "GET",   "/observatoire/campagnes/{}/questions/nouvelle",   page_survey_question_new,    CAP_CURATOR, 0,                          "" },
	{ "POST",  "/observatoire/campagnes/{}/questions/nouvelle",   page_survey_question_new_post, CAP_CURATOR, R_FORM | R_WRITE,         "" },
	{ "GET",   "/observatoire/campagnes/{}/questions/{}/modifier", page_survey_question_edit,  CAP_CURATOR, 0,                          "" },
	{ "POST",  "/observatoire/campagnes/{}/questions/{}/modifier", page_survey_question_edit_post, CAP_CURATOR, R_FORM | R_WRITE,       "" },
	{ "POST",  "/observatoire/campagnes/{}/questions/{}/supprimer", page_survey_question_delete_post, CAP_CURATOR, R_FORM | R_WRITE,    "" },
	{ "GET",   "/api/v1/campaigns/{}/responses/{}",              api_survey_response_get,     CAP_AUTH,    R_API,                      "" },
	{ "PUT",   "/api/v1/campaigns/{}/responses/{}",              api_survey_response_put,     CAP_AUTH,    R_API | R_JSON_BODY | R_WRITE, "" },
	{ "GET",   "/observatoire/nouvelle-campagne",                 page_survey_new,             CAP_CURATOR, 0,                          "" },
	{ "POST",  "/observatoire/nouvelle-campagne",                 page_survey_new_post,        CAP_CURATOR, R_FORM | R_WRITE,           "" },
	/* results of the campaigns (page_survey_results.c): public once a campaign is closed */
	{ "GET",   "/observatoire/enquetes",                          page_survey_results_list,    CAP_NONE,    R_READ,                     "" },
	{ "GET",   "/observatoire/enquetes/{}",                       page_survey_results,         CAP_NONE,    R_READ,                     "" },
	{ "GET",   "/observatoire/enquetes/{}/resultats.csv",         page_survey_results_csv,     CAP_NONE,    R_READ,                     "" },
	{ "GET",   "/observatoire/enquetes/{}/reponses/{}",           page_survey_published,       CAP_NONE,    R_READ,                     "" },
	{ "GET",   "/api/v1/campaigns/{}/results",                    api_survey_results,          CAP_NONE,    R_API | R_CORS | R_READ,    "" },
	{ "GET",   "/espace/enquetes",                                page_survey_mine,            CAP_USER,    0,                          "" },
	{ "GET",   "/espace/enquetes/{}",                             page_survey_answer,          CAP_USER,    0,                          "organisation" },
	{ "POST",  "/espace/enquetes/{}",                             page_survey_answer_post,     CAP_USER,    R_FORM | R_WRITE,           "" },

	{ "GET",   "/mentions-legales",             page_legal_notice,    CAP_NONE, 0,                              "" },
	{ "GET",   "/donnees-personnelles",         page_privacy,         CAP_NONE, 0,                              "" },
};
/* clang-format on */

/* Match path against pattern; captures "{}" segments into r->args. */
static bool match(struct req *r, const char *pattern, const char *path)
{
	int nargs = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (p[0] == '{' && p[1] == '}') {
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);
			if (len == 0 || nargs >= HTTP_MAX_ROUTE_ARGS) return false;
			char *seg = xstrndup(s, len);
			req_own(r, seg);
			r->args[nargs++] = seg;
			s += len;
			p += 2;
			continue;
		}
		if (*p != *s) return false;
		p++;
		s++;
	}
	if (*p || *s) return false;
	r->nargs = nargs;
	return true;
}

static bool param_allowed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0) return true;
		if (!sp) break;
		p = sp + 1;
	}
	return false;
}

static void fail(struct req *r, bool api, int status, const char *code, const char *field,
                 const char *message)
{
	if (api)
		api_error(r, status, code, field, "%s", message);
	else
		page_error(r, status, message);
}

/* The session cookie, when present, gives the viewer (pages only). An
 * unknown or expired cookie is deleted. 0 or -1. */
static int load_session(struct req *r)
{
	const char *tok = req_cookie(r, SESSION_COOKIE);
	if (!tok) return 0;
	char csrf[CSRF_TOKEN_LEN + 1];
	int rc = session_lookup(r->db, tok, &r->viewer, csrf);
	if (rc < 0) return -1;
	if (rc == 0) {
		req_set_cookie(r, SESSION_COOKIE, "x", 0);
		return 0;
	}
	r->session_token = tok;
	snprintf(r->csrf, sizeof r->csrf, "%s", csrf);
	return 0;
}

/* A form post is accepted when its "csrf" field equals the session's token
 * (signed in) or the visitor's double-submit cookie (not signed in), and
 * when an Origin header, if sent, is this site. */
static bool csrf_ok(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	const char *host = req_header(r, "Host");
	if (origin && strcmp(origin, "null") != 0) {
		const char *p = strstr(origin, "://");
		if (!p || !host || strcmp(p + 3, host) != 0) return false;
	}
	const char *sent = req_form(r, "csrf");
	if (r->viewer.user_id) return session_token_eq(sent, r->csrf);
	const char *cookie = req_cookie(r, CSRF_COOKIE);
	return session_token_eq(sent, cookie);
}

size_t router_body_max(const char *method, const char *path)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if ((routes[i].flags & R_UPLOAD) && strcmp(routes[i].method, method) == 0 &&
		    strcmp(routes[i].pattern, path) == 0)
			return HTTP_MAX_UPLOAD;
	return HTTP_MAX_BODY;
}

void router_dispatch(struct req *r)
{
	bool api = str_starts(r->path, "/api/") || strcmp(r->path, "/healthz") == 0;
	if (!r->db) {
		fail(r, api, 500, "server.database", NULL, "La base de données est indisponible.");
		return;
	}
	if (r->bad_query) {
		char msg[160];
		snprintf(msg, sizeof msg, "Paramètre de requête mal formé : « %.60s ».", r->bad_query);
		fail(r, api, 400, "request.bad_query", r->bad_query, msg);
		return;
	}
	/* find the route; remember whether the path exists with another method */
	/* literal patterns first ("/fiches/nouvelle" before "/fiches/{}"),
	 * then patterns with captures, each in table order */
	const struct route *rt = NULL;
	char allow[64] = "";
	for (size_t k = 0; k < 2 * ARRAY_LEN(routes) && !rt; k++) {
		size_t i = k % ARRAY_LEN(routes);
		bool literal = strchr(routes[i].pattern, '{') == NULL;
		if (literal != (k < ARRAY_LEN(routes))) continue;
		if (!match(r, routes[i].pattern, r->path)) continue;
		if (strcmp(routes[i].method, r->method) == 0) {
			rt = &routes[i];
			break;
		}
		if (!strstr(allow, routes[i].method)) {
			if (allow[0]) strncat(allow, ", ", sizeof allow - strlen(allow) - 1);
			strncat(allow, routes[i].method, sizeof allow - strlen(allow) - 1);
		}
	}
	if (!rt) {
		if (allow[0] && strcmp(r->method, "OPTIONS") == 0 && api) {
			/* CORS pre-flight: only public GETs are cross-origin */
			r->status = 204;
			req_add_header(r, "Access-Control-Allow-Origin", "*");
			req_add_header(r, "Access-Control-Allow-Methods", "GET, HEAD");
			req_add_header(r, "Access-Control-Allow-Headers", "If-None-Match");
			req_add_header(r, "Access-Control-Max-Age", "86400");
			req_add_header(r, "Allow", allow);
			return;
		}
		if (allow[0]) {
			req_add_header(r, "Allow", allow);
			char msg[160];
			snprintf(msg, sizeof msg, "Méthode %s non permise ici (permises : %s).", r->method, allow);
			fail(r, api, 405, "request.method_not_allowed", NULL, msg);
		} else {
			fail(r, api, 404, "resource.not_found", NULL, "Cette page n'existe pas.");
		}
		return;
	}
	r->cors = (rt->flags & R_CORS) != 0;

	for (int i = 0; i < r->nparams; i++) {
		if (!param_allowed(rt->params, r->params[i].name)) {
			char msg[160];
			snprintf(msg, sizeof msg, "Paramètre inconnu : « %.60s ».", r->params[i].name);
			fail(r, api, 400, "request.unknown_parameter", r->params[i].name, msg);
			return;
		}
	}

	/* authentication: a bearer token, when given, must be valid */
	const char *authz = req_header(r, "Authorization");
	if (authz) {
		if (!str_starts(authz, "Bearer ") || !authz[7]) {
			req_add_header(r, "WWW-Authenticate", "Bearer");
			fail(r, api, 401, "auth.invalid_token", NULL, "En-tête Authorization invalide (attendu : Bearer <jeton>).");
			return;
		}
		int rc = auth_token_lookup(r->db, authz + 7, &r->viewer);
		if (rc < 0) {
			fail(r, api, 500, "server.database", NULL, "Erreur interne.");
			return;
		}
		if (rc == 0) {
			req_add_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
			fail(r, api, 401, "auth.invalid_token", NULL, "Jeton d'API inconnu ou révoqué.");
			return;
		}
	}
	if (!api && !authz && load_session(r) < 0) {
		fail(r, api, 500, "server.database", NULL, "Erreur interne.");
		return;
	}
	if ((rt->caps & CAP_AUTH) && r->viewer.user_id == 0) {
		req_add_header(r, "WWW-Authenticate", "Bearer");
		fail(r, api, 401, "auth.missing_token", NULL, "Authentification requise : jeton d'API (Authorization: Bearer ...).");
		return;
	}
	if ((rt->caps & (CAP_USER | CAP_CURATOR | CAP_ADMIN)) && r->viewer.user_id == 0) {
		if (api) {
			fail(r, api, 401, "auth.missing_token", NULL, "Authentification requise.");
		} else if (strcmp(r->method, "GET") == 0) {
			buf_t loc;
			buf_init(&loc);
			buf_puts(&loc, "/connexion?retour=");
			buf_url(&loc, r->raw_uri, strlen(r->raw_uri));
			req_redirect(r, buf_cstr(&loc));
			buf_free(&loc);
		} else {
			fail(r, api, 401, "auth.missing_session", NULL,
			     "Votre session a expiré : connectez-vous de nouveau, puis recommencez.");
		}
		return;
	}
	if (((rt->caps & CAP_CURATOR) && !auth_is_curator(&r->viewer)) ||
	    ((rt->caps & CAP_ADMIN) && !auth_is_admin(&r->viewer))) {
		fail(r, api, 403, "auth.forbidden", NULL, "Cette page est réservée à l'équipe de l'observatoire.");
		return;
	}
	if (r->body_too_large) {
		char msg[120];
		snprintf(msg, sizeof msg, "Corps de requête trop volumineux (%zu Mio au plus).", r->body_max >> 20);
		fail(r, api, 413, "request.body_too_large", NULL, msg);
		return;
	}
	if (rt->flags & R_JSON_BODY) {
		const char *ct = req_header(r, "Content-Type");
		if (!ct || !(str_starts(ct, "application/json") &&
		             (ct[16] == 0 || ct[16] == ';' || ct[16] == ' '))) {
			fail(r, api, 415, "request.unsupported_media_type", NULL,
			     "Type de contenu non pris en charge : envoyez du JSON (Content-Type: application/json).");
			return;
		}
	}
	if (rt->flags & R_FORM) {
		/* an urlencoded form, or with R_UPLOAD a multipart one (a file) */
		bool upload = (rt->flags & R_UPLOAD) != 0;
		const char *ct = req_header(r, "Content-Type");
		if (!ct || (upload ? strncasecmp(ct, "multipart/form-data", 19) != 0
		                   : !str_starts(ct, "application/x-www-form-urlencoded"))) {
			fail(r, api, 415, "request.unsupported_media_type", NULL,
			     upload ? "Formulaire avec fichier attendu (multipart/form-data)."
			            : "Formulaire attendu (application/x-www-form-urlencoded).");
			return;
		}
		char *bad = NULL;
		if ((upload ? http_parse_multipart(r, &bad) : http_parse_form(r, &bad)) < 0) {
			char msg[200];
			if (upload) snprintf(msg, sizeof msg, "Envoi de fichier mal formé : %.120s.", bad ? bad : "?");
			else snprintf(msg, sizeof msg, "Champ de formulaire mal formé : « %.60s ».", bad ? bad : "?");
			free(bad);
			fail(r, api, 400, "request.bad_form", NULL, msg);
			return;
		}
		if (!csrf_ok(r)) {
			fail(r, api, 403, "auth.csrf",  NULL,
			     "Ce formulaire a expiré ou ne vient pas de ce site. Rechargez la page et recommencez.");
			return;
		}
	}
	if (rt->flags & R_WRITE) {
		int retry;
		if (!server_rate_ok(r->srv, r->viewer.user_id, &retry)) {
			char ra[16];
			snprintf(ra, sizeof ra, "%d", retry);
			req_add_header(r, "Retry-After", ra);
			fail(r, api, 429, "rate.limited", NULL, "Trop de modifications en peu de temps : réessayez dans une minute.");
			return;
		}
	}
	bool tx = (rt->flags & R_READ) && db_read_begin(r->db);
	rt->handler(r);
	db_read_end(r->db, tx);
}
