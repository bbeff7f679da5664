/*
 * importer.h — import of the Interconnectés library (« Bibliothèque IA
 * territoriale ») into use-case records.
 *
 * Design notes
 * - One entry point per source format; today only the Interconnectés CSV,
 *   in any of its spellings: the published export (data.csv: header
 *   "Nom_collectivite,Nom_du_projet,SIRET,..."), the processed export and
 *   any CSV whose header is a subset of the 37 column names of the
 *   Interconnectés table schema (coll_nom, nom_projet, coll_siret...). ','
 *   or ';' separated (csv.h detects it).
 * - All or nothing: the whole file is one transaction. Any error (CSV
 *   syntax, a value outside a vocabulary, an organisation that cannot be
 *   found...) rolls everything back, including organisations the import
 *   had created, and is reported as one French line naming the line and
 *   the column ("ligne 7, colonne projet_status : ...").
 * - Re-importing the same file is idempotent: each record has an import
 *   key ("interconnectes:<owner key>:<slug of the title>"); a record whose
 *   content did not change is left alone (no new version), a changed one
 *   gets a new version, a new one is created published.
 * - Warnings (a value kept only in the provenance, an owner found by name
 *   instead of its SIREN...) do not stop the import; each is one French
 *   line "ligne N[, colonne C] : ...", given to o->warn or printed on
 *   stderr, and counted.
 * - The mapping rules (owner resolution, lists, dates, summaries) are
 *   described at the top of importer.c.
 */
#ifndef IAT_IMPORTER_H
#define IAT_IMPORTER_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

/* Called once per warning with a French line without "\n". */
typedef void (*import_warn_fn)(void *ctx, const char *msg);

struct import_opts {
	bool dry_run;        /* check and apply everything, then roll back */
	bool progress;       /* "\rimport : 12/23" on stderr */
	import_warn_fn warn; /* NULL: "iat: avertissement : <msg>" on stderr */
	void *warn_ctx;
};

struct import_stats {
	int rows;            /* records read (header and blank records excluded) */
	int created, updated, unchanged;
	int warnings;
	double seconds;
};

/* Import the Interconnectés CSV at path into db (organisations must have
 * been loaded: org_load_reference). Returns 0 and fills *st, or -1 with a
 * one-line French message in *err (heap, caller frees) and nothing written.
 * o may be NULL (defaults: no dry run, no progress, warnings on stderr). */
int import_interconnectes(db_t *db, const char *path, const struct import_opts *o,
                          struct import_stats *st, char **err);

/* ==== Helpers (pure, exposed for the unit tests) ==== */

/* Normalise a date as written in the library: "MM/YYYY" → "YYYY-MM",
 * "DD/MM/YYYY" (also with '-' or '.') → "YYYY-MM-DD", "YYYY", "YYYY-MM"
 * and "YYYY-MM-DD" unchanged, and a spreadsheet serial number (days since
 * 1899-12-30, e.g. "45691") → "YYYY-MM-DD" with *serial set. Years
 * 1950-2100, real calendar days. Returns 0 and writes out, or -1. */
int import_date(const char *s, char out[11], bool *serial);

/* The summary of a description: white space collapsed to single spaces;
 * if longer than max characters (code points), cut at the last word
 * boundary so that the text plus "…" fits, with trailing punctuation
 * dropped before the "…". Heap string (empty for an empty description). */
char *import_summary(const char *desc, size_t max);

/* Split a list cell: on ',', ';' and line ends when the cell has a ',' or
 * ';', else on '-' and line ends — except hyphens inside compound names
 * ("Île-de-France", "Saint-Denis", "Exo-Dev"). Items are trimmed, empty
 * ones dropped. Returns the number of items; *items is a heap array of
 * heap strings (free each, then the array). */
size_t import_split(const char *s, char ***items);

#endif
