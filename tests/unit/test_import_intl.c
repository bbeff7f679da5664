/*
 * test_import_intl.c — unit tests for the pure helpers of the
 * international references (intl.c): status mapping of each register's
 * wordings, dates, URLs found in messy cells, placeholders, countries,
 * URL slugs; and, on a scratch database, the importers' handling of small
 * hand-written files (a record with control characters or a missing
 * identifier, an identifier met twice, a CSV without its required columns).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "import_intl.h"
#include "intl.h"
#include "store_intl.h"
#include "util.h"

static void test_status(void **state)
{
	(void)state;
	/* Dutch scrape */
	assert_string_equal(intl_status_code("in_gebruik"), "in_use");
	assert_string_equal(intl_status_code("ontwikkeling"), "in_development");
	assert_string_equal(intl_status_code("buiten_gebruik"), "retired");
	/* Dutch full export, free text */
	assert_string_equal(intl_status_code("In gebruik"), "in_use");
	assert_string_equal(intl_status_code(" in gebruik "), "in_use");
	assert_string_equal(intl_status_code("Actief"), "in_use");
	assert_string_equal(intl_status_code("In werking"), "in_use");
	assert_string_equal(intl_status_code("In productie"), "in_use");
	assert_string_equal(intl_status_code("In gebruik sinds 18-12-2020"), "in_use");
	assert_string_equal(intl_status_code("In ontwikkeling"), "in_development");
	assert_string_equal(intl_status_code("Gestopt"), "retired");
	assert_string_equal(intl_status_code("Buiten gebruik"), "retired");
	assert_string_equal(intl_status_code("pilot"), "pilot");
	/* EU data set ("Pilot " with a trailing space is in the file) */
	assert_string_equal(intl_status_code("Implemented"), "in_use");
	assert_string_equal(intl_status_code("Pilot "), "pilot");
	assert_string_equal(intl_status_code("In development"), "in_development");
	assert_string_equal(intl_status_code("Planned"), "planned");
	assert_string_equal(intl_status_code("Not in use"), "retired");
	/* anything else */
	assert_string_equal(intl_status_code(NULL), "unknown");
	assert_string_equal(intl_status_code(""), "unknown");
	assert_string_equal(intl_status_code("Het algoritme is in productie en het gebruik zit in een pilotfase."),
	                    "unknown");
	assert_string_equal(intl_status_code("in gebruikt"), "unknown");
	/* every code has a French label */
	for (size_t i = 0; i < intl_nstatuses; i++) assert_non_null(intl_status_label(intl_statuses[i].code));
	assert_null(intl_status_label("nope"));
}

static void test_dates(void **state)
{
	(void)state;
	char d[11];
	assert_int_equal(intl_date("2024-05-22", d), 0);
	assert_string_equal(d, "2024-05-22");
	assert_int_equal(intl_date("2025-06-26T07:39:09Z", d), 0);
	assert_string_equal(d, "2025-06-26");
	assert_int_equal(intl_date("2022-11-24 00:00:00", d), 0);
	assert_string_equal(d, "2022-11-24");
	assert_int_equal(intl_date("2023-03-31 08:34:11.986578+00:00", d), 0);
	assert_string_equal(d, "2023-03-31");
	assert_int_equal(intl_date("04/10/2024", d), 0);
	assert_string_equal(d, "2024-10-04");
	assert_int_equal(intl_date("2021", d), 0);
	assert_string_equal(d, "2021");
	assert_int_equal(intl_date(" 2024-02-29 ", d), 0);
	assert_string_equal(d, "2024-02-29");
	assert_int_equal(intl_date("2023-02-29", d), -1);
	assert_int_equal(intl_date("31/02/2024", d), -1);
	assert_int_equal(intl_date("Wordt vervolgd", d), -1);
	assert_int_equal(intl_date("Mogelijk 2023", d), -1);
	assert_int_equal(intl_date("45691", d), -1); /* no spreadsheet serials here */
	assert_int_equal(intl_date("", d), -1);
	assert_int_equal(intl_date(NULL, d), -1);
	assert_int_equal(intl_date("2024-05-22T", d), 0);
}

static void check_url(const char *in, const char *want)
{
	char *u = intl_first_url(in);
	if (!want) {
		assert_null(u);
		return;
	}
	assert_non_null(u);
	assert_string_equal(u, want);
	free(u);
}

