/*
 * intl.c — vocabularies and pure helpers of the international references
 * (see intl.h).
 *
 * Design notes
 * - Status wordings come from the three registers as published: the Dutch
 *   daily scrape (in_gebruik, ontwikkeling, buiten_gebruik), the Dutch
 *   full export (free text: "In gebruik", "Actief", "In werking",
 *   "Gestopt"...), the EU data set (Implemented, Pilot, In development,
 *   Planned, Not in use). The UK index has no status (unknown). Anything
 *   not listed is "unknown" and the original text is kept beside the code.
 * - Country names are those of the EU data set's "Geographical coverage
 *   (country)" column (52 spellings once trimmed), in English.
 */
#include "intl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "importer.h"
#include "util.h"

const struct intl_source intl_sources[] = {
	{ "nl-algoritmeregister", "Algoritmeregister (Pays-Bas)",
	  "Gouvernement néerlandais, algoritmes.overheid.nl",
	  "données publiques du registre ; export complet issu du dépôt MinBZK/Algoritmeregister (EUPL-1.2)",
	  "https://algoritmes.overheid.nl/", "https://algoritmes.overheid.nl/" },
	{ "uk-atrs", "Algorithmic Transparency Recording Standard (Royaume-Uni)",
	  "Gouvernement britannique, GOV.UK",
	  "Open Government Licence v3.0",
	  "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
	  "https://www.gov.uk/government/collections/algorithmic-transparency-recording-standard-hub" },
	{ "eu-pstw", "Public Sector Tech Watch (Union européenne)",
	  "Commission européenne, Centre commun de recherche (JRC)",
	  "CC-BY 4.0",
	  "https://creativecommons.org/licenses/by/4.0/deed.fr",
	  "https://interoperable-europe.ec.europa.eu/collection/public-sector-tech-watch" },
};
const size_t intl_nsources = ARRAY_LEN(intl_sources);

const struct intl_source *intl_source_find(const char *name)
{
	if (!name) return NULL;
	for (size_t i = 0; i < intl_nsources; i++)
		if (strcmp(intl_sources[i].name, name) == 0) return &intl_sources[i];
	return NULL;
}

const struct intl_term intl_statuses[] = {
	{ "in_use", "En service" },
	{ "pilot", "Expérimentation" },
	{ "in_development", "En développement" },
	{ "planned", "Prévu" },
	{ "retired", "Arrêté" },
	{ "unknown", "Non précisé" },
};
const size_t intl_nstatuses = ARRAY_LEN(intl_statuses);

const char *intl_status_label(const char *code)
{
	if (!code) return NULL;
	for (size_t i = 0; i < intl_nstatuses; i++)
		if (strcmp(intl_statuses[i].code, code) == 0) return intl_statuses[i].label;
	return NULL;
}

static const struct {
	const char *text, *code;
} status_words[] = {
	{ "in gebruik", "in_use" },       { "actief", "in_use" },        { "in werking", "in_use" },
	{ "in productie", "in_use" },     { "implemented", "in_use" },   { "in use", "in_use" },
	{ "pilot", "pilot" },             { "ontwikkeling", "in_development" },
	{ "in ontwikkeling", "in_development" },                         { "in development", "in_development" },
	{ "planned", "planned" },         { "gepland", "planned" },      { "buiten gebruik", "retired" },
	{ "gestopt", "retired" },         { "not in use", "retired" },   { "retired", "retired" },
};

const char *intl_status_code(const char *text)
{
	if (!text) return "unknown";
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r') text++;
	size_t len = strlen(text);
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (len == 0 || len > 64) return "unknown";
	char w[65];
	for (size_t i = 0; i < len; i++) w[i] = text[i] == '_' ? ' ' : (char)tolower((unsigned char)text[i]);
	w[len] = 0;
	for (size_t i = 0; i < ARRAY_LEN(status_words); i++)
		if (strcmp(w, status_words[i].text) == 0) return status_words[i].code;
	/* "In gebruik sinds 18-12-2020" */
	if (strncmp(w, "in gebruik sinds ", 17) == 0) return "in_use";
	return "unknown";
}

