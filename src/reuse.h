/*
 * reuse.h — reuse between territories: the rules the pages (page_reuse.c)
 * and the API (api_reuse.c) share, and the notice sent when a reuse is
 * published (called by workflow.c and api_usecase.c).
 *
 * Design notes
 * - A reuse is an ordinary record whose origin_id names the record it
 *   reuses (store.h, set only at creation). It has its own owner, context
 *   (reuse_context), adaptations (reuse_adaptations), status, suppliers,
 *   costs and indicators, and goes through the same workflow.
 * - What a reuse starts with (reuse_seed): the origin's PUBLIC descriptive
 *   fields (title kept as is — the reusing authority edits it if it
 *   wishes —, summary, description, theme, sub-themes, publics, algorithm,
 *   techniques, data sources, risks, legal bases, code and resources). Never
 *   copied: owner, partners and partner organisations, suppliers, contact,
 *   dates, status, costs and funding, hosting, volumes, location, DPIA,
 *   indicators (its own results), reuse kit, restricted fields.
 * - Who may declare a reuse (reuse_check), in this order: a member of the
 *   new owner organisation, or a curator/admin (403 auth.forbidden); of a
 *   PUBLISHED origin (409 state.not_published: drafts are not offered,
 *   retracted records are final); for another organisation than the
 *   origin's owner (422 validation.same_owner).
 * - The inbox notice (reuse_on_publish): the single rule is "when a reuse
 *   is saved in state published, its origin's owner gets an org_notice
 *   'reused' and its members a message". It runs INSIDE the publishing
 *   transaction, called by every path that can publish (wf_apply, the API
 *   create/PATCH through save_audited, reuse_create): the publication, the
 *   notice and the messages are written together or not at all. The
 *   store does not do it because it knows nothing of messages; the UNIQUE
 *   (org, kind, origin, reuse) of org_notice makes it idempotent, so a
 *   re-publication (an edit of a published record, a second publish)
 *   neither adds a notice nor sends a message again.
 * - Lineage as a reader sees it (reuse_lineage_view): nodes the reader may
 *   read (auth_can_read_usecase) are shown; a node the reader may not read
 *   is kept only when a shown node lies under it, as "fiche non publiée"
 *   without title nor owner, so the tree stays connected; hidden nodes
 *   with nothing shown under them are left out (their existence does not
 *   leak).
 */
#ifndef IAT_REUSE_H
#define IAT_REUSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "model.h"
#include "store.h"

/* A new doc (caller decrefs) holding the fields a reuse copies from its
 * origin's doc (see the notes). */
json_t *reuse_seed(const json_t *origin_doc);

/* May viewer v declare a reuse of origin for organisation owner_org_id?
 * 0 yes; else 403, 409 or 422 with the API code in *code and a French
 * message in *msg (static strings). */
int reuse_check(const struct viewer *v, const struct uc_full *origin, int64_t owner_org_id, const char **code,
                const char **msg);

/* Create the reuse doc (validated, owner set) of origin in state
 * (draft, submitted or published; the caller checked the rights), in one
 * transaction with its audit entry ("usecase.reuse") and, when published,
 * the notice. Returns a store_rc; *id the new record. */
int reuse_create(db_t *db, const struct viewer *v, const struct uc_full *origin, json_t *doc, const char *state,
                 const char *note, struct verrors *errs, int64_t *id);

/* Record id was just saved in state published, inside the caller's
 * transaction: when it is a reuse, tell its origin's owner once (notice +
 * messages to its members). 0 (also when nothing to do) or -1. */
int reuse_on_publish(db_t *db, int64_t id);

/* Which nodes of lineage l the viewer sees: shown[i] (readable), keep[i]
 * (shown, or a shown node lies under it). Arrays of l->n. */
void reuse_lineage_view(const struct viewer *v, const struct reuse_list *l, bool *shown, bool *keep);

#endif
