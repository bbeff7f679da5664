/*
 * cli_outbox.c — `iat outbox`: read the messages the application would
 * have sent by e-mail (see outbox.h), newest first.
 *
 *   iat outbox [--db PATH] [--to EMAIL] [--limit N]
 *
 * Output: for each message, a header line "=== DATE  à : EMAIL", a line
 * "Objet : SUBJECT", the body, and an empty line. --to keeps one
 * recipient (any case); --limit (1..10000, default 20) the newest N.
 * Exit codes follow cli.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "db.h"
#include "util.h"

static const char outbox_usage[] =
    "usage : iat outbox [--db PATH] [--to EMAIL] [--limit N]\n"
    "Affiche les messages que le site aurait envoyés par courriel (liens\n"
    "d'activation, de réinitialisation, demandes d'adhésion), du plus récent\n"
    "au plus ancien. --to ne garde qu'un destinataire ; --limit N les N plus\n"
    "récents (20 par défaut).\n";

int cmd_outbox(int argc, char **argv)
{
	const char *dbpath = cli_default_db(), *to = NULL, *limit_s = NULL;
	struct cli_opt opts[] = { { "db", &dbpath, NULL }, { "to", &to, NULL }, { "limit", &limit_s, NULL } };
	char **pos;
	int npos;
	cli_parse(argc, argv, opts, (int)ARRAY_LEN(opts), &pos, &npos, outbox_usage);
	if (npos) cli_usage_error("outbox : argument inattendu « %s »", pos[0]);
	free(pos);
	int64_t limit = 20;
	if (limit_s && parse_int64(limit_s, 1, 10000, &limit) < 0)
		cli_usage_error("outbox : --limit attend un entier entre 1 et 10000");
	db_t *db = cli_open_db(dbpath, false);
	sqlite3_stmt *st = db_stmt(db, "SELECT at, to_email, subject, body FROM outbox "
	                               "WHERE ?1 IS NULL OR to_email = ?1 COLLATE NOCASE "
	                               "ORDER BY id DESC LIMIT ?2");
	if (!st) {
		db_close(db);
		die("outbox : lecture impossible");
	}
	db_bind_text(st, 1, to);
	db_bind_int(st, 2, limit);
	int rc, n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		printf("=== %s  à : %s\nObjet : %s\n%s\n\n", (const char *)sqlite3_column_text(st, 0),
		       (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
		       (const char *)sqlite3_column_text(st, 3));
		n++;
	}
	db_reset(st);
	db_close(db);
	if (rc != SQLITE_DONE) die("outbox : lecture impossible");
	if (n == 0) fprintf(stderr, "aucun message\n");
	return 0;
}
