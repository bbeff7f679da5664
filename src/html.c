/*
 * html.c — the shared HTML layout of every page (header, navigation,
 * search box, footer), the French error page, and small components used by
 * several pages (French dates and numbers, badges, hit lists, pagination).
 *
 * Design notes
 * - Pages are built in r->out (one buffer, sent at the end by server.c), so
 *   page_error() can throw away a half-written page and start again.
 * - Everything that comes from data goes through %h (or %U inside URL
 *   components). The only raw insertion here is the search snippet (escaped by
 *   search.c, which adds only <mark>).
 * - No inline style or script: the CSP is default-src 'none' with
 *   style-src 'self'. The stylesheet URL carries a hash of its content
 *   (?v=...) so a new build is never hidden behind a cached file.
 * - Accessibility (RGAA 4.1): lang="fr", a skip link to #contenu as the
 *   first focusable element, landmarks (header/banner, nav, search, main,
 *   footer/contentinfo), one <h1> per page (written by each page), labelled
 *   inputs, aria-current on the current navigation item and page number.
 * - Nothing here allocates beyond the buffers it appends to, except short
 *   temporary buffers freed before returning.
 */
#include "impact.h"
#include "pages.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "auth.h"
#include "model.h"
#include "org.h"
#include "store.h"
#include "util.h"

#define SITE_NAME "IA·T"
#define SITE_LONG "Intelligences Associées des Territoires"

/* ==== Layout ==== */

static void nav_item(buf_t *b, const char *path, const char *href, const char *label)
{
	if (strcmp(path, href) == 0)
		buf_fmt(b, "<li><a href=\"%h\" aria-current=\"page\">%h</a></li>\n", href, label);
	else
		buf_fmt(b, "<li><a href=\"%h\">%h</a></li>\n", href, label);
}

/* The home and search pages have their own large search box: no second one
 * in the header (one search landmark per page, no duplicate label). */
static bool has_own_search(const char *path)
{
	return strcmp(path, "/") == 0 || strcmp(path, "/recherche") == 0;
}

/* One-time messages after a form post (req_flash()): code → French text.
 * Only codes of this table are shown, so the cookie cannot inject text. */
static const struct {
	const char *code;
	const char *text;
} flashes[] = {
	{ "signed-in", "Vous êtes connecté." },
	{ "signed-out", "Vous êtes déconnecté." },
	{ "signed-up", "Votre compte est créé et vous êtes connecté." },
	{ "password-changed", "Votre mot de passe est changé. Vos autres sessions sont fermées." },
	{ "reset-sent", "Si un compte existe pour cette adresse, un lien de réinitialisation vient d'y être envoyé. Il est valable une heure." },
	{ "password-reset", "Votre mot de passe est réinitialisé : vous pouvez vous connecter." },
	{ "join-requested", "Votre demande d'adhésion est envoyée aux référents de l'organisation." },
	{ "join-cancelled", "Votre demande d'adhésion est annulée." },
	{ "join-accepted", "La demande d'adhésion est acceptée." },
	{ "join-refused", "La demande d'adhésion est refusée." },
	{ "member-updated", "Les droits du membre sont modifiés." },
	{ "member-removed", "Le membre est retiré de l'organisation." },
	{ "account-deleted", "Votre compte est supprimé." },
	{ "saved", "La fiche est enregistrée." },
	{ "created", "La fiche est créée en brouillon." },
	{ "submitted", "La fiche est soumise à la relecture des référents de votre organisation." },
	{ "published", "La fiche est publiée." },
	{ "changes-requested", "Les modifications demandées sont transmises à l'organisation." },
	{ "retracted", "La fiche est retirée. Elle reste consultable avec la mention « retirée »." },
	{ "reported", "Merci : votre signalement est transmis à l'organisation qui publie la fiche." },
	{ "report-answered", "Votre réponse au signalement est enregistrée." },
	/* accounts: add new codes here */
	{ "join-requested-noref", "Votre demande d'adhésion est enregistrée. Cette organisation n'a pas encore de référent : "
	                          "l'équipe de l'observatoire doit d'abord en désigner un, et traitera votre demande." },
	/* records and workflow: add new codes here */
	{ "unchanged", "Aucune modification : la fiche n'a pas changé, aucune version n'a été créée." },
	/* history: add new codes here */
	/* reports: add new codes here */
	/* measured impact (page_impact.c) */
	{ "impact-reviewed", "La relecture des preuves d'impact est enregistrée." },
	{ "impact-granted", "Le label « impact démontré » est accordé par exception." },
	{ "impact-withdrawn", "Le label « impact démontré » est retiré par exception." },
	{ "impact-cleared", "L'exception est levée : le label suit de nouveau les règles." },
	/* reuse between territories */
	{ "reuse-created", "Votre réutilisation est créée en brouillon. Complétez-la (fournisseurs, coûts, vos propres "
	                   "résultats), puis soumettez-la à la relecture." },
	/* survey campaigns, issue 7 (page_survey.c) */
	{ "survey-created", "La campagne est créée." },
	{ "survey-replaced", "La définition de la campagne est remplacée." },
	{ "survey-updated", "La campagne est enregistrée." },
	{ "survey-saved", "Le brouillon de votre réponse est enregistré." },
	{ "survey-submitted", "La réponse est soumise. Elle reste modifiable jusqu'à la date de clôture." },
	/* indicators and reuse kit (page_indicators.c) */
	{ "indicator-saved", "L'indicateur est enregistré." },
	{ "indicator-deleted", "L'indicateur est supprimé." },
	{ "kit-saved", "L'élément du kit de réutilisation est enregistré." },
	{ "kit-deleted", "L'élément du kit de réutilisation est supprimé." },
};

