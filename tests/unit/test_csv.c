/*
 * test_csv.c — unit tests for csv.c: quoting, separators, line ends, BOM,
 * empty fields and lines, line numbers, and every syntax error with its
 * position.
 *
 * Records are checked through a textual dump: one line per record,
 * "L<line>:" then the fields joined by '|' ('\n' inside a field shown as
 * "\n"), and "ERR L<line> F<field> C<column>: <message>" when the reader
 * stops on an error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"

static char *dump_n(const char *data, size_t len, char delim)
{
	buf_t b = BUF_INIT;
	csv_reader *r = csv_open(data, len, delim);
	char **f;
	size_t n;
	int rc;
	while ((rc = csv_next(r, &f, &n)) == 1) {
		buf_fmt(&b, "L%d:", csv_record_line(r));
		for (size_t i = 0; i < n; i++) {
			if (i) buf_putc(&b, '|');
			for (const char *p = f[i]; *p; p++) {
				if (*p == '\n') buf_puts(&b, "\\n");
				else buf_putc(&b, *p);
			}
		}
		buf_putc(&b, '\n');
	}
	if (rc < 0) {
		const struct csv_error *e = csv_error(r);
		buf_fmt(&b, "ERR L%d F%d C%d: ", e->line, e->field, e->column);
		buf_append(&b, e->message, strlen(e->message));
		/* the error is sticky */
		assert_int_equal(csv_next(r, &f, &n), -1);
	} else {
		assert_int_equal(csv_next(r, &f, &n), 0); /* end is sticky too */
	}
	csv_close(r);
	return buf_detach(&b);
}

#define assert_csv_d(input, delim, expected)                                                     \
	do {                                                                                     \
		char *got_ = dump_n(input, sizeof(input) - 1, delim);                            \
		assert_string_equal(got_, expected);                                             \
		free(got_);                                                                      \
	} while (0)

#define assert_csv(input, expected) assert_csv_d(input, 0, expected)

static void test_basic(void **state)
{
	(void)state;
	assert_csv("", "");
	assert_csv("a,b,c\n1,2,3\n", "L1:a|b|c\nL2:1|2|3\n");
	/* no trailing newline */
	assert_csv("a,b,c\n1,2,3", "L1:a|b|c\nL2:1|2|3\n");
	/* CRLF, and a lone CR */
	assert_csv("a,b\r\n1,2\r\n", "L1:a|b\nL2:1|2\n");
	assert_csv("a,b\r1,2\r", "L1:a|b\nL2:1|2\n");
	/* UTF-8 content */
	assert_csv("nom,ville\nCœur,Évry\n", "L1:nom|ville\nL2:Cœur|Évry\n");
	/* spaces are data */
	assert_csv(" a , b ", "L1: a | b \n");
}

static void test_empty(void **state)
{
	(void)state;
	/* empty fields */
	assert_csv("a,,c\n,,\n", "L1:a||c\nL2:||\n");
	assert_csv("a,b,\n", "L1:a|b|\n");
	assert_csv(",a\n", "L1:|a\n");
	assert_csv("a,b,", "L1:a|b|\n");
	/* empty lines are skipped, but they count in line numbers */
	assert_csv("\n\na,b\n\n\n1,2\n\n", "L3:a|b\nL6:1|2\n");
	assert_csv("a\r\n\r\nb\r\n", "L1:a\nL3:b\n");
	assert_csv("\n\n\n", "");
	/* a quoted empty field is a record of one empty field */
	assert_csv("a\n\"\"\nb", "L1:a\nL2:\nL3:b\n");
}

