/*
 * model.c — the field table, validation and representation of a use-case
 * record (see model.h for the design).
 */
#include "model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact.h"
#include "markdown.h"
#include "siren.h"
#include "text.h"
#include "util.h"

/* ==== The field table ==== */

#define PUB VIS_PUBLIC
#define RES VIS_RESTRICTED

const struct field model_fields[] = {
	/* general */
	{ "title", "Nom du projet", "Nom du projet ou du service déployé.", F_STR, PUB, true, 200, 0, 0, NULL, "general", "nom_projet" },
	{ "summary", "Résumé", "En une ou deux phrases (350 caractères au plus) : ce que fait le service et pour qui.", F_TEXT, PUB, true, 350, 0, 0, NULL, "general", NULL },
	{ "description", "Description du service et de ses usages", "À quoi sert ce service ? Quels bénéfices attendus ? Markdown accepté (sans HTML).", F_MD, PUB, false, 20000, 0, 0, NULL, "general", "usage_description" },
	{ "owner", "Organisation porteuse", "La collectivité ou l'organisme qui porte le projet (SIREN, code INSEE ou identifiant IA·T).", F_ORG, PUB, true, 0, 0, 0, NULL, "general", "coll_siret" },
	{ "partner_orgs", "Collectivités partenaires", "Autres collectivités ou organismes publics associés au projet.", F_ORGS, PUB, false, 50, 0, 0, NULL, "general", NULL },
	{ "partners", "Partenaires associés", "Partenaires académiques, experts, techniques ou financeurs.", F_STRS, PUB, false, 50, 0, 0, NULL, "general", "partenaires" },
	{ "suppliers", "Fournisseurs", "Prestataires et éditeurs, avec leur SIREN quand il est connu.", F_SUPPLIERS, PUB, false, 20, 0, 0, NULL, "general", NULL },
	{ "contact", "Contact du service en charge", "Courriel du contact ou du service en charge (DPO, etc.).", F_STR, RES, false, 320, 0, 0, NULL, "general", "projet_contact" },
	{ "start_date", "Date de démarrage", "AAAA, AAAA-MM ou AAAA-MM-JJ.", F_DATE, PUB, false, 0, 0, 0, NULL, "general", "projet_date" },
	{ "status", "Maturité", "Idée, expérimentation, déploiement, terminé ou abandonné.", F_ENUM, PUB, true, 0, 0, 0, &vocab_status, "general", "projet_status" },
	{ "abandon_reasons", "Raisons de l'abandon", "Si le projet a été abandonné : les obstacles rencontrés. Les échecs aussi sont un savoir.", F_TEXT, PUB, false, 5000, 0, 0, NULL, "general", "status_abandon" },
	{ "theme", "Thème principal", "La grande politique publique concernée.", F_ENUM, PUB, true, 0, 0, 0, &vocab_theme, "general", "theme" },
	{ "sub_themes", "Sous-thèmes", "Un ou deux sous-thèmes de politique publique.", F_STRS, PUB, false, 10, 0, 0, &vocab_sub_theme, "general", "sous_theme" },
	{ "latitude", "Latitude", "Localisation du projet (WGS84).", F_NUM, PUB, false, 0, -90, 90, NULL, "general", "latitude" },
	{ "longitude", "Longitude", "Localisation du projet (WGS84).", F_NUM, PUB, false, 0, -180, 180, NULL, "general", "longitude" },
	{ "image_url", "Logo", "Adresse du logo de la collectivité porteuse.", F_URL, PUB, false, 2000, 0, 0, NULL, "general", "image_url" },
	{ "info_updated_on", "Date de mise à jour des informations", "Date à laquelle le porteur a mis à jour la fiche (déclarative).", F_DATE, PUB, false, 0, 0, 0, NULL, "general", "date" },
	/* reuse (shown for reuses only: records created by "nous réutilisons") */
	{ "reuse_context", "Contexte de la réutilisation", "Pourquoi et dans quel contexte votre collectivité reprend ce projet. Markdown accepté (sans HTML).", F_MD, PUB, false, 10000, 0, 0, NULL, "reuse", NULL },
	{ "reuse_adaptations", "Adaptations apportées", "Ce que vous avez changé par rapport au projet d'origine : périmètre, données, fournisseur, paramétrage. Markdown accepté (sans HTML).", F_MD, PUB, false, 10000, 0, 0, NULL, "reuse", NULL },
	/* service and uses */
	{ "audiences", "Publics du service", "Grand public, bénéficiaires, agents, élus...", F_ENUMS, PUB, false, 10, 0, 0, &vocab_audience, "service", "audience_service" },
	{ "implementation", "Développement et mise en œuvre", "Développé en interne, en externe, avec des prestataires, par un marché public.", F_ENUM, PUB, false, 0, 0, 0, &vocab_implementation, "service", "mise_en_oeuvre" },
	{ "funding", "Financement", "Guichets de financement (interne, Fonds vert, CRTE, France 2030, FEDER, DIAT...).", F_TEXT, RES, false, 2000, 0, 0, NULL, "service", "financement" },
	{ "budget_band", "Budget annuel", "Tranche de budget par an.", F_ENUM, RES, false, 0, 0, 0, &vocab_budget_band, "service", "budget" },
	{ "cost_one_off", "Coût d'investissement", "Coût ponctuel (acquisition, développement, mise en place), en euros HT.", F_NUM, RES, false, 0, 0, 1e10, NULL, "service", NULL },
	{ "cost_yearly", "Coût annuel de fonctionnement", "Licences, hébergement, maintenance, en euros HT par an.", F_NUM, RES, false, 0, 0, 1e10, NULL, "service", NULL },
	{ "staff_time", "Temps d'agents", "Temps de travail des agents consacré au service, en équivalents temps plein (ETP) par an.", F_NUM, RES, false, 0, 0, 100000, NULL, "service", NULL },
	{ "funding_sources", "Sources de financement", "Budget propre, Fonds vert, CRTE, DSIL, France 2030, FEDER...", F_STRS, PUB, false, 10, 0, 0, &vocab_funding_source, "service", NULL },
	{ "hosting", "Hébergement", "Où sont hébergées les données.", F_ENUM, RES, false, 0, 0, 0, &vocab_hosting, "service", "herbergement" },
	{ "decision_scope", "Portée de la décision", "Décision à portée externe (usagers) ou procédure interne.", F_TEXT, PUB, false, 5000, 0, 0, NULL, "service", "decision" },
	{ "decisions_per_year", "Décisions par an", "Nombre approximatif de décisions prises ou aidées par an.", F_INT, PUB, false, 0, 0, 1e12, NULL, "service", NULL },
	{ "automation_level", "Niveau d'automatisation", "Aide à la décision, automatisation partielle ou décision entièrement automatisée.", F_ENUM, PUB, false, 0, 0, 0, &vocab_automation, "service", NULL },
	{ "individual_decisions", "Décisions individuelles", "Le traitement fonde-t-il des décisions individuelles (CRPA, L311-3-1) ?", F_BOOL, PUB, false, 0, 0, 0, NULL, "service", NULL },
	{ "human_oversight", "Contrôle humain", "Qui contrôle les résultats, comment, et peut les corriger.", F_TEXT, PUB, false, 5000, 0, 0, NULL, "service", NULL },
	/* algorithm */
	{ "algorithm_name", "Nom de l'algorithme", "S'il n'en a pas, la décision mise en œuvre (ex. : réservation et accès crèche).", F_STR, PUB, false, 200, 0, 0, NULL, "algorithm", "nom_algorithme" },
	{ "algorithm_description", "Description de l'algorithme", "À quoi sert l'algorithme ? Quelles tâches accomplit-il ?", F_TEXT, PUB, false, 10000, 0, 0, NULL, "algorithm", "algorithme_description" },
	{ "algorithm_operations", "Opérations effectuées par l'algorithme", "Détails techniques des opérations effectuées.", F_TEXT, RES, false, 10000, 0, 0, NULL, "algorithm", "algorithme_operations" },
	{ "ai_techniques", "Techniques d'IA", "Apprentissage automatique, traitement du langage, IA générative, vision...", F_ENUMS, PUB, false, 8, 0, 0, &vocab_ai_technique, "algorithm", "type_algorithme" },
	{ "effectiveness_gap", "Écart aux objectifs", "Faible : le système répond bien aux objectifs ; fort : il n'y répond pas.", F_ENUM, PUB, false, 0, 0, 0, &vocab_level3, "algorithm", "erreur" },
	{ "explainability", "Difficulté d'explication", "Faible : facilement explicable au public ; fort : non explicable au public.", F_ENUM, PUB, false, 0, 0, 0, &vocab_level3, "algorithm", "explicabilite" },
	{ "environmental_impact", "Impact environnemental", "Score ou évaluation de l'impact environnemental (GreenAlgorithm...).", F_TEXT, PUB, false, 5000, 0, 0, NULL, "algorithm", "impact_environnement" },
	/* data */
	{ "data_sources", "Sources des données", "Qui fournit les données d'entraînement et d'utilisation.", F_ENUMS, PUB, false, 5, 0, 0, &vocab_data_source, "data", "donnees_source" },
	{ "data_access", "Mode de collecte des données", "Comment les données sont collectées et mises à jour.", F_ENUM, RES, false, 0, 0, 0, &vocab_data_access, "data", "donnees_acces" },
	{ "personal_data", "Données personnelles", "Aucune, pseudonymisées, personnelles, sensibles.", F_ENUM, PUB, false, 0, 0, 0, &vocab_personal_data, "data", NULL },
	/* risks and rights */
	{ "risk_level", "Niveau de risque (règlement européen sur l'IA)", "Minimal, limité (transparence), haut risque, interdit.", F_ENUM, PUB, false, 0, 0, 0, &vocab_risk_level, "risks", "risque_categorie" },
	{ "risk_assessment", "Évaluation des risques", "Évaluation utilisée, risques identifiés et mesures d'atténuation.", F_TEXT, PUB, false, 10000, 0, 0, NULL, "risks", "risque" },
	{ "proportionality", "Proportionnalité", "Pourquoi l'algorithme est nécessaire ; bénéfice par rapport à une solution sans IA.", F_TEXT, PUB, false, 5000, 0, 0, NULL, "risks", "proportionalite" },
	{ "reversibility", "Réversibilité", "Peut-on annuler complètement les effets de l'algorithme ? Comment ?", F_TEXT, PUB, false, 5000, 0, 0, NULL, "risks", "reversibilite" },
	{ "objection_procedure", "Procédure d'objection", "Comment les personnes peuvent s'opposer à l'utilisation ou au résultat.", F_TEXT, PUB, false, 5000, 0, 0, NULL, "risks", "objection" },
	{ "dpia_done", "AIPD réalisée", "Une analyse d'impact relative à la protection des données a-t-elle été faite ?", F_BOOL, PUB, false, 0, 0, 0, NULL, "risks", NULL },
	{ "dpia_url", "Lien vers l'AIPD", "Adresse de l'AIPD publiée, le cas échéant.", F_URL, PUB, false, 2000, 0, 0, NULL, "risks", NULL },
	{ "legal_bases", "Bases légales", "Textes qui fondent le traitement (titre et lien).", F_LEGAL, PUB, false, 20, 0, 0, NULL, "risks", NULL },
	/* measured impact */
	{ "indicators", "Indicateurs d'impact", "Chaque indicateur : valeur de référence et sa date, mesures datées (ou sur une période), cible, méthode et niveau de preuve (modèle du schéma Etalab de l'impact des services publics numériques).", F_INDICATORS, PUB, false, 30, 0, 0, NULL, "impact", NULL },
	/* reuse kit */
	{ "reuse_kit", "Kit de réutilisation", "Documents et liens utiles pour reprendre le projet : cahier des charges, pièces du marché, référence du contrat, code, schéma de données, formation, contact. Chaque élément est public ou réservé aux agents.", F_KIT, PUB, false, 30, 0, 0, NULL, "reuse_kit", NULL },
	/* resources */
	{ "info_url", "Lien d'information", "Page du projet (information ou accès au service).", F_URL, PUB, false, 2000, 0, 0, NULL, "resources", "url_infos" },
	{ "resource_urls", "Ressources techniques", "Liens vers l'algorithme, les données, le modèle...", F_URLS, PUB, false, 20, 0, 0, NULL, "resources", "url_ressources" },
	{ "source_code_url", "Code source", "Adresse du code source ouvert.", F_URL, PUB, false, 2000, 0, 0, NULL, "resources", NULL },
	{ "source_code_licence", "Licence du code", "Identifiant SPDX de préférence (EUPL-1.2, MIT, AGPL-3.0...).", F_STR, PUB, false, 100, 0, 0, NULL, "resources", NULL },
};
const size_t model_nfields = sizeof model_fields / sizeof model_fields[0];

