// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirtctl capture's output: the records of RTVIRT_CAPTURE_READ written
 * as a pcap file (the classic format with nanosecond timestamps, magic
 * 0xa1b23c4d, link type Ethernet), which tcpdump, tshark and Wireshark
 * read.  Fields are written little-endian whatever the host, as the
 * magic then says.
 */
#include <string.h>

#include "format.h"

#define PCAP_MAGIC_NS		0xa1b23c4dU
#define PCAP_VERSION_MAJOR	2
#define PCAP_VERSION_MINOR	4
#define LINKTYPE_ETHERNET	1

#define ETH_HLEN	14
#define VLAN_HLEN	4

/*
 * A frame the driver gave with TCP segmentation offload carries an IP
 * length of 0 (e1000e zeroes IPv4's total length and IPv6's payload
 * length for the controller, which fills in each segment's).  Write the
 * frame's own length there, as a capture on the interface shows it;
 * @p holds @caplen bytes of a frame of @len.
 */
static void fix_tso_length(unsigned char *p, size_t caplen, __u32 len)
{
	size_t l3 = ETH_HLEN;
	unsigned int type;

	if (caplen < ETH_HLEN)
		return;
	type = p[12] << 8 | p[13];
	if (type == 0x8100 && caplen >= ETH_HLEN + VLAN_HLEN) {
		l3 += VLAN_HLEN;
		type = p[16] << 8 | p[17];
	}
	if (type == 0x0800 && caplen >= l3 + 20 && (p[l3] >> 4) == 4 &&
	    !p[l3 + 2] && !p[l3 + 3] && len - l3 <= 0xffff) {
		p[l3 + 2] = (unsigned char)((len - l3) >> 8);
		p[l3 + 3] = (unsigned char)(len - l3);
	} else if (type == 0x86dd && caplen >= l3 + 40 && (p[l3] >> 4) == 6 &&
		   !p[l3 + 4] && !p[l3 + 5] && len - l3 - 40 <= 0xffff) {
		p[l3 + 4] = (unsigned char)((len - l3 - 40) >> 8);
		p[l3 + 5] = (unsigned char)(len - l3 - 40);
	}
}

static void le16(unsigned char *p, unsigned int v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static void le32(unsigned char *p, __u32 v)
{
	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

/**
 * rvc_pcap_header() - write a pcap file header
 * @f:		the output
 * @snaplen:	the capture's snap length
 *
 * Return: 0, or -1 when the write failed.
 */
int rvc_pcap_header(FILE *f, __u32 snaplen)
{
	unsigned char h[RVC_PCAP_HEADER];

	le32(h, PCAP_MAGIC_NS);
	le16(h + 4, PCAP_VERSION_MAJOR);
	le16(h + 6, PCAP_VERSION_MINOR);
	le32(h + 8, 0);		/* time zone: UTC */
	le32(h + 12, 0);	/* accuracy */
	le32(h + 16, snaplen);
	le32(h + 20, LINKTYPE_ETHERNET);
	return fwrite(h, sizeof(h), 1, f) == 1 ? 0 : -1;
}

/**
 * rvc_pcap_records() - write RTVIRT_CAPTURE_READ records as pcap records
 * @f:		the output
 * @buf:	the records as READ returned them
 * @len:	their bytes
 * @max:	write at most this many frames; 0 for all
 * @n:		counts of what was written, added to
 *
 * Each record is checked against @len (a struct rtvirt_capture_record,
 * caplen bytes, zeros to a multiple of 8; caplen at most len, a direction
 * RTVIRT_CAPTURE_TX or _RX); writing stops at the first one that does not
 * check out.  A transmitted IPv4 or IPv6 frame with an IP length of 0 (a
 * TCP segmentation offload) gets the frame's length there.
 *
 * Return: frames written, or -1 for a malformed record or a failed write
 * (@n counts those written before it).
 */
long rvc_pcap_records(FILE *f, const void *buf, size_t len,
		      unsigned long long max, struct rvc_capture_counts *n)
{
	const unsigned char *p = buf;
	size_t off = 0;
	long done = 0;

	while (off < len && (!max || (unsigned long long)done < max)) {
		struct rtvirt_capture_record r;
		unsigned char h[RVC_PCAP_RECORD];
		size_t body;

		if (len - off < sizeof(r))
			return -1;
		memcpy(&r, p + off, sizeof(r));
		body = ((size_t)r.caplen + 7) & ~(size_t)7;
		if (r.caplen > r.len || body > len - off - sizeof(r) ||
		    (r.dir != RTVIRT_CAPTURE_TX && r.dir != RTVIRT_CAPTURE_RX))
			return -1;
		le32(h, (__u32)(r.ts_ns / 1000000000ULL));
		le32(h + 4, (__u32)(r.ts_ns % 1000000000ULL));
		le32(h + 8, r.caplen);
		le32(h + 12, r.len);
		if (r.dir == RTVIRT_CAPTURE_TX && r.len > ETH_HLEN + 40) {
			unsigned char hdr[ETH_HLEN + VLAN_HLEN + 40];
			size_t k = r.caplen < sizeof(hdr) ? r.caplen : sizeof(hdr);

			memcpy(hdr, p + off + sizeof(r), k);
			fix_tso_length(hdr, k, r.len);
			if (fwrite(h, sizeof(h), 1, f) != 1 ||
			    (k && fwrite(hdr, k, 1, f) != 1) ||
			    (r.caplen > k &&
			     fwrite(p + off + sizeof(r) + k, r.caplen - k, 1,
				    f) != 1))
				return -1;
		} else if (fwrite(h, sizeof(h), 1, f) != 1 ||
			   (r.caplen &&
			    fwrite(p + off + sizeof(r), r.caplen, 1, f) != 1)) {
			return -1;
		}
		n->frames++;
		if (r.dir == RTVIRT_CAPTURE_TX)
			n->tx++;
		else
			n->rx++;
		n->bytes += r.len;
		done++;
		off += sizeof(r) + body;
	}
	return done;
}
