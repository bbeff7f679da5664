/*
 * import_intl.h — imports of the registers abroad as international
 * references (issue 6, section 2). Each entry point follows the import
 * framework's contract (importer.h) and is listed in import_formats[]
 * (import.c); the mapping rules are at the top of import_intl.c and in
 * doc/imports.md.
 *
 * Design notes
 * - nl-algoritmeregister takes either file of the Dutch register (the
 *   shape says which): the daily scrape algoritmes.json ({"algoritmes":
 *   [...]}) or the full-field export pub_data.json ([{..., "lars": ...}]).
 *   Both feed the same references (the scrape's id is the export's lars).
 * - uk-atrs: the ATRS index ({"meta", "records"}); eu-pstw: the Public
 *   Sector Tech Watch CSV (56 columns).
 */
#ifndef IAT_IMPORT_INTL_H
#define IAT_IMPORT_INTL_H

#include "importer.h"

int import_nl_algoritmeregister(db_t *db, const char *path, const struct import_opts *o, struct import_stats *st,
                                char **err);
int import_uk_atrs(db_t *db, const char *path, const struct import_opts *o, struct import_stats *st, char **err);
int import_eu_pstw(db_t *db, const char *path, const struct import_opts *o, struct import_stats *st, char **err);

#endif
