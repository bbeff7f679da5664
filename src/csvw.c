/*
 * csvw.c — the CSV cell writer shared by the exports (see csvw.h).
 *
 * Design notes
 * - Moved out of api_export_impact.c (issue 5) so the record exports of
 *   issue 6 use the same quoting and the same formula neutralisation.
 */
#include "csvw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the white space at s (ASCII and the usual Unicode spaces), 0
 * when there is none. */
static size_t space_len(const unsigned char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f') return 1;
	if (s[0] == 0xC2 && s[1] == 0xA0) return 2;
	if (s[0] == 0xE2 && s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
		return 3;
	if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F) return 3;
	if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) return 3;
	if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) return 3;
	return 0;
}

void csvw_cell(buf_t *b, const char *s, char sep, bool last)
{
	if (!s) s = "";
	const unsigned char *p = (const unsigned char *)s;
	bool formula = *p == '\t' || *p == '\r';
	for (size_t n; (n = space_len(p)) > 0;) p += n;
	if (*p == '=' || *p == '+' || *p == '-' || *p == '@') formula = true;
	bool quote = false;
	for (const char *q = s; *q; q++)
		if (*q == sep || *q == '"' || *q == '\r' || *q == '\n') quote = true;
	if (quote) buf_putc(b, '"');
	if (formula) buf_putc(b, '\'');
	for (const char *q = s; *q; q++) {
		if (*q == '"') buf_putc(b, '"');
		buf_putc(b, *q);
	}
	if (quote) buf_putc(b, '"');
	if (!last) buf_putc(b, sep);
}

void csvw_num(buf_t *b, double d, char decimal, char sep, bool last)
{
	char t[64];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(t, sizeof t, "%.*g", prec, d);
		if (strtod(t, NULL) == d) break;
	}
	if (strchr(t, 'e') || strchr(t, 'E')) {
		snprintf(t, sizeof t, "%.12f", d);
		size_t n = strlen(t);
		while (n > 1 && t[n - 1] == '0') t[--n] = 0;
		if (n > 1 && t[n - 1] == '.') t[--n] = 0;
	}
	if (decimal != '.') {
		char *dot = strchr(t, '.');
		if (dot) *dot = decimal;
	}
	buf_puts(b, t);
	if (!last) buf_putc(b, sep);
}