static void test_urls(void **state)
{
	(void)state;
	check_url("https://ai.hel.fi/en/intelligent-material-management-system/ ",
	          "https://ai.hel.fi/en/intelligent-material-management-system/");
	check_url("https://www.zuid-holland.nl/online-regelen/subsidies/ https://www.zuid-holland.nl/onderwerpen/",
	          "https://www.zuid-holland.nl/online-regelen/subsidies/");
	check_url("(https://www.derstandard.at/story/2000119486931) https://www.frontiersin.org",
	          "https://www.derstandard.at/story/2000119486931");
	check_url("Zie http://example.nl/a, en meer", "http://example.nl/a");
	check_url("www.juntadeandalucia.es", NULL);
	check_url("https:/www.dipcas.es/es/ia.html", NULL);
	check_url("n.v.t., proprietary code", NULL);
	check_url("https://", NULL);
	check_url("xhttps://evil.example", NULL);
	check_url("https://a.example/\"onmouseover=x", "https://a.example/");
	check_url(NULL, NULL);

	char *s = intl_url_slug("https://www.gov.uk/algorithmic-transparency-records/hmrc-ask-hmrc-online");
	assert_string_equal(s, "hmrc-ask-hmrc-online");
	free(s);
	s = intl_url_slug("https://www.gov.uk/records/x-y/?a=1#b");
	assert_string_equal(s, "x-y");
	free(s);
	assert_null(intl_url_slug("https://www.gov.uk/"));
	assert_null(intl_url_slug("https://www.gov.uk"));
}

static void test_placeholders_countries(void **state)
{
	(void)state;
	assert_true(intl_is_placeholder(NULL));
	assert_true(intl_is_placeholder(""));
	assert_true(intl_is_placeholder("\xc2\xa0"));
	assert_true(intl_is_placeholder(" - "));
	assert_true(intl_is_placeholder("volgt"));
	assert_true(intl_is_placeholder("N.v.t."));
	assert_true(intl_is_placeholder("Niet bekend."));
	assert_true(intl_is_placeholder("Nog niet beschikbaar"));
	assert_false(intl_is_placeholder("Onbekend")); /* a meaningful answer of the register */
	assert_false(intl_is_placeholder("Nee"));

	assert_string_equal(intl_country_code("Netherlands"), "NL");
	assert_string_equal(intl_country_code("Denmark "), "DK");
	assert_string_equal(intl_country_code("France "), "FR");
	assert_string_equal(intl_country_code("United Kingdom"), "GB");
	assert_string_equal(intl_country_code("European Union"), "EU");
	assert_string_equal(intl_country_code("T\xc3\xbcrkiye"), "TR");
	assert_string_equal(intl_country_code("Monte Carlo"), "MC");
	assert_string_equal(intl_country_code("Vatican City"), "VA");
	assert_string_equal(intl_country_code("NL"), "NL");
	assert_null(intl_country_code("Atlantis"));
	assert_null(intl_country_code(""));
	assert_string_equal(intl_country_label("NL"), "Pays-Bas");
	assert_string_equal(intl_country_label("GB"), "Royaume-Uni");
	assert_null(intl_country_label("XX"));
	assert_string_equal(intl_lang_label("nl"), "néerlandais");

	assert_non_null(intl_filter_label("source", "uk-atrs"));
	assert_null(intl_filter_label("source", "nope"));
	assert_non_null(intl_filter_label("status", "retired"));
	assert_null(intl_filter_label("colour", "red"));
	/* every field key is unique */
	for (size_t i = 0; i < intl_nfields; i++)
		for (size_t j = i + 1; j < intl_nfields; j++) assert_string_not_equal(intl_fields[i].key, intl_fields[j].key);
}

/* ==== Importers on a scratch database ==== */

static char dbpath[64];

static db_t *scratch_db(void)
{
	snprintf(dbpath, sizeof dbpath, "/tmp/iat-intl-XXXXXX");
	int fd = mkstemp(dbpath);
	assert_true(fd >= 0);
	close(fd);
	unlink(dbpath);
	char *err = NULL;
	db_t *db = db_open(dbpath, DB_CREATE, &err);
	assert_non_null(db);
	assert_true(db_migrate(db) >= 0);
	return db;
}

static void scratch_done(db_t *db)
{
	db_close(db);
	char *w = xasprintf("%s-wal", dbpath), *m = xasprintf("%s-shm", dbpath);
	unlink(dbpath);
	unlink(w);
	unlink(m);
	free(w);
	free(m);
}

static char *write_tmp(const char *text)
{
	char *p = xstrdup("/tmp/iat-intl-in-XXXXXX");
	int fd = mkstemp(p);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return p;
}

