// SPDX-License-Identifier: GPL-2.0
/*
 * A small vsnprintf for the VMM.  Supports the conversions d, i, u, x, X,
 * o, c, s, p and %%, the flags '-', '0', '#', '+' and ' ', a field width and
 * precision (digits or '*'), and the length modifiers hh, h, l, ll and z.
 * Behaves like C99 vsnprintf for these: always NUL-terminates when @size is
 * non-zero and returns the length the full output would have had.  Unknown
 * conversions are copied through literally.
 */
#include <vmm/format.h>

#define FL_LEFT		0x01
#define FL_ZERO		0x02
#define FL_ALT		0x04
#define FL_PLUS		0x08
#define FL_SPACE	0x10

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const char *s, int width, int prec,
		    int flags)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (prec < 0 || len < prec))
		len++;
	if (!(flags & FL_LEFT))
		pad(o, ' ', width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (flags & FL_LEFT)
		pad(o, ' ', width - len);
}

static void put_num(struct out *o, unsigned long long val, bool negative,
		    unsigned int base, bool upper, int width, int prec,
		    int flags)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	const char *prefix = "";
	int n = 0, plen, zeros, total;

	while (val) {
		tmp[n++] = digits[val % base];
		val /= base;
	}
	/* "%.0d" of 0 prints nothing, but "%#.0o" still prints its "0". */
	if (!n && (prec < 0 || (base == 8 && (flags & FL_ALT))))
		tmp[n++] = '0';
	if (negative)
		prefix = "-";
	else if (flags & FL_PLUS)
		prefix = "+";
	else if (flags & FL_SPACE)
		prefix = " ";
	if ((flags & FL_ALT) && n && tmp[n - 1] != '0') {
		if (base == 16)
			prefix = upper ? "0X" : "0x";
		else if (base == 8 && prec <= n)
			prefix = "0";	/* unless precision already adds one */
	}
	plen = 0;
	while (prefix[plen])
		plen++;
	zeros = prec > n ? prec - n : 0;
	total = plen + zeros + n;
	if (prec < 0 && (flags & FL_ZERO) && !(flags & FL_LEFT) &&
	    width > total) {
		zeros += width - total;
		total = width;
	}
	if (!(flags & FL_LEFT))
		pad(o, ' ', width - total);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (flags & FL_LEFT)
		pad(o, ' ', width - total);
}

static const char *parse_int(const char *f, int *val, va_list *ap)
{
	if (*f == '*') {
		*val = va_arg(*ap, int);
		return f + 1;
	}
	*val = 0;
	while (*f >= '0' && *f <= '9') {
		if (*val < 100000)
			*val = *val * 10 + (*f - '0');
		f++;
	}
	return f;
}

/**
 * vmm_vsnprintf() - format into a buffer
 * @buf:	destination
 * @size:	bytes available at @buf (output is cut and NUL-terminated)
 * @fmt:	format string, see the file comment for what is supported
 * @ap:		arguments
 *
 * Return: the length of the complete output, not counting the NUL.
 */
int vmm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;
		int flags = 0, width = 0, prec = -1, lmod = 0;
		unsigned long long uval;
		long long sval;
		unsigned int base = 10;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= FL_LEFT;
			else if (*fmt == '0')
				flags |= FL_ZERO;
			else if (*fmt == '#')
				flags |= FL_ALT;
			else if (*fmt == '+')
				flags |= FL_PLUS;
			else if (*fmt == ' ')
				flags |= FL_SPACE;
			else
				break;
		}
		fmt = parse_int(fmt, &width, &args);
		if (width < 0) {
			flags |= FL_LEFT;
			width = -width;
		}
		if (*fmt == '.') {
			fmt = parse_int(fmt + 1, &prec, &args);
			if (prec < 0)
				prec = -1;
		}
		/* lmod: -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size_t */
		if (*fmt == 'h') {
			lmod = -1;
			if (*++fmt == 'h') {
				lmod = -2;
				fmt++;
			}
		} else if (*fmt == 'l') {
			lmod = 1;
			if (*++fmt == 'l') {
				lmod = 2;
				fmt++;
			}
		} else if (*fmt == 'z') {
			lmod = 3;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			if (lmod == 2)
				sval = va_arg(args, long long);
			else if (lmod == 1 || lmod == 3)
				sval = va_arg(args, long);
			else
				sval = va_arg(args, int);
			if (lmod == -1)
				sval = (short)sval;
			else if (lmod == -2)
				sval = (signed char)sval;
			uval = sval < 0 ? -(unsigned long long)sval : (unsigned long long)sval;
			put_num(&o, uval, sval < 0, 10, false, width, prec, flags);
			break;
		case 'o':
		case 'u':
		case 'x':
		case 'X':
			if (lmod == 2)
				uval = va_arg(args, unsigned long long);
			else if (lmod == 1 || lmod == 3)
				uval = va_arg(args, unsigned long);
			else
				uval = va_arg(args, unsigned int);
			if (lmod == -1)
				uval = (unsigned short)uval;
			else if (lmod == -2)
				uval = (unsigned char)uval;
			if (*fmt == 'o')
				base = 8;
			else if (*fmt != 'u')
				base = 16;
			put_num(&o, uval, false, base, *fmt == 'X', width, prec,
				flags & ~(FL_PLUS | FL_SPACE));
			break;
		case 'p':
			uval = (unsigned long)va_arg(args, void *);
			put_num(&o, uval, false, 16, false, width, -1,
				FL_ALT | (flags & FL_LEFT));
			break;
		case 'c':
			if (!(flags & FL_LEFT))
				pad(&o, ' ', width - 1);
			put(&o, (char)va_arg(args, int));
			if (flags & FL_LEFT)
				pad(&o, ' ', width - 1);
			break;
		case 's':
			put_str(&o, va_arg(args, const char *), width, prec,
				flags);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown or truncated conversion: copy it literally. */
			while (start < fmt)
				put(&o, *start++);
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
			break;
		}
		fmt++;
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > 0x7fffffff ? 0x7fffffff : (int)o.len;
}

/**
 * vmm_snprintf() - format into a buffer
 * @buf:	destination
 * @size:	bytes available at @buf
 * @fmt:	format string
 *
 * Return: as vmm_vsnprintf().
 */
int vmm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vmm_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
