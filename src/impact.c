/*
 * impact.c — common indicators, indicator figures and the "impact
 * démontré" label rules (see impact.h; the rules are documented for
 * people in doc/impact.md: keep both in step).
 */
#include "impact.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const struct impact_common impact_commons[] = {
	{ "time_saved", "Temps gagné par agent et par semaine", "heures", "impact", 1 },
	{ "processing_delay", "Délai de traitement", "jours", "impact", -1 },
	{ "response_delay", "Délai de réponse aux usagers", "heures", "impact", -1 },
	{ "cost_per_year", "Coût par an", "€", "impact", -1 },
	{ "energy", "Consommation d'énergie", "kWh", "impact", -1 },
	{ "water_losses", "Pertes d'eau", "m³", "impact", -1 },
	{ "emissions", "Émissions de gaz à effet de serre", "t CO2e", "impact", -1 },
	{ "waste", "Déchets non triés", "tonnes", "impact", -1 },
	{ "user_satisfaction", "Satisfaction des usagers", "%", "impact", 1 },
	{ "agent_satisfaction", "Satisfaction des agents", "%", "impact", 1 },
	{ "error_rate", "Taux d'erreur", "%", "impact", -1 },
	{ "handled_requests", "Demandes traitées", "unité", "usage", 1 },
	{ "active_users", "Utilisateurs actifs", "unité", "usage", 1 },
};
const size_t impact_ncommons = ARRAY_LEN(impact_commons);

const struct impact_common *impact_common_find(const char *code)
{
	if (!code) return NULL;
	for (size_t i = 0; i < impact_ncommons; i++)
		if (strcmp(impact_commons[i].code, code) == 0) return &impact_commons[i];
	return NULL;
}

