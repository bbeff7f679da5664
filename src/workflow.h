/*
 * workflow.h — the publication workflow of a record: its states, the
 * actions that move it between them, and who may do each. The one place
 * where these rules live: the web pages (page_edit.c) and the JSON API
 * (api_usecase.c) both ask here.
 *
 * Design notes
 * - States: draft, submitted, changes_requested, published, retracted.
 *   Only published and retracted records are public (auth_can_read_usecase).
 * - Actions, with the rights asked of auth.c on the owner organisation:
 *     edit             members (auth_can_edit_org) edit draft, submitted and
 *                      changes_requested records; a published record only
 *                      by those who may publish it (auth_can_publish_org):
 *                      such an edit goes live at once, as a new version;
 *                      a retracted record is final.
 *     submit           members: draft | changes_requested → submitted
 *                      (clears the review comment)
 *     publish          referents and curators: draft | submitted → published
 *     request_changes  referents and curators: submitted → changes_requested,
 *                      with a comment (kept in usecase.review_comment)
 *     retract          referents and curators: published → retracted, with
 *                      a reason (usecase.retract_reason)
 * - Order of the checks: no right to edit the organisation's records (403),
 *   then the state (409), then the right to publish (403). So a member who
 *   asks for something the state does not allow learns about the state.
 * - Each state change is one transaction (store_usecase_save with the new
 *   state): the new version carries a note ("soumise", "publiée",
 *   "modifications demandées : …", "retirée : …"), and an audit entry
 *   "usecase.state" with detail "from→to" is written in the same
 *   transaction.
 */
#ifndef IAT_WORKFLOW_H
#define IAT_WORKFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "store.h"

enum wf_action {
	WF_EDIT,
	WF_SUBMIT,
	WF_PUBLISH,
	WF_REQUEST_CHANGES,
	WF_RETRACT,
};

#define WF_TEXT_MAX 2000   /* characters of a review comment or a retraction reason */

/* NULL if viewer v may do action a on a record in state owned by
 * owner_org_id, else a French reason. */
const char *wf_can(const struct viewer *v, enum wf_action a, const char *state, int64_t owner_org_id);
/* The same with the HTTP status of a refusal: 0 allowed, 403 (rights) or
 * 409 (state); *reason gets the French reason (static) when refused. */
int wf_check(const struct viewer *v, enum wf_action a, const char *state, int64_t owner_org_id,
             const char **reason);
/* State after action a (NULL for WF_EDIT: unchanged). */
const char *wf_next_state(enum wf_action a);
/* French label of the action's button ("Soumettre à la relecture"...). */
const char *wf_action_label(enum wf_action a);
/* Does the action need a text (comment or reason)? */
bool wf_needs_text(enum wf_action a);
/* NULL if text is an acceptable comment/reason (1..WF_TEXT_MAX characters,
 * not blank, no control characters other than line breaks), else a French
 * message. */
const char *wf_text_problem(const char *text);
/* The version note of an action ("soumise"...); text is the comment or
 * reason, or NULL. Returns a heap string. */
char *wf_note(enum wf_action a, const char *text);

/* Apply a state-changing action (not WF_EDIT) to the loaded record u, for
 * viewer v, in one transaction: checks (wf_check, the text when needed),
 * the save with the new state and its version note, the audit entry.
 * expect_version: 0 = the version of u. Returns 0, or an HTTP status (403,
 * 404, 409, 422, 500) with a French message in *msg (static). */
int wf_apply(db_t *db, const struct viewer *v, const struct uc_full *u, enum wf_action a, const char *text,
             int64_t expect_version, const char **msg);

/* Write the audit entry of a state change of record id ("usecase.state",
 * detail "from→to"). 0 or -1. */
int wf_audit_state(db_t *db, int64_t user_id, int64_t id, const char *from, const char *to, const char *text);

#endif
