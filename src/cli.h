/*
 * cli.h — the `iat` command line: one function per subcommand, and a tiny
 * shared option parser.
 *
 * Conventions (every subcommand): `--help` prints usage on stdout and
 * exits 0; misuse prints one line "iat: ..." on stderr and exits 2;
 * failure exits 1. `--db PATH` defaults to $IAT_DB or var/iat.db.
 */
#ifndef IAT_CLI_H
#define IAT_CLI_H

#include <stdbool.h>

struct cli_opt {
	const char *name;     /* without the leading "--" */
	const char **value;   /* for options with an argument, else NULL */
	bool *flag;           /* for flags, else NULL */
};

/* Parse argv[1..] (argv[0] is the subcommand name). Options may be
 * "--name VALUE" or "--name=VALUE"; "--" ends options. Positionals are
 * collected in *pos (heap array, caller frees; the strings are argv's).
 * "--help"/"-h" prints usage on stdout and exits 0. Unknown options or
 * missing values: prints "iat: <cmd> : ..." and exits 2. */
void cli_parse(int argc, char **argv, const struct cli_opt *opts, int nopts, char ***pos,
               int *npos, const char *usage);

/* Print "iat: <msg>" and exit 2 (misuse). */
void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Default database path ($IAT_DB or var/iat.db). */
const char *cli_default_db(void);

/* Open the database at path (creating it when create), apply migrations,
 * or die with a one-line error. */
struct db *cli_open_db(const char *path, bool create);

/* true when stderr is a terminal (progress lines are shown only then) */
bool cli_tty(void);

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_orgs(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
/* issue 6: record exports (cli_export.c) */
int cmd_export(int argc, char **argv);
/* issue 7: survey campaign definitions (cli_survey.c) */
int cmd_survey(int argc, char **argv);

#endif
