/*
 * page_survey_results.c — the results of the survey campaigns (issue 7,
 * sections 2 and 3): the public page of each campaign with every figure,
 * chart and map (/observatoire/enquetes/{code}), its CSV and its JSON
 * (/api/v1/campaigns/{code}/results), and the list of campaigns with
 * results (/observatoire/enquetes).
 *
 * Design notes
 * - The figures are survey_stats.c's (the engine: weights, margins,
 *   suppression below 5 answers, breakdowns, year over year), fed here
 *   from the storage: the campaign's definition, its responses (drafts are
 *   ignored by the engine), the population of authorities
 *   (store_stats_population()).
 * - Who sees what: the results of a campaign are public once it is closed
 *   (the day after its closing date); before, curators see them as
 *   provisional (the page says so), everyone else gets 404. Individual
 *   answers are never shown here: only aggregates, and none computed from
 *   fewer than 5 answers.
 * - Individual answers: only those of organisations that chose to publish
 *   them (survey_response.publish, asked on the questionnaire), once the
 *   results are visible: listed under the results, one page each
 *   (/observatoire/enquetes/{code}/reponses/{organisation}).
 * - Year over year: against the campaign of the latest earlier year (its
 *   results computed on the fly: questions joined by their code).
 * - Cache: one process-wide sv_cache keyed by (campaign id, survey
 *   generation — bumped by every write of a definition or an answer in
 *   its transaction, store_survey.c); a hit serves the rendered HTML, JSON
 *   and CSV without recomputation. A change of the earlier campaign also
 *   bumps the generation, so the comparison stays right.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "auth.h"
#include "survey.h"
#include "pages.h"
#include "store.h"
#include "survey_stats.h"
#include "util.h"

/* ==== The campaigns ==== */

struct camp {
	int64_t id, year;
	char *code, *title, *opens_on, *closes_on;
};

struct camps {
	struct camp *v;
	int n, cap;
};

static int on_campaign(void *ctx, const struct survey_campaign_row *row)
{
	struct camps *c = ctx;
	if (c->n == c->cap) c->v = xrealloc(c->v, (size_t)(c->cap = c->cap ? c->cap * 2 : 8) * sizeof *c->v);
	c->v[c->n++] = (struct camp){ row->id, row->year, xstrdup(row->code), xstrdup(row->title),
		                      xstrdup(row->opens_on), xstrdup(row->closes_on) };
	return 0;
}

static void camps_free(struct camps *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->v[i].code);
		free(c->v[i].title);
		free(c->v[i].opens_on);
		free(c->v[i].closes_on);
	}
	free(c->v);
}

static void today(char out[11])
{
	char now[21];
	iso8601_utc(now_unix(), now);
	memcpy(out, now, 10);
	out[10] = 0;
}

/* Results public: the campaign is closed. */
static bool closed(const struct camp *c)
{
	char t[11];
	today(t);
	return strcmp(c->closes_on, t) < 0;
}

/* ==== Computing ==== */

struct responses {
	struct sv_response *v;
	char **owned;
	size_t n, cap, nowned, capowned;
};

static const char *own(struct responses *r, const char *s)
{
	if (!s) return NULL;
	if (r->nowned == r->capowned)
		r->owned = xrealloc(r->owned, (r->capowned = r->capowned ? r->capowned * 2 : 64) * sizeof *r->owned);
	return r->owned[r->nowned++] = xstrdup(s);
}

static int on_response(void *ctx, const struct survey_answers_row *row)
{
	struct responses *r = ctx;
	if (r->n == r->cap) r->v = xrealloc(r->v, (r->cap = r->cap ? r->cap * 2 : 64) * sizeof *r->v);
	r->v[r->n++] = (struct sv_response){ own(r, row->kind), row->band ? own(r, row->band) : NULL, own(r, row->region),
		                             own(r, row->departement), row->submitted, own(r, row->answers), 0 };
	return 0;
}

struct pops {
	struct sv_pop *v;
	size_t n, cap;
	struct responses strings;  /* owner of the strings */
};

