/*
 * cli_synth.c — `iat synth`: a deterministic generator of synthetic records
 * for performance measurements (never for the demo library, which is the
 * real Interconnectés data).
 *
 * Records are spread over the real organisations already loaded (EPCI,
 * départements and régions more often than their number alone would give,
 * as in real life), with real vocabulary mixes and restricted fields
 * filled. Their French text comes from a word-bigram (Markov) model
 * trained on the real records already in the database (the Interconnectés
 * library), plus one sentence from a fixed list carrying accents and
 * ligatures (cœur, œuvre, vélo): the word frequencies then look like real
 * prose (a few very frequent words, a long tail), which matters for search
 * measurements — a corpus of a dozen repeated sentences would make every
 * word match half the records. The same --seed gives the same data set. Each
 * record goes through model_validate() and store_usecase_save(), like an
 * API write, in transactions of 1,000 records.
 *
 * Issue 5 (impact and reuse), with a second random stream so that the
 * records of a given seed keep the same text, owners and vocabulary as
 * before (the other measurements stay comparable):
 * - about 20% of the records carry 1 to 3 impact indicators; half of those
 *   meet the label rules 1-5 (baseline, result over 238 days, measured,
 *   method), and a quarter of those are reviewed by a curator after their
 *   batch (store_impact_act "review"), so about 2.5% carry the label;
 * - about 5% are reuses (origin_id) of one of the first 500 records, so a
 *   few records have several reuses;
 * - the showcase: the first record of the run has 10 indicators and the
 *   next 50 records are its reuses (the record page scenario of make
 *   bench).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "model.h"
#include "org.h"
#include "store.h"
#include "text.h"
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

/* the second stream: impact and reuse decisions only */
static uint64_t rng2_state;

static uint64_t rnd2(void)
{
	rng2_state ^= rng2_state >> 12;
	rng2_state ^= rng2_state << 25;
	rng2_state ^= rng2_state >> 27;
	return rng2_state * 2685821657736338717ull;
}

static const char *const indicator_names[] = {
	"Temps gagné par agent et par semaine", "Délai de traitement des demandes", "Coût annuel de fonctionnement",
	"Consommation d'énergie", "Pertes d'eau du réseau", "Satisfaction des usagers", "Taux d'erreur",
	"Nombre de demandes traitées", "Tonnage de déchets collectés", "Fréquentation du service",
};
static const char *const indicator_units[] = { "heures", "jours", "€", "kWh", "m³", "%", "%", "demandes", "tonnes",
	                                       "visites" };

