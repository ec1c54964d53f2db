// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for rtvirtctl's format.h (tools/rtvirtctl/names.c, escape.c,
 * print_launch.c, print_device.c, args.c): name mappings, JSON escaping and
 * the exact text and JSON renderings of the info, the device list, the
 * per-CPU statistics (status lines, stats table, JSON array), a device's
 * statistics and trace; the parsers of the device commands' arguments
 * (numbers, addresses, the inject options) and their error messages.
 *
 * Build (needs libcheck; tools/testing/run-unit does this):
 *
 *	gcc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
 *		-fsanitize=address,undefined \
 *		-Iinclude -Iinclude/uapi -Itools/rtvirtctl \
 *		-o test_rtvirtctl_format \
 *		tools/testing/unit/test_rtvirtctl_format.c \
 *		tools/rtvirtctl/{names,escape,print_launch,print_device,args}.c \
 *		src/common/exit_names.c \
 *		src/common/state_names.c \
 *		$(pkg-config --cflags --libs check)
 *
 * Run under the sanitizers: structures whose strings fill their arrays
 * without a NUL are placed at the very end of a heap block, so a renderer
 * reading past an array is caught by AddressSanitizer.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* --- capturing output -------------------------------------------------- */

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *cap_start(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->f);
	return c->f;
}

/* Returns the output, which the caller frees; it must hold no NUL. */
static char *cap_end(struct capture *c)
{
	ck_assert_int_eq(fclose(c->f), 0);
	ck_assert_ptr_nonnull(c->buf);
	ck_assert_uint_eq(strlen(c->buf), c->len);
	return c->buf;
}

static char *json_str(const char *s, size_t maxlen)
{
	struct capture c;

	rvc_json_string(cap_start(&c), s, maxlen);
	return cap_end(&c);
}

static void check_json(const char *in, size_t maxlen, const char *want)
{
	char *got = json_str(in, maxlen);

	ck_assert_str_eq(got, want);
	free(got);
}

/* A copy of @len bytes of @s, without NUL, at the end of a heap block. */
static char *unterminated(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, len);
	return p;
}

/* The exact header line of the text device list. */
#define HEADER \
	"ADDRESS         NAME        MODEL     STATE           " \
	"VIRTUALIZED  ID\n"

/* --- fixtures ------------------------------------------------------------ */

static void set_str(char *dst, size_t size, const char *s)
{
	memset(dst, 0, size);
	strncpy(dst, s, size - 1);
}

static void set_dev(struct rtvirt_device *d, const char *address,
		    const char *name, const char *model, __u16 vendor,
		    __u16 device, __u32 class, __u32 state, __u32 virtualized)
{
	memset(d, 0, sizeof(*d));
	set_str(d->address, sizeof(d->address), address);
	set_str(d->name, sizeof(d->name), name);
	set_str(d->model, sizeof(d->model), model);
	d->vendor = vendor;
	d->device = device;
	d->class = class;
	d->state = state;
	d->virtualized = virtualized;
}

static void three_devices(struct rtvirt_device *d)
{
	set_dev(&d[0], "0000:00:04.0", "nvme0", "nvme", 0x8086, 0x0953,
		0x010802, RTVIRT_DEV_VIRTUALIZED, 1);
	set_dev(&d[1], "0000:00:05.0", "", "e1000e", 0x8086, 0x10d3,
		0x020000, RTVIRT_DEV_NATIVE, 0);
	set_dev(&d[2], "0000:03:00.0", "eth1", "e1000e", 0x8086, 0x10d3,
		0x020000, RTVIRT_DEV_DEVIRTUALIZING, 1);
}

static const char three_devices_text[] =
	HEADER
	"0000:00:04.0    nvme0       nvme      virtualized     1            "
	"8086:0953\n"
	"0000:00:05.0    -           e1000e    native          0            "
	"8086:10d3\n"
	"0000:03:00.0    eth1        e1000e    devirtualizing  1            "
	"8086:10d3\n";

static const char three_devices_json[] =
	"[\n"
	"  {\"address\": \"0000:00:04.0\", \"name\": \"nvme0\", "
	"\"model\": \"nvme\", \"vendor\": \"0x8086\", \"device\": \"0x0953\", "
	"\"class\": \"0x010802\", \"state\": \"virtualized\", "
	"\"virtualized\": 1},\n"
	"  {\"address\": \"0000:00:05.0\", \"name\": \"\", "
	"\"model\": \"e1000e\", \"vendor\": \"0x8086\", "
	"\"device\": \"0x10d3\", "
	"\"class\": \"0x020000\", \"state\": \"native\", "
	"\"virtualized\": 0},\n"
	"  {\"address\": \"0000:03:00.0\", \"name\": \"eth1\", "
	"\"model\": \"e1000e\", \"vendor\": \"0x8086\", "
	"\"device\": \"0x10d3\", "
	"\"class\": \"0x020000\", \"state\": \"devirtualizing\", "
	"\"virtualized\": 1}\n"
	"]\n";

static void svm_info(struct rtvirt_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->abi_version = RTVIRT_ABI_VERSION;
	info->vmm_version = 0x00000001;
	info->features = RTVIRT_FEAT_SVM | RTVIRT_FEAT_NPT;
	info->backend = RTVIRT_BACKEND_SVM;
	info->virtualized = 0;
	info->nr_cpus = 4;
	info->nr_devices = 3;
	info->vmm_image_size = 12288;
	set_str(info->version, sizeof(info->version), "0.1.0");
}

static const char svm_info_text[] =
	"version: 0.1.0\n"
	"abi_version: 1\n"
	"vmm_version: 0.1\n"
	"backend: svm\n"
	"features: svm npt\n"
	"virtualized: 0\n"
	"cpus: 4\n"
	"devices: 3\n"
	"vmm_image_size: 12288\n";

static const char svm_info_json[] =
	"{\n"
	"  \"version\": \"0.1.0\",\n"
	"  \"abi_version\": 1,\n"
	"  \"vmm_version\": \"0.1\",\n"
	"  \"backend\": \"svm\",\n"
	"  \"features\": [\"svm\", \"npt\"],\n"
	"  \"virtualized\": 0,\n"
	"  \"cpus\": 4,\n"
	"  \"devices\": 3,\n"
	"  \"vmm_image_size\": 12288\n"
	"}\n";

/*
 * Four CPUs: a guest with exit counts (and a count in an unused slot,
 * which must not show), a native CPU after an unlaunch, an offline CPU and
 * a state this tool does not know.
 */
static void guest_cpu0(struct rtvirt_cpu_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->cpu = 0;
	st->state = RTVIRT_CPU_GUEST;
	st->vmm_cpu = 0;
	st->generation = 3;
	st->launch_ns = 688123;
	st->total_exits = 247;
	st->denied_accesses = 2;
	st->exits[RTVIRT_EXIT_HYPERCALL] = 12;
	st->exits[RTVIRT_EXIT_CPUID] = 200;
	st->exits[RTVIRT_EXIT_MSR_READ] = 8;
	st->exits[RTVIRT_EXIT_MSR_WRITE] = 4;
	st->exits[RTVIRT_EXIT_NPF] = 1;
	st->exits[RTVIRT_EXIT_DEBUG] = 3;
	st->exits[RTVIRT_EXIT_OTHER] = 2;
	st->exits[RTVIRT_EXIT_INTR] = 17;
	st->exits[12] = 99;
}

static void four_cpus(struct rtvirt_cpu_stats *st)
{
	memset(st, 0, 4 * sizeof(*st));
	for (int i = 0; i < 4; i++) {
		st[i].size = sizeof(*st);
		st[i].cpu = i;
	}
	guest_cpu0(&st[0]);
	st[1].state = RTVIRT_CPU_NATIVE;
	st[1].launch_ns = 700001;
	st[1].unlaunch_ns = 51234;
	st[2].state = RTVIRT_CPU_OFFLINE;
	st[3].state = 7;
}

static const char four_cpus_lines[] =
	"cpu0: guest (vmm cpu 0, generation 3, launch 688 us, exits 247)\n"
	"cpu1: native\n"
	"cpu2: offline\n"
	"cpu3: unknown(7)\n";

/* The exact header line of the stats table, at its narrowest. */
#define STATS_HEADER \
	"CPU STATE GENERATION LAUNCH_NS UNLAUNCH_NS TOTAL DENIED " \
	"HYPERCALL CPUID MSR_READ MSR_WRITE NPF VIRT_INSN SHUTDOWN DEBUG " \
	"OTHER IO INTERRUPT NMI\n"

static const char four_cpus_table[] =
	"CPU STATE      GENERATION LAUNCH_NS UNLAUNCH_NS TOTAL DENIED "
	"HYPERCALL CPUID MSR_READ MSR_WRITE NPF VIRT_INSN SHUTDOWN DEBUG "
	"OTHER IO INTERRUPT NMI\n"
	"  0 guest               3    688123           0   247      2 "
	"       12   200        8         4   1         0        0     3 "
	"    2  0        17   0\n"
	"  1 native              -    700001       51234     -      - "
	"        -     -        -         -   -         -        -     - "
	"    -  -         -   -\n"
	"  2 offline             -         0           0     -      - "
	"        -     -        -         -   -         -        -     - "
	"    -  -         -   -\n"
	"  3 unknown(7)          -         0           0     -      - "
	"        -     -        -         -   -         -        -     - "
	"    -  -         -   -\n";

#define GUEST0_JSON \
	"{\"cpu\": 0, \"state\": \"guest\", \"vmm_cpu\": 0, " \
	"\"generation\": 3, \"launch_ns\": 688123, \"unlaunch_ns\": 0, " \
	"\"total_exits\": 247, \"denied_accesses\": 2, " \
	"\"exits\": {\"hypercall\": 12, \"cpuid\": 200, \"msr_read\": 8, " \
	"\"msr_write\": 4, \"npf\": 1, \"virt_insn\": 0, \"shutdown\": 0, " \
	"\"debug\": 3, \"other\": 2, \"io\": 0, \"interrupt\": 17, " \
	"\"nmi\": 0}}"

#define NO_EXITS_JSON \
	"\"exits\": {\"hypercall\": 0, \"cpuid\": 0, \"msr_read\": 0, " \
	"\"msr_write\": 0, \"npf\": 0, \"virt_insn\": 0, \"shutdown\": 0, " \
	"\"debug\": 0, \"other\": 0, \"io\": 0, \"interrupt\": 0, " \
	"\"nmi\": 0}}"

#define NATIVE1_JSON \
	"{\"cpu\": 1, \"state\": \"native\", \"vmm_cpu\": 0, " \
	"\"generation\": 0, \"launch_ns\": 700001, \"unlaunch_ns\": 51234, " \
	"\"total_exits\": 0, \"denied_accesses\": 0, " NO_EXITS_JSON

#define OFFLINE2_JSON \
	"{\"cpu\": 2, \"state\": \"offline\", \"vmm_cpu\": 0, " \
	"\"generation\": 0, \"launch_ns\": 0, \"unlaunch_ns\": 0, " \
	"\"total_exits\": 0, \"denied_accesses\": 0, " NO_EXITS_JSON

#define UNKNOWN3_JSON \
	"{\"cpu\": 3, \"state\": \"unknown(7)\", \"vmm_cpu\": 0, " \
	"\"generation\": 0, \"launch_ns\": 0, \"unlaunch_ns\": 0, " \
	"\"total_exits\": 0, \"denied_accesses\": 0, " NO_EXITS_JSON

static const char four_cpus_json[] =
	"[\n"
	"  " GUEST0_JSON ",\n"
	"  " NATIVE1_JSON ",\n"
	"  " OFFLINE2_JSON ",\n"
	"  " UNKNOWN3_JSON "\n"
	"]\n";

/* --- JSON escaping -------------------------------------------------------- */

START_TEST(test_json_plain)
{
	check_json("nvme0", 32, "\"nvme0\"");
	check_json("", 32, "\"\"");
	check_json(NULL, 32, "\"\"");
	check_json("abc", 0, "\"\"");
	check_json("with space/slash", 32, "\"with space/slash\"");
}
END_TEST

START_TEST(test_json_quotes_backslashes)
{
	check_json("a\"b", 32, "\"a\\\"b\"");
	check_json("a\\b", 32, "\"a\\\\b\"");
	check_json("\"\\\"", 32, "\"\\\"\\\\\\\"\"");
	check_json("\\", 32, "\"\\\\\"");
}
END_TEST

