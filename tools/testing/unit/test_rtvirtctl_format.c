// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tools/rtvirtctl/format.c: name mappings, JSON escaping and
 * the exact text and JSON renderings of the info, the device list and the
 * per-CPU statistics (status lines, stats table, JSON array).
 *
 * Build (needs libcheck; tools/testing/run-unit does this):
 *
 *	gcc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
 *		-fsanitize=address,undefined \
 *		-Iinclude -Iinclude/uapi -Itools/rtvirtctl \
 *		-o test_rtvirtctl_format \
 *		tools/testing/unit/test_rtvirtctl_format.c \
 *		tools/rtvirtctl/format.c src/common/exit_names.c \
 *		$(pkg-config --cflags --libs check)
 *
 * Run under the sanitizers: structures whose strings fill their arrays
 * without a NUL are placed at the very end of a heap block, so a renderer
 * reading past an array is caught by AddressSanitizer.
 */
#include <check.h>
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
	st->total_exits = 230;
	st->denied_accesses = 2;
	st->exits[RTVIRT_EXIT_HYPERCALL] = 12;
	st->exits[RTVIRT_EXIT_CPUID] = 200;
	st->exits[RTVIRT_EXIT_MSR_READ] = 8;
	st->exits[RTVIRT_EXIT_MSR_WRITE] = 4;
	st->exits[RTVIRT_EXIT_NPF] = 1;
	st->exits[RTVIRT_EXIT_DEBUG] = 3;
	st->exits[RTVIRT_EXIT_OTHER] = 2;
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
	"cpu0: guest (vmm cpu 0, generation 3, launch 688 us, exits 230)\n"
	"cpu1: native\n"
	"cpu2: offline\n"
	"cpu3: unknown(7)\n";

/* The exact header line of the stats table, at its narrowest. */
#define STATS_HEADER \
	"CPU STATE GENERATION LAUNCH_NS UNLAUNCH_NS TOTAL DENIED " \
	"HYPERCALL CPUID MSR_READ MSR_WRITE NPF VIRT_INSN SHUTDOWN DEBUG " \
	"OTHER\n"

static const char four_cpus_table[] =
	"CPU STATE      GENERATION LAUNCH_NS UNLAUNCH_NS TOTAL DENIED "
	"HYPERCALL CPUID MSR_READ MSR_WRITE NPF VIRT_INSN SHUTDOWN DEBUG "
	"OTHER\n"
	"  0 guest               3    688123           0   230      2 "
	"       12   200        8         4   1         0        0     3 "
	"    2\n"
	"  1 native              -    700001       51234     -      - "
	"        -     -        -         -   -         -        -     - "
	"    -\n"
	"  2 offline             -         0           0     -      - "
	"        -     -        -         -   -         -        -     - "
	"    -\n"
	"  3 unknown(7)          -         0           0     -      - "
	"        -     -        -         -   -         -        -     - "
	"    -\n";

#define GUEST0_JSON \
	"{\"cpu\": 0, \"state\": \"guest\", \"vmm_cpu\": 0, " \
	"\"generation\": 3, \"launch_ns\": 688123, \"unlaunch_ns\": 0, " \
	"\"total_exits\": 230, \"denied_accesses\": 2, " \
	"\"exits\": {\"hypercall\": 12, \"cpuid\": 200, \"msr_read\": 8, " \
	"\"msr_write\": 4, \"npf\": 1, \"virt_insn\": 0, \"shutdown\": 0, " \
	"\"debug\": 3, \"other\": 2}}"

#define NO_EXITS_JSON \
	"\"exits\": {\"hypercall\": 0, \"cpuid\": 0, \"msr_read\": 0, " \
	"\"msr_write\": 0, \"npf\": 0, \"virt_insn\": 0, \"shutdown\": 0, " \
	"\"debug\": 0, \"other\": 0}}"

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
			 "launch 688 us, exits 230)\n");
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
		"  0 guest          3    688123           0   230      2 "
		"       12   200        8         4   1         0        0 "
		"    3     2\n");
	free(out);

	out = stats_text(&st[1], 1);
	ck_assert_str_eq(out,
		"CPU STATE  GENERATION LAUNCH_NS UNLAUNCH_NS TOTAL DENIED "
		"HYPERCALL CPUID MSR_READ MSR_WRITE NPF VIRT_INSN SHUTDOWN "
		"DEBUG OTHER\n"
		"  1 native          -    700001       51234     -      - "
		"        -     -        -         -   -         -        - "
		"    -     -\n");
	free(out);

	out = stats_text(&st[2], 1);
	ck_assert_str_eq(out,
		"CPU STATE   GENERATION LAUNCH_NS UNLAUNCH_NS TOTAL DENIED "
		"HYPERCALL CPUID MSR_READ MSR_WRITE NPF VIRT_INSN SHUTDOWN "
		"DEBUG OTHER\n"
		"  2 offline          -         0           0     -      - "
		"        -     -        -         -   -         -        - "
		"    -     -\n");
	free(out);

	out = stats_text(&st[3], 1);
	ck_assert_str_eq(out,
		"CPU STATE      GENERATION LAUNCH_NS UNLAUNCH_NS TOTAL DENIED "
		"HYPERCALL CPUID MSR_READ MSR_WRITE NPF VIRT_INSN SHUTDOWN "
		"DEBUG OTHER\n"
		"  3 unknown(7)          -         0           0     -      - "
		"        -     -        -         -   -         -        - "
		"    -     -\n");
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
	st[1].cpu = 7;
	st[1].state = UINT32_MAX;
	out = stats_text(st, 2);
	ck_assert_str_eq(out,
		"       CPU STATE                         GENERATION LAUNCH_NS "
		"UNLAUNCH_NS                TOTAL DENIED HYPERCALL CPUID "
		"MSR_READ MSR_WRITE                  NPF VIRT_INSN SHUTDOWN "
		"DEBUG OTHER\n"
		"4294967295 guest               18446744073709551615         1 "
		"          0 18446744073709551615      0         0     0 "
		"       0         0 18446744073709551615         0        0 "
		"    0     0\n"
		"         7 unknown(4294967295)                    -         0 "
		"          0                    -      -         -     - "
		"       -         - "
		"                   -         -        - "
		"    -     -\n");
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
