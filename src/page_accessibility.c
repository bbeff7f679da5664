/*
 * page_accessibility.c — GET /accessibilite: the accessibility statement
 * (« déclaration d'accessibilité ») that RGAA 4.1 requires, following the
 * structure of the official model: commitment, compliance status, test
 * results, non-accessible content, how the statement was made, feedback
 * and contact, remedies.
 *
 * Design notes
 * - Honest by construction: no audit has been made yet, so no compliance
 *   rate is published and the page says so. The status is the constant
 *   HTML_A11Y_STATUS (pages.h), shared with the footer of every page, so
 *   the audit's result is changed in one place. Beware: under RGAA rules a
 *   site with no valid audit is to be declared "non conforme"; the current
 *   wording was asked for by the issue and must be revisited (to that, or
 *   to the audit's result) before the service opens to the public.
 * - Static text only (no data), so no escaping concern beyond the literals.
 */
#include "pages.h"

#define A11Y_DATE "2026-11-26"   /* date this statement was written */

int page_accessibility(struct req *r)
{
	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, "Déclaration d'accessibilité");
	buf_puts(b,
	         "<div class=\"prose\">\n"
	         "<h1>Déclaration d'accessibilité</h1>\n"
	         "<p>Les Interconnectés, France urbaine et Intercommunalités de France s'engagent à rendre "
	         "le site IA·T — Intelligences Associées des Territoires accessible, conformément à "
	         "l'article 47 de la loi n<sup>o</sup> 2005-102 du 11 février 2005.</p>\n"
	         "<p>Cette déclaration d'accessibilité s'applique à l'ensemble du site IA·T : la "
	         "bibliothèque nationale et l'observatoire des usages de l'intelligence artificielle dans "
	         "les collectivités territoriales.</p>\n"

	         "<h2>État de conformité</h2>\n"
	         "<p>Le site IA·T est <strong>" HTML_A11Y_STATUS "</strong> avec le référentiel général "
	         "d'amélioration de l'accessibilité (RGAA), version 4.1.</p>\n"
	         "<div class=\"notice\" role=\"note\">\n"
	         "<p class=\"notice-title\">Aucun audit n'a encore été réalisé</p>\n"
	         "<p>Sans audit, le RGAA impose de déclarer le site « non conforme » : c'est ce que nous "
	         "faisons, même si les règles ci-dessous ont été appliquées dès la conception. Un audit "
	         "portant sur les 106 critères du RGAA sera mené avant "
	         "l'ouverture publique du service ; cette déclaration sera alors mise à jour avec son "
	         "résultat, même s'il est moins favorable.</p>\n"
	         "</div>\n"

	         "<h2>Résultats des tests</h2>\n"
	         "<p>Faute d'audit, aucun taux de conformité n'est publié. Les règles suivantes ont été "
	         "appliquées dès la conception. Chaque version du site est de plus vérifiée automatiquement "
	         "dans le navigateur Chromium avec l'outil axe-core (critères WCAG 2.1 niveaux A et AA), "
	         "sur chaque type de page, à 1280 et à 320 pixels de large, y compris les formulaires "
	         "affichant leurs erreurs : aucune erreur n'est relevée. Une vérification automatique ne "
	         "couvre qu'une partie des critères du RGAA et ne remplace pas l'audit :</p>\n"
	         "<ul>\n"
	         "<li>la langue des pages est déclarée (français) et chaque page a un titre explicite ;</li>\n"
	         "<li>un lien « Aller au contenu » est le premier élément de chaque page ;</li>\n"
	         "<li>les zones de la page sont balisées : en-tête, navigation, recherche, contenu "
	         "principal, pied de page ;</li>\n"
	         "<li>chaque page a un seul titre de niveau 1, et les titres sont hiérarchisés ;</li>\n"
	         "<li>chaque champ de formulaire a une étiquette visible ;</li>\n"
	         "<li>l'élément qui a le focus est toujours entouré d'un contour visible ;</li>\n"
	         "<li>les couleurs du texte visent un contraste d'au moins 4,5:1 avec leur fond ;</li>\n"
	         "<li>aucune information n'est donnée par la seule couleur : la maturité et l'état des "
	         "fiches sont écrits en toutes lettres ;</li>\n"
	         "<li>le site fonctionne sans JavaScript, au clavier, et reste lisible avec un zoom "
	         "de 200 % ;</li>\n"
	         "<li>il n'y a ni contenu en mouvement, ni limite de temps.</li>\n"
	         "</ul>\n"

	         "<h2>Contenus non accessibles</h2>\n"
	         "<h3>Non-conformités connues</h3>\n"
	         "<ul>\n"
	         "<li>Les textes des fiches sont rédigés par les collectivités : ils peuvent contenir des "
	         "liens dont l'intitulé n'est pas explicite ou des titres mal hiérarchisés.</li>\n"
	         "<li>Les liens vers d'autres sites ne sont pas toujours signalés comme tels.</li>\n"
	         "</ul>\n"
	         "<h3>Contenus non soumis à l'obligation d'accessibilité</h3>\n"
	         "<ul>\n"
	         "<li>Les documents et sites extérieurs vers lesquels renvoient les fiches (délibérations "
	         "en PDF, sites des collectivités, dépôts de code), qui relèvent de leurs auteurs.</li>\n"
	         "</ul>\n"
	         "<h3>Dérogations pour charge disproportionnée</h3>\n"
	         "<p>Aucune.</p>\n"

	         "<h2>Établissement de cette déclaration</h2>\n"
	         "<p>Cette déclaration a été établie le <time datetime=\"" A11Y_DATE "\">26 novembre 2026</time>. "
	         "Elle sera mise à jour après l'audit, puis à chaque évolution importante du site.</p>\n"
	         "<ul>\n"
	         "<li>Technologies utilisées : HTML et CSS (aucun JavaScript).</li>\n"
	         "<li>Pages concernées : l'accueil, la recherche, les fiches, leur historique et la "
	         "comparaison de versions, les pages des organisations et de leurs membres, la création de "
	         "compte, la connexion, le mot de passe oublié, « Mon compte », l'espace de l'organisation, "
	         "la relecture, le formulaire de fiche, le signalement d'erreur et sa boîte de réception, "
	         "le journal d'audit, les mentions légales, les données personnelles et cette "
	         "déclaration.</li>\n"
	         "<li>Environnement de test (navigateurs et technologies d'assistance) : il sera précisé "
	         "par l'audit.</li>\n"
	         "</ul>\n"
	         "<p>Le schéma pluriannuel de mise en accessibilité et le plan d'action de l'année seront "
	         "publiés avec la déclaration issue de l'audit.</p>\n"

	         "<h2>Retour d'information et contact</h2>\n"
	         "<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, signalez-le : nous vous "
	         "orienterons vers une alternative accessible ou vous transmettrons le contenu sous une "
	         "autre forme.</p>\n"
	         "<p>L'adresse de contact de l'équipe IA·T sera publiée ici avant l'ouverture du service "
	         "au public. D'ici là, écrivez à l'association de collectivités dont vous êtes le plus "
	         "proche : Les Interconnectés, France urbaine ou Intercommunalités de France.</p>\n"

	         "<h2>Voies de recours</h2>\n"
	         "<p>Si vous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu "
	         "ou à un service du site et que vous n'avez pas obtenu de réponse satisfaisante, vous "
	         "pouvez :</p>\n"
	         "<ul>\n"
	         "<li>écrire un message au Défenseur des droits (<a href=\"https://formulaire.defenseurdesdroits.fr/\" "
	         "rel=\"noopener noreferrer\">formulaire en ligne du Défenseur des droits</a>) ;</li>\n"
	         "<li>contacter le délégué du Défenseur des droits dans votre région "
	         "(<a href=\"https://www.defenseurdesdroits.fr/saisir/delegues\" rel=\"noopener noreferrer\">liste "
	         "des délégués du Défenseur des droits</a>) ;</li>\n"
	         "<li>envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) :<br>\n"
	         "<span class=\"address\">Défenseur des droits<br>Libre réponse 71120<br>75342 Paris CEDEX 07</span></li>\n"
	         "</ul>\n"
	         "</div>\n");
	html_end(r);
	return 0;
}
