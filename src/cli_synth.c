/*
 * cli_synth.c — `iat synth`: a deterministic generator of synthetic records
 * for performance measurements (never for the demo library, which is the
 * real Interconnectés data).
 *
 * Records are spread over the real organisations already loaded (EPCI,
 * départements and régions more often than their number alone would give,
 * as in real life), with French text built from fragments (accents,
 * ligatures: cœur, œuvre, vélo, données), real vocabulary mixes, and
 * restricted fields filled. The same --seed gives the same data set. Each
 * record goes through model_validate() and store_usecase_save(), like an
 * API write, in transactions of 1,000 records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "model.h"
#include "org.h"
#include "store.h"
#include "util.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static size_t pick(size_t n)
{
	return (size_t)(rnd() % n);
}

static const char *const subjects[] = {
	"Détection des fuites d'eau", "Assistant de rédaction des délibérations", "Analyse de l'état des chaussées",
	"Prévision de la fréquentation des piscines", "Tri automatique du courrier entrant",
	"Agent conversationnel pour l'état civil", "Cartographie des îlots de chaleur", "Comptage des vélos",
	"Optimisation des tournées de collecte", "Classement des demandes d'urbanisme",
	"Détection des dépôts sauvages", "Pilotage énergétique des bâtiments", "Aide à l'instruction des aides sociales",
	"Transcription des conseils municipaux", "Prévision des crues", "Inventaire des arbres en ville",
	"Synthèse des avis de concertation", "Surveillance de la qualité de l'air", "Gestion des stocks des cantines",
	"Recherche documentaire pour les agents",
};
static const char *const places[] = {
	"au cœur du centre-ville", "dans les quartiers prioritaires", "sur l'ensemble du territoire",
	"dans les écoles", "sur le réseau de voirie", "dans les services techniques", "pour les usagers",
	"en lien avec les communes membres", "dans les équipements sportifs", "sur les sites naturels",
};
static const char *const sentences[] = {
	"Le service s'appuie sur un modèle entraîné sur les données historiques de la collectivité.",
	"Les agents gardent la main : chaque proposition est relue avant toute décision.",
	"L'œuvre collective des équipes a permis de réduire les délais de traitement.",
	"Les données personnelles sont pseudonymisées avant tout traitement.",
	"Une évaluation est prévue après douze mois de fonctionnement, avec un comité d'usagers.",
	"Le projet a été co-construit avec les habitants lors d'ateliers de concertation.",
	"La solution fonctionne sur des serveurs hébergés en France, sous contrôle de la collectivité.",
	"Les résultats sont publiés en données ouvertes chaque trimestre.",
	"L'outil réduit la consommation d'énergie et les déplacements inutiles des équipes.",
	"Un référent numérique accompagne les agents et recueille leurs retours.",
	"Le vélo, la marche et les transports en commun sont pris en compte dans les scénarios.",
	"Les élus disposent d'un tableau de bord pour suivre les indicateurs clés.",
};
static const char *const partners[] = {
	"Université de Lyon", "CEREMA", "Inria", "CNRS", "Banque des Territoires", "Météo-France", "BRGM",
	"Datactivist", "IGN", "ADEME",
};

static const char *term(const struct vocab *v)
{
	return v->terms[pick(v->count)].code;
}

static json_t *make_record(const char *owner_key, uint64_t n)
{
	json_t *o = json_object();
	char title[256];
	snprintf(title, sizeof title, "%s %s (n° %llu)", subjects[pick(ARRAY_LEN(subjects))],
	         places[pick(ARRAY_LEN(places))], (unsigned long long)n);
	json_object_set_new(o, "title", json_string(title));
	buf_t s = BUF_INIT;
	buf_puts(&s, sentences[pick(ARRAY_LEN(sentences))]);
	json_object_set_new(o, "summary", json_stringn(s.data, s.len));
	buf_reset(&s);
	int ns = 4 + (int)pick(8);
	for (int i = 0; i < ns; i++) {
		buf_puts(&s, sentences[pick(ARRAY_LEN(sentences))]);
		buf_puts(&s, i % 3 == 2 ? "\n\n" : " ");
	}
	json_object_set_new(o, "description", json_stringn(s.data, s.len));
	buf_free(&s);
	json_object_set_new(o, "owner", json_string(owner_key));
	/* status mix: mostly experiments and deployments, some ended/abandoned */
	static const char *const statuses[] = { "experiment", "experiment", "experiment", "deployed", "deployed",
		                                "deployed", "idea", "ended", "abandoned" };
	const char *st = statuses[pick(ARRAY_LEN(statuses))];
	json_object_set_new(o, "status", json_string(st));
	if (strcmp(st, "abandoned") == 0)
		json_object_set_new(o, "abandon_reasons",
		                    json_string("Données insuffisantes et coût de maintenance trop élevé pour la collectivité."));
	json_object_set_new(o, "theme", json_string(term(&vocab_theme)));
	json_t *tech = json_array();
	json_array_append_new(tech, json_string(term(&vocab_ai_technique)));
	if (rnd() % 3 == 0) json_array_append_new(tech, json_string(term(&vocab_ai_technique)));
	json_object_set_new(o, "ai_techniques", tech);
	json_t *aud = json_array();
	json_array_append_new(aud, json_string(term(&vocab_audience)));
	json_object_set_new(o, "audiences", aud);
	json_object_set_new(o, "risk_level", json_string(term(&vocab_risk_level)));
	json_object_set_new(o, "personal_data", json_string(term(&vocab_personal_data)));
	json_t *pa = json_array();
	json_array_append_new(pa, json_string(partners[pick(ARRAY_LEN(partners))]));
	json_object_set_new(o, "partners", pa);
	char date[16];
	snprintf(date, sizeof date, "%d-%02d", 2019 + (int)pick(7), 1 + (int)pick(12));
	json_object_set_new(o, "start_date", json_string(date));
	/* restricted fields filled */
	json_object_set_new(o, "contact", json_string("dpo@collectivite.example.fr"));
	json_object_set_new(o, "funding", json_string("Budget interne et Fonds vert"));
	json_object_set_new(o, "budget_band", json_string(term(&vocab_budget_band)));
	json_object_set_new(o, "hosting", json_string(term(&vocab_hosting)));
	json_object_set_new(o, "algorithm_operations",
	                    json_string("Prétraitement, extraction de caractéristiques, classification supervisée."));
	json_object_set_new(o, "data_access", json_string(term(&vocab_data_access)));
	return o;
}

