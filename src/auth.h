/*
 * auth.h — accounts, organisation memberships, API tokens, and the one
 * place where rights are decided.
 *
 * Design notes
 * - A viewer describes who makes a request. Anonymous viewers have
 *   user_id 0. Rights are decided only by the auth_can_*() functions below,
 *   called by the router (capabilities) and by handlers for rights that
 *   depend on a resource (owner organisation of a record).
 * - Restricted fields are readable by agents of authorities: any account
 *   with a membership in an organisation, plus curators and admins.
 * - API tokens: "iat_" + 43 characters of base64url (32 random bytes from
 *   libsodium). Only their BLAKE2b-256 hash is stored; the clear token is
 *   printed once by `iat token create`.
 */
#ifndef IAT_AUTH_H
#define IAT_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

#define AUTH_MAX_ORGS 16

struct viewer {
	int64_t user_id;          /* 0: anonymous */
	char role[16];            /* citizen, agent, referent, curator, admin; "" if anonymous */
	int64_t orgs[AUTH_MAX_ORGS];      /* organisations the user belongs to */
	bool referent_of[AUTH_MAX_ORGS];  /* referent role in orgs[i] */
	int norgs;
};

/* Initialise libsodium; call once at start-up. 0 or -1. */
int auth_init(void);

/* May this viewer read restricted fields? */
bool auth_can_read_restricted(const struct viewer *v);
/* Is the viewer a curator or an admin? */
bool auth_is_curator(const struct viewer *v);
/* May the viewer edit records of organisation org_id (member of it, or
 * curator/admin)? */
bool auth_can_edit_org(const struct viewer *v, int64_t org_id);
/* May the viewer publish records of org_id (referent of it, or
 * curator/admin)? */
bool auth_can_publish_org(const struct viewer *v, int64_t org_id);
/* May the viewer read a record in this state owned by org_id? Published
 * and retracted records are public; others only for editors. */
bool auth_can_read_usecase(const struct viewer *v, const char *state, int64_t org_id);

/* Is the viewer an admin? */
bool auth_is_admin(const struct viewer *v);
/* Is the viewer a member (agent or referent) of org_id? Curators are not
 * members (use auth_can_edit_org for rights). */
bool auth_is_member(const struct viewer *v, int64_t org_id);
/* May the viewer accept, refuse and manage the members of org_id (referent
 * of it, or curator/admin)? */
bool auth_can_manage_members(const struct viewer *v, int64_t org_id);
/* May the viewer see the member list of org_id (member, curator, admin)? */
bool auth_can_see_members(const struct viewer *v, int64_t org_id);

/* Load the viewer of account uid (role and memberships). 1 found and not
 * disabled, 0 otherwise, -1 database error. */
int auth_viewer_load(db_t *db, int64_t uid, struct viewer *out);

/* Recompute the account role from its memberships (citizen, agent or
 * referent); curators and admins keep theirs. 0 or -1. */
int auth_role_refresh(db_t *db, int64_t uid);

/* ==== Passwords (argon2id, libsodium crypto_pwhash_str) ====
 * Parameters: crypto_pwhash_OPSLIMIT_INTERACTIVE (2 passes) and
 * crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB); the encoded hash carries its
 * parameters, so they can be raised later and old hashes still verify (and
 * are rehashed at the next sign-in). */
#define AUTH_PASSWORD_MIN 12    /* characters */
#define AUTH_PASSWORD_MAX 256   /* bytes */

/* NULL if pw is acceptable for this e-mail, else a French message. */
const char *auth_password_problem(const char *pw, const char *email);
/* Is e an acceptable e-mail address (syntax only)? */
bool auth_email_ok(const char *e);
/* Set the account's password (hashes it) and record password_changed_at.
 * 0 or -1. Does not end sessions (the caller does). */
int auth_password_set(db_t *db, int64_t uid, const char *pw);
/* Check e-mail + password. 1 and *uid when they match an active account,
 * 0 otherwise (the time taken does not tell whether the e-mail exists),
 * -1 database error. */