START_TEST(test_json_control_chars)
{
	check_json("a\nb", 32, "\"a\\nb\"");
	check_json("\t", 32, "\"\\t\"");
	check_json("\r\b\f", 32, "\"\\r\\b\\f\"");
	check_json("\x01", 32, "\"\\u0001\"");
	check_json("x\x1fy", 32, "\"x\\u001fy\"");
	check_json("\x1b[0m", 32, "\"\\u001b[0m\"");
	check_json("\x7f", 32, "\"\\u007f\"");
}
END_TEST

START_TEST(test_json_utf8)
{
	/* Valid UTF-8 is copied, anything else becomes U+FFFD. */
	check_json("caf\xc3\xa9", 32, "\"caf\xc3\xa9\"");
	check_json("\xe2\x82\xac", 32, "\"\xe2\x82\xac\"");
	check_json("\xf0\x9f\x98\x80", 32, "\"\xf0\x9f\x98\x80\"");
	check_json("\xff", 32, "\"\\ufffd\"");
	check_json("\x80z", 32, "\"\\ufffdz\"");
	check_json("\xc0\xaf", 32, "\"\\ufffd\\ufffd\"");
	check_json("\xed\xa0\x80", 32, "\"\\ufffd\\ufffd\\ufffd\"");
	check_json("\xf4\x90\x80\x80", 32,
		   "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	check_json("a\xc3", 32, "\"a\\ufffd\"");
	/* A sequence cut by the field size is not valid either. */
	check_json("\xc3\xa9", 1, "\"\\ufffd\"");
}
END_TEST

START_TEST(test_json_unterminated)
{
	char *p = unterminated("abcde", 5);

	check_json(p, 5, "\"abcde\"");
	check_json(p, 3, "\"abc\"");
	free(p);

	p = unterminated("\"\n\x01\\", 4);
	check_json(p, 4, "\"\\\"\\n\\u0001\\\\\"");
	free(p);

	/* A multi-byte sequence must not be read past the end either. */
	p = unterminated("x\xe2\x82", 3);
	check_json(p, 3, "\"x\\ufffd\\ufffd\"");
	free(p);

	/* The string ends at the first NUL even when more bytes follow. */
	check_json("ab\0cd", 5, "\"ab\"");
}
END_TEST

START_TEST(test_json_fmemopen)
{
	char out[64];
	FILE *f;

	memset(out, 0, sizeof(out));
	f = fmemopen(out, sizeof(out), "w");
	ck_assert_ptr_nonnull(f);
	rvc_json_string(f, "tab\there \"q\"", 32);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(out, "\"tab\\there \\\"q\\\"\"");
}
END_TEST

/* --- text fields ---------------------------------------------------------- */

START_TEST(test_text_field)
{
	char out[RTVIRT_NAME_LEN + 1];
	char small[4];
	char *p;

	rvc_text_field(out, sizeof(out), "nvme0", RTVIRT_NAME_LEN);
	ck_assert_str_eq(out, "nvme0");
	rvc_text_field(out, sizeof(out), "", RTVIRT_NAME_LEN);
	ck_assert_str_eq(out, "-");
	rvc_text_field(out, sizeof(out), NULL, RTVIRT_NAME_LEN);
	ck_assert_str_eq(out, "-");
	rvc_text_field(out, sizeof(out), "a\nb\tc\x7f\xc3\xa9", 32);
	ck_assert_str_eq(out, "a?b?c???");
	rvc_text_field(small, sizeof(small), "abcdef", 6);
	ck_assert_str_eq(small, "abc");
	rvc_text_field(small, 1, "abcdef", 6);
	ck_assert_str_eq(small, "");

	memset(small, 'z', sizeof(small));
	rvc_text_field(small, 0, "abcdef", 6);
	ck_assert_int_eq(small[0], 'z');

	p = unterminated("0123456789abcdef0123456789abcdef", 32);
	rvc_text_field(out, sizeof(out), p, 32);
	ck_assert_str_eq(out, "0123456789abcdef0123456789abcdef");
	free(p);
}
END_TEST

/* --- names ---------------------------------------------------------------- */

START_TEST(test_state_names)
{
	char buf[RVC_NAME_BUF];
	char tiny[8];

	ck_assert_str_eq(rvc_state_name(RTVIRT_DEV_NATIVE, buf, sizeof(buf)),
			 "native");
	ck_assert_str_eq(rvc_state_name(RTVIRT_DEV_VIRTUALIZING, buf,
					sizeof(buf)), "virtualizing");
	ck_assert_str_eq(rvc_state_name(RTVIRT_DEV_VIRTUALIZED, buf,
					sizeof(buf)), "virtualized");
	ck_assert_str_eq(rvc_state_name(RTVIRT_DEV_DEVIRTUALIZING, buf,
					sizeof(buf)), "devirtualizing");
	ck_assert_str_eq(rvc_state_name(4, buf, sizeof(buf)), "unknown(4)");
	ck_assert_str_eq(rvc_state_name(UINT32_MAX, buf, sizeof(buf)),
			 "unknown(4294967295)");
	ck_assert_str_eq(rvc_state_name(1234, tiny, sizeof(tiny)),
			 "unknown");
	ck_assert_str_eq(rvc_state_name(9, NULL, 0), "unknown");
	ck_assert_str_eq(rvc_state_name(RTVIRT_DEV_NATIVE, NULL, 0),
			 "native");
}
END_TEST

START_TEST(test_cpu_state_names)
{
	char buf[RVC_NAME_BUF];

	ck_assert_str_eq(rvc_cpu_state_name(RTVIRT_CPU_NATIVE, buf,
					    sizeof(buf)), "native");
	ck_assert_str_eq(rvc_cpu_state_name(RTVIRT_CPU_GUEST, buf,
					    sizeof(buf)), "guest");
	ck_assert_str_eq(rvc_cpu_state_name(RTVIRT_CPU_OFFLINE, buf,
					    sizeof(buf)), "offline");
	ck_assert_str_eq(rvc_cpu_state_name(RTVIRT_CPU_NO_ANSWER, buf,
					    sizeof(buf)), "no-answer");
	ck_assert_str_eq(rvc_cpu_state_name(4, buf, sizeof(buf)),
			 "unknown(4)");
	ck_assert_str_eq(rvc_cpu_state_name(UINT32_MAX, buf, sizeof(buf)),
			 "unknown(4294967295)");
	ck_assert_str_eq(rvc_cpu_state_name(4, NULL, 0), "unknown");
	ck_assert_str_eq(rvc_cpu_state_name(RTVIRT_CPU_GUEST, NULL, 0),
			 "guest");
}
END_TEST

START_TEST(test_backend_names)
{
	char buf[RVC_NAME_BUF];

	ck_assert_str_eq(rvc_backend_name(RTVIRT_BACKEND_NONE, buf,
					  sizeof(buf)), "none");
	ck_assert_str_eq(rvc_backend_name(RTVIRT_BACKEND_SVM, buf,
					  sizeof(buf)), "svm");
	ck_assert_str_eq(rvc_backend_name(RTVIRT_BACKEND_VMX, buf,
					  sizeof(buf)), "vmx");
	ck_assert_str_eq(rvc_backend_name(3, buf, sizeof(buf)),
			 "unknown(3)");
	ck_assert_str_eq(rvc_backend_name(UINT32_MAX, buf, sizeof(buf)),
			 "unknown(4294967295)");
	ck_assert_str_eq(rvc_backend_name(3, NULL, 0), "unknown");
}
END_TEST

START_TEST(test_feature_names)
{
	ck_assert_str_eq(rvc_feature_name(0), "svm");
	ck_assert_str_eq(rvc_feature_name(1), "vmx");
	ck_assert_str_eq(rvc_feature_name(2), "npt");
	ck_assert_str_eq(rvc_feature_name(3), "ept");
	ck_assert_ptr_null(rvc_feature_name(4));
	ck_assert_ptr_null(rvc_feature_name(31));
	ck_assert_ptr_null(rvc_feature_name(32));
	ck_assert_ptr_null(rvc_feature_name(1000));
}
END_TEST

START_TEST(test_features_str)
{
	char buf[RVC_FEATURES_BUF];
	char tiny[6];

	ck_assert_str_eq(rvc_features_str(0, buf, sizeof(buf)), "none");
	ck_assert_str_eq(rvc_features_str(RTVIRT_FEAT_SVM, buf, sizeof(buf)),
			 "svm");
	ck_assert_str_eq(rvc_features_str(RTVIRT_FEAT_EPT | RTVIRT_FEAT_VMX,
					  buf, sizeof(buf)), "vmx ept");
	ck_assert_str_eq(rvc_features_str(RTVIRT_FEAT_SVM | RTVIRT_FEAT_NPT,
					  buf, sizeof(buf)), "svm npt");
	ck_assert_str_eq(rvc_features_str(0xf, buf, sizeof(buf)),
			 "svm vmx npt ept");
	ck_assert_str_eq(rvc_features_str(0x30, buf, sizeof(buf)),
			 "unknown(0x30)");
	ck_assert_str_eq(rvc_features_str(0x80000004, buf, sizeof(buf)),
			 "npt unknown(0x80000000)");
	ck_assert_str_eq(rvc_features_str(UINT32_MAX, buf, sizeof(buf)),
			 "svm vmx npt ept unknown(0xfffffff0)");

	/* Truncated, but always terminated. */
	ck_assert_str_eq(rvc_features_str(0xf, tiny, sizeof(tiny)), "svm v");
	ck_assert_str_eq(rvc_features_str(0xf, NULL, 0), "");
}
END_TEST

/* --- info --------------------------------------------------------------- */

static char *info_text(const struct rtvirt_info *info)
{
	struct capture c;

	rvc_print_info_text(cap_start(&c), info);
	return cap_end(&c);
}

static char *info_json(const struct rtvirt_info *info)
{
	struct capture c;

	rvc_print_info_json(cap_start(&c), info);
	return cap_end(&c);
}

START_TEST(test_info_text)
{
	struct rtvirt_info info;
	char *out;

	svm_info(&info);
	out = info_text(&info);
	ck_assert_str_eq(out, svm_info_text);
	free(out);
}
END_TEST

START_TEST(test_info_json)
{
	struct rtvirt_info info;
	char *out;

	svm_info(&info);
	out = info_json(&info);
	ck_assert_str_eq(out, svm_info_json);
	free(out);
}
END_TEST

START_TEST(test_info_vmx_virtualized)
{
	struct rtvirt_info info;
	char *out;

	svm_info(&info);
	info.vmm_version = 2 << 16 | 10;
	info.features = RTVIRT_FEAT_VMX | RTVIRT_FEAT_EPT;
	info.backend = RTVIRT_BACKEND_VMX;
	info.virtualized = 1;
	info.nr_cpus = 128;
	info.nr_devices = 0;
	info.vmm_image_size = 1ULL << 40;

	out = info_text(&info);
	ck_assert_str_eq(out,
			 "version: 0.1.0\n"
			 "abi_version: 1\n"
			 "vmm_version: 2.10\n"
			 "backend: vmx\n"
			 "features: vmx ept\n"
			 "virtualized: 1\n"
			 "cpus: 128\n"
			 "devices: 0\n"
			 "vmm_image_size: 1099511627776\n");
	free(out);

	out = info_json(&info);
	ck_assert_str_eq(out,
			 "{\n"
			 "  \"version\": \"0.1.0\",\n"
			 "  \"abi_version\": 1,\n"
			 "  \"vmm_version\": \"2.10\",\n"
			 "  \"backend\": \"vmx\",\n"
			 "  \"features\": [\"vmx\", \"ept\"],\n"
			 "  \"virtualized\": 1,\n"
			 "  \"cpus\": 128,\n"
			 "  \"devices\": 0,\n"
			 "  \"vmm_image_size\": 1099511627776\n"
			 "}\n");
	free(out);
}
END_TEST

