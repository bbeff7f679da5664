/*
 * model_vocab.c — the controlled vocabularies of the record model.
 *
 * Codes are the stable API values (English, never renamed); labels are the
 * French wording shown to people; aliases are the spellings found in the
 * Interconnectés library (schema.json enums and the real CSV exports), so
 * that its import loses nothing. A vocabulary only ever grows: removing a
 * code would break the API contract.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "text.h"
#include "util.h"

#define VOCAB(var, nm, arr) const struct vocab var = { nm, arr, sizeof arr / sizeof arr[0] }

static const struct term theme_terms[] = {
	{ "ecological_transition", "Transition écologique", "Transition écologique et énergétique" },
	{ "attractiveness", "Attractivité et développement", NULL },
	{ "citizenship", "Citoyenneté", NULL },
	{ "health_solidarity", "Santé et solidarité", NULL },
	{ "mobility", "Mobilité", "Mobilités" },
	{ "governance", "Gouvernance et socles technologiques", NULL },
	{ "administration", "Administration et organisation interne", NULL },
};
VOCAB(vocab_theme, "theme", theme_terms);

static const struct term status_terms[] = {
	{ "idea", "Idée, en réflexion", "En réflexion|Idée" },
	{ "experiment", "En expérimentation", "Expérimentation|En construction|POC" },
	{ "deployed", "En déploiement", "Déployé|En production" },
	{ "ended", "Terminé", "Terminée" },
	{ "abandoned", "Abandonné", "Abandonnée" },
};
VOCAB(vocab_status, "status", status_terms);

static const struct term audience_terms[] = {
	{ "general_public", "Grand public", NULL },
	{ "beneficiaries", "Bénéficiaires", "Bénéficiaire" },
	{ "agents", "Agents", "Agent" },
	{ "associations", "Associations", "Association" },
	{ "elected_officials", "Élus", "Elu|Élu|Elus" },
	{ "businesses", "Entreprises", "Entreprise" },
	{ "local_authorities", "Collectivités", "Collectivité" },
	{ "schools", "Établissements scolaires", "Etablissement scolaire|Établissement scolaire" },
	{ "health_facilities", "Établissements de santé", "Etablissement santé|Établissement santé" },
	{ "planners", "Aménageurs", "Aménageur" },
};
VOCAB(vocab_audience, "audience", audience_terms);

static const struct term hosting_terms[] = {
	{ "third_party_cloud", "Cloud chez un tiers", NULL },
	{ "internal", "En interne de l'administration", "en interne" },
	{ "unknown", "Ne sait pas", "NSP" },
};
VOCAB(vocab_hosting, "hosting", hosting_terms);

static const struct term implementation_terms[] = {
	{ "internal", "Projet développé en interne", "développé en régie|en régie" },
	{ "external", "Projet développé en externe", NULL },
	{ "contractor", "Mobilisation de prestataire(s)", "prestataire|prestataires" },
	{ "public_procurement", "Marché public", NULL },
};
VOCAB(vocab_implementation, "implementation", implementation_terms);

/* At most 63 terms: stored as a bitmask (usecase.techniques). */
static const struct term ai_technique_terms[] = {
	{ "machine_learning", "Apprentissage automatique (machine learning)", "Machine Learning" },
	{ "nlp", "Traitement automatique du langage", "TAL|NLP" },
	{ "generative_ai", "IA générative", "IA generative|GenAI" },
	{ "computer_vision", "Vision par ordinateur", "Computer vision" },
	{ "neural_networks", "Réseaux de neurones", "Deep learning" },
	{ "optimisation", "Optimisation et recherche opérationnelle", NULL },
	{ "rules", "Système à base de règles", "Système expert" },
	{ "unknown", "Ne sait pas", "NSP" },
};
VOCAB(vocab_ai_technique, "ai_technique", ai_technique_terms);

static const struct term data_source_terms[] = {
	{ "users", "Données fournies par l'usager", "usager|usagers" },
	{ "internal_dataset", "Jeu de données interne", NULL },
	{ "open_data", "Open data", "données ouvertes" },
	{ "third_party", "Données d'un tiers", NULL },
	{ "unknown", "Ne sait pas", "NSP" },
};
VOCAB(vocab_data_source, "data_source", data_source_terms);

static const struct term data_access_terms[] = {
	{ "api", "Par API", NULL },
	{ "automated", "Collecte automatisée", "automatisée" },
	{ "manual", "Récupération manuelle", "par récupération manuelle" },
	{ "unknown", "Ne sait pas", "NSP" },
};
VOCAB(vocab_data_access, "data_access", data_access_terms);

/* EU AI Act (Regulation 2024/1689) risk levels; "risque_categorie" of the
 * Interconnectés schema maps onto them. */