int auth_password_check(db_t *db, const char *email, const char *pw, int64_t *uid);
/* The argon2id hash of pw (same parameters as auth_password_set) into
 * out[AUTH_HASH_MAX], e.g. for a sign-up waiting for confirmation. 0 or
 * -1 (out of memory). */
#define AUTH_HASH_MAX 128
int auth_password_hash(const char *pw, char out[AUTH_HASH_MAX]);
/* Account id by e-mail (any case). 1/0/-1. */
int auth_user_by_email(db_t *db, const char *email, int64_t *uid);

/* Resolve a bearer token to a viewer. 1 found (and not revoked, account
 * not disabled), 0 unknown, -1 database error. */
int auth_token_lookup(db_t *db, const char *token, struct viewer *out);

/* Create or update an account and its membership. role: agent, referent,
 * curator or admin; org_key required for agent and referent (any key
 * org_find() accepts). Returns the user id, or -1 with a French message in
 * *err. Records an audit entry. */
int64_t auth_user_add(db_t *db, const char *email, const char *org_ref, const char *role, char **err);

/* Create an API token for the account with this email. Returns 0 and a heap
 * token in *token, or -1 with *err. */
int auth_token_create(db_t *db, const char *email, const char *label, char **token, char **err);

/* ---- history, comparison, audit ---- */
/* May the viewer see a saved version in this state of a record owned by
 * org_id? Versions that were public (published, retracted) for everyone
 * who may read the record; the others (drafts...) only for its editors. */
bool auth_can_see_version(const struct viewer *v, const char *version_state, int64_t org_id);
/* May the viewer see who wrote each version (display names, never
 * e-mails)? Readers of restricted fields and the organisation's editors. */
bool auth_can_see_version_authors(const struct viewer *v, int64_t org_id);

/* ---- measured impact (issue 5) ---- */
/* May the viewer review a record's impact evidence and grant, withdraw or
 * clear the "impact démontré" label by exception? Curators and admins. */
bool auth_can_act_on_label(const struct viewer *v);

/* ---- record exports (issue 6) ---- */
/* Does an export hold a record in this state? Published and retracted
 * records (with their state column), whoever asks: never drafts,
 * submitted records or records with changes requested, not even for
 * their editors (an export is a copy that leaves the site). Which fields
 * and items: auth_can_read_restricted(), as for the API. */
bool auth_can_export_usecase(const char *state);

/* ---- history export and CRPA inventory (issue 6) ---- */
/* Does the history export hold a version in this state (of a visible
 * record)? The versions that were public (published, retracted), whoever
 * asks: the public history's rule for visitors; drafts never leave the
 * site, not even in the agents' export (as auth_can_export_usecase()). */
bool auth_can_export_version(const char *version_state);
/* May the viewer see the restricted columns of an authority's CRPA
 * inventory (the algorithm's operations, the service's contact)? The
 * readers of restricted fields (auth_can_read_restricted()), as for the
 * record export. The public inventory's contact is the record's public
 * information page (see page_inventory.c). */
bool auth_can_read_inventory_operations(const struct viewer *v);

/* Append an audit log entry. 0 or -1. */
int auth_audit(db_t *db, int64_t user_id, const char *action, const char *target, const char *detail);

/* ---- survey campaigns (issue 7 §1) ---- */
/* May the viewer fill in (save a draft of) org_id's answers to a survey?
 * Its members, agents and referents (not the observatory team: answers
 * speak for the organisation). Whether org_id is targeted and the
 * campaign open is the caller's check (survey.h). */
bool auth_can_answer_survey(const struct viewer *v, int64_t org_id);
/* May the viewer submit org_id's answers (and choose whether they may be
 * published)? Its referents only. */
bool auth_can_submit_survey(const struct viewer *v, int64_t org_id);
/* May the viewer create, import and follow campaigns? Curators, admins. */
bool auth_can_manage_surveys(const struct viewer *v);

#endif
