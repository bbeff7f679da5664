/*
 * reuse.c — reuse between territories: seed, checks, creation, the notice
 * on publication, and the lineage as a reader sees it (see reuse.h for the
 * rules and the decisions).
 *
 * Design notes
 * - The audit entry of a reuse is "usecase.create" (like any creation,
 *   so the journal's filters keep working) with the detail
 *   "<state> reuse-of:<origin id>".
 * - The message to the origin's members is plain text with the reuse's
 *   link (outbox.h); the notice text is French and stored as is (shown
 *   escaped on /espace/messages).
 * - Memory: loaded records and buffers are freed before returning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org.h"
#include "outbox.h"
#include "reuse.h"
#include "util.h"

/* The public descriptive fields a reuse starts with. */
static const char *const seed_fields[] = {
	"title", "summary", "description", "theme", "sub_themes", "image_url",
	"audiences", "decision_scope", "automation_level", "individual_decisions", "human_oversight",
	"algorithm_name", "algorithm_description", "ai_techniques", "effectiveness_gap", "explainability",
	"environmental_impact", "data_sources", "personal_data", "risk_level", "proportionality",
	"reversibility", "objection_procedure", "legal_bases", "resource_urls", "source_code_url",
	"source_code_licence",
};

json_t *reuse_seed(const json_t *origin_doc)
{
	json_t *doc = json_object();
	for (size_t i = 0; i < ARRAY_LEN(seed_fields); i++) {
		const struct field *f = model_field(seed_fields[i]);
		if (!f || f->vis != VIS_PUBLIC) continue; /* never a restricted field */
		json_t *v = json_object_get(origin_doc, seed_fields[i]);
		if (v && !json_is_null(v)) json_object_set_new(doc, seed_fields[i], json_deep_copy(v));
	}
	return doc;
}

int reuse_check(const struct viewer *v, const struct uc_full *origin, int64_t owner_org_id, const char **code,
                const char **msg)
{
	if (!auth_can_edit_org(v, owner_org_id)) {
		*code = "auth.forbidden";
		*msg = "Vous n'êtes pas membre de cette organisation : vous ne pouvez pas déclarer une réutilisation en son nom.";
		return 403;
	}
	if (strcmp(origin->state, "published") != 0) {
		*code = "state.not_published";
		*msg = "Seule une fiche publiée peut être réutilisée.";
		return 409;
	}
	if (owner_org_id == origin->owner_org_id) {
		*code = "validation.same_owner";
		*msg = "Cette fiche est déjà portée par cette organisation : une collectivité ne réutilise pas sa propre fiche.";
		return 422;
	}
	return 0;
}

int reuse_create(db_t *db, const struct viewer *v, const struct uc_full *origin, json_t *doc, const char *state,
                 const char *note, struct verrors *errs, int64_t *id)
{
	if (db_begin(db) < 0) return STORE_ERR;
	struct uc_save p = { 0 };
	p.state = state;
	p.user_id = v->user_id;
	p.note = note;
	p.in_tx = true;
	p.origin_id = origin->id;
	int rc = store_usecase_save(db, doc, &p, errs, id, NULL);
	if (rc == STORE_OK) {
		char target[32], detail[64];
		snprintf(target, sizeof target, "usecase:%lld", (long long)*id);
		snprintf(detail, sizeof detail, "%s reuse-of:%lld", state, (long long)origin->id);
		if (auth_audit(db, v->user_id, "usecase.create", target, detail) < 0) rc = STORE_ERR;
	}
	if (rc == STORE_OK && strcmp(state, "published") == 0 && reuse_on_publish(db, *id) < 0) rc = STORE_ERR;
	if (rc == STORE_OK && db_commit(db) < 0) rc = STORE_ERR;
	if (rc != STORE_OK) db_rollback(db);
	return rc;
}

int reuse_on_publish(db_t *db, int64_t id)
{
	struct uc_full u, o;
	int rc = store_usecase_load(db, id, &u);
	if (rc <= 0) return rc;
	if (!u.origin_id || strcmp(u.state, "published") != 0) {
		store_usecase_free(&u);
		return 0;
	}
	rc = store_usecase_load(db, u.origin_id, &o);
	if (rc <= 0) {
		store_usecase_free(&u);
		return rc;
	}
	int ret = 0;
	if (o.owner_org_id == u.owner_org_id) goto out; /* not a reuse by another territory */
	struct org who = { 0 };
	if (org_get(db, u.owner_org_id, &who) < 0) {
		ret = -1;
		goto out;
	}
	const char *rtitle = doc_str(u.doc, "title"), *otitle = doc_str(o.doc, "title");
	const char *wname = who.name ? who.name : "Une collectivité";
	buf_t text = BUF_INIT;
	buf_puts(&text, wname);
	buf_puts(&text, " réutilise votre fiche « ");
	buf_puts(&text, otitle ? otitle : "(sans titre)");
	buf_puts(&text, " » et a publié sa propre fiche : « ");
	buf_puts(&text, rtitle ? rtitle : "(sans titre)");
	buf_puts(&text, " ».");
	int added = store_notice_add(db, o.owner_org_id, "reused", o.id, u.id, buf_cstr(&text));
	if (added < 0) ret = -1;
	if (added == 1) {
		buf_t link = BUF_INIT, body = BUF_INIT;
		char path[48];
		snprintf(path, sizeof path, "/fiches/%lld", (long long)u.id);
		outbox_link(&link, outbox_base_url(), path);
		buf_puts(&body, "Bonjour,\n\n");
		buf_puts(&body, buf_cstr(&text));
		buf_puts(&body, "\n\nSa fiche (contexte, adaptations, résultats) :\n");
		buf_puts(&body, buf_cstr(&link));
		buf_puts(&body, "\n\nVos messages sur IA·T : ");
		buf_free(&link);
		outbox_link(&link, outbox_base_url(), "/espace/messages");
		buf_puts(&body, buf_cstr(&link));
		buf_puts(&body, "\n\n— IA·T\n");
		outbox_notify_org(db, o.owner_org_id, OUTBOX_MEMBERS, "Votre fiche est réutilisée", buf_cstr(&body));
		buf_free(&link);
		buf_free(&body);
	}
	buf_free(&text);
	org_free(&who);
out:
	store_usecase_free(&u);
	store_usecase_free(&o);
	return ret;
}

void reuse_lineage_view(const struct viewer *v, const struct reuse_list *l, bool *shown, bool *keep)
{
	for (int i = 0; i < l->n; i++) {
		shown[i] = auth_can_read_usecase(v, l->v[i].state, l->v[i].org_id);
		keep[i] = shown[i];
	}
	/* nodes come by depth: walking backwards, children before parents */
	for (int i = l->n - 1; i > 0; i--) {
		if (!keep[i]) continue;
		for (int j = i - 1; j >= 0; j--)
			if (l->v[j].id == l->v[i].parent) {
				keep[j] = true;
				break;
			}
	}
}
