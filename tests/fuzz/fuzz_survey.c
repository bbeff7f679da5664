/*
 * fuzz_survey.c — libFuzzer target: the survey statistics engine
 * (survey_stats.c) on arbitrary answers and definitions.
 *
 * The input is used twice:
 * - as the answers JSON of five respondents of a fixed campaign (every
 *   question kind, a conditional question). The answers scanner reads it,
 *   and jansson reads the same answers behind an escaped extra key (which
 *   the scanner always hands over to jansson). Property: when jansson
 *   accepts the input as an object, both give the same figures (the CSV
 *   of the results is equal); every output (JSON, CSV, HTML) is written
 *   without a crash and the JSON parses back.
 * - as a campaign definition: sv_def_parse() returns a definition or a
 *   French message, never both; a definition it returns can be loaded,
 *   computed and written.
 */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "survey_stats.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sv_def *def;
static const struct sv_pop pop[] = {
	{ "commune", "lt_3500", "84", "01", 40 },
	{ "epci", "20000_100000", "11", "75", 6 },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *d = "{\"code\":\"f\",\"year\":2026,\"questions\":["
	                "{\"code\":\"s\",\"kind\":\"single\",\"options\":[{\"code\":\"a\"},{\"code\":\"b\"}]},"
	                "{\"code\":\"m\",\"kind\":\"multiple\",\"options\":[{\"code\":\"a\"},{\"code\":\"b\"},{\"code\":\"c\"}],"
	                "\"show_if\":{\"question\":\"s\",\"value\":\"a\"}},"
	                "{\"code\":\"n\",\"kind\":\"number\"},{\"code\":\"k\",\"kind\":\"scale\"},"
	                "{\"code\":\"t\",\"kind\":\"text\"},{\"code\":\"l\",\"kind\":\"longtext\"}]}";
	def = sv_def_parse(d, strlen(d), NULL);
	FUZZ_CHECK(def);
	return 0;
}

static char *run(const struct sv_def *dd, const char *answers, bool outputs)
{
	struct sv_response r[5];
	for (int i = 0; i < 5; i++)
		r[i] = (struct sv_response){ i < 4 ? "commune" : "epci", i < 4 ? "lt_3500" : "20000_100000", "84", "01", true,
			                     answers, 0 };
	struct sv_data *data = sv_load(dd, r, 5, pop, 2);
	FUZZ_CHECK(data);
	struct sv_result *res = sv_compute(data);
	FUZZ_CHECK(res);
	buf_t b = BUF_INIT;
	if (outputs) {
		sv_write_json(&b, res);
		json_t *j = json_loadb(b.data, b.len, 0, NULL);
		FUZZ_CHECK(j);
		json_decref(j);
		buf_reset(&b);
		sv_html_dashboard(&b, res, 2, "/x.csv");
		buf_reset(&b);
	}
	sv_write_csv(&b, res);
	sv_result_free(res);
	sv_data_free(data);
	return buf_detach(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstr(data, size);
	/* answers */
	char *a = run(def, in, true);
	json_t *j = json_loads(in, 0, NULL);
	if (json_is_object(j) && size > 0) {
		const char *open = strchr(in, '{');
		char *esc = xasprintf("{\"\\u0078\":null,%s", open + 1);
		if (json_object_size(j) == 0) { /* "{}": no comma after the extra key */
			free(esc);
			esc = xstrdup("{\"\\u0078\":null}");
		}
		char *b = run(def, esc, false);
		FUZZ_CHECK(strcmp(a, b) == 0);
		free(b);
		free(esc);
	}
	json_decref(j);
	free(a);
	/* a definition */
	char *err = NULL;
	struct sv_def *d = sv_def_parse(in, size, &err);
	FUZZ_CHECK((d == NULL) != (err == NULL));
	if (d) free(run(d, "{}", true));
	free(err);
	sv_def_free(d);
	free(in);
	return 0;
}
