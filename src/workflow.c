/*
 * workflow.c — the publication workflow (see workflow.h for the rules).
 *
 * Design notes
 * - Rights come from auth.c only (auth_can_edit_org, auth_can_publish_org);
 *   this file only combines them with the record's state.
 * - wf_apply() holds the whole state change in one transaction and checks
 *   the version it was shown (expect_version), so two referents acting at
 *   once cannot both move the same record: the second gets a 409.
 * - A publication of a reuse also writes its origin's inbox notice in the
 *   same transaction (reuse_on_publish, reuse.h).
 */
#include "workflow.h"

#include "outbox.h"
#include "reuse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

static bool is(const char *state, const char *s)
{
	return state && strcmp(state, s) == 0;
}

int wf_check(const struct viewer *v, enum wf_action a, const char *state, int64_t owner_org_id,
             const char **reason)
{
	const char *msg = NULL;
	int status = 0;
	if (!auth_can_edit_org(v, owner_org_id)) {
		*reason = "Seuls les membres de l'organisation porteuse (et l'équipe de l'observatoire) peuvent agir sur cette fiche.";
		return 403;
	}
	bool publisher = auth_can_publish_org(v, owner_org_id);
	switch (a) {
	case WF_EDIT:
		if (is(state, "retracted")) {
			msg = "Une fiche retirée ne peut plus être modifiée.";
			status = 409;
		} else if (is(state, "published") && !publisher) {
			msg = "Une fiche publiée ne peut être modifiée que par un référent de l'organisation (ou l'équipe de l'observatoire).";
			status = 403;
		}
		break;
	case WF_SUBMIT:
		if (!is(state, "draft") && !is(state, "changes_requested")) {
			msg = "Seule une fiche en brouillon ou à modifier peut être soumise à la relecture.";
			status = 409;
		}
		break;
	case WF_PUBLISH:
		if (!is(state, "draft") && !is(state, "submitted")) {
			msg = "Seule une fiche en brouillon ou soumise à la relecture peut être publiée.";
			status = 409;
		} else if (!publisher) {
			msg = "Seul un référent de l'organisation (ou l'équipe de l'observatoire) peut publier.";
			status = 403;
		}
		break;
	case WF_REQUEST_CHANGES:
		if (!is(state, "submitted")) {
			msg = "On ne peut demander des modifications que sur une fiche soumise à la relecture.";
			status = 409;
		} else if (!publisher) {
			msg = "Seul un référent de l'organisation (ou l'équipe de l'observatoire) peut demander des modifications.";
			status = 403;
		}
		break;
	case WF_RETRACT:
		if (!is(state, "published")) {
			msg = "Seule une fiche publiée peut être retirée.";
			status = 409;
		} else if (!publisher) {
			msg = "Seul un référent de l'organisation (ou l'équipe de l'observatoire) peut retirer une fiche.";
			status = 403;
		}
		break;
	}
	if (status) *reason = msg;
	return status;
}

const char *wf_can(const struct viewer *v, enum wf_action a, const char *state, int64_t owner_org_id)
{
	const char *reason = NULL;
	return wf_check(v, a, state, owner_org_id, &reason) ? reason : NULL;
}

const char *wf_next_state(enum wf_action a)
{
	switch (a) {
	case WF_SUBMIT: return "submitted";
	case WF_PUBLISH: return "published";
	case WF_REQUEST_CHANGES: return "changes_requested";
	case WF_RETRACT: return "retracted";
	default: return NULL;
	}
}

const char *wf_action_label(enum wf_action a)
{
	switch (a) {
	case WF_EDIT: return "Modifier";
	case WF_SUBMIT: return "Soumettre à la relecture";
	case WF_PUBLISH: return "Publier";
	case WF_REQUEST_CHANGES: return "Demander des modifications";
	case WF_RETRACT: return "Retirer";
	}
	return "";
}

bool wf_needs_text(enum wf_action a)
{
	return a == WF_REQUEST_CHANGES || a == WF_RETRACT;
}

const char *wf_text_problem(const char *text)
{
	if (!text) return "Ce texte est obligatoire.";
	size_t n = strlen(text);
	bool blank = true;
	for (size_t i = 0; i < n; i++)
		if (text[i] != ' ' && text[i] != '\n' && text[i] != '\t' && text[i] != '\r') blank = false;
	if (blank) return "Ce texte est obligatoire.";
	if (!text_utf8_valid(text, n) || text_has_control(text, n))
		return "Ce texte contient des caractères non permis.";
	if (text_utf8_len(text, n) > WF_TEXT_MAX) return "Ce texte dépasse 2000 caractères.";
	return NULL;
}

char *wf_note(enum wf_action a, const char *text)
{
	switch (a) {
	case WF_SUBMIT: return xstrdup("soumise");
	case WF_PUBLISH: return xstrdup("publiée");
	case WF_REQUEST_CHANGES: return xasprintf("modifications demandées : %s", text ? text : "");
	case WF_RETRACT: return xasprintf("retirée : %s", text ? text : "");
	default: return xstrdup("modification");
	}
}

