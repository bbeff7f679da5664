/*
 * siren.h — French business identifiers.
 *
 * SIREN: 9 digits, Luhn checksum. SIRET: SIREN + 5-digit NIC (14 digits),
 * Luhn over the 14 digits, except La Poste (SIREN 356000000) whose SIRETs
 * use "sum of digits divisible by 5". Pure functions.
 */
#ifndef IAT_SIREN_H
#define IAT_SIREN_H

#include <stdbool.h>
#include <stddef.h>

/* true if s is exactly 9 ASCII digits with a valid Luhn checksum. The
 * placeholder 000000000 (which passes Luhn) is rejected. */
bool siren_valid(const char *s);
/* true if s is exactly 14 ASCII digits and a valid SIRET (see above); its
 * first 9 digits must be a valid SIREN. */
bool siret_valid(const char *s);
/* Copy the digits of s (spaces, non-breaking spaces U+00A0/U+202F, dots and
 * dashes removed) into out (size outsz). Returns the number of digits, or
 * -1 if s has any other character or more digits than fit. out is always
 * NUL-terminated (empty on error), so it holds at most outsz - 1 digits. */
int siren_digits(const char *s, char *out, size_t outsz);

#endif
