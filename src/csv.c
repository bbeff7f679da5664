/*
 * csv.c — see csv.h. A strict, in-memory CSV reader for imports.
 *
 * Design notes
 * - One pass, byte by byte, over the caller's buffer (never modified, never
 *   copied whole). The reader keeps a position, the current line number and
 *   the offset where the current line starts, so every error can say where
 *   it is: line, field number and byte column (1-based; the UTF-8 BOM is not
 *   counted in the column).
 * - Memory: the fields of the current record are written one after the
 *   other, each NUL-terminated, into one growing buffer (rec); the field
 *   pointers handed out point into it and are rebuilt after the record is
 *   complete (rec may move while it grows). Both are reused from record to
 *   record, so a long import allocates only while records get bigger.
 * - Line ends: LF, CRLF or a lone CR end a record (outside quotes). Inside a
 *   quoted field they are kept as one "\n" each, so stored text has a single
 *   line-end convention whatever program exported the file.
 * - Strictness (errors, after which the reader stays in error and every
 *   csv_next() returns -1): a '"' inside an unquoted field, anything but a
 *   separator or a line end after a closing quote, end of input inside a
 *   quoted field (reported at the opening quote), invalid UTF-8 (reported at
 *   the first bad byte) and NUL bytes (fields are C strings).
 * - Separator detection looks at the first non-empty line only, counting
 *   ',' and ';' outside quotes: ';' wins only when strictly more frequent.
 */
#include "csv.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

struct csv_reader {
	const char *data;
	size_t len;
	size_t pos;          /* next byte to read */
	char delim;
	int line;            /* 1-based line of data[pos] */
	size_t line_start;   /* offset of the first byte of that line */
	int rec_line;        /* line where the last record returned starts */
	buf_t rec;           /* current record: fields, each NUL-terminated */
	size_t *offs;        /* start of each field in rec */
	char **fields;       /* pointers handed to the caller */
	size_t nfields, cap; /* used / allocated entries of offs and fields */
	bool failed;
	struct csv_error err;
};

/* Length of the valid UTF-8 sequence starting with a byte >= 0x80 at
 * s[0..n), or 0 if it is invalid (overlong, surrogate, > U+10FFFF,
 * truncated). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2; v = c & 0x1Fu; min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3; v = c & 0x0Fu; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; v = c & 0x07u; min = 0x10000;
	} else {
		return 0;
	}
	if (len > n) return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
	return len;
}

/* Separator of the first non-empty line starting at data[pos]. */
static char detect_delim(const char *data, size_t len, size_t pos)
{
	size_t commas = 0, semis = 0;
	bool inq = false;
	while (pos < len && (data[pos] == '\n' || data[pos] == '\r')) pos++;
	for (; pos < len; pos++) {
		char c = data[pos];
		if (c == '"') inq = !inq;
		else if (inq) continue;
		else if (c == '\n' || c == '\r') break;
		else if (c == ',') commas++;
		else if (c == ';') semis++;
	}
	return semis > commas ? ';' : ',';
}

