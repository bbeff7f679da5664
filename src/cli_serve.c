/*
 * cli_serve.c — `iat serve`: check the database, then run the server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "cli.h"
#include "db.h"
#include "http.h"
#include "util.h"

static const char serve_usage[] =
    "usage : iat serve [--db PATH] [--listen HOTE:PORT] [--threads N] [--write-rate N]\n"
    "                  [--base-url https://iat.exemple.fr] [--quiet]\n"
    "Sert le site et l'API JSON. Par défaut : --listen 127.0.0.1:$PORT (8080),\n"
    "--threads = nombre de cœurs, --write-rate 120 écritures par minute et par compte.\n"
    "--base-url : l'adresse publique du site (liens des messages ; en https, les\n"
    "cookies reçoivent l'attribut Secure).\n"
    "Arrêt propre sur Ctrl-C ou SIGTERM.\n";

int cmd_serve(int argc, char **argv)
{
	const char *dbpath = cli_default_db(), *listen = NULL, *threads = NULL, *rate = NULL, *base = NULL;
	bool quiet = false;
	struct cli_opt opts[] = {
		{ "db", &dbpath, NULL },           { "listen", &listen, NULL },
		{ "threads", &threads, NULL },     { "write-rate", &rate, NULL },
		{ "quiet", NULL, &quiet },         { "base-url", &base, NULL },
	};
	char **pos;
	int npos;
	cli_parse(argc, argv, opts, (int)ARRAY_LEN(opts), &pos, &npos, serve_usage);
	if (npos) cli_usage_error("serve : argument inattendu « %s »", pos[0]);
	free(pos);
	struct server_config cfg = { 0 };
	cfg.db_path = dbpath;
	cfg.quiet = quiet;
	char *deflisten = NULL;
	if (!listen) {
		const char *port = getenv("PORT");
		int64_t p;
		if (port && *port && parse_int64(port, 0, 65535, &p) < 0)
			cli_usage_error("serve : PORT invalide « %s »", port);
		deflisten = xasprintf("127.0.0.1:%s", port && *port ? port : "8080");
		listen = deflisten;
	}
	cfg.listen = listen;
	if (base) {
		size_t n = strlen(base);
		if (!(str_starts(base, "https://") || str_starts(base, "http://")) || n > 200 || base[n - 1] == '/' ||
		    strpbrk(base, " \"<>'\\?#"))
			cli_usage_error("serve : --base-url attend une adresse http(s)://hôte[:port] sans / final");
		cfg.base_url = base;
	}
	int64_t v;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cfg.threads = ncpu > 0 ? (int)ncpu : 2;
	if (threads) {
		if (parse_int64(threads, 1, 256, &v) < 0) cli_usage_error("serve : --threads attend un entier entre 1 et 256");
		cfg.threads = (int)v;
	}
	cfg.write_rate = 120;
	if (rate) {
		if (parse_int64(rate, 0, 1000000, &v) < 0) cli_usage_error("serve : --write-rate attend un entier positif");
		cfg.write_rate = (int)v;
	}
	if (auth_init() < 0) die("libsodium ne s'initialise pas");
	/* open once to migrate and fail early with a clear message */
	db_t *db = cli_open_db(dbpath, false);
	db_close(db);
	int rc = server_run(&cfg);
	free(deflisten);
	return rc < 0 ? 1 : 0;
}
