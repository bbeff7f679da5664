/*
 * test_import.c — unit tests for importer.c: the two real exports of the
 * Interconnectés library into a database holding the full official
 * organisations, re-import, field-by-field checks of real records, the
 * owner resolution of the tricky ones, every schema column, and malformed
 * files (each must fail with its line and column and leave nothing
 * written: no record, no organisation).
 *
 * The official organisations are loaded once (org_load_reference, ~1 s)
 * into a template database; each test works on its own copy (db_backup).
 * IAT_SOURCE_DIR (set by CTest) locates the fixtures and node_modules;
 * "." otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testdb.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "importer.h"
#include "org.h"
#include "store.h"
#include "util.h"

/* ==== Fixtures ==== */

static char template_path[64];
static db_t *template_db;

static char *fixture(const char *name)
{
	return xasprintf("%s/tests/fixtures/interconnectes/%s", testdb_src_dir(), name);
}

static int group_setup(void **state)
{
	template_db = testdb_template(template_path, sizeof template_path, "import", "node_modules/@etalab/decoupage-administratif/data");
	if (!template_db) return -1;
	return 0;
}

static int group_teardown(void **state)
{
	db_close(template_db);
	testdb_remove(template_path);
	return 0;
}

/* A test's own database: a copy of the template. */
struct tdb {
	char path[64];
	db_t *db;
	buf_t warnings; /* one line per warning */
	int nwarnings;
};

static int test_setup(void **state)
{
	struct tdb *t = xcalloc(1, sizeof *t);
	t->db = testdb_copy(template_db, t->path, sizeof t->path, "import");
	if (!t->db) return -1;
	*state = t;
	return 0;
}

static int test_teardown(void **state)
{
	struct tdb *t = *state;
	db_close(t->db);
	testdb_remove(t->path);
	buf_free(&t->warnings);
	free(t);
	return 0;
}

static void collect_warning(void *ctx, const char *msg)
{
	struct tdb *t = ctx;
	buf_puts(&t->warnings, msg);
	buf_putc(&t->warnings, '\n');
	t->nwarnings++;
}

static int64_t count(db_t *db, const char *sql)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	assert_non_null(st);
	int64_t n = -1;
	assert_int_equal(db_one_int(st, &n), 1);
	return n;
}

/* Import path (dry_run as given); returns the importer's rc, *err owned by
 * the caller. */
static int run_import(struct tdb *t, const char *path, bool dry_run, struct import_stats *s, char **err)
{
	struct import_opts o = { 0 };
	o.dry_run = dry_run;
	o.warn = collect_warning;
	o.warn_ctx = t;
	buf_reset(&t->warnings);
	t->nwarnings = 0;
	*err = NULL;
	return import_interconnectes(t->db, path, &o, s, err);
}

static void import_ok(struct tdb *t, const char *name, struct import_stats *s)
{
	char *path = fixture(name), *err = NULL;
	int rc = run_import(t, path, false, s, &err);
	if (rc != 0) fail_msg("import %s: %s", name, err);
	free(path);
}

/* Load the record with this import key (caller store_usecase_free()s). */
static void load_by_key(db_t *db, const char *key, struct uc_full *u)
{
	int64_t id = 0;
	if (store_usecase_by_import_key(db, key, &id) != 1) fail_msg("no record %s", key);
	assert_int_equal(store_usecase_load(db, id, u), 1);
}

