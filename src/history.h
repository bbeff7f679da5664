/*
 * history.h — the versions of a record (usecase_version rows), what changed
 * between two of them, and the audit log, for the history and comparison
 * pages (page_history.c), the audit page (page_audit.c), the versions API
 * (api_history.c) and `iat audit` (cli_audit.c).
 *
 * Design notes
 * - Storage side only reads: every save already writes a version row with
 *   the whole canonical doc (store_usecase.c), every audited action an
 *   audit row (auth_audit()). Handlers never write SQL: they use these
 *   functions, which a PostgreSQL back-end can implement the same way.
 * - Who may see which version and whose name is decided in auth.c
 *   (auth_can_see_version(), auth_can_see_version_authors()); which fields
 *   are shown by model_field_visible(), like everywhere else.
 * - "What changed" compares field by field in table order; an absent
 *   field, null, "" and [] are the same (empty) value, so a field cleared
 *   and a field never filled do not differ. Metadata outside the field
 *   table (provenance) is not compared.
 */
#ifndef IAT_HISTORY_H
#define IAT_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "model.h"

/* One saved version of a record. */
struct uc_version {
	int64_t version;
	char *state, *at, *note;
	int64_t user_id;      /* 0: written by an import (no account) */
	char *user_name;      /* display name (NULL or "" when none) */
	char *user_email;
	char *user_role;      /* NULL when user_id is 0 */
	bool user_member;     /* the author is (now) a member of the owner organisation */
	json_t *doc;          /* the whole canonical doc of that version (after
	                         history_filter(): without restricted items) */
	json_t *raw;          /* after history_filter() for a public reader: the
	                         unfiltered doc (never shown); else NULL */
};

/* Every version of record usecase_id, oldest first, with the membership
 * of each author in owner_org_id. Heap array in *out (free with
 * history_free()). Returns the number of versions (0 when none), or -1. */
int history_load(db_t *db, int64_t usecase_id, int64_t owner_org_id, struct uc_version **out);
void history_free(struct uc_version *v, int n);
/* For a reader who may not see restricted items (indicators, reuse kit):
 * remove them from each version's doc (keeping the original in raw). Call
 * it right after history_load(), before anything reads the docs.
 * Restricted fields stay: the history pages hide them by
 * model_field_visible() and count them as hidden changes. */
void history_filter(struct uc_version *v, int n, bool restricted);
/* Number of item lists whose only changes between versions a (may be
 * NULL) and b are restricted items (hidden changes). */
int history_hidden_items(const struct uc_version *a, const struct uc_version *b);

/* Number of versions of the record a viewer sees: all of them (all true) or
 * only those that were public (published, retracted). -1 on error. */
int64_t history_count(db_t *db, int64_t usecase_id, bool all);

/* Is field value v empty (absent, null, "", [])? */
bool history_empty(const json_t *v);
/* Do the two docs differ on field f (empty values being equal)? a or b may
 * be NULL (no previous version: compared with an empty doc). */
bool history_field_differs(const struct field *f, const json_t *a, const json_t *b);
/* Fields that differ between a and b, in table order: the ones visible to
 * a reader with these rights go into out (up to max; the return value is
 * their count), *hidden gets the number of differing fields not visible
 * (restricted) to that reader. */
int history_diff(const json_t *a, const json_t *b, bool restricted, const struct field **out, int max,
                 int *hidden);

/* The author of a version as the viewer may see it (heap string, French):
 * "import" when there was no account; otherwise, for viewers allowed to
 * see names, the display name (or "compte n°ID"); for others "l'équipe de
 * l'observatoire" (curators, admins), "un membre de ORG" (members of the
 * owner organisation), or "un contributeur". org_name may be NULL. */
char *history_author(const struct uc_version *v, bool show_names, const char *org_name);
/* The same as a stable code for the API: import, team, member, contributor. */
const char *history_author_kind(const struct uc_version *v);

/* ==== Audit log ==== */

struct audit_entry {
	int64_t id;
	char *at;
	int64_t user_id;       /* 0: none (command line) */
	char *email;           /* NULL when user_id is 0 */
	char *action, *target, *detail;
};

struct audit_query {
	const char *action_prefix;  /* NULL or "": any */
	const char *target_prefix;  /* NULL or "": any */
	const char *since;          /* ISO date/time: entries at or after it; NULL: any */
	int64_t offset;
	int64_t limit;
};

/* Audit entries matching q, newest first. Heap array in *out (free with
 * audit_free()); returns their number, or -1. When total is not NULL it
 * gets the number of all matching entries. */
int audit_list(db_t *db, const struct audit_query *q, struct audit_entry **out, int64_t *total);
void audit_free(struct audit_entry *e, int n);

#endif
