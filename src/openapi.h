/*
 * openapi.h — the OpenAPI 3.1 document of the JSON API (api_openapi.c):
 * a hand-written skeleton completed from the model at first use.
 */
#ifndef IAT_OPENAPI_H
#define IAT_OPENAPI_H

#include <jansson.h>

/* The document (built once, never freed), or NULL if the embedded skeleton
 * is missing or malformed. */
const json_t *openapi_document(void);
/* The same, serialised (two-space indentation, newline-terminated). */
const char *openapi_text(void);

#endif
