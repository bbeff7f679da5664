/*
 * siren.c — see siren.h. SIREN/SIRET checksums and digit extraction.
 *
 * Design notes
 * - Luhn: from the rightmost digit, every second digit is doubled (minus 9
 *   when above 9); the sum must be a multiple of 10.
 * - SIRET: Luhn over the 14 digits, and its first 9 digits must be a valid
 *   SIREN (INSEE guarantees both; checking both catches more typos).
 * - La Poste (SIREN 356000000) numbers its many establishments so that the
 *   *sum of the digits* is a multiple of 5 instead of following Luhn; its
 *   head office 35600000000048 happens to pass Luhn too. A La Poste SIRET is
 *   therefore accepted when either rule holds, as most published checkers
 *   do.
 * - The all-zero SIREN passes Luhn but is a placeholder that spreadsheets
 *   and forms are full of: it is rejected, for SIRETs too.
 * - Only ASCII digits count as digits: no locale, no Unicode digits.
 * - Pure functions, no allocation.
 */
#include "siren.h"

#include <string.h>

#define LA_POSTE_SIREN "356000000"

/* true if s[0..n) are all ASCII digits and s[n] is the end of the string. */
static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9') return false;
	return s[n] == 0;
}

static bool luhn_ok(const char *s, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[n - 1 - i] - '0');
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9) d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

bool siren_valid(const char *s)
{
	return s && all_digits(s, 9) && luhn_ok(s, 9) && memcmp(s, "000000000", 9) != 0;
}

bool siret_valid(const char *s)
{
	if (!s || !all_digits(s, 14)) return false;
	if (!luhn_ok(s, 9) || memcmp(s, "000000000", 9) == 0) return false; /* its SIREN */
	if (luhn_ok(s, 14)) return true;
	if (memcmp(s, LA_POSTE_SIREN, 9) != 0) return false;
	unsigned sum = 0;
	for (size_t i = 0; i < 14; i++) sum += (unsigned)(s[i] - '0');
	return sum % 5 == 0;
}

int siren_digits(const char *s, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	if (!s || !out || outsz == 0) return -1;
	while (*p) {
		if (*p >= '0' && *p <= '9') {
			if (n + 1 >= outsz) goto fail; /* keep room for the NUL */
			out[n++] = (char)*p++;
		} else if (*p == ' ' || *p == '.' || *p == '-') {
			p++;
		} else if (p[0] == 0xC2 && p[1] == 0xA0) { /* U+00A0 NO-BREAK SPACE */
			p += 2;
		} else if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF) { /* U+202F NARROW NBSP */
			p += 3;
		} else {
			goto fail;
		}
	}
	out[n] = 0;
	return (int)n;
fail:
	out[0] = 0;
	return -1;
}