static void flash(struct req *r)
{
	const char *code = req_cookie(r, "iat_flash");
	if (!code) return;
	req_set_cookie(r, "iat_flash", "x", 0);
	r->no_etag = true;
	for (size_t i = 0; i < ARRAY_LEN(flashes); i++)
		if (strcmp(flashes[i].code, code) == 0) {
			buf_fmt(&r->out, "<div class=\"flash\" role=\"status\"><p>%h</p></div>\n", flashes[i].text);
			return;
		}
}

/* The stylesheet's content hash for its URL (?v=...), computed once. */
static char css_ver[24] = "0";
static pthread_once_t css_once = PTHREAD_ONCE_INIT;

static void css_version_init(void)
{
	const struct asset *css = asset_find("iat.css");
	if (css) snprintf(css_ver, sizeof css_ver, "%016llx", (unsigned long long)hash64(css->data, css->len));
}

static const char *css_version(void)
{
	pthread_once(&css_once, css_version_init);
	return css_ver;
}

void html_begin(struct req *r, const char *title)
{
	buf_t *b = &r->out;
	const char *path = r->path ? r->path : "/";
	r->content_type = "text/html; charset=utf-8";

	const char *ver = css_version();

	buf_fmt(b,
	        "<!doctype html>\n"
	        "<html lang=\"fr\">\n"
	        "<head>\n"
	        "<meta charset=\"utf-8\">\n"
	        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	        "<title>%h — " SITE_NAME "</title>\n"
	        "<link rel=\"stylesheet\" href=\"/static/iat.css?v=%h\">\n"
	        "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n"
	        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Fiches nouvelles et mises à jour (Atom)\" "
	        "href=\"/flux/fiches.atom\">\n"
	        "<link rel=\"alternate\" type=\"application/ld+json\" title=\"Catalogue des données ouvertes (DCAT-AP)\" "
	        "href=\"/api/v1/catalog.jsonld\">\n"
	        "</head>\n"
	        "<body>\n"
	        "<a class=\"skip-link\" href=\"#contenu\">Aller au contenu</a>\n"
	        "<header class=\"site-header\">\n"
	        "<div class=\"wrap header-inner\">\n"
	        "<div class=\"brand\">\n"
	        "<p class=\"site-name\"><a href=\"/\">" SITE_NAME
	        " <span class=\"site-long\">— " SITE_LONG "</span></a></p>\n"
	        "<p class=\"tagline\">La bibliothèque nationale et l'observatoire des usages de "
	        "l'intelligence artificielle dans les collectivités territoriales</p>\n"
	        "</div>\n",
	        title, ver);

	if (!has_own_search(path))
		buf_puts(b, "<form class=\"header-search\" role=\"search\" action=\"/recherche\" method=\"get\">\n"
		            "<label for=\"q-entete\">Rechercher une fiche</label>\n"
		            "<input type=\"search\" id=\"q-entete\" name=\"q\" maxlength=\"200\">\n"
		            "<button type=\"submit\">Rechercher</button>\n"
		            "</form>\n");
	buf_puts(b, "</div>\n<nav class=\"site-nav\" aria-label=\"Menu principal\">\n<ul class=\"wrap\">\n");
	nav_item(b, path, "/", "Accueil");
	nav_item(b, path, "/recherche", "Rechercher");
	nav_item(b, path, "/observatoire", "Statistiques"); /* issue 7: the observatory's page */
	const struct viewer *v = &r->viewer;
	if (v->user_id) {
		if (v->norgs > 0) nav_item(b, path, "/espace", "Mon organisation");
		/* issue 5: recommendations for the member's first organisation */
		if (v->norgs > 0) nav_item(b, path, "/territoires-comme-le-mien", "Territoires comme le mien");
		bool reviewer = auth_is_curator(v);
		for (int i = 0; i < v->norgs; i++)
			if (v->referent_of[i]) reviewer = true;
		if (reviewer) nav_item(b, path, "/relecture", "Relecture");
		if (auth_is_curator(v)) nav_item(b, path, "/admin/imports", "Imports");
		/* issue 7 §1: survey campaigns (curators manage them, members answer) */
		if (auth_can_manage_surveys(v)) nav_item(b, path, "/observatoire/campagnes", "Enquêtes");
		else if (v->norgs > 0) nav_item(b, path, "/espace/enquetes", "Enquêtes");
		if (auth_is_admin(v)) nav_item(b, path, "/admin/journal", "Journal d'audit");
		nav_item(b, path, "/compte", "Mon compte");
		buf_fmt(b,
		        "<li><form class=\"signout\" method=\"post\" action=\"/deconnexion\">"
		        "<input type=\"hidden\" name=\"csrf\" value=\"%h\">"
		        "<button type=\"submit\" class=\"link-button\">Se déconnecter</button></form></li>\n",
		        req_csrf(r));
	} else {
		nav_item(b, path, "/connexion", "Se connecter");
		nav_item(b, path, "/inscription", "Créer un compte");
	}
	buf_puts(b, "</ul>\n</nav>\n</header>\n"
	            "<main id=\"contenu\" tabindex=\"-1\" class=\"wrap\">\n");
	flash(r);
}