static const struct {
	const char *code, *fr, *en;
} countries[] = {
	{ "AD", "Andorre", "Andorra" },
	{ "AL", "Albanie", "Albania" },
	{ "AT", "Autriche", "Austria" },
	{ "BA", "Bosnie-Herzégovine", "Bosnia and Herzegovina" },
	{ "BE", "Belgique", "Belgium" },
	{ "BG", "Bulgarie", "Bulgaria" },
	{ "CH", "Suisse", "Switzerland" },
	{ "CY", "Chypre", "Cyprus" },
	{ "CZ", "Tchéquie", "Czechia" },
	{ "DE", "Allemagne", "Germany" },
	{ "DK", "Danemark", "Denmark" },
	{ "EE", "Estonie", "Estonia" },
	{ "ES", "Espagne", "Spain" },
	{ "EU", "Union européenne", "European Union" },
	{ "FI", "Finlande", "Finland" },
	{ "FR", "France", "France" },
	{ "GB", "Royaume-Uni", "United Kingdom" },
	{ "GE", "Géorgie", "Georgia" },
	{ "GR", "Grèce", "Greece" },
	{ "HR", "Croatie", "Croatia" },
	{ "HU", "Hongrie", "Hungary" },
	{ "IE", "Irlande", "Ireland" },
	{ "IS", "Islande", "Iceland" },
	{ "IT", "Italie", "Italy" },
	{ "LI", "Liechtenstein", "Liechtenstein" },
	{ "LT", "Lituanie", "Lithuania" },
	{ "LU", "Luxembourg", "Luxembourg" },
	{ "LV", "Lettonie", "Latvia" },
	{ "MC", "Monaco", "Monaco" },
	{ "MD", "Moldavie", "Moldova" },
	{ "ME", "Monténégro", "Montenegro" },
	{ "MK", "Macédoine du Nord", "North Macedonia" },
	{ "MT", "Malte", "Malta" },
	{ "NL", "Pays-Bas", "Netherlands" },
	{ "NO", "Norvège", "Norway" },
	{ "PL", "Pologne", "Poland" },
	{ "PT", "Portugal", "Portugal" },
	{ "RO", "Roumanie", "Romania" },
	{ "RS", "Serbie", "Serbia" },
	{ "SE", "Suède", "Sweden" },
	{ "SI", "Slovénie", "Slovenia" },
	{ "SK", "Slovaquie", "Slovakia" },
	{ "SM", "Saint-Marin", "San Marino" },
	{ "TR", "Turquie", "Türkiye" },
	{ "UA", "Ukraine", "Ukraine" },
	{ "VA", "Vatican", "Vatican City" },
};

/* Other English spellings. */
static const struct {
	const char *name, *code;
} country_aliases[] = {
	{ "Monte Carlo", "MC" },   { "Turkey", "TR" },        { "Czech Republic", "CZ" },
	{ "Holy See", "VA" },      { "Netherlands (the)", "NL" }, { "UK", "GB" },
	{ "Great Britain", "GB" }, { "Republic of Moldova", "MD" },
};

const char *intl_country_label(const char *code)
{
	if (!code) return NULL;
	for (size_t i = 0; i < ARRAY_LEN(countries); i++)
		if (strcmp(countries[i].code, code) == 0) return countries[i].fr;
	return NULL;
}

const char *intl_country_code(const char *name)
{
	if (!name) return NULL;
	while (*name == ' ' || *name == '\t') name++;
	size_t len = strlen(name);
	while (len && (name[len - 1] == ' ' || name[len - 1] == '\t')) len--;
	if (len == 0 || len > 64) return NULL;
	char w[65];
	memcpy(w, name, len);
	w[len] = 0;
	for (size_t i = 0; i < ARRAY_LEN(countries); i++)
		if (strcasecmp(countries[i].en, w) == 0 || strcmp(countries[i].code, w) == 0) return countries[i].code;
	for (size_t i = 0; i < ARRAY_LEN(country_aliases); i++)
		if (strcasecmp(country_aliases[i].name, w) == 0) return country_aliases[i].code;
	return NULL;
}

static const struct intl_term languages[] = {
	{ "nl", "néerlandais" }, { "en", "anglais" },  { "fr", "français" }, { "de", "allemand" },
	{ "it", "italien" },     { "es", "espagnol" }, { "pt", "portugais" },
};

