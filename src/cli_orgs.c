/*
 * cli_orgs.c — `iat orgs`: load the official organisations, add another
 * body.
 *
 *   iat orgs load [--db PATH] [DIR]
 *       Full refresh from the data/ folder of npm
 *       @etalab/decoupage-administratif (org_load_reference). Progress on
 *       stderr when it is a terminal; one summary line on stdout.
 *   iat orgs add --kind syndicat|operateur|autre --siren SIREN
 *                [--departement CODE] [--db PATH] NAME
 *       Creates the body (org_create_other) and prints its key
 *       ("syndicat-254300882") on stdout, alone, so scripts can use it.
 *
 * Exit codes follow cli.h: 0 done (and for --help), 2 misuse (one line on
 * stderr from cli_usage_error), 1 failure (one line from die()).
 * The subcommand's argv is handed to cli_parse() with argv[0] replaced by
 * "orgs load" / "orgs add", so its messages name the full command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cli.h"
#include "db.h"
#include "org.h"
#include "store.h"
#include "util.h"

#define ORGS_DEFAULT_DIR "node_modules/@etalab/decoupage-administratif/data"

static const char orgs_usage[] =
    "usage : iat orgs load [--db PATH] [DOSSIER]\n"
    "        iat orgs add --kind syndicat|operateur|autre --siren SIREN\n"
    "                     [--departement CODE] [--db PATH] NOM\n"
    "\n"
    "load  Charge ou rafraîchit les organisations officielles (communes, EPCI,\n"
    "      EPT, départements, régions) depuis DOSSIER, le dossier data/ du paquet\n"
    "      npm @etalab/decoupage-administratif (par défaut\n"
    "      " ORGS_DEFAULT_DIR ").\n"
    "      Tout se fait en une transaction : en cas d'erreur rien ne change. Un\n"
    "      nouveau chargement garde les mêmes identifiants ; les organisations\n"
    "      absentes des nouvelles données sont désactivées, jamais supprimées.\n"
    "add   Crée un autre organisme (syndicat, opérateur public, autre) avec un\n"
    "      SIREN valide (9 chiffres, clé de Luhn) et affiche sa clé.\n"
    "\n"
    "--db PATH   base (par défaut $IAT_DB ou var/iat.db)\n";

/* cli_parse() on argv[1..] with argv[0] shown as name. */
static void orgs_parse(int argc, char **argv, const char *name, const struct cli_opt *opts,
                       int nopts, char ***pos, int *npos, const char *usage)
{
	char **args = xcalloc((size_t)argc + 1, sizeof *args);
	args[0] = (char *)name;
	for (int i = 1; i < argc; i++) args[i] = argv[i];
	cli_parse(argc, args, opts, nopts, pos, npos, usage);
	free(args);
}

static int orgs_load(int argc, char **argv)
{
	const char *dbpath = cli_default_db();
	struct cli_opt opts[] = { { "db", &dbpath, NULL } };
	char **pos;
	int npos;
	orgs_parse(argc, argv, "orgs load", opts, (int)ARRAY_LEN(opts), &pos, &npos, orgs_usage);
	if (npos > 1) {
		free(pos);
		cli_usage_error("orgs load : un seul dossier attendu");
	}
	const char *dir = npos ? pos[0] : ORGS_DEFAULT_DIR;
	free(pos);
	db_t *db = cli_open_db(dbpath, false);
	struct org_load_stats s;
	char *err = NULL;
	char since[21];
	iso8601_utc(now_unix(), since);
	if (org_load_reference(db, dir, cli_tty(), &s, &err) < 0) {
		db_close(db);
		die("%s", err ? err : "chargement des organisations impossible");
	}
	/* records cache their organisations' names, kinds and population
	 * bands: refresh those whose organisations changed in this load */
	char *detail = xasprintf("%d communes, %d EPCI, %d EPT, %d départements, %d régions, %d désactivées",
	                         s.communes, s.epci, s.ept, s.departements, s.regions, s.deactivated);
	if (auth_audit(db, 0, "orgs.load", dir, detail) < 0)
		fprintf(stderr, "iat: orgs load : entrée du journal non enregistrée\n");
	free(detail);
	int nrec = store_usecase_refresh(db, since);
	if (nrec < 0) {
		db_close(db);
		die("organisations chargées, mais la mise à jour des fiches a échoué : relancez « iat orgs load »");
	}
	printf("organisations : %d communes, %d EPCI, %d EPT, %d départements, %d régions "
	       "(%d désactivée%s) en %.2f s ; %d fiche%s mise%s à jour\n",
	       s.communes, s.epci, s.ept, s.departements, s.regions, s.deactivated,
	       s.deactivated == 1 ? "" : "s", s.seconds, nrec, nrec > 1 ? "s" : "", nrec > 1 ? "s" : "");
	db_close(db);
	return 0;
}

static int orgs_add(int argc, char **argv)
{
	const char *dbpath = cli_default_db();
	const char *kind = NULL, *siren = NULL, *dep = NULL;
	struct cli_opt opts[] = {
		{ "db", &dbpath, NULL },
		{ "kind", &kind, NULL },
		{ "siren", &siren, NULL },
		{ "departement", &dep, NULL },
	};
	char **pos;
	int npos;
	orgs_parse(argc, argv, "orgs add", opts, (int)ARRAY_LEN(opts), &pos, &npos, orgs_usage);
	const char *name = npos == 1 ? pos[0] : NULL;
	free(pos);
	if (npos != 1)
		cli_usage_error("orgs add : un NOM attendu, et un seul (mettez-le entre guillemets)");
	if (!kind) cli_usage_error("orgs add : --kind est obligatoire (syndicat, operateur ou autre)");
	if (strcmp(kind, "syndicat") != 0 && strcmp(kind, "operateur") != 0 && strcmp(kind, "autre") != 0)
		cli_usage_error("orgs add : --kind « %s » inconnu (syndicat, operateur ou autre)", kind);
	if (!siren) cli_usage_error("orgs add : --siren est obligatoire");
	db_t *db = cli_open_db(dbpath, false);
	char *err = NULL;
	int64_t id = org_create_other(db, kind, siren, name, dep, &err);
	if (id < 0) {
		db_close(db);
		die("%s", err ? err : "création impossible");
	}
	struct org o = { 0 };
	if (org_get(db, id, &o) != 1) {
		db_close(db);
		die("organisme %lld créé mais illisible", (long long)id);
	}
	char *key = org_key(&o);
	if (auth_audit(db, 0, "org.create", key, name) < 0)
		fprintf(stderr, "iat: orgs add : entrée du journal non enregistrée\n");
	printf("%s\n", key);
	free(key);
	org_free(&o);
	db_close(db);
	return 0;
}

int cmd_orgs(int argc, char **argv)
{
	if (argc < 2) cli_usage_error("orgs : sous-commande attendue (load ou add)");
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
		fputs(orgs_usage, stdout);
		return 0;
	}
	if (strcmp(sub, "load") == 0) return orgs_load(argc - 1, argv + 1);
	if (strcmp(sub, "add") == 0) return orgs_add(argc - 1, argv + 1);
	cli_usage_error("orgs : sous-commande inconnue « %s » (load ou add)", sub);
}