START_TEST(test_info_unknowns)
{
	struct rtvirt_info info;
	char *out;

	memset(&info, 0, sizeof(info));
	info.backend = 7;
	info.vmm_version = UINT32_MAX;
	info.vmm_image_size = UINT64_MAX;

	out = info_text(&info);
	ck_assert_str_eq(out,
			 "version: -\n"
			 "abi_version: 0\n"
			 "vmm_version: 65535.65535\n"
			 "backend: unknown(7)\n"
			 "features: none\n"
			 "virtualized: 0\n"
			 "cpus: 0\n"
			 "devices: 0\n"
			 "vmm_image_size: 18446744073709551615\n");
	free(out);

	out = info_json(&info);
	ck_assert_str_eq(out,
			 "{\n"
			 "  \"version\": \"\",\n"
			 "  \"abi_version\": 0,\n"
			 "  \"vmm_version\": \"65535.65535\",\n"
			 "  \"backend\": \"unknown(7)\",\n"
			 "  \"features\": [],\n"
			 "  \"virtualized\": 0,\n"
			 "  \"cpus\": 0,\n"
			 "  \"devices\": 0,\n"
			 "  \"vmm_image_size\": 18446744073709551615\n"
			 "}\n");
	free(out);

	info.features = RTVIRT_FEAT_SVM | 0x100;
	out = info_json(&info);
	ck_assert_ptr_nonnull(strstr(out,
		"  \"features\": [\"svm\", \"unknown(0x100)\"],\n"));
	free(out);
}
END_TEST

/* @version is the last member: fill it without a NUL at the heap's end. */
START_TEST(test_info_unterminated)
{
	struct rtvirt_info *info = malloc(sizeof(*info));
	char *out;

	ck_assert_ptr_nonnull(info);
	ck_assert_uint_eq(offsetof(struct rtvirt_info, version) +
			  sizeof(info->version), sizeof(*info));
	svm_info(info);
	memcpy(info->version, "0123456789abcdef0123456789ab\"\\\n\x01",
	       sizeof(info->version));

	out = info_text(info);
	ck_assert_ptr_nonnull(strstr(out,
		"version: 0123456789abcdef0123456789ab\"\\??\n"
		"abi_version: 1\n"));
	free(out);

	out = info_json(info);
	ck_assert_ptr_nonnull(strstr(out,
		"  \"version\": \"0123456789abcdef0123456789ab\\\"\\\\\\n"
		"\\u0001\",\n  \"abi_version\": 1,\n"));
	free(out);
	free(info);
}
END_TEST

/* --- devices ----------------------------------------------------------- */

static char *devices_text(const struct rtvirt_device *d, size_t n)
{
	struct capture c;

	rvc_print_devices_text(cap_start(&c), d, n);
	return cap_end(&c);
}

static char *devices_json(const struct rtvirt_device *d, size_t n)
{
	struct capture c;

	rvc_print_devices_json(cap_start(&c), d, n);
	return cap_end(&c);
}

START_TEST(test_devices_text)
{
	struct rtvirt_device d[3];
	char *out;

	three_devices(d);
	out = devices_text(d, 3);
	ck_assert_str_eq(out, three_devices_text);
	free(out);
}
END_TEST

START_TEST(test_devices_json)
{
	struct rtvirt_device d[3];
	char *out;

	three_devices(d);
	out = devices_json(d, 3);
	ck_assert_str_eq(out, three_devices_json);
	free(out);
}
END_TEST

START_TEST(test_devices_count_bounds_output)
{
	struct rtvirt_device d[3];
	char *out;

	/* Only the first @n entries are rendered. */
	three_devices(d);
	out = devices_text(d, 1);
	ck_assert_str_eq(out,
		HEADER
		"0000:00:04.0    nvme0       nvme      virtualized     1"
		"            8086:0953\n");
	free(out);
}
END_TEST

START_TEST(test_devices_empty)
{
	struct rtvirt_device d[1];
	char *out;

	out = devices_text(NULL, 0);
	ck_assert_str_eq(out,
		HEADER);
	free(out);

	memset(d, 0, sizeof(d));
	out = devices_text(d, 0);
	ck_assert_str_eq(out,
		HEADER);
	free(out);

	out = devices_json(NULL, 0);
	ck_assert_str_eq(out, "[]\n");
	free(out);

	out = devices_json(d, 0);
	ck_assert_str_eq(out, "[]\n");
	free(out);
}
END_TEST

START_TEST(test_devices_unknown_state)
{
	struct rtvirt_device d;
	char *out;

	set_dev(&d, "0000:00:1f.6", "", "", 0xffff, 0x0000, 0xff000000,
		UINT32_MAX, 2);
	out = devices_text(&d, 1);
	ck_assert_str_eq(out,
		HEADER
		"0000:00:1f.6    -           -         unknown(4294967295) 2"
		"            ffff:0000\n");
	free(out);

	out = devices_json(&d, 1);
	ck_assert_str_eq(out,
		"[\n"
		"  {\"address\": \"0000:00:1f.6\", \"name\": \"\", "
		"\"model\": \"\", \"vendor\": \"0xffff\", "
		"\"device\": \"0x0000\", \"class\": \"0xff000000\", "
		"\"state\": \"unknown(4294967295)\", "
		"\"virtualized\": 2}\n"
		"]\n");
	free(out);
}
END_TEST

/*
 * Every string member filled to the brim without a NUL, the entry at the
 * very end of a heap block: nothing may run from one member into the next
 * or off the end of the array.
 */
START_TEST(test_devices_unterminated)
{
	struct rtvirt_device *d = malloc(2 * sizeof(*d));
	char a[33], b[33], c[33];
	char *out, *want;
	int len;

	ck_assert_ptr_nonnull(d);
	memset(a, 'a', 32);
	memset(b, 'b', 32);
	memset(c, 'c', 32);
	a[32] = '\0';
	b[32] = '\0';
	c[32] = '\0';
	for (int i = 0; i < 2; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		memset(d[i].address, 'a', sizeof(d[i].address));
		memset(d[i].name, 'b', sizeof(d[i].name));
		memset(d[i].model, 'c', sizeof(d[i].model));
		d[i].vendor = 0x1af4;
		d[i].device = 0x1001;
		d[i].class = 0x010000;
		d[i].state = RTVIRT_DEV_VIRTUALIZING;
	}
	d[1].name[31] = '"';
	d[1].model[31] = '\n';

	out = devices_text(d, 2);
	len = asprintf(&want,
		       HEADER
		       "%s %s %s virtualizing    0"
		       "            1af4:1001\n"
		       "%s %.31s\" %.31s? virtualizing    0"
		       "            1af4:1001\n",
		       a, b, c, a, b, c);
	ck_assert_int_gt(len, 0);
	ck_assert_str_eq(out, want);
	free(want);
	free(out);

	out = devices_json(d, 2);
	len = asprintf(&want,
		       "[\n"
		       "  {\"address\": \"%s\", \"name\": \"%s\", "
		       "\"model\": \"%s\", \"vendor\": \"0x1af4\", "
		       "\"device\": \"0x1001\", \"class\": \"0x010000\", "
		       "\"state\": \"virtualizing\", \"virtualized\": 0},\n"
		       "  {\"address\": \"%s\", \"name\": \"%.31s\\\"\", "
		       "\"model\": \"%.31s\\n\", \"vendor\": \"0x1af4\", "
		       "\"device\": \"0x1001\", \"class\": \"0x010000\", "
		       "\"state\": \"virtualizing\", \"virtualized\": 0}\n"
		       "]\n",
		       a, b, c, a, b, c);
	ck_assert_int_gt(len, 0);
	ck_assert_str_eq(out, want);
	free(want);
	free(out);
	free(d);
}
END_TEST

START_TEST(test_devices_escaping)
{
	struct rtvirt_device d;
	char *out;

	set_dev(&d, "0000:00:02.0", "we\"ird\\\tname", "m\x01\xff",
		0x8086, 0x10d3, 0x020000, RTVIRT_DEV_NATIVE, 0);
	out = devices_json(&d, 1);
	ck_assert_str_eq(out,
		"[\n"
		"  {\"address\": \"0000:00:02.0\", "
		"\"name\": \"we\\\"ird\\\\\\tname\", "
		"\"model\": \"m\\u0001\\ufffd\", \"vendor\": \"0x8086\", "
		"\"device\": \"0x10d3\", \"class\": \"0x020000\", "
		"\"state\": \"native\", \"virtualized\": 0}\n"
		"]\n");
	free(out);

	out = devices_text(&d, 1);
	ck_assert_str_eq(out,
		HEADER
		"0000:00:02.0    we\"ird\\?name m??       native          0"
		"            8086:10d3\n");
	free(out);
}
END_TEST

/* --- per-CPU statistics ------------------------------------------------ */

static char *cpu_line(const struct rtvirt_cpu_stats *st)
{
	struct capture c;

	rvc_print_cpu_line(cap_start(&c), st);
	return cap_end(&c);
}

static char *status_text(const struct rtvirt_info *info,
			 const struct rtvirt_cpu_stats *st, size_t n)
{
	struct capture c;

	rvc_print_status_text(cap_start(&c), info, st, n);
	return cap_end(&c);
}

static char *status_json(const struct rtvirt_info *info,
			 const struct rtvirt_cpu_stats *st, size_t n)
{
	struct capture c;

	rvc_print_status_json(cap_start(&c), info, st, n);
	return cap_end(&c);
}

static char *stats_text(const struct rtvirt_cpu_stats *st, size_t n)
{
	struct capture c;

	rvc_print_stats_text(cap_start(&c), st, n);
	return cap_end(&c);
}

static char *stats_json(const struct rtvirt_cpu_stats *st, size_t n)
{
	struct capture c;

	rvc_print_stats_json(cap_start(&c), st, n);
	return cap_end(&c);
}

START_TEST(test_cpu_lines)
{
	struct rtvirt_cpu_stats st[4];
	char *out;

	four_cpus(st);
	out = cpu_line(&st[0]);
	ck_assert_str_eq(out, "cpu0: guest (vmm cpu 0, generation 3, "
			 "launch 688 us, exits 247)\n");
	free(out);
	out = cpu_line(&st[1]);
	ck_assert_str_eq(out, "cpu1: native\n");
	free(out);
	out = cpu_line(&st[2]);
	ck_assert_str_eq(out, "cpu2: offline\n");
	free(out);
	out = cpu_line(&st[3]);
	ck_assert_str_eq(out, "cpu3: unknown(7)\n");
	free(out);

	/* No answer: the VMM's numbers are not shown. */
	st[1].state = RTVIRT_CPU_NO_ANSWER;
	st[1].generation = 5;
	out = cpu_line(&st[1]);
	ck_assert_str_eq(out, "cpu1: no-answer\n");
	free(out);

	/* Microseconds are rounded down; the VMM's CPU number is its own. */
	st[0].cpu = 17;
	st[0].vmm_cpu = 4;
	st[0].launch_ns = 1999;
	st[0].generation = UINT64_MAX;
	st[0].total_exits = 0;
	out = cpu_line(&st[0]);
	ck_assert_str_eq(out, "cpu17: guest (vmm cpu 4, "
			 "generation 18446744073709551615, launch 1 us, "
			 "exits 0)\n");
	free(out);
}
END_TEST

START_TEST(test_status_text)
{
	struct rtvirt_cpu_stats st[4];
	struct rtvirt_info info;
	char *out, *want;

	svm_info(&info);
	four_cpus(st);
	out = status_text(&info, st, 4);
	ck_assert_int_gt(asprintf(&want, "%s%s", svm_info_text,
				  four_cpus_lines), 0);
	ck_assert_str_eq(out, want);
	free(want);
	free(out);

	/* No CPUs: the summary alone. */
	out = status_text(&info, NULL, 0);
	ck_assert_str_eq(out, svm_info_text);
	free(out);
}
END_TEST

START_TEST(test_status_json)
{
	struct rtvirt_cpu_stats st[4];
	struct rtvirt_info info;
	char *out;

	svm_info(&info);
	four_cpus(st);
	out = status_json(&info, st, 4);
	ck_assert_str_eq(out,
			 "{\n"
			 "  \"version\": \"0.1.0\",\n"
			 "  \"abi_version\": 1,\n"
			 "  \"vmm_version\": \"0.1\",\n"
			 "  \"backend\": \"svm\",\n"
			 "  \"features\": [\"svm\", \"npt\"],\n"
			 "  \"virtualized\": 0,\n"
			 "  \"cpus\": 4,\n"
			 "  \"devices\": 3,\n"
			 "  \"vmm_image_size\": 12288,\n"
			 "  \"cpu_stats\": [\n"
			 "    " GUEST0_JSON ",\n"
			 "    " NATIVE1_JSON ",\n"
			 "    " OFFLINE2_JSON ",\n"
			 "    " UNKNOWN3_JSON "\n"
			 "  ]\n"
			 "}\n");
	free(out);

	out = status_json(&info, NULL, 0);
	ck_assert_str_eq(out,
			 "{\n"
			 "  \"version\": \"0.1.0\",\n"
			 "  \"abi_version\": 1,\n"
			 "  \"vmm_version\": \"0.1\",\n"
			 "  \"backend\": \"svm\",\n"
			 "  \"features\": [\"svm\", \"npt\"],\n"
			 "  \"virtualized\": 0,\n"
			 "  \"cpus\": 4,\n"
			 "  \"devices\": 3,\n"
			 "  \"vmm_image_size\": 12288,\n"
			 "  \"cpu_stats\": []\n"
			 "}\n");
	free(out);
}
END_TEST

