/*
 * csv.h — a strict CSV reader for imports (RFC 4180 plus what spreadsheets
 * export): ',' or ';' separator (auto-detected from the header line),
 * optional UTF-8 BOM, CRLF or LF line ends, quoted fields with "" escapes
 * and embedded newlines.
 *
 * Design notes
 * - Works on an in-memory document (imports are small enough); the reader
 *   does not own the input, which must outlive it.
 * - Strict: a quote inside an unquoted field, characters after a closing
 *   quote, an unterminated quoted field, or invalid UTF-8 is an error that
 *   reports the 1-based line and column (column = field number, 1-based,
 *   and char = byte offset in the line, 1-based) and a French message.
 * - Fields returned by csv_next() are NUL-terminated heap strings owned by
 *   the reader, valid until the next csv_next() or csv_close().
 * - An empty line (outside quotes) is skipped. A line that is only
 *   separators is a record of empty fields.
 * - Line ends inside quoted fields (LF, CRLF or CR) are returned as "\n".
 *   A NUL byte is an error too (fields are C strings).
 */
#ifndef IAT_CSV_H
#define IAT_CSV_H

#include <stddef.h>

typedef struct csv_reader csv_reader;

/* delim: ',' or ';', or 0 to detect from the first line (the separator that
 * occurs more often outside quotes in it; ',' on a tie). Never NULL. */
csv_reader *csv_open(const char *data, size_t len, char delim);
void csv_close(csv_reader *r);

/* Read the next record. Returns 1 and sets *fields / *nfields, 0 at end of
 * input, -1 on a syntax error (see csv_error). */
int csv_next(csv_reader *r, char ***fields, size_t *nfields);

/* The separator in use (after detection). */
char csv_delim(const csv_reader *r);
/* 1-based line where the record last returned by csv_next() starts. */
int csv_record_line(const csv_reader *r);

/* After csv_next() returned -1: position and French message of the error,
 * e.g. "guillemet non fermé". Never NULL; all zero (message NULL) until an
 * error occurs. An error is final: csv_next() keeps returning -1. */
struct csv_error {
	int line;     /* 1-based */
	int field;    /* 1-based field number in the record */
	int column;   /* 1-based byte position in the line */
	const char *message;
};
const struct csv_error *csv_error(const csv_reader *r);

#endif