/* One indicator; rules_met: baseline, result 238 days later, measured, method. */
static json_t *make_indicator(int k, bool rules_met)
{
	json_t *o = json_object();
	size_t i = (size_t)k % ARRAY_LEN(indicator_names);
	json_object_set_new(o, "name", json_string(indicator_names[i]));
	json_object_set_new(o, "type", json_string(i == 7 || i == 9 ? "usage" : "impact"));
	json_object_set_new(o, "unit", json_string(indicator_units[i]));
	double base = 100.0 + (double)(rnd2() % 900);
	json_t *b = json_object();
	json_object_set_new(b, "value", json_real(base));
	json_object_set_new(b, "date", json_string("2025-01-06"));
	json_t *ms = json_array();
	int nm = rules_met ? 1 + (int)(rnd2() % 4) : 1;
	for (int m = 0; m < nm; m++) {
		json_t *x = json_object();
		char date[16];
		snprintf(date, sizeof date, "2025-%02d-01", 9 - nm + 1 + m);
		json_object_set_new(x, "value", json_real(base * (0.9 - 0.1 * m)));
		json_object_set_new(x, "date", json_string(date));
		json_array_append_new(ms, x);
	}
	if (rules_met || rnd2() % 2) json_object_set_new(o, "baseline", b);
	else json_decref(b);
	json_object_set_new(o, "measurements", ms);
	json_object_set_new(o, "evidence", json_string(rules_met ? "measured" : "declared"));
	if (rules_met)
		json_object_set_new(o, "method", json_string("Extraction mensuelle du logiciel métier, comparée à l'année précédente."));
	json_object_set_new(o, "frequency", json_string("monthly"));
	json_object_set_new(o, "visibility", json_string(rnd2() % 10 == 0 ? "restricted" : "public"));
	return o;
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


/* ==== A word-bigram model of real descriptions ==== */

struct markov {
	char **words;        /* distinct words */
	size_t nwords;
	size_t **next;       /* next[i]: successors of word i (with repetition) */
	size_t *nnext, *capnext;
	size_t *starts;      /* words that begin a sentence */
	size_t nstarts;
};

static size_t mk_word(struct markov *mk, const char *w, size_t len)
{
	for (size_t i = 0; i < mk->nwords; i++)
		if (strlen(mk->words[i]) == len && memcmp(mk->words[i], w, len) == 0) return i;
	mk->words = xrealloc(mk->words, (mk->nwords + 1) * sizeof *mk->words);
	mk->next = xrealloc(mk->next, (mk->nwords + 1) * sizeof *mk->next);
	mk->nnext = xrealloc(mk->nnext, (mk->nwords + 1) * sizeof *mk->nnext);
	mk->capnext = xrealloc(mk->capnext, (mk->nwords + 1) * sizeof *mk->capnext);
	mk->words[mk->nwords] = xstrndup(w, len);
	mk->next[mk->nwords] = NULL;
	mk->nnext[mk->nwords] = mk->capnext[mk->nwords] = 0;
	return mk->nwords++;
}

static void mk_learn(struct markov *mk, const char *text)
{
	const char *p = text;
	size_t prev = (size_t)-1;
	bool start = true;
	while (*p) {
		while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
		if (!*p) break;
		const char *e = p;
		while (*e && *e != ' ' && *e != '\n' && *e != '\t' && *e != '\r') e++;
		size_t w = mk_word(mk, p, (size_t)(e - p));
		if (start) {
			mk->starts = xrealloc(mk->starts, (mk->nstarts + 1) * sizeof *mk->starts);
			mk->starts[mk->nstarts++] = w;
		} else if (prev != (size_t)-1) {
			if (mk->nnext[prev] == mk->capnext[prev]) {
				mk->capnext[prev] = mk->capnext[prev] ? mk->capnext[prev] * 2 : 4;
				mk->next[prev] = xrealloc(mk->next[prev], mk->capnext[prev] * sizeof **mk->next);
			}
			mk->next[prev][mk->nnext[prev]++] = w;
		}
		char last = e[-1];
		start = last == '.' || last == '!' || last == '?';
		prev = start ? (size_t)-1 : w;
		p = e;
	}
}

/* Append about n words of generated text. */
static void mk_generate(const struct markov *mk, buf_t *out, int n)
{
	size_t w = mk->starts[pick(mk->nstarts)];
	for (int i = 0; i < n; i++) {
		if (i) buf_putc(out, ' ');
		buf_puts(out, mk->words[w]);
		const char *word = mk->words[w];
		char last = word[strlen(word) - 1];
		bool end = last == '.' || last == '!' || last == '?';
		if (end || mk->nnext[w] == 0) {
			if (!end) buf_putc(out, '.');
			if (i > n - 6) break;
			w = mk->starts[pick(mk->nstarts)];
		} else {
			w = mk->next[w][pick(mk->nnext[w])];
		}
	}
}

static void mk_free(struct markov *mk)
{
	for (size_t i = 0; i < mk->nwords; i++) {
		free(mk->words[i]);
		free(mk->next[i]);
	}
	free(mk->words);
	free(mk->next);
	free(mk->nnext);
	free(mk->capnext);
	free(mk->starts);
}

/* Train on the real records in the database; falls back to the fixed
 * sentences when there are none. */
static void mk_train(struct markov *mk, db_t *db)
{
	memset(mk, 0, sizeof *mk);
	sqlite3_stmt *st = db_stmt(db, "SELECT b.doc FROM usecase_blob b JOIN usecase u ON u.id = b.id "
	                               "WHERE u.import_key IS NOT NULL");
	if (st) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_t *doc = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
			const char *d = doc_str(doc, "description");
			if (d) mk_learn(mk, d);
			json_decref(doc);
		}
		db_reset(st);
	}
	if (mk->nstarts < 5)
		for (size_t i = 0; i < ARRAY_LEN(sentences); i++) mk_learn(mk, sentences[i]);
}

