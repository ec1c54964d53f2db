// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the VMM core's vendor-neutral exit handling against a fake
 * backend: the containment of accesses to the VMM's memory
 * (src/vmm/core/contain.c), the handling of a physical interrupt and the
 * choice of what an entry injects (src/vmm/core/event.c).  They pin the contract a backend implements
 * (struct vmm_arch_ops): what the core asks of it, in which order.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/device.h>
#include <vmm/vmm.h>
#include <vmm/x86.h>

#define PG		4096ULL
#define VMM_PA		0x40000000ULL	/* the VMM's memory: 16 pages */
#define TRAP_PA		0xfeb00000ULL	/* a device's trapped page */
#define NPT_ROOT	0x1000ULL
#define VIEW_ROOT	0x2000ULL
#define RIP_A		0xffffffff81000000ULL
#define RIP_B		0xffffffff81000010ULL

struct vmm vmm;
const struct vmm_arch_ops *vmm_arch;

/* What the fake backend was asked. */
static struct {
	u64 rip, rflags, root;
	bool db_intercept, shadow;
	unsigned int roots_set, step_taken, inject_db, inject_gp;
	enum vcpu_event ev;		/* what the entry injects so far */
	u8 vector;
	unsigned int injects;
	int view_err;			/* vcpu_view_map()'s answer */
	unsigned int views, fresh_views, traps;
	u32 accept;			/* what take_interrupt answers */
	bool full;			/* irq_room answers no */
	bool window_seen;		/* irq_window was set in the window */
	unsigned int accepted, posted;	/* calls, in order: see below */
	unsigned int order;
} be;

static struct vcpu vcpu;
static struct vcpu *v = &vcpu;

void vmm_log(const char *fmt, ...)
{
	(void)fmt;
}

void vmm_panic(const char *fmt, ...)
{
	ck_abort_msg("vmm_panic: %s", fmt);
	abort();
}

bool vmm_owns_pa(u64 pa)
{
	return pa >= VMM_PA && pa < VMM_PA + 16 * PG;
}

int vcpu_view_map(struct vcpu *c, u64 gpa, u64 hpa, bool fresh)
{
	ck_assert_ptr_eq(c, v);
	ck_assert(vmm_owns_pa(gpa));
	ck_assert_uint_eq(hpa, c->scratch_pa);
	if (be.view_err)
		return be.view_err;
	be.views++;
	if (fresh) {
		be.fresh_views++;
		c->view.root = VIEW_ROOT;
	}
	return 0;
}

bool vdev_handle_npf(struct vcpu *c, u64 gpa, bool write)
{
	(void)c;
	(void)write;
	if ((gpa & ~(PG - 1)) != TRAP_PA)
		return false;
	be.traps++;
	return true;
}

void vdev_interrupt(void)
{
	be.posted = ++be.order;
}

static bool fake_irq_room(struct vcpu *c)
{
	(void)c;
	return !be.full;
}

static u32 fake_take_interrupt(void)
{
	be.window_seen = v->irq_window;
	be.accepted = ++be.order;
	return be.accept;
}

static u64 *fake_rip(struct vcpu *c)
{
	(void)c;
	return &be.rip;
}

static u64 *fake_rflags(struct vcpu *c)
{
	(void)c;
	return &be.rflags;
}

static void fake_set_nested_root(struct vcpu *c, u64 root)
{
	(void)c;
	be.root = root;
	be.roots_set++;
}

static void fake_step(struct vcpu *c, bool on)
{
	(void)c;
	/* The core sets TF before it asks for the step. */
	if (on)
		ck_assert(be.rflags & X86_RFLAGS_TF);
	be.db_intercept = on;
	be.shadow = on;
}

static void fake_step_taken(struct vcpu *c)
{
	(void)c;
	be.step_taken++;
}

static void fake_inject_db(struct vcpu *c)
{
	(void)c;
	be.inject_db++;
}

static void fake_inject_gp(struct vcpu *c)
{
	(void)c;
	be.inject_gp++;
}

static enum vcpu_event fake_event(struct vcpu *c, u8 *vector)
{
	(void)c;
	*vector = be.vector;
	return be.ev;
}

static void fake_inject(struct vcpu *c, enum vcpu_event type, u8 vector)
{
	(void)c;
	be.ev = type;
	be.vector = vector;
	be.injects++;
}

