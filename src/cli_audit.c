/*
 * cli_audit.c — `iat audit`: print the audit log, newest first.
 *
 *   iat audit [--db PATH] [--since ISO-DATE] [--action PREFIX] [--limit N] [--json]
 *
 * Design notes
 * - Output: one entry per line, tab-separated (date, account e-mail or
 *   "-", action, target, detail; tabs and line breaks inside values become
 *   spaces so a line is always one entry), or JSON Lines with --json (one
 *   object per line: id, at, user_id, email, action, target, detail).
 * - Every argument is checked before the database is opened: --since is a
 *   date YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM:SSZ (a real calendar
 *   date), --limit an integer from 1 to 100000 (default 100), --action at
 *   most 100 characters; misuse is one French line on stderr and exit 2
 *   (cli_usage_error), like every subcommand.
 * - Reads through audit_list() (history.c); exit 1 on a database error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "db.h"
#include "history.h"
#include "jsonw.h"
#include "util.h"

static const char audit_usage[] =
    "usage : iat audit [--db PATH] [--since DATE] [--action PRÉFIXE] [--limit N] [--json]\n"
    "Affiche le journal des actions (changements d'état des fiches, comptes,\n"
    "droits, jetons, chargements), de la plus récente à la plus ancienne.\n"
    "\n"
    "--since DATE       à partir de cette date (AAAA-MM-JJ) ou de cet instant\n"
    "                   UTC (AAAA-MM-JJTHH:MM:SSZ)\n"
    "--action PRÉFIXE   seulement les actions qui commencent ainsi (ex. usecase.)\n"
    "--limit N          au plus N entrées (1 à 100000, par défaut 100)\n"
    "--json             une ligne JSON par entrée (JSON Lines) au lieu de colonnes\n"
    "                   séparées par des tabulations\n"
    "--db PATH          base (par défaut $IAT_DB ou var/iat.db)\n";

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9') return false;
	return true;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
	return v;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, a real date and time. */
static bool iso_ok(const char *s)
{
	size_t n = strlen(s);
	if (n != 10 && n != 20) return false;
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2)) return false;
	int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
	if (n == 10) return true;
	if (s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' ||
	    !digits(s + 17, 2) || s[19] != 'Z')
		return false;
	return num(s + 11, 2) < 24 && num(s + 14, 2) < 60 && num(s + 17, 2) < 60;
}

/* A value on one line: tabs and line breaks become spaces. */
static void put_field(const char *s)
{
	if (!s || !*s) {
		fputs("-", stdout);
		return;
	}
	for (const char *p = s; *p; p++) putchar(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
}

int cmd_audit(int argc, char **argv)
{
	const char *dbpath = cli_default_db(), *since = NULL, *action = NULL, *limit_s = NULL;
	bool json = false;
	struct cli_opt opts[] = {
		{ "db", &dbpath, NULL },         { "since", &since, NULL }, { "action", &action, NULL },
		{ "limit", &limit_s, NULL },     { "json", NULL, &json },
	};
	char **pos;
	int npos;
	cli_parse(argc, argv, opts, (int)ARRAY_LEN(opts), &pos, &npos, audit_usage);
	free(pos);
	if (npos > 0) cli_usage_error("audit : aucun argument attendu en dehors des options (voir iat audit --help)");
	if (since && !iso_ok(since))
		cli_usage_error("audit : --since « %.40s » n'est pas une date valide (AAAA-MM-JJ ou AAAA-MM-JJTHH:MM:SSZ)",
		                since);
	int64_t limit = 100;
	if (limit_s && parse_int64(limit_s, 1, 100000, &limit) < 0)
		cli_usage_error("audit : --limit « %.40s » invalide (un entier de 1 à 100000)", limit_s);
	if (action && (!*action || strlen(action) > 100))
		cli_usage_error("audit : --action doit faire de 1 à 100 caractères");

	db_t *db = cli_open_db(dbpath, false);
	struct audit_query q = { action, NULL, since, 0, limit };
	struct audit_entry *e;
	int n = audit_list(db, &q, &e, NULL);
	if (n < 0) {
		db_close(db);
		die("audit : lecture du journal impossible");
	}
	buf_t b = BUF_INIT;
	for (int i = 0; i < n; i++) {
		if (json) {
			jsonw_t w;
			buf_reset(&b);
			jw_init(&w, &b);
			jw_obj(&w);
			jw_kint(&w, "id", e[i].id);
			jw_kstr(&w, "at", e[i].at);
			if (e[i].user_id) jw_kint(&w, "user_id", e[i].user_id);
			else jw_knull(&w, "user_id");
			jw_kstr(&w, "email", e[i].email);
			jw_kstr(&w, "action", e[i].action);
			jw_kstr(&w, "target", e[i].target);
			jw_kstr(&w, "detail", e[i].detail);
			jw_obj_end(&w);
			fwrite(b.data, 1, b.len, stdout);
			putchar('\n');
		} else {
			put_field(e[i].at);
			putchar('\t');
			put_field(e[i].email);
			putchar('\t');
			put_field(e[i].action);
			putchar('\t');
			put_field(e[i].target);
			putchar('\t');
			put_field(e[i].detail);
			putchar('\n');
		}
	}
	buf_free(&b);
	audit_free(e, n);
	db_close(db);
	return fflush(stdout) == 0 ? 0 : 1;
}