static const char *str_at(const json_t *doc, const char *field, size_t i)
{
	json_t *a = json_object_get(doc, field);
	assert_true(json_is_array(a));
	assert_true(i < json_array_size(a));
	return json_string_value(json_array_get(a, i));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static size_t list_len(const json_t *doc, const char *field)
{
	json_t *a = json_object_get(doc, field);
	return json_is_array(a) ? json_array_size(a) : 0;
}

static char *write_temp(const char *content)
{
	char *path = xstrdup("/tmp/iat-test-import-csv-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t n = strlen(content);
	assert_int_equal(write(fd, content, n), (ssize_t)n);
	close(fd);
	return path;
}

/* ==== The real exports ==== */

static void test_data_csv(void **state)
{
	struct tdb *t = *state;
	struct import_stats s;
	int64_t orgs = count(t->db, "SELECT count(*) FROM organisation");
	import_ok(t, "data.csv", &s);
	assert_int_equal(s.rows, 23);
	assert_int_equal(s.created, 23);
	assert_int_equal(s.updated, 0);
	assert_int_equal(s.unchanged, 0);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase"), 23);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase WHERE state = 'published' AND visible = 1"), 23);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase_version"), 23);
	/* one organisation created: the syndicat typed "EPT" */
	assert_int_equal(count(t->db, "SELECT count(*) FROM organisation"), orgs + 1);
	assert_int_equal(count(t->db, "SELECT count(*) FROM organisation WHERE kind = 'syndicat' AND "
	                              "code = '254300882' AND siren = '254300882'"), 1);
	/* the warnings: Metz, Vendée, 2 régions, the syndicat, 3 fake Toulouse
	 * SIRENs, Paris, 4 "accès interne uniquement" */
	const char *w = buf_cstr(&t->warnings);
	assert_int_equal(s.warnings, t->nwarnings);
	assert_int_equal(s.warnings, 13);
	assert_non_null(strstr(w, "ligne 3 : SIREN 200039865 désigne Metz Métropole (EPCI) mais le type déclaré "
	                          "est Commune : rattaché à Metz (commune)\n"));
	assert_non_null(strstr(w, "ligne 5, colonne SIRET : SIREN 228500013 absent du référentiel : rattaché par le "
	                          "nom à Vendée (département)\n"));
	assert_non_null(strstr(w, "ligne 16, colonne SIRET : SIRET « 24410051800170 » invalide (clé de contrôle du "
	                          "SIREN 244100518 fausse) : rattaché par le nom à Toulouse Métropole (EPCI)\n"));
	assert_non_null(strstr(w, "ligne 16, colonne URL_Service : « accès interne uniquement » n'est pas une "
	                          "adresse web"));
	assert_non_null(strstr(w, "organisme « Syndicat de gestion des eaux du brivadois » créé (syndicat ; type "
	                          "déclaré EPT)"));
	assert_true(s.seconds >= 0);

	/* re-import: same records, nothing written */
	import_ok(t, "data.csv", &s);
	assert_int_equal(s.rows, 23);
	assert_int_equal(s.created, 0);
	assert_int_equal(s.updated, 0);
	assert_int_equal(s.unchanged, 23);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase"), 23);
	assert_int_equal(count(t->db, "SELECT max(version) FROM usecase"), 1);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase_version"), 23);
	assert_int_equal(count(t->db, "SELECT count(*) FROM organisation"), orgs + 1);
}

static void test_processed_csv(void **state)
{
	struct tdb *t = *state;
	struct import_stats s;
	import_ok(t, "processed_data.csv", &s);
	assert_int_equal(s.rows, 21);
	assert_int_equal(s.created, 21);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase"), 21);
	assert_non_null(strstr(buf_cstr(&t->warnings), "ligne 13, colonne date : « 45691 » lu comme un numéro de "
	                                               "jour de tableur : 2025-02-03"));

	struct uc_full u;
	/* SIRET with spaces */
	load_by_key(t->db, "interconnectes:epci-243300316:stacoptim", &u);
	assert_string_equal(doc_str(u.doc, "theme"), "ecological_transition"); /* "Transition écologique" */
	assert_string_equal(doc_str(u.doc, "info_updated_on"), "2025-01-21");
	store_usecase_free(&u);
	/* "24 440 040 400 129" */
	load_by_key(t->db, "interconnectes:epci-244400404:viaire-inventaire-et-gestion-des-donnees-patrimoniales-de-"
	                   "l-espace-public", &u);
	assert_null(json_object_get(u.doc, "info_url"));
	store_usecase_free(&u);
	/* audiences "Grand public-agent-élu", sub-themes '-' separated */
	load_by_key(t->db, "interconnectes:ept-200057982:predict-ai-r", &u);
	assert_int_equal(list_len(u.doc, "audiences"), 3);
	assert_string_equal(str_at(u.doc, "audiences", 0), "general_public");
	assert_string_equal(str_at(u.doc, "audiences", 1), "agents");
	assert_string_equal(str_at(u.doc, "audiences", 2), "elected_officials");
	assert_int_equal(list_len(u.doc, "sub_themes"), 2);
	assert_string_equal(str_at(u.doc, "sub_themes", 0), "Flux et trafic");
	assert_string_equal(str_at(u.doc, "sub_themes", 1), "Mobilité décarbonée");
	assert_string_equal(doc_str(u.doc, "theme"), "mobility"); /* "Mobilités" */
	store_usecase_free(&u);
	/* a sub-theme spelled in lower case is replaced by the suggestion */
	load_by_key(t->db, "interconnectes:commune-93051:recital", &u);
	assert_string_equal(str_at(u.doc, "sub_themes", 0), "Performance énergétique");
	store_usecase_free(&u);
	/* the spreadsheet serial */
	load_by_key(t->db, "interconnectes:syndicat-254300882:mission-90", &u);
	assert_string_equal(doc_str(u.doc, "info_updated_on"), "2025-02-03");
	store_usecase_free(&u);
	/* partners "/" is no partner */
	load_by_key(t->db, "interconnectes:epci-200072460:experimentation-d-une-solution-d-analyse-et-de-gestion-des-"
	                   "routes-par-intelligence-artificielle", &u);
	assert_null(json_object_get(u.doc, "partners"));
	assert_true(json_real_value(json_object_get(u.doc, "latitude")) == 50.51628179778946);
	store_usecase_free(&u);

	/* the published export over the processed one: same keys, 21 updated,
	 * 2 new */
	import_ok(t, "data.csv", &s);
	assert_int_equal(s.created, 2);
	assert_int_equal(s.updated, 21);
	assert_int_equal(s.unchanged, 0);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase"), 23);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase WHERE version = 2"), 21);
}

