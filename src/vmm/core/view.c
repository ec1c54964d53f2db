// SPDX-License-Identifier: GPL-2.0
/*
 * A CPU's step view of the nested tables, for contained accesses.
 */
#include <vmm/vmm.h>

/*
 * The step view (struct vcpu.view): while a CPU steps an access of the
 * kernel to the VMM's memory, it runs on nested tables of its own, a copy
 * of the shared root with private tables on the walk to each stepped page,
 * where its scratch page is mapped: no other CPU reaches that page, and
 * the shared tables never change for a step.  The tables come from the
 * CPU's VCPU_VIEW_PAGES pages, taken afresh at every step.
 */
static void *view_alloc(void *ctx, u64 *pa)
{
	struct vcpu *v = ctx;
	u8 *page;

	if (v->view_used == VCPU_VIEW_PAGES)
		return NULL;
	page = v->view_pages + v->view_used * PT_PAGE_SIZE;
	*pa = v->view_pages_pa + v->view_used * PT_PAGE_SIZE;
	v->view_used++;
	memset(page, 0, PT_PAGE_SIZE);
	return page;
}

/**
 * vcpu_view_map() - map a page in a CPU's step view only
 * @v:		the CPU
 * @gpa:	guest-physical address in the page
 * @hpa:	host-physical page it is to reach
 * @fresh:	start a new view first (a copy of the shared root)
 *
 * Load v->view.root as the nested CR3 to use the view.
 *
 * Return: 0, -ENOMEM when the CPU's pages for the view ran out, -EINVAL
 * for an address beyond the tables' width.
 */
int vcpu_view_map(struct vcpu *v, u64 gpa, u64 hpa, bool fresh)
{
	u64 own_end = v->view_pages_pa + VCPU_VIEW_PAGES * PT_PAGE_SIZE;
	int ret = 0;

	spin_lock(&vmm.npt_lock);
	if (fresh) {
		u64 *root;

		v->view = vmm.npt;
		v->view.alloc_table = view_alloc;
		v->view.ctx = v;
		v->view_used = 0;
		root = view_alloc(v, &v->view.root);
		memcpy(root, vmm_table_va(NULL, vmm.npt.root), PT_PAGE_SIZE);
	}
	ret = pt_copy_path(&v->view, gpa, v->view_pages_pa, own_end);
	if (!ret)
		ret = pt_map(&v->view, gpa & ~(PT_PAGE_SIZE - 1), hpa,
			     PT_PAGE_SIZE, PT_RWX);
	spin_unlock(&vmm.npt_lock);
	return ret;
}
