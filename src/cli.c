/*
 * cli.c — shared command-line helpers (see cli.h) and the small commands
 * `init` and `backup`.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "store.h"
#include "util.h"

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("iat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (voir --help)\n", stderr);
	exit(2);
}

void cli_parse(int argc, char **argv, const struct cli_opt *opts, int nopts, char ***pos,
               int *npos, const char *usage)
{
	*pos = xcalloc((size_t)argc + 1, sizeof(char *));
	*npos = 0;
	bool only_pos = false;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == 0) {
			(*pos)[(*npos)++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			free(*pos);
			exit(0);
		}
		if (a[1] != '-') cli_usage_error("%s : option inconnue « %s »", argv[0], a);
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const struct cli_opt *o = NULL;
		for (int k = 0; k < nopts; k++)
			if (strlen(opts[k].name) == nlen && strncmp(opts[k].name, name, nlen) == 0) o = &opts[k];
		if (!o) cli_usage_error("%s : option inconnue « %s »", argv[0], a);
		if (o->flag) {
			if (eq) cli_usage_error("%s : l'option --%s ne prend pas de valeur", argv[0], o->name);
			*o->flag = true;
		} else if (eq) {
			*o->value = eq + 1;
		} else {
			if (i + 1 >= argc) cli_usage_error("%s : l'option --%s attend une valeur", argv[0], o->name);
			*o->value = argv[++i];
		}
	}
}

const char *cli_default_db(void)
{
	const char *e = getenv("IAT_DB");
	return e && *e ? e : "var/iat.db";
}

bool cli_tty(void)
{
	return isatty(2);
}

struct db *cli_open_db(const char *path, bool create)
{
	char *err = NULL;
	if (create) {
		/* create the parent directory if needed (one level, e.g. var/) */
		const char *slash = strrchr(path, '/');
		if (slash && slash != path) {
			char *dir = xstrndup(path, (size_t)(slash - path));
			mkdir(dir, 0755);
			free(dir);
		}
	} else if (access(path, F_OK) != 0) {
		die("base introuvable : %s (créez-la avec « iat init --db %s »)", path, path);
	}
	db_t *db = db_open(path, create ? DB_CREATE : 0, &err);
	if (!db) die("%s", err);
	if (db_migrate(db) < 0) die("migration de %s impossible", path);
	if (store_render_upgrade(db) < 0) die("mise à jour des représentations de %s impossible", path);
	return db;
}

/* ==== iat init ==== */

static const char init_usage[] =
    "usage : iat init [--db PATH]\n"
    "Crée la base si elle n'existe pas et applique les migrations numérotées\n"
    "qui manquent (idempotent).\n";

int cmd_init(int argc, char **argv)
{
	const char *dbpath = cli_default_db();
	struct cli_opt opts[] = { { "db", &dbpath, NULL } };
	char **pos;
	int npos;
	cli_parse(argc, argv, opts, 1, &pos, &npos, init_usage);
	if (npos) cli_usage_error("init : argument inattendu « %s »", pos[0]);
	free(pos);
	char *err = NULL;
	db_t *db = db_open(dbpath, DB_CREATE, &err);
	if (!db) die("%s", err);
	int before = db_schema_version(db);
	int n = db_migrate(db);
	if (n < 0) die("migration de %s impossible", dbpath);
	if (store_render_upgrade(db) < 0) die("mise à jour des représentations de %s impossible", dbpath);
	int after = db_schema_version(db);
	printf("base %s : schéma %d (%d migration%s appliquée%s, version précédente %d)\n", dbpath,
	       after, n, n > 1 ? "s" : "", n > 1 ? "s" : "", before);
	db_close(db);
	return 0;
}

/* ==== iat backup ==== */

static const char backup_usage[] =
    "usage : iat backup [--db PATH] DEST\n"
    "Copie en ligne, cohérente, de la base vivante vers DEST (écrite sous un\n"
    "nom temporaire puis renommée : jamais de fichier à moitié écrit).\n";

int cmd_backup(int argc, char **argv)
{
	const char *dbpath = cli_default_db();
	struct cli_opt opts[] = { { "db", &dbpath, NULL } };
	char **pos;
	int npos;
	cli_parse(argc, argv, opts, 1, &pos, &npos, backup_usage);
	if (npos != 1) cli_usage_error("backup : indiquez un fichier de destination, et un seul");
	const char *dest = pos[0];
	free(pos);
	db_t *db = cli_open_db(dbpath, false);
	char *err = NULL;
	uint64_t t0 = mono_ns();
	if (db_backup(db, dest, &err) < 0) {
		db_close(db);
		die("%s", err);
	}
	struct stat stt;
	long long size = stat(dest, &stt) == 0 ? (long long)stt.st_size : -1;
	printf("sauvegarde : %s → %s (%lld octets, %.2f s)\n", dbpath, dest, size,
	       (double)(mono_ns() - t0) / 1e9);
	db_close(db);
	return 0;
}