static void test_fields(void **state)
{
	struct tdb *t = *state;
	struct import_stats s;
	import_ok(t, "data.csv", &s);
	struct uc_full u;

	load_by_key(t->db, "interconnectes:epci-243300316:stacoptim", &u);
	const json_t *d = u.doc;
	assert_string_equal(u.state, "published");
	assert_string_equal(doc_str(d, "title"), "Stacoptim");
	assert_string_equal(doc_str(d, "owner"), "epci-243300316");
	assert_string_equal(doc_str(d, "status"), "experiment");
	assert_string_equal(doc_str(d, "theme"), "ecological_transition");
	assert_string_equal(doc_str(d, "start_date"), "2024-01");
	assert_string_equal(doc_str(d, "info_updated_on"), "2025-04-16");
	assert_int_equal(list_len(d, "partners"), 4);
	assert_string_equal(str_at(d, "partners", 0), "DRYAS");
	assert_string_equal(str_at(d, "partners", 1), "Kocliko");
	assert_string_equal(str_at(d, "partners", 2), "Domofrance");
	assert_string_equal(str_at(d, "partners", 3), "ENERLAB");
	assert_int_equal(list_len(d, "sub_themes"), 2);
	assert_string_equal(str_at(d, "sub_themes", 0), "Modélisation et jumeau numérique");
	assert_string_equal(str_at(d, "sub_themes", 1), "Performance énergétique");
	assert_int_equal(list_len(d, "audiences"), 1);
	assert_string_equal(str_at(d, "audiences", 0), "agents");
	assert_true(str_starts(doc_str(d, "info_url"), "https://www.bordeaux-metropole.fr/sites/MET-BXMETRO-DRUPAL/"));
	assert_true(str_starts(doc_str(d, "image_url"), "https://www.bordeaux.fr/images/"));
	assert_true(json_real_value(json_object_get(d, "latitude")) == 44.8380737);
	assert_true(json_real_value(json_object_get(d, "longitude")) == -0.5844559);
	/* description kept whole (501 characters), summary cut with "…" */
	assert_true(str_starts(doc_str(d, "description"), "Le projet vise à mettre en place et piloter"));
	assert_true(ends_with(doc_str(d, "description"), "une explication des écarts."));
	const char *sum = doc_str(d, "summary");
	size_t sl = strlen(sum);
	assert_true(sl > 3 && strcmp(sum + sl - 3, "…") == 0);
	assert_true(str_starts(sum, "Le projet vise à mettre en place"));
	assert_non_null(strstr(sum, "économies d’énergie suite à la…"));
	/* provenance */
	json_t *p = json_object_get(d, "provenance");
	assert_string_equal(json_string_value(json_object_get(p, "source")), "interconnectes");
	assert_string_equal(json_string_value(json_object_get(p, "dataset")),
	                    "Bibliothèque IA territoriale (Les Interconnectés)");
	assert_string_equal(json_string_value(json_object_get(p, "file")), "data.csv");
	assert_int_equal(json_integer_value(json_object_get(p, "line")), 2);
	assert_int_equal(strlen(json_string_value(json_object_get(p, "imported_at"))), 20);
	json_t *raw = json_object_get(p, "raw");
	assert_string_equal(json_string_value(json_object_get(raw, "coll_siret")), "24330031600011");
	assert_string_equal(json_string_value(json_object_get(raw, "coll_type")), "Métropole");
	assert_string_equal(json_string_value(json_object_get(raw, "projet_date")), "01/2024");
	assert_int_equal(json_object_size(raw), 16);
	store_usecase_free(&u);

	/* embedded line ends in the title and description (CA SICOVAL) */
	load_by_key(t->db, "interconnectes:epci-243100633:experimentation-ia-pour-la-detection-des-fuites-d-eau", &u);
	d = u.doc;
	assert_string_equal(doc_str(d, "title"), "Expérimentation IA pour la détection des fuites d'eau");
	assert_string_equal(doc_str(d, "owner"), "epci-243100633");
	assert_string_equal(doc_str(d, "status"), "deployed");
	assert_non_null(strchr(doc_str(d, "description"), '\n'));
	assert_null(strchr(doc_str(d, "summary"), '\n'));
	assert_string_equal(str_at(d, "audiences", 0), "local_authorities");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(d, "provenance"), "raw"),
	                                                      "nom_projet")),
	                    "Expérimentation IA \npour la détection \ndes fuites d'eau ");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "provenance"), "line")), 23);
	store_usecase_free(&u);

	/* Toulouse, fake SIRET resolved by name; "développé en régie";
	 * "accès interne uniquement" kept only in the provenance */
	load_by_key(t->db, "interconnectes:epci-243100518:iadata-categorisation-des-deliberations-ou-des-participations-"
	                   "citoyennes", &u);
	d = u.doc;
	assert_string_equal(doc_str(d, "owner"), "epci-243100518");
	assert_string_equal(doc_str(d, "status"), "ended");
	assert_string_equal(doc_str(d, "implementation"), "internal");
	assert_null(json_object_get(d, "partners"));
	assert_null(json_object_get(d, "info_url"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(d, "provenance"), "raw"),
	                                                      "url_infos")),
	                    "accès interne uniquement");
	assert_int_equal(list_len(d, "audiences"), 3);
	store_usecase_free(&u);

	/* Ville de Metz with Metz Métropole's SIREN → the commune */
	load_by_key(t->db, "interconnectes:commune-57463:vipare", &u);
	assert_int_equal(list_len(u.doc, "partners"), 3);
	assert_string_equal(str_at(u.doc, "partners", 0), "NAIA Science");
	store_usecase_free(&u);
	/* Ville de Paris typed Département → the commune (statut particulier);
	 * partners separated by ',' */
	load_by_key(t->db, "interconnectes:commune-75056:experimentation-ia-avec-le-releve-de-degradations-pour-la-gmao-"
	                   "de-voirie", &u);
	assert_string_equal(str_at(u.doc, "partners", 0), "CEREMA");
	assert_string_equal(str_at(u.doc, "partners", 1), "Immergis");
	assert_null(json_object_get(u.doc, "info_url"));
	store_usecase_free(&u);
	/* régions and départements by name */
	load_by_key(t->db, "interconnectes:region-76:pep-bioccia", &u);
	store_usecase_free(&u);
	load_by_key(t->db, "interconnectes:departement-85:diat-vendee-numerique", &u);
	assert_int_equal(list_len(u.doc, "partners"), 7);
	assert_string_equal(str_at(u.doc, "partners", 6), "département de la Vendée");
	store_usecase_free(&u);
	/* a hyphenated company name is not split; a line end separates */
	load_by_key(t->db, "interconnectes:epci-200046977:preci-prevention-automatisee-des-conflits-d-interet", &u);
	assert_int_equal(list_len(u.doc, "partners"), 1);
	assert_string_equal(str_at(u.doc, "partners", 0), "Exo-Dev");
	store_usecase_free(&u);
	load_by_key(t->db, "interconnectes:epci-200046977:ia-rbre", &u);
	assert_int_equal(list_len(u.doc, "partners"), 7);
	assert_string_equal(str_at(u.doc, "partners", 6), "TelesCoop");
	assert_string_equal(str_at(u.doc, "audiences", 1), "planners");
	store_usecase_free(&u);
}