void html_end(struct req *r)
{
	buf_puts(&r->out,
	         "</main>\n"
	         "<footer class=\"site-footer\">\n"
	         "<div class=\"wrap\">\n"
	         "<p class=\"footer-name\">" SITE_NAME " — " SITE_LONG
	         " : un programme porté par Les Interconnectés, France urbaine et "
	         "Intercommunalités de France.</p>\n"
	         "<ul class=\"footer-links\">\n"
	         "<li><a href=\"/accessibilite\">Accessibilité : " HTML_A11Y_STATUS " (RGAA 4.1)</a></li>\n"
	         "<li><a href=\"/mentions-legales\">Mentions légales</a></li>\n"
	         "<li><a href=\"/donnees-personnelles\">Données personnelles</a></li>\n"
	         "<li><a href=\"/api/v1/usecases\">Données ouvertes : API des fiches (JSON)</a></li>\n"
	         "<li><a href=\"/api/documentation\">Documentation de l'API</a></li>\n"
	         "<li><a href=\"/api/v1/schema\">Modèle de données des fiches</a></li>\n"
	         "</ul>\n"
	         "<p class=\"attribution\">Sources des données — fiches de démonstration : "
	         "Bibliothèque IA territoriale des Interconnectés ; organisations : découpage "
	         "administratif (Etalab, Licence Ouverte).</p>\n"
	         "</div>\n"
	         "</footer>\n"
	         "</body>\n"
	         "</html>\n");
}

/* ==== Error page ==== */

static const char *status_title(int status)
{
	switch (status) {
	case 400: return "Requête invalide";
	case 401: return "Authentification requise";
	case 403: return "Accès refusé";
	case 404: return "Page introuvable";
	case 405: return "Méthode non permise";
	case 409: return "Conflit de modification";
	case 413: return "Requête trop volumineuse";
	case 415: return "Type de contenu non pris en charge";
	case 429: return "Trop de requêtes";
	case 503: return "Service indisponible";
	default: return status >= 500 ? "Erreur interne" : "Requête refusée";
	}
}

