/*
 * import.c — the import framework shared by every format (issue 6,
 * section 2): the list of formats and the import report.
 *
 * Design notes
 * - The contract every entry point follows (one transaction, a savepoint
 *   per row, rejected rows listed with their reason, all-or-nothing unless
 *   skip_invalid, dry runs, idempotence by source and source id) is
 *   written once, in importer.h; each format lives in its own file:
 *     importer.c     the Interconnectés library CSV (French records);
 *     import_intl.c  the registers abroad (international references);
 *     import_iat.c   IA·T's own JSON exports (iat-json).
 * - import_formats[] is the single list: `iat import` and the curators'
 *   page (/admin/imports) offer exactly these formats, in this order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_intl.h"
#include "importer.h"

#include <sqlite3.h>
#include "util.h"

const struct import_format import_formats[] = {
	{ "interconnectes", "Bibliothèque IA territoriale (Les Interconnectés), CSV",
	  "Les Interconnectés", "fiche", import_interconnectes },
	/* ---- international references (import_intl.c) ---- */
	{ "nl-algoritmeregister", "Algoritmeregister des Pays-Bas (algoritmes.json ou pub_data.json), JSON",
	  "Gouvernement néerlandais (algoritmes.overheid.nl)", "référence", import_nl_algoritmeregister },
	{ "uk-atrs", "Index des fiches ATRS du Royaume-Uni, JSON", "GOV.UK (Open Government Licence v3.0)",
	  "référence", import_uk_atrs },
	{ "eu-pstw", "Public Sector Tech Watch de la Commission européenne, CSV",
	  "Commission européenne, JRC (CC-BY 4.0)", "référence", import_eu_pstw },
	/* ---- IA·T exports (import_iat.c) ---- */
	{ "iat-json", "Export IA·T (fiches en JSON ou JSON Lines, ou export de l'historique)", "IA·T", "fiche",
	  import_iat_json },
};
const size_t import_nformats = sizeof import_formats / sizeof import_formats[0];

const struct import_format *import_format_find(const char *name)
{
	if (!name) return NULL;
	for (size_t i = 0; i < import_nformats; i++)
		if (strcmp(import_formats[i].name, name) == 0) return &import_formats[i];
	return NULL;
}

const char *import_format_names(void)
{
	static char names[512];
	if (!names[0]) {
		size_t n = 0;
		for (size_t i = 0; i < import_nformats && n < sizeof names; i++)
			n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", import_formats[i].name);
	}
	return names;
}

void import_reject(struct import_stats *st, int line, char *reason)
{
	if (st->nrejects == st->caprejects) {
		st->caprejects = st->caprejects ? st->caprejects * 2 : 16;
		st->rejects = xrealloc(st->rejects, st->caprejects * sizeof *st->rejects);
	}
	st->rejects[st->nrejects].line = line;
	st->rejects[st->nrejects].reason = reason ? reason : xstrdup("enregistrement refusé");
	st->nrejects++;
	st->rejected++;
}

void import_stats_free(struct import_stats *st)
{
	if (!st) return;
	for (size_t i = 0; i < st->nrejects; i++) free(st->rejects[i].reason);
	free(st->rejects);
	st->rejects = NULL;
	st->nrejects = st->caprejects = 0;
}

static int db_fail(db_t *db, char **err, const char *what)
{
	free(*err);
	*err = xasprintf("erreur de base de données%s : %s", what, sqlite3_errmsg(db_sqlite(db)));
	return -1;
}

int import_row_begin(db_t *db, char **err)
{
	return db_exec(db, "SAVEPOINT import_row") < 0 ? db_fail(db, err, "") : 0;
}

int import_row_end(db_t *db, struct import_stats *st, int line, char *reason, char **err)
{
	if (reason) {
		if (db_exec(db, "ROLLBACK TO import_row") < 0) {
			free(reason);
			return db_fail(db, err, "");
		}
		import_reject(st, line, reason);
	}
	return db_exec(db, "RELEASE import_row") < 0 ? db_fail(db, err, "") : 0;
}

int import_finish(db_t *db, const struct import_opts *o, struct import_stats *st, char **err)
{
	if (st->rejected && !o->skip_invalid) {
		free(*err);
		*err = xasprintf("%d enregistrement%s refusé%s : rien n'a été importé", st->rejected,
		                 st->rejected > 1 ? "s" : "", st->rejected > 1 ? "s" : "");
		return -1;
	}
	if (o->dry_run) {
		db_rollback(db);
		return 0;
	}
	return db_commit(db) < 0 ? db_fail(db, err, " à la validation") : 0;
}