const char *intl_lang_label(const char *code)
{
	if (!code) return NULL;
	for (size_t i = 0; i < ARRAY_LEN(languages); i++)
		if (strcmp(languages[i].code, code) == 0) return languages[i].label;
	return NULL;
}

/* The mapped fields, in the order of the reference's page. Limits are
 * generous (registers publish long texts) but bounded. */
const struct intl_field intl_fields[] = {
	{ "title", "Titre", INTL_TEXT, 1000 },
	{ "organisation", "Organisation", INTL_TEXT, 2000 },
	{ "department", "Service", INTL_TEXT, 2000 },
	{ "organisation_category", "Type d'organisation", INTL_TEXT, 200 },
	{ "competent_authority", "Autorité responsable", INTL_TEXT, 2000 },
	{ "description", "Description", INTL_TEXT, 50000 },
	{ "purpose", "Objectif", INTL_TEXT, 50000 },
	{ "status_text", "Statut à la source", INTL_TEXT, 2000 },
	{ "sector", "Secteur", INTL_TEXT, 200 },
	{ "sector_detail", "Secteur (détail)", INTL_TEXT, 200 },
	{ "algorithm_type", "Type d'algorithme", INTL_TEXT, 2000 },
	{ "technology", "Technologie", INTL_TEXT, 2000 },
	{ "ai_classification", "Classification de l'IA", INTL_TEXT, 1000 },
	{ "ai_keywords", "Mots-clés IA", INTL_TEXT, 1000 },
	{ "process_type", "Type de processus", INTL_TEXT, 2000 },
	{ "application_type", "Type d'application", INTL_TEXT, 2000 },
	{ "interaction", "Interaction", INTL_CODE, 50 },
	{ "geographic_extent", "Échelle", INTL_TEXT, 200 },
	{ "area", "Territoire", INTL_TEXT, 2000 },
	{ "cross_border", "Transfrontalier", INTL_TEXT, 50 },
	{ "cross_sector", "Intersectoriel", INTL_TEXT, 50 },
	{ "benefits", "Bénéfices attendus", INTL_TEXT, 5000 },
	{ "legal_basis", "Base légale", INTL_TEXT, 50000 },
	{ "impact_assessment", "Analyse d'impact", INTL_TEXT, 5000 },
	{ "iama", "Analyse d'impact sur les droits fondamentaux (IAMA)", INTL_TEXT, 5000 },
	{ "iama_description", "IAMA : précisions", INTL_TEXT, 50000 },
	{ "dpia", "Analyse d'impact relative à la protection des données (AIPD)", INTL_TEXT, 5000 },
	{ "dpia_description", "AIPD : précisions", INTL_TEXT, 50000 },
	{ "impact", "Impact", INTL_TEXT, 50000 },
	{ "proportionality", "Proportionnalité", INTL_TEXT, 50000 },
	{ "decision_making", "Place dans la décision", INTL_TEXT, 50000 },
	{ "human_intervention", "Intervention humaine", INTL_TEXT, 50000 },
	{ "risks", "Risques", INTL_TEXT, 50000 },
	{ "objection_procedure", "Voies de recours", INTL_TEXT, 50000 },
	{ "source_data", "Données utilisées", INTL_TEXT, 50000 },
	{ "methods_and_models", "Méthodes et modèles", INTL_TEXT, 50000 },
	{ "monitoring", "Suivi", INTL_TEXT, 50000 },
	{ "performance_standard", "Normes de performance", INTL_TEXT, 50000 },
	{ "provider", "Fournisseur", INTL_TEXT, 2000 },
	{ "collaboration", "Type de collaboration", INTL_TEXT, 2000 },
	{ "funding", "Financement", INTL_TEXT, 2000 },
	{ "procurement", "Achat (clauses types de l'UE)", INTL_TEXT, 50 },
	{ "govtech", "GovTech", INTL_TEXT, 2000 },
	{ "tags", "Étiquettes", INTL_TEXT, 1000 },
	{ "references", "Références citées par la source", INTL_TEXT, 10000 },
	{ "contact", "Contact", INTL_CODE, 500 },
	{ "website", "Site du projet", INTL_URL, 2000 },
	{ "documentation", "Documentation", INTL_URL, 2000 },
	{ "start_year", "Année de début", INTL_DATE, 10 },
	{ "end_year", "Année de fin", INTL_DATE, 10 },
	{ "registered_at", "Enregistrée le", INTL_DATE, 10 },
	{ "published_at", "Publiée le", INTL_DATE, 10 },
	{ "updated_at", "Mise à jour à la source le", INTL_DATE, 10 },
	{ "source_url", "Fiche d'origine", INTL_URL, 2000 },
};
const size_t intl_nfields = ARRAY_LEN(intl_fields);

