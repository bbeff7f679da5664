/*
 * outbox.h — messages the application would send by e-mail.
 *
 * Design notes
 * - There is no mail server yet: every message is stored in the table
 *   outbox (read with `iat outbox`) and announced by one log line with its
 *   recipient and subject. Messages that carry a link (account activation,
 *   password reset, join requests) log the link too, so an operator can
 *   hand it over by another channel.
 * - Links in messages are absolute when the server knows its public
 *   address (iat serve --base-url), else site-relative paths.
 * - Bodies are plain text (never HTML): nothing here escapes anything.
 */
#ifndef IAT_OUTBOX_H
#define IAT_OUTBOX_H

#include "buf.h"
#include "db.h"

/* Store one message for to. 0 or -1 (database error, logged). */
int outbox_send(db_t *db, const char *to, const char *subject, const char *body);
/* The same, and the link (may be NULL) is written in the log line. */
int outbox_send_link(db_t *db, const char *to, const char *subject, const char *body, const char *link);
/* Append the link to path (a site path starting with '/'): base_url
 * (without its trailing '/') + path, or path alone when base_url is NULL
 * or empty. */
void outbox_link(buf_t *b, const char *base_url, const char *path);

/* The site's public address for links in messages sent outside a request
 * (set once at start-up by the server; NULL or "" for relative links). */
void outbox_set_base_url(const char *base_url);
const char *outbox_base_url(void);

/* ==== Notifications ====
 * Each sends one message per recipient; failures are logged and ignored
 * (a notification never undoes the action that caused it). */
enum outbox_who { OUTBOX_MEMBERS, OUTBOX_REFERENTS };
/* To the active members (or only the referents) of organisation org_id. */
void outbox_notify_org(db_t *db, int64_t org_id, enum outbox_who who, const char *subject, const char *body);
/* To one account (if active and not anonymised). */
void outbox_notify_user(db_t *db, int64_t user_id, const char *subject, const char *body);

#endif