/* ==== Every schema column ==== */

static const char all_columns[] =
    "coll_nom;nom_projet;coll_siret;latitude;longitude;coll_type;projet_date;projet_status;status_abandon;"
    "partenaires;projet_contact;financement;budget;usage_description;mise_en_oeuvre;theme;sous_theme;"
    "audience_service;herbergement;nom_algorithme;algorithme_description;algorithme_operations;"
    "type_algorithme;impact_environnement;donnees_source;donnees_acces;risque;risque_categorie;"
    "proportionalite;decision;erreur;explicabilite;reversibilite;objection;url_infos;url_ressources;"
    "image_url;date\n"
    "Communauté d'agglomération du Sicoval;Tri des courriers;243 100 633 00391;43,54;1,505;"
    "Communauté d'agglomération;2022;Abandonné;Qualité des données insuffisante;"
    "Université de Toulouse, NSP;dpo@example.org;Fonds propres;moins de 50k€;"
    "Classement automatique du courrier entrant.;marché public;Administration et organisation interne;"
    "Aide à la rédaction et gestion documentaire;Agent;cloud chez un tiers;Tri-courrier;"
    "Classe les courriers par service.;Modèle CamemBERT affiné;Traitement Automatique du langage, IA "
    "générative;Faible;jeu de données interne, open data;par API;Erreurs d'aiguillage;risque limité;"
    "Volume trop important;Interne;moyen;fort;Oui, retour au tri manuel;Demande au service;"
    "https://example.org/tri;https://example.org/a https://example.org/b;https://example.org/logo.png;"
    "2023-06-30\n";