static struct markov model;

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
	mk_generate(&model, &s, 20 + (int)pick(20));
	if (text_utf8_len(s.data, s.len) > 340) s.len = 0;  /* rare: keep the summary short */
	if (!s.len) buf_puts(&s, sentences[pick(ARRAY_LEN(sentences))]);
	json_object_set_new(o, "summary", json_stringn(s.data, s.len));
	buf_reset(&s);
	mk_generate(&model, &s, 60 + (int)pick(140));
	buf_puts(&s, "\n\n");
	buf_puts(&s, sentences[pick(ARRAY_LEN(sentences))]);
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
	cli_parse(argc, argv, opts, (int)ARRAY_LEN(opts), &pos, &npos, synth_usage);
	if (npos) cli_usage_error("synth : argument inattendu « %s »", pos[0]);
	free(pos);
	int64_t n, s;
	if (!records || parse_int64(records, 1, 10000000, &n) < 0)
		cli_usage_error("synth : --records attend un entier entre 1 et 10000000");
	if (parse_int64(seed, 0, INT64_MAX, &s) < 0) cli_usage_error("synth : --seed attend un entier positif");
	rng_state = (uint64_t)s * 0x9E3779B97F4A7C15ull + 1;
	rng2_state = (uint64_t)s * 0xD1B54A32D192ED03ull + 7;

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
	mk_train(&model, db);
	uint64_t t0 = mono_ns();
	int64_t done = 0, showcase = 0, nlabel = 0, nreuse = 0, nind = 0;
	int64_t first[500];       /* the first records: origins of the reuses */
	int nfirst = 0;
	int64_t review[1000];     /* to review after the batch */
	while (done < n) {
		int nreview = 0;
		if (db_begin(db) < 0) die("transaction impossible");
		for (int k = 0; k < 1000 && done < n; k++, done++) {
			json_t *in = make_record(keys[pick(nkeys)], (uint64_t)done + 1);
			uint64_t r2 = rnd2() % 1000;
			bool label = false;
			int64_t origin = 0;
			if (done == 0 || r2 < 200) {
				int ni = done == 0 ? 10 : 1 + (int)(rnd2() % 3);
				bool met = done == 0 || r2 < 100;
				json_t *arr = json_array();
				for (int i = 0; i < ni; i++) json_array_append_new(arr, make_indicator(i + (int)(rnd2() % 3), met));
				json_object_set_new(in, "indicators", arr);
				label = done == 0 || r2 < 25;
				nind++;
			}
			if (done >= 1 && done <= 50 && showcase) origin = showcase;
			else if (r2 >= 200 && r2 < 250 && nfirst > 0) origin = first[rnd2() % (uint64_t)nfirst];
			if (origin) {
				json_object_set_new(in, "reuse_context",
				                    json_string("Nous avons repris ce projet après un échange avec l'équipe d'origine."));
				nreuse++;
			}
			struct verrors errs = { 0 };
			json_t *doc = model_validate(in, NULL, &errs);
			json_decref(in);
			if (!doc) die("fiche synthétique invalide : %s (%s)", errs.items[0].message, errs.items[0].field);
			struct uc_save p = { 0 };
			p.state = "published";
			p.in_tx = true;
			p.note = "synthétique";
			p.origin_id = origin;
			int64_t id;
			int rc = store_usecase_save(db, doc, &p, &errs, &id, NULL);
			json_decref(doc);
			if (rc != STORE_OK) die("écriture impossible (code %d)", rc);
			if (done == 0) showcase = id;
			if (nfirst < (int)ARRAY_LEN(first)) first[nfirst++] = id;
			if (label) review[nreview++] = id;
		}
		if (db_commit(db) < 0) die("validation de la transaction impossible");
		for (int i = 0; i < nreview; i++) {
			if (store_impact_act(db, review[i], "review", NULL, 0) != STORE_OK) die("revue impossible");
			nlabel++;
		}
		if (cli_tty()) fprintf(stderr, "\rsynth : %lld/%lld", (long long)done, (long long)n);
	}
	if (cli_tty()) fputc('\n', stderr);
	printf("synth : %lld fiches synthétiques (graine %s) en %.1f s ; %lld avec indicateurs, %lld revues "
	       "(label), %lld réutilisations ; vitrine : fiche %lld\n",
	       (long long)n, seed, (double)(mono_ns() - t0) / 1e9, (long long)nind, (long long)nlabel,
	       (long long)nreuse, (long long)showcase);
	for (size_t i = 0; i < nkeys; i++) free(keys[i]);
	free(keys);
	mk_free(&model);
	db_close(db);
	return 0;
}
