/*
 * cli_import.c — `iat import`: load an existing library, a register from
 * abroad or an IA·T export into IA·T.
 *
 *   iat import FORMAT [--db PATH] [--dry-run] [--skip-invalid] FICHIER
 *       FORMAT is one of import_formats[] (import.c). The whole file is
 *       imported in one transaction (the contract is in importer.h);
 *       warnings go to stderr, the report to stdout, e.g.
 *       "import interconnectes : 23 fiches (23 créées, 0 mises à jour,
 *       0 inchangées), 13 avertissements, 0.08 s", followed by one line
 *       "refusé : ligne N ... : raison" per rejected row (--skip-invalid).
 *       --dry-run checks and applies everything, then rolls back.
 *
 * Exit codes follow cli.h: 0 done (and for --help), 2 misuse (one line
 * from cli_usage_error: unknown format, missing or extra argument, unknown
 * option), 1 failure: nothing was written, and stderr ends with one line
 * "iat: import FORMAT : ..." — after one line "iat: refusé : ..." per
 * rejected row when the failure is rows that could not be imported.
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
    "usage : iat import FORMAT [--db PATH] [--dry-run] [--skip-invalid] FICHIER\n"
    "\n"
    "Importe une bibliothèque existante, un registre étranger ou un export IA·T.\n"
    "Formats :\n"
    "  interconnectes        la Bibliothèque IA territoriale des Interconnectés : son\n"
    "                        export publié (Nom_collectivite, Nom_du_projet, SIRET...)\n"
    "                        ou tout CSV dont l'en-tête reprend des colonnes de son\n"
    "                        schéma, séparé par des virgules ou des points-virgules.\n"
    "  nl-algoritmeregister  le registre néerlandais des algorithmes (algoritmes.json,\n"
    "                        relevé quotidien, ou pub_data.json, export complet).\n"
    "  uk-atrs               l'index des fiches ATRS du Royaume-Uni (JSON).\n"
    "  eu-pstw               Public Sector Tech Watch de la Commission européenne (CSV).\n"
    "  iat-json              un export IA·T (JSON, JSON Lines ou export de l'historique).\n"
    "Les registres étrangers deviennent des références internationales, tenues\n"
    "à part des statistiques françaises (doc/imports.md).\n"
    "\n"
    "Tout le fichier est importé en une transaction. Chaque enregistrement refusé\n"
    "est signalé avec sa ligne (ou son numéro) et la raison ; s'il y en a un, rien\n"
    "n'est écrit, sauf avec --skip-invalid. Un nouvel import du même fichier met à\n"
    "jour les mêmes enregistrements (clé : source et identifiant à la source).\n"
    "Les organisations officielles doivent être chargées avant (iat orgs load).\n"
    "\n"
    "--db PATH        base (par défaut $IAT_DB ou var/iat.db)\n"
    "--dry-run        tout vérifier sans rien écrire\n"
    "--skip-invalid   importer les enregistrements valides et lister les autres\n";

/* "s" unless n is 1 (the summary line's convention). */
static const char *pl(int n)
{
	return n == 1 ? "" : "s";
}

int cmd_import(int argc, char **argv)
{
	const char *dbpath = cli_default_db();
	bool dry_run = false, skip_invalid = false;
	struct cli_opt opts[] = { { "db", &dbpath, NULL }, { "dry-run", NULL, &dry_run },
		                  { "skip-invalid", NULL, &skip_invalid } };
	char **pos;
	int npos;
	cli_parse(argc, argv, opts, (int)ARRAY_LEN(opts), &pos, &npos, import_usage);
	if (npos == 0) {
		free(pos);
		cli_usage_error("import : indiquez le format (%s) et le fichier à importer", import_format_names());
	}
	const char *format = pos[0];
	const struct import_format *fmt = import_format_find(format);
	if (!fmt) {
		free(pos); /* the strings are argv's */
		cli_usage_error("import : format inconnu « %s » (formats : %s)", format, import_format_names());
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
	o.skip_invalid = skip_invalid;
	o.progress = cli_tty();
	struct import_stats s = { 0 };
	char *err = NULL;
	int rc = fmt->fn(db, path, &o, &s, &err);
	if (rc == 0 && !dry_run) {
		/* records created or changed by the import: one audit entry (each
		 * record's versions say which ones) */
		char *detail = xasprintf("%s : %d créées, %d mises à jour, %d inchangées, %d refusées", format,
		                         s.created, s.updated, s.unchanged, s.rejected);
		if (auth_audit(db, 0, "import.run", path, detail) < 0)
			fprintf(stderr, "iat: import %s : entrée du journal non enregistrée\n", format);
		free(detail);
	}
	db_close(db);
	const char *noun = fmt->noun ? fmt->noun : "fiche";
	if (rc < 0) {
		for (size_t i = 0; i < s.nrejects; i++) fprintf(stderr, "iat: refusé : %s\n", s.rejects[i].reason);
		fprintf(stderr, "iat: import %s : %s\n", format, err);
		free(err);
		import_stats_free(&s);
		return 1;
	}
	printf("import %s%s : %d %s%s (%d créée%s, %d mise%s à jour, %d inchangée%s", format,
	       dry_run ? " (essai, rien n'a été écrit)" : "", s.rows, noun, pl(s.rows), s.created, pl(s.created),
	       s.updated, pl(s.updated), s.unchanged, pl(s.unchanged));
	if (s.rejected) printf(", %d refusée%s", s.rejected, pl(s.rejected));
	printf("), %d avertissement%s, %.2f s\n", s.warnings, pl(s.warnings), s.seconds);
	for (size_t i = 0; i < s.nrejects; i++) printf("refusé : %s\n", s.rejects[i].reason);
	import_stats_free(&s);
	return 0;
}