static const struct vmm_arch_ops fake_ops = {
	.name = "fake",
	.rip = fake_rip,
	.rflags = fake_rflags,
	.set_nested_root = fake_set_nested_root,
	.step = fake_step,
	.step_taken = fake_step_taken,
	.inject_db = fake_inject_db,
	.inject_gp = fake_inject_gp,
	.event = fake_event,
	.inject = fake_inject,
	.irq_room = fake_irq_room,
	.take_interrupt = fake_take_interrupt,
};

static void setup(void)
{
	memset(&vmm, 0, sizeof(vmm));
	memset(&be, 0, sizeof(be));
	memset(&vcpu, 0, sizeof(vcpu));
	vmm_arch = &fake_ops;
	vmm.npt.root = NPT_ROOT;
	be.root = NPT_ROOT;
	be.rip = RIP_A;
	be.rflags = X86_RFLAGS_IF;
	v->scratch = calloc(1, PG);
	ck_assert_ptr_nonnull(v->scratch);
	v->scratch_pa = 0x7000;
}

static void teardown(void)
{
	free(v->scratch);
}

static void npf(u64 gpa, bool write)
{
	struct vcpu_exit e = {
		.reason = VCPU_EXIT_NPF, .gpa = gpa, .write = write,
	};

	vcpu_npf(v, &e);
}

/* The shared tables again, TF as the kernel had it, #DB the kernel's. */
static void assert_not_stepping(void)
{
	ck_assert_uint_eq(v->stepping, 0);
	ck_assert_uint_eq(be.root, NPT_ROOT);
	ck_assert(!be.db_intercept);
}

/*
 * A read of the VMM's memory runs once, on the step view with the zeroed
 * scratch page, interrupts held off; the #DB after it ends the step, and
 * the kernel never sees the VMM's TF or #DB.
 */
START_TEST(contained_access_is_stepped)
{
	memset(v->scratch, 0xaa, PG);
	npf(VMM_PA + 3 * PG + 8, false);
	ck_assert_uint_eq(v->stats.exits[RTVIRT_EXIT_NPF], 1);
	ck_assert_uint_eq(v->stats.denied_accesses, 1);
	ck_assert_uint_eq(be.root, VIEW_ROOT);
	ck_assert_uint_eq(be.fresh_views, 1);
	ck_assert(be.rflags & X86_RFLAGS_TF);
	ck_assert(be.db_intercept && be.shadow);
	ck_assert_uint_eq(v->stepping, 1);
	ck_assert_uint_eq(v->stepping_rip, RIP_A);
	for (unsigned int i = 0; i < PG; i++)
		ck_assert_uint_eq(((u8 *)v->scratch)[i], 0);

	((u8 *)v->scratch)[5] = 1;	/* the kernel's discarded write */
	vcpu_debug(v);
	ck_assert_uint_eq(v->stats.exits[RTVIRT_EXIT_DEBUG], 1);
	assert_not_stepping();
	ck_assert_uint_eq(((u8 *)v->scratch)[5], 0);
	ck_assert(!(be.rflags & X86_RFLAGS_TF));
	ck_assert(be.rflags & X86_RFLAGS_IF);
	ck_assert_uint_eq(be.step_taken, 1);
	ck_assert_uint_eq(be.inject_db, 0);
	ck_assert_uint_eq(be.inject_gp, 0);
}
END_TEST

/* A kernel stepping itself keeps its TF and gets its #DB. */
START_TEST(kernel_single_step_kept)
{
	be.rflags |= X86_RFLAGS_TF;
	npf(VMM_PA, true);
	vcpu_debug(v);
	assert_not_stepping();
	ck_assert(be.rflags & X86_RFLAGS_TF);
	ck_assert_uint_eq(be.inject_db, 1);
	ck_assert_uint_eq(be.step_taken, 0);
}
END_TEST

/* A #DB while nothing is stepped is the kernel's. */
START_TEST(debug_without_step_is_kernels)
{
	vcpu_debug(v);
	ck_assert_uint_eq(be.inject_db, 1);
	ck_assert_uint_eq(be.step_taken, 0);
	ck_assert_uint_eq(be.roots_set, 0);
}
END_TEST

/*
 * One instruction may touch four VMM pages; a fifth is no instruction the
 * kernel runs: #GP, and the step is over.
 */
START_TEST(fifth_page_gets_gp)
{
	for (unsigned int i = 0; i < VCPU_STEP_PAGES; i++)
		npf(VMM_PA + i * PG, false);
	ck_assert_uint_eq(v->stepping, VCPU_STEP_PAGES);
	ck_assert_uint_eq(be.fresh_views, 1);
	ck_assert_uint_eq(be.views, VCPU_STEP_PAGES);
	npf(VMM_PA + 9 * PG, false);
	ck_assert_uint_eq(be.inject_gp, 1);
	assert_not_stepping();
	ck_assert(!(be.rflags & X86_RFLAGS_TF));
	ck_assert_uint_eq(v->stats.denied_accesses, VCPU_STEP_PAGES + 1);
}
END_TEST

