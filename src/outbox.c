/*
 * outbox.c — the stand-in for outgoing e-mail (see outbox.h).
 *
 * Design notes
 * - One INSERT per message (bound values), and one log line. The message
 *   body is not logged: it may hold a personal message; the link is, on
 *   purpose (the issue asks for it while no mail server exists).
 */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include "util.h"

int outbox_send_link(db_t *db, const char *to, const char *subject, const char *body, const char *link)
{
	char ts[21];
	iso8601_utc(now_unix(), ts);
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO outbox(at, to_email, subject, body) VALUES (?1, ?2, ?3, ?4)");
	if (!st) return -1;
	db_bind_text(st, 1, ts);
	db_bind_text(st, 2, to);
	db_bind_text(st, 3, subject);
	db_bind_text(st, 4, body);
	if (db_step_done(st) < 0) return -1;
	if (link)
		log_info("message en attente pour %s : « %s » — lien : %s", to, subject, link);
	else
		log_info("message en attente pour %s : « %s »", to, subject);
	return 0;
}

int outbox_send(db_t *db, const char *to, const char *subject, const char *body)
{
	return outbox_send_link(db, to, subject, body, NULL);
}

void outbox_link(buf_t *b, const char *base_url, const char *path)
{
	if (base_url && *base_url) {
		size_t n = strlen(base_url);
		while (n > 0 && base_url[n - 1] == '/') n--;
		buf_append(b, base_url, n);
	}
	buf_puts(b, path);
}

/* ==== Base URL and notifications ==== */

static char base_url_buf[256];

void outbox_set_base_url(const char *base_url)
{
	snprintf(base_url_buf, sizeof base_url_buf, "%s", base_url ? base_url : "");
}

const char *outbox_base_url(void)
{
	return base_url_buf;
}

void outbox_notify_org(db_t *db, int64_t org_id, enum outbox_who who, const char *subject, const char *body)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT u.email FROM membership m JOIN user u ON u.id = m.user_id "
	                               "WHERE m.org_id = ?1 AND u.disabled = 0 AND (?2 = 0 OR m.role = 'referent') "
	                               "ORDER BY u.id");
	if (!st) return;
	db_bind_int(st, 1, org_id);
	db_bind_int(st, 2, who == OUTBOX_REFERENTS);
	/* collect first: outbox_send() uses other statements of this connection */
	char *emails[64];
	int n = 0;
	while (n < 64 && sqlite3_step(st) == SQLITE_ROW) emails[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	db_reset(st);
	for (int i = 0; i < n; i++) {
		outbox_send(db, emails[i], subject, body);
		free(emails[i]);
	}
}

void outbox_notify_user(db_t *db, int64_t user_id, const char *subject, const char *body)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT email FROM user WHERE id = ?1 AND disabled = 0");
	if (!st) return;
	db_bind_int(st, 1, user_id);
	char *email = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) email = xstrdup((const char *)sqlite3_column_text(st, 0));
	db_reset(st);
	if (email) outbox_send(db, email, subject, body);
	free(email);
}