static const char synth_usage[] =
    "usage : iat synth [--db PATH] --records N [--seed S]\n"
    "Ajoute N fiches synthétiques (déterministes pour une graine donnée) réparties\n"
    "sur les organisations chargées. Pour les mesures de performance uniquement.\n";

int cmd_synth(int argc, char **argv)
{
	const char *dbpath = cli_default_db(), *records = NULL, *seed = "1";
	struct cli_opt opts[] = { { "db", &dbpath, NULL }, { "records", &records, NULL }, { "seed", &seed, NULL } };
	char **pos;
	int npos;
	bool help;
	cli_parse(argc, argv, opts, (int)ARRAY_LEN(opts), &pos, &npos, &help);
	if (help) {
		fputs(synth_usage, stdout);
		free(pos);
		return 0;
	}
	if (npos) cli_usage_error("synth : argument inattendu « %s »", pos[0]);
	free(pos);
	int64_t n, s;
	if (!records || parse_int64(records, 1, 10000000, &n) < 0)
		cli_usage_error("synth : --records attend un entier entre 1 et 10000000");
	if (parse_int64(seed, 0, INT64_MAX, &s) < 0) cli_usage_error("synth : --seed attend un entier positif");
	rng_state = (uint64_t)s * 0x9E3779B97F4A7C15ull + 1;

	db_t *db = cli_open_db(dbpath, false);
	/* candidate owners: groupings and large bodies weigh more */
	char **keys = NULL;
	size_t nkeys = 0, cap = 0;
	sqlite3_stmt *st = db_stmt(db, "SELECT kind, code, population FROM organisation WHERE active = 1 AND official = 1 ORDER BY id");
	if (!st) die("organisations illisibles");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		int64_t pop = sqlite3_column_int64(st, 2);
		int weight = strcmp(kind, "commune") == 0 ? (pop > 20000 ? 3 : (rnd() % 8 == 0)) : 6;
		for (int w = 0; w < weight; w++) {
			if (nkeys == cap) {
				cap = cap ? cap * 2 : 4096;
				keys = xrealloc(keys, cap * sizeof *keys);
			}
			keys[nkeys++] = xasprintf("%s-%s", kind, (const char *)sqlite3_column_text(st, 1));
		}
	}
	db_reset(st);
	if (!nkeys) die("aucune organisation : lancez d'abord « iat orgs load »");
	uint64_t t0 = mono_ns();
	int64_t done = 0;
	while (done < n) {
		if (db_begin(db) < 0) die("transaction impossible");
		for (int k = 0; k < 1000 && done < n; k++, done++) {
			json_t *in = make_record(keys[pick(nkeys)], (uint64_t)done + 1);
			struct verrors errs = { 0 };
			json_t *doc = model_validate(in, NULL, &errs);
			json_decref(in);
			if (!doc) die("fiche synthétique invalide : %s (%s)", errs.items[0].message, errs.items[0].field);
			struct uc_save p = { 0 };
			p.state = "published";
			p.in_tx = true;
			p.note = "synthétique";
			int64_t id;
			int rc = store_usecase_save(db, doc, &p, &errs, &id, NULL);
			json_decref(doc);
			if (rc != STORE_OK) die("écriture impossible (code %d)", rc);
		}
		if (db_commit(db) < 0) die("validation de la transaction impossible");
		if (cli_tty()) fprintf(stderr, "\rsynth : %lld/%lld", (long long)done, (long long)n);
	}
	if (cli_tty()) fputc('\n', stderr);
	printf("synth : %lld fiches synthétiques (graine %s) en %.1f s\n", (long long)n, seed,
	       (double)(mono_ns() - t0) / 1e9);
	for (size_t i = 0; i < nkeys; i++) free(keys[i]);
	free(keys);
	db_close(db);
	return 0;
}