int64_t page_seg_id(const char *seg)
{
	size_t n = 0;
	while (seg && seg[n] >= '0' && seg[n] <= '9') n++;
	if (n == 0 || n > 15 || (seg[n] != 0 && seg[n] != '-')) return 0;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) v = v * 10 + (seg[i] - '0');
	return v;
}

int page_usecase_load(struct req *r, struct uc_full *u)
{
	int64_t id = r->nargs ? page_seg_id(r->args[0]) : 0;
	int rc = id ? store_usecase_load(r->db, id, u) : 0;
	if (rc < 0) {
		page_error(r, 500, "La fiche n'a pas pu être lue.");
		return 0;
	}
	if (rc == 0 || !auth_can_read_usecase(&r->viewer, u->state, u->owner_org_id)) {
		if (rc == 1) store_usecase_free(u);
		page_error(r, 404, "Cette fiche n'existe pas, ou n'est pas publiée.");
		return 0;
	}
	return 1;
}

int page_org_param(struct req *r, struct org *fo)
{
	const char *okey = req_param(r, "org");
	if (!okey || !*okey) return 0;
	int rc = org_find(r->db, okey, fo);
	if (rc < 0) {
		page_error(r, 500, "Erreur interne.");
		return -1;
	}
	if (rc == 0) {
		page_error(r, 404, "Cette organisation n'existe pas.");
		return -1;
	}
	if (!auth_can_edit_org(&r->viewer, fo->id)) {
		org_free(fo);
		page_error(r, 403, "Vous n'êtes pas membre de cette organisation.");
		return -1;
	}
	return 1;
}

void page_org_filter_form(struct req *r, const char *action)
{
	const char *okey = req_param(r, "org");
	buf_fmt(&r->out,
	        "<form method=\"get\" action=\"%h\" class=\"form\">\n<div class=\"field\">\n"
	        "<label for=\"f-org\">Filtrer par organisation</label>\n"
	        "<p class=\"help\" id=\"h-org\">Identifiant IA·T, SIREN ou code INSEE, par exemple epci-243300316.</p>\n"
	        "<input type=\"text\" id=\"f-org\" name=\"org\" maxlength=\"64\" aria-describedby=\"h-org\" value=\"%h\">\n"
	        "</div>\n<div class=\"actions\"><button type=\"submit\" class=\"button-secondary\">Filtrer</button></div>\n</form>\n",
	        action, okey ? okey : "");
}

void page_error(struct req *r, int status, const char *message)
{
	buf_reset(&r->out);
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	r->no_etag = true;
	const char *title = status_title(status);
	html_begin(r, title);
	buf_fmt(&r->out,
	        "<div class=\"error-page\">\n"
	        "<h1>%h</h1>\n"
	        "<p class=\"error-code\">Erreur %d</p>\n",
	        title, status);
	if (message && *message) buf_fmt(&r->out, "<p class=\"lead\">%h</p>\n", message);
	switch (status) {
	case 404:
		buf_puts(&r->out,
		         "<p>L'adresse est peut-être mal recopiée, ou la fiche a été déplacée. "
		         "Les fiches en cours de rédaction ne sont visibles que par leur organisation.</p>\n");
		break;
	case 400:
		buf_puts(&r->out,
		         "<p>L'adresse contient un paramètre que le site ne comprend pas. "
		         "Vérifiez-la, ou repartez d'une recherche.</p>\n");
		break;
	case 405:
		buf_puts(&r->out, "<p>Cette adresse existe, mais pas pour ce type de requête.</p>\n");
		break;
	default:
		if (status >= 500)
			buf_puts(&r->out,
			         "<p>Le problème vient de notre côté et il a été enregistré. "
			         "Réessayez dans quelques instants.</p>\n");
		break;
	}
	buf_puts(&r->out,
	         "<h2>Et maintenant ?</h2>\n"
	         "<ul>\n"
	         "<li><a href=\"/\">Revenir à l'accueil</a></li>\n"
	         "<li><a href=\"/recherche\">Parcourir toutes les fiches</a></li>\n"
	         "</ul>\n");
	/* a search box here only when the header has none (see has_own_search) */
	if (has_own_search(r->path ? r->path : "/"))
		buf_puts(&r->out,
		         "<form class=\"search-box\" role=\"search\" action=\"/recherche\" method=\"get\">\n"
		         "<label for=\"q-erreur\">Rechercher une fiche</label>\n"
		         "<div class=\"search-row\">\n"
		         "<input type=\"search\" id=\"q-erreur\" name=\"q\" maxlength=\"200\">\n"
		         "<button type=\"submit\">Rechercher</button>\n"
		         "</div>\n"
		         "</form>\n");
	buf_puts(&r->out, "</div>\n");
	html_end(r);
}