static void quiet(void *ctx, const char *msg)
{
	int *n = ctx;
	(*n)++;
	(void)msg;
}

static int64_t count_refs(db_t *db)
{
	int64_t n = -1;
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM intl_ref");
	db_one_int(st, &n);
	return n;
}

static void test_import_uk_small(void **state)
{
	(void)state;
	db_t *db = scratch_db();
	int warnings = 0;
	struct import_opts o = { 0 };
	o.warn = quiet;
	o.warn_ctx = &warnings;
	struct import_stats st;
	char *err = NULL;
	/* record 2 has no url (its identifier), record 3 repeats record 1's */
	char *f = write_tmp("{\"meta\":{},\"records\":["
	                    "{\"tool_name\":\"Tool \\u0002 one\",\"url\":\"https://www.gov.uk/r/one\",\"published\":\"2025-01-02T00:00:00Z\"},"
	                    "{\"tool_name\":\"Tool two\",\"url\":null},"
	                    "{\"tool_name\":\"Tool three\",\"url\":\"https://www.gov.uk/r/one/\"},"
	                    "{\"tool_name\":\"Tool four\",\"url\":\"https://www.gov.uk/r/four\",\"published\":\"yesterday\"}]}");
	assert_int_equal(import_uk_atrs(db, f, &o, &st, &err), -1);
	assert_string_equal(err, "3 enregistrements refusés : rien n'a été importé");
	free(err);
	assert_int_equal(st.rejected, 3);
	assert_string_equal(st.rejects[0].reason,
	                    "enregistrement 2 : adresse de la fiche (url) manquante : l'identifiant en vient");
	assert_string_equal(st.rejects[1].reason, "enregistrement 3 (id one) : identifiant en double : déjà à "
	                                          "l'enregistrement 1");
	assert_string_equal(st.rejects[2].reason, "enregistrement 4 (id four) : date de publication (published) "
	                                          "invalide « yesterday » (date attendue : AAAA-MM-JJ)");
	assert_int_equal(warnings, 1); /* the control character of record 1, dropped */
	import_stats_free(&st);
	assert_int_equal(count_refs(db), 0);

	o.skip_invalid = true;
	assert_int_equal(import_uk_atrs(db, f, &o, &st, &err), 0);
	assert_int_equal(st.created, 1);
	import_stats_free(&st);
	struct intl_ref x;
	assert_int_equal(store_intl_find(db, "uk-atrs", "one", &x), 1);
	assert_string_equal(x.title, "Tool one");
	assert_string_equal(x.country, "GB");
	assert_string_equal(x.lang, "en");
	assert_string_equal(x.status, "unknown");
	assert_string_equal(x.source_date, "2025-01-02");
	store_intl_free(&x);
	unlink(f);
	free(f);
	scratch_done(db);
}

static void test_import_eu_header(void **state)
{
	(void)state;
	db_t *db = scratch_db();
	struct import_stats st;
	char *err = NULL;
	char *f = write_tmp("Name,Description\nA,B\n");
	assert_int_equal(import_eu_pstw(db, f, NULL, &st, &err), -1);
	assert_non_null(strstr(err, "colonnes obligatoires « PSTW ID »"));
	free(err);
	import_stats_free(&st);
	unlink(f);
	free(f);
	f = write_tmp("PSTW ID,Name,Geographical coverage (country), Status,Date updated\n"
	              "PSTW-9,\"Un \"\"nom\"\"\",France , Pilot ,04/10/2024\n");
	assert_int_equal(import_eu_pstw(db, f, NULL, &st, &err), 0);
	assert_int_equal(st.created, 1);
	import_stats_free(&st);
	struct intl_ref x;
	assert_int_equal(store_intl_find(db, "eu-pstw", "PSTW-9", &x), 1);
	assert_string_equal(x.title, "Un \"nom\"");
	assert_string_equal(x.country, "FR");
	assert_string_equal(x.status, "pilot");
	assert_string_equal(x.source_updated, "2024-10-04");
	store_intl_free(&x);
	/* the same file again: unchanged */
	assert_int_equal(import_eu_pstw(db, f, NULL, &st, &err), 0);
	assert_int_equal(st.unchanged, 1);
	import_stats_free(&st);
	unlink(f);
	free(f);
	scratch_done(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_placeholders_countries),
		cmocka_unit_test(test_import_uk_small),
		cmocka_unit_test(test_import_eu_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
