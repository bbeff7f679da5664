/*
 * main.c — `iat`, the one binary: dispatches to a subcommand (cli.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "IA·T — bibliothèque nationale et observatoire de l'IA dans les territoires\n"
    "\n"
    "usage : iat COMMANDE [OPTIONS]   (iat COMMANDE --help pour le détail)\n"
    "\n"
    "  serve [--db PATH] [--listen HOST:PORT] [--threads N]   servir le site et l'API\n"
    "  init [--db PATH]                  créer ou migrer la base\n"
    "  orgs load [--db PATH] [DIR]       charger / rafraîchir les organisations officielles\n"
    "  orgs add --kind K --siren S NOM   créer un autre organisme (syndicat, opérateur)\n"
    "  import interconnectes FICHIER.csv importer la bibliothèque des Interconnectés\n"
    "  user add EMAIL --org SIREN --role agent|referent|curator|admin\n"
    "  token create EMAIL                créer un jeton d'API (affiché une seule fois)\n"
    "  outbox [--to EMAIL] [--limit N]   messages en attente d'envoi (liens d'activation...)\n"
    "  backup DEST                       copie en ligne et cohérente de la base\n"
    "  synth --records N [--seed S]      données synthétiques (mesures de performance)\n"
    "  audit [--since DATE] [--action P] [--limit N] [--json]   journal des actions\n"
    "  export csv|excel|json|jsonl [--restricted] [--out FICHIER]   exporter les fiches visibles\n"
    "  survey list|export CODE [--out F]|import F [--dry-run]   campagnes d'enquête (définitions JSON)\n";

struct command {
	const char *name;
	int (*fn)(int, char **);
};

static const struct command commands[] = {
	{ "serve", cmd_serve },   { "init", cmd_init },     { "orgs", cmd_orgs },
	{ "import", cmd_import }, { "user", cmd_user },     { "token", cmd_token },
	{ "backup", cmd_backup }, { "synth", cmd_synth },   { "audit", cmd_audit },
	{ "outbox", cmd_outbox },
	{ "export", cmd_export }, /* issue 6 */
	{ "survey", cmd_survey }, /* issue 7 */
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "iat: commande inconnue « %s » (voir iat --help)\n", argv[1]);
	return 2;
}