/* No room for the view's tables: #GP, on the shared tables. */
START_TEST(view_full_gets_gp)
{
	be.view_err = -12;
	npf(VMM_PA, false);
	ck_assert_uint_eq(be.inject_gp, 1);
	ck_assert_uint_eq(be.roots_set, 0);
	assert_not_stepping();
	ck_assert(!(be.rflags & X86_RFLAGS_TF));
}
END_TEST

/*
 * A fault elsewhere while a step is armed (a device's trap here) goes back
 * to the shared tables first, where the trap is handled.
 */
START_TEST(fault_elsewhere_ends_step)
{
	npf(VMM_PA, false);
	ck_assert_uint_eq(v->stepping, 1);
	npf(TRAP_PA + 4, true);
	ck_assert_uint_eq(be.traps, 1);
	assert_not_stepping();
	ck_assert(!(be.rflags & X86_RFLAGS_TF));
	ck_assert_uint_eq(v->stats.exits[RTVIRT_EXIT_NPF], 2);
	ck_assert_uint_eq(v->stats.denied_accesses, 1);
}
END_TEST

/* A step left armed at another instruction starts afresh. */
START_TEST(step_at_other_rip_starts_afresh)
{
	npf(VMM_PA, false);
	npf(VMM_PA + PG, false);
	ck_assert_uint_eq(v->stepping, 2);
	be.rip = RIP_B;
	npf(VMM_PA + 2 * PG, false);
	ck_assert_uint_eq(v->stepping, 1);
	ck_assert_uint_eq(v->stepping_rip, RIP_B);
	ck_assert_uint_eq(be.fresh_views, 2);
	ck_assert_uint_eq(be.root, VIEW_ROOT);
}
END_TEST

/* Before a hypercall, an armed step ends (vcpu_step_end()). */
START_TEST(step_end_before_hypercall)
{
	vcpu_step_end(v);
	ck_assert_uint_eq(be.roots_set, 0);
	npf(VMM_PA, false);
	vcpu_step_end(v);
	assert_not_stepping();
	ck_assert(!(be.rflags & X86_RFLAGS_TF));
	ck_assert_uint_eq(be.step_taken, 0);
}
END_TEST

/* Nothing held, nothing to inject: the entry stays as it is. */
START_TEST(events_nothing_held)
{
	vcpu_finish_events(v);
	ck_assert_uint_eq(be.injects, 0);
	be.ev = VCPU_EVENT_OTHER;
	v->nmi_pending = true;
	vcpu_finish_events(v);
	ck_assert_uint_eq(be.injects, 0);
	ck_assert(v->nmi_pending);
}
END_TEST

/* Machine check, then NMI, then a displaced interrupt, one per entry. */
START_TEST(events_in_order)
{
	v->mce_pending = true;
	v->nmi_pending = true;
	v->held_irq = VCPU_HELD_IRQ | 0x31;
	vcpu_finish_events(v);
	ck_assert_int_eq(be.ev, VCPU_EVENT_MC);
	ck_assert_uint_eq(be.vector, X86_TRAP_MC);
	ck_assert(!v->mce_pending);

	be.ev = VCPU_EVENT_NONE;	/* delivered */
	vcpu_finish_events(v);
	ck_assert_int_eq(be.ev, VCPU_EVENT_NMI);
	ck_assert_uint_eq(be.vector, X86_TRAP_NMI);
	ck_assert(!v->nmi_pending);

	be.ev = VCPU_EVENT_NONE;
	vcpu_finish_events(v);
	ck_assert_int_eq(be.ev, VCPU_EVENT_INTR);
	ck_assert_uint_eq(be.vector, 0x31);
	ck_assert_uint_eq(v->held_irq, 0);
	ck_assert_uint_eq(be.injects, 3);
}
END_TEST

/*
 * A machine check displaces an interrupt or NMI the entry would deliver
 * (held for later), never an exception, and never a second held one.
 */
