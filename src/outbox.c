/*
 * outbox.c — the stand-in for outgoing e-mail (see outbox.h).
 *
 * Design notes
 * - One INSERT per message (bound values), and one log line. The message
 *   body is not logged: it may hold a personal message; the link is, on
 *   purpose (the issue asks for it while no mail server exists).
 */
#include "outbox.h"

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