static void test_quotes(void **state)
{
	(void)state;
	assert_csv("\"a\",\"b,c\",d\n", "L1:a|b,c|d\n");
	/* "" inside quotes is one quote */
	assert_csv("\"il a dit \"\"bonjour\"\"\",x\n", "L1:il a dit \"bonjour\"|x\n");
	assert_csv("\"\"\"\"", "L1:\"\n");
	assert_csv("\"\",\"\"", "L1:|\n");
	/* the separator, ';' and line ends inside quotes */
	assert_csv("\"a;b\",\"c,d\"\n", "L1:a;b|c,d\n");
	assert_csv("\"ligne 1\nligne 2\",x\nsuite,y\n", "L1:ligne 1\\nligne 2|x\nL3:suite|y\n");
	/* CRLF inside quotes becomes \n, and counts as one line */
	assert_csv("\"a\r\nb\r\nc\",x\r\nd,e\r\n", "L1:a\\nb\\nc|x\nL4:d|e\n");
	/* an empty line inside quotes is data */
	assert_csv("\"a\n\nb\"\nc\n", "L1:a\\n\\nb\nL4:c\n");
	/* quote at the very end */
	assert_csv("a,\"b\"", "L1:a|b\n");
}

static void test_bom_and_delim(void **state)
{
	(void)state;
	assert_csv("\xEF\xBB\xBFnom;code\nParis;75056\n", "L1:nom|code\nL2:Paris|75056\n");
	assert_csv("\xEF\xBB\xBF", "");
	/* a BOM elsewhere is content */
	assert_csv("a\n\xEF\xBB\xBF" "b", "L1:a\nL2:\xEF\xBB\xBF" "b\n");

	/* detection */
	csv_reader *r = csv_open("a;b;c\n1,5;2;3\n", 14, 0);
	assert_int_equal(csv_delim(r), ';');
	char **f;
	size_t n;
	assert_int_equal(csv_next(r, &f, &n), 1);
	assert_int_equal(n, 3);
	assert_int_equal(csv_next(r, &f, &n), 1);
	assert_int_equal(n, 3);
	assert_string_equal(f[0], "1,5");
	assert_int_equal(csv_next(r, &f, &n), 0);
	csv_close(r);

	r = csv_open("a,b\n", 4, 0);
	assert_int_equal(csv_delim(r), ',');
	csv_close(r);
	/* tie, or nothing: ',' */
	r = csv_open("a;b,c\n", 6, 0);
	assert_int_equal(csv_delim(r), ',');
	csv_close(r);
	r = csv_open("titre\n", 6, 0);
	assert_int_equal(csv_delim(r), ',');
	csv_close(r);
	r = csv_open("", 0, 0);
	assert_int_equal(csv_delim(r), ',');
	csv_close(r);
	/* separators inside quotes do not count; only the first line counts */
	assert_csv("\"a,b,c\";d\n1;2\n", "L1:a,b,c|d\nL2:1|2\n");
	assert_csv("a;b\n,,,,,,\n", "L1:a|b\nL2:,,,,,,\n");
	/* the first non-empty line, after a BOM */
	r = csv_open("\xEF\xBB\xBF\n\na;b\n", 9, 0);
	assert_int_equal(csv_delim(r), ';');
	csv_close(r);
	/* a quoted newline in the header does not end the first line */
	r = csv_open("\"x\ny\",a;b;c\n", 12, 0);
	assert_int_equal(csv_delim(r), ';');
	csv_close(r);

	/* explicit separator */
	assert_csv_d("a;b,c\n", ';', "L1:a|b,c\n");
	assert_csv_d("a;b,c\n", ',', "L1:a;b|c\n");
}