static void test_all_columns(void **state)
{
	struct tdb *t = *state;
	char *path = write_temp(all_columns), *err = NULL;
	struct import_stats s;
	int rc = run_import(t, path, false, &s, &err);
	if (rc) fail_msg("%s", err);
	assert_int_equal(s.created, 1);
	assert_int_equal(s.warnings, 0);
	struct uc_full u;
	load_by_key(t->db, "interconnectes:epci-243100633:tri-des-courriers", &u);
	const json_t *d = u.doc;
	assert_string_equal(doc_str(d, "status"), "abandoned");
	assert_string_equal(doc_str(d, "abandon_reasons"), "Qualité des données insuffisante");
	assert_string_equal(doc_str(d, "start_date"), "2022");
	assert_true(json_real_value(json_object_get(d, "latitude")) == 43.54);
	assert_int_equal(list_len(d, "partners"), 1); /* "NSP" is no partner */
	assert_string_equal(doc_str(d, "implementation"), "public_procurement");
	assert_string_equal(doc_str(d, "contact"), "dpo@example.org");
	assert_string_equal(doc_str(d, "funding"), "Fonds propres");
	assert_string_equal(doc_str(d, "budget_band"), "lt_50k");
	assert_string_equal(doc_str(d, "hosting"), "third_party_cloud");
	assert_string_equal(doc_str(d, "algorithm_name"), "Tri-courrier");
	assert_string_equal(doc_str(d, "algorithm_operations"), "Modèle CamemBERT affiné");
	assert_int_equal(list_len(d, "ai_techniques"), 2);
	assert_string_equal(str_at(d, "ai_techniques", 0), "nlp");
	assert_string_equal(str_at(d, "ai_techniques", 1), "generative_ai");
	assert_string_equal(doc_str(d, "environmental_impact"), "Faible");
	assert_string_equal(str_at(d, "data_sources", 0), "internal_dataset");
	assert_string_equal(str_at(d, "data_sources", 1), "open_data");
	assert_string_equal(doc_str(d, "data_access"), "api");
	assert_string_equal(doc_str(d, "risk_level"), "limited");
	assert_string_equal(doc_str(d, "effectiveness_gap"), "medium");
	assert_string_equal(doc_str(d, "explainability"), "high");
	assert_string_equal(doc_str(d, "reversibility"), "Oui, retour au tri manuel");
	assert_string_equal(doc_str(d, "objection_procedure"), "Demande au service");
	assert_string_equal(doc_str(d, "decision_scope"), "Interne");
	assert_string_equal(doc_str(d, "proportionality"), "Volume trop important");
	assert_string_equal(doc_str(d, "risk_assessment"), "Erreurs d'aiguillage");
	assert_int_equal(list_len(d, "resource_urls"), 2);
	assert_string_equal(doc_str(d, "info_updated_on"), "2023-06-30");
	assert_int_equal(json_object_size(json_object_get(json_object_get(d, "provenance"), "raw")), 38);
	store_usecase_free(&u);
	/* the raw value of a restricted column is not public */
	sqlite3_stmt *st = db_stmt(t->db, "SELECT json_public, json_agent FROM usecase_blob");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_null(strstr((const char *)sqlite3_column_text(st, 0), "dpo@example.org"));
	assert_null(strstr((const char *)sqlite3_column_text(st, 0), "Fonds propres"));
	assert_non_null(strstr((const char *)sqlite3_column_text(st, 1), "dpo@example.org"));
	db_reset(st);
	unlink(path);
	free(path);
}

/* ==== Malformed files ==== */

/* Import content; it must fail with a message starting with want_prefix
 * (and containing want_part if not NULL), leaving no record and no new
 * organisation. */
static void expect_failure(struct tdb *t, const char *content, const char *want_prefix, const char *want_part)
{
	char *path = write_temp(content), *err = NULL;
	int64_t orgs = count(t->db, "SELECT count(*) FROM organisation");
	struct import_stats s;
	int rc = run_import(t, path, false, &s, &err);
	assert_int_equal(rc, -1);
	assert_non_null(err);
	/* a bad row is rejected (the report names it) and the import fails as
	 * a whole; a file-level error is the error itself */
	const char *msg = err;
	if (s.nrejects) {
		assert_int_equal(s.nrejects, 1);
		assert_int_equal(s.rejected, 1);
		assert_string_equal(err, "1 enregistrement refusé : rien n'a été importé");
		msg = s.rejects[0].reason;
	}
	if (!str_starts(msg, want_prefix)) fail_msg("got « %s », want prefix « %s »", msg, want_prefix);
	if (want_part && !strstr(msg, want_part)) fail_msg("got « %s », want « %s »", msg, want_part);
	assert_null(strchr(msg, '\n'));
	import_stats_free(&s);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase"), 0);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase_version"), 0);
	assert_int_equal(count(t->db, "SELECT count(*) FROM organisation"), orgs);
	assert_int_equal(count(t->db, "SELECT count(*) FROM organisation WHERE official = 0"), 0);
	free(err);
	unlink(path);
	free(path);
}

/* A good first record whose owner must be created (so a failure later
 * must also undo the organisation). */
#define HDR "coll_nom,nom_projet,coll_siret,coll_type,projet_status,theme,usage_description\n"
#define GOOD "Syndicat de gestion des eaux du brivadois,Mission 90+,25430088200019,EPT,En expérimentation," \
             "Transition écologique,Détection de fuites.\n"

