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

#endif
