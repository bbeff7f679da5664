/*
 * test_jsonw.c — the JSON writer and the escaping formatter (buf_fmt):
 * every string is encoded by one function, which escapes quotes,
 * backslashes, control characters, <, >, & and U+2028/2029, and replaces
 * invalid UTF-8; HTML and URL escapers; nesting and commas.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "buf.h"
#include "jsonw.h"

static void assert_json_str(const char *in, size_t len, const char *expected)
{
	buf_t b = BUF_INIT;
	buf_json_str(&b, in, len);
	assert_string_equal(buf_cstr(&b), expected);
	/* and it parses back to the input when the input was valid */
	json_error_t e;
	json_t *j = json_loads(buf_cstr(&b), JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	assert_non_null(j);
	buf_free(&b);
	json_decref(j);
}

static void test_string_escaping(void **state)
{
	(void)state;
	assert_json_str("abc", 3, "\"abc\"");
	assert_json_str("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	assert_json_str("l\n\r\t", 4, "\"l\\n\\r\\t\"");
	assert_json_str("\x01\x1f", 2, "\"\\u0001\\u001f\"");
	assert_json_str("<script>&</script>", 18, "\"\\u003cscript\\u003e\\u0026\\u003c/script\\u003e\"");
	assert_json_str("vélo cœur", strlen("vélo cœur"), "\"vélo cœur\"");
	assert_json_str("\xe2\x80\xa8x\xe2\x80\xa9", 7, "\"\\u2028x\\u2029\"");
	assert_json_str("a\0b", 3, "\"a\\u0000b\"");
}

static void test_invalid_utf8_replaced(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	buf_json_str(&b, "a\xff" "b\xc3", 4);
	assert_string_equal(buf_cstr(&b), "\"a\\ufffdb\\ufffd\"");
	buf_reset(&b);
	buf_json_str(&b, "\xed\xa0\x80", 3); /* surrogate */
	assert_string_equal(buf_cstr(&b), "\"\\ufffd\\ufffd\\ufffd\"");
	buf_reset(&b);
	buf_json_str(&b, "\xc0\xaf", 2); /* overlong '/' */
	assert_string_equal(buf_cstr(&b), "\"\\ufffd\\ufffd\"");
	buf_free(&b);
}

static void test_writer_structure(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	jsonw_t w;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "a", "x");
	jw_kint(&w, "n", -42);
	jw_key(&w, "list");
	jw_arr(&w);
	jw_int(&w, 1);
	jw_bool(&w, true);
	jw_null(&w);
	jw_num(&w, 0.1);
	jw_arr(&w);
	jw_arr_end(&w);
	jw_arr_end(&w);
	jw_kstr(&w, "k<", NULL);
	jw_key(&w, "raw");
	jw_raw(&w, "{\"z\":1}", 7);
	jw_obj_end(&w);
	assert_string_equal(buf_cstr(&b),
	                    "{\"a\":\"x\",\"n\":-42,\"list\":[1,true,null,0.1,[]],\"k\\u003c\":null,\"raw\":{\"z\":1}}");
	buf_free(&b);
}

static void test_jansson_roundtrip(void **state)
{
	(void)state;
	const char *src = "{\"t\":\"<b>é</b>\",\"n\":[1,2.5,true,null],\"o\":{\"x\":\"\\u2028\"}}";
	json_t *j = json_loads(src, 0, NULL);
	assert_non_null(j);
	buf_t b = BUF_INIT;
	jsonw_t w;
	jw_init(&w, &b);
	jw_jansson(&w, j);
	json_t *back = json_loads(buf_cstr(&b), 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(j, back));
	assert_null(strchr(buf_cstr(&b), '<'));
	json_decref(j);
	json_decref(back);
	buf_free(&b);
}

static void test_fmt_escapes(void **state)
{
	(void)state;
	buf_t b = BUF_INIT;
	buf_fmt(&b, "<p title=\"%h\">%h</p>", "\"x' onmouseover=y", "<script>&");
	assert_string_equal(buf_cstr(&b),
	                    "<p title=\"&quot;x&#39; onmouseover=y\">&lt;script&gt;&amp;</p>");
	buf_reset(&b);
	buf_fmt(&b, "/r?q=%U&n=%d&D=%D&z=%z%%", "vélo & co/?", 7, (int64_t)-9, (size_t)3);
	assert_string_equal(buf_cstr(&b), "/r?q=v%C3%A9lo%20%26%20co%2F%3F&n=7&D=-9&z=3%");
	buf_reset(&b);
	buf_fmt(&b, "%.*h|%J|%R", 3, "<abcdef", "a\"b", "<b>");
	assert_string_equal(buf_cstr(&b), "&lt;ab|\"a\\\"b\"|<b>");
	buf_reset(&b);
	buf_fmt(&b, "[%h][%J]", (const char *)NULL, (const char *)NULL);
	assert_string_equal(buf_cstr(&b), "[][null]");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_escaping),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_writer_structure),
		cmocka_unit_test(test_jansson_roundtrip),
		cmocka_unit_test(test_fmt_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
