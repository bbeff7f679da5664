/*
 * test_siren.c — unit tests for siren.c: SIREN and SIRET checksums
 * (including the La Poste exception) and digit extraction.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "siren.h"

static void test_siren_valid(void **state)
{
	(void)state;
	/* real ones */
	assert_true(siren_valid("243300316")); /* Bordeaux Métropole */
	assert_true(siren_valid("217500016")); /* Ville de Paris */
	assert_true(siren_valid("213300635")); /* Ville de Bordeaux */
	assert_true(siren_valid("200046977")); /* Métropole de Lyon */
	assert_true(siren_valid("356000000")); /* La Poste */

	/* one digit changed, two digits swapped: checksum fails */
	assert_false(siren_valid("243300317"));
	assert_false(siren_valid("243300326"));
	assert_false(siren_valid("217500061"));
	assert_false(siren_valid("123456789"));
	/* the placeholder passes Luhn but is refused */
	assert_false(siren_valid("000000000"));

	/* wrong lengths and characters */
	assert_false(siren_valid(""));
	assert_false(siren_valid("24330031"));
	assert_false(siren_valid("2433003160"));
	assert_false(siren_valid("24330031600011")); /* a SIRET is not a SIREN */
	assert_false(siren_valid("243 300 316"));
	assert_false(siren_valid(" 243300316"));
	assert_false(siren_valid("243300316 "));
	assert_false(siren_valid("24330031a"));
	assert_false(siren_valid("-43300316"));
	assert_false(siren_valid("２43300316")); /* full-width digit */
	assert_false(siren_valid(NULL));
}

static void test_siret_valid(void **state)
{
	(void)state;
	assert_true(siret_valid("21750001600019")); /* Ville de Paris */
	assert_true(siret_valid("24330031600011")); /* Bordeaux Métropole */
	assert_true(siret_valid("21330063500017")); /* Ville de Bordeaux */
	assert_true(siret_valid("20004697700019")); /* Métropole de Lyon */

	/* checksum errors */
	assert_false(siret_valid("21750001600018"));
	assert_false(siret_valid("21750001600091"));
	assert_false(siret_valid("24330031600012"));
	/* Luhn over 14 digits holds but the SIREN part is wrong */
	assert_false(siret_valid("24330031700001"));
	/* digit sum multiple of 5 is only La Poste's rule */
	assert_false(siret_valid("24330031600008"));
	assert_false(siret_valid("00000000000000"));

	/* La Poste: head office (passes Luhn as well) and establishments
	 * numbered with the "sum of digits divisible by 5" rule */
	assert_true(siret_valid("35600000000048"));
	assert_true(siret_valid("35600000049837"));
	assert_false(siret_valid("35600000049838"));
	assert_false(siret_valid("35600000000049"));

	/* lengths and characters */
	assert_false(siret_valid(""));
	assert_false(siret_valid("217500016"));
	assert_false(siret_valid("2175000160001"));
	assert_false(siret_valid("217500016000190"));
	assert_false(siret_valid("217 500 016 00019"));
	assert_false(siret_valid("2175000160001x"));
	assert_false(siret_valid(NULL));
}

static void test_siren_digits(void **state)
{
	(void)state;
	char out[15];
	assert_int_equal(siren_digits("243300316", out, sizeof out), 9);
	assert_string_equal(out, "243300316");
	assert_int_equal(siren_digits("243 300 316 00011", out, sizeof out), 14);
	assert_string_equal(out, "24330031600011");
	assert_true(siret_valid(out));
	/* U+00A0 and U+202F, as pasted from a web page or a French document */
	assert_int_equal(siren_digits("243\xC2\xA0" "300\xC2\xA0" "316", out, sizeof out), 9);
	assert_string_equal(out, "243300316");
	assert_int_equal(siren_digits("217\xE2\x80\xAF" "500\xE2\x80\xAF" "016\xE2\x80\xAF" "00019",
	                              out, sizeof out), 14);
	assert_string_equal(out, "21750001600019");
	/* dots and dashes */
	assert_int_equal(siren_digits("217.500.016-00019", out, sizeof out), 14);
	assert_string_equal(out, "21750001600019");
	assert_int_equal(siren_digits("  243 300 316  ", out, sizeof out), 9);
	assert_string_equal(out, "243300316");
	/* nothing but separators: zero digits */
	assert_int_equal(siren_digits(" - . ", out, sizeof out), 0);
	assert_string_equal(out, "");
	assert_int_equal(siren_digits("", out, sizeof out), 0);

	/* other characters */
	assert_int_equal(siren_digits("243300316A", out, sizeof out), -1);
	assert_string_equal(out, "");
	assert_int_equal(siren_digits("SIREN 243300316", out, sizeof out), -1);
	assert_int_equal(siren_digits("243\t300316", out, sizeof out), -1);
	assert_int_equal(siren_digits("243_300_316", out, sizeof out), -1);
	assert_int_equal(siren_digits("243\xC2" "300316", out, sizeof out), -1);   /* truncated NBSP */
	assert_int_equal(siren_digits("243\xE2\x80" "300316", out, sizeof out), -1);
	assert_int_equal(siren_digits("243\xE2\x80\xAE" "300316", out, sizeof out), -1); /* U+202E */
	assert_int_equal(siren_digits("２４３", out, sizeof out), -1);

	/* too many digits for the buffer (the NUL needs a byte) */
	char small[10];
	assert_int_equal(siren_digits("243 300 316", small, sizeof small), 9);
	assert_string_equal(small, "243300316");
	assert_int_equal(siren_digits("243 300 316 0", small, sizeof small), -1);
	assert_string_equal(small, "");
	assert_int_equal(siren_digits("24330031600011", out, sizeof out), 14);
	assert_int_equal(siren_digits("243300316000111", out, sizeof out), -1);
	assert_int_equal(siren_digits("1", out, 0), -1);
	assert_int_equal(siren_digits("1", out, 1), -1);
	assert_int_equal(siren_digits("", out, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siren_valid),
		cmocka_unit_test(test_siret_valid),
		cmocka_unit_test(test_siren_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