int32_t impact_days(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return INT32_MIN;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return INT32_MIN;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return INT32_MIN;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return INT32_MIN;
	/* days_from_civil (H. Hinnant) */
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

static const char *str_of(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

void impact_figures(const json_t *ind, struct impact_figures *f)
{
	memset(f, 0, sizeof *f);
	f->change_pct = NAN;
	f->period_days = -1;
	json_t *b = json_object_get(ind, "baseline");
	if (json_is_object(b) && json_is_number(json_object_get(b, "value")) && str_of(b, "date")) {
		f->has_baseline = true;
		f->baseline = json_number_value(json_object_get(b, "value"));
		f->baseline_date = str_of(b, "date");
	}
	json_t *ms = json_object_get(ind, "measurements");
	f->nmeasures = json_is_array(ms) ? (int)json_array_size(ms) : 0;
	if (f->nmeasures > 0) {
		/* measurements are kept in date order: the last is the result */
		json_t *last = json_array_get(ms, (size_t)f->nmeasures - 1);
		if (json_is_number(json_object_get(last, "value")) && str_of(last, "date")) {
			f->has_result = true;
			f->result = json_number_value(json_object_get(last, "value"));
			f->result_date = str_of(last, "date");
			f->result_start = str_of(last, "start");
		}
	}
	if (f->has_baseline && f->has_result) {
		f->change = f->result - f->baseline;
		if (f->baseline != 0) f->change_pct = f->change / fabs(f->baseline) * 100.0;
	}
	if (f->has_result) {
		const char *from = f->result_start ? f->result_start : f->baseline_date;
		int32_t a = impact_days(from), z = impact_days(f->result_date);
		if (a != INT32_MIN && z != INT32_MIN) f->period_days = z - a;
	}
}

int impact_evidence(const json_t *ind)
{
	const char *e = str_of(ind, "evidence");
	if (!e) return 0;
	if (strcmp(e, "independent") == 0)
		return str_of(ind, "evaluator") && str_of(ind, "report_url") ? 3 : 1;
	if (strcmp(e, "measured") == 0) return 2;
	if (strcmp(e, "declared") == 0) return 1;
	return 0;
}

bool impact_is_public(const json_t *ind)
{
	const char *v = str_of(ind, "visibility");
	return !v || strcmp(v, "public") == 0;
}

const char *impact_evidence_label(int level)
{
	switch (level) {
	case 1: return "déclaré";
	case 2: return "mesuré par la collectivité";
	case 3: return "évalué de façon indépendante";
	default: return "";
	}
}

void impact_hash(const json_t *doc, char out[17])
{
	json_t *pub = json_array();
	size_t i;
	json_t *ind;
	json_array_foreach(json_object_get(doc, "indicators"), i, ind)
		if (impact_is_public(ind)) json_array_append(pub, ind);
	char *s = json_dumps(pub, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(pub);
	snprintf(out, 17, "%016llx", (unsigned long long)hash64(s, strlen(s)));
	free(s);
}

static void miss(struct impact_result *r, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void miss(struct impact_result *r, const char *code, const char *fmt, ...)
{
	if (r->nmissing >= (int)ARRAY_LEN(r->missing)) return;
	struct impact_missing *m = &r->missing[r->nmissing++];
	m->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->message, sizeof m->message, fmt, ap);
	va_end(ap);
}

/* Which of rules 2-5 indicator ind misses, as a bit set (0: none). */
enum { M_BASELINE = 1, M_RESULT = 2, M_PERIOD = 4, M_EVIDENCE = 8, M_METHOD = 16 };
static int indicator_misses(const json_t *ind, const struct impact_figures *f)
{
	int m = 0;
	if (!f->has_baseline) m |= M_BASELINE;
	if (!f->has_result) m |= M_RESULT;
	else if (f->period_days < IMPACT_MIN_DAYS) m |= M_PERIOD;
	if (impact_evidence(ind) < 2) m |= M_EVIDENCE;
	if (!str_of(ind, "method")) m |= M_METHOD;
	return m;
}

static int popcount(int x)
{
	int n = 0;
	for (; x; x &= x - 1) n++;
	return n;
}

void impact_eval(const json_t *doc, const struct impact_review *rv, struct impact_result *r)
{
	memset(r, 0, sizeof *r);
	r->best_indicator = -1;
	int best_misses = -1, nwith = 0;
	size_t i;
	json_t *ind;
	json_array_foreach(json_object_get(doc, "indicators"), i, ind) {
		if (!impact_is_public(ind)) continue;
		const char *type = str_of(ind, "type");
		if (!type || strcmp(type, "impact") != 0) continue;
		struct impact_figures f;
		impact_figures(ind, &f);
		if (f.has_baseline && f.has_result) {
			nwith++;
			int ev = impact_evidence(ind);
			if (ev > r->evidence) r->evidence = ev;
		}
		int m = indicator_misses(ind, &f);
		if (best_misses < 0 || popcount(m) < popcount(best_misses)) {
			best_misses = m;
			r->best_indicator = (int)i;
		}
	}
	bool ind_ok = best_misses == 0;
	if (best_misses < 0) {
		miss(r, "impact.no_indicator", "Aucun indicateur public de type « impact ».");
	} else if (!ind_ok) {
		json_t *b = json_array_get(json_object_get(doc, "indicators"), (size_t)r->best_indicator);
		struct impact_figures f;
		impact_figures(b, &f);
		const char *name = str_of(b, "name");
		if (!name) name = "";
		if (best_misses & M_BASELINE)
			miss(r, "impact.no_baseline", "L'indicateur « %.80s » n'a pas de valeur de référence datée.", name);
		if (best_misses & M_RESULT)
			miss(r, "impact.no_result", "L'indicateur « %.80s » n'a pas encore de résultat mesuré.", name);
		if (best_misses & M_PERIOD) {
			if (f.period_days < 0)
				miss(r, "impact.period_too_short",
				     "La mesure de « %.80s » n'a pas de période connue : il faut une valeur de référence datée ou une date de début.",
				     name);
			else
				miss(r, "impact.period_too_short",
				     "Le résultat de « %.80s » porte sur %d jour%s : il en faut au moins %d (trois mois).", name,
				     (int)f.period_days, f.period_days > 1 ? "s" : "", IMPACT_MIN_DAYS);
		}
		if (best_misses & M_EVIDENCE) {
			const char *e = str_of(b, "evidence");
			if (e && strcmp(e, "independent") == 0)
				miss(r, "impact.independent_without_report",
				     "L'évaluation indépendante de « %.80s » ne nomme pas son évaluateur ou n'a pas de lien vers le rapport : elle compte comme déclarée.",
				     name);
			else
				miss(r, "impact.evidence_too_weak",
				     "Le niveau de preuve de « %.80s » est « déclaré » : il faut au moins « mesuré par la collectivité ».", name);
		}
		if (best_misses & M_METHOD)
			miss(r, "impact.no_method", "La méthode de mesure de « %.80s » n'est pas décrite.", name);
	}
	if (!rv->published) miss(r, "impact.not_published", "La fiche n'est pas publiée.");
	char h[17];
	impact_hash(doc, h);
	if (!rv->reviewed_hash)
		miss(r, "impact.not_reviewed", "Les preuves d'impact n'ont pas encore été relues par l'équipe de l'observatoire.");
	else if (strcmp(rv->reviewed_hash, h) != 0)
		miss(r, "impact.review_outdated",
		     "Les indicateurs ont changé depuis la relecture de l'équipe de l'observatoire : une nouvelle relecture est nécessaire.");
	r->rules_met = r->nmissing == 0;
	r->awarded = r->rules_met;
	r->basis = "rules";
	if (rv->override && strcmp(rv->override, "granted") == 0) {
		r->awarded = true;
		r->basis = "granted";
	} else if (rv->override && strcmp(rv->override, "withdrawn") == 0) {
		r->awarded = false;
		r->basis = "withdrawn";
	}
	r->score = (r->awarded ? 1000 : 0) + r->evidence * 100 + (nwith > 99 ? 99 : nwith);
}