static const char *const meta_keys[] = {
	"id", "slug", "url", "version", "created_at", "updated_at", "published_at",
	"schema_version", "state", "retract_reason", "provenance",
};

bool model_is_meta_key(const char *key)
{
	for (size_t i = 0; i < ARRAY_LEN(meta_keys); i++)
		if (strcmp(meta_keys[i], key) == 0) return true;
	return false;
}

const char *model_field_unit(const struct field *f)
{
	static const char *const units[][2] = {
		{ "cost_one_off", "€ HT" },
		{ "cost_yearly", "€ HT par an" },
		{ "staff_time", "ETP" },
	};
	for (size_t i = 0; i < ARRAY_LEN(units); i++)
		if (strcmp(units[i][0], f->name) == 0) return units[i][1];
	return NULL;
}

const struct field *model_field(const char *name)
{
	for (size_t i = 0; i < model_nfields; i++)
		if (strcmp(model_fields[i].name, name) == 0) return &model_fields[i];
	return NULL;
}

bool model_field_visible(const struct field *f, bool restricted)
{
	return f->vis == VIS_PUBLIC || restricted;
}

const char *model_type_name(enum ftype t)
{
	static const char *names[] = { "string", "text", "markdown", "enum", "enum_list", "string_list",
		                       "url", "url_list", "boolean", "integer", "number", "date",
		                       "organisation", "organisation_list", "supplier_list",
		                       "legal_basis_list", "indicator_list", "reuse_kit" };
	return names[t];
}

