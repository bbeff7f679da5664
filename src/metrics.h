/*
 * metrics.h — measured response times per route family, in memory, for
 * GET /api/v1/status (issue 6).
 *
 * Design notes
 * - A family is derived from the method and path (metrics_family()): the
 *   API read routes by resource, API writes together, the main pages, the
 *   static files. Few families, so the status reply stays short and stable.
 * - Each family keeps the total count since start and a ring of the last
 *   METRICS_WINDOW durations; p50/p95 are computed on demand over that
 *   sliding window (a copy, sorted). One mutex; recording is O(1).
 * - Nothing is persisted and nothing identifies a visitor: only durations.
 */
#ifndef IAT_METRICS_H
#define IAT_METRICS_H

#include <stdint.h>

#include "jsonw.h"

#define METRICS_WINDOW 1024

/* Called once by server_run(): the start time and the published write rate. */
void metrics_init(int write_rate);
/* Record one reply to method path that took ms milliseconds. */
void metrics_record(const char *method, const char *path, double ms);
/* The family name of a request (static string). */
const char *metrics_family(const char *method, const char *path);
/* The write rate given to metrics_init() (writes per minute per account, 0: none). */
int metrics_write_rate(void);
/* Seconds since metrics_init(), and its time (UTC, ISO 8601). */
int64_t metrics_uptime(void);
const char *metrics_started_at(void);
/* Write {"family": {count, p50_ms, p95_ms, window}, ...} with w. */
void metrics_render(jsonw_t *w);

#endif
