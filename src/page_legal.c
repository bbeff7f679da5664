/*
 * page_legal.c — GET /mentions-legales (legal notice) and
 * GET /donnees-personnelles (privacy page, RGPD).
 *
 * Design notes
 * - Static text only (no data), so no escaping concern beyond the literals
 *   and the LEGAL_* constants below, which are inserted through %h.
 * - Facts that depend on the instance (the legal entity that operates it,
 *   its address, the director of publication, the host, the contact of the
 *   data protection officer, the address of the source code) are not
 *   invented: they are the LEGAL_* constants below, empty by default. An
 *   empty constant is shown as "to be completed by the operator" so a
 *   missing fact is visible, never silently wrong. doc/deployment.md lists
 *   them ("Legal pages"); the operator sets them before opening the
 *   instance to the public (edit here, or -DLEGAL_...=\"...\" at build).
 * - The privacy page describes what the code actually keeps; when a
 *   module starts keeping something new (or keeps it longer), this page
 *   changes in the same commit. Durations come from the constants of the
 *   modules (session.h: 2 h idle, 12 h absolute; page_account.c: sign-in
 *   throttle 15 min; page_report.c: report throttle 1 h, contact erased 12
 *   months after the answer).
 * - Accessibility: one h1, h2 sections, h3 under them; tables have a
 *   caption and th scope.
 */
#include "pages.h"

/* ==== Facts of the instance (see doc/deployment.md) ==== */
#ifndef LEGAL_OPERATOR
#define LEGAL_OPERATOR ""          /* legal entity operating this instance, with its legal form */
#endif
#ifndef LEGAL_ADDRESS
#define LEGAL_ADDRESS ""           /* its registered address */
#endif
#ifndef LEGAL_REGISTRATION
#define LEGAL_REGISTRATION ""      /* SIREN / RNA number of the operator */
#endif
#ifndef LEGAL_DIRECTOR
#define LEGAL_DIRECTOR ""          /* director of publication (name and function) */
#endif
#ifndef LEGAL_CONTACT
#define LEGAL_CONTACT ""           /* an e-mail address for the site */
#endif
#ifndef LEGAL_HOST
#define LEGAL_HOST ""              /* hosting provider: name, address, telephone */
#endif
#ifndef LEGAL_DPO
#define LEGAL_DPO ""               /* how to reach the data protection officer */
#endif
#ifndef LEGAL_SOURCE_URL
#define LEGAL_SOURCE_URL ""        /* public address of the source code */
#endif

#define TO_COMPLETE "à compléter par l'exploitant de cette instance"

/* "<dt>label</dt><dd>value</dd>", or the to-be-completed mention. */
static void fact(buf_t *b, const char *label, const char *value)
{
	if (value[0])
		buf_fmt(b, "<div><dt>%h</dt><dd>%h</dd></div>\n", label, value);
	else
		buf_fmt(b, "<div><dt>%h</dt><dd><em>" TO_COMPLETE "</em></dd></div>\n", label);
}