START_TEST(test_stats_text)
{
	struct rtvirt_cpu_stats st[4];
	char *out;

	four_cpus(st);
	out = stats_text(st, 4);
	ck_assert_str_eq(out, four_cpus_table);
	free(out);
}
END_TEST

/* One CPU at a time, as "rtvirtctl stats CPU" prints it. */
START_TEST(test_stats_text_one)
{
	struct rtvirt_cpu_stats st[4];
	char *out;

	four_cpus(st);
	out = stats_text(&st[0], 1);
	ck_assert_str_eq(out,
		STATS_HEADER
		"  0 guest          3    688123           0   247      2 "
		"       12   200        8         4   1         0        0 "
		"    3     2  0        17   0\n");
	free(out);

	out = stats_text(&st[1], 1);
	ck_assert_str_eq(out,
		"CPU STATE  GENERATION LAUNCH_NS UNLAUNCH_NS TOTAL DENIED "
		"HYPERCALL CPUID MSR_READ MSR_WRITE NPF VIRT_INSN SHUTDOWN "
		"DEBUG OTHER IO INTERRUPT NMI\n"
		"  1 native          -    700001       51234     -      - "
		"        -     -        -         -   -         -        - "
		"    -     -  -         -   -\n");
	free(out);

	out = stats_text(&st[2], 1);
	ck_assert_str_eq(out,
		"CPU STATE   GENERATION LAUNCH_NS UNLAUNCH_NS TOTAL DENIED "
		"HYPERCALL CPUID MSR_READ MSR_WRITE NPF VIRT_INSN SHUTDOWN "
		"DEBUG OTHER IO INTERRUPT NMI\n"
		"  2 offline          -         0           0     -      - "
		"        -     -        -         -   -         -        - "
		"    -     -  -         -   -\n");
	free(out);

	out = stats_text(&st[3], 1);
	ck_assert_str_eq(out,
		"CPU STATE      GENERATION LAUNCH_NS UNLAUNCH_NS TOTAL DENIED "
		"HYPERCALL CPUID MSR_READ MSR_WRITE NPF VIRT_INSN SHUTDOWN "
		"DEBUG OTHER IO INTERRUPT NMI\n"
		"  3 unknown(7)          -         0           0     -      - "
		"        -     -        -         -   -         -        - "
		"    -     -  -         -   -\n");
	free(out);
}
END_TEST

/* Columns grow to their widest value; every row stays aligned. */
START_TEST(test_stats_text_wide)
{
	struct rtvirt_cpu_stats st[2];
	char *out;

	memset(st, 0, sizeof(st));
	st[0].cpu = UINT32_MAX;
	st[0].state = RTVIRT_CPU_GUEST;
	st[0].generation = UINT64_MAX;
	st[0].launch_ns = 1;
	st[0].total_exits = UINT64_MAX;
	st[0].exits[RTVIRT_EXIT_NPF] = UINT64_MAX;
	st[0].exits[RTVIRT_EXIT_INTR] = 1234567890123ULL;
	st[1].cpu = 7;
	st[1].state = UINT32_MAX;
	out = stats_text(st, 2);
	ck_assert_str_eq(out,
		"       CPU STATE                         GENERATION LAUNCH_NS "
		"UNLAUNCH_NS                TOTAL DENIED HYPERCALL CPUID "
		"MSR_READ MSR_WRITE                  NPF VIRT_INSN SHUTDOWN "
		"DEBUG OTHER IO     INTERRUPT NMI\n"
		"4294967295 guest               18446744073709551615         1 "
		"          0 18446744073709551615      0         0     0 "
		"       0         0 18446744073709551615         0        0 "
		"    0     0  0 1234567890123   0\n"
		"         7 unknown(4294967295)                    -         0 "
		"          0                    -      -         -     - "
		"       -         - "
		"                   -         -        - "
		"    -     -  -             -   -\n");
	free(out);
}
END_TEST

START_TEST(test_stats_json)
{
	struct rtvirt_cpu_stats st[4];
	char *out;

	four_cpus(st);
	out = stats_json(st, 4);
	ck_assert_str_eq(out, four_cpus_json);
	free(out);

	out = stats_json(&st[3], 1);
	ck_assert_str_eq(out, "[\n  " UNKNOWN3_JSON "\n]\n");
	free(out);
}
END_TEST

START_TEST(test_stats_empty)
{
	struct rtvirt_cpu_stats st;
	char *out;

	memset(&st, 0, sizeof(st));
	out = stats_text(NULL, 0);
	ck_assert_str_eq(out, STATS_HEADER);
	free(out);
	out = stats_text(&st, 0);
	ck_assert_str_eq(out, STATS_HEADER);
	free(out);
	out = stats_json(NULL, 0);
	ck_assert_str_eq(out, "[]\n");
	free(out);
	out = stats_json(&st, 0);
	ck_assert_str_eq(out, "[]\n");
	free(out);
}
END_TEST

/* The CPU at the very end of a heap block: nothing is read past it. */
START_TEST(test_stats_heap_end)
{
	struct rtvirt_cpu_stats *st = malloc(sizeof(*st));
	char *out;

	ck_assert_ptr_nonnull(st);
	guest_cpu0(st);
	out = stats_json(st, 1);
	ck_assert_str_eq(out, "[\n  " GUEST0_JSON "\n]\n");
	free(out);
	out = stats_text(st, 1);
	ck_assert_ptr_nonnull(strstr(out, "  0 guest "));
	free(out);
	free(st);
}
END_TEST

/* --- device statistics ------------------------------------------------- */

static char *dev_stats_text(const struct rtvirt_device_stats *st)
{
	struct capture c;

	rvc_print_device_stats_text(cap_start(&c), st);
	return cap_end(&c);
}

static char *dev_stats_json(const struct rtvirt_device_stats *st)
{
	struct capture c;

	rvc_print_device_stats_json(cap_start(&c), st);
	return cap_end(&c);
}

/* Every counter different, and a count in the unused trap kind 7. */
static void nvme_stats(struct rtvirt_device_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->state = RTVIRT_DEV_VIRTUALIZED;
	set_str(st->address, sizeof(st->address), "0000:00:04.0");
	st->traps[RTVIRT_TRAP_REGISTER] = 41;
	st->traps[RTVIRT_TRAP_DOORBELL] = 5012;
	st->traps[RTVIRT_TRAP_SHADOW_DB] = 3;
	st->traps[RTVIRT_TRAP_QUEUE] = 4;
	st->traps[RTVIRT_TRAP_MSIX] = 6;
	st->traps[RTVIRT_TRAP_CONFIG_IO] = 7;
	st->traps[RTVIRT_TRAP_CONFIG_MMIO] = 8;
	st->traps[RTVIRT_TRAP_PORT] = 9;
	st->ios = 5020;
	st->virtualizations = 2;
	st->devirtualizations = 1;
	st->replayed = 9;
	st->last_stall_ns = 84211;
	st->max_stall_ns = 120533;
	st->dma_refused = 11;
	st->injected = 12;
	st->handback_retries = 13;
	st->tx_frames = 14;
	st->rx_frames = 15;
	st->tx_bytes = 16;
	st->rx_bytes = 17;
}

static const char nvme_stats_text[] =
	"address: 0000:00:04.0\n"
	"state: virtualized\n"
	"traps_register: 41\n"
	"traps_doorbell: 5012\n"
	"traps_shadow_db: 3\n"
	"traps_queue: 4\n"
	"traps_msix: 6\n"
	"traps_config_io: 7\n"
	"traps_config_mmio: 8\n"
	"traps_port: 9\n"
	"ios: 5020\n"
	"virtualizations: 2\n"
	"devirtualizations: 1\n"
	"replayed: 9\n"
	"last_stall_ns: 84211\n"
	"max_stall_ns: 120533\n"
	"dma_refused: 11\n"
	"injected: 12\n"
	"handback_retries: 13\n"
	"tx_frames: 14\n"
	"rx_frames: 15\n"
	"tx_bytes: 16\n"
	"rx_bytes: 17\n";

static const char nvme_stats_json[] =
	"{\n"
	"  \"address\": \"0000:00:04.0\",\n"
	"  \"state\": \"virtualized\",\n"
	"  \"traps\": {\"register\": 41, \"doorbell\": 5012, "
	"\"shadow_db\": 3, \"queue\": 4, \"msix\": 6, \"config_io\": 7, "
	"\"config_mmio\": 8, \"port\": 9},\n"
	"  \"ios\": 5020,\n"
	"  \"virtualizations\": 2,\n"
	"  \"devirtualizations\": 1,\n"
	"  \"replayed\": 9,\n"
	"  \"last_stall_ns\": 84211,\n"
	"  \"max_stall_ns\": 120533,\n"
	"  \"dma_refused\": 11,\n"
	"  \"injected\": 12,\n"
	"  \"handback_retries\": 13,\n"
	"  \"tx_frames\": 14,\n"
	"  \"rx_frames\": 15,\n"
	"  \"tx_bytes\": 16,\n"
	"  \"rx_bytes\": 17\n"
	"}\n";

START_TEST(test_trap_names)
{
	ck_assert_str_eq(rvc_trap_name(RTVIRT_TRAP_REGISTER), "register");
	ck_assert_str_eq(rvc_trap_name(RTVIRT_TRAP_DOORBELL), "doorbell");
	ck_assert_str_eq(rvc_trap_name(RTVIRT_TRAP_SHADOW_DB), "shadow_db");
	ck_assert_str_eq(rvc_trap_name(RTVIRT_TRAP_QUEUE), "queue");
	ck_assert_str_eq(rvc_trap_name(RTVIRT_TRAP_MSIX), "msix");
	ck_assert_str_eq(rvc_trap_name(RTVIRT_TRAP_CONFIG_IO), "config_io");
	ck_assert_str_eq(rvc_trap_name(RTVIRT_TRAP_CONFIG_MMIO),
			 "config_mmio");
	ck_assert_str_eq(rvc_trap_name(RTVIRT_TRAP_PORT), "port");
	ck_assert_ptr_null(rvc_trap_name(RTVIRT_TRAP_KINDS));
	ck_assert_ptr_null(rvc_trap_name(1000));
}
END_TEST

START_TEST(test_device_stats_text)
{
	struct rtvirt_device_stats st;
	char *out;

	nvme_stats(&st);
	out = dev_stats_text(&st);
	ck_assert_str_eq(out, nvme_stats_text);
	free(out);
}
END_TEST

START_TEST(test_device_stats_json)
{
	struct rtvirt_device_stats st;
	char *out;

	nvme_stats(&st);
	out = dev_stats_json(&st);
	ck_assert_str_eq(out, nvme_stats_json);
	free(out);
}
END_TEST