static int on_pop(void *ctx, const char *kind, const char *band, const char *region, const char *dep, int64_t n)
{
	struct pops *p = ctx;
	if (p->n == p->cap) p->v = xrealloc(p->v, (p->cap = p->cap ? p->cap * 2 : 256) * sizeof *p->v);
	p->v[p->n++] = (struct sv_pop){ own(&p->strings, kind), own(&p->strings, band), own(&p->strings, region),
		                        own(&p->strings, dep), n };
	return 0;
}

static void strings_free(struct responses *r)
{
	for (size_t i = 0; i < r->nowned; i++) free(r->owned[i]);
	free(r->owned);
	free(r->v);
}

/* The results of campaign c (def parsed into *def_out, owned by the
 * result's data from then on). NULL on error. */
static struct sv_result *compute(db_t *db, const struct camp *c, const struct pops *pop, struct sv_def **def_out)
{
	*def_out = NULL;
	int64_t id;
	char *json = NULL;
	if (store_survey_campaign_get(db, c->code, &id, &json) != 1 || !json) {
		free(json);
		return NULL;
	}
	char *err = NULL;
	struct sv_def *def = sv_def_parse(json, strlen(json), &err);
	free(json);
	if (!def) {
		log_warn("survey %s: definition not readable: %s", c->code, err ? err : "?");
		free(err);
		return NULL;
	}
	struct responses rs = { 0 };
	struct sv_result *res = NULL;
	if (store_survey_responses(db, c->id, on_response, &rs) >= 0) {
		struct sv_data *data = sv_load(def, rs.v, rs.n, pop->v, pop->n);
		if (data) res = sv_compute(data);
		if (!res) sv_data_free(data);
	}
	strings_free(&rs);
	if (!res) {
		sv_def_free(def);
		return NULL;
	}
	*def_out = def;
	return res;
}

static struct sv_cache *cache;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static void cache_init(void) { cache = sv_cache_new(8); }

/* The rendered results of campaign c, computed or from the cache; release
 * with sv_dashboard_release(). NULL on error. */
static struct sv_dashboard *results(db_t *db, const struct camps *all, const struct camp *c)
{
	pthread_once(&cache_once, cache_init);
	int64_t gen;
	if (store_survey_generation(db, &gen) < 0) return NULL;
	struct sv_dashboard *d = sv_cache_get(cache, c->id, gen);
	if (d) return d;
	struct pops pop = { 0 };
	struct sv_dashboard *out = NULL;
	if (store_stats_population(db, on_pop, &pop) < 0) goto done;
	struct sv_def *def;
	struct sv_result *res = compute(db, c, &pop, &def);
	if (!res) goto done;
	/* year over year: the latest earlier year */
	const struct camp *prev = NULL;
	for (int i = 0; i < all->n; i++)
		if (all->v[i].year < c->year && (!prev || all->v[i].year > prev->year)) prev = &all->v[i];
	if (prev) {
		struct sv_def *pdef;
		struct sv_result *pres = compute(db, prev, &pop, &pdef);
		if (pres) {
			sv_compare(res, pres);
			sv_data_free(pres->data_);
			sv_result_free(pres);
			sv_def_free(pdef);
		}
	}
	char *csv = xasprintf("/observatoire/enquetes/%s/resultats.csv", c->code);
	out = sv_cache_put(cache, c->id, gen, res, def, csv);
	free(csv);
done:
	free(pop.v);
	for (size_t i = 0; i < pop.strings.nowned; i++) free(pop.strings.owned[i]);
	free(pop.strings.owned);
	return out;
}

/* The campaign of the path, if this viewer may see its results: 1 found
 * (*c points into all), 0 not (reply written), -1 error (reply written). */
