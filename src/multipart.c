/*
 * multipart.c — multipart/form-data parsing (see multipart.h).
 *
 * Design notes
 * - The body is "--B\r\n" headers "\r\n\r\n" content "\r\n--B" ... "--B--"
 *   (B the boundary). Anything before the first delimiter (preamble) and
 *   after the last (epilogue) is ignored, as RFC 2046 says.
 * - Only the Content-Disposition header is read; Content-Type of a part
 *   is ignored (the importers detect the format from the content).
 */
#include "multipart.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

static const char *find(const char *h, size_t hlen, const char *n, size_t nlen)
{
	if (nlen == 0 || hlen < nlen) return NULL;
	const char *end = h + hlen - nlen;
	for (const char *p = h; p <= end; p++) {
		p = memchr(p, n[0], (size_t)(end - p) + 1);
		if (!p) return NULL;
		if (memcmp(p, n, nlen) == 0) return p;
	}
	return NULL;
}

static bool bchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("'()+_,-./:=? ", c) != NULL;
}

int multipart_boundary(const char *ct, char *out, size_t outsz)
{
	if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0) return -1;
	const char *p = ct + 19;
	while (*p) {
		while (*p == ';' || *p == ' ' || *p == '\t') p++;
		if (strncasecmp(p, "boundary=", 9) == 0) {
			p += 9;
			size_t n = 0;
			if (*p == '"') {
				p++;
				while (p[n] && p[n] != '"') n++;
				if (p[n] != '"') return -1;
			} else {
				while (p[n] && p[n] != ';' && p[n] != ' ') n++;
			}
			if (n == 0 || n > 70 || n >= outsz) return -1;
			for (size_t i = 0; i < n; i++)
				if (!bchar(p[i])) return -1;
			memcpy(out, p, n);
			out[n] = 0;
			return 0;
		}
		while (*p && *p != ';') p++;
	}
	return -1;
}

/* Value of parameter key (name or filename) in a Content-Disposition
 * header value [v, v+n): quoted (percent-decoding %22 %0D %0A) or token.
 * 1 found (written to out), 0 absent, -1 malformed or too long. */
static int disp_param(const char *v, size_t n, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);
	size_t i = 0;
	while (i < n) {
		while (i < n && (v[i] == ';' || v[i] == ' ' || v[i] == '\t')) i++;
		size_t start = i;
		while (i < n && v[i] != '=' && v[i] != ';') i++;
		size_t nlen = i - start;
		if (i >= n || v[i] != '=') continue;
		i++;
		bool want = nlen == klen && strncasecmp(v + start, key, klen) == 0;
		size_t o = 0;
		if (i < n && v[i] == '"') {
			i++;
			while (i < n && v[i] != '"') {
				char c = v[i++];
				if (c == '%' && i + 1 < n) {
					if (strncasecmp(v + i, "22", 2) == 0) c = '"', i += 2;
					else if (strncasecmp(v + i, "0D", 2) == 0) c = '\r', i += 2;
					else if (strncasecmp(v + i, "0A", 2) == 0) c = '\n', i += 2;
				}
				if (want) {
					if (o + 1 >= outsz || c == 0) return -1;
					out[o++] = c;
				}
			}
			if (i >= n) return -1;
			i++;
		} else {
			while (i < n && v[i] != ';') {
				if (want) {
					if (o + 1 >= outsz || v[i] == 0) return -1;
					out[o++] = v[i];
				}
				i++;
			}
		}
		if (want) {
			out[o] = 0;
			return 1;
		}
	}
	return 0;
}

/* Read one part's headers [h, h+n) into p. 0 or -1 with *err. */
static int part_headers(const char *h, size_t n, struct mpart *p, const char **err)
{
	bool disp = false;
	size_t i = 0;
	while (i < n) {
		const char *eol = find(h + i, n - i, "\r\n", 2);
		size_t llen = eol ? (size_t)(eol - (h + i)) : n - i;
		const char *line = h + i;
		i += llen + (eol ? 2 : 0);
		if (llen > 20 && strncasecmp(line, "Content-Disposition:", 20) == 0) {
			const char *v = line + 20;
			size_t vn = llen - 20;
			while (vn && (*v == ' ' || *v == '\t')) v++, vn--;
			if (vn < 9 || strncasecmp(v, "form-data", 9) != 0) {
				*err = "partie sans « Content-Disposition: form-data »";
				return -1;
			}
			int rc = disp_param(v + 9, vn - 9, "name", p->name, sizeof p->name);
			if (rc != 1 || !p->name[0]) {
				*err = rc < 0 ? "nom de champ mal formé ou trop long" : "partie sans nom de champ";
				return -1;
			}
			rc = disp_param(v + 9, vn - 9, "filename", p->filename, sizeof p->filename);
			if (rc < 0) {
				*err = "nom de fichier mal formé ou trop long";
				return -1;
			}
			p->is_file = rc == 1;
			disp = true;
		}
	}
	if (!disp) {
		*err = "partie sans « Content-Disposition »";
		return -1;
	}
	return 0;
}

int multipart_parse(const char *body, size_t len, const char *boundary, struct mpart *parts, int max,
                    const char **err)
{
	char delim[80];
	size_t blen = strlen(boundary);
	if (blen == 0 || blen > 70) {
		*err = "délimiteur invalide";
		return -1;
	}
	delim[0] = '\r';
	delim[1] = '\n';
	delim[2] = delim[3] = '-';
	memcpy(delim + 4, boundary, blen);
	size_t dlen = blen + 4;
	/* the first delimiter may start the body (no CRLF before it) */
	const char *p;
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
		p = body + dlen - 2;
	} else {
		const char *d = find(body, len, delim, dlen);
		if (!d) {
			*err = "délimiteur introuvable";
			return -1;
		}
		p = d + dlen;
	}
	const char *end = body + len;
	int n = 0;
	for (;;) {
		/* after a delimiter: "--" closes, CRLF opens a part */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') return n;
		while (p < end && (*p == ' ' || *p == '\t')) p++; /* transport padding */
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			*err = "délimiteur mal formé";
			return -1;
		}
		p += 2;
		if (n == max) {
			*err = "trop de champs";
			return -1;
		}
		struct mpart *mp = &parts[n];
		memset(mp, 0, sizeof *mp);
		const char *hend;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
			hend = p; /* no header at all */
		} else {
			hend = find(p, (size_t)(end - p), "\r\n\r\n", 4);
			if (!hend) {
				*err = "en-têtes de partie non terminés";
				return -1;
			}
		}
		if (hend - p > 8192) {
			*err = "en-têtes de partie trop longs";
			return -1;
		}
		if (part_headers(p, (size_t)(hend - p), mp, err) < 0) return -1;
		const char *data = hend + (hend == p ? 2 : 4);
		if (data > end) {
			*err = "partie tronquée";
			return -1;
		}
		const char *d = find(data, (size_t)(end - data), delim, dlen);
		if (!d) {
			*err = "corps tronqué (délimiteur final absent)";
			return -1;
		}
		mp->data = data;
		mp->len = (size_t)(d - data);
		n++;
		p = d + dlen;
	}
}
