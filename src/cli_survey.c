/*
 * cli_survey.c — `iat survey list|export|import`: survey campaign
 * definitions as JSON files (iat-campaign/1, doc/surveys.md), issue 7.
 *
 * Design notes
 * - export writes the canonical definition (indented, UTF-8) to standard
 *   output or to --out FILE (FILE.tmp-PID renamed: never a partial file).
 * - import creates the campaign, or replaces the campaign with the same
 *   code: the checks are those of the web import (survey_def_parse(),
 *   then store_survey_campaign_save(), which refuses to change the kind
 *   or the options of a question that already has answers). --dry-run
 *   runs every check and writes nothing. Each problem is one French line
 *   on stderr "iat: survey import : FILE : message"; exit 1 when the file
 *   is refused, 2 on misuse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "store.h"
#include "survey.h"
#include "util.h"

static const char survey_usage[] =
    "usage : iat survey list [--db PATH]\n"
    "        iat survey export CODE [--db PATH] [--out FICHIER]\n"
    "        iat survey import FICHIER.json [--db PATH] [--dry-run]\n"
    "Définitions des campagnes d'enquête au format JSON iat-campaign/1 (doc/surveys.md) :\n"
    "  list    une ligne par campagne : code, année, dates, réponses (brouillons, soumises)\n"
    "  export  écrit la définition de la campagne CODE (sur la sortie standard ou dans FICHIER)\n"
    "  import  crée la campagne, ou remplace celle qui porte le même code ; refuse de changer\n"
    "          le type ou les options d'une question qui a déjà des réponses\n"
    "--dry-run : vérifie tout, n'écrit rien\n";

static int list_cb(void *ctx, const struct survey_campaign_row *c)
{
	(void)ctx;
	printf("%s\t%lld\t%s\t%s\t%lld brouillon(s)\t%lld soumise(s)\t%s\n", c->code, (long long)c->year, c->opens_on,
	       c->closes_on, (long long)c->drafts, (long long)c->submitted, c->title);
	return 0;
}

static int survey_export(db_t *db, const char *code, const char *out)
{
	char *def = NULL;
	int rc = store_survey_campaign_get(db, code, NULL, &def);
	if (rc <= 0) {
		db_close(db);
		if (rc == 0) {
			fprintf(stderr, "iat: survey export : aucune campagne « %s »\n", code);
			return 1;
		}
		die("survey export : erreur de lecture de la base");
	}
	json_t *j = json_loads(def, 0, NULL);
	free(def);
	db_close(db);
	char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	json_decref(j);
	if (!text) die("survey export : définition illisible dans la base");
	int ret = 0;
	if (!out) {
		printf("%s\n", text);
	} else {
		char *tmp = xasprintf("%s.tmp-%ld", out, (long)getpid());
		FILE *f = fopen(tmp, "wb");
		if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0 || rename(tmp, out) != 0) {
			fprintf(stderr, "iat: survey export : impossible d'écrire %s : %s\n", out, strerror(errno));
			unlink(tmp);
			ret = 1;
		} else {
			fprintf(stderr, "survey export : campagne « %s » → %s\n", code, out);
		}
		free(tmp);
	}
	free(text);
	return ret;
}

static int survey_import(db_t *db, const char *file, bool dry_run)
{
	size_t len = 0;
	char *text = read_file(file, &len);
	if (!text) {
		int err = errno;
		db_close(db);
		fprintf(stderr, "iat: survey import : impossible de lire %s : %s\n", file, strerror(err));
		return 1;
	}
	struct verrors errs = { 0 };
	struct survey_def d;
	int ret = 0;
	if (survey_def_parse_text(text, len, &d, &errs) < 0) {
		ret = 1;
	} else {
		int64_t id = 0;
		int exists = store_survey_campaign_get(db, d.code, &id, NULL);
		int rc = exists < 0 ? STORE_ERR
		                    : store_survey_campaign_save(db, exists ? d.code : NULL, &d, 0, dry_run, &errs);
		if (rc == STORE_OK)
			fprintf(stderr, "survey import : campagne « %s » (%d questions) %s%s\n", d.code, d.nq,
			        exists ? "remplacée" : "créée", dry_run ? " — essai à blanc, rien n'est écrit" : "");
		else if (rc != STORE_INVALID) {
			fprintf(stderr, "iat: survey import : erreur de la base de données\n");
			ret = 1;
		} else {
			ret = 1;
		}
		survey_def_free(&d);
	}
	for (int i = 0; i < errs.count && i < (int)ARRAY_LEN(errs.items); i++)
		fprintf(stderr, "iat: survey import : %s : %s\n", file, errs.items[i].message);
	if (errs.count > (int)ARRAY_LEN(errs.items))
		fprintf(stderr, "iat: survey import : %s : … et %d autres problèmes\n", file,
		        errs.count - (int)ARRAY_LEN(errs.items));
	free(text);
	db_close(db);
	return ret;
}

int cmd_survey(int argc, char **argv)
{
	const char *dbpath = cli_default_db(), *out = NULL;
	bool dry_run = false;
	struct cli_opt opts[] = { { "db", &dbpath, NULL }, { "out", &out, NULL }, { "dry-run", NULL, &dry_run } };
	char **pos = NULL;
	int npos = 0;
	cli_parse(argc, argv, opts, 3, &pos, &npos, survey_usage);
	if (npos < 1) cli_usage_error("survey : indiquez list, export CODE ou import FICHIER");
	const char *sub = pos[0];
	int ret;
	if (strcmp(sub, "list") == 0) {
		if (npos != 1) cli_usage_error("survey list : argument inattendu « %s »", pos[1]);
		db_t *db = cli_open_db(dbpath, false);
		ret = store_survey_campaigns(db, list_cb, NULL) < 0 ? 1 : 0;
		db_close(db);
	} else if (strcmp(sub, "export") == 0) {
		if (npos != 2) cli_usage_error("survey export : indiquez le code d'une campagne, et un seul");
		if (dry_run) cli_usage_error("survey export : --dry-run ne s'emploie qu'avec import");
		if (out && !*out) cli_usage_error("survey export : --out attend un nom de fichier");
		ret = survey_export(cli_open_db(dbpath, false), pos[1], out);
	} else if (strcmp(sub, "import") == 0) {
		if (npos != 2) cli_usage_error("survey import : indiquez un fichier JSON, et un seul");
		if (out) cli_usage_error("survey import : --out ne s'emploie qu'avec export");
		ret = survey_import(cli_open_db(dbpath, false), pos[1], dry_run);
	} else {
		cli_usage_error("survey : sous-commande inconnue « %s » (list, export ou import)", sub);
	}
	free(pos);
	return ret;
}
