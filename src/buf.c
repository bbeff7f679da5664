/*
 * buf.c — see buf.h. Growable buffer and the escaping formatter.
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void buf_init(buf_t *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_free(buf_t *b)
{
	free(b->data);
	buf_init(b);
}

void buf_reset(buf_t *b)
{
	b->len = 0;
}

void buf_reserve(buf_t *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap) return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need) cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_append(buf_t *b, const void *data, size_t len)
{
	if (!len) return;
	buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

void buf_puts(buf_t *b, const char *s)
{
	if (s) buf_append(b, s, strlen(s));
}

void buf_putc(buf_t *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
}

void buf_html(buf_t *b, const char *s, size_t len)
{
	if (!s) return;
	buf_reserve(b, len);
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_append(b, s + start, len - start);
}

void buf_url(buf_t *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!s) return;
	buf_reserve(b, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_append(b, e, 3);
		}
	}
}

/* Decode one UTF-8 sequence at s[0..len). Returns its length and sets *cp,
 * or returns 0 for an invalid sequence. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	uint32_t v, min;
	if ((c & 0xE0) == 0xC0) {
		n = 2; v = c & 0x1F; min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3; v = c & 0x0F; min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n > len) return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
	*cp = v;
	return n;
}

void buf_json_str(buf_t *b, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	buf_reserve(b, len + 2);
	buf_putc(b, '"');
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
			size_t j = i + 1;
			while (j < len && s[j] >= 0x20 && s[j] < 0x80 && s[j] != '"' && s[j] != '\\' &&
			       s[j] != '<' && s[j] != '>' && s[j] != '&')
				j++;
			buf_append(b, s + i, j - i);
			i = j;
			continue;
		}
		if (c < 0x80) {
			switch (c) {
			case '"': buf_puts(b, "\\\""); break;
			case '\\': buf_puts(b, "\\\\"); break;
			case '\n': buf_puts(b, "\\n"); break;
			case '\r': buf_puts(b, "\\r"); break;
			case '\t': buf_puts(b, "\\t"); break;
			default: {
				char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				buf_append(b, e, 6);
			}
			}
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			buf_puts(b, "\\ufffd");
			i++;
			continue;
		}
		if (cp == 0x2028 || cp == 0x2029) {
			buf_puts(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
		} else {
			buf_append(b, s + i, n);
		}
		i += n;
	}
	buf_putc(b, '"');
}

void buf_vfmt(buf_t *b, const char *fmt, va_list ap)
{
	const char *p = fmt;
	while (*p) {
		const char *q = strchr(p, '%');
		if (!q) {
			buf_puts(b, p);
			return;
		}
		buf_append(b, p, (size_t)(q - p));
		q++;
		int prec = -1;
		if (q[0] == '.' && q[1] == '*') {
			prec = va_arg(ap, int);
			q += 2;
		}
		char tmp[32];
		switch (*q) {
		case 'h': {
			const char *s = va_arg(ap, const char *);
			if (s) buf_html(b, s, prec >= 0 ? (size_t)prec : strlen(s));
			break;
		}
		case 'U': {
			const char *s = va_arg(ap, const char *);
			if (s) buf_url(b, s, prec >= 0 ? (size_t)prec : strlen(s));
			break;
		}
		case 'J': {
			const char *s = va_arg(ap, const char *);
			if (s) buf_json_str(b, s, prec >= 0 ? (size_t)prec : strlen(s));
			else buf_puts(b, "null");
			break;
		}
		case 'R': {
			const char *s = va_arg(ap, const char *);
			if (s) buf_append(b, s, prec >= 0 ? (size_t)prec : strlen(s));
			break;
		}
		case 'd': {
			int n = snprintf(tmp, sizeof tmp, "%d", va_arg(ap, int));
			buf_append(b, tmp, (size_t)n);
			break;
		}
		case 'D': {
			int n = snprintf(tmp, sizeof tmp, "%lld", (long long)va_arg(ap, int64_t));
			buf_append(b, tmp, (size_t)n);
			break;
		}
		case 'z': {
			int n = snprintf(tmp, sizeof tmp, "%zu", va_arg(ap, size_t));
			buf_append(b, tmp, (size_t)n);
			break;
		}
		case '%':
			buf_putc(b, '%');
			break;
		default:
			log_error("buf_fmt: unsupported conversion %%%c in \"%s\"", *q ? *q : '0', fmt);
			abort();
		}
		p = q + 1;
	}
}

void buf_fmt(buf_t *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vfmt(b, fmt, ap);
	va_end(ap);
}

const char *buf_cstr(buf_t *b)
{
	buf_reserve(b, 0);
	b->data[b->len] = 0;
	return b->data;
}

char *buf_detach(buf_t *b)
{
	buf_cstr(b);
	char *s = b->data;
	buf_init(b);
	return s;
}