int model_sections(const char **out, int max)
{
	int n = 0;
	for (size_t i = 0; i < model_nfields; i++) {
		const char *sec = model_fields[i].section;
		bool seen = false;
		for (int k = 0; k < n && !seen; k++) seen = strcmp(out[k], sec) == 0;
		if (!seen && n < max) out[n++] = sec;
	}
	return n;
}

const char *model_section_label(const char *section)
{
	static const char *map[][2] = {
		{ "general", "Informations générales" }, { "service", "Service et usages" },
		{ "algorithm", "Algorithme" },          { "data", "Données" },
		{ "risks", "Risques et droits" },       { "resources", "Ressources" },
		{ "impact", "Impact mesuré" },          { "reuse", "Réutilisation" },
		{ "reuse_kit", "Kit de réutilisation" },
	};
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (strcmp(map[i][0], section) == 0) return map[i][1];
	return section;
}

const char *doc_str(const json_t *doc, const char *name)
{
	json_t *v = json_object_get(doc, name);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ==== Validation ==== */

/* Make an error message one line of valid UTF-8, whatever the values it
 * quotes: control characters become spaces; bytes that do not form a
 * valid sequence (bad input quoted, or a character cut by the buffer's
 * end) are dropped. */
static void clean_line(char *s)
{
	unsigned char *p = (unsigned char *)s, *w = p;
	while (*p) {
		size_t n = *p < 0x80 ? 1 : (*p >= 0xC2 && *p <= 0xDF) ? 2 : (*p >= 0xE0 && *p <= 0xEF) ? 3
		         : (*p >= 0xF0 && *p <= 0xF4) ? 4 : 0;
		size_t have = 0;
		while (have < n && p[have]) have++;
		if (n == 0 || have < n || !text_utf8_valid((const char *)p, n)) {
			p++;
			continue;
		}
		if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
			*w++ = ' ';
			p++;
			continue;
		}
		memmove(w, p, n);
		w += n;
		p += n;
	}
	*w = 0;
}

void verrors_add(struct verrors *e, const char *code, const char *field, const char *fmt, ...)
{
	if (e->count < (int)ARRAY_LEN(e->items)) {
		struct verror *v = &e->items[e->count];
		v->code = code;
		snprintf(v->field, sizeof v->field, "%s", field);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(v->message, sizeof v->message, fmt, ap);
		va_end(ap);
		clean_line(v->message);
	}
	e->count++;
}