/* ==== Dates and numbers ==== */

static const char *const months[12] = {
	"janvier", "février", "mars", "avril", "mai", "juin",
	"juillet", "août", "septembre", "octobre", "novembre", "décembre",
};

/* Parse the leading "YYYY", "YYYY-MM" or "YYYY-MM-DD" of s (followed by the
 * end of the string or 'T'). Returns the number of parts (1..3) or 0. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
	if (!s) return 0;
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9') return 0;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	if (s[4] == 0) return 1;
	if (s[4] != '-' || s[5] < '0' || s[5] > '9' || s[6] < '0' || s[6] > '9') return 0;
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	if (*m < 1 || *m > 12) return 0;
	if (s[7] == 0) return 2;
	if (s[7] != '-' || s[8] < '0' || s[8] > '9' || s[9] < '0' || s[9] > '9') return 0;
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	if (*d < 1 || *d > 31) return 0;
	if (s[10] != 0 && s[10] != 'T' && s[10] != ' ') return 0;
	return 3;
}

void html_date_fr(buf_t *b, const char *iso)
{
	int y = 0, m = 0, d = 0;
	switch (parse_date(iso, &y, &m, &d)) {
	case 1: buf_fmt(b, "%d", y); break;
	case 2: buf_fmt(b, "%h %d", months[m - 1], y); break;
	case 3:
		if (d == 1) buf_fmt(b, "1er %h %d", months[m - 1], y);
		else buf_fmt(b, "%d %h %d", d, months[m - 1], y);
		break;
	default: buf_fmt(b, "%h", iso); break;
	}
}

void html_time(buf_t *b, const char *iso)
{
	int y = 0, m = 0, d = 0;
	int n = parse_date(iso, &y, &m, &d);
	if (!n) {
		buf_fmt(b, "%h", iso);
		return;
	}
	static const int lens[] = { 0, 4, 7, 10 };
	buf_fmt(b, "<time datetime=\"%.*h\">", lens[n], iso);
	html_date_fr(b, iso);
	buf_puts(b, "</time>");
}

void html_int_fr(buf_t *b, int64_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%lld", (long long)n);
	int start = digits[0] == '-' ? 1 : 0;
	if (start) buf_putc(b, '-');
	for (int i = start; i < len; i++) {
		buf_putc(b, digits[i]);
		int left = len - i - 1;
		if (left > 0 && left % 3 == 0) buf_puts(b, "\u00a0");
	}
}

void html_num_fr(buf_t *b, double v)
{
	if (isfinite(v) && fabs(v) < 1e15 && v == (double)(int64_t)v) {
		/* whole numbers (most values): no decimal search */
		if (v < 0) buf_puts(b, "\u2212");
		html_int_fr(b, (int64_t)fabs(v));
		return;
	}
	char tmp[48];
	/* at most 6 decimals, trailing zeros dropped (12.5 → "12,5") */
	snprintf(tmp, sizeof tmp, "%.6f", v);
	char *dot = strchr(tmp, '.');
	if (dot) {
		*dot = 0;
		char *end = dot + strlen(dot + 1);
		while (end > dot && *end == '0') *end-- = 0;
	}
	const char *ip = tmp;
	bool neg = *ip == '-';
	if (neg) ip++;
	int64_t whole = strtoll(ip, NULL, 10);
	if (neg && (whole != 0 || (dot && dot[1]))) buf_puts(b, "\u2212");
	if (strlen(ip) > 18) buf_fmt(b, "%h", ip);
	else html_int_fr(b, whole);
	if (dot && dot[1]) buf_fmt(b, ",%h", dot + 1);
}

