/*
 * account.h — small helpers shared by the account pages (page_signup.c,
 * page_myaccount.c, page_member.c): one-time tokens for links sent by
 * message, throttling with a French 429, signing a user in, labels.
 *
 * Design notes
 * - One-time link tokens are 32 random bytes in base64url (43
 *   characters); only BLAKE2b-256(token) is stored (signup.token_hash,
 *   password_reset.token_hash), like sessions and API tokens.
 * - Audit conventions of these pages: target "user:ID" for actions on an
 *   account, the organisation's public key for membership actions with
 *   detail "user=ID ..." (so "my data" can find the entries about a user).
 */
#ifndef IAT_ACCOUNT_H
#define IAT_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "http.h"

#define ACCOUNT_TOKEN_LEN 43

/* A fresh token (tok[ACCOUNT_TOKEN_LEN + 1]) and its hash. */
void account_token_new(char tok[ACCOUNT_TOKEN_LEN + 1], unsigned char hash[32]);
/* Hash of a token given back by a link. false when tok cannot be one of
 * ours (wrong length or characters): no need to look it up. */
bool account_token_hash(const char *tok, unsigned char hash[32]);

/* server_throttle() for (scope, key); when over the limit, adds
 * Retry-After and writes a French message into msg (at least 200 bytes)
 * and returns false. */
bool account_throttle(struct req *r, const char *scope, const char *key, int max, int window, char *msg,
                      size_t msgsz);

/* Lower-case ASCII copy of an e-mail address (a throttle key). */
void account_fold(const char *in, char *out, size_t outsz);

/* End the browser's current session (if any), create one for uid and set
 * the cookie. 0 or -1. */
int account_sign_in(struct req *r, int64_t uid);

/* French label of an account role ("Agent d'une collectivité"...), or of
 * a membership role when membership is true ("agent", "référent"). */
const char *account_role_label(const char *role, bool membership);

/* Current time as ISO 8601 (out[21]). */
void account_now(char out[21]);

#endif
