/*
 * fuzz_campaign.c — libFuzzer target: the survey core's validators
 * (survey.c), which read what curators upload (campaign definitions) and
 * what members of every authority send (answers, by form or API).
 *
 * Input: "DEFINITION\n--\nANSWERS" (without the separator, the whole input
 * is tried as both, against a fixed campaign for the answers).
 *
 * Properties:
 * - survey_def_parse_text() succeeds with no error, or fails with at least
 *   one error whose message is valid UTF-8 on one line;
 * - an accepted definition is canonical: survey_def_json() of it parses
 *   again, and its JSON is the same the second time (round trip);
 * - survey_answers_check() returns cleaned answers with no error, or NULL
 *   with errors; cleaned answers only hold codes of questions that are
 *   shown with them, and pass the check again unchanged (idempotent),
 *   also as a complete submission when the first check was complete.
 */
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "model.h"
#include "survey.h"
#include "text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct survey_def fixed;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const char d[] =
	    "{\"format\":\"iat-campaign/1\",\"code\":\"f\",\"year\":2026,\"title\":\"F\",\"opens_on\":\"2026-01-01\","
	    "\"closes_on\":\"2026-12-31\",\"target\":{},\"questions\":["
	    "{\"code\":\"s\",\"kind\":\"single\",\"label\":\"S\",\"required\":true,\"options\":[{\"code\":\"a\",\"label\":\"A\"},{\"code\":\"b\",\"label\":\"B\"}]},"
	    "{\"code\":\"m\",\"kind\":\"multiple\",\"label\":\"M\",\"required\":true,\"options\":[{\"code\":\"x\",\"label\":\"X\"},{\"code\":\"y\",\"label\":\"Y\"}],"
	    "\"show_if\":{\"question\":\"s\",\"value\":\"a\"}},"
	    "{\"code\":\"n\",\"kind\":\"number\",\"label\":\"N\",\"min\":0,\"max\":10},"
	    "{\"code\":\"k\",\"kind\":\"scale\",\"label\":\"K\"},"
	    "{\"code\":\"t\",\"kind\":\"text\",\"label\":\"T\"},{\"code\":\"l\",\"kind\":\"longtext\",\"label\":\"L\"}]}";
	struct verrors e = { 0 };
	if (survey_def_parse_text(d, sizeof d - 1, &fixed, &e) != 0) abort();
	return 0;
}

static void check_errors(const struct verrors *e)
{
	FUZZ_CHECK(e->count > 0);
	int n = e->count < 32 ? e->count : 32;
	for (int i = 0; i < n; i++) {
		const char *m = e->items[i].message;
		FUZZ_CHECK(text_utf8_valid(m, strlen(m)) && !strchr(m, '\n'));
	}
}

static void check_answers(const struct survey_def *d, const char *text, size_t len)
{
	json_t *in = json_loadb(text, len, 0, NULL);
	if (!json_is_object(in)) {
		json_decref(in);
		return;
	}
	for (int complete = 0; complete < 2; complete++) {
		struct verrors e = { 0 };
		json_t *out = survey_answers_check(d, in, complete, &e);
		if (!out) {
			check_errors(&e);
			continue;
		}
		FUZZ_CHECK(e.count == 0 && json_is_object(out));
		const char *k;
		json_t *v;
		json_object_foreach(out, k, v) {
			int i = survey_question_index(d, k);
			FUZZ_CHECK(i >= 0);
			FUZZ_CHECK(survey_question_shown(d, i, out));
		}
		struct verrors e2 = { 0 };
		json_t *again = survey_answers_check(d, out, complete, &e2);
		FUZZ_CHECK(again && json_equal(again, out));
		json_decref(again);
		json_decref(out);
	}
	json_decref(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *sep = NULL;
	for (size_t i = 0; i + 4 <= size; i++)
		if (memcmp(s + i, "\n--\n", 4) == 0) {
			sep = s + i;
			break;
		}
	size_t dlen = sep ? (size_t)(sep - s) : size;
	struct survey_def d;
	memset(&d, 0, sizeof d);
	struct verrors e = { 0 };
	bool ok = survey_def_parse_text(s, dlen, &d, &e) == 0;
	if (!ok) {
		check_errors(&e);
	} else {
		FUZZ_CHECK(e.count == 0);
		json_t *j = survey_def_json(&d);
		char *t1 = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		struct survey_def d2;
		memset(&d2, 0, sizeof d2);
		struct verrors e2 = { 0 };
		FUZZ_CHECK(t1 && survey_def_parse_text(t1, strlen(t1), &d2, &e2) == 0);
		json_t *j2 = survey_def_json(&d2);
		char *t2 = json_dumps(j2, JSON_COMPACT | JSON_SORT_KEYS);
		FUZZ_CHECK(t2 && strcmp(t1, t2) == 0);
		free(t1);
		free(t2);
		json_decref(j);
		json_decref(j2);
		survey_def_free(&d2);
	}
	const char *answers = sep ? sep + 4 : s;
	size_t alen = sep ? size - (size_t)(answers - s) : size;
	check_answers(ok ? &d : &fixed, answers, alen);
	if (ok) survey_def_free(&d);
	return 0;
}
