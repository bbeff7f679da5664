/*
 * metrics.c — response-time counters per route family (see metrics.h).
 */
#include "metrics.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static const char *const families[] = {
	"api.usecases.search", "api.usecases.record", "api.organisations", "api.exports",
	"api.service", "api.writes", "pages.search", "pages.record", "pages.other", "static",
};
#define NFAM (sizeof families / sizeof families[0])

struct fam {
	uint64_t count;
	float ring[METRICS_WINDOW];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fam fams[NFAM];
static int64_t started;
static char started_iso[32];
static int write_rate;

void metrics_init(int rate)
{
	pthread_mutex_lock(&lock);
	started = now_unix();
	time_t t = (time_t)started;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(started_iso, sizeof started_iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	write_rate = rate;
	pthread_mutex_unlock(&lock);
}

const char *metrics_family(const char *method, const char *path)
{
	bool get = strcmp(method, "GET") == 0;
	if (str_starts(path, "/api/") || strcmp(path, "/healthz") == 0) {
		if (!get) return "api.writes";
		size_t n = strlen(path);
		if (n > 4 && strcmp(path + n - 4, ".csv") == 0) return "api.exports";
		if (strcmp(path, "/api/v1/usecases") == 0) return "api.usecases.search";
		if (str_starts(path, "/api/v1/usecases/")) return "api.usecases.record";
		if (str_starts(path, "/api/v1/organisations")) return "api.organisations";
		return "api.service";
	}
	if (str_starts(path, "/static/")) return "static";
	if (strcmp(path, "/recherche") == 0) return "pages.search";
	if (str_starts(path, "/fiches/")) return "pages.record";
	return "pages.other";
}

void metrics_record(const char *method, const char *path, double ms)
{
	const char *f = metrics_family(method, path);
	for (size_t i = 0; i < NFAM; i++) {
		if (families[i] != f) continue;
		pthread_mutex_lock(&lock);
		fams[i].ring[fams[i].count % METRICS_WINDOW] = (float)ms;
		fams[i].count++;
		pthread_mutex_unlock(&lock);
		return;
	}
}

int metrics_write_rate(void)
{
	return write_rate;
}

int64_t metrics_uptime(void)
{
	return started ? now_unix() - started : 0;
}

const char *metrics_started_at(void)
{
	return started_iso;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n). */
static double pct(const float *v, size_t n, double p)
{
	size_t k = (size_t)(p * (double)n + 0.999999);
	if (k < 1) k = 1;
	if (k > n) k = n;
	return v[k - 1];
}

void metrics_render(jsonw_t *w)
{
	static float tmp[METRICS_WINDOW]; /* under lock */
	jw_obj(w);
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < NFAM; i++) {
		size_t n = fams[i].count < METRICS_WINDOW ? (size_t)fams[i].count : METRICS_WINDOW;
		memcpy(tmp, fams[i].ring, n * sizeof *tmp);
		qsort(tmp, n, sizeof *tmp, cmp_float);
		jw_key(w, families[i]);
		jw_obj(w);
		jw_kint(w, "count", (int64_t)fams[i].count);
		jw_key(w, "p50_ms");
		if (n) jw_num(w, (double)(int64_t)(pct(tmp, n, 0.50) * 1000) / 1000); else jw_null(w);
		jw_key(w, "p95_ms");
		if (n) jw_num(w, (double)(int64_t)(pct(tmp, n, 0.95) * 1000) / 1000); else jw_null(w);
		jw_kint(w, "window", (int64_t)n);
		jw_obj_end(w);
	}
	pthread_mutex_unlock(&lock);
	jw_obj_end(w);
}
