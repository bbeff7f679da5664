/*
 * api_survey.c — one organisation's response to a survey campaign in the
 * JSON API (issue 7 §1):
 *   GET /api/v1/campaigns/{code}/responses/{org}   the response (members of org, curators)
 *   PUT /api/v1/campaigns/{code}/responses/{org}   write it (members of org; submit: referents)
 *
 * Design notes
 * - Same rules as the questionnaire page (page_survey.c), from survey.c:
 *   the organisation must be targeted (else 404 resource.not_found, as for
 *   an unknown campaign), the campaign open (else 409 state.closed), a
 *   submission needs a referent (403 auth.forbidden) and a complete
 *   response; a submitted response stays submitted and complete; hidden
 *   answers are dropped. Validation errors: 422 with every problem in
 *   details[], field "q-CODE" (the question) or "answers".
 * - PUT body: {"answers": {...} (required), "submit": bool (default false),
 *   "publish": bool (referents only; absent: unchanged)}. The reply is the
 *   response as GET gives it.
 * - Representation: {"campaign", "organisation": {id, name, kind},
 *   "state": "none" | "draft" | "submitted", "answers", "publish",
 *   "updated_at", "submitted_at"} — answers in the contract's format.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "org.h"
#include "store.h"
#include "survey.h"
#include "util.h"

struct ctx {
	int64_t campaign_id;
	struct survey_def d;
	struct org o;
};

/* Campaign r->args[0] and organisation r->args[1], targeted, readable by
 * the viewer (write: may answer for it). 1, or 0 after replying. */
static int load(struct req *r, struct ctx *c, bool write)
{
	memset(c, 0, sizeof *c);
	char *def = NULL;
	int rc = store_survey_campaign_get(r->db, r->args[0], &c->campaign_id, &def);
	if (rc < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return 0;
	}
	if (rc == 0) {
		api_error(r, 404, "resource.not_found", NULL, "Campagne inconnue : « %.64s ».", r->args[0]);
		return 0;
	}
	struct verrors e = { 0 };
	rc = survey_def_parse_text(def, strlen(def), &c->d, &e);
	free(def);
	if (rc < 0) {
		api_error(r, 500, "server.database", NULL, "Définition de campagne illisible.");
		return 0;
	}
	rc = org_find(r->db, r->args[1], &c->o);
	if (rc <= 0) {
		survey_def_free(&c->d);
		if (rc < 0) api_error(r, 500, "server.database", NULL, "Erreur interne.");
		else api_error(r, 404, "resource.not_found", NULL, "Organisation inconnue : « %.64s ».", r->args[1]);
		return 0;
	}
	bool allowed = write ? auth_can_answer_survey(&r->viewer, c->o.id)
	                     : auth_can_answer_survey(&r->viewer, c->o.id) || auth_can_manage_surveys(&r->viewer);
	if (!allowed) {
		api_error(r, 403, "auth.forbidden", NULL,
		          write ? "Seuls les membres de cette organisation répondent pour elle."
		                : "Réservé aux membres de cette organisation et à l'équipe de l'observatoire.");
	} else if (!c->o.active || !survey_targets(&c->d, c->o.kind, org_band(c->o.population), c->o.region)) {
		api_error(r, 404, "resource.not_found", NULL, "Cette campagne ne concerne pas cette organisation.");
	} else {
		return 1;
	}
	survey_def_free(&c->d);
	org_free(&c->o);
	return 0;
}

static void done(struct ctx *c)
{
	survey_def_free(&c->d);
	org_free(&c->o);
}

