// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for values written to rtvirt's sysfs files.
 */
#include <rtvirt/common.h>

/**
 * rtvirt_parse_bool() - parse a strict 0/1 written to a sysfs file
 * @buf:	bytes written (not necessarily NUL-terminated)
 * @len:	number of bytes in @buf
 * @val:	result on success
 *
 * Accepts exactly "0" or "1", optionally followed by one newline (what
 * `echo` writes).  Everything else — "yes", " 1", "01", "1\n\n", empty
 * input, embedded NULs — is rejected, so that typos never flip a state.
 *
 * Return: 0 on success, -EINVAL otherwise.
 */
int rtvirt_parse_bool(const char *buf, size_t len, bool *val)
{
	if (len == 2 && buf[1] == '\n')
		len = 1;
	if (len != 1 || (buf[0] != '0' && buf[0] != '1'))
		return -EINVAL;
	*val = buf[0] == '1';
	return 0;
}