/* Every state by name, an unknown one, and the largest counters. */
START_TEST(test_device_stats_states)
{
	static const char *const names[] = {
		"native", "virtualizing", "virtualized", "devirtualizing",
	};
	struct rtvirt_device_stats st;
	char *out, *want;
	__u32 s;

	for (s = 0; s < 4; s++) {
		nvme_stats(&st);
		st.state = s;
		out = dev_stats_text(&st);
		ck_assert_int_gt(asprintf(&want, "address: 0000:00:04.0\n"
					  "state: %s\n", names[s]), 0);
		ck_assert_ptr_nonnull(strstr(out, want));
		free(want);
		free(out);
	}

	memset(&st, 0, sizeof(st));
	st.state = 4;
	st.ios = UINT64_MAX;
	st.handback_retries = UINT64_MAX;
	out = dev_stats_text(&st);
	ck_assert_str_eq(out,
			 "address: -\n"
			 "state: unknown(4)\n"
			 "traps_register: 0\n"
			 "traps_doorbell: 0\n"
			 "traps_shadow_db: 0\n"
			 "traps_queue: 0\n"
			 "traps_msix: 0\n"
			 "traps_config_io: 0\n"
			 "traps_config_mmio: 0\n"
			 "traps_port: 0\n"
			 "ios: 18446744073709551615\n"
			 "virtualizations: 0\n"
			 "devirtualizations: 0\n"
			 "replayed: 0\n"
			 "last_stall_ns: 0\n"
			 "max_stall_ns: 0\n"
			 "dma_refused: 0\n"
			 "injected: 0\n"
			 "handback_retries: 18446744073709551615\n"
			 "tx_frames: 0\n"
			 "rx_frames: 0\n"
			 "tx_bytes: 0\n"
			 "rx_bytes: 0\n");
	free(out);

	out = dev_stats_json(&st);
	ck_assert_str_eq(out,
			 "{\n"
			 "  \"address\": \"\",\n"
			 "  \"state\": \"unknown(4)\",\n"
			 "  \"traps\": {\"register\": 0, \"doorbell\": 0, "
			 "\"shadow_db\": 0, \"queue\": 0, \"msix\": 0, "
			 "\"config_io\": 0, \"config_mmio\": 0, \"port\": 0},\n"
			 "  \"ios\": 18446744073709551615,\n"
			 "  \"virtualizations\": 0,\n"
			 "  \"devirtualizations\": 0,\n"
			 "  \"replayed\": 0,\n"
			 "  \"last_stall_ns\": 0,\n"
			 "  \"max_stall_ns\": 0,\n"
			 "  \"dma_refused\": 0,\n"
			 "  \"injected\": 0,\n"
			 "  \"handback_retries\": 18446744073709551615,\n"
			 "  \"tx_frames\": 0,\n"
			 "  \"rx_frames\": 0,\n"
			 "  \"tx_bytes\": 0,\n"
			 "  \"rx_bytes\": 0\n"
			 "}\n");
	free(out);
}
END_TEST

/* An address filling its array without a NUL, with bytes to escape. */
START_TEST(test_device_stats_address)
{
	struct rtvirt_device_stats *st = malloc(sizeof(*st));
	char *out;

	ck_assert_ptr_nonnull(st);
	nvme_stats(st);
	memcpy(st->address, "0123456789abcdef0123456789ab\"\\\n\x01",
	       sizeof(st->address));
	st->traps[RTVIRT_TRAP_REGISTER] = 77;

	out = dev_stats_text(st);
	ck_assert_ptr_nonnull(strstr(out,
		"address: 0123456789abcdef0123456789ab\"\\??\n"
		"state: virtualized\n"
		"traps_register: 77\n"));
	free(out);

	out = dev_stats_json(st);
	ck_assert_ptr_nonnull(strstr(out,
		"{\n  \"address\": \"0123456789abcdef0123456789ab\\\"\\\\\\n"
		"\\u0001\",\n  \"state\": \"virtualized\",\n"
		"  \"traps\": {\"register\": 77, "));
	free(out);
	free(st);
}
END_TEST

/* --- device trace ------------------------------------------------------ */

static char *trace_text(const struct rtvirt_trace *tr,
			const struct rtvirt_trace_entry *e, size_t n)
{
	struct capture c;

	rvc_print_trace_text(cap_start(&c), tr, e, n);
	return cap_end(&c);
}

static char *trace_json(const struct rtvirt_trace *tr,
			const struct rtvirt_trace_entry *e, size_t n)
{
	struct capture c;

	rvc_print_trace_json(cap_start(&c), tr, e, n);
	return cap_end(&c);
}

static void set_entry(struct rtvirt_trace_entry *e, __u64 seq, __u16 queue,
		      __u8 opcode, __u16 cid, __u64 lba, __u32 bytes,
		      __u16 status, __u64 latency_ns, __u8 flags)
{
	memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->submit_ns = 1000000 + seq;
	e->queue = queue;
	e->opcode = opcode;
	e->cid = cid;
	e->lba = lba;
	e->bytes = bytes;
	e->status = status;
	e->latency_ns = latency_ns;
	e->flags = flags;
}

static void trace_req(struct rtvirt_trace *tr, const char *address,
		      __u64 dropped)
{
	memset(tr, 0, sizeof(*tr));
	tr->size = sizeof(*tr);
	tr->entry_size = sizeof(struct rtvirt_trace_entry);
	set_str(tr->address, sizeof(tr->address), address);
	tr->dropped = dropped;
}

/*
 * Admin commands (with the flag, and on queue 0 without it), I/O commands,
 * unknown opcodes of both kinds, a failed and an injected command, a
 * refused one and unknown flag bits.
 */
#define TRACE_N	8

static void sample_trace(struct rtvirt_trace_entry *e)
{
	set_entry(&e[0], 40, 0, 0x06, 3, 0, 0, 0, 85349, RTVIRT_TRACE_ADMIN);
	set_entry(&e[1], 41, 0, 0x7c, 4, 0, 0, 0x0002, 1999, 0);
	set_entry(&e[2], 42, 1, 0x02, 17, 2048, 4096, 0, 120000, 0);
	set_entry(&e[3], 43, 2, 0x01, 65535, 4096, 131072, 0x4281, 0,
		  RTVIRT_TRACE_INJECTED);
	set_entry(&e[4], 44, 1, 0x00, 18, 0, 0, 0, 99, 0);
	set_entry(&e[5], 45, 1, 0x81, 19, 0, 0, 0x0001, 5000, 0x80);
	set_entry(&e[6], 46, 0, 0x10, 5, 0, 0, 0x010b, 10000000,
		  RTVIRT_TRACE_ADMIN | RTVIRT_TRACE_REFUSED |
		  RTVIRT_TRACE_INJECTED);
	set_entry(&e[7], 47, 3, 0x09, 20, 0, 0, 0, 1000, RTVIRT_TRACE_REFUSED);
}

static const char sample_trace_text[] =
	"SEQ QUEUE OPCODE         CID  LBA  BYTES STATUS     LATENCY_US "
	"FLAGS\n"
	" 40     0 identify         3    0      0 0x0000(ok)       85.3 -\n"
	" 41     0 dbbuf-config     4    0      0 0x0002            1.9 -\n"
	" 42     1 read            17 2048   4096 0x0000(ok)      120.0 -\n"
	" 43     2 write        65535 4096 131072 0x4281            0.0 "
	"injected\n"
	" 44     1 flush           18    0      0 0x0000(ok)        0.0 -\n"
	" 45     1 0x81            19    0      0 0x0001            5.0 "
	"0x80\n"
	" 46     0 0x10             5    0      0 0x010b        10000.0 "
	"injected,refused\n"
	" 47     3 dsm             20    0      0 0x0000(ok)        1.0 "
	"refused\n"
	"entries: 8, dropped: 1234\n";

#define E40_JSON \
	"{\"seq\": 40, \"submit_ns\": 1000040, \"latency_ns\": 85349, " \
	"\"queue\": 0, \"cid\": 3, \"opcode\": \"0x06\", " \
	"\"command\": \"identify\", \"lba\": 0, \"bytes\": 0, " \
	"\"status\": \"0x0000\", \"flags\": [\"admin\"]}"

static const char sample_trace_json[] =
	"{\n"
	"  \"address\": \"0000:00:04.0\",\n"
	"  \"dropped\": 1234,\n"
	"  \"entries\": [\n"
	"    " E40_JSON ",\n"
	"    {\"seq\": 41, \"submit_ns\": 1000041, \"latency_ns\": 1999, "
	"\"queue\": 0, \"cid\": 4, \"opcode\": \"0x7c\", "
	"\"command\": \"dbbuf-config\", \"lba\": 0, \"bytes\": 0, "
	"\"status\": \"0x0002\", \"flags\": []},\n"
	"    {\"seq\": 42, \"submit_ns\": 1000042, \"latency_ns\": 120000, "
	"\"queue\": 1, \"cid\": 17, \"opcode\": \"0x02\", "
	"\"command\": \"read\", \"lba\": 2048, \"bytes\": 4096, "
	"\"status\": \"0x0000\", \"flags\": []},\n"
	"    {\"seq\": 43, \"submit_ns\": 1000043, \"latency_ns\": 0, "
	"\"queue\": 2, \"cid\": 65535, \"opcode\": \"0x01\", "
	"\"command\": \"write\", \"lba\": 4096, \"bytes\": 131072, "
	"\"status\": \"0x4281\", \"flags\": [\"injected\"]},\n"
	"    {\"seq\": 44, \"submit_ns\": 1000044, \"latency_ns\": 99, "
	"\"queue\": 1, \"cid\": 18, \"opcode\": \"0x00\", "
	"\"command\": \"flush\", \"lba\": 0, \"bytes\": 0, "
	"\"status\": \"0x0000\", \"flags\": []},\n"
	"    {\"seq\": 45, \"submit_ns\": 1000045, \"latency_ns\": 5000, "
	"\"queue\": 1, \"cid\": 19, \"opcode\": \"0x81\", "
	"\"command\": \"0x81\", \"lba\": 0, \"bytes\": 0, "
	"\"status\": \"0x0001\", \"flags\": [\"unknown(0x80)\"]},\n"
	"    {\"seq\": 46, \"submit_ns\": 1000046, \"latency_ns\": 10000000, "
	"\"queue\": 0, \"cid\": 5, \"opcode\": \"0x10\", "
	"\"command\": \"0x10\", \"lba\": 0, \"bytes\": 0, "
	"\"status\": \"0x010b\", "
	"\"flags\": [\"injected\", \"refused\", \"admin\"]},\n"
	"    {\"seq\": 47, \"submit_ns\": 1000047, \"latency_ns\": 1000, "
	"\"queue\": 3, \"cid\": 20, \"opcode\": \"0x09\", "
	"\"command\": \"dsm\", \"lba\": 0, \"bytes\": 0, "
	"\"status\": \"0x0000\", \"flags\": [\"refused\"]}\n"
	"  ]\n"
	"}\n";

