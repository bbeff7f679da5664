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
 * - All or nothing (the framework's contract below): the whole file is one
 *   transaction, each row a savepoint. A bad row (a value outside a
 *   vocabulary, an organisation that cannot be found...) is rejected with
 *   one French line naming the line and the column ("ligne 7, colonne
 *   projet_status : ..."); any rejected row rolls everything back,
 *   including organisations the import had created, unless skip_invalid.
 *   A CSV syntax error stops before the database is touched.
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

/* ==== The import framework (issue 6, section 2) ====
 *
 * Every format has one entry point of type import_fn, listed in
 * import_formats[] (import.c) which the CLI (`iat import FORMAT FILE`) and
 * the curators' page (/admin/imports) share. The contract of an entry
 * point:
 * - it reads the whole file, then writes in ONE transaction; each record
 *   (row) runs in a savepoint, so a rejected row leaves nothing behind;
 * - a row that cannot be imported is REJECTED with its reason
 *   (import_reject(): "ligne 7, colonne theme : ..." or "enregistrement
 *   12 (id 345) : ..."); the import goes on with the next row so that the
 *   report lists every bad row at once;
 * - at the end, if any row was rejected and o->skip_invalid is false, the
 *   whole transaction is rolled back and the entry point returns -1 with
 *   *err = "N enregistrement(s) refusé(s) : rien n'a été importé" (the
 *   report in *st still lists the rejected rows and the counts that would
 *   have been); with skip_invalid the valid rows are committed and the
 *   report lists what was skipped;
 * - o->dry_run: everything is checked and applied, then rolled back;
 * - a file-level error (unreadable file, syntax error, unknown shape,
 *   database error) stops at once: -1, *err, nothing written;
 * - re-importing the same file is idempotent: records are keyed by
 *   (source, source id); an identical record is "unchanged" (nothing
 *   written), a changed one "updated", a new one "created".
 */

struct import_opts {
	bool dry_run;        /* check and apply everything, then roll back */
	bool skip_invalid;   /* commit the valid rows, report the rejected ones */
	bool progress;       /* "\rimport : 12/23" on stderr */
	const char *filename; /* the file's name for provenance and messages
	                         (an upload's name); NULL: the path's base name */
	import_warn_fn warn; /* NULL: "iat: avertissement : <msg>" on stderr */
	void *warn_ctx;
};

struct import_reject {
	int line;            /* line (CSV) or record number (JSON), 1-based */
	char *reason;        /* French, with its location ("ligne 7, colonne ...") */
};

struct import_stats {
	int rows;            /* records read (header and blank records excluded) */
	int created, updated, unchanged, rejected;
	int warnings;
	double seconds;
	struct import_reject *rejects;  /* the rejected rows, in file order (heap) */
	size_t nrejects, caprejects;
};

/* The row loop and the end of every entry point (import.c), so that the
 * contract above is written once:
 *   if (import_row_begin(db, &err) < 0) → fatal;
 *   ... import the row; on a database error → fatal (the caller rolls back);
 *   if (import_row_end(db, st, line, reason_or_NULL, &err) < 0) → fatal;
 *   ... after the last row: if (import_finish(db, o, st, &err) < 0) → the
 *   caller rolls back; else the transaction is closed (committed, or
 *   rolled back for a dry run). */
int import_row_begin(db_t *db, char **err);
/* reason NULL: the row was imported (RELEASE); else it is rejected with
 * that reason (heap, taken over): ROLLBACK TO its savepoint, counted. */
int import_row_end(db_t *db, struct import_stats *st, int line, char *reason, char **err);
int import_finish(db_t *db, const struct import_opts *o, struct import_stats *st, char **err);

/* Add a rejected row (reason: heap string, taken over) and count it. */
void import_reject(struct import_stats *st, int line, char *reason);
/* Free the rejected rows' list (st itself is the caller's). */
void import_stats_free(struct import_stats *st);

/* Import the file at path into db. Returns 0 and fills *st (the caller
 * calls import_stats_free(st) in every case), or -1 with a one-line
 * French message in *err (heap, caller frees) and nothing written. */
typedef int (*import_fn)(db_t *db, const char *path, const struct import_opts *o,
                         struct import_stats *st, char **err);

struct import_format {
	const char *name;    /* CLI name: "interconnectes", "nl-algoritmeregister"... */
	const char *label;   /* French label for the curators' page */
	const char *source;  /* who publishes it (attribution), French */
	const char *noun;    /* what a row becomes, French, feminine: "fiche", "référence" */
	import_fn fn;
};
extern const struct import_format import_formats[];
extern const size_t import_nformats;
/* The format called name, or NULL. */
const struct import_format *import_format_find(const char *name);
/* "interconnectes, nl-algoritmeregister, ..." (static string). */
const char *import_format_names(void);

/* Import the Interconnectés CSV at path into db (organisations must have
 * been loaded: org_load_reference). Returns 0 and fills *st, or -1 with a
 * one-line French message in *err (heap, caller frees) and nothing written.
 * o may be NULL (defaults: no dry run, no progress, warnings on stderr). */
int import_interconnectes(db_t *db, const char *path, const struct import_opts *o,
                          struct import_stats *st, char **err);

/* Import an IA·T export (import_iat.c): the record export (JSON or JSON
 * Lines) or the history export; ids, versions and their times kept. */
int import_iat_json(db_t *db, const char *path, const struct import_opts *o, struct import_stats *st,
                    char **err);

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