static const struct term risk_terms[] = {
	{ "minimal", "Risque minimal", NULL },
	{ "limited", "Risque limité (obligations de transparence)", "risque limité" },
	{ "high", "Haut risque", "risque élevé|élevé" },
	{ "prohibited", "Pratique interdite (risque inacceptable)", "inacceptable|risque inacceptable" },
	{ "not_assessed", "Non évalué", "NSP" },
};
VOCAB(vocab_risk_level, "risk_level", risk_terms);

static const struct term budget_terms[] = {
	{ "lt_50k", "Moins de 50 k€ par an", "moins de 50k€" },
	{ "50k_100k", "De 50 k€ à 100 k€ par an", "de 50k€ à 100k€" },
	{ "gt_100k", "Plus de 100 k€ par an", "plus de 100k€" },
};
VOCAB(vocab_budget_band, "budget_band", budget_terms);

static const struct term level3_terms[] = {
	{ "low", "Faible", NULL },
	{ "medium", "Moyen", NULL },
	{ "high", "Fort", NULL },
};
VOCAB(vocab_level3, "level", level3_terms);

static const struct term automation_terms[] = {
	{ "decision_support", "Aide à la décision : un agent décide", NULL },
	{ "partial", "Automatisation partielle, validée par un agent", NULL },
	{ "full", "Décision entièrement automatisée", NULL },
};
VOCAB(vocab_automation, "automation_level", automation_terms);

static const struct term personal_data_terms[] = {
	{ "none", "Aucune donnée personnelle", NULL },
	{ "pseudonymised", "Données pseudonymisées", NULL },
	{ "personal", "Données personnelles", NULL },
	{ "sensitive", "Données sensibles (article 9 du RGPD)", NULL },
};
VOCAB(vocab_personal_data, "personal_data", personal_data_terms);

static const struct term state_terms[] = {
	{ "draft", "Brouillon", NULL },
	{ "submitted", "Soumise à validation", NULL },
	{ "changes_requested", "Modifications demandées", NULL },
	{ "published", "Publiée", NULL },
	{ "retracted", "Retirée", NULL },
};
VOCAB(vocab_state, "state", state_terms);

static const struct term org_kind_terms[] = {
	{ "commune", "Commune", NULL },
	{ "epci", "Intercommunalité (EPCI)", "EPCI|Métropole|Communauté d'agglomération|Communauté d'agglomérations|Communauté de communes|Communauté urbaine" },
	{ "ept", "Établissement public territorial", "EPT" },
	{ "departement", "Département", NULL },
	{ "region", "Région", NULL },
	{ "syndicat", "Syndicat mixte", "Syndicat" },
	{ "operateur", "Opérateur public", "Opérateur" },
	{ "autre", "Autre organisme", NULL },
};
VOCAB(vocab_org_kind, "org_kind", org_kind_terms);

static const struct term pop_band_terms[] = {
	{ "lt_3500", "Moins de 3 500 habitants", NULL },
	{ "3500_20000", "De 3 500 à 20 000 habitants", NULL },
	{ "20000_100000", "De 20 000 à 100 000 habitants", NULL },
	{ "gt_100000", "Plus de 100 000 habitants", NULL },
};
VOCAB(vocab_pop_band, "population_band", pop_band_terms);

/* ==== Impact and reuse (issue 5) ==== */

/* Type of an impact indicator: Etalab's "type_indicateur". */
static const struct term indicator_type_terms[] = {
	{ "impact", "Impact", NULL },
	{ "usage", "Usage", NULL },
};
VOCAB(vocab_indicator_type, "indicator_type", indicator_type_terms);

/* Monitoring frequency: Etalab's "frequence_monitoring" (its French codes
 * are the aliases, used by the Etalab export and import). */
static const struct term frequency_terms[] = {
	{ "daily", "Quotidienne", "quotidienne" },
	{ "weekly", "Hebdomadaire", "hebdomadaire" },
	{ "monthly", "Mensuelle", "mensuelle" },
	{ "quarterly", "Trimestrielle", "trimestrielle" },
	{ "half_yearly", "Semestrielle", "semestrielle" },
	{ "yearly", "Annuelle", "annuelle" },
	{ "other", "Autre", "autre" },
};
VOCAB(vocab_frequency, "frequency", frequency_terms);

/* Evidence level of an indicator, weakest first (impact.c relies on the
 * order). */
static const struct term evidence_terms[] = {
	{ "declared", "Déclaré", NULL },
	{ "measured", "Mesuré par la collectivité", NULL },
	{ "independent", "Évalué de façon indépendante", NULL },
};
VOCAB(vocab_evidence, "evidence_level", evidence_terms);

/* Visibility of one item of a list (indicator, reuse-kit document). */
static const struct term item_visibility_terms[] = {
	{ "public", "Public", NULL },
	{ "restricted", "Réservé aux agents des collectivités", NULL },
};
VOCAB(vocab_item_visibility, "visibility", item_visibility_terms);