void html_num_exact(buf_t *b, double v)
{
	char tmp[64];
	for (int prec = 0; prec <= 12; prec++) {
		snprintf(tmp, sizeof tmp, "%.*f", prec, v);
		if (strtod(tmp, NULL) == v) break;
	}
	for (char *p = tmp; *p; p++)
		if (*p == '.') *p = ',';
	buf_fmt(b, "%h", tmp);
}

void html_field_num(buf_t *b, const struct field *f, double v)
{
	const char *unit = model_field_unit(f);
	if (!unit) {
		html_num_exact(b, v); /* coordinates: every stored digit */
		return;
	}
	html_num_fr(b, v);
	buf_fmt(b, "\u00a0%h", unit);
}

void html_item_summary(buf_t *b, const struct field *f, const json_t *x)
{
	if (f->type == F_KIT) {
		const char *kind = doc_str(x, "kind"), *title = doc_str(x, "title"), *url = doc_str(x, "url"),
		           *ref = doc_str(x, "reference");
		buf_fmt(b, "%h : %h", vocab_label(&vocab_kit_kind, kind ? kind : ""), title ? title : "");
		if (url) buf_fmt(b, " — %h", url);
		if (ref) buf_fmt(b, " — %h", ref);
	} else {
		const char *name = doc_str(x, "name"), *unit = doc_str(x, "unit");
		struct impact_figures fg;
		impact_figures(x, &fg);
		buf_fmt(b, "%h", name ? name : "");
		if (fg.has_baseline) {
			buf_puts(b, " : ");
			html_num_fr(b, fg.baseline);
			buf_fmt(b, " %h (%h)", unit ? unit : "", fg.baseline_date);
		}
		if (fg.has_result) {
			buf_puts(b, fg.has_baseline ? " → " : " : ");
			html_num_fr(b, fg.result);
			buf_fmt(b, " %h (%h)", unit ? unit : "", fg.result_date);
		}
		const char *ev = doc_str(x, "evidence");
		if (ev) buf_fmt(b, " — niveau de preuve : %h", vocab_label(&vocab_evidence, ev));
	}
	const char *vis = doc_str(x, "visibility");
	if (vis && strcmp(vis, "restricted") == 0) buf_puts(b, " <span class=\"restricted-tag\">réservé aux agents</span>");
}

void html_siren(buf_t *b, const char *siren)
{
	if (siren && strlen(siren) == 9)
		buf_fmt(b, "%.*h\u00a0%.*h\u00a0%.*h", 3, siren, 3, siren + 3, 3, siren + 6);
	else
		buf_fmt(b, "%h", siren);
}

void html_count(buf_t *b, int64_t n, const char *singular, const char *plural)
{
	html_int_fr(b, n);
	buf_fmt(b, " %h", n > 1 || n < -1 ? plural : singular);
}

/* ==== Small components ==== */

void html_usecase_path(buf_t *b, int64_t id, const char *slug)
{
	if (slug && *slug) buf_fmt(b, "/fiches/%D-%U", id, slug);
	else buf_fmt(b, "/fiches/%D", id);
}

void html_badge(buf_t *b, const char *kind, const char *code)
{
	if (!code || !*code) return;
	const struct vocab *v = strcmp(kind, "state") == 0 ? &vocab_state : &vocab_status;
	/* class names only from known codes: an unknown one gets no colour */
	const char *cls = vocab_index(v, code) >= 0 ? code : "other";
	buf_fmt(b, "<span class=\"badge badge-%h-%h\">%h</span>", kind, cls, vocab_label(v, code));
}