START_TEST(test_opcode_names)
{
	static const struct {
		__u8 opcode;
		bool admin;
		const char *name;
	} t[] = {
		{ 0x00, false, "flush" },
		{ 0x01, false, "write" },
		{ 0x02, false, "read" },
		{ 0x08, false, "write-zeroes" },
		{ 0x09, false, "dsm" },
		{ 0x00, true, "delete-sq" },
		{ 0x01, true, "create-sq" },
		{ 0x02, true, "get-log-page" },
		{ 0x04, true, "delete-cq" },
		{ 0x05, true, "create-cq" },
		{ 0x06, true, "identify" },
		{ 0x08, true, "abort" },
		{ 0x09, true, "set-features" },
		{ 0x0a, true, "get-features" },
		{ 0x0c, true, "async-event" },
		{ 0x7c, true, "dbbuf-config" },
	};
	static const __u8 io_unnamed[] = {
		0x03, 0x04, 0x05, 0x06, 0x0a, 0x0c, 0x7c, 0x80, 0xff,
	};
	static const __u8 admin_unnamed[] = {
		0x03, 0x07, 0x0b, 0x0d, 0x10, 0x7b, 0x7d, 0x80, 0xff,
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_str_eq(rvc_nvme_opcode_name(t[i].opcode, t[i].admin),
				 t[i].name);
	for (i = 0; i < sizeof(io_unnamed); i++)
		ck_assert_ptr_null(rvc_nvme_opcode_name(io_unnamed[i], false));
	for (i = 0; i < sizeof(admin_unnamed); i++)
		ck_assert_ptr_null(rvc_nvme_opcode_name(admin_unnamed[i],
							true));
}
END_TEST

START_TEST(test_trace_text)
{
	struct rtvirt_trace_entry e[TRACE_N];
	struct rtvirt_trace tr;
	char *out;

	trace_req(&tr, "0000:00:04.0", 1234);
	sample_trace(e);
	out = trace_text(&tr, e, TRACE_N);
	ck_assert_str_eq(out, sample_trace_text);
	free(out);
}
END_TEST

START_TEST(test_trace_json)
{
	struct rtvirt_trace_entry e[TRACE_N];
	struct rtvirt_trace tr;
	char *out;

	trace_req(&tr, "0000:00:04.0", 1234);
	sample_trace(e);
	out = trace_json(&tr, e, TRACE_N);
	ck_assert_str_eq(out, sample_trace_json);
	free(out);
}
END_TEST

/*
 * Columns at their narrowest and widest; latency is rounded down; the
 * admin flag names opcode 0x08 "abort" even off queue 0.
 */
START_TEST(test_trace_text_widths)
{
	struct rtvirt_trace_entry e[2];
	struct rtvirt_trace tr;
	char *out;

	trace_req(&tr, "0000:00:04.0", 0);
	set_entry(&e[0], 1, 1, 0x02, 1, 8, 512, 0, 50, 0);
	out = trace_text(&tr, e, 1);
	ck_assert_str_eq(out,
		"SEQ QUEUE OPCODE CID LBA BYTES STATUS     LATENCY_US FLAGS\n"
		"  1     1 read     1   8   512 0x0000(ok)        0.0 -\n"
		"entries: 1, dropped: 0\n");
	free(out);

	set_entry(&e[1], UINT64_MAX, UINT16_MAX, 0x08, UINT16_MAX,
		  UINT64_MAX, UINT32_MAX, 0x7fff, UINT64_MAX, 0xff);
	tr.dropped = UINT64_MAX;
	out = trace_text(&tr, e, 2);
	ck_assert_str_eq(out,
		"                 SEQ QUEUE OPCODE   CID "
		"                 LBA      BYTES STATUS              "
		"LATENCY_US FLAGS\n"
		"                   1     1 read       1 "
		"                   8        512 0x0000(ok)          "
		"       0.0 -\n"
		"18446744073709551615 65535 abort  65535 "
		"18446744073709551615 4294967295 0x7fff     "
		"18446744073709551.6 injected,refused,0xf8\n"
		"entries: 2, dropped: 18446744073709551615\n");
	free(out);
}
END_TEST

START_TEST(test_trace_empty)
{
	struct rtvirt_trace_entry e;
	struct rtvirt_trace tr;
	char *out;

	trace_req(&tr, "0000:00:04.0", 7);
	memset(&e, 0, sizeof(e));
	out = trace_text(&tr, NULL, 0);
	ck_assert_str_eq(out,
		"SEQ QUEUE OPCODE CID LBA BYTES STATUS LATENCY_US FLAGS\n"
		"entries: 0, dropped: 7\n");
	free(out);
	out = trace_text(&tr, &e, 0);
	ck_assert_str_eq(out,
		"SEQ QUEUE OPCODE CID LBA BYTES STATUS LATENCY_US FLAGS\n"
		"entries: 0, dropped: 7\n");
	free(out);
	out = trace_text(&tr, NULL, 3);
	ck_assert_str_eq(out,
		"SEQ QUEUE OPCODE CID LBA BYTES STATUS LATENCY_US FLAGS\n"
		"entries: 0, dropped: 7\n");
	free(out);

	out = trace_json(&tr, NULL, 0);
	ck_assert_str_eq(out,
		"{\n"
		"  \"address\": \"0000:00:04.0\",\n"
		"  \"dropped\": 7,\n"
		"  \"entries\": []\n"
		"}\n");
	free(out);
	out = trace_json(&tr, &e, 0);
	ck_assert_str_eq(out,
		"{\n"
		"  \"address\": \"0000:00:04.0\",\n"
		"  \"dropped\": 7,\n"
		"  \"entries\": []\n"
		"}\n");
	free(out);
}
END_TEST

/* Only @n entries are read, the last one at the very end of the heap. */
START_TEST(test_trace_heap_end)
{
	struct rtvirt_trace_entry *e = malloc(sizeof(*e));
	struct rtvirt_trace tr;
	char *out;

	ck_assert_ptr_nonnull(e);
	set_entry(e, 40, 0, 0x06, 3, 0, 0, 0, 85349, RTVIRT_TRACE_ADMIN);
	trace_req(&tr, "0000:00:04.0", 0);
	out = trace_json(&tr, e, 1);
	ck_assert_str_eq(out,
		"{\n"
		"  \"address\": \"0000:00:04.0\",\n"
		"  \"dropped\": 0,\n"
		"  \"entries\": [\n"
		"    " E40_JSON "\n"
		"  ]\n"
		"}\n");
	free(out);
	out = trace_text(&tr, e, 1);
	ck_assert_str_eq(out,
		"SEQ QUEUE OPCODE   CID LBA BYTES STATUS     LATENCY_US FLAGS\n"
		" 40     0 identify   3   0     0 0x0000(ok)       85.3 -\n"
		"entries: 1, dropped: 0\n");
	free(out);
	free(e);
}
END_TEST

/* The address is escaped in JSON and never read past its array. */
START_TEST(test_trace_address)
{
	struct rtvirt_trace tr;
	char *out;

	trace_req(&tr, "", 0);
	memcpy(tr.address, "we\"ird\\\t0123456789abcdef01234567",
	       sizeof(tr.address));
	tr.capacity = 0xffffffff;
	out = trace_json(&tr, NULL, 0);
	ck_assert_str_eq(out,
		"{\n"
		"  \"address\": \"we\\\"ird\\\\\\t0123456789abcdef01234567\",\n"
		"  \"dropped\": 0,\n"
		"  \"entries\": []\n"
		"}\n");
	free(out);
}
END_TEST

/* --- arguments of the device commands ---------------------------------- */

static void check_number(const char *arg, unsigned long long max, int want,
			 unsigned long long want_val)
{
	unsigned long long val = 12345;
	int err = rvc_parse_number(arg, max, &val);

	ck_assert_msg(err == want, "'%s': got %d, want %d", arg ? arg : "NULL",
		      err, want);
	ck_assert_msg(val == (want ? 12345 : want_val),
		      "'%s': got value %llu", arg ? arg : "NULL", val);
}

START_TEST(test_parse_number)
{
	check_number("0", 10, 0, 0);
	check_number("42", 100, 0, 42);
	check_number("007", 100, 0, 7);
	check_number("010", 100, 0, 10);
	check_number("0x1f", 100, 0, 31);
	check_number("0X1F", 100, 0, 31);
	check_number("0x0", 100, 0, 0);
	check_number("0x7fff", 0x7fff, 0, 0x7fff);
	check_number("4294967295", UINT32_MAX, 0, UINT32_MAX);
	check_number("18446744073709551615", ULLONG_MAX, 0, ULLONG_MAX);

	check_number("0x8000", 0x7fff, -ERANGE, 0);
	check_number("4294967296", UINT32_MAX, -ERANGE, 0);
	check_number("18446744073709551616", ULLONG_MAX, -ERANGE, 0);
	check_number("99999999999999999999999", ULLONG_MAX, -ERANGE, 0);
	check_number("11", 10, -ERANGE, 0);

	check_number(NULL, 10, -EINVAL, 0);
	check_number("", 10, -EINVAL, 0);
	check_number("-1", 10, -EINVAL, 0);
	check_number("-0", 10, -EINVAL, 0);
	check_number("+1", 10, -EINVAL, 0);
	check_number(" 1", 10, -EINVAL, 0);
	check_number("1 ", 10, -EINVAL, 0);
	check_number("1\n", 10, -EINVAL, 0);
	check_number("0x", 10, -EINVAL, 0);
	check_number("0x-1", 10, -EINVAL, 0);
	check_number("0x 1", 10, -EINVAL, 0);
	check_number("0xg", 10, -EINVAL, 0);
	check_number("1f", 100, -EINVAL, 0);
	check_number("1e3", 10000, -EINVAL, 0);
	check_number("1.0", 10, -EINVAL, 0);
	check_number("abc", 10, -EINVAL, 0);
	check_number("x10", 100, -EINVAL, 0);
	check_number("00x10", 100, -EINVAL, 0);
}
END_TEST

START_TEST(test_parse_address)
{
	char addr[RTVIRT_ADDR_LEN];
	char zero[RTVIRT_ADDR_LEN];
	char longest[RTVIRT_ADDR_LEN + 1];

	memset(zero, 0, sizeof(zero));
	memset(addr, 'z', sizeof(addr));
	ck_assert_int_eq(rvc_parse_address("0000:00:04.0", addr,
					   sizeof(addr)), 0);
	ck_assert_str_eq(addr, "0000:00:04.0");
	/* The rest of the array is zero, as the kernel requires. */
	ck_assert_int_eq(memcmp(addr + 12, zero, sizeof(addr) - 12), 0);

	memset(longest, 'a', sizeof(longest));
	longest[RTVIRT_ADDR_LEN - 1] = '\0';
	ck_assert_int_eq(rvc_parse_address(longest, addr, sizeof(addr)), 0);
	ck_assert_str_eq(addr, longest);

	memset(addr, 'z', sizeof(addr));
	longest[RTVIRT_ADDR_LEN - 1] = 'a';
	longest[RTVIRT_ADDR_LEN] = '\0';
	ck_assert_int_eq(rvc_parse_address(longest, addr, sizeof(addr)),
			 -ENAMETOOLONG);
	ck_assert_int_eq(rvc_parse_address("", addr, sizeof(addr)), -EINVAL);
	ck_assert_int_eq(rvc_parse_address(NULL, addr, sizeof(addr)),
			 -EINVAL);
	/* Unchanged on failure. */
	ck_assert_int_eq(addr[0], 'z');
	ck_assert_int_eq(addr[RTVIRT_ADDR_LEN - 1], 'z');
}
END_TEST

#define DEV	"0000:00:04.0"

/* Build a request from @a; check the result and, on failure, @msg. */
static void check_inject_fails(const struct rvc_inject_args *a,
			       const char *want_msg)
{
	struct rtvirt_inject inj;
	char msg[RVC_MSG_BUF];

	memset(msg, 0, sizeof(msg));
	ck_assert_int_eq(rvc_inject_build(a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, want_msg);
	/* A NULL message buffer is allowed. */
	ck_assert_int_eq(rvc_inject_build(a, DEV, &inj, NULL, 0), -EINVAL);
}

static void check_inject(const struct rvc_inject_args *a, __u32 match,
			 __u32 count, __u16 status, __u32 delay_us)
{
	struct rtvirt_inject inj, want;
	char msg[RVC_MSG_BUF] = "";

	memset(&inj, 0xa5, sizeof(inj));
	ck_assert_int_eq(rvc_inject_build(a, DEV, &inj, msg, sizeof(msg)), 0);
	ck_assert_str_eq(msg, "");
	memset(&want, 0, sizeof(want));
	want.size = sizeof(want);
	want.match = match;
	strcpy(want.address, DEV);
	want.count = count;
	want.status = status;
	want.delay_us = delay_us;
	ck_assert_uint_eq(inj.size, RTVIRT_INJECT_SIZE_VER1);
	ck_assert_uint_eq(inj.match, match);
	ck_assert_uint_eq(inj.count, count);
	ck_assert_uint_eq(inj.status, status);
	ck_assert_uint_eq(inj.delay_us, delay_us);
	/* Everything else, padding included, is zero. */
	ck_assert_int_eq(memcmp(&inj, &want, sizeof(inj)), 0);
}

START_TEST(test_inject_build)
{
	struct rvc_inject_args a;

	memset(&a, 0, sizeof(a));
	a.reads = true;
	a.count = "3";
	a.status = "0x281";
	check_inject(&a, RTVIRT_INJECT_READS, 3, 0x0281, 0);

	a.dnr = true;
	check_inject(&a, RTVIRT_INJECT_READS, 3, 0x4281, 0);

	/* --dnr on a status that has it already changes nothing. */
	a.status = "0x4281";
	check_inject(&a, RTVIRT_INJECT_READS, 3, 0x4281, 0);

	memset(&a, 0, sizeof(a));
	a.writes = true;
	a.count = "4294967295";
	a.delay_us = "10000000";
	check_inject(&a, RTVIRT_INJECT_WRITES, UINT32_MAX, 0,
		     RTVIRT_INJECT_MAX_DELAY_US);

	memset(&a, 0, sizeof(a));
	a.reads = true;
	a.writes = true;
	a.count = "1";
	a.status = "0x7fff";
	a.delay_us = "0x10";
	check_inject(&a, RTVIRT_INJECT_READS | RTVIRT_INJECT_WRITES, 1,
		     0x7fff, 16);

	/* A zero status with a delay only delays. */
	a.status = "0";
	a.delay_us = "1";
	check_inject(&a, RTVIRT_INJECT_READS | RTVIRT_INJECT_WRITES, 1, 0, 1);

	/* --status 0 --dnr is a status, if a useless one. */
	a.delay_us = NULL;
	a.dnr = true;
	check_inject(&a, RTVIRT_INJECT_READS | RTVIRT_INJECT_WRITES, 1,
		     0x4000, 0);

	/* --clear: count 0 cancels; it matches everything. */
	memset(&a, 0, sizeof(a));
	a.clear = true;
	check_inject(&a, RTVIRT_INJECT_READS | RTVIRT_INJECT_WRITES, 0, 0, 0);
}
END_TEST

START_TEST(test_inject_rejects)
{
	struct rvc_inject_args a;

	/* No match. */
	memset(&a, 0, sizeof(a));
	a.count = "1";
	a.status = "1";
	check_inject_fails(&a, "missing --reads, --writes or --all");

	/* No count. */
	memset(&a, 0, sizeof(a));
	a.reads = true;
	a.status = "1";
	check_inject_fails(&a, "missing --count");

	/* Count 0 without --clear. */
	a.count = "0";
	check_inject_fails(&a, "invalid count '0': at least 1 "
			   "(--clear cancels)");
	a.count = "0x0";
	check_inject_fails(&a, "invalid count '0x0': at least 1 "
			   "(--clear cancels)");

	/* Numbers that are not, or too large. */
	a.count = "abc";
	check_inject_fails(&a, "invalid count 'abc': not a number");
	a.count = "-1";
	check_inject_fails(&a, "invalid count '-1': not a number");
	a.count = "";
	check_inject_fails(&a, "invalid count '': not a number");
	a.count = "4294967296";
	check_inject_fails(&a, "invalid count '4294967296': at most "
			   "4294967295");

	a.count = "1";
	a.status = "0x8000";
	check_inject_fails(&a, "invalid status '0x8000': at most 0x7fff "
			   "(15 bits)");
	a.status = "32768";
	check_inject_fails(&a, "invalid status '32768': at most 0x7fff "
			   "(15 bits)");
	a.status = "0xfffff";
	check_inject_fails(&a, "invalid status '0xfffff': at most 0x7fff "
			   "(15 bits)");
	a.status = "0x";
	check_inject_fails(&a, "invalid status '0x': not a number");
	a.status = "ok";
	check_inject_fails(&a, "invalid status 'ok': not a number");

	a.status = NULL;
	a.delay_us = "10000001";
	check_inject_fails(&a, "invalid delay '10000001': at most "
			   "10000000 us");
	a.delay_us = "1ms";
	check_inject_fails(&a, "invalid delay '1ms': not a number");
	a.delay_us = "-5";
	check_inject_fails(&a, "invalid delay '-5': not a number");

	/* Neither a status nor a delay. */
	a.delay_us = NULL;
	check_inject_fails(&a, "nothing to inject: give a non-zero --status "
			   "or --delay-us");
	a.status = "0";
	a.delay_us = "0";
	check_inject_fails(&a, "nothing to inject: give a non-zero --status "
			   "or --delay-us");

	/* --dnr without a status. */
	a.status = NULL;
	a.delay_us = "5";
	a.dnr = true;
	check_inject_fails(&a, "--dnr needs --status");

	/* --clear with anything else. */
	memset(&a, 0, sizeof(a));
	a.clear = true;
	a.reads = true;
	check_inject_fails(&a, "--clear takes no other inject option");
	a.reads = false;
	a.writes = true;
	check_inject_fails(&a, "--clear takes no other inject option");
	a.writes = false;
	a.count = "0";
	check_inject_fails(&a, "--clear takes no other inject option");
	a.count = NULL;
	a.status = "0";
	check_inject_fails(&a, "--clear takes no other inject option");
	a.status = NULL;
	a.delay_us = "0";
	check_inject_fails(&a, "--clear takes no other inject option");
	a.delay_us = NULL;
	a.dnr = true;
	check_inject_fails(&a, "--clear takes no other inject option");
}
END_TEST

START_TEST(test_inject_address)
{
	struct rvc_inject_args a;
	struct rtvirt_inject inj;
	char msg[RVC_MSG_BUF];

	memset(&a, 0, sizeof(a));
	a.clear = true;
	ck_assert_int_eq(rvc_inject_build(&a, "", &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "invalid device address '': empty");
	ck_assert_int_eq(rvc_inject_build(&a, NULL, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "invalid device address '': empty");
	ck_assert_int_eq(rvc_inject_build(&a,
					  "0123456789abcdef0123456789abcdef",
					  &inj, msg, sizeof(msg)), -EINVAL);
	ck_assert_str_eq(msg, "invalid device address "
			 "'0123456789abcdef0123456789abcdef': too long");

	/* The message is cut to the buffer, and terminated. */
	ck_assert_int_eq(rvc_inject_build(&a, "", &inj, msg, 8), -EINVAL);
	ck_assert_str_eq(msg, "invalid");
}
END_TEST

static void check_dev_error(enum rvc_dev_op op, int err, const char *want)
{
	char buf[RVC_MSG_BUF];

	ck_assert_str_eq(rvc_device_error(op, err, DEV, buf, sizeof(buf)),
			 want);
}

START_TEST(test_device_errors)
{
	char small[16];
	char *want;

	check_dev_error(RVC_OP_VIRTUALIZE, ENODEV, "no managed device " DEV);
	check_dev_error(RVC_OP_DEVIRTUALIZE, ENODEV,
			"no managed device " DEV);
	check_dev_error(RVC_OP_STATS, ENODEV, "no managed device " DEV);
	check_dev_error(RVC_OP_TRACE, ENODEV, "no managed device " DEV);
	check_dev_error(RVC_OP_INJECT, ENODEV, "no managed device " DEV);

	check_dev_error(RVC_OP_VIRTUALIZE, EBUSY, DEV " is busy (the VMM is "
			"not launched, or the device is changing state)");
	check_dev_error(RVC_OP_DEVIRTUALIZE, EBUSY, DEV " is busy (the VMM "
			"is not launched, or the device is changing state)");
	check_dev_error(RVC_OP_INJECT, EBUSY, DEV " is not virtualized");
	check_dev_error(RVC_OP_DEVIRTUALIZE, ETIMEDOUT, DEV ": hand-back did "
			"not complete within the stall bound, still "
			"virtualized");
	check_dev_error(RVC_OP_VIRTUALIZE, EOPNOTSUPP, DEV ": the VMM does "
			"not serve the device as it is set up (see the kernel "
			"log)");
	check_dev_error(RVC_OP_INJECT, EOPNOTSUPP, DEV ": this device model "
			"has no such fault injection (disks take "
			"--reads/--writes, NICs --tx/--rx)");
	check_dev_error(RVC_OP_VIRTUALIZE, EIO, DEV ": the VMM refused the "
			"takeover (see the kernel log)");
	check_dev_error(RVC_OP_CAPTURE, EOPNOTSUPP, DEV ": this device model "
			"has no frame capture");
	check_dev_error(RVC_OP_CAPTURE, EBUSY, DEV " is already being "
			"captured");
	check_dev_error(RVC_OP_CAPTURE, ENOMEM,
			"capture: " DEV ": Cannot allocate memory");

	/* Everything else: the request, the address, strerror(). */
	check_dev_error(RVC_OP_VIRTUALIZE, EPERM,
			"virtualize: " DEV ": Operation not permitted");
	check_dev_error(RVC_OP_VIRTUALIZE, ETIMEDOUT,
			"virtualize: " DEV ": Connection timed out");
	check_dev_error(RVC_OP_DEVIRTUALIZE, EOPNOTSUPP,
			"devirtualize: " DEV ": Operation not supported");
	check_dev_error(RVC_OP_DEVIRTUALIZE, EIO,
			"devirtualize: " DEV ": Input/output error");
	check_dev_error(RVC_OP_STATS, EBUSY, "RTVIRT_GET_DEVICE_STATS: " DEV
			": Device or resource busy");
	check_dev_error(RVC_OP_STATS, ENOTTY, "RTVIRT_GET_DEVICE_STATS: " DEV
			": Inappropriate ioctl for device");
	check_dev_error(RVC_OP_TRACE, EINVAL, "RTVIRT_READ_TRACE: " DEV
			": Invalid argument");
	check_dev_error(RVC_OP_INJECT, EINVAL,
			"inject: " DEV ": Invalid argument");
	check_dev_error(RVC_OP_INJECT, EPERM,
			"inject: " DEV ": Operation not permitted");

	ck_assert_int_gt(asprintf(&want, "inject: %s: %s", DEV,
				  strerror(ENOMEM)), 0);
	check_dev_error(RVC_OP_INJECT, ENOMEM, want);
	free(want);

	/* Truncated to the buffer; no buffer gives "". */
	ck_assert_str_eq(rvc_device_error(RVC_OP_VIRTUALIZE, ENODEV, DEV,
					  small, sizeof(small)),
			 "no managed devi");
	ck_assert_str_eq(rvc_device_error(RVC_OP_VIRTUALIZE, ENODEV, DEV,
					  NULL, 0), "");
	ck_assert_str_eq(rvc_device_error(RVC_OP_VIRTUALIZE, ENODEV, NULL,
					  small, sizeof(small)),
			 "no managed devi");
}
END_TEST

/* --- pcap output --------------------------------------------------------- */

/* Append one READ record of @caplen bytes (0x11, 0x22, ...) to @buf. */
static size_t put_record(unsigned char *buf, size_t off, __u64 ts, __u32 len,
			 __u32 caplen, __u8 dir)
{
	struct rtvirt_capture_record r = {
		.ts_ns = ts, .len = len, .caplen = caplen, .dir = dir,
	};

	memcpy(buf + off, &r, sizeof(r));
	off += sizeof(r);
	for (__u32 i = 0; i < caplen; i++)
		buf[off + i] = (unsigned char)(0x11 * (i + 1));
	return off + ((caplen + 7) & ~7U);
}

static __u32 rd32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (__u32)p[3] << 24;
}

static unsigned char *pcap_bytes(FILE *f, size_t *len)
{
	static unsigned char out[4096];

	ck_assert_int_eq(fflush(f), 0);
	rewind(f);
	*len = fread(out, 1, sizeof(out), f);
	return out;
}

START_TEST(test_pcap_header)
{
	FILE *f = tmpfile();
	unsigned char *h;
	size_t len;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(rvc_pcap_header(f, 1500), 0);
	h = pcap_bytes(f, &len);
	ck_assert_uint_eq(len, RVC_PCAP_HEADER);
	ck_assert_uint_eq(rd32(h), 0xa1b23c4d);	/* nanosecond pcap */
	ck_assert_uint_eq(h[4] | h[5] << 8, 2);
	ck_assert_uint_eq(h[6] | h[7] << 8, 4);
	ck_assert_uint_eq(rd32(h + 8), 0);
	ck_assert_uint_eq(rd32(h + 16), 1500);
	ck_assert_uint_eq(rd32(h + 20), 1);	/* Ethernet */
	fclose(f);
}
END_TEST

START_TEST(test_pcap_records)
{
	unsigned char in[512] = { 0 }, *p;
	struct rvc_capture_counts n = { 0 };
	FILE *f = tmpfile();
	size_t off = 0, len;

	ck_assert_ptr_nonnull(f);
	off = put_record(in, off, 1700000000123456789ULL, 60, 60,
			 RTVIRT_CAPTURE_TX);
	off = put_record(in, off, 1700000001000000001ULL, 1514, 13,
			 RTVIRT_CAPTURE_RX);
	ck_assert_int_eq(rvc_pcap_records(f, in, off, 0, &n), 2);
	ck_assert_uint_eq(n.frames, 2);
	ck_assert_uint_eq(n.tx, 1);
	ck_assert_uint_eq(n.rx, 1);
	ck_assert_uint_eq(n.bytes, 1574);
	p = pcap_bytes(f, &len);
	ck_assert_uint_eq(len, RVC_PCAP_RECORD * 2 + 60 + 13);
	ck_assert_uint_eq(rd32(p), 1700000000);
	ck_assert_uint_eq(rd32(p + 4), 123456789);
	ck_assert_uint_eq(rd32(p + 8), 60);
	ck_assert_uint_eq(rd32(p + 12), 60);
	ck_assert_uint_eq(p[16], 0x11);
	ck_assert_uint_eq(p[16 + 59], (unsigned char)(0x11 * 60));
	p += RVC_PCAP_RECORD + 60;
	ck_assert_uint_eq(rd32(p), 1700000001);
	ck_assert_uint_eq(rd32(p + 4), 1);
	ck_assert_uint_eq(rd32(p + 8), 13);	/* snapped */
	ck_assert_uint_eq(rd32(p + 12), 1514);
	fclose(f);
}
END_TEST

START_TEST(test_pcap_max)
{
	unsigned char in[512] = { 0 };
	struct rvc_capture_counts n = { 0 };
	FILE *f = tmpfile();
	size_t off = 0, len;

	for (int i = 0; i < 3; i++)
		off = put_record(in, off, 1, 64, 64, RTVIRT_CAPTURE_TX);
	ck_assert_int_eq(rvc_pcap_records(f, in, off, 2, &n), 2);
	ck_assert_uint_eq(n.frames, 2);
	pcap_bytes(f, &len);
	ck_assert_uint_eq(len, 2 * (RVC_PCAP_RECORD + 64));
	fclose(f);
}
END_TEST

START_TEST(test_pcap_malformed)
{
	unsigned char in[512] = { 0 };
	struct rvc_capture_counts n = { 0 };
	FILE *f = tmpfile();
	size_t off;

	/* caplen above len */
	off = put_record(in, 0, 1, 10, 20, RTVIRT_CAPTURE_TX);
	ck_assert_int_eq(rvc_pcap_records(f, in, off, 0, &n), -1);
	/* bytes beyond the buffer */
	off = put_record(in, 0, 1, 100, 100, RTVIRT_CAPTURE_RX);
	ck_assert_int_eq(rvc_pcap_records(f, in, off - 8, 0, &n), -1);
	/* a record header cut short */
	ck_assert_int_eq(rvc_pcap_records(f, in, 10, 0, &n), -1);
	/* an unknown direction, after a good record */
	off = put_record(in, 0, 1, 64, 64, RTVIRT_CAPTURE_RX);
	off = put_record(in, off, 1, 64, 64, 7);
	ck_assert_int_eq(rvc_pcap_records(f, in, off, 0, &n), -1);
	ck_assert_uint_eq(n.frames, 1);
	ck_assert_uint_eq(n.rx, 1);
	/* empty input writes nothing */
	ck_assert_int_eq(rvc_pcap_records(f, in, 0, 0, &n), 0);
	fclose(f);
}
END_TEST

START_TEST(test_pcap_tso_length)
{
	unsigned char in[1024] = { 0 }, *p;
	struct rvc_capture_counts n = { 0 };
	FILE *f = tmpfile();
	size_t off = 0, len, o1, o2, o3;
	const struct rtvirt_capture_record *r;

	ck_assert_ptr_nonnull(f);
	/* TX IPv4, total length 0: a TSO frame of 3000 bytes, 64 kept. */
	off = put_record(in, 0, 1, 3000, 64, RTVIRT_CAPTURE_TX);
	o1 = sizeof(*r);
	in[o1 + 12] = 0x08;
	in[o1 + 13] = 0x00;
	in[o1 + 14] = 0x45;
	in[o1 + 16] = 0;
	in[o1 + 17] = 0;
	/* TX IPv6 behind a VLAN tag, payload length 0. */
	o2 = off + sizeof(*r);
	off = put_record(in, off, 1, 9000, 64, RTVIRT_CAPTURE_TX);
	in[o2 + 12] = 0x81;
	in[o2 + 13] = 0x00;
	in[o2 + 16] = 0x86;
	in[o2 + 17] = 0xdd;
	in[o2 + 18] = 0x60;
	in[o2 + 22] = 0;
	in[o2 + 23] = 0;
	/* RX IPv4 with total length 0: left as received. */
	o3 = off + sizeof(*r);
	off = put_record(in, off, 1, 3000, 64, RTVIRT_CAPTURE_RX);
	in[o3 + 12] = 0x08;
	in[o3 + 13] = 0x00;
	in[o3 + 14] = 0x45;
	in[o3 + 16] = 0;
	in[o3 + 17] = 0;
	ck_assert_int_eq(rvc_pcap_records(f, in, off, 0, &n), 3);
	p = pcap_bytes(f, &len);
	ck_assert_uint_eq(len, 3 * (RVC_PCAP_RECORD + 64));
	p += RVC_PCAP_RECORD;
	ck_assert_uint_eq(p[16] << 8 | p[17], 3000 - 14);
	ck_assert_uint_eq(p[18], in[o1 + 18]);	/* the rest as it was */
	p += 64 + RVC_PCAP_RECORD;
	ck_assert_uint_eq(p[22] << 8 | p[23], 9000 - 18 - 40);
	p += 64 + RVC_PCAP_RECORD;
	ck_assert_uint_eq(p[16] << 8 | p[17], 0);
	/* The input is not changed. */
	ck_assert_uint_eq(in[o1 + 16] | in[o1 + 17], 0);
	fclose(f);
}
END_TEST

START_TEST(test_inject_frames)
{
	struct rvc_inject_args a;
	struct rtvirt_inject inj;
	char msg[RVC_MSG_BUF];
	__u32 ppm;

	memset(&a, 0, sizeof(a));
	a.rx = true;
	a.drop = true;
	a.count = "5";
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(inj.match, RTVIRT_INJECT_RX);
	ck_assert_uint_eq(inj.count, 5);
	ck_assert_uint_eq(inj.action, RTVIRT_INJECT_DROP);
	ck_assert_uint_eq(inj.probability, 0);
	ck_assert_uint_eq(inj.status, 0);
	ck_assert_uint_eq(inj.delay_us, 0);

	a.tx = true;
	a.percent = "12.5";
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(inj.match, RTVIRT_INJECT_TX | RTVIRT_INJECT_RX);
	ck_assert_uint_eq(inj.probability, 125000);

	a.tx = false;
	a.drop = false;
	a.corrupt = true;
	a.percent = NULL;
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(inj.action, RTVIRT_INJECT_CORRUPT);

	a.corrupt = false;
	a.tx = true;
	a.delay_us = "500000";
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(inj.action, RTVIRT_INJECT_DELAY);
	ck_assert_uint_eq(inj.delay_us, 500000);
	ck_assert_uint_eq(inj.match, RTVIRT_INJECT_TX | RTVIRT_INJECT_RX);
	a.delay_us = "500001";
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "invalid delay '500001': at most 500000 us for frames");
	a.delay_us = "0";
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "invalid delay '0': at least 1 us");
	a.drop = true;
	a.delay_us = "10";
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "--drop, --corrupt and --delay-us exclude each other");
	a.drop = false;
	a.delay_us = NULL;
	a.tx = false;
	a.corrupt = true;

	/* Rejected, each with its reason. */
	a.tx = true;
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "--corrupt is for received frames only (--rx): the NIC checksums what it sends");
	a.tx = false;
	a.drop = true;
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "--drop, --corrupt and --delay-us exclude each other");
	a.drop = false;
	a.corrupt = false;
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "missing --drop, --corrupt or --delay-us");
	a.drop = true;
	a.rx = false;
	a.percent = "5";
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "missing --tx or --rx");
	a.rx = true;
	a.reads = true;
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "--tx and --rx are for a NIC's frames: no --reads, --writes, --status or --dnr");
	a.reads = false;
	a.count = NULL;
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "missing --count");
	a.count = "1";
	a.percent = "101";
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "invalid percent '101': more than 0, at most 100, at most 4 decimals");
	a.percent = NULL;
	a.clear = true;
	ck_assert_int_eq(rvc_inject_build(&a, DEV, &inj, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "--clear takes no other inject option");

	/* Percentages. */
	ck_assert_int_eq(rvc_parse_percent("100", &ppm), 0);
	ck_assert_uint_eq(ppm, 1000000);
	ck_assert_int_eq(rvc_parse_percent("0.0001", &ppm), 0);
	ck_assert_uint_eq(ppm, 1);
	ck_assert_int_eq(rvc_parse_percent("50", &ppm), 0);
	ck_assert_uint_eq(ppm, 500000);
	ck_assert_int_eq(rvc_parse_percent("0", &ppm), -EINVAL);
	ck_assert_int_eq(rvc_parse_percent("0.00001", &ppm), -EINVAL);
	ck_assert_int_eq(rvc_parse_percent("100.0001", &ppm), -EINVAL);
	ck_assert_int_eq(rvc_parse_percent("1.", &ppm), -EINVAL);
	ck_assert_int_eq(rvc_parse_percent(".5", &ppm), -EINVAL);
	ck_assert_int_eq(rvc_parse_percent("1.2.3", &ppm), -EINVAL);
	ck_assert_int_eq(rvc_parse_percent("-1", &ppm), -EINVAL);
	ck_assert_int_eq(rvc_parse_percent("", &ppm), -EINVAL);
	ck_assert_int_eq(rvc_parse_percent("99999999999999999999", &ppm),
			 -EINVAL);
}
END_TEST