csv_reader *csv_open(const char *data, size_t len, char delim)
{
	if (delim != 0 && delim != ',' && delim != ';') {
		log_error("csv_open: unsupported separator 0x%02x", (unsigned char)delim);
		abort();
	}
	csv_reader *r = xcalloc(1, sizeof *r);
	r->data = data;
	r->len = data ? len : 0;
	if (r->len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
	r->line = 1;
	r->line_start = r->pos;
	r->delim = delim ? delim : detect_delim(r->data, r->len, r->pos);
	buf_init(&r->rec);
	return r;
}

void csv_close(csv_reader *r)
{
	if (!r) return;
	buf_free(&r->rec);
	free(r->offs);
	free(r->fields);
	free(r);
}

char csv_delim(const csv_reader *r)
{
	return r->delim;
}

int csv_record_line(const csv_reader *r)
{
	return r->rec_line;
}

const struct csv_error *csv_error(const csv_reader *r)
{
	return &r->err; /* all zero, message NULL, until an error */
}

/* Record an error at byte offset at (on the current line) and return -1. */
static int fail_at(csv_reader *r, size_t at, const char *message)
{
	r->failed = true;
	r->err.line = r->line;
	r->err.field = (int)r->nfields;
	r->err.column = (int)(at - r->line_start + 1);
	r->err.message = message;
	return -1;
}

/* Consume the line end at pos (LF, CRLF or CR). */
static void eat_newline(csv_reader *r)
{
	if (r->data[r->pos] == '\r' && r->pos + 1 < r->len && r->data[r->pos + 1] == '\n') r->pos++;
	r->pos++;
	r->line++;
	r->line_start = r->pos;
}

static void start_field(csv_reader *r)
{
	if (r->nfields == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->offs = xrealloc(r->offs, r->cap * sizeof *r->offs);
		r->fields = xrealloc(r->fields, r->cap * sizeof *r->fields);
	}
	r->offs[r->nfields++] = r->rec.len;
}

/* Copy the non-ASCII sequence at pos into the record, or fail. Returns 0
 * or -1. */
static int take_utf8(csv_reader *r)
{
	const unsigned char *p = (const unsigned char *)r->data + r->pos;
	size_t n = utf8_seq(p, r->len - r->pos);
	if (n == 0) return fail_at(r, r->pos, "UTF-8 invalide");
	buf_append(&r->rec, p, n);
	r->pos += n;
	return 0;
}

/* Read a quoted field; pos is on the opening quote. On return pos is just
 * after the closing quote. Returns 0 or -1. */
static int read_quoted(csv_reader *r)
{
	int qline = r->line;
	size_t qcol = r->pos - r->line_start + 1;
	r->pos++;
	for (;;) {
		if (r->pos >= r->len) {
			fail_at(r, r->pos, "guillemet non fermé");
			r->err.line = qline;
			r->err.column = (int)qcol;
			return -1;
		}
		unsigned char c = (unsigned char)r->data[r->pos];
		if (c == '"') {
			if (r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
				buf_putc(&r->rec, '"');
				r->pos += 2;
				continue;
			}
			r->pos++;
			return 0;
		}
		if (c == '\n' || c == '\r') {
			buf_putc(&r->rec, '\n');
			eat_newline(r);
		} else if (c == 0) {
			return fail_at(r, r->pos, "caractère nul");
		} else if (c >= 0x80) {
			if (take_utf8(r) < 0) return -1;
		} else {
			buf_putc(&r->rec, (char)c);
			r->pos++;
		}
	}
}

/* Read an unquoted field up to (not including) the separator or line end.
 * Returns 0 or -1. */
static int read_bare(csv_reader *r)
{
	while (r->pos < r->len) {
		unsigned char c = (unsigned char)r->data[r->pos];
		if (c == (unsigned char)r->delim || c == '\n' || c == '\r') return 0;
		if (c == '"') return fail_at(r, r->pos, "guillemet dans un champ qui ne commence pas par un guillemet");
		if (c == 0) return fail_at(r, r->pos, "caractère nul");
		if (c >= 0x80) {
			if (take_utf8(r) < 0) return -1;
			continue;
		}
		buf_putc(&r->rec, (char)c);
		r->pos++;
	}
	return 0;
}

int csv_next(csv_reader *r, char ***fields, size_t *nfields)
{
	if (r->failed) return -1;
	/* skip empty lines */
	while (r->pos < r->len && (r->data[r->pos] == '\n' || r->data[r->pos] == '\r'))
		eat_newline(r);
	if (r->pos >= r->len) return 0;

	buf_reset(&r->rec);
	r->nfields = 0;
	int line = r->line;
	for (;;) {
		start_field(r);
		bool quoted = r->pos < r->len && r->data[r->pos] == '"';
		int rc = quoted ? read_quoted(r) : read_bare(r);
		if (rc < 0) return -1;
		buf_putc(&r->rec, 0);
		if (r->pos >= r->len) break;
		char c = r->data[r->pos];
		if (c == r->delim) {
			r->pos++;
			continue;
		}
		if (c == '\n' || c == '\r') {
			eat_newline(r);
			break;
		}
		/* only possible after a closing quote */
		return fail_at(r, r->pos, "caractère inattendu après un guillemet fermant");
	}
	for (size_t i = 0; i < r->nfields; i++) r->fields[i] = r->rec.data + r->offs[i];
	r->rec_line = line;
	*fields = r->fields;
	*nfields = r->nfields;
	return 1;
}