const struct intl_field *intl_field_find(const char *key)
{
	for (size_t i = 0; i < intl_nfields; i++)
		if (strcmp(intl_fields[i].key, key) == 0) return &intl_fields[i];
	return NULL;
}

int intl_date(const char *s, char out[11])
{
	if (!s) return -1;
	char buf[64];
	size_t len = strlen(s);
	while (len && s[len - 1] == ' ') len--;
	while (len && *s == ' ') {
		s++;
		len--;
	}
	if (len == 0 || len >= sizeof buf) return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	/* a timestamp: keep its date */
	if (len > 10 && buf[4] == '-' && (buf[10] == 'T' || buf[10] == ' ')) buf[10] = 0;
	bool serial;
	if (import_date(buf, out, &serial) < 0 || serial) return -1;
	return 0;
}

static bool url_char_ok(unsigned char c)
{
	return c > ' ' && c != '"' && c != '<' && c != '>' && c != '\'' && c != '`' && c != 0x7F;
}

char *intl_first_url(const char *s)
{
	if (!s) return NULL;
	for (const char *p = s; *p; p++) {
		size_t skip;
		if (strncasecmp(p, "https://", 8) == 0) skip = 8;
		else if (strncasecmp(p, "http://", 7) == 0) skip = 7;
		else continue;
		if (p > s && url_char_ok((unsigned char)p[-1]) && p[-1] != '(') continue; /* inside a word */
		size_t n = skip;
		while (p[n] && url_char_ok((unsigned char)p[n])) n++;
		while (n > skip && (p[n - 1] == ',' || p[n - 1] == ';' || p[n - 1] == ')' || p[n - 1] == '.')) n--;
		/* a host: at least one character that is not '/' */
		if (n == skip || p[skip] == '/' || p[skip] == '.') continue;
		return xstrndup(p, n);
	}
	return NULL;
}

bool intl_is_placeholder(const char *s)
{
	if (!s) return true;
	char w[32];
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') continue;
		if (p[0] == 0xC2 && p[1] == 0xA0) { /* no-break space */
			p++;
			continue;
		}
		if (n + 1 >= sizeof w) return false;
		w[n++] = (char)tolower(*p);
	}
	w[n] = 0;
	if (n && w[n - 1] == '.') w[--n] = 0;
	static const char *const words[] = { "", "-", "\xe2\x80\x94", "volgt", "n.v.t", "nvt", "nietbekend",
		                             "nognietbeschikbaar" };
	for (size_t i = 0; i < ARRAY_LEN(words); i++)
		if (strcmp(w, words[i]) == 0) return true;
	return false;
}

char *intl_url_slug(const char *url)
{
	if (!url) return NULL;
	size_t n = strcspn(url, "?#");
	while (n && url[n - 1] == '/') n--;
	size_t start = n;
	while (start && url[start - 1] != '/') start--;
	if (start == n) return NULL;
	/* not the host itself: "https://host" has "//" just before */
	if (start >= 2 && url[start - 1] == '/' && url[start - 2] == '/') return NULL;
	return xstrndup(url + start, n - start);
}

const char *intl_filter_label(const char *name, const char *value)
{
	if (!name || !value) return NULL;
	if (strcmp(name, "country") == 0) return intl_country_label(value);
	if (strcmp(name, "status") == 0) return intl_status_label(value);
	if (strcmp(name, "lang") == 0) return intl_lang_label(value);
	if (strcmp(name, "source") == 0) {
		const struct intl_source *s = intl_source_find(value);
		return s ? s->label : NULL;
	}
	return NULL;
}
