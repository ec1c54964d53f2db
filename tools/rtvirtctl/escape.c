// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirtctl: strings from the kernel made safe for output.  JSON strings
 * are escaped, and bytes that are not valid UTF-8 become U+FFFD; text
 * fields keep printable ASCII only, so they cannot break a layout or the
 * terminal.  No reader goes past the end of a UAPI character array,
 * whether or not the kernel NUL-terminated it.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rtvirt/common.h>

#include "format.h"
#include "internal.h"

/*
 * Length of the valid UTF-8 sequence at @s, of at most @avail bytes, or 0
 * when it is not one (stray continuation byte, overlong form, surrogate,
 * beyond U+10FFFF, or cut short).
 */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned int cp, min;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/**
 * rvc_json_string() - write a string as a quoted JSON string
 * @f:		output stream
 * @s:		string; may be NULL (written as "")
 * @maxlen:	bytes of @s that may be read; the string ends at the first
 *		NUL or after @maxlen bytes, whichever comes first
 *
 * Quotes and backslashes are backslash-escaped, \b \f \n \r \t use their
 * short forms, other control characters and DEL become \u00XX, valid UTF-8
 * is copied and every byte that is not part of valid UTF-8 becomes \ufffd.
 */
void rvc_json_string(FILE *f, const char *s, size_t maxlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = s ? strnlen(s, maxlen) : 0;
	size_t i = 0, n;

	fputc('"', f);
	while (i < len) {
		n = 1;
		switch (p[i]) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f) {
				fprintf(f, "\\u%04x", p[i]);
			} else if (p[i] < 0x80) {
				fputc(p[i], f);
			} else {
				n = utf8_seq_len(p + i, len - i);
				if (n) {
					fwrite(p + i, 1, n, f);
				} else {
					fputs("\\ufffd", f);
					n = 1;
				}
			}
			break;
		}
		i += n;
	}
	fputc('"', f);
}

/**
 * rvc_text_field() - copy a kernel string for text output
 * @dst:	output buffer
 * @dstlen:	size of @dst; nothing is written when it is 0
 * @src:	string; may be NULL
 * @srclen:	bytes of @src that may be read (it ends at the first NUL or
 *		after @srclen bytes)
 *
 * Every byte outside printable ASCII (0x20-0x7e) becomes '?', an empty
 * string becomes "-" so that columns stay parseable, and the result is
 * truncated to fit @dstlen and always NUL-terminated.
 */
void rvc_text_field(char *dst, size_t dstlen, const char *src,
		    size_t srclen)
{
	size_t len = src ? strnlen(src, srclen) : 0;
	size_t i;

	if (!dstlen)
		return;
	if (!len) {
		snprintf(dst, dstlen, "-");
		return;
	}
	if (len > dstlen - 1)
		len = dstlen - 1;
	for (i = 0; i < len; i++) {
		unsigned char c = src[i];

		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[len] = '\0';
}


/**
 * rvc_u64_cell() - a table cell holding a counter
 * @val:	the counter
 * @buf:	where to write it
 * @len:	size of @buf
 *
 * Return: @buf, with @val in decimal.
 */
const char *rvc_u64_cell(__u64 val, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)val);
	return buf;
}