static void test_malformed(void **state)
{
	struct tdb *t = *state;
	/* unterminated quote (reported at the opening quote) */
	expect_failure(t, HDR GOOD "Toulouse Métropole,\"IADATA,24310051800170,Métropole,Terminé,Mobilité,x\n",
	               "ligne 3, colonne 2 (nom_projet) : ", "guillemet");
	/* wrong number of fields */
	expect_failure(t, HDR GOOD "Toulouse Métropole,IADATA,24310051800170,Métropole,Terminé,Mobilité\n",
	               "ligne 3, colonne 7 (usage_description) : champ manquant (6 champs au lieu de 7", NULL);
	expect_failure(t, HDR GOOD "Toulouse Métropole,IADATA,24310051800170,Métropole,Terminé,Mobilité,x,y\n",
	               "ligne 3, colonne 8 : champ en trop (8 champs au lieu de 7", NULL);
	/* a status outside the vocabulary, after a record that created an
	 * organisation */
	expect_failure(t, HDR GOOD "Toulouse Métropole,IADATA,24310051800170,Métropole,Peut-être,Mobilité,x\n",
	               "ligne 3, colonne projet_status : valeur « Peut-être » inconnue (attendu : ",
	               "En expérimentation ; En déploiement ; Terminé ; Abandonné)");
	/* the same in the published export's spelling */
	expect_failure(t,
	               "Nom_collectivite,Nom_du_projet,SIRET,Statut_du_projet,Theme,Description_service\n"
	               "Toulouse Métropole,IADATA,24310051800170,Terminé,Mobilité,x\n"
	               "Toulouse Métropole,IADATA 2,24310051800170,Terminé,Mobilité,x\n"
	               "Toulouse Métropole,IADATA 3,24310051800170,Terminé,Vélo,x\n",
	               "ligne 4, colonne Theme : valeur « Vélo » inconnue (attendu : Transition écologique ; ", NULL);
	/* unknown column */
	expect_failure(t, "coll_nom,nom_projet,couleur,theme\nA,B,C,D\n",
	               "ligne 1, colonne 3 : colonne « couleur » inconnue", "coll_nom, nom_projet, coll_siret");
	/* repeated column, missing required column */
	expect_failure(t, "coll_nom,nom_projet,Theme,theme\n", "ligne 1, colonne 4 : colonne « theme » en double", NULL);
	expect_failure(t, "nom_projet,theme\nA,B\n", "ligne 1 : colonne obligatoire « coll_nom » absente", NULL);
	expect_failure(t, "", "ligne 1 : fichier vide", NULL);
	/* invalid UTF-8 (Latin-1 "é") */
	expect_failure(t, HDR GOOD "Toulouse M\xe9tropole,IADATA,24310051800170,Métropole,Terminé,Mobilité,x\n",
	               "ligne 3, colonne 1 (coll_nom) : ", "UTF-8");
	/* bad values */
	expect_failure(t,
	               "coll_nom;nom_projet;coll_siret;latitude;projet_status;theme;usage_description\n"
	               "Toulouse Métropole;IADATA;24310051800170;43.6N;Terminé;Mobilité;x\n",
	               "ligne 2, colonne latitude : nombre « 43.6N » illisible", NULL);
	expect_failure(t,
	               "coll_nom;nom_projet;coll_siret;latitude;projet_status;theme;usage_description\n"
	               "Toulouse Métropole;IADATA;24310051800170;143.6;Terminé;Mobilité;x\n",
	               "ligne 2, colonne latitude : « Latitude » doit être compris entre -90 et 90", NULL);
	expect_failure(t,
	               "coll_nom;nom_projet;coll_siret;projet_date;projet_status;theme;usage_description\n"
	               "Toulouse Métropole;IADATA;24310051800170;31/02/2024;Terminé;Mobilité;x\n",
	               "ligne 2, colonne projet_date : date « 31/02/2024 » illisible", NULL);
	expect_failure(t,
	               "coll_nom;nom_projet;coll_siret;coll_type;projet_status;theme;usage_description\n"
	               "Toulouse Métropole;IADATA;24310051800170;Canton;Terminé;Mobilité;x\n",
	               "ligne 2, colonne coll_type : valeur « Canton » inconnue (attendu : Commune ; ", NULL);
	/* required field empty; abandoned without reasons */
	expect_failure(t,
	               "coll_nom;nom_projet;coll_siret;projet_status;theme;usage_description\n"
	               "Toulouse Métropole;IADATA;24310051800170;Terminé;;x\n",
	               "ligne 2, colonne theme : « Thème principal » est obligatoire.", NULL);
	expect_failure(t,
	               "coll_nom;nom_projet;coll_siret;projet_status;theme;usage_description\n"
	               "Toulouse Métropole;IADATA;24310051800170;Abandonné;Mobilité;x\n",
	               "ligne 2, colonne status_abandon : « Raisons de l'abandon » est obligatoire pour un projet "
	               "abandonné.", NULL);
	/* owner nowhere to be found */
	expect_failure(t,
	               "coll_nom;nom_projet;coll_siret;projet_status;theme;usage_description\n"
	               "Nulle Part;IADATA;123;Terminé;Mobilité;x\n",
	               "ligne 2, colonne coll_siret : porteur introuvable : SIRET « 123 » invalide", NULL);
	/* the same project twice */
	expect_failure(t, HDR GOOD GOOD, "ligne 3, colonne nom_projet : projet « Mission 90+ » en double", "ligne 2");
}

