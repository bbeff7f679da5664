/*
 * export.h — the record exports (issue 6, section 3, first bullet): every
 * visible record as CSV (RFC 4180), CSV for French Excel, JSON or JSON
 * Lines, for the public or, with restricted fields, for agents.
 *
 * Design notes
 * - Pure formatting: rows come from store_usecase_export() (store.h), in
 *   batches; the server streams them (api_export.c) and the CLI writes
 *   them to a file (cli_export.c). Nothing here holds more than one row.
 * - The source of every row is the stored API representation for the
 *   reader (json_public, or json_agent when restricted): it was rendered
 *   through model_value_for_reader(), and the indicator and kit lists are
 *   filtered through it once more here. The columns of a public export
 *   are the public fields only (restricted columns are absent, not
 *   empty). doc/api.md ("Exports") describes every column.
 * - CSV: comma, CRLF line ends (RFC 4180), UTF-8 without BOM, codes of
 *   the vocabularies, dates as stored (AAAA-MM-JJ, timestamps
 *   AAAA-MM-JJTHH:MM:SSZ), numbers with a decimal point, true/false,
 *   lists joined by " | ", indicators and reuse kit as a count column
 *   plus a JSON cell. Excel: the same cells with ';', a BOM, CRLF, dates
 *   JJ/MM/AAAA (timestamps JJ/MM/AAAA HH:MM:SS, UTC) and a decimal comma.
 *   Both neutralise formula cells (csvw.c).
 * - JSON: a plain array of records as GET /api/v1/usecases/{id} renders
 *   them (no envelope), plus "reuses" (visible reuses) and
 *   owner.insee_code; "url" (and reuse_of.url) absolute when the server
 *   knows its base URL. JSON Lines: the same records, one per line.
 */
#ifndef IAT_EXPORT_H
#define IAT_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "model.h"
#include "store.h"

enum export_format { EXPORT_CSV, EXPORT_EXCEL, EXPORT_JSON, EXPORT_JSONL };

struct export_writer {
	enum export_format fmt;
	bool restricted;          /* agents' export: restricted fields and items */
	const char *base_url;     /* "" or NULL: URLs are site paths */
	int64_t rows;             /* rows written so far */
};

/* "csv", "excel", "json", "jsonl" → format. 0, or -1 when unknown. */
int export_format_parse(const char *name, enum export_format *out);
const char *export_format_name(enum export_format f);
/* The reply's Content-Type. */
const char *export_content_type(enum export_format f);
/* A file name: iat-fiches[-agents][-excel]-AAAA-MM-JJ.EXT (today, UTC),
 * into out. */
void export_filename(const struct export_writer *w, char *out, size_t outsz);

/* The start of the file (BOM, header line, "["). */
void export_begin(struct export_writer *w, buf_t *b);
/* One record. 0, or -1 when its stored text does not parse (then
 * nothing is written; a bug, logged). */
int export_row(struct export_writer *w, buf_t *b, const struct usecase_export_row *row);
/* The end of the file ("]" for JSON). */
void export_end(struct export_writer *w, buf_t *b);

/* ---- the CSV columns, shared with the data package (opendata.c) and
 * the history CSV (export_history.c) ---- */
struct export_meta_column {
	const char *name;
	const char *type;          /* Table Schema type: string, integer, boolean, datetime */
	bool required;
	const char *codes;         /* '|'-separated allowed values, or NULL */
	const char *description;   /* French */
};
extern const struct export_meta_column export_meta_columns[];
extern const size_t export_nmeta_columns;
/* One column of the record CSV: a metadata column (meta set) or a field
 * (field set; count: the NAME_count column of a list of items). */
struct export_column {
	const char *name;
	const struct export_meta_column *meta;
	const struct field *field;
	bool count;
};
typedef void (*export_column_fn)(void *ctx, const struct export_column *c);
/* Every column of the record CSV for this reader, in file order (the
 * header line is written from it). Returns their number. */
int export_columns(bool restricted, export_column_fn cb, void *ctx);
/* The field cells of a record (rec: the rendered or canonical record;
 * organisations as objects or keys), in table order, the last one without
 * separator. */
void export_field_cells(const struct export_writer *w, buf_t *b, const json_t *rec);
/* A date or timestamp cell (Excel: JJ/MM/AAAA), an integer cell. */
void export_date_cell(const struct export_writer *w, buf_t *b, const char *s, bool last);
void export_int_cell(const struct export_writer *w, buf_t *b, int64_t v, bool last);

#endif
