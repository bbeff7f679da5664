/*
 * opendata.h — the descriptions of IA·T's open data (issue 6, section 3):
 * the Frictionless data package (datapackage.json) and the DCAT-AP
 * catalogue (JSON-LD).
 *
 * Design notes
 * - Pure writers (no database): the caller gives the base URL of the
 *   site ("" when unknown: site paths) and the dates it read.
 * - The Table Schema of the record CSV is generated from export_columns()
 *   (export.c), the very list the CSV header is written from, and from
 *   the field table (types, vocabularies, limits, French help): a field
 *   added to the model is described the day it appears in the file.
 *   Likewise for the history CSV (export_history_columns()).
 * - Written so it could be proposed to schema.data.gouv.fr: the package
 *   carries their TableSchema metadata (name, title, description,
 *   countryCode FR, homepage, path, version = MODEL_SCHEMA_VERSION,
 *   contributors, created, lastModified, licenses: Licence Ouverte 2.0),
 *   and each resource a full schema (fields, missingValues, primaryKey).
 */
#ifndef IAT_OPENDATA_H
#define IAT_OPENDATA_H

#include "jsonw.h"

/* Where the published files live (site paths). */
#define OPENDATA_RECORDS_CSV "/api/v1/exports/usecases.csv"
#define OPENDATA_HISTORY_CSV "/api/v1/exports/history.csv"
#define OPENDATA_IMPACT_CSV "/api/v1/impact.csv"
#define OPENDATA_DATAPACKAGE "/api/v1/exports/datapackage.json"
#define OPENDATA_CATALOG "/api/v1/catalog.jsonld"
#define OPENDATA_TABLE_SCHEMA "/api/v1/exports/usecases.schema.json"
/* Dates of the record schema (doc/schema-changelog.md): 1.0 and the
 * current MODEL_SCHEMA_VERSION. Change the second with the version. */
#define OPENDATA_SCHEMA_CREATED "2026-11-26"
#define OPENDATA_SCHEMA_MODIFIED "2026-11-26"
#define OPENDATA_LICENSE_URL "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

/* The data package. base: "https://host" or "" (site paths); first and
 * last: the first publication and the last change of a public record
 * (ISO 8601, "" when none). */
void opendata_datapackage(jsonw_t *w, const char *base, const char *first, const char *last);
/* The Table Schema of the public records CSV alone, with the metadata of
 * schema.data.gouv.fr (what could be proposed there; committed as
 * doc/schema-fiches.json). Also the "fiches" resource's schema. */
void opendata_table_schema(jsonw_t *w, const char *base);
/* The DCAT-AP catalogue (JSON-LD, inline @context). */
void opendata_catalog(jsonw_t *w, const char *base, const char *first, const char *last);

#endif
