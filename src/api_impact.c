/*
 * api_impact.c — the "impact démontré" label in the JSON API:
 *   POST /api/v1/usecases/{id}/impact         a curator's act
 *        {"action": "review"|"grant"|"withdraw"|"clear", "reason": "..."}
 *   GET  /api/v1/usecases/{id}/impact-events  the label's history
 *
 * Design notes
 * - Same rights as the record page's forms (page_impact.c):
 *   auth_can_act_on_label() (curators, admins), else 403 auth.forbidden.
 *   A record the viewer may not read is a 404 (api_usecase_load), checked
 *   first so a draft's existence does not leak.
 * - Order of the checks: body (400/422 shape), record (404), right (403),
 *   action (422 validation.enum), state (409 state.not_published, for
 *   review and grant), reason (422 validation.required/too_long: grant,
 *   withdraw and clear need a public reason of 1..2000 characters without
 *   control characters; review takes none, or a valid one).
 * - The reply is the record as the viewer may see it (with its updated
 *   impact_label), like the other writes of /api/v1/usecases.
 * - The events list never names who acted: {at, kind, version, reason}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "store.h"
#include "text.h"
#include "util.h"
#include "workflow.h"

/* ==== POST /api/v1/usecases/{id}/impact ==== */

int api_usecase_impact(struct req *r)
{
	int64_t id = api_parse_id(r->args[0]);
	json_t *input = api_body_object(r);
	if (!input) return 0;
	struct uc_full u;
	if (!api_usecase_load(r, id, &u)) {
		json_decref(input);
		return 0;
	}
	if (!auth_can_act_on_label(&r->viewer)) {
		api_error(r, 403, "auth.forbidden", NULL,
		          "Seule l'équipe de l'observatoire agit sur le label « impact démontré ».");
		goto out;
	}
	const char *key;
	json_t *v;
	json_object_foreach(input, key, v) {
		if (strcmp(key, "action") && strcmp(key, "reason")) {
			api_error(r, 422, "validation.unknown_field", key, "Champ inconnu « %.60s » (attendu : action, reason).",
			          key);
			goto out;
		}
	}
	json_t *ja = json_object_get(input, "action");
	const char *act = json_is_string(ja) ? json_string_value(ja) : NULL;
	if (!act) {
		api_error(r, 422, ja ? "validation.type" : "validation.required", "action",
		          "« action » est obligatoire : « review », « grant », « withdraw » ou « clear ».");
		goto out;
	}
	if (strcmp(act, "review") && strcmp(act, "grant") && strcmp(act, "withdraw") && strcmp(act, "clear")) {
		api_error(r, 422, "validation.enum", "action",
		          "« action » vaut « review », « grant », « withdraw » ou « clear ».");
		goto out;
	}
	bool review = strcmp(act, "review") == 0;
	if ((review || strcmp(act, "grant") == 0) && strcmp(u.state, "published") != 0) {
		api_error(r, 409, "state.not_published", "state",
		          "La fiche n'est pas publiée : ses preuves d'impact ne peuvent être relues ni le label accordé.");
		goto out;
	}
	json_t *jr = json_object_get(input, "reason");
	if (jr && !json_is_null(jr) && !json_is_string(jr)) {
		api_error(r, 422, "validation.type", "reason", "« reason » doit être un texte.");
		goto out;
	}
	const char *reason = json_is_string(jr) ? json_string_value(jr) : NULL;
	if (review && reason && !*reason) reason = NULL;
	if (!review || reason) {
		const char *problem = wf_text_problem(reason);
		if (problem) {
			bool long_text = reason && text_utf8_len(reason, strlen(reason)) > WF_TEXT_MAX;
			api_error(r, 422, long_text ? "validation.too_long" : "validation.required", "reason",
			          "« reason » (motif public) : %s", problem);
			goto out;
		}
	}
	int rc = store_impact_act(r->db, u.id, act, reason, r->viewer.user_id);
	if (rc != STORE_OK) {
		if (rc == STORE_NOT_FOUND) api_error(r, 404, "resource.not_found", "id", "Fiche introuvable.");
		else api_error(r, 500, "server.database", NULL, "Erreur interne : rien n'a été enregistré.");
		goto out;
	}
	struct uc_json uj;
	if (store_usecase_json(r->db, u.id, auth_can_read_restricted(&r->viewer), &uj) != 1) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		goto out;
	}
	jsonw_t w;
	api_begin(r, &w);
	jw_raw(&w, uj.json, uj.len);
	api_end(r, &w);
	free(uj.json);
out:
	json_decref(input);
	store_usecase_free(&u);
	return 0;
}

/* ==== GET /api/v1/usecases/{id}/impact-events ==== */

static int event_json(void *ctx, const struct impact_event_row *e)
{
	jsonw_t *w = ctx;
	jw_obj(w);
	jw_kstr(w, "at", e->at);
	jw_kstr(w, "kind", e->kind);
	jw_kint(w, "version", e->version);
	jw_kstr(w, "reason", e->reason && *e->reason ? e->reason : NULL);
	jw_obj_end(w);
	return 0;
}

int api_usecase_impact_events(struct req *r)
{
	struct uc_full u;
	if (!api_usecase_load(r, api_parse_id(r->args[0]), &u)) return 0;
	jsonw_t w;
	api_begin(r, &w);
	jw_arr(&w);
	int n = store_impact_events(r->db, u.id, event_json, &w);
	store_usecase_free(&u);
	if (n < 0) {
		buf_reset(&r->out);
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	jw_arr_end(&w);
	api_end(r, &w);
	return 0;
}
