/*
 * markdown.h — safe Markdown rendering (md4c parser, our own HTML renderer).
 *
 * Design notes
 * - CommonMark + tables + strikethrough + autolinks (MD_FLAG_PERMISSIVE*),
 *   raw HTML disabled: HTML blocks and inline HTML are rendered as escaped
 *   text.
 * - Every text goes through buf_html(); attribute values too.
 * - Link and image destinations are kept only for http:, https:, mailto:
 *   and relative URLs (no scheme); anything else (javascript:, data:,
 *   vbscript:, file: ..., also when obfuscated with case, whitespace or
 *   entities) renders the link text without a link. Links get
 *   rel="nofollow noopener noreferrer".
 * - Images are never loaded from outside (privacy, CSP): an image renders as
 *   a link to its URL with its alt text.
 * - Headings in user Markdown are shifted so that # becomes <h3> (the page
 *   owns h1/h2).
 * - Classes for the style sheet: a.md-image (an image turned into a link),
 *   th/td.align-left|align-center|align-right (table columns),
 *   code.language-X (fenced code). No inline style attributes.
 */
#ifndef IAT_MARKDOWN_H
#define IAT_MARKDOWN_H

#include <stddef.h>

#include "buf.h"

/* Append the HTML for md[0..len) to out. Returns 0, or -1 if md4c failed
 * (then out holds the escaped source text as a fallback). */
int markdown_render(buf_t *out, const char *md, size_t len);

/* Append a plain-text rendering (markup removed, for snippets/summaries):
 * entities decoded, blocks separated by blank lines, trailing whitespace
 * trimmed. The result is NOT HTML: escape it before output. Returns 0, or
 * -1 if md4c failed (then out holds the source text). */
int markdown_to_text(buf_t *out, const char *md, size_t len);

#endif
