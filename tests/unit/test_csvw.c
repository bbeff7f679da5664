/*
 * test_csvw.c — unit tests for csvw.c, the CSV cell writer of the exports
 * (issue 6 and the Etalab impact CSV): quoting with either separator,
 * formula neutralisation (after ASCII and Unicode white space), numbers
 * without exponents and with either decimal mark.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "csvw.h"

static char out[256];

static const char *cell(const char *s, char sep, bool last)
{
	buf_t b = BUF_INIT;
	csvw_cell(&b, s, sep, last);
	snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

static const char *num(double d, char decimal)
{
	buf_t b = BUF_INIT;
	csvw_num(&b, d, decimal, ';', true);
	snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

static void test_quoting(void **state)
{
	(void)state;
	assert_string_equal(cell("simple", ',', false), "simple,");
	assert_string_equal(cell("simple", ';', true), "simple");
	assert_string_equal(cell(NULL, ',', false), ",");
	assert_string_equal(cell("a,b", ',', true), "\"a,b\"");
	assert_string_equal(cell("a,b", ';', true), "a,b"); /* a comma needs no quotes with ';' */
	assert_string_equal(cell("a;b", ';', true), "\"a;b\"");
	assert_string_equal(cell("a;b", ',', true), "a;b");
	assert_string_equal(cell("dit \"oui\"", ',', true), "\"dit \"\"oui\"\"\"");
	assert_string_equal(cell("ligne 1\nligne 2", ';', true), "\"ligne 1\nligne 2\"");
}

static void test_formulas(void **state)
{
	(void)state;
	assert_string_equal(cell("=SOMME(A1:A2)", ',', true), "'=SOMME(A1:A2)");
	assert_string_equal(cell("+33 1 23", ';', true), "'+33 1 23");
	assert_string_equal(cell("-2+3", ',', true), "'-2+3");
	assert_string_equal(cell("@cmd", ',', true), "'@cmd");
	assert_string_equal(cell("\t=1", ',', true), "'\t=1");
	assert_string_equal(cell("  =1", ',', true), "'  =1");
	assert_string_equal(cell("\xC2\xA0=1", ',', true), "'\xC2\xA0=1");     /* no-break space */
	assert_string_equal(cell("\xE2\x80\xAF@x", ',', true), "'\xE2\x80\xAF@x"); /* narrow no-break space */
	assert_string_equal(cell("\r=1", ',', true), "\"'\r=1\"");
	assert_string_equal(cell("=a,b", ',', true), "\"'=a,b\"");
	assert_string_equal(cell("a=b", ',', true), "a=b");
	assert_string_equal(cell("[{\"x\":1}]", ',', true), "\"[{\"\"x\"\":1}]\"");
}

static void test_numbers(void **state)
{
	(void)state;
	assert_string_equal(num(44.8378, '.'), "44.8378");
	assert_string_equal(num(44.8378, ','), "44,8378");
	assert_string_equal(num(-0.594, ','), "-0,594");
	assert_string_equal(num(1234.5, '.'), "1234.5");
	assert_string_equal(num(1e10, '.'), "10000000000");
	assert_string_equal(num(0.0000001, ','), "0,0000001");
	assert_string_equal(num(12, ','), "12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_formulas),
		cmocka_unit_test(test_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