static void test_errors(void **state)
{
	(void)state;
	/* unterminated quote: reported at the opening quote */
	assert_csv("a,b\n1,\"2,3\n4,5\n", "L1:a|b\nERR L2 F2 C3: guillemet non fermé");
	assert_csv("\"", "ERR L1 F1 C1: guillemet non fermé");
	assert_csv("x,\"abc\"\"", "ERR L1 F2 C3: guillemet non fermé");
	/* quote inside an unquoted field */
	assert_csv("a,b\"c\",d\n", "ERR L1 F2 C4: guillemet dans un champ qui ne commence pas par un guillemet");
	assert_csv("a\nb,c,d\"\n", "L1:a\nERR L2 F3 C6: guillemet dans un champ qui ne commence pas par un guillemet");
	assert_csv(" \"a\"", "ERR L1 F1 C2: guillemet dans un champ qui ne commence pas par un guillemet");
	/* garbage after a closing quote */
	assert_csv("\"a\"b,c\n", "ERR L1 F1 C4: caractère inattendu après un guillemet fermant");
	assert_csv("x,\"a\" ,c\n", "ERR L1 F2 C6: caractère inattendu après un guillemet fermant");
	/* with ';' as separator, a ',' after a closing quote is garbage */
	assert_csv_d("\"a\",b\n", ';', "ERR L1 F1 C4: caractère inattendu après un guillemet fermant");
	/* invalid UTF-8: column of the first bad byte */
	assert_csv("ok\nab\xFF" "c,d\n", "L1:ok\nERR L2 F1 C3: UTF-8 invalide");
	assert_csv("a,\xC3(", "ERR L1 F2 C3: UTF-8 invalide");           /* bad continuation */
	assert_csv("a,b\xC3", "ERR L1 F2 C4: UTF-8 invalide");           /* truncated at the end */
	assert_csv("\xC0\xAF", "ERR L1 F1 C1: UTF-8 invalide");          /* overlong */
	assert_csv("a,\xED\xA0\x80", "ERR L1 F2 C3: UTF-8 invalide");   /* surrogate */
	assert_csv("\xF4\x90\x80\x80", "ERR L1 F1 C1: UTF-8 invalide");  /* > U+10FFFF */
	assert_csv("\"é\xE9\"", "ERR L1 F1 C4: UTF-8 invalide");         /* Latin-1 in quotes */
	/* NUL */
	assert_csv("a,b\0c\n", "ERR L1 F2 C4: caractère nul");
	assert_csv("\"a\0\"\n", "ERR L1 F1 C3: caractère nul");
	/* the column counts from the start of the line, not of the record, and
	 * the BOM is not counted */
	assert_csv("\"a\nbc\"x\n", "ERR L2 F1 C4: caractère inattendu après un guillemet fermant");
	assert_csv("\xEF\xBB\xBF" "a\"", "ERR L1 F1 C2: guillemet dans un champ qui ne commence pas par un guillemet");
	/* line numbers after quoted newlines are right */
	assert_csv("h\n\"1\n2\n3\"\nx\"\n", "L1:h\nL2:1\\n2\\n3\nERR L5 F1 C2: guillemet dans un champ qui ne commence pas par un guillemet");

	/* before any error, csv_error() is empty */
	csv_reader *r = csv_open("a", 1, 0);
	assert_null(csv_error(r)->message);
	csv_close(r);
}

static void test_many(void **state)
{
	(void)state;
	/* many fields and records: buffers grow and are reused */
	buf_t in = BUF_INIT;
	for (int rec = 0; rec < 200; rec++) {
		for (int i = 0; i < 50; i++) {
			if (i) buf_putc(&in, ';');
			if (i % 3 == 0) buf_fmt(&in, "\"v%d\"\"%d\n\"", rec, i);
			else buf_fmt(&in, "v%d-%d", rec, i);
		}
		buf_puts(&in, "\r\n");
	}
	csv_reader *r = csv_open(in.data, in.len, 0);
	assert_int_equal(csv_delim(r), ';');
	char **f;
	size_t n;
	int rec = 0;
	while (csv_next(r, &f, &n) == 1) {
		assert_int_equal(n, 50);
		assert_int_equal(csv_record_line(r), 1 + rec * 18); /* 17 quoted newlines per record */
		char want[64];
		snprintf(want, sizeof want, "v%d\"0\n", rec);
		assert_string_equal(f[0], want);
		snprintf(want, sizeof want, "v%d-49", rec);
		assert_string_equal(f[49], want);
		rec++;
	}
	assert_int_equal(rec, 200);
	assert_null(csv_error(r)->message);
	csv_close(r);
	buf_free(&in);

	/* the reader does not read past len */
	assert_csv_d("a,b", ',', "L1:a|b\n");
	char *got = dump_n("a,b\nc,d", 3, ',');
	assert_string_equal(got, "L1:a|b\n");
	free(got);
	got = dump_n("\"abc\"", 3, ',');
	assert_string_equal(got, "ERR L1 F1 C1: guillemet non fermé");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_bom_and_delim),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