static void test_dry_run(void **state)
{
	struct tdb *t = *state;
	char *path = fixture("data.csv"), *err = NULL;
	int64_t orgs = count(t->db, "SELECT count(*) FROM organisation");
	struct import_stats s;
	assert_int_equal(run_import(t, path, true, &s, &err), 0);
	assert_int_equal(s.rows, 23);
	assert_int_equal(s.created, 23);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase"), 0);
	assert_int_equal(count(t->db, "SELECT count(*) FROM organisation"), orgs);
	free(path);
	/* a missing file */
	assert_int_equal(run_import(t, "/nonexistent/x.csv", false, &s, &err), -1);
	assert_non_null(strstr(err, "lecture impossible"));
	free(err);
}

/* Without the official organisations nothing is imported. */
static void test_no_reference(void **state)
{
	char path[64];
	assert_int_equal(testdb_tmpname(path, sizeof path, "import"), 0);
	char *err = NULL;
	db_t *db = db_open(path, DB_CREATE, &err);
	assert_non_null(db);
	assert_true(db_migrate(db) >= 0);
	char *csv = fixture("data.csv");
	struct import_stats s;
	assert_int_equal(import_interconnectes(db, csv, NULL, &s, &err), -1);
	assert_string_equal(err, "les organisations officielles ne sont pas chargées (iat orgs load)");
	free(err);
	free(csv);
	assert_int_equal(count(db, "SELECT count(*) FROM organisation"), 0);
	db_close(db);
	testdb_remove(path);
}

/* A re-import with a changed cell makes a new version; blank lines and
 * lines of separators are skipped. */
static void test_update(void **state)
{
	struct tdb *t = *state;
	struct import_stats s;
	char *err = NULL;
	char *p1 = write_temp(HDR GOOD "\n,,,,,,\n");
	assert_int_equal(run_import(t, p1, false, &s, &err), 0);
	assert_int_equal(s.rows, 1);
	assert_int_equal(s.created, 1);
	char *p2 = write_temp(HDR "Syndicat de gestion des eaux du brivadois,Mission 90+,25430088200019,EPT,"
	                          "En déploiement,Transition écologique,Détection de fuites.\n");
	assert_int_equal(run_import(t, p2, false, &s, &err), 0);
	assert_int_equal(s.updated, 1);
	assert_int_equal(s.created, 0);
	/* the syndicat now exists: found by SIREN, the type still says EPT */
	assert_non_null(strstr(buf_cstr(&t->warnings), "type déclaré EPT mais le nom désigne un syndicat"));
	struct uc_full u;
	load_by_key(t->db, "interconnectes:syndicat-254300882:mission-90", &u);
	assert_int_equal(u.version, 2);
	assert_string_equal(doc_str(u.doc, "status"), "deployed");
	store_usecase_free(&u);
	assert_int_equal(run_import(t, p2, false, &s, &err), 0);
	assert_int_equal(s.unchanged, 1);
	unlink(p1);
	unlink(p2);
	free(p1);
	free(p2);
}

/* ==== Pure helpers ==== */

static void test_dates(void **state)
{
	char d[11];
	bool serial;
	assert_int_equal(import_date("01/2024", d, &serial), 0);
	assert_string_equal(d, "2024-01");
	assert_false(serial);
	assert_int_equal(import_date("1/2024", d, &serial), 0);
	assert_string_equal(d, "2024-01");
	assert_int_equal(import_date("16/04/2025", d, &serial), 0);
	assert_string_equal(d, "2025-04-16");
	assert_int_equal(import_date("29/02/2024", d, &serial), 0);
	assert_string_equal(d, "2024-02-29");
	assert_int_equal(import_date("45691", d, &serial), 0);
	assert_string_equal(d, "2025-02-03");
	assert_true(serial);
	assert_int_equal(import_date("25569", d, &serial), 0);
	assert_string_equal(d, "1970-01-01");
	assert_int_equal(import_date("18264", d, &serial), 0);
	assert_string_equal(d, "1950-01-01");
	assert_int_equal(import_date("18263", d, &serial), -1); /* 1949-12-31 */
	assert_int_equal(import_date("2024", d, &serial), 0);
	assert_string_equal(d, "2024");
	assert_int_equal(import_date("2024-06", d, &serial), 0);
	assert_string_equal(d, "2024-06");
	assert_int_equal(import_date("2024-06-30", d, &serial), 0);
	assert_string_equal(d, "2024-06-30");
	assert_int_equal(import_date("05.03.2025", d, &serial), 0);
	assert_string_equal(d, "2025-03-05");
	static const char *const bad[] = { "", "29/02/2023", "13/2024", "00/2024", "01/24", "2024-6",
		                           "2024-06-31", "2024/06", "1800", "123456", "01/2024x", "x",
		                           "16/04/2025/1", "32/01/2024", "1/1/1", "-1/2024" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		if (import_date(bad[i], d, &serial) == 0) fail_msg("accepted « %s » as %s", bad[i], d);
}

static void test_summary(void **state)
{
	char *s = import_summary("  Court\n texte.  ", 350);
	assert_string_equal(s, "Court texte.");
	free(s);
	s = import_summary("", 350);
	assert_string_equal(s, "");
	free(s);
	s = import_summary("un deux trois quatre", 12);
	assert_string_equal(s, "un deux…");
	free(s);
	s = import_summary("un deux, trois quatre", 13);
	assert_string_equal(s, "un deux…");
	free(s);
	s = import_summary("anticonstitutionnellement", 10);
	assert_string_equal(s, "anticonst…");
	free(s);
	s = import_summary("été été été été", 9);
	assert_string_equal(s, "été été…");
	free(s);
	/* exactly max characters: unchanged */
	s = import_summary("été été été", 11);
	assert_string_equal(s, "été été été");
	free(s);
}

static void check_split(const char *in, const char *want)
{
	char **items;
	size_t n = import_split(in, &items);
	buf_t b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i) buf_putc(&b, '|');
		buf_puts(&b, items[i]);
		free(items[i]);
	}
	free(items);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