static int find(struct req *r, bool api, struct camps *all, const struct camp **c, bool *provisional)
{
	const char *code = r->args[0];
	if (store_survey_campaigns_brief(r->db, on_campaign, all) < 0) {
		if (api) api_error(r, 500, "server.database", NULL, "Erreur interne.");
		else page_error(r, 500, "Les résultats sont momentanément indisponibles.");
		return -1;
	}
	*c = NULL;
	for (int i = 0; i < all->n; i++)
		if (strcmp(all->v[i].code, code) == 0) *c = &all->v[i];
	*provisional = *c && !closed(*c);
	if (!*c || (*provisional && !auth_is_curator(&r->viewer))) {
		if (api) api_error(r, 404, "resource.not_found", NULL, "Pas de résultats publiés pour cette campagne.");
		else page_error(r, 404, "Les résultats de cette campagne ne sont pas publiés (ils le sont après sa clôture).");
		return 0;
	}
	return 1;
}

/* The path's campaign and its results for this viewer: the dashboard
 * (with a reference: sv_dashboard_release()) and *c, or NULL with the
 * reply written (404, 500). all is the caller's (camps_free()). */
static struct sv_dashboard *open_results(struct req *r, bool api, struct camps *all, const struct camp **c,
                                         bool *provisional)
{
	if (find(r, api, all, c, provisional) <= 0) return NULL;
	struct sv_dashboard *d = results(r->db, all, *c);
	if (!d) {
		if (api) api_error(r, 500, "server.database", NULL, "Erreur interne.");
		else page_error(r, 500, "Les résultats sont momentanément indisponibles.");
	}
	return d;
}

/* ==== Published individual answers ==== */

#define PUBLISHED_MAX 500

struct plist {
	buf_t *b;
	const char *code;
	int n;
};

static int on_published_link(void *ctx, const struct survey_published_row *row)
{
	struct plist *p = ctx;
	if (++p->n > PUBLISHED_MAX) return 1;
	if (p->n == 1) buf_puts(p->b, "<ul class=\"published-responses\">\n");
	buf_fmt(p->b, "<li><a href=\"/observatoire/enquetes/%U/reponses/%U-%U\">%h</a></li>\n", p->code, row->kind,
	        row->code, row->name);
	return 0;
}

static void published_list(struct req *r, const struct camp *c)
{
	buf_t *b = &r->out;
	buf_puts(b, "<section aria-labelledby=\"titre-publiees\"><h2 id=\"titre-publiees\">Réponses publiées par les "
	            "collectivités</h2>\n<p>Les réponses individuelles ne sont publiées que si la collectivité l’a "
	            "choisi en répondant.</p>\n");
	struct plist p = { b, c->code, 0 };
	int n = store_survey_published(r->db, c->id, NULL, on_published_link, &p);
	if (n < 0) buf_puts(b, "<p>La liste n’a pas pu être lue.</p>\n");
	else if (p.n == 0) buf_puts(b, "<p>Aucune collectivité n’a choisi de publier ses réponses.</p>\n");
	else {
		buf_puts(b, "</ul>\n");
		if (p.n > PUBLISHED_MAX) buf_fmt(b, "<p>Les %d premières sont listées.</p>\n", PUBLISHED_MAX);
	}
	buf_puts(b, "</section>\n");
}

/* One answer as text (French), into b; nothing when absent. */
static void answer_text(buf_t *b, const struct survey_question *q, const json_t *v)
{
	switch (q->kind) {
	case SQ_SINGLE:
	case SQ_MULTIPLE: {
		bool first = true;
		for (int o = 0; o < q->noptions; o++) {
			bool on = false;
			if (json_is_string(v)) on = strcmp(json_string_value(v), q->options[o].code) == 0;
			else if (json_is_array(v)) {
				size_t i;
				json_t *x;
				json_array_foreach(v, i, x) if (json_is_string(x) && !strcmp(json_string_value(x), q->options[o].code)) on = true;
			}
			if (!on) continue;
			buf_fmt(b, "%h%h", first ? "" : " ; ", q->options[o].label);
			first = false;
		}
		break;
	}
	case SQ_NUMBER:
		if (json_is_number(v)) {
			html_num_fr(b, json_number_value(v));
			if (q->unit) buf_fmt(b, " %h", q->unit);
		}
		break;
	case SQ_SCALE:
		if (json_is_integer(v)) buf_fmt(b, "%D sur 5", (int64_t)json_integer_value(v));
		break;
	default:
		if (json_is_string(v)) buf_fmt(b, "%h", json_string_value(v));
	}
}

