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

/* Append an audit log entry. 0 or -1. */
int auth_audit(db_t *db, int64_t user_id, const char *action, const char *target, const char *detail);

#endif
