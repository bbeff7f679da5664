/*
 * cli_user.c — `iat user add` and `iat token create`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cli.h"
#include "db.h"
#include "util.h"

static const char user_usage[] =
    "usage : iat user add [--db PATH] EMAIL [--org SIREN|INSEE|ID] --role citizen|agent|referent|curator|admin\n"
    "                     [--password-stdin]\n"
    "Crée le compte (ou met à jour son rôle) et son appartenance à l'organisation.\n"
    "--org est obligatoire pour agent et referent. --password-stdin lit le mot de\n"
    "passe sur l'entrée standard (une ligne ; 12 caractères au moins) ; sans lui,\n"
    "la personne choisit son mot de passe avec « Mot de passe oublié ».\n";

int cmd_user(int argc, char **argv)
{
	const char *dbpath = cli_default_db(), *org = NULL, *role = NULL;
	bool pw_stdin = false;
	struct cli_opt opts[] = { { "db", &dbpath, NULL },
		                  { "org", &org, NULL },
		                  { "role", &role, NULL },
		                  { "password-stdin", NULL, &pw_stdin } };
	char **pos;
	int npos;
	cli_parse(argc, argv, opts, (int)ARRAY_LEN(opts), &pos, &npos, user_usage);
	if (npos < 1 || strcmp(pos[0], "add") != 0) cli_usage_error("user : sous-commande attendue : add");
	if (npos != 2) cli_usage_error("user add : indiquez une adresse électronique, et une seule");
	if (!role) cli_usage_error("user add : --role est obligatoire (citizen, agent, referent, curator ou admin)");
	const char *email = pos[1];
	free(pos);
	char pw[AUTH_PASSWORD_MAX + 2] = "";
	if (pw_stdin) {
		if (!fgets(pw, sizeof pw, stdin)) die("user add : aucun mot de passe sur l'entrée standard");
		size_t n = strlen(pw);
		if (n && pw[n - 1] == '\n') pw[--n] = 0;
		if (n && pw[n - 1] == '\r') pw[--n] = 0;
		const char *problem = auth_password_problem(pw, email);
		if (problem) die("user add : %s", problem);
	}
	if (auth_init() < 0) die("libsodium ne s'initialise pas");
	db_t *db = cli_open_db(dbpath, false);
	char *err = NULL;
	int64_t id = auth_user_add(db, email, org, role, &err);
	if (id >= 0 && pw_stdin && auth_password_set(db, id, pw) < 0) {
		db_close(db);
		die("user add : mot de passe non enregistré");
	}
	db_close(db);
	if (id < 0) die("%s", err);
	printf("compte %s : rôle %s%s%s (id %lld)\n", email, role, org ? ", organisation " : "", org ? org : "",
	       (long long)id);
	return 0;
}

static const char token_usage[] =
    "usage : iat token create [--db PATH] [--label TEXTE] EMAIL\n"
    "Crée un jeton d'API pour ce compte et l'affiche UNE SEULE FOIS (seule son\n"
    "empreinte est conservée). Utilisation : Authorization: Bearer <jeton>.\n";

int cmd_token(int argc, char **argv)
{
	const char *dbpath = cli_default_db(), *label = NULL;
	struct cli_opt opts[] = { { "db", &dbpath, NULL }, { "label", &label, NULL } };
	char **pos;
	int npos;
	cli_parse(argc, argv, opts, (int)ARRAY_LEN(opts), &pos, &npos, token_usage);
	if (npos < 1 || strcmp(pos[0], "create") != 0) cli_usage_error("token : sous-commande attendue : create");
	if (npos != 2) cli_usage_error("token create : indiquez une adresse électronique, et une seule");
	const char *email = pos[1];
	free(pos);
	if (auth_init() < 0) die("libsodium ne s'initialise pas");
	db_t *db = cli_open_db(dbpath, false);
	char *token = NULL, *err = NULL;
	int rc = auth_token_create(db, email, label, &token, &err);
	db_close(db);
	if (rc < 0) die("%s", err);
	printf("%s\n", token);
	fprintf(stderr, "jeton créé pour %s : conservez-le, il ne sera plus affiché.\n", email);
	free(token);
	return 0;
}