static void test_split(void **state)
{
	check_split("DRYAS-Kocliko-Domofrance-ENERLAB", "DRYAS|Kocliko|Domofrance|ENERLAB");
	check_split("Université de Lyon, Datactivist, Tuba ", "Université de Lyon|Datactivist|Tuba");
	check_split("Datanumia-EDF-Erinadis-Efficacity        ", "Datanumia|EDF|Erinadis|Efficacity");
	check_split("INSA Lyon-École Centrale de Lyon\nTelesCoop", "INSA Lyon|École Centrale de Lyon|TelesCoop");
	check_split("Exo-Dev", "Exo-Dev");
	check_split("Exo-Dev-Leakmited", "Exo-Dev|Leakmited");
	check_split("Région Île-de-France-Saint-Denis-Aix-en-Provence", "Région Île-de-France|Saint-Denis|Aix-en-Provence");
	check_split("Université Paris-Saclay-CNRS", "Université Paris-Saclay|CNRS");
	check_split("Grand public-agent-élu", "Grand public|agent|élu");
	check_split("Plan 2023-2027-Ville", "Plan 2023-2027|Ville");
	check_split(" - ; , ", "-");
	check_split("", "");
	check_split("A ; B", "A|B");
}

/* Two bad rows among good ones: without skip_invalid both are listed and
 * nothing is written; with it the good rows are imported (also the
 * organisation the first one needs) and the bad ones listed in order. */
static void test_skip_invalid(void **state)
{
	struct tdb *t = *state;
	char *path = write_temp(HDR GOOD
	                        "Toulouse Métropole,IADATA,24310051800170,Métropole,Peut-être,Mobilité,x\n"
	                        "Toulouse Métropole,IADATA 2,24310051800170,Métropole,Terminé,Vélo,x\n"
	                        "Toulouse Métropole,IADATA 3,24310051800170,Métropole,Terminé,Mobilité,x\n");
	char *err = NULL;
	struct import_stats s;
	assert_int_equal(run_import(t, path, false, &s, &err), -1);
	assert_string_equal(err, "2 enregistrements refusés : rien n'a été importé");
	assert_int_equal(s.rejected, 2);
	assert_int_equal(s.rejects[0].line, 3);
	assert_true(str_starts(s.rejects[0].reason, "ligne 3, colonne projet_status : "));
	assert_int_equal(s.rejects[1].line, 4);
	assert_true(str_starts(s.rejects[1].reason, "ligne 4, colonne theme : "));
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase"), 0);
	assert_int_equal(count(t->db, "SELECT count(*) FROM organisation WHERE official = 0"), 0);
	free(err);
	err = NULL;
	import_stats_free(&s);

	struct import_opts o = { 0 };
	o.skip_invalid = true;
	o.warn = collect_warning;
	o.warn_ctx = t;
	assert_int_equal(import_interconnectes(t->db, path, &o, &s, &err), 0);
	assert_null(err);
	assert_int_equal(s.rows, 4);
	assert_int_equal(s.created, 2);
	assert_int_equal(s.rejected, 2);
	assert_int_equal(s.nrejects, 2);
	assert_int_equal(count(t->db, "SELECT count(*) FROM usecase"), 2);
	assert_int_equal(count(t->db, "SELECT count(*) FROM organisation WHERE official = 0"), 1);
	import_stats_free(&s);
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_split),
		cmocka_unit_test_setup_teardown(test_data_csv, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_processed_csv, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_fields, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_all_columns, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_skip_invalid, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_malformed, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_update, test_setup, test_teardown),
		cmocka_unit_test(test_no_reference),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