int page_legal_notice(struct req *r)
{
	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, "Mentions légales");
	buf_puts(b,
	         "<div class=\"prose\">\n"
	         "<h1>Mentions légales</h1>\n"

	         "<h2>Éditeur</h2>\n"
	         "<p>IA·T — Intelligences Associées des Territoires est la bibliothèque nationale et "
	         "l'observatoire des usages de l'intelligence artificielle dans les collectivités "
	         "territoriales. C'est l'outil du programme national « IA — Intelligences Associées des "
	         "territoires », porté par trois associations de collectivités : "
	         "<strong>Les Interconnectés</strong>, <strong>France urbaine</strong> et "
	         "<strong>Intercommunalités de France</strong>.</p>\n"
	         "<p>Ce site est exploité par :</p>\n<dl class=\"facts\">\n");
	fact(b, "Exploitant", LEGAL_OPERATOR);
	fact(b, "Siège", LEGAL_ADDRESS);
	fact(b, "Numéro d'immatriculation (SIREN ou RNA)", LEGAL_REGISTRATION);
	fact(b, "Directeur ou directrice de la publication", LEGAL_DIRECTOR);
	fact(b, "Contact", LEGAL_CONTACT);
	buf_puts(b, "</dl>\n"
	            "<p>Chaque fiche est rédigée et publiée sous la responsabilité de l'organisation qui la "
	            "porte (collectivité ou organisme public), nommée en tête de la fiche.</p>\n"

	            "<h2>Hébergement</h2>\n<dl class=\"facts\">\n");
	fact(b, "Hébergeur", LEGAL_HOST);
	buf_puts(b, "</dl>\n"

	            "<h2>Licence des données</h2>\n"
	            "<p>Sauf mention contraire sur la fiche, les fiches publiées sont des données ouvertes "
	            "diffusées sous la <a href=\"https://www.etalab.gouv.fr/licence-ouverte-open-licence/\">"
	            "Licence Ouverte / Open Licence version 2.0</a> (Etalab) : vous pouvez les reproduire, "
	            "les modifier et les réutiliser librement, y compris à des fins commerciales, en "
	            "mentionnant leur source (« IA·T — Intelligences Associées des Territoires » et "
	            "l'organisation qui porte la fiche) et la date de leur dernière mise à jour.</p>\n"
	            "<p>Les informations réservées aux agents des collectivités ne sont pas des données "
	            "ouvertes : elles ne sont ni affichées au public ni diffusées par l'API publique.</p>\n"
	            "<p>Données de référence réutilisées :</p>\n<ul>\n"
	            "<li>les collectivités et organismes : découpage administratif de la France "
	            "(Etalab, paquet <code>@etalab/decoupage-administratif</code>, Licence Ouverte) ;</li>\n"
	            "<li>les fiches de démonstration : Bibliothèque IA territoriale des Interconnectés.</li>\n"
	            "</ul>\n"
	            "<p>Les données sont téléchargeables au format JSON par l'<a href=\"/api/v1/usecases\">API "
	            "des fiches</a>, décrite par le <a href=\"/api/v1/schema\">modèle de données</a>.</p>\n"

	            "<h2>Accessibilité</h2>\n"
	            "<p>État de conformité au RGAA 4.1 : " HTML_A11Y_STATUS ". Voir la "
	            "<a href=\"/accessibilite\">déclaration d'accessibilité</a>.</p>\n"

	            "<h2>Données personnelles et cookies</h2>\n"
	            "<p>Le site ne dépose que des cookies strictement nécessaires à son fonctionnement, sans "
	            "mesure d'audience ni contenu de tiers. Ce que nous conservons, pourquoi, combien de temps "
	            "et comment exercer vos droits : page <a href=\"/donnees-personnelles\">Données "
	            "personnelles</a>.</p>\n"

	            "<h2>Signaler une erreur</h2>\n"
	            "<p>Chaque fiche porte un lien « Signaler une erreur ou une information périmée » : "
	            "votre signalement est transmis à l'organisation qui la publie, dont la réponse est "
	            "affichée sur la fiche.</p>\n"

	            "<h2>Code source</h2>\n"
	            "<p>Le logiciel IA·T est un logiciel libre, distribué sous licence MIT.</p>\n"
	            "<dl class=\"facts\">\n");
	fact(b, "Adresse du code source", LEGAL_SOURCE_URL);
	buf_puts(b, "</dl>\n</div>\n");
	html_end(r);
	return 0;
}