static Suite *format_suite(void)
{
	Suite *s = suite_create("rtvirtctl_format");
	TCase *tc;

	tc = tcase_create("json_string");
	tcase_add_test(tc, test_json_plain);
	tcase_add_test(tc, test_json_quotes_backslashes);
	tcase_add_test(tc, test_json_control_chars);
	tcase_add_test(tc, test_json_utf8);
	tcase_add_test(tc, test_json_unterminated);
	tcase_add_test(tc, test_json_fmemopen);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_text_field);
	tcase_add_test(tc, test_state_names);
	tcase_add_test(tc, test_cpu_state_names);
	tcase_add_test(tc, test_backend_names);
	tcase_add_test(tc, test_feature_names);
	tcase_add_test(tc, test_features_str);
	suite_add_tcase(s, tc);

	tc = tcase_create("info");
	tcase_add_test(tc, test_info_text);
	tcase_add_test(tc, test_info_json);
	tcase_add_test(tc, test_info_vmx_virtualized);
	tcase_add_test(tc, test_info_unknowns);
	tcase_add_test(tc, test_info_unterminated);
	suite_add_tcase(s, tc);

	tc = tcase_create("devices");
	tcase_add_test(tc, test_devices_text);
	tcase_add_test(tc, test_devices_json);
	tcase_add_test(tc, test_devices_count_bounds_output);
	tcase_add_test(tc, test_devices_empty);
	tcase_add_test(tc, test_devices_unknown_state);
	tcase_add_test(tc, test_devices_unterminated);
	tcase_add_test(tc, test_devices_escaping);
	suite_add_tcase(s, tc);

	tc = tcase_create("cpus");
	tcase_add_test(tc, test_cpu_lines);
	tcase_add_test(tc, test_status_text);
	tcase_add_test(tc, test_status_json);
	tcase_add_test(tc, test_stats_text);
	tcase_add_test(tc, test_stats_text_one);
	tcase_add_test(tc, test_stats_text_wide);
	tcase_add_test(tc, test_stats_json);
	tcase_add_test(tc, test_stats_empty);
	tcase_add_test(tc, test_stats_heap_end);
	suite_add_tcase(s, tc);

	tc = tcase_create("device_stats");
	tcase_add_test(tc, test_trap_names);
	tcase_add_test(tc, test_device_stats_text);
	tcase_add_test(tc, test_device_stats_json);
	tcase_add_test(tc, test_device_stats_states);
	tcase_add_test(tc, test_device_stats_address);
	suite_add_tcase(s, tc);

	tc = tcase_create("trace");
	tcase_add_test(tc, test_opcode_names);
	tcase_add_test(tc, test_trace_text);
	tcase_add_test(tc, test_trace_json);
	tcase_add_test(tc, test_trace_text_widths);
	tcase_add_test(tc, test_trace_empty);
	tcase_add_test(tc, test_trace_heap_end);
	tcase_add_test(tc, test_trace_address);
	suite_add_tcase(s, tc);

	tc = tcase_create("device_args");
	tcase_add_test(tc, test_parse_number);
	tcase_add_test(tc, test_parse_address);
	tcase_add_test(tc, test_inject_build);
	tcase_add_test(tc, test_inject_rejects);
	tcase_add_test(tc, test_inject_address);
	tcase_add_test(tc, test_inject_frames);
	tcase_add_test(tc, test_device_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcap");
	tcase_add_test(tc, test_pcap_header);
	tcase_add_test(tc, test_pcap_records);
	tcase_add_test(tc, test_pcap_max);
	tcase_add_test(tc, test_pcap_malformed);
	tcase_add_test(tc, test_pcap_tso_length);
	suite_add_tcase(s, tc);

	return s;
}

/**
 * main() - run the rtvirtctl format unit tests
 *
 * Return: 0 when every test passed, 1 otherwise.
 */
int main(void)
{
	SRunner *sr = srunner_create(format_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
