// SPDX-License-Identifier: GPL-2.0
/*
 * The NIC DMA probe for the selftests (debugfs nic_probe): descriptors
 * that try to make a virtualized e1000e NIC reach the VMM's canary page.
 *
 * Transmit: a frame whose one fragment is the canary page, sent through
 * the e1000e driver like any frame (it maps the fragment and writes a data
 * descriptor with the page's address): the VMM must give the controller
 * its sink instead, and count the refusal.
 *
 * Receive: with every CPU held, a receive descriptor with the canary's
 * address is written into the driver's ring at the controller's tail and
 * given to the controller by a tail write, as a kernel writing its ring
 * would: the VMM must post its sink in that slot.  The controller fills
 * the slot once the ring comes round to it (the test sends frames), and
 * the driver drops that frame (the VMM flags it with a receive error).
 *
 * Both need a machine without an IOMMU in the NIC's way (the test VM).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/io.h>
#include <linux/netdevice.h>
#include <linux/page_ref.h>
#include <linux/skbuff.h>
#include <linux/stop_machine.h>
#include <rtvirt/vmm_abi.h>

#include "rtvirt.h"

/* 82574 receive queue 0 registers (BAR 0). */
#define E1000_RDBAL	0x2800
#define E1000_RDBAH	0x2804
#define E1000_RDLEN	0x2808
#define E1000_RDH	0x2810
#define E1000_RDT	0x2818
#define PROBE_ETHERTYPE	0x88b5		/* local experimental */
#define PROBE_BYTES	64

struct rx_probe {
	void __iomem *regs;
	u64 canary_pa;
	int ret;
	atomic_t done;
};

static int rx_probe_fn(void *arg)
{
	struct rx_probe *p = arg;
	u32 len, head, tail, next;
	u64 base;
	__le64 *desc;

	if (smp_processor_id() != cpumask_first(cpu_online_mask)) {
		while (!atomic_read_acquire(&p->done))
			cpu_relax();
		return 0;
	}
	/* The ring as the driver programmed it (the VMM answers these). */
	base = readl(p->regs + E1000_RDBAL) |
	       (u64)readl(p->regs + E1000_RDBAH) << 32;
	len = readl(p->regs + E1000_RDLEN);
	head = readl(p->regs + E1000_RDH);
	tail = readl(p->regs + E1000_RDT);
	p->ret = -EBUSY;
	if (base && len >= 32 && tail < len / 16) {
		next = (tail + 1) % (len / 16);
		/* Leave the controller at least one descriptor of its own. */
		if (next != head) {
			desc = phys_to_virt(base + tail * 16ULL);
			WRITE_ONCE(desc[1], 0);
			WRITE_ONCE(desc[0], cpu_to_le64(p->canary_pa));
			wmb();
			writel(next, p->regs + E1000_RDT);
			p->ret = 0;
		}
	}
	atomic_set_release(&p->done, 1);
	return 0;
}

/* The net_device of @pdev, referenced, or NULL. */
static struct net_device *nic_netdev(struct pci_dev *pdev)
{
	struct net_device *dev, *found = NULL;

	rcu_read_lock();
	for_each_netdev_rcu(&init_net, dev) {
		if (dev->dev.parent == &pdev->dev) {
			dev_hold(dev);
			found = dev;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/*
 * Send one frame whose payload is the canary page.  The page is VMM
 * memory from a non-compound block (its reference count is 0): the frame
 * holds two references, and once the driver freed the frame (one left)
 * the count goes back to 0 without freeing the page.
 */
static int tx_probe(struct net_device *dev, u64 canary_pa)
{
	struct page *page = pfn_to_page(canary_pa >> PAGE_SHIFT);
	struct sk_buff *skb;
	struct ethhdr *eth;
	int i;

	skb = alloc_skb(LL_RESERVED_SPACE(dev) + ETH_HLEN, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	eth = skb_put(skb, ETH_HLEN);
	eth_broadcast_addr(eth->h_dest);
	ether_addr_copy(eth->h_source, dev->dev_addr);
	eth->h_proto = htons(PROBE_ETHERTYPE);
	skb_reset_mac_header(skb);
	page_ref_add(page, 2);
	skb_fill_page_desc(skb, 0, page, 0, PROBE_BYTES);
	skb->len += PROBE_BYTES;
	skb->data_len += PROBE_BYTES;
	skb->truesize += PROBE_BYTES;
	skb->dev = dev;
	skb->protocol = eth->h_proto;
	dev_queue_xmit(skb);
	for (i = 0; i < 2000 && page_ref_count(page) > 1; i++)
		usleep_range(500, 1000);
	if (page_ref_count(page) != 1) {
		pr_err("nic_probe: the frame was not freed in 2 s; the canary page keeps a reference\n");
		return -ETIMEDOUT;
	}
	page_ref_dec(page);
	return 0;
}

/**
 * rtvirt_dev_nic_probe() - try to make a virtualized NIC reach VMM memory
 * @d:		a virtualized e1000e NIC
 * @res:	@tries gets the descriptors posted, @intact whether the
 *		canary is intact right after
 *
 * Return: 0; -EBUSY when the NIC is not virtualized or its receive ring
 * is not in use; -ENODEV for another model or a NIC without interface.
 */
int rtvirt_dev_nic_probe(struct rtvirt_dev *d, struct rtvirt_probe_result *res)
{
	struct rx_probe p = { };
	struct net_device *dev;
	u64 pa;
	int ret;

	memset(res, 0, sizeof(*res));
	if (d->model != RTVIRT_MODEL_E1000E)
		return -ENODEV;
	dev = nic_netdev(d->pdev);
	if (!dev)
		return -ENODEV;
	p.regs = pci_iomap(d->pdev, 0, 0);
	if (!p.regs) {
		dev_put(dev);
		return -ENOMEM;
	}
	mutex_lock(&d->op_lock);
	rtvirt_launch_lock();
	ret = -EBUSY;
	if (d->state != RTVIRT_DEV_VIRTUALIZED)
		goto out;
	pa = rtvirt_hypercall(RTVIRT_HC_CANARY, 0, 0, 0);
	ret = rtvirt_hc_errno(pa);
	if (ret)
		goto out;
	p.canary_pa = pa;
	ret = tx_probe(dev, pa);
	if (ret)
		goto out;
	res->tries = 1;
	ret = stop_machine(rx_probe_fn, &p, cpu_online_mask);
	if (!ret)
		ret = p.ret;
	if (!ret)
		res->tries = 2;
	res->intact = rtvirt_hypercall(RTVIRT_HC_CANARY, 1, 0, 0) == 1;
out:
	rtvirt_launch_unlock();
	mutex_unlock(&d->op_lock);
	pci_iounmap(d->pdev, p.regs);
	dev_put(dev);
	return ret;
}