void html_hits(buf_t *b, const struct search_result *res, int hlevel)
{
	if (!res || res->nhits <= 0) return;
	if (hlevel < 2 || hlevel > 6) hlevel = 3;
	buf_puts(b, "<ol class=\"hits\">\n");
	for (int i = 0; i < res->nhits; i++) {
		const struct search_hit *h = &res->hits[i];
		buf_t href = BUF_INIT;
		html_usecase_path(&href, h->id, h->slug);
		buf_fmt(b, "<li class=\"hit\">\n<h%d class=\"hit-title\"><a href=\"%h\">%h</a></h%d>\n", hlevel,
		        buf_cstr(&href), h->title && *h->title ? h->title : "(sans titre)", hlevel);
		buf_free(&href);

		buf_puts(b, "<p class=\"hit-meta\">");
		if (h->owner_name) {
			if (h->owner_key)
				buf_fmt(b, "<a class=\"hit-owner\" href=\"/organisations/%U\">%h</a>", h->owner_key,
				        h->owner_name);
			else
				buf_fmt(b, "<span class=\"hit-owner\">%h</span>", h->owner_name);
			const char *kl = org_kind_label(h->owner_kind);
			if (kl) buf_fmt(b, " <span class=\"hit-kind\">(%h)</span>", kl);
		}
		buf_puts(b, "</p>\n<p class=\"hit-tags\">");
		if (h->state && strcmp(h->state, "published") != 0) {
			html_badge(b, "state", h->state);
			buf_puts(b, " ");
		}
		if (h->status) {
			buf_puts(b, "<span class=\"visually-hidden\">Maturité : </span>");
			html_badge(b, "status", h->status);
			buf_puts(b, " ");
		}
		if (h->theme)
			buf_fmt(b, "<span class=\"tag\"><span class=\"visually-hidden\">Thème : </span>%h</span> ",
			        vocab_label(&vocab_theme, h->theme));
		if (h->impact_label) buf_puts(b, "<span class=\"tag tag-impact\">Impact démontré</span> ");
		if (h->reuses > 0) {
			buf_puts(b, "<span class=\"hit-reuses\">Réutilisée ");
			html_count(b, h->reuses, "fois", "fois");
			buf_puts(b, "</span> ");
		}
		if (h->updated_at) {
			buf_puts(b, "<span class=\"hit-date\">Mise à jour le ");
			html_time(b, h->updated_at);
			buf_puts(b, "</span>");
		}
		buf_puts(b, "</p>\n");
		if (h->snippet_html && *h->snippet_html)
			/* snippet_html is escaped by search.c; it adds only <mark> */
			buf_fmt(b, "<p class=\"hit-text\">%R</p>\n", h->snippet_html);
		else if (h->summary && *h->summary)
			buf_fmt(b, "<p class=\"hit-text\">%h</p>\n", h->summary);
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ol>\n");
}

void html_page_url(buf_t *b, const char *base, int page)
{
	buf_puts(b, base);
	if (page > 1) {
		buf_puts(b, strchr(base, '?') ? "&" : "?");
		buf_fmt(b, "page=%d", page);
	}
}

static void page_link(buf_t *b, const char *base, int page, int current)
{
	buf_t u = BUF_INIT;
	html_page_url(&u, base, page);
	if (page == current)
		buf_fmt(b, "<li><a href=\"%h\" aria-current=\"page\"><span class=\"visually-hidden\">Page </span>%d</a></li>\n",
		        buf_cstr(&u), page);
	else
		buf_fmt(b, "<li><a href=\"%h\"><span class=\"visually-hidden\">Page </span>%d</a></li>\n",
		        buf_cstr(&u), page);
	buf_free(&u);
}

void html_pagination(buf_t *b, const char *base, int page, int npages)
{
	if (npages <= 1) return;
	buf_puts(b, "<nav class=\"pagination\" aria-label=\"Pagination\">\n<ul>\n");
	buf_t u = BUF_INIT;
	if (page > 1) {
		html_page_url(&u, base, page - 1 < npages ? page - 1 : npages);
		buf_fmt(b, "<li class=\"page-prev\"><a href=\"%h\" rel=\"prev\">‹ Page précédente</a></li>\n",
		        buf_cstr(&u));
		buf_reset(&u);
	}
	/* 1 … p-2 p-1 p p+1 p+2 … last */
	int lo = page - 2 < 1 ? 1 : page - 2;
	int hi = page + 2 > npages ? npages : page + 2;
	if (lo > 1) {
		page_link(b, base, 1, page);
		if (lo > 2) buf_puts(b, "<li class=\"page-gap\" aria-hidden=\"true\">…</li>\n");
	}
	for (int p = lo; p <= hi; p++) page_link(b, base, p, page);
	if (hi < npages) {
		if (hi < npages - 1) buf_puts(b, "<li class=\"page-gap\" aria-hidden=\"true\">…</li>\n");
		page_link(b, base, npages, page);
	}
	if (page < npages) {
		html_page_url(&u, base, page + 1);
		buf_fmt(b, "<li class=\"page-next\"><a href=\"%h\" rel=\"next\">Page suivante ›</a></li>\n",
		        buf_cstr(&u));
	}
	buf_free(&u);
	buf_puts(b, "</ul>\n</nav>\n");
}

/* ==== Forms ==== */

void html_form_begin(struct req *r, const char *action, const char *cls)
{
	buf_fmt(&r->out, "<form method=\"post\" action=\"%h\" class=\"%h\" novalidate>\n"
	                 "<input type=\"hidden\" name=\"csrf\" value=\"%h\">\n",
	        action, cls ? cls : "form", req_csrf(r));
}

const char *html_ferr(const struct verrors *e, const char *field)
{
	if (!e) return NULL;
	int n = e->count < (int)ARRAY_LEN(e->items) ? e->count : (int)ARRAY_LEN(e->items);
	for (int i = 0; i < n; i++)
		if (strcmp(e->items[i].field, field) == 0) return e->items[i].message;
	return NULL;
}

void html_error_summary(buf_t *b, const struct verrors *e)
{
	if (!e || e->count == 0) return;
	int n = e->count < (int)ARRAY_LEN(e->items) ? e->count : (int)ARRAY_LEN(e->items);
	buf_puts(b, "<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"erreurs-titre\" tabindex=\"-1\" id=\"erreurs\">\n"
	            "<h2 id=\"erreurs-titre\">");
	html_count(b, e->count, "erreur à corriger", "erreurs à corriger");
	buf_puts(b, "</h2>\n<ul>\n");
	for (int i = 0; i < n; i++) {
		if (e->items[i].field[0])
			buf_fmt(b, "<li><a href=\"#f-%h\">%h</a></li>\n", e->items[i].field, e->items[i].message);
		else
			buf_fmt(b, "<li>%h</li>\n", e->items[i].message);
	}
	buf_puts(b, "</ul>\n</div>\n");
}

void html_field_error(buf_t *b, const struct verrors *e, const char *field)
{
	const char *m = html_ferr(e, field);
	if (m) buf_fmt(b, "<p class=\"field-error\" id=\"e-%h\"><span class=\"visually-hidden\">Erreur : </span>%h</p>\n", field, m);
}

void html_input(buf_t *b, const struct html_field *f, const struct verrors *e)
{
	const char *err = html_ferr(e, f->name);
	buf_fmt(b, "<div class=\"field%h\">\n<label for=\"f-%h\">%h", err ? " field-invalid" : "", f->name, f->label);
	if (f->required) buf_puts(b, " <span class=\"req\">(obligatoire)</span>");
	buf_puts(b, "</label>\n");
	if (f->help) buf_fmt(b, "<p class=\"help\" id=\"h-%h\">%h</p>\n", f->name, f->help);
	html_field_error(b, e, f->name);
	const char *type = f->type ? f->type : "text";
	bool area = strcmp(type, "textarea") == 0;
	buf_fmt(b, area ? "<textarea" : "<input type=\"%h\"", type);
	buf_fmt(b, " id=\"f-%h\" name=\"%h\"", f->name, f->name);
	if (f->autocomplete) buf_fmt(b, " autocomplete=\"%h\"", f->autocomplete);
	if (f->maxlength > 0) buf_fmt(b, " maxlength=\"%d\"", f->maxlength);
	if (f->required) buf_puts(b, " required aria-required=\"true\"");
	if (err) buf_puts(b, " aria-invalid=\"true\"");
	if (f->help || err) {
		buf_puts(b, " aria-describedby=\"");
		if (f->help) buf_fmt(b, "h-%h", f->name);
		if (err) buf_fmt(b, "%he-%h", f->help ? " " : "", f->name);
		buf_puts(b, "\"");
	}
	if (area)
		buf_fmt(b, " rows=\"%d\">%h</textarea>\n", f->rows > 0 ? f->rows : 5, f->value ? f->value : "");
	else if (strcmp(type, "password") == 0)
		buf_puts(b, ">\n");   /* a password is never sent back */
	else
		buf_fmt(b, " value=\"%h\">\n", f->value ? f->value : "");
	buf_puts(b, "</div>\n");
}
