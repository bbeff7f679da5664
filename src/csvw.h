/*
 * csvw.h — the CSV writer of every export (the Etalab impact CSV, the
 * record exports): one cell at a time into a buf_t.
 *
 * Design notes
 * - RFC 4180 quoting: a cell is quoted when it holds the separator, a
 *   quote or a line break; quotes are doubled. The separator is a
 *   parameter (',' for RFC 4180, ';' for French Excel); the caller writes
 *   the line end.
 * - Formula injection: a text cell that a spreadsheet would run as a
 *   formula (first character, after any white space — ASCII or Unicode —,
 *   = + - @, or a leading tab or CR) gets a leading apostrophe. Numbers
 *   are written by csvw_num() and never need it.
 */
#ifndef IAT_CSVW_H
#define IAT_CSVW_H

#include <stdbool.h>

#include "buf.h"

/* One text cell (NULL: empty), neutralised and quoted when needed, then
 * the separator unless last (the caller ends the line). */
void csvw_cell(buf_t *b, const char *s, char sep, bool last);
/* A number, shortest exact form, never an exponent, with the decimal
 * mark given ('.' or ','), then the separator unless last. */
void csvw_num(buf_t *b, double d, char decimal, char sep, bool last);

#endif