static void reply(struct req *r, struct ctx *c)
{
	struct survey_response_row resp;
	int has = store_survey_response_get(r->db, c->campaign_id, c->o.id, &resp);
	if (has < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		return;
	}
	jsonw_t w;
	api_begin(r, &w);
	jw_obj(&w);
	jw_kstr(&w, "campaign", c->d.code);
	jw_key(&w, "organisation");
	jw_obj(&w);
	char *key = org_key(&c->o);
	jw_kstr(&w, "id", key);
	free(key);
	jw_kstr(&w, "name", c->o.name);
	jw_kstr(&w, "kind", c->o.kind);
	jw_obj_end(&w);
	jw_kstr(&w, "state", has ? resp.state : "none");
	jw_key(&w, "answers");
	if (has) jw_raw(&w, resp.answers, strlen(resp.answers));
	else jw_raw(&w, "{}", 2);
	jw_kbool(&w, "publish", has && resp.publish);
	jw_kstr(&w, "updated_at", has ? resp.updated_at : NULL);
	jw_kstr(&w, "submitted_at", has ? resp.submitted_at : NULL);
	jw_obj_end(&w);
	api_end(r, &w);
	if (has) store_survey_response_free(&resp);
}

int api_survey_response_get(struct req *r)
{
	struct ctx c;
	if (!load(r, &c, false)) return 0;
	r->no_etag = true;
	reply(r, &c);
	done(&c);
	return 0;
}

int api_survey_response_put(struct req *r)
{
	struct ctx c;
	if (!load(r, &c, true)) return 0;
	json_t *body = api_body_object(r);
	if (!body) goto out;
	struct verrors e = { 0 };
	const char *k;
	json_t *v;
	json_object_foreach (body, k, v) {
		if (strcmp(k, "answers") && strcmp(k, "submit") && strcmp(k, "publish"))
			verrors_add(&e, "validation.unknown_field", k, "Champ inconnu : « %.60s » (answers, submit, publish).", k);
	}
	const json_t *answers = json_object_get(body, "answers");
	const json_t *jsubmit = json_object_get(body, "submit");
	const json_t *jpublish = json_object_get(body, "publish");
	if (!json_is_object(answers))
		verrors_add(&e, answers ? "validation.type" : "validation.required", "answers",
		            "« answers » : un objet (code de question → réponse) est attendu.");
	if (jsubmit && !json_is_boolean(jsubmit))
		verrors_add(&e, "validation.type", "submit", "« submit » : true ou false.");
	if (jpublish && !json_is_boolean(jpublish))
		verrors_add(&e, "validation.type", "publish", "« publish » : true ou false.");
	if (e.count) {
		api_verrors(r, &e);
		goto out_body;
	}
	bool submit = json_is_true(jsubmit);
	bool referent = auth_can_submit_survey(&r->viewer, c.o.id);
	if ((submit || jpublish) && !referent) {
		api_error(r, 403, "auth.forbidden", submit ? "submit" : "publish",
		          "Seul un référent de l'organisation soumet la réponse et décide de sa publication.");
		goto out_body;
	}
	char today[21];
	iso8601_utc(now_unix(), today);
	today[10] = 0;
	int st = survey_state(&c.d, today);
	if (st != 0) {
		api_error(r, 409, "state.closed", NULL, st < 0 ? "La campagne n'est pas encore ouverte."
		                                               : "La campagne est close : la réponse n'est plus modifiable.");
		goto out_body;
	}
	struct survey_response_row resp;
	int has = store_survey_response_get(r->db, c.campaign_id, c.o.id, &resp);
	if (has < 0) {
		api_error(r, 500, "server.database", NULL, "Erreur interne.");
		goto out_body;
	}
	bool complete = submit || (has && strcmp(resp.state, "submitted") == 0);
	bool publish = jpublish ? json_is_true(jpublish) : (has && resp.publish);
	if (has) store_survey_response_free(&resp);
	json_t *clean = survey_answers_check(&c.d, answers, complete, &e);
	if (!clean) {
		api_verrors(r, &e);
		goto out_body;
	}
	char *text = json_dumps(clean, JSON_COMPACT);
	json_decref(clean);
	if (store_survey_response_save(r->db, c.campaign_id, c.o.id, text, publish, submit, r->viewer.user_id) < 0)
		api_error(r, 500, "server.database", NULL, "Erreur interne : la réponse n'a pas été enregistrée.");
	else
		reply(r, &c);
	free(text);
out_body:
	json_decref(body);
out:
	done(&c);
	return 0;
}