START_TEST(machine_check_displaces)
{
	v->mce_pending = true;
	be.ev = VCPU_EVENT_INTR;
	be.vector = 0x41;
	vcpu_finish_events(v);
	ck_assert_int_eq(be.ev, VCPU_EVENT_MC);
	ck_assert_uint_eq(v->held_irq, VCPU_HELD_IRQ | 0x41);

	v->mce_pending = true;
	be.ev = VCPU_EVENT_NMI;
	vcpu_finish_events(v);
	ck_assert_int_eq(be.ev, VCPU_EVENT_MC);
	ck_assert(v->nmi_pending);

	/* The slots are taken: the machine check waits. */
	v->mce_pending = true;
	be.ev = VCPU_EVENT_INTR;
	be.vector = 0x42;
	vcpu_finish_events(v);
	ck_assert_int_eq(be.ev, VCPU_EVENT_INTR);
	ck_assert_uint_eq(be.vector, 0x42);
	ck_assert(v->mce_pending);
	ck_assert_uint_eq(v->held_irq, VCPU_HELD_IRQ | 0x41);

	be.ev = VCPU_EVENT_OTHER;
	vcpu_finish_events(v);
	ck_assert_int_eq(be.ev, VCPU_EVENT_OTHER);
	ck_assert(v->mce_pending);
}
END_TEST

/*
 * A physical interrupt: accepted by the backend, then the models post,
 * then the kernel gets it; one the backend left pending is not injected.
 */
START_TEST(interrupt_posts_then_injects)
{
	be.accept = VMM_IRQ_TAKEN | 0x51;
	vcpu_interrupt(v);
	ck_assert_uint_eq(v->stats.exits[RTVIRT_EXIT_INTR], 1);
	ck_assert_uint_eq(be.accepted, 1);
	/* The window is marked for vmm_exception() while it is open only. */
	ck_assert(be.window_seen);
	ck_assert(!v->irq_window);
	ck_assert_uint_eq(be.posted, 2);
	ck_assert_int_eq(be.ev, VCPU_EVENT_INTR);
	ck_assert_uint_eq(be.vector, 0x51);
	ck_assert_uint_eq(be.injects, 1);

	be.accept = 0;
	be.ev = VCPU_EVENT_NONE;
	vcpu_interrupt(v);
	ck_assert_uint_eq(be.posted, 4);
	ck_assert_uint_eq(be.injects, 1);
	ck_assert_int_eq(be.ev, VCPU_EVENT_NONE);

	/* No room to hold it: no window; the models still post. */
	be.full = true;
	be.accept = VMM_IRQ_TAKEN | 0x52;
	vcpu_interrupt(v);
	ck_assert_uint_eq(be.accepted, 3);
	ck_assert_uint_eq(be.posted, 5);
	ck_assert_uint_eq(be.injects, 1);
	ck_assert_uint_eq(v->stats.exits[RTVIRT_EXIT_INTR], 3);
}
END_TEST

/*
 * An NMI exit (a backend that intercepts NMIs): counted, held, and put
 * in at the first entry that injects nothing else, without posting.
 */
START_TEST(nmi_exit_held_then_injected)
{
	be.ev = VCPU_EVENT_OTHER;
	vcpu_nmi(v);
	ck_assert_uint_eq(v->stats.exits[RTVIRT_EXIT_NMI], 1);
	ck_assert_uint_eq(v->stats.exits[RTVIRT_EXIT_INTR], 0);
	ck_assert_uint_eq(be.posted, 0);
	vcpu_finish_events(v);
	ck_assert(v->nmi_pending);
	ck_assert_uint_eq(be.injects, 0);

	be.ev = VCPU_EVENT_NONE;
	vcpu_finish_events(v);
	ck_assert_int_eq(be.ev, VCPU_EVENT_NMI);
	ck_assert_uint_eq(be.vector, X86_TRAP_NMI);
	ck_assert(!v->nmi_pending);
}
END_TEST

static Suite *vcpu_core_suite(void)
{
	Suite *s = suite_create("vcpu_core");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, contained_access_is_stepped);
	tcase_add_test(tc, kernel_single_step_kept);
	tcase_add_test(tc, debug_without_step_is_kernels);
	tcase_add_test(tc, fifth_page_gets_gp);
	tcase_add_test(tc, view_full_gets_gp);
	tcase_add_test(tc, fault_elsewhere_ends_step);
	tcase_add_test(tc, step_at_other_rip_starts_afresh);
	tcase_add_test(tc, step_end_before_hypercall);
	tcase_add_test(tc, events_nothing_held);
	tcase_add_test(tc, events_in_order);
	tcase_add_test(tc, machine_check_displaces);
	tcase_add_test(tc, interrupt_posts_then_injects);
	tcase_add_test(tc, nmi_exit_held_then_injected);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vcpu_core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