struct pone {
	struct req *r;
	const struct survey_def *def;
	bool found;
};

static int on_published_one(void *ctx, const struct survey_published_row *row)
{
	struct pone *p = ctx;
	buf_t *b = &p->r->out;
	json_t *answers = json_loads(row->answers ? row->answers : "{}", 0, NULL);
	p->found = true;
	char *title = xasprintf("Réponses de %s : %s", row->name, p->def->title);
	p->r->status = 200;
	html_begin(p->r, title);
	free(title);
	buf_fmt(b, "<h1>Réponses de %h</h1>\n<p class=\"lead\">À l’enquête « <a href=\"/observatoire/enquetes/%U\">%h</a> », "
	           "soumises le ",
	        row->name, p->def->code, p->def->title);
	html_date_fr(b, row->submitted_at);
	buf_puts(b, ". La collectivité a choisi de publier ses réponses.</p>\n<dl class=\"published-answers\">\n");
	for (int i = 0; i < p->def->nq; i++) {
		const struct survey_question *q = &p->def->q[i];
		if (!survey_question_shown(p->def, i, answers)) continue;
		json_t *v = json_object_get(answers, q->code);
		buf_fmt(b, "<dt>%h</dt><dd>", q->label);
		if (v) answer_text(b, q, v);
		else buf_puts(b, "<em>Sans réponse</em>");
		buf_puts(b, "</dd>\n");
	}
	buf_puts(b, "</dl>\n");
	html_end(p->r);
	json_decref(answers);
	return 1;
}

int page_survey_published(struct req *r)
{
	struct camps all = { 0 };
	const struct camp *c;
	bool provisional;
	if (find(r, false, &all, &c, &provisional) <= 0) {
		camps_free(&all);
		return 0;
	}
	int64_t id;
	char *json = NULL;
	struct survey_def def;
	memset(&def, 0, sizeof def);
	struct verrors errs = { 0 };
	bool parsed = store_survey_campaign_get(r->db, c->code, &id, &json) == 1 && json &&
	              survey_def_parse_text(json, strlen(json), &def, &errs) == 0;
	free(json);
	if (!parsed) {
		page_error(r, 500, "Les réponses sont momentanément indisponibles.");
		camps_free(&all);
		return 0;
	}
	struct pone p = { r, &def, false };
	int n = store_survey_published(r->db, c->id, r->args[1], on_published_one, &p);
	if (n < 0) page_error(r, 500, "Les réponses sont momentanément indisponibles.");
	else if (!p.found) page_error(r, 404, "Cette collectivité n’a pas publié de réponse à cette enquête.");
	survey_def_free(&def);
	camps_free(&all);
	return 0;
}

/* ==== Handlers ==== */