int page_privacy(struct req *r)
{
	buf_t *b = &r->out;
	r->status = 200;
	html_begin(r, "Données personnelles");
	buf_puts(b,
	         "<div class=\"prose\">\n"
	         "<h1>Données personnelles</h1>\n"
	         "<p>IA·T garde le moins possible de données personnelles : ce qu'il faut pour que les agents "
	         "des collectivités publient leurs fiches sous leur responsabilité, que chacun puisse signaler "
	         "une erreur, et que le service reste sûr. Cette page décrit tout ce qui est conservé, "
	         "conformément au règlement général sur la protection des données (RGPD) et à la loi "
	         "Informatique et Libertés.</p>\n"

	         "<h2>Responsable du traitement et finalité</h2>\n<dl class=\"facts\">\n");
	fact(b, "Responsable du traitement", LEGAL_OPERATOR);
	fact(b, "Délégué ou déléguée à la protection des données", LEGAL_DPO);
	buf_puts(b,
	         "</dl>\n"
	         "<p>Finalité : tenir la bibliothèque nationale des usages de l'intelligence artificielle dans "
	         "les collectivités territoriales, mission d'intérêt public du programme « IA — Intelligences "
	         "Associées des territoires » porté par Les Interconnectés, France urbaine et "
	         "Intercommunalités de France (base légale : article 6, paragraphe 1, point e du RGPD). "
	         "Aucune donnée n'est vendue, cédée, ni utilisée pour de la publicité ou du profilage.</p>\n"

	         "<h2>Ce que nous conservons</h2>\n"
	         "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Tableau (défilement horizontal possible)\">\n<table class=\"data\">\n"
	         "<caption>Données conservées, raison, durée et personnes qui y ont accès</caption>\n"
	         "<thead><tr><th scope=\"col\">Données</th><th scope=\"col\">Pourquoi</th>"
	         "<th scope=\"col\">Combien de temps</th><th scope=\"col\">Qui les voit</th></tr></thead>\n"
	         "<tbody>\n"

	         "<tr><th scope=\"row\">Compte : adresse électronique, nom affiché, empreinte du mot de passe "
	         "(argon2id : le mot de passe lui-même n'est jamais enregistré), rôle, organisations dont "
	         "vous êtes membre, dates de dernière connexion et de changement de mot de passe</th>"
	         "<td>Vous identifier et décider de vos droits (rédiger, publier, gérer les membres)</td>"
	         "<td>Tant que le compte existe ; effacées quand vous le supprimez</td>"
	         "<td>Vous ; les référents de vos organisations et l'équipe de l'observatoire "
	         "(l'adresse) ; personne d'autre</td></tr>\n"

	         "<tr><th scope=\"row\">Demandes d'adhésion à une organisation : message, dates, "
	         "décision</th>"
	         "<td>Permettre aux référents de l'organisation d'accepter ou de refuser</td>"
	         "<td>Avec le compte</td>"
	         "<td>Vous, les référents de l'organisation, l'équipe de l'observatoire</td></tr>\n"

	         "<tr><th scope=\"row\">Sessions de connexion : empreinte du jeton de session, adresse IP, "
	         "heures de connexion et de dernière activité</th>"
	         "<td>Vous garder connecté et détecter un usage anormal</td>"
	         "<td>Une session prend fin après 2 heures sans activité et 12 heures au plus ; elle est "
	         "effacée à la déconnexion, et une session expirée l'est à la connexion suivante</td>"
	         "<td>Personne en dehors de l'exploitant technique</td></tr>\n"

	         "<tr><th scope=\"row\">Limites de tentatives (connexion, signalements) : adresse IP, "
	         "adresse électronique saisie ou compte, nombre de tentatives</th>"
	         "<td>Protéger les comptes contre les essais de mots de passe et le service contre les "
	         "envois automatiques</td>"
	         "<td>En mémoire seulement, jamais sur disque : 15 minutes (connexion) ou 1 heure "
	         "(signalements), et tout est perdu au redémarrage du service</td>"
	         "<td>Personne</td></tr>\n"

	         "<tr><th scope=\"row\">Signalements d'erreur : l'information visée, votre description, "
	         "votre adresse électronique si vous la donnez, votre compte si vous êtes connecté</th>"
	         "<td>Permettre à l'organisation de corriger la fiche et, si vous le souhaitez, de vous "
	         "répondre</td>"
	         "<td>L'adresse électronique est effacée 12 mois après la réponse de l'organisation ; la "
	         "description est gardée avec la fiche. Votre adresse IP n'est pas enregistrée avec le "
	         "signalement</td>"
	         "<td>Les membres de l'organisation qui publie la fiche et l'équipe de l'observatoire. "
	         "Seule la réponse de l'organisation est publiée, jamais votre description ni votre "
	         "adresse</td></tr>\n"

	         "<tr><th scope=\"row\">Journal d'audit : changements de droits (comptes, adhésions, "
	         "rôles) et d'état des fiches (soumission, publication, retrait, réponses aux "
	         "signalements), avec le compte qui les a faits et la date</th>"
	         "<td>Rendre compte de qui a décidé quoi</td>"
	         "<td>Pendant la durée du service</td>"
	         "<td>Les administrateurs de l'observatoire</td></tr>\n"

	         "<tr><th scope=\"row\">Historique des versions des fiches, avec leur auteur et la date</th>"
	         "<td>Transparence des fiches publiques et retour à une version antérieure</td>"
	         "<td>Aussi longtemps que la fiche</td>"
	         "<td>Les membres de l'organisation et l'équipe de l'observatoire ; le contenu des "
	         "versions d'une fiche publique peut être consulté par tous</td></tr>\n"

	         "<tr><th scope=\"row\">Journaux du serveur : date, adresse demandée, code de réponse, "
	         "durée, adresse IP</th>"
	         "<td>Faire fonctionner le service, diagnostiquer les pannes, détecter les attaques</td>"
	         "<td>Durée fixée par l'exploitant, au plus 12 mois (la CNIL recommande de 6 mois à "
	         "1 an)</td>"
	         "<td>L'exploitant technique seulement</td></tr>\n"

	         "</tbody>\n</table>\n</div>\n"

	         "<h2>Cookies</h2>\n"
	         "<p>Le site dépose trois cookies, tous strictement nécessaires au service que vous "
	         "demandez : ils sont dispensés de consentement, c'est pourquoi il n'y a pas de bandeau. "
	         "Il n'y a ni mesure d'audience, ni publicité, ni pistage, ni contenu ou script de "
	         "tiers.</p>\n"
	         "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Tableau (défilement horizontal possible)\">\n<table class=\"data\">\n"
	         "<caption>Cookies déposés par le site</caption>\n"
	         "<thead><tr><th scope=\"col\">Nom</th><th scope=\"col\">Rôle</th>"
	         "<th scope=\"col\">Durée</th></tr></thead>\n<tbody>\n"
	         "<tr><th scope=\"row\"><code>iat_session</code></th><td>Vous garder connecté (jeton "
	         "aléatoire)</td><td>Jusqu'à la fermeture du navigateur ou la fin de la session (12 heures "
	         "au plus)</td></tr>\n"
	         "<tr><th scope=\"row\"><code>iat_csrf</code></th><td>Protéger les formulaires contre leur "
	         "envoi depuis un autre site, quand vous n'êtes pas connecté</td><td>Jusqu'à la fermeture "
	         "du navigateur</td></tr>\n"
	         "<tr><th scope=\"row\"><code>iat_flash</code></th><td>Afficher une fois un message de "
	         "confirmation après un formulaire</td><td>2 minutes au plus, effacé dès l'affichage</td></tr>\n"
	         "</tbody>\n</table>\n</div>\n"

	         "<h2>Vos droits</h2>\n"
	         "<p>Vous pouvez accéder à vos données, les faire rectifier ou effacer, demander la "
	         "limitation de leur traitement ou vous y opposer.</p>\n"
	         "<ul>\n"
	         "<li>Télécharger les données de votre compte : <a href=\"/compte/donnees\">Mon compte — "
	         "mes données</a>.</li>\n"
	         "<li>Supprimer votre compte : <a href=\"/compte/supprimer\">Mon compte — supprimer mon "
	         "compte</a>.</li>\n"
	         "<li>Pour un signalement envoyé sans compte, ou pour toute autre demande : écrivez au "
	         "délégué ou à la déléguée à la protection des données (ci-dessous), en indiquant la fiche "
	         "et la date du signalement.</li>\n"
	         "</ul>\n"

	         "<h2>Contact et réclamation</h2>\n<dl class=\"facts\">\n");
	fact(b, "Délégué ou déléguée à la protection des données", LEGAL_DPO);
	buf_puts(b,
	         "</dl>\n"
	         "<p>Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous "
	         "pouvez adresser une réclamation à la Commission nationale de l'informatique et des "
	         "libertés (CNIL) : <a href=\"https://www.cnil.fr/fr/plaintes\">www.cnil.fr/fr/plaintes</a>, "
	         "ou par courrier : CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07.</p>\n"
	         "</div>\n");
	html_end(r);
	return 0;
}
