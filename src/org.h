/*
 * org.h — organisations: every French authority (communes, EPCI, EPT,
 * départements, régions) from the official reference, plus other bodies
 * (syndicats mixtes, public operators) created with a checked SIREN.
 *
 * Design notes
 * - Public key of an organisation: "<kind>-<code>", e.g. "commune-69123",
 *   "departement-69", "region-84", "epci-243300316", "ept-200057867",
 *   "syndicat-254300882". Stable across reloads (the loader upserts on
 *   (kind, code), so ids never change).
 * - org_find() accepts that key, a SIREN (9 digits), a commune INSEE code
 *   (5 characters, 2A/2B for Corsica), or a département code (2-3
 *   characters). Régions need the "region-" prefix (their codes collide
 *   with département codes).
 * - Population bands ("strates"): lt_3500, 3500_20000, 20000_100000,
 *   gt_100000 (see org_band()).
 * - struct org owns its strings; org_free() releases them.
 */
#ifndef IAT_ORG_H
#define IAT_ORG_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct org {
	int64_t id;
	char *kind;        /* commune | epci | ept | departement | region | syndicat | operateur | autre */
	char *code;        /* INSEE code, or SIREN for EPCI/EPT/other bodies */
	char *siren;       /* may be NULL */
	char *name;
	char *subtype;     /* EPCI: CC, CA, CU, METRO, MET69; else NULL */
	int64_t population; /* -1 when unknown */
	char *departement; /* may be NULL */
	char *region;      /* may be NULL */
	bool official;
	bool active;
};

void org_free(struct org *o);

/* Canonical public key "<kind>-<code>" (heap string). */
char *org_key(const struct org *o);

/* Population band code for a population (-1/unknown gives NULL), and its
 * French label ("moins de 3 500 habitants"...). */
const char *org_band(int64_t population);
const char *org_band_label(const char *band);
/* French label of a kind ("Commune", "EPCI", "Département"...), NULL if
 * unknown. */
const char *org_kind_label(const char *kind);

/* Look an organisation up by any accepted key (see notes). Returns 1 and
 * fills *out (caller org_free()s), 0 if not found or the key is malformed,
 * -1 on a database error. */
int org_find(db_t *db, const char *key, struct org *out);
int org_get(db_t *db, int64_t id, struct org *out);

/* Find an organisation by its name as written in other data sets
 * ("Bordeaux Métropole", "Département de la Vendée", "Région Occitanie",
 * "Ville de Metz"): folded exact name match after removing the usual
 * prefixes, preferring the kind hinted by the prefix and the most populous
 * on ties. 1 found, 0 not, -1 error. */
int org_find_by_name(db_t *db, const char *name, const char *kind_hint, struct org *out);

/* Name of the département or région with this INSEE code (heap string),
 * NULL if unknown. */
char *org_area_name(db_t *db, const char *kind, const char *code);

/* Search by name (prefix on the last word, accents folded), INSEE code or
 * SIREN; active organisations only; ordered by relevance then population.
 * Calls cb for each result; returns the number of results or -1. */
typedef int (*org_cb)(void *ctx, const struct org *o);
int org_search(db_t *db, const char *q, int limit, int offset, org_cb cb, void *ctx);

/* Create another body (kind syndicat, operateur or autre) with a SIREN that
 * must pass siren_valid(). Returns the new id, or -1 with a French message
 * in *err (invalid SIREN, SIREN already used, empty name, bad kind). */
int64_t org_create_other(db_t *db, const char *kind, const char *siren, const char *name,
                         const char *departement, char **err);

struct org_load_stats {
	int communes, epci, ept, departements, regions;
	int deactivated;  /* official organisations absent from this reload */
	double seconds;
};

/* Full refresh from the reference data directory (the data/ folder of npm
 * @etalab/decoupage-administratif@6.0.0: communes.json, epci.json,
 * ept.json, departements.json, regions.json), in one transaction: upsert on
 * (kind, code), memberships rebuilt, populations of départements and
 * régions summed from their communes, name index rebuilt. Safe to run again
 * (same ids, no duplicates). progress: print progress on stderr when it is
 * a terminal. Returns 0, or -1 with a French message in *err (and nothing
 * changed). */
int org_load_reference(db_t *db, const char *dir, bool progress, struct org_load_stats *stats,
                       char **err);

#endif