int wf_audit_state(db_t *db, int64_t user_id, int64_t id, const char *from, const char *to, const char *text)
{
	char target[32];
	snprintf(target, sizeof target, "usecase:%lld", (long long)id);
	char *detail = text && *text ? xasprintf("%s→%s : %s", from, to, text) : xasprintf("%s→%s", from, to);
	int rc = auth_audit(db, user_id, "usecase.state", target, detail);
	free(detail);
	return rc;
}

/* Tell the people concerned (outbox.h): a submission to the referents of
 * the owner organisation; a request for changes, a publication or a
 * retraction to the record's author. */
static void notify(db_t *db, const struct uc_full *u, enum wf_action a, const char *text)
{
	const char *title = doc_str(u->doc, "title");
	buf_t link = BUF_INIT, body = BUF_INIT;
	char path[48];
	snprintf(path, sizeof path, "/fiches/%lld", (long long)u->id);
	outbox_link(&link, outbox_base_url(), path);
	const char *subject = NULL, *intro = NULL;
	switch (a) {
	case WF_SUBMIT:
		subject = "Fiche à relire";
		intro = "Une fiche de votre organisation attend votre relecture avant publication.";
		break;
	case WF_REQUEST_CHANGES:
		subject = "Modifications demandées sur votre fiche";
		intro = "Le référent demande des modifications avant de publier votre fiche. Son commentaire :";
		break;
	case WF_PUBLISH:
		subject = "Votre fiche est publiée";
		intro = "Votre fiche est publiée dans la bibliothèque IA·T.";
		break;
	case WF_RETRACT:
		subject = "Votre fiche est retirée";
		intro = "Votre fiche a été retirée de la bibliothèque. Motif :";
		break;
	default: break;
	}
	if (subject) {
		buf_puts(&body, "Bonjour,\n\n");
		buf_puts(&body, intro);
		buf_puts(&body, "\n\n");
		if (text && *text && (a == WF_REQUEST_CHANGES || a == WF_RETRACT)) {
			buf_puts(&body, text);
			buf_puts(&body, "\n\n");
		}
		buf_puts(&body, "Fiche : ");
		buf_puts(&body, title ? title : "(sans titre)");
		buf_puts(&body, "\n");
		buf_puts(&body, buf_cstr(&link));
		buf_puts(&body, "\n\n— IA·T\n");
		if (a == WF_SUBMIT) {
			outbox_notify_org(db, u->owner_org_id, OUTBOX_REFERENTS, subject, buf_cstr(&body));
		} else {
			sqlite3_stmt *st = db_stmt(db, "SELECT created_by FROM usecase WHERE id = ?1");
			int64_t author = 0;
			if (st) {
				db_bind_int(st, 1, u->id);
				if (db_one_int(st, &author) != 1) author = 0;
			}
			if (author) outbox_notify_user(db, author, subject, buf_cstr(&body));
		}
	}
	buf_free(&link);
	buf_free(&body);
}

int wf_apply(db_t *db, const struct viewer *v, const struct uc_full *u, enum wf_action a, const char *text,
             int64_t expect_version, const char **msg)
{
	const char *to = wf_next_state(a);
	if (!to) {
		*msg = "Action inconnue.";
		return 500;
	}
	int status = wf_check(v, a, u->state, u->owner_org_id, msg);
	if (status) return status;
	if (wf_needs_text(a)) {
		const char *p = wf_text_problem(text);
		if (p) {
			*msg = p;
			return 422;
		}
	}
	if (db_begin(db) < 0) {
		*msg = "Erreur interne : rien n'a été enregistré.";
		return 500;
	}
	char *note = wf_note(a, text);
	struct uc_save p = { 0 };
	p.id = u->id;
	p.expect_version = expect_version ? expect_version : u->version;
	p.state = to;
	p.retract_reason = a == WF_RETRACT ? text : NULL;
	p.review_comment = a == WF_REQUEST_CHANGES ? text : a == WF_SUBMIT || a == WF_PUBLISH ? "" : NULL;
	p.user_id = v->user_id;
	p.note = note;
	p.in_tx = true;
	struct verrors errs = { 0 };
	int64_t id;
	int rc = store_usecase_save(db, u->doc, &p, &errs, &id, NULL);
	free(note);
	if (rc == STORE_OK && wf_audit_state(db, v->user_id, u->id, u->state, to, text) < 0) rc = STORE_ERR;
	/* a published reuse tells its origin's owner, in this transaction (reuse.h) */
	if (rc == STORE_OK && a == WF_PUBLISH && reuse_on_publish(db, u->id) < 0) rc = STORE_ERR;
	if (rc == STORE_OK && db_commit(db) < 0) rc = STORE_ERR;
	if (rc == STORE_OK) {
		notify(db, u, a, text);
		return 0;
	}
	db_rollback(db);
	switch (rc) {
	case STORE_CONFLICT:
		*msg = "La fiche a été modifiée entre-temps : relisez-la, puis recommencez.";
		return 409;
	case STORE_NOT_FOUND:
		*msg = "Cette fiche n'existe pas.";
		return 404;
	case STORE_INVALID:
		*msg = "La fiche n'est plus valide (organisation introuvable) : modifiez-la d'abord.";
		return 409;
	default:
		*msg = "Erreur interne : rien n'a été enregistré.";
		return 500;
	}
}
