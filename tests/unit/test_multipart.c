/*
 * test_multipart.c — unit tests for multipart.c, the multipart/form-data
 * parser of the curators' import page: boundaries from Content-Type,
 * text and file parts (binary content with CR, LF and "--" inside),
 * quoted names with browsers' escapes, preamble and epilogue, and every
 * malformed body refused with a reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "multipart.h"

static void test_boundary(void **state)
{
	(void)state;
	char b[80];
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundaryAbC123", b, sizeof b), 0);
	assert_string_equal(b, "----WebKitFormBoundaryAbC123");
	assert_int_equal(multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\"", b, sizeof b), 0);
	assert_string_equal(b, "a b:c");
	assert_int_equal(multipart_boundary("multipart/form-data", b, sizeof b), -1);
	assert_int_equal(multipart_boundary("application/x-www-form-urlencoded", b, sizeof b), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=", b, sizeof b), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=a<b", b, sizeof b), -1);
	assert_int_equal(multipart_boundary(
	    "multipart/form-data; boundary=0123456789012345678901234567890123456789012345678901234567890123456789X", b, sizeof b), -1);
	assert_int_equal(multipart_boundary(NULL, b, sizeof b), -1);
}

static const char BODY[] =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"csrf\"\r\n"
    "\r\n"
    "tok123\r\n"
    "--XyZ\r\n"
    "content-disposition: form-data; name=\"fichier\"; filename=\"a%22b.csv\"\r\n"
    "Content-Type: text/csv\r\n"
    "\r\n"
    "x,y\r\n--not-the-boundary\r\n\r\n1,2\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=empty\r\n"
    "\r\n"
    "\r\n"
    "--XyZ--\r\n"
    "epilogue";

static void test_parts(void **state)
{
	(void)state;
	struct mpart p[8];
	const char *err = NULL;
	int n = multipart_parse(BODY, sizeof BODY - 1, "XyZ", p, 8, &err);
	assert_int_equal(n, 3);
	assert_string_equal(p[0].name, "csrf");
	assert_false(p[0].is_file);
	assert_int_equal(p[0].len, 6);
	assert_memory_equal(p[0].data, "tok123", 6);
	assert_string_equal(p[1].name, "fichier");
	assert_true(p[1].is_file);
	assert_string_equal(p[1].filename, "a\"b.csv");
	const char content[] = "x,y\r\n--not-the-boundary\r\n\r\n1,2";
	assert_int_equal(p[1].len, sizeof content - 1);
	assert_memory_equal(p[1].data, content, sizeof content - 1);
	assert_string_equal(p[2].name, "empty");
	assert_int_equal(p[2].len, 0);

	/* the body may start with the delimiter; an empty file part */
	const char b2[] = "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n\r\n\r\n--B--";
	n = multipart_parse(b2, sizeof b2 - 1, "B", p, 8, &err);
	assert_int_equal(n, 1);
	assert_true(p[0].is_file);
	assert_string_equal(p[0].filename, "");
	assert_int_equal(p[0].len, 0);
}

static void refused(const char *body, const char *why)
{
	struct mpart p[2];
	const char *err = NULL;
	assert_int_equal(multipart_parse(body, strlen(body), "B", p, 2, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, why));
}

static void test_malformed(void **state)
{
	(void)state;
	refused("no delimiter at all", "introuvable");
	refused("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue without end", "tronqué");
	refused("--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--", "Content-Disposition");
	refused("--B\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--B--", "form-data");
	refused("--B\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--B--", "sans nom");
	refused("--B\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--B--", "mal formé");
	refused("--B\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--B--", "sans nom");
	refused("--B\r\nContent-Disposition: form-data; name=\"a\"\r\nheaders never end", "non terminés");
	refused("--Bxx\r\n", "mal formé");
	refused("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B\r\n"
	        "Content-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n--B\r\n"
	        "Content-Disposition: form-data; name=\"c\"\r\n\r\n3\r\n--B--", "trop de champs");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