int page_survey_results_list(struct req *r)
{
	struct camps all = { 0 };
	if (store_survey_campaigns_brief(r->db, on_campaign, &all) < 0) {
		page_error(r, 500, "Les résultats sont momentanément indisponibles.");
		return 0;
	}
	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, "Résultats des enquêtes");
	buf_puts(b, "<h1>Résultats des enquêtes</h1>\n<p class=\"lead\">Chaque année, l’observatoire interroge les "
	            "collectivités sur leurs usages de l’intelligence artificielle. Les résultats de chaque campagne "
	            "sont publiés après sa clôture : chiffres bruts et redressés avec leur marge d’erreur, par type "
	            "de collectivité, strate de population et région, et leur évolution d’une année sur l’autre. "
	            "Aucun chiffre n’est calculé sur moins de 5 réponses, et les réponses individuelles ne sont "
	            "publiées que si la collectivité l’a choisi. Les chiffres de la bibliothèque elle-même sont dans "
	            "les <a href=\"/observatoire\">statistiques de la bibliothèque</a>.</p>\n");
	int shown = 0;
	buf_puts(b, "<ul class=\"campaigns\">\n");
	for (int i = 0; i < all.n; i++) {
		const struct camp *c = &all.v[i];
		bool pub = closed(c);
		if (!pub && !auth_is_curator(&r->viewer)) continue;
		shown++;
		buf_fmt(b, "<li><a href=\"/observatoire/enquetes/%U\">%h</a> (%D)", c->code, c->title, c->year);
		if (!pub) buf_puts(b, " — <em>résultats provisoires, visibles de l’équipe de l’observatoire seulement</em>");
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ul>\n");
	if (!shown) buf_puts(b, "<p>Aucune campagne n’est encore close : pas de résultats publiés pour l’instant.</p>\n");
	html_end(r);
	camps_free(&all);
	return 0;
}

int page_survey_results(struct req *r)
{
	struct camps all = { 0 };
	const struct camp *c;
	bool provisional;
	struct sv_dashboard *d = open_results(r, false, &all, &c, &provisional);
	if (!d) {
		camps_free(&all);
		return 0;
	}
	buf_t *b = &r->out;
	r->status = 200;
	char *title = xasprintf("Résultats : %s", c->title);
	html_begin(r, title);
	free(title);
	buf_fmt(b, "<h1>Résultats : %h</h1>\n", c->title);
	if (provisional)
		buf_puts(b, "<div class=\"notice\" role=\"status\"><p>Résultats provisoires : la campagne n’est pas close. "
		            "Seule l’équipe de l’observatoire les voit.</p></div>\n");
	buf_fmt(b, "<p class=\"lead\">Campagne %D, ouverte du ", c->year);
	html_date_fr(b, c->opens_on);
	buf_puts(b, " au ");
	html_date_fr(b, c->closes_on);
	buf_fmt(b, ". Les mêmes chiffres en <a href=\"/api/v1/campaigns/%U/results\">JSON</a> et en "
	           "<a href=\"/observatoire/enquetes/%U/resultats.csv\">CSV</a> ; la méthode (redressement, marges, "
	           "secret statistique) est décrite dans <code>doc/statistics.md</code>.</p>\n",
	        c->code, c->code);
	buf_append(b, d->html, d->html_len);
	sv_dashboard_release(cache, d);
	published_list(r, c);
	html_end(r);
	camps_free(&all);
	return 0;
}

int page_survey_results_csv(struct req *r)
{
	struct camps all = { 0 };
	const struct camp *c;
	bool provisional;
	struct sv_dashboard *d = open_results(r, false, &all, &c, &provisional);
	if (!d) {
		camps_free(&all);
		return 0;
	}
	buf_reset(&r->out);
	r->status = 200;
	r->content_type = "text/csv; charset=utf-8";
	char *cd = xasprintf("attachment; filename=\"iat-enquete-%s.csv\"", c->code);
	req_add_header(r, "Content-Disposition", cd);
	free(cd);
	buf_append(&r->out, d->csv, d->csv_len);
	sv_dashboard_release(cache, d);
	camps_free(&all);
	return 0;
}

int api_survey_results(struct req *r)
{
	struct camps all = { 0 };
	const struct camp *c;
	bool provisional;
	struct sv_dashboard *d = open_results(r, true, &all, &c, &provisional);
	if (!d) {
		camps_free(&all);
		return 0;
	}
	/* the envelope around the engine's rendered JSON */
	buf_reset(&r->out);
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
	buf_fmt(&r->out, "{\"ok\":true,\"data\":{\"campaign\":%J,\"year\":%D,\"provisional\":%R,\"results\":", c->code,
	        c->year, provisional ? "true" : "false");
	buf_append(&r->out, d->json, d->json_len);
	buf_puts(&r->out, "}}\n");
	sv_dashboard_release(cache, d);
	camps_free(&all);
	return 0;
}
