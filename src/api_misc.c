/*
 * api_misc.c — the API envelope (success and error replies) and the small
 * endpoints: /healthz and /api/v1/schema.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "text.h"
#include "util.h"

#define JSON_TYPE "application/json; charset=utf-8"

void api_error(struct req *r, int status, const char *code, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	buf_reset(&r->out);
	r->status = status;
	r->content_type = JSON_TYPE;
	jsonw_t w;
	jw_init(&w, &r->out);
	jw_obj(&w);
	jw_kbool(&w, "ok", false);
	jw_key(&w, "error");
	jw_obj(&w);
	jw_kint(&w, "status", status);
	jw_kstr(&w, "code", code);
	jw_kstr(&w, "message", msg);
	if (field) jw_kstr(&w, "field", field);
	jw_obj_end(&w);
	jw_obj_end(&w);
}

void api_verrors(struct req *r, const struct verrors *e)
{
	buf_reset(&r->out);
	r->status = 422;
	r->content_type = JSON_TYPE;
	int n = e->count < (int)ARRAY_LEN(e->items) ? e->count : (int)ARRAY_LEN(e->items);
	jsonw_t w;
	jw_init(&w, &r->out);
	jw_obj(&w);
	jw_kbool(&w, "ok", false);
	jw_key(&w, "error");
	jw_obj(&w);
	jw_kint(&w, "status", 422);
	jw_kstr(&w, "code", n ? e->items[0].code : "validation.invalid");
	jw_kstr(&w, "message", n ? e->items[0].message : "Données invalides.");
	if (n && e->items[0].field[0]) jw_kstr(&w, "field", e->items[0].field);
	jw_key(&w, "details");
	jw_arr(&w);
	for (int i = 0; i < n; i++) {
		jw_obj(&w);
		jw_kstr(&w, "code", e->items[i].code);
		jw_kstr(&w, "field", e->items[i].field);
		jw_kstr(&w, "message", e->items[i].message);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
}

void api_begin(struct req *r, jsonw_t *w)
{
	buf_reset(&r->out);
	if (!r->status) r->status = 200;
	r->content_type = JSON_TYPE;
	jw_init(w, &r->out);
	jw_obj(w);
	jw_kbool(w, "ok", true);
	jw_key(w, "data");
}

void api_end(struct req *r, jsonw_t *w)
{
	jw_obj_end(w);
	(void)r;
}

int api_healthz(struct req *r)
{
	sqlite3_stmt *st = db_stmt(r->db, "SELECT count(*) FROM usecase WHERE visible = 1");
	int64_t n = 0;
	if (!st || db_one_int(st, &n) < 0) {
		api_error(r, 503, "server.database", NULL, "La base de données ne répond pas.");
		return 0;
	}
	jsonw_t w;
	api_begin(r, &w);
	jw_obj(&w);
	jw_kstr(&w, "status", "ok");
	int64_t mig = 0;
	st = db_stmt(r->db, "SELECT coalesce(max(version), 0) FROM schema_migration");
	if (st) db_one_int(st, &mig);
	jw_kint(&w, "schema_migration", mig);
	jw_kint(&w, "published_usecases", n);
	jw_obj_end(&w);
	api_end(r, &w);
	return 0;
}

int api_schema(struct req *r)
{
	jsonw_t w;
	api_begin(r, &w);
	model_render_schema(&w);
	api_end(r, &w);
	return 0;
}

/* ==== Request helpers shared by the API handlers ==== */

int64_t api_parse_id(const char *s)
{
	int64_t id;
	if (!s || strlen(s) > 15) return 0;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9') return 0;
	if (parse_int64(s, 1, 999999999999999LL, &id) < 0) return 0;
	return id;
}

json_t *api_body_object(struct req *r)
{
	if (r->body.len == 0) {
		api_error(r, 400, "request.empty_body", "body", "Corps de requête vide : un objet JSON est attendu.");
		return NULL;
	}
	if (!text_utf8_valid(r->body.data, r->body.len)) {
		api_error(r, 400, "request.invalid_utf8", "body", "Le corps de la requête n'est pas de l'UTF-8 valide.");
		return NULL;
	}
	json_error_t e;
	json_t *j = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
	if (!j) {
		api_error(r, 400, "request.malformed_json", "body", "JSON mal formé (ligne %d, colonne %d) : %s", e.line,
		          e.column, e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_error(r, 422, "validation.type", "body", "Le corps de la requête doit être un objet JSON.");
		return NULL;
	}
	return j;
}

int api_list_params(struct req *r, const char **q, int *page, int *per_page)
{
	const char *text = req_param(r, "q");
	if (text && text_utf8_len(text, strlen(text)) > 200) {
		api_error(r, 400, "request.invalid_parameter", "q", "La recherche dépasse 200 caractères.");
		return -1;
	}
	*q = text;
	int64_t v;
	const char *p = req_param(r, "page");
	if (p && parse_int64(p, 1, 10000, &v) < 0) {
		api_error(r, 400, "request.invalid_parameter", "page", "« page » doit être un entier entre 1 et 10000.");
		return -1;
	}
	if (p) *page = (int)v;
	p = req_param(r, "per_page");
	if (p && parse_int64(p, 1, 100, &v) < 0) {
		api_error(r, 400, "request.invalid_parameter", "per_page", "« per_page » doit être un entier entre 1 et 100.");
		return -1;
	}
	if (p) *per_page = (int)v;
	return 0;
}