static const struct term kit_kind_terms[] = {
	{ "specification", "Cahier des charges", NULL },
	{ "tender", "Pièces du marché", NULL },
	{ "contract", "Référence du contrat", NULL },
	{ "code", "Dépôt de code", NULL },
	{ "data_schema", "Schéma de données", NULL },
	{ "training", "Support de formation", NULL },
	{ "contact", "Contact", NULL },
	{ "other", "Autre document", NULL },
};
VOCAB(vocab_kit_kind, "kit_kind", kit_kind_terms);

/* Suggested funding sources (free values allowed). */
static const struct term funding_source_terms[] = {
	{ "Budget propre", "Budget propre", NULL },
	{ "Fonds vert", "Fonds vert", NULL },
	{ "CRTE", "CRTE", NULL },
	{ "DSIL", "DSIL", NULL },
	{ "France 2030", "France 2030", NULL },
	{ "FEDER", "FEDER", NULL },
	{ "DIAT", "DIAT", NULL },
	{ "Banque des territoires", "Banque des territoires", NULL },
};
VOCAB(vocab_funding_source, "funding_source", funding_source_terms);

/* Suggested sub-themes (free values are allowed): the schema's list and the
 * values found in the library. */
static const struct term sub_theme_terms[] = {
	{ "Déchets et économie circulaire", "Déchets et économie circulaire", NULL },
	{ "Santé et accès aux soins", "Santé et accès aux soins", NULL },
	{ "Plateforme de données", "Plateforme de données", NULL },
	{ "Flux et trafic", "Flux et trafic", NULL },
	{ "Stationnement", "Stationnement", NULL },
	{ "Prévention et gestion des risques", "Prévention et gestion des risques", NULL },
	{ "Immobilier", "Immobilier", NULL },
	{ "Education", "Education", NULL },
	{ "Biodiversité et préservation des espaces naturels", "Biodiversité et préservation des espaces naturels", NULL },
	{ "Performance énergétique", "Performance énergétique", NULL },
	{ "Modélisation et jumeau numérique", "Modélisation et jumeau numérique", NULL },
	{ "Gestion de l’eau", "Gestion de l’eau", NULL },
	{ "Construction et aménagement", "Construction et aménagement", NULL },
	{ "Participation citoyenne", "Participation citoyenne", NULL },
	{ "Mobilité décarbonée", "Mobilité décarbonée", NULL },
	{ "Qualité de l’air et nuisances sonores", "Qualité de l’air et nuisances sonores", NULL },
	{ "Aide à la rédaction et gestion documentaire", "Aide à la rédaction et gestion documentaire", NULL },
	{ "Gestion des ressources humaines", "Gestion des ressources humaines", NULL },
	{ "Gestion des assemblées", "Gestion des assemblées", NULL },
	{ "Infrastructures numériques", "Infrastructures numériques", NULL },
	{ "Outillage système d’information", "Outillage système d’information", NULL },
	{ "Logistique urbaine", "Logistique urbaine", NULL },
	{ "Aide juridique", "Aide juridique", NULL },
	{ "Gouvernance et stratégie numérique responsable", "Gouvernance et stratégie numérique responsable", NULL },
};
VOCAB(vocab_sub_theme, "sub_theme", sub_theme_terms);

int vocab_index(const struct vocab *v, const char *code)
{
	if (!code) return -1;
	for (size_t i = 0; i < v->count; i++)
		if (strcmp(v->terms[i].code, code) == 0) return (int)i;
	return -1;
}

const char *vocab_label(const struct vocab *v, const char *code)
{
	int i = vocab_index(v, code);
	return i < 0 ? code : v->terms[i].label;
}

/* Fold and keep only letters and digits, so "Mobilité(s) " and "mobilites"
 * compare equal modulo the final s handled by the caller. */
static char *squash(const char *s)
{
	size_t n;
	char *f = text_fold(s, strlen(s), &n);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) f[j++] = (char)c;
	}
	f[j] = 0;
	return f;
}

const char *vocab_match(const struct vocab *v, const char *text)
{
	if (!text) return NULL;
	char *want = squash(text);
	const char *found = NULL;
	if (!*want) goto out;
	for (size_t i = 0; i < v->count && !found; i++) {
		const struct term *t = &v->terms[i];
		char *c = squash(t->code), *l = squash(t->label);
		if (strcmp(c, want) == 0 || strcmp(l, want) == 0) found = t->code;
		free(c);
		free(l);
		if (found || !t->aliases) continue;
		const char *p = t->aliases;
		while (*p && !found) {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);
			char *one = xstrndup(p, len);
			char *a = squash(one);
			if (strcmp(a, want) == 0) found = t->code;
			free(a);
			free(one);
			p += len + (bar ? 1 : 0);
		}
	}
out:
	free(want);
	return found;
}
