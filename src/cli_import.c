/*
 * cli_import.c — `iat import`: load an existing library into IA·T.
 *
 *   iat import interconnectes [--db PATH] [--dry-run] FICHIER.csv
 *       Imports the Interconnectés library (import_interconnectes()): the
 *       whole file in one transaction, warnings on stderr, one summary line
 *       on stdout, e.g.
 *       "import interconnectes : 23 fiches (23 créées, 0 mises à jour,
 *       0 inchangées), 13 avertissements, 0.08 s".
 *       --dry-run checks and applies everything, then rolls back.
 *
 * Exit codes follow cli.h: 0 done (and for --help), 2 misuse (one line
 * from cli_usage_error: unknown format, missing or extra argument, unknown
 * option), 1 failure (one line "iat: ligne N, colonne C : ..." on stderr;
 * nothing was written).
 * Formats are a table, so a second source is one line here and one
 * function in importer.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cli.h"
#include "db.h"
#include "importer.h"
#include "util.h"

static const char import_usage[] =
    "usage : iat import FORMAT [--db PATH] [--dry-run] FICHIER.csv\n"
    "\n"
    "Importe une bibliothèque existante de cas d'usage. Formats :\n"
    "  interconnectes   la Bibliothèque IA territoriale des Interconnectés : son\n"
    "                   export publié (Nom_collectivite, Nom_du_projet, SIRET...)\n"
    "                   ou tout CSV dont l'en-tête reprend des colonnes de son\n"
    "                   schéma (coll_nom, nom_projet, coll_siret...), séparé par\n"
    "                   des virgules ou des points-virgules.\n"
    "\n"
    "Tout le fichier est importé en une transaction : à la première erreur\n"
    "(signalée avec sa ligne et sa colonne), rien n'est écrit. Les fiches sont\n"
    "publiées ; un nouvel import du même fichier met à jour les mêmes fiches\n"
    "(une nouvelle version seulement si leur contenu a changé). Les organisations\n"
    "officielles doivent être chargées avant (iat orgs load).\n"
    "\n"
    "--db PATH   base (par défaut $IAT_DB ou var/iat.db)\n"
    "--dry-run   tout vérifier sans rien écrire\n";

typedef int (*import_fn)(db_t *, const char *, const struct import_opts *, struct import_stats *, char **);

static const struct {
	const char *name;
	import_fn fn;
} formats[] = {
	{ "interconnectes", import_interconnectes },
};

/* "s" unless n is 1 (the summary line's convention). */
static const char *pl(int n)
{
	return n == 1 ? "" : "s";
}

int cmd_import(int argc, char **argv)
{
	const char *dbpath = cli_default_db();
	bool dry_run = false;
	struct cli_opt opts[] = { { "db", &dbpath, NULL }, { "dry-run", NULL, &dry_run } };
	char **pos;
	int npos;
	cli_parse(argc, argv, opts, (int)ARRAY_LEN(opts), &pos, &npos, import_usage);
	if (npos == 0) {
		free(pos);
		cli_usage_error("import : indiquez le format (interconnectes) et le fichier à importer");
	}
	const char *format = pos[0];
	import_fn fn = NULL;
	for (size_t i = 0; i < ARRAY_LEN(formats); i++)
		if (strcmp(formats[i].name, format) == 0) fn = formats[i].fn;
	if (!fn) {
		free(pos); /* the strings are argv's */
		cli_usage_error("import : format inconnu « %s » (formats : interconnectes)", format);
	}
	if (npos < 2) {
		free(pos);
		cli_usage_error("import %s : indiquez le fichier à importer", format);
	}
	if (npos > 2) {
		const char *extra = pos[2];
		free(pos);
		cli_usage_error("import %s : argument inattendu « %s »", format, extra);
	}
	const char *path = pos[1];
	free(pos);

	db_t *db = cli_open_db(dbpath, false);
	struct import_opts o = { 0 };
	o.dry_run = dry_run;
	o.progress = cli_tty();
	struct import_stats s;
	char *err = NULL;
	int rc = fn(db, path, &o, &s, &err);
	if (rc == 0 && !dry_run) {
		/* records created or changed by the import: one audit entry (each
		 * record's versions say which ones) */
		char *detail = xasprintf("%d créées, %d mises à jour, %d inchangées", s.created, s.updated, s.unchanged);
		if (auth_audit(db, 0, "import.run", path, detail) < 0)
			fprintf(stderr, "iat: import %s : entrée du journal non enregistrée\n", format);
		free(detail);
	}
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "iat: import %s : %s\n", format, err);
		free(err);
		return 1;
	}
	printf("import %s%s : %d fiche%s (%d créée%s, %d mise%s à jour, %d inchangée%s), %d avertissement%s, %.2f s\n",
	       format, dry_run ? " (essai, rien n'a été écrit)" : "", s.rows, pl(s.rows), s.created, pl(s.created),
	       s.updated, pl(s.updated), s.unchanged, pl(s.unchanged), s.warnings, pl(s.warnings), s.seconds);
	return 0;
}