/* Trim ASCII and Unicode spaces at both ends; returns a heap copy. */
static char *trim_copy(const char *s, size_t len)
{
	size_t a = 0, b = len;
	for (;;) {
		if (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\n' || s[a] == '\r')) a++;
		else if (a + 1 < b && (unsigned char)s[a] == 0xC2 && (unsigned char)s[a + 1] == 0xA0) a += 2;
		else break;
	}
	for (;;) {
		if (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\n' || s[b - 1] == '\r')) b--;
		else if (b >= a + 2 && (unsigned char)s[b - 2] == 0xC2 && (unsigned char)s[b - 1] == 0xA0) b -= 2;
		else break;
	}
	return xstrndup(s + a, b - a);
}

/* Validate one string; returns a heap copy (trimmed, CRLF normalised), ""
 * meaning empty, or NULL after reporting an error. */
static char *check_string(const struct field *f, const char *label, const json_t *v, bool multiline,
                          int maxlen, struct verrors *e)
{
	if (!json_is_string(v)) {
		verrors_add(e, "validation.type", label, "« %s » doit être un texte.", f->label);
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (!text_utf8_valid(s, len)) {
		verrors_add(e, "validation.format", label, "« %s » n'est pas un texte UTF-8 valide.", f->label);
		return NULL;
	}
	if (text_has_control(s, len)) {
		verrors_add(e, "validation.format", label, "« %s » contient des caractères de contrôle.", f->label);
		return NULL;
	}
	char *t = trim_copy(s, len);
	if (multiline) {
		/* CRLF / CR -> LF */
		size_t j = 0;
		for (size_t i = 0; t[i]; i++) {
			if (t[i] == '\r') {
				t[j++] = '\n';
				if (t[i + 1] == '\n') i++;
			} else {
				t[j++] = t[i];
			}
		}
		t[j] = 0;
	} else if (strchr(t, '\n') || strchr(t, '\r')) {
		verrors_add(e, "validation.format", label, "« %s » doit tenir sur une ligne.", f->label);
		free(t);
		return NULL;
	}
	if (maxlen > 0 && text_utf8_len(t, strlen(t)) > (size_t)maxlen) {
		verrors_add(e, "validation.too_long", label, "« %s » dépasse %d caractères.", f->label, maxlen);
		free(t);
		return NULL;
	}
	return t;
}

bool model_url_ok(const char *u)
{
	size_t n = strlen(u);
	if (n > 2000) return false;
	const char *host;
	if (strncasecmp(u, "https://", 8) == 0) host = u + 8;
	else if (strncasecmp(u, "http://", 7) == 0) host = u + 7;
	else return false;
	if (!*host || *host == '/' || *host == '?' || *host == '#') return false;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\' || *p == '`')
			return false;
	return true;
}

static bool date_ok(const char *s)
{
	size_t n = strlen(s);
	if (n != 4 && n != 7 && n != 10) return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 4 || i == 7;
		if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return false;
	}
	int y = atoi(s);
	if (y < 1950 || y > 2100) return false;
	if (n >= 7) {
		int m = atoi(s + 5);
		if (m < 1 || m > 12) return false;
		if (n == 10) {
			static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
			int d = atoi(s + 8);
			if (d < 1 || d > mdays[m - 1]) return false;
			if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
		}
	}
	return true;
}

static bool org_key_syntax_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 40) return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == 'A' || c == 'B'))
			return false;
	}
	return true;
}

/* Validate an object of a list (suppliers, legal bases). */
static json_t *check_object_item(const struct field *f, const json_t *item, size_t idx,
                                 struct verrors *e)
{
	char label[64];
	snprintf(label, sizeof label, "%s[%zu]", f->name, idx);
	if (!json_is_object(item)) {
		verrors_add(e, "validation.type", label, "« %s » : l'élément %zu doit être un objet.", f->label, idx + 1);
		return NULL;
	}
	bool sup = f->type == F_SUPPLIERS;
	const char *k1 = sup ? "name" : "title", *k2 = sup ? "siren" : "url";
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)item, key, val) {
		if (strcmp(key, k1) && strcmp(key, k2)) {
			char l2[128];
			snprintf(l2, sizeof l2, "%s.%.40s", label, key);
			verrors_add(e, "validation.unknown_field", l2, "« %s » : champ inconnu « %.40s » (attendus : %s, %s).",
			            f->label, key, k1, k2);
			return NULL;
		}
	}
	json_t *out = json_object();
	struct field sub = *f;
	sub.label = sup ? "Nom du fournisseur" : "Titre de la base légale";
	json_t *v1 = json_object_get(item, k1);
	char *s1 = v1 && !json_is_null(v1) ? check_string(&sub, label, v1, false, sup ? 200 : 300, e) : NULL;
	if (!s1 || !*s1) {
		if (s1 || !v1 || json_is_null(v1))
			verrors_add(e, "validation.required", label, "« %s » : %s est obligatoire.", f->label,
			            sup ? "le nom" : "le titre");
		free(s1);
		json_decref(out);
		return NULL;
	}
	json_object_set_new(out, k1, json_string(s1));
	free(s1);
	json_t *v2 = json_object_get(item, k2);
	if (v2 && !json_is_null(v2)) {
		sub.label = sup ? "SIREN du fournisseur" : "Lien de la base légale";
		char *s2 = check_string(&sub, label, v2, false, sup ? 30 : 2000, e);
		if (!s2) {
			json_decref(out);
			return NULL;
		}
		if (*s2) {
			if (sup) {
				char digits[16];
				if (siren_digits(s2, digits, sizeof digits) != 9 || !siren_valid(digits)) {
					verrors_add(e, "validation.format", label, "« %s » : SIREN invalide « %s » (9 chiffres, clé de contrôle).",
					            f->label, s2);
					free(s2);
					json_decref(out);
					return NULL;
				}
				json_object_set_new(out, k2, json_string(digits));
			} else {
				if (!model_url_ok(s2)) {
					verrors_add(e, "validation.format", label, "« %s » : adresse invalide (http:// ou https:// attendu).", f->label);
					free(s2);
					json_decref(out);
					return NULL;
				}
				json_object_set_new(out, k2, json_string(s2));
			}
		}
		free(s2);
	}
	return out;
}

/* ==== Impact indicators and reuse-kit items ==== */

/* Reject keys of object o not in allowed (NULL-terminated). label: the
 * item's path ("indicators[0]"). */
static bool only_keys(const json_t *o, const char *const *allowed, const char *label, const char *what,
                      struct verrors *e)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)o, key, val) {
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++) ok = strcmp(*a, key) == 0;
		if (!ok) {
			char l2[64];
			snprintf(l2, sizeof l2, "%.40s.%.20s", label, key);
			verrors_add(e, "validation.unknown_field", l2, "%s : champ inconnu « %.40s ».", what, key);
			return false;
		}
	}
	return true;
}

/* Optional string member k of o: a trimmed heap copy, NULL when absent or
 * empty (*bad set after reporting an error). */
static char *item_str(const json_t *o, const char *k, const char *label, const char *what, int maxlen,
                      bool multiline, bool *bad, struct verrors *e)
{
	json_t *v = json_object_get(o, k);
	if (!v || json_is_null(v)) return NULL;
	char path[64];
	snprintf(path, sizeof path, "%.40s.%.20s", label, k);
	struct field sub = { .name = k, .label = what };
	char *s = check_string(&sub, path, v, multiline, maxlen, e);
	if (!s) {
		*bad = true;
		return NULL;
	}
	if (!*s) {
		free(s);
		return NULL;
	}
	return s;
}

/* Optional code of vocabulary voc; NULL when absent. */
static const char *item_code(const json_t *o, const char *k, const struct vocab *voc, const char *label,
                             const char *what, bool *bad, struct verrors *e)
{
	char *s = item_str(o, k, label, what, 60, false, bad, e);
	if (!s) return NULL;
	int i = vocab_index(voc, s);
	if (i < 0) {
		char path[64];
		snprintf(path, sizeof path, "%.40s.%.20s", label, k);
		verrors_add(e, "validation.enum", path, "%s : valeur « %.40s » inconnue (voir /api/v1/schema).", what, s);
		*bad = true;
	}
	free(s);
	return i < 0 ? NULL : voc->terms[i].code;
}

/* A {value, date[, start]} object (baseline, measurement, target).
 * need_date: the date is required. Adds the canonical object to out under
 * key (or appends to the array out when key is NULL). Returns false on
 * error. */
static bool check_point(const json_t *p, const char *label, const char *what, bool need_date, bool with_start,
                        const char *today, struct verrors *e, json_t **res)
{
	static const char *const keys[] = { "value", "date", "start", NULL };
	static const char *const keys_nostart[] = { "value", "date", NULL };
	*res = NULL;
	if (!json_is_object(p)) {
		verrors_add(e, "validation.type", label, "%s doit être un objet {value, date}.", what);
		return false;
	}
	if (!only_keys(p, with_start ? keys : keys_nostart, label, what, e)) return false;
	char path[128];
	json_t *v = json_object_get(p, "value");
	snprintf(path, sizeof path, "%.50s.value", label);
	if (!v || json_is_null(v)) {
		verrors_add(e, "validation.required", path, "%s : la valeur est obligatoire.", what);
		return false;
	}
	if (!json_is_number(v) || !isfinite(json_number_value(v)) || fabs(json_number_value(v)) > 1e15) {
		verrors_add(e, "validation.type", path, "%s : la valeur doit être un nombre.", what);
		return false;
	}
	bool bad = false;
	char *date = item_str(p, "date", label, what, 10, false, &bad, e);
	char *start = with_start ? item_str(p, "start", label, what, 10, false, &bad, e) : NULL;
	if (bad) goto fail;
	snprintf(path, sizeof path, "%.50s.date", label);
	if (!date && need_date) {
		verrors_add(e, "validation.required", path, "%s : la date est obligatoire (AAAA-MM-JJ).", what);
		goto fail;
	}
	if (date && impact_days(date) == INT32_MIN) {
		verrors_add(e, "validation.format", path, "%s : date « %.20s » invalide (AAAA-MM-JJ attendu).", what, date);
		goto fail;
	}
	if (date && today && strcmp(date, today) > 0) {
		verrors_add(e, "validation.format", path, "%s : la date %.10s est dans le futur (une valeur future est une cible).",
		            what, date);
		goto fail;
	}
	if (start) {
		snprintf(path, sizeof path, "%.50s.start", label);
		if (impact_days(start) == INT32_MIN) {
			verrors_add(e, "validation.format", path, "%s : date de début « %.20s » invalide (AAAA-MM-JJ attendu).", what,
			            start);
			goto fail;
		}
		if (date && strcmp(start, date) > 0) {
			verrors_add(e, "validation.format", path, "%s : la période commence après sa date de fin.", what);
			goto fail;
		}
	}
	*res = json_object();
	json_object_set_new(*res, "value", json_real(json_number_value(v)));
	if (date) json_object_set_new(*res, "date", json_string(date));
	if (start) json_object_set_new(*res, "start", json_string(start));
	free(date);
	free(start);
	return true;
fail:
	free(date);
	free(start);
	return false;
}

static int cmp_point(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "date")), json_string_value(json_object_get(y, "date")));
	if (c) return c;
	const char *sx = json_string_value(json_object_get(x, "start")), *sy = json_string_value(json_object_get(y, "start"));
	return strcmp(sx ? sx : "", sy ? sy : "");
}

#define MAX_MEASUREMENTS 120

/* Validate one impact indicator (see impact.h for its shape). */
static json_t *check_indicator(const struct field *f, const json_t *item, size_t idx, struct verrors *e)
{
	static const char *const keys[] = { "name", "common", "type", "unit", "baseline", "measurements", "target",
		                            "frequency", "automated", "source", "method", "comments", "evidence",
		                            "evaluator", "report_url", "visibility", NULL };
	char label[64], what[96], path[128];
	snprintf(label, sizeof label, "%.30s[%zu]", f->name, idx);
	snprintf(what, sizeof what, "Indicateur %zu", idx + 1);
	if (!json_is_object(item)) {
		verrors_add(e, "validation.type", label, "« %s » : l'élément %zu doit être un objet.", f->label, idx + 1);
		return NULL;
	}
	if (!only_keys(item, keys, label, what, e)) return NULL;
	char today[21];
	iso8601_utc(now_unix(), today);
	today[10] = 0;
	bool bad = false;
	json_t *out = json_object();
	char *name = item_str(item, "name", label, what, 200, false, &bad, e);
	char *unit = item_str(item, "unit", label, what, 40, false, &bad, e);
	char *source = item_str(item, "source", label, what, 300, false, &bad, e);
	char *method = item_str(item, "method", label, what, 2000, true, &bad, e);
	char *comments = item_str(item, "comments", label, what, 2000, true, &bad, e);
	char *evaluator = item_str(item, "evaluator", label, what, 200, false, &bad, e);
	char *report = item_str(item, "report_url", label, what, 2000, false, &bad, e);
	char *common = item_str(item, "common", label, what, 60, false, &bad, e);
	const char *type = item_code(item, "type", &vocab_indicator_type, label, what, &bad, e);
	const char *freq = item_code(item, "frequency", &vocab_frequency, label, what, &bad, e);
	const char *evidence = item_code(item, "evidence", &vocab_evidence, label, what, &bad, e);
	const char *vis = item_code(item, "visibility", &vocab_item_visibility, label, what, &bad, e);
	if (bad) goto fail;
	const struct impact_common *c = NULL;
	if (common) {
		c = impact_common_find(common);
		if (!c) {
			snprintf(path, sizeof path, "%s.common", label);
			verrors_add(e, "validation.enum", path, "%s : indicateur courant « %.40s » inconnu (voir /api/v1/schema).",
			            what, common);
			goto fail;
		}
		if (!name) name = xstrdup(c->label);
		if (!unit) unit = xstrdup(c->unit);
		if (!type) type = c->type;
	}
	if (!name) {
		snprintf(path, sizeof path, "%s.name", label);
		verrors_add(e, "validation.required", path, "%s : le nom de l'indicateur est obligatoire.", what);
		goto fail;
	}
	if (!unit) {
		snprintf(path, sizeof path, "%s.unit", label);
		verrors_add(e, "validation.required", path, "%s (« %.60s ») : l'unité est obligatoire (heures, jours, €, %%...).",
		            what, name);
		goto fail;
	}
	if (report && !model_url_ok(report)) {
		snprintf(path, sizeof path, "%s.report_url", label);
		verrors_add(e, "validation.format", path, "%s : le lien du rapport doit commencer par http:// ou https://.", what);
		goto fail;
	}
	if (!evidence) evidence = "declared";
	if (strcmp(evidence, "independent") == 0 && (!evaluator || !report)) {
		snprintf(path, sizeof path, "%s.%s", label, evaluator ? "report_url" : "evaluator");
		verrors_add(e, "validation.required", path,
		            "%s (« %.60s ») : une évaluation indépendante doit nommer son évaluateur et donner le lien du rapport.",
		            what, name);
		goto fail;
	}
	json_object_set_new(out, "name", json_string(name));
	if (c) json_object_set_new(out, "common", json_string(c->code));
	json_object_set_new(out, "type", json_string(type ? type : "impact"));
	json_object_set_new(out, "unit", json_string(unit));
	json_t *p = json_object_get(item, "baseline"), *pc;
	if (p && !json_is_null(p)) {
		snprintf(path, sizeof path, "%s.baseline", label);
		char w2[128];
		snprintf(w2, sizeof w2, "%s, valeur de référence", what);
		if (!check_point(p, path, w2, true, false, today, e, &pc)) goto fail;
		json_object_set_new(out, "baseline", pc);
	}
	json_t *ms = json_object_get(item, "measurements");
	if (ms && !json_is_null(ms)) {
		snprintf(path, sizeof path, "%s.measurements", label);
		if (!json_is_array(ms)) {
			verrors_add(e, "validation.type", path, "%s : les mesures doivent être une liste.", what);
			goto fail;
		}
		if (json_array_size(ms) > MAX_MEASUREMENTS) {
			verrors_add(e, "validation.too_long", path, "%s : %d mesures au plus.", what, MAX_MEASUREMENTS);
			goto fail;
		}
		size_t n = json_array_size(ms), k;
		json_t **pts = xcalloc(n ? n : 1, sizeof *pts);
		bool okm = true;
		for (k = 0; k < n && okm; k++) {
			char p2[128], w2[128];
			snprintf(p2, sizeof p2, "%s.measurements[%zu]", label, k);
			snprintf(w2, sizeof w2, "%s, mesure %zu", what, k + 1);
			okm = check_point(json_array_get(ms, k), p2, w2, true, true, today, e, &pts[k]);
		}
		if (okm) {
			qsort(pts, n, sizeof *pts, cmp_point);
			for (k = 1; k < n && okm; k++)
				if (cmp_point(&pts[k - 1], &pts[k]) == 0) {
					verrors_add(e, "validation.format", path, "%s : deux mesures portent sur la même date (%.10s).", what,
					            json_string_value(json_object_get(pts[k], "date")));
					okm = false;
				}
			json_t *bl = json_object_get(out, "baseline");
			const char *bd = bl ? json_string_value(json_object_get(bl, "date")) : NULL;
			if (okm && bd && n && strcmp(json_string_value(json_object_get(pts[0], "date")), bd) <= 0) {
				verrors_add(e, "validation.format", path,
				            "%s : chaque mesure doit être postérieure à la valeur de référence (%.10s).", what, bd);
				okm = false;
			}
		}
		json_t *arr = json_array();
		for (k = 0; k < n; k++)
			if (pts[k]) json_array_append_new(arr, pts[k]);
		free(pts);
		if (!okm) {
			json_decref(arr);
			goto fail;
		}
		if (json_array_size(arr)) json_object_set_new(out, "measurements", arr);
		else json_decref(arr);
	}
	p = json_object_get(item, "target");
	if (p && !json_is_null(p)) {
		snprintf(path, sizeof path, "%s.target", label);
		char w2[128];
		snprintf(w2, sizeof w2, "%s, cible", what);
		if (!check_point(p, path, w2, false, false, NULL, e, &pc)) goto fail;
		json_object_set_new(out, "target", pc);
	}
	if (freq) json_object_set_new(out, "frequency", json_string(freq));
	json_t *aut = json_object_get(item, "automated");
	if (aut && !json_is_null(aut)) {
		if (!json_is_boolean(aut)) {
			snprintf(path, sizeof path, "%s.automated", label);
			verrors_add(e, "validation.type", path, "%s : « collecte automatisée » doit valoir true ou false.", what);
			goto fail;
		}
		json_object_set(out, "automated", aut);
	}
	if (source) json_object_set_new(out, "source", json_string(source));
	if (method) json_object_set_new(out, "method", json_string(method));
	if (comments) json_object_set_new(out, "comments", json_string(comments));
	json_object_set_new(out, "evidence", json_string(evidence));
	if (evaluator) json_object_set_new(out, "evaluator", json_string(evaluator));
	if (report) json_object_set_new(out, "report_url", json_string(report));
	json_object_set_new(out, "visibility", json_string(vis ? vis : "public"));
	goto done;
fail:
	json_decref(out);
	out = NULL;
done:
	free(name);
	free(unit);
	free(source);
	free(method);
	free(comments);
	free(evaluator);
	free(report);
	free(common);
	return out;
}

/* Validate one reuse-kit item {kind, title, url?, reference?, visibility}. */
static json_t *check_kit_item(const struct field *f, const json_t *item, size_t idx, struct verrors *e)
{
	static const char *const keys[] = { "kind", "title", "url", "reference", "visibility", NULL };
	char label[64], what[96], path[128];
	snprintf(label, sizeof label, "%.30s[%zu]", f->name, idx);
	snprintf(what, sizeof what, "Kit de réutilisation, élément %zu", idx + 1);
	if (!json_is_object(item)) {
		verrors_add(e, "validation.type", label, "« %s » : l'élément %zu doit être un objet.", f->label, idx + 1);
		return NULL;
	}
	if (!only_keys(item, keys, label, what, e)) return NULL;
	bool bad = false;
	json_t *out = NULL;
	const char *kind = item_code(item, "kind", &vocab_kit_kind, label, what, &bad, e);
	const char *vis = item_code(item, "visibility", &vocab_item_visibility, label, what, &bad, e);
	char *title = item_str(item, "title", label, what, 200, false, &bad, e);
	char *url = item_str(item, "url", label, what, 2000, false, &bad, e);
	char *ref = item_str(item, "reference", label, what, 500, true, &bad, e);
	if (bad) goto done;
	if (!kind) {
		snprintf(path, sizeof path, "%s.kind", label);
		verrors_add(e, "validation.required", path, "%s : la nature du document est obligatoire.", what);
		goto done;
	}
	if (!title) {
		snprintf(path, sizeof path, "%s.title", label);
		verrors_add(e, "validation.required", path, "%s : le titre est obligatoire.", what);
		goto done;
	}
	if (url && !model_url_ok(url)) {
		snprintf(path, sizeof path, "%s.url", label);
		verrors_add(e, "validation.format", path, "%s : l'adresse doit commencer par http:// ou https://.", what);
		goto done;
	}
	if (!url && !ref) {
		snprintf(path, sizeof path, "%s.url", label);
		verrors_add(e, "validation.required", path, "%s : donnez une adresse ou une référence (contrat, contact...).", what);
		goto done;
	}
	out = json_object();
	json_object_set_new(out, "kind", json_string(kind));
	json_object_set_new(out, "title", json_string(title));
	if (url) json_object_set_new(out, "url", json_string(url));
	if (ref) json_object_set_new(out, "reference", json_string(ref));
	json_object_set_new(out, "visibility", json_string(vis ? vis : "public"));
done:
	free(title);
	free(url);
	free(ref);
	return out;
}

/* The provenance of an imported record as a reader sees it: the raw
 * values of source columns that feed restricted fields are removed (the
 * rule of model_render_json()). New reference. */
static json_t *provenance_for_reader(const json_t *prov, bool restricted)
{
	json_t *out = json_deep_copy(prov);
	json_t *raw = json_object_get(out, "raw");
	if (restricted || !json_is_object(raw)) return out;
	for (size_t i = 0; i < model_nfields; i++)
		if (model_fields[i].source && !model_field_visible(&model_fields[i], restricted))
			json_object_del(raw, model_fields[i].source);
	return out;
}

json_t *model_doc_for_reader(const json_t *doc, bool restricted)
{
	json_t *out = json_object();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)doc, key, v) {
		const struct field *f = model_field(key);
		if (!f) {
			if (strcmp(key, "provenance") == 0 && json_is_object(v))
				json_object_set_new(out, key, provenance_for_reader(v, restricted));
			else
				json_object_set(out, key, v);
			continue;
		}
		if (!model_field_visible(f, restricted)) continue;
		json_t *x = model_value_for_reader(f, v, restricted);
		if (x) json_object_set_new(out, key, x);
	}
	return out;
}

json_t *model_value_for_reader(const struct field *f, const json_t *v, bool restricted)
{
	if (!v) return NULL;
	if ((f->type != F_INDICATORS && f->type != F_KIT) || restricted || !json_is_array(v))
		return json_incref((json_t *)v);
	json_t *out = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		json_t *vis = json_object_get(x, "visibility");
		if (!json_is_string(vis) || strcmp(json_string_value(vis), "public") == 0) json_array_append(out, x);
	}
	if (json_array_size(out) == 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* Validate one field value. Returns the canonical value (new reference),
 * json_null() to clear the field, or NULL after reporting an error. */
static json_t *check_value(const struct field *f, const json_t *v, struct verrors *e)
{
	const char *n = f->name;
	if (json_is_null(v)) return json_null();
	switch (f->type) {
	case F_STR:
	case F_TEXT:
	case F_MD:
	case F_URL:
	case F_DATE:
	case F_ORG:
	case F_ENUM: {
		bool multi = f->type == F_TEXT || f->type == F_MD;
		int maxlen = f->type == F_STR || multi ? f->maxlen : 2000;
		char *s = check_string(f, n, v, multi, maxlen, e);
		if (!s) return NULL;
		json_t *out = NULL;
		if (!*s) {
			out = json_null();
		} else if (f->type == F_URL && !model_url_ok(s)) {
			verrors_add(e, "validation.format", n, "« %s » doit être une adresse web commençant par http:// ou https://.", f->label);
		} else if (f->type == F_DATE && !date_ok(s)) {
			verrors_add(e, "validation.format", n, "« %s » doit être une date AAAA, AAAA-MM ou AAAA-MM-JJ valide.", f->label);
		} else if (f->type == F_ORG && !org_key_syntax_ok(s)) {
			verrors_add(e, "validation.format", n, "« %s » : identifiant d'organisation invalide.", f->label);
		} else if (f->type == F_ENUM && vocab_index(f->vocab, s) < 0) {
			verrors_add(e, "validation.enum", n, "« %s » : valeur « %.60s » inconnue (voir /api/v1/schema).", f->label, s);
		} else {
			out = json_string(s);
		}
		free(s);
		return out;
	}
	case F_BOOL:
		if (!json_is_boolean(v)) {
			verrors_add(e, "validation.type", n, "« %s » doit valoir true ou false.", f->label);
			return NULL;
		}
		return json_incref((json_t *)v);
	case F_INT:
		if (!json_is_integer(v) || json_integer_value(v) < 0 || (double)json_integer_value(v) > f->max) {
			verrors_add(e, "validation.type", n, "« %s » doit être un nombre entier positif.", f->label);
			return NULL;
		}
		return json_incref((json_t *)v);
	case F_NUM: {
		if (!json_is_number(v)) {
			verrors_add(e, "validation.type", n, "« %s » doit être un nombre.", f->label);
			return NULL;
		}
		double d = json_number_value(v);
		if (!isfinite(d) || d < f->min || d > f->max) {
			verrors_add(e, "validation.format", n, "« %s » doit être compris entre %g et %g.", f->label, f->min, f->max);
			return NULL;
		}
		return json_real(d);
	}
	case F_ENUMS:
	case F_STRS:
	case F_URLS:
	case F_ORGS:
	case F_SUPPLIERS:
	case F_LEGAL:
	case F_INDICATORS:
	case F_KIT: {
		if (!json_is_array(v)) {
			verrors_add(e, "validation.type", n, "« %s » doit être une liste.", f->label);
			return NULL;
		}
		if (f->maxlen && json_array_size(v) > (size_t)f->maxlen) {
			verrors_add(e, "validation.too_long", n, "« %s » : %d éléments au plus.", f->label, f->maxlen);
			return NULL;
		}
		json_t *out = json_array();
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item) {
			json_t *c = NULL;
			if (f->type == F_SUPPLIERS || f->type == F_LEGAL) {
				c = check_object_item(f, item, i, e);
			} else if (f->type == F_INDICATORS) {
				c = check_indicator(f, item, i, e);
			} else if (f->type == F_KIT) {
				c = check_kit_item(f, item, i, e);
			} else {
				struct field one = *f;
				one.type = f->type == F_ENUMS ? F_ENUM : f->type == F_URLS ? F_URL : f->type == F_ORGS ? F_ORG : F_STR;
				one.maxlen = f->type == F_STRS ? 200 : 2000;
				char label[64];
				snprintf(label, sizeof label, "%s[%zu]", n, i);
				one.name = label;
				if (json_is_null(item)) {
					verrors_add(e, "validation.type", label, "« %s » : élément vide.", f->label);
				} else {
					c = check_value(&one, item, e);
				}
				if (c && json_is_null(c)) { /* empty strings in lists are dropped */
					json_decref(c);
					continue;
				}
			}
			if (!c) {
				json_decref(out);
				return NULL;
			}
			/* no duplicates */
			bool dup = false;
			size_t k;
			json_t *prev;
			json_array_foreach(out, k, prev) if (json_equal(prev, c)) dup = true;
			if (dup) json_decref(c);
			else json_array_append_new(out, c);
		}
		if (json_array_size(out) == 0) {
			json_decref(out);
			return json_null();
		}
		return out;
	}
	}
	return NULL;
}

json_t *model_validate(const json_t *input, const json_t *base, struct verrors *e)
{
	if (!json_is_object(input)) {
		verrors_add(e, "validation.type", "", "Le corps de la requête doit être un objet JSON.");
		return NULL;
	}
	json_t *doc = base ? json_deep_copy(base) : json_object();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)input, key, v) {
		const struct field *f = model_field(key);
		if (!f) {
			if (model_is_meta_key(key))
				verrors_add(e, "validation.read_only", key, "« %.60s » est en lecture seule.", key);
			else
				verrors_add(e, "validation.unknown_field", key, "Champ inconnu « %.60s ».", key);
			continue;
		}
		json_t *c = check_value(f, v, e);
		if (!c) continue;
		if (json_is_null(c)) {
			json_object_del(doc, key);
			json_decref(c);
		} else {
			json_object_set_new(doc, key, c);
		}
	}
	if (e->count == 0) {
		for (size_t i = 0; i < model_nfields; i++) {
			const struct field *f = &model_fields[i];
			if (f->required && !json_object_get(doc, f->name))
				verrors_add(e, "validation.required", f->name, "« %s » est obligatoire.", f->label);
		}
		const char *status = doc_str(doc, "status");
		if (status && strcmp(status, "abandoned") == 0 && !json_object_get(doc, "abandon_reasons"))
			verrors_add(e, "validation.required", "abandon_reasons",
			            "« Raisons de l'abandon » est obligatoire pour un projet abandonné.");
		if (json_object_get(doc, "dpia_url") && !json_is_true(json_object_get(doc, "dpia_done")))
			verrors_add(e, "validation.format", "dpia_url",
			            "« Lien vers l'AIPD » suppose que « AIPD réalisée » vaille oui.");
	}
	if (e->count) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* ==== Representation ==== */

static void render_value(jsonw_t *w, const struct field *f, const json_t *v, org_ref_fn ref, void *ctx)
{
	if (!v) {
		jw_null(w);
		return;
	}
	if (f->type == F_ORG && json_is_string(v)) {
		ref(ctx, w, json_string_value(v));
		return;
	}
	if (f->type == F_ORGS && json_is_array(v)) {
		size_t i;
		json_t *x;
		jw_arr(w);
		json_array_foreach(v, i, x) if (json_is_string(x)) ref(ctx, w, json_string_value(x));
		jw_arr_end(w);
		return;
	}
	jw_jansson(w, v);
}

void model_render_json(jsonw_t *w, const json_t *doc, const struct usecase_meta *m, bool restricted,
                       org_ref_fn ref, void *ctx)
{
	jw_obj(w);
	jw_kint(w, "id", m->id);
	jw_kstr(w, "slug", m->slug);
	jw_key(w, "url");
	{
		buf_t u = BUF_INIT;
		buf_fmt(&u, "/fiches/%D-%R", m->id, m->slug);
		jw_strn(w, u.data, u.len);
		buf_free(&u);
	}
	jw_kstr(w, "schema_version", MODEL_SCHEMA_VERSION);
	jw_kstr(w, "state", m->state);
	jw_kint(w, "version", m->version);
	jw_kstr(w, "created_at", m->created_at);
	jw_kstr(w, "updated_at", m->updated_at);
	jw_kstr(w, "published_at", m->published_at);
	jw_kstr(w, "retract_reason", m->retract_reason);
	jw_key(w, "reuse_of");
	if (m->origin_id > 0) {
		jw_obj(w);
		jw_kint(w, "id", m->origin_id);
		buf_t u = BUF_INIT;
		buf_fmt(&u, "/fiches/%D", m->origin_id);
		jw_key(w, "url");
		jw_strn(w, u.data, u.len);
		buf_free(&u);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	if (m->impact) model_render_impact(w, m->impact);
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		if (!model_field_visible(f, restricted)) continue;
		jw_key(w, f->name);
		json_t *v = model_value_for_reader(f, json_object_get(doc, f->name), restricted);
		render_value(w, f, v, ref, ctx);
		json_decref(v);
	}
	/* provenance: where an imported record came from; raw values of
	 * restricted source columns are shown only to readers of restricted
	 * fields. */
	json_t *prov = json_object_get(doc, "provenance");
	if (json_is_object(prov)) {
		jw_key(w, "provenance");
		jw_obj(w);
		const char *k;
		json_t *x;
		json_object_foreach(prov, k, x) {
			if (strcmp(k, "raw") == 0 && json_is_object(x)) {
				jw_key(w, "raw");
				jw_obj(w);
				const char *col;
				json_t *val;
				json_object_foreach(x, col, val) {
					bool visible = true;
					for (size_t i = 0; i < model_nfields; i++)
						if (model_fields[i].source && strcmp(model_fields[i].source, col) == 0)
							visible = model_field_visible(&model_fields[i], restricted);
					if (!visible) continue;
					jw_key(w, col);
					jw_jansson(w, val);
				}
				jw_obj_end(w);
			} else {
				jw_key(w, k);
				jw_jansson(w, x);
			}
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

void model_render_impact(jsonw_t *w, const struct impact_result *r)
{
	static const char *const levels[] = { NULL, "declared", "measured", "independent" };
	jw_key(w, "impact_label");
	jw_obj(w);
	jw_kbool(w, "awarded", r->awarded);
	jw_kbool(w, "rules_met", r->rules_met);
	jw_kstr(w, "basis", r->basis);
	jw_kstr(w, "evidence_level", levels[r->evidence & 3]);
	jw_kint(w, "evidence_score", r->score);
	jw_key(w, "missing");
	jw_arr(w);
	for (int i = 0; i < r->nmissing; i++) {
		jw_obj(w);
		jw_kstr(w, "code", r->missing[i].code);
		jw_kstr(w, "message", r->missing[i].message);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

void model_public_text(buf_t *out, const json_t *doc)
{
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		if (f->vis != VIS_PUBLIC) continue;
		if (!strcmp(f->name, "title") || !strcmp(f->name, "summary")) continue;
		json_t *v = json_object_get(doc, f->name);
		if (!v) continue;
		switch (f->type) {
		case F_MD:
			markdown_to_text(out, json_string_value(v), json_string_length(v));
			buf_putc(out, '\n');
			break;
		case F_STR:
		case F_TEXT:
			buf_append(out, json_string_value(v), json_string_length(v));
			buf_putc(out, '\n');
			break;
		case F_ENUM:
			if (f->vocab == &vocab_theme) {
				buf_puts(out, vocab_label(f->vocab, json_string_value(v)));
				buf_putc(out, '\n');
			}
			break;
		case F_STRS: {
			size_t k;
			json_t *x;
			json_array_foreach(v, k, x) {
				buf_append(out, json_string_value(x), json_string_length(x));
				buf_putc(out, '\n');
			}
			break;
		}
		case F_SUPPLIERS:
		case F_INDICATORS:
		case F_KIT: {
			/* names of suppliers and public indicators, titles of public kit items */
			json_t *pub = model_value_for_reader(f, v, false);
			size_t k;
			json_t *x;
			json_array_foreach(pub, k, x) {
				const char *t = doc_str(x, f->type == F_KIT ? "title" : "name");
				if (!t) continue;
				buf_puts(out, t);
				buf_putc(out, '\n');
			}
			json_decref(pub);
			break;
		}
		default:
			break;
		}
	}
}

int64_t model_techniques_mask(const json_t *doc)
{
	int64_t mask = 0;
	json_t *v = json_object_get(doc, "ai_techniques");
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		int k = vocab_index(&vocab_ai_technique, json_string_value(x));
		if (k >= 0) mask |= (int64_t)1 << k;
	}
	return mask;
}

static bool is_list(enum ftype t)
{
	return t == F_ENUMS || t == F_STRS || t == F_URLS || t == F_ORGS || t == F_SUPPLIERS || t == F_LEGAL ||
	       t == F_INDICATORS || t == F_KIT;
}

static void render_vocab(jsonw_t *w, const struct vocab *v)
{
	jw_arr(w);
	for (size_t i = 0; i < v->count; i++) {
		jw_obj(w);
		jw_kstr(w, "code", v->terms[i].code);
		jw_kstr(w, "label", v->terms[i].label);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* The members of an indicator or reuse-kit item, for /api/v1/schema:
 * {name, type, required, vocabulary?} (the vocabularies are listed under
 * "vocabularies"). Keep in step with check_indicator() / check_kit_item(). */
static void render_item_schema(jsonw_t *w, enum ftype t)
{
	static const struct { const char *name, *type, *vocab; bool required; } ind[] = {
		{ "name", "string", NULL, true },          { "common", "enum", "common_indicators", false },
		{ "type", "enum", "indicator_type", false }, { "unit", "string", NULL, true },
		{ "baseline", "point", NULL, false },       { "measurements", "point_list", NULL, false },
		{ "target", "point", NULL, false },         { "frequency", "enum", "frequency", false },
		{ "automated", "boolean", NULL, false },    { "source", "string", NULL, false },
		{ "method", "text", NULL, false },          { "comments", "text", NULL, false },
		{ "evidence", "enum", "evidence_level", false }, { "evaluator", "string", NULL, false },
		{ "report_url", "url", NULL, false },       { "visibility", "enum", "visibility", false },
	}, kit[] = {
		{ "kind", "enum", "kit_kind", true },       { "title", "string", NULL, true },
		{ "url", "url", NULL, false },              { "reference", "text", NULL, false },
		{ "visibility", "enum", "visibility", false },
	};
	bool is_ind = t == F_INDICATORS;
	size_t n = is_ind ? ARRAY_LEN(ind) : ARRAY_LEN(kit);
	jw_key(w, "item_fields");
	jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		jw_obj(w);
		jw_kstr(w, "name", is_ind ? ind[i].name : kit[i].name);
		jw_kstr(w, "type", is_ind ? ind[i].type : kit[i].type);
		jw_kbool(w, "required", is_ind ? ind[i].required : kit[i].required);
		const char *voc = is_ind ? ind[i].vocab : kit[i].vocab;
		if (voc) jw_kstr(w, "vocabulary", voc);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (is_ind) {
		/* a point: {value: number, date: "YYYY-MM-DD"} (+ start for a measurement over a period) */
		jw_kstr(w, "point", "{value: number, date: YYYY-MM-DD, start?: YYYY-MM-DD (measurements only)}");
	}
}

void model_render_schema(jsonw_t *w)
{
	jw_obj(w);
	jw_kstr(w, "schema_version", MODEL_SCHEMA_VERSION);
	jw_key(w, "fields");
	jw_arr(w);
	for (size_t i = 0; i < model_nfields; i++) {
		const struct field *f = &model_fields[i];
		jw_obj(w);
		jw_kstr(w, "name", f->name);
		jw_kstr(w, "label", f->label);
		jw_kstr(w, "help", f->help);
		jw_kstr(w, "type", model_type_name(f->type));
		jw_kstr(w, "visibility", f->vis == VIS_PUBLIC ? "public" : "restricted");
		jw_kbool(w, "required", f->required);
		jw_kstr(w, "section", f->section);
		if (f->maxlen) jw_kint(w, is_list(f->type) ? "max_items" : "max_length", f->maxlen);
		if (f->type == F_NUM) {
			jw_key(w, "minimum");
			jw_num(w, f->min);
			jw_key(w, "maximum");
			jw_num(w, f->max);
		}
		if (f->vocab) {
			jw_key(w, f->type == F_STRS ? "suggestions" : "enum");
			render_vocab(w, f->vocab);
		}
		if (f->type == F_INDICATORS || f->type == F_KIT) render_item_schema(w, f->type);
		jw_kstr(w, "interconnectes_column", f->source);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "vocabularies");
	jw_obj(w);
	const struct vocab *extra[] = { &vocab_state, &vocab_org_kind, &vocab_pop_band, &vocab_indicator_type,
		                        &vocab_frequency, &vocab_evidence, &vocab_item_visibility, &vocab_kit_kind };
	for (size_t i = 0; i < ARRAY_LEN(extra); i++) {
		jw_key(w, extra[i]->name);
		render_vocab(w, extra[i]);
	}
	jw_key(w, "common_indicators");
	jw_arr(w);
	for (size_t i = 0; i < impact_ncommons; i++) {
		jw_obj(w);
		jw_kstr(w, "code", impact_commons[i].code);
		jw_kstr(w, "label", impact_commons[i].label);
		jw_kstr(w, "unit", impact_commons[i].unit);
		jw_kstr(w, "type", impact_commons[i].type);
		jw_kint(w, "better", impact_commons[i].better);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}
