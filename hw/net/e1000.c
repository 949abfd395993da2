/*
 * Intel 82540EM Gigabit Ethernet Controller ("e1000"), PCI 8086:100E, as
 * QEMU's default pc NIC. Follows the "PCI/PCI-X Family of Gigabit
 * Ethernet Controllers Software Developer's Manual" (8254x, rev. 4.0):
 * section 3 (receive and transmit descriptors, TCP segmentation),
 * section 5 (EEPROM), section 7 (interrupt moderation), section 13
 * (registers, statistics, PHY). Register names are in e1000-regs.h; the
 * EEPROM and PHY are in e1000-eeprom-phy.c, the state in e1000-int.h.
 *
 * Emulated: BAR0 (128 KiB MMIO) and BAR1 (IOADDR/IODATA), the Microwire
 * EEPROM through EECD and EERD (MAC, IDs, checksum BABAh), the PHY
 * through MDIC (link up at 1000 Mb/s full duplex), the receive ring with
 * legacy descriptors (BSIZE/BSEX buffer sizes, frames across
 * descriptors, unicast/multicast/broadcast filtering with RAL/RAH, MTA
 * and the promiscuous bits, long-packet enable, CRC appended unless
 * SECRC), the transmit ring with legacy, context and data descriptors
 * (IP and TCP/UDP checksum insertion, TCP segmentation with MSS and
 * header length, VLAN tag insertion), ICR/ICS/IMS/IMC with ICR read to
 * clear, ITR moderation and the RDTR/RADV receive delays on the virtual
 * clock, the statistics counters (clear on read), the option ROM
 * (Debian's ipxe-qemu pxe-e1000.rom) so SeaBIOS can PXE-boot.
 * Not emulated: flow control (XON/XOFF frames), the loopback modes
 * (LBM), VLAN filtering (VFTA is stored, VFE ignored), receive checksum
 * offload (descriptors always say IXSM: the guest checks), TIDV/TADV
 * transmit delays (TXDW is raised at once), wake-on-LAN, EEPROM writes
 * (logged), the flash (FLA), the TBI/SerDes interface.
 *
 * Guests are hostile: ring indices are checked against the ring size, a
 * doorbell processes at most one ring's worth of descriptors, packet and
 * TSO header lengths are bounded by the transmit buffer, descriptor and
 * buffer DMA goes through pci_dma_read/write (unassigned addresses fail,
 * and DMA that lands back in this device's own BARs is refused).
 */
#include "hw/pci/pci.h"
#include "hw/machine.h"
#include "hw/net/e1000-int.h"
#include "net/checksum.h"
#include "net/net.h"
#include "softmmu/memory.h"
#include "softmmu/timer.h"

#define E1000_REVISION          0x03
#define E1000_CLASS             0x020000    /* Ethernet controller */

#define E1000_MMIO_SIZE         0x20000
#define E1000_IO_SIZE           0x40        /* IOADDR 0, IODATA 4 */
#define E1000_IOADDR            0x00
#define E1000_IODATA            0x04

static E1000State *e1000_from_device(Device *dev)
{
    return container_of(dev, E1000State, pci.dev);
}

static void e1000_start_xmit(E1000State *s);

/* --- interrupts ------------------------------------------------------------- */

/* INTA follows ICR & IMS; ITR spaces assertions at least ITR x 256 ns
 * apart (section 7.4.4.1): an interrupt due earlier waits on itr_timer. */
static void e1000_update_irq(E1000State *s)
{
    bool pending = s->icr & s->ims;
    int64_t now;

    if (!pending) {
        timer_del(s->itr_timer);
        pci_set_irq(&s->pci, 0);
        return;
    }
    if (s->pci.irq_level) {
        return;
    }
    now = clock_get_ns(CLOCK_VIRTUAL);
    if (s->itr && now < s->itr_next) {
        if (!timer_pending(s->itr_timer)) {
            timer_mod(s->itr_timer, s->itr_next);
        }
        return;
    }
    s->itr_next = now + (int64_t)(s->itr & 0xffff) * E1000_ITR_UNIT_NS;
    pci_set_irq(&s->pci, 1);
}

void e1000_set_ics(E1000State *s, uint32_t bits)
{
    s->icr |= bits & E1000_ICR_MASK;
    e1000_update_irq(s);
}

static void e1000_itr_timer_cb(void *opaque)
{
    E1000State *s = opaque;

    s->itr_next = 0;
    e1000_update_irq(s);
}

/* RDTR/RADV (section 3.2.7): RXT0 after RDTR of quiet since the last
 * frame, but no later than RADV after the first one. */
static void e1000_rx_timer_cb(void *opaque)
{
    E1000State *s = opaque;

    s->rx_delay_at = s->rx_abs_at = -1;
    e1000_set_ics(s, E1000_ICR_RXT0);
}

static void e1000_rx_delay_arm(E1000State *s)
{
    uint32_t rdtr = s->rdtr & 0xffff, radv = s->radv & 0xffff;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL), due;

    if (!rdtr) {
        e1000_set_ics(s, E1000_ICR_RXT0);
        return;
    }
    s->rx_delay_at = now + (int64_t)rdtr * E1000_TIMER_UNIT_NS;
    if (radv && s->rx_abs_at < 0) {
        s->rx_abs_at = now + (int64_t)radv * E1000_TIMER_UNIT_NS;
    }
    due = s->rx_delay_at;
    if (s->rx_abs_at >= 0 && s->rx_abs_at < due) {
        due = s->rx_abs_at;
    }
    timer_mod(s->rx_timer, due);
}

/* --- statistics ---------------------------------------------------------------- */

static void e1000_stat_inc(E1000State *s, uint32_t reg)
{
    uint32_t *c = &s->stats[E1000_STAT(reg)];

    if (*c != UINT32_MAX) {
        *c += 1;                /* the counters saturate (13.7) */
    }
}

static void e1000_stat_add64(E1000State *s, uint32_t lo_reg, uint64_t n)
{
    uint64_t v = s->stats[E1000_STAT(lo_reg)] |
                 (uint64_t)s->stats[E1000_STAT(lo_reg) + 1] << 32;

    v += n;
    s->stats[E1000_STAT(lo_reg)] = v;
    s->stats[E1000_STAT(lo_reg) + 1] = v >> 32;
}

static void e1000_stat_size(E1000State *s, uint32_t reg64, size_t len)
{
    static const size_t limits[] = { 64, 127, 255, 511, 1023 };
    unsigned i = 0;

    while (i < ARRAY_SIZE(limits) && len > limits[i]) {
        i++;
    }
    e1000_stat_inc(s, reg64 + 4 * i);
}

/* --- DMA --------------------------------------------------------------------------- */

static bool e1000_dma_read(E1000State *s, uint64_t addr, void *buf,
                           size_t len)
{
    bool ok;

    s->dma_depth++;
    ok = pci_dma_read(&s->pci, addr, buf, len);
    s->dma_depth--;
    return ok;
}

static bool e1000_dma_write(E1000State *s, uint64_t addr, const void *buf,
                            size_t len)
{
    bool ok;

    s->dma_depth++;
    ok = pci_dma_write(&s->pci, addr, buf, len);
    s->dma_depth--;
    return ok;
}

static inline uint16_t ld16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static inline uint32_t ld32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t ld64(const uint8_t *p)
{
    return ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

static inline uint16_t ldbe16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

static inline void stbe16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static inline void stbe32(uint8_t *p, uint32_t v)
{
    stbe16(p, v >> 16);
    stbe16(p + 2, v);
}

/* Ring size in descriptors; 0 if the guest programmed none. */
static uint32_t e1000_ring_size(uint32_t len_reg)
{
    return (len_reg & (E1000_RING_MAX - E1000_RING_ALIGN)) / E1000_DESC_SIZE;
}

/* --- receive ------------------------------------------------------------------------- */

static uint32_t e1000_rx_buf_size(E1000State *s)
{
    unsigned bsize = (s->rctl >> E1000_RCTL_BSIZE_SHIFT) & 3;

    if (s->rctl & E1000_RCTL_BSEX) {
        static const uint32_t ext[4] = { 2048, 16384, 8192, 4096 };
        return ext[bsize];
    }
    return 2048u >> bsize;
}

/* Free descriptors between head and tail; 0 if the ring is unusable. */
static uint32_t e1000_rx_free(E1000State *s)
{
    uint32_t n = e1000_ring_size(s->rdlen);

    if (!n || s->rdh >= n || s->rdt >= n) {
        return 0;
    }
    return (s->rdt + n - s->rdh) % n;
}

static bool e1000_rx_enabled(E1000State *s)
{
    return (s->rctl & E1000_RCTL_EN) && (s->status & E1000_STATUS_LU) &&
           (s->pci.config[PCI_COMMAND] & PCI_COMMAND_MASTER);
}

static bool e1000_can_receive(NetClientState *nc)
{
    E1000State *s = nc->opaque;

    /* A disabled receiver drops frames as the wire would; an enabled one
     * with no free descriptor makes the back end hold them. */
    return !e1000_rx_enabled(s) || e1000_rx_free(s) > 0;
}

/* Destination filter (section 3.2.1 and RCTL, RAL/RAH, MTA). */
static bool e1000_rx_filter(E1000State *s, const uint8_t *buf)
{
    static const unsigned mo_shift[4] = { 4, 3, 2, 0 };
    unsigned hash;

    if (!memcmp(buf, "\xff\xff\xff\xff\xff\xff", ETH_ALEN)) {
        return (s->rctl & (E1000_RCTL_BAM | E1000_RCTL_MPE)) != 0;
    }
    if (buf[0] & 1) {
        if (s->rctl & E1000_RCTL_MPE) {
            return true;
        }
        hash = ((buf[4] >> mo_shift[(s->rctl >> E1000_RCTL_MO_SHIFT) & 3]) |
                buf[5] << (8 - mo_shift[(s->rctl >> E1000_RCTL_MO_SHIFT) & 3]))
               & 0xfff;
        return s->mta[hash >> 5] & (1u << (hash & 31));
    }
    if (s->rctl & E1000_RCTL_UPE) {
        return true;
    }
    for (unsigned i = 0; i < E1000_RA_N; i++) {
        uint32_t lo = s->ra[2 * i], hi = s->ra[2 * i + 1];
        uint8_t a[ETH_ALEN] = { lo, lo >> 8, lo >> 16, lo >> 24, hi,
                                hi >> 8 };
        if ((hi & E1000_RAH_AV) && !memcmp(a, buf, ETH_ALEN)) {
            return true;
        }
    }
    return false;
}

static uint32_t e1000_crc32(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xffffffffu;

    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        }
    }
    return ~crc;
}

static ssize_t e1000_receive(NetClientState *nc, const uint8_t *frame,
                             size_t len)
{
    E1000State *s = nc->opaque;
    uint32_t n = e1000_ring_size(s->rdlen);
    uint32_t bufsize = e1000_rx_buf_size(s);
    uint32_t max = (s->rctl & E1000_RCTL_LPE) ? E1000_MAX_RX_FRAME
                                              : E1000_MAX_STD_FRAME;
    size_t size, done = 0, needed;
    uint8_t *buf = s->rx_buf;
    uint64_t base = (uint64_t)s->rdbah << 32 | (s->rdbal & ~0xfu);
    uint32_t free_before, thresh;

    if (!e1000_rx_enabled(s)) {
        return len;
    }
    if (len < ETH_HLEN || !e1000_rx_filter(s, frame)) {
        return len;
    }
    /* Short frames arrive padded to the 60-byte minimum (a real wire
     * cannot carry less); long ones are dropped without LPE. */
    size = MAX(len, (size_t)ETH_ZLEN);
    if (size > max) {
        e1000_stat_inc(s, E1000_ROC);
        return len;
    }
    memcpy(buf, frame, len);
    memset(buf + len, 0, size - len);
    if (!(s->rctl & E1000_RCTL_SECRC)) {
        uint32_t fcs = e1000_crc32(buf, size);
        buf[size] = fcs;
        buf[size + 1] = fcs >> 8;
        buf[size + 2] = fcs >> 16;
        buf[size + 3] = fcs >> 24;
        size += E1000_FCS_LEN;
    }
    needed = (size + bufsize - 1) / bufsize;
    free_before = e1000_rx_free(s);
    if (needed > free_before) {
        if (n && needed > n - 1) {
            /* Could never fit: the guest's ring is too small. */
            e1000_stat_inc(s, E1000_ROC);
            return len;
        }
        e1000_stat_inc(s, E1000_RNBC);
        e1000_set_ics(s, E1000_ICR_RXO);
        return 0;               /* the back end keeps it until RDT moves */
    }
    while (done < size) {
        uint8_t desc[E1000_DESC_SIZE];
        uint64_t daddr = base + (uint64_t)s->rdh * E1000_DESC_SIZE;
        size_t chunk = MIN((size_t)bufsize, size - done);
        uint64_t baddr;

        if (!e1000_dma_read(s, daddr, desc, sizeof(desc))) {
            guest_error("e1000: RX descriptor at 0x%" PRIx64 " is not in "
                        "RAM: frame dropped", daddr);
            return len;
        }
        baddr = ld64(desc);
        if (baddr && !e1000_dma_write(s, baddr, buf + done, chunk)) {
            guest_error("e1000: RX buffer at 0x%" PRIx64 " is not in RAM",
                        baddr);
        }
        done += chunk;
        desc[8] = chunk;
        desc[9] = chunk >> 8;
        desc[10] = desc[11] = 0;            /* packet checksum */
        desc[12] = E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM |
                   (done == size ? E1000_RXD_STAT_EOP : 0);
        desc[13] = 0;                       /* errors */
        desc[14] = desc[15] = 0;            /* special */
        e1000_dma_write(s, daddr + 8, desc + 8, 8);
        s->rdh = (s->rdh + 1) % n;
    }
    e1000_stat_inc(s, E1000_GPRC);
    e1000_stat_inc(s, E1000_TPR);
    e1000_stat_size(s, E1000_PRC64, size);
    e1000_stat_add64(s, E1000_GORCL, size);
    e1000_stat_add64(s, E1000_TORL, size);
    if (!memcmp(buf, "\xff\xff\xff\xff\xff\xff", ETH_ALEN)) {
        e1000_stat_inc(s, E1000_BPRC);
    } else if (buf[0] & 1) {
        e1000_stat_inc(s, E1000_MPRC);
    }
    /* RDMTS: free descriptors at or below 1/2, 1/4 or 1/8 of the ring. */
    thresh = n >> (1 + ((s->rctl >> E1000_RCTL_RDMTS_SHIFT) & 3));
    if (e1000_rx_free(s) <= thresh) {
        s->icr |= E1000_ICR_RXDMT0;
    }
    e1000_rx_delay_arm(s);
    e1000_update_irq(s);
    return len;
}

/* --- transmit ------------------------------------------------------------------------ */

static void e1000_tx_sent(NetClientState *nc)
{
    E1000State *s = nc->opaque;

    if (s->tx_blocked && !net_queue_len(nc->peer)) {
        s->tx_blocked = false;
        e1000_start_xmit(s);
    }
}

/* Inserts a checksum over [css, cse] (cse 0: to the end) at cso; the
 * field's current value is part of the sum (it holds the pseudo-header
 * sum for TCP/UDP, section 3.3.6). */
static void e1000_insert_csum(uint8_t *buf, size_t len, unsigned css,
                              unsigned cso, unsigned cse)
{
    size_t end = cse ? MIN((size_t)cse + 1, len) : len;
    uint16_t c;

    if (css >= end || cso + 2 > len) {
        return;
    }
    c = net_checksum_finish(net_checksum_add(buf + css, end - css, 0));
    stbe16(buf + cso, c);
}

static void e1000_tx_emit(E1000State *s, uint8_t *buf, size_t len)
{
    uint8_t *out = buf;

    if (s->tx_vle && (s->ctrl & E1000_CTRL_VME) && len >= 12) {
        /* 802.1Q tag after the addresses; tx_buf has 4 bytes of room
         * in front for exactly this. */
        out = buf - 4;
        memmove(out, buf, 12);
        stbe16(out + 12, s->vet & 0xffff);
        stbe16(out + 14, s->tx_vlan);
        len += 4;
    }
    if (len > NET_MAX_FRAME) {
        guest_error("e1000: frame of %zu bytes dropped", len);
        return;
    }
    e1000_stat_inc(s, E1000_GPTC);
    e1000_stat_inc(s, E1000_TPT);
    e1000_stat_size(s, E1000_PTC64, len);
    e1000_stat_add64(s, E1000_GOTCL, len);
    e1000_stat_add64(s, E1000_TOTL, len);
    if (!memcmp(out, "\xff\xff\xff\xff\xff\xff", ETH_ALEN)) {
        e1000_stat_inc(s, E1000_BPTC);
    } else if (out[0] & 1) {
        e1000_stat_inc(s, E1000_MPTC);
    }
    if (net_send(s->nc, out, len, e1000_tx_sent) == 0) {
        s->tx_blocked = true;
    }
    if (out != buf) {
        memmove(buf, out, 12);              /* back, for TSO's next */
    }
}

/* Sends tx_buf as one frame, or as the next TSO segment (section 3.5:
 * IP total length and identification, TCP sequence number and flags
 * per segment; the checksum fields hold the pseudo-header sum without
 * the length, which the hardware adds). */
static void e1000_tx_segment(E1000State *s, bool last)
{
    uint8_t *buf = s->tx_buf;
    size_t len = s->tx_size;
    E1000TxContext *c = &s->ctx;

    if (s->tx_tse) {
        unsigned ip = c->ipcss, l4 = c->tucss;
        size_t pay = len - c->hdr_len;

        /* Each segment starts from the guest's headers. */
        if (s->tx_seg_count == 0) {
            memcpy(s->tx_hdr, buf, c->hdr_len);
        } else {
            memcpy(buf, s->tx_hdr, c->hdr_len);
        }
        if (c->tucmd & E1000_TUCMD_IP) {
            stbe16(buf + ip + 2, len - ip);
            stbe16(buf + ip + 4, ldbe16(buf + ip + 4) + s->tx_seg_count);
            buf[ip + 10] = buf[ip + 11] = 0;
            e1000_insert_csum(buf, len, ip, c->ipcso, c->ipcse);
        } else {
            stbe16(buf + ip + 4, len - ip - 40);    /* IPv6 payload */
        }
        if (c->tucmd & E1000_TUCMD_TCP) {
            uint32_t seq = (uint32_t)ldbe16(buf + l4 + 4) << 16 |
                           ldbe16(buf + l4 + 6);
            stbe32(buf + l4 + 4, seq + s->tx_pay_sent);
            if (!last) {
                buf[l4 + 13] &= ~0x09;              /* FIN, PSH */
            }
        } else {
            stbe16(buf + l4 + 4, len - l4);         /* UDP length */
        }
        {
            uint32_t sum = ldbe16(buf + c->tucso) + (uint32_t)(len - l4);
            stbe16(buf + c->tucso, (sum & 0xffff) + (sum >> 16));
        }
        e1000_insert_csum(buf, len, l4, c->tucso, c->tucse);
        s->tx_pay_sent += pay;
        s->tx_seg_count++;
    } else {
        if (s->tx_popts & E1000_POPTS_TXSM) {
            e1000_insert_csum(buf, len, c->tucss, c->tucso, c->tucse);
        }
        if (s->tx_popts & E1000_POPTS_IXSM) {
            e1000_insert_csum(buf, len, c->ipcss, c->ipcso, c->ipcse);
        }
    }
    e1000_tx_emit(s, buf, len);
    if (s->tx_tse) {
        e1000_stat_inc(s, E1000_TSCTC);
    }
}

static void e1000_tx_reset_packet(E1000State *s)
{
    s->tx_size = 0;
    s->tx_seg_count = 0;
    s->tx_pay_sent = 0;
    s->tx_drop = false;
    s->tx_tse = false;
    s->tx_popts = 0;
    s->tx_vle = false;
}

/* Checks the context for a TSO packet; false drops the packet. */
static bool e1000_tso_ok(E1000State *s)
{
    E1000TxContext *c = &s->ctx;
    unsigned l4_min = (c->tucmd & E1000_TUCMD_TCP) ? 20 : 8;

    if (!c->mss || !c->hdr_len ||
        (size_t)c->hdr_len + c->mss > E1000_MAX_TX_FRAME ||
        c->ipcss + 20u > c->hdr_len || c->tucss + l4_min > c->hdr_len ||
        c->tucso + 2u > c->hdr_len || c->ipcso + 2u > c->hdr_len ||
        c->tucss < c->ipcss) {
        guest_error("e1000: bad TSO context (hdr_len %u mss %u ipcss %u "
                    "tucss %u): packet dropped", c->hdr_len, c->mss,
                    c->ipcss, c->tucss);
        return false;
    }
    return true;
}

/* Appends a data buffer to the packet, sending TSO segments as they
 * fill. */
static void e1000_tx_append(E1000State *s, uint64_t addr, uint32_t len)
{
    while (len && !s->tx_drop) {
        uint32_t limit = s->tx_tse ? s->ctx.hdr_len + s->ctx.mss
                                   : E1000_MAX_TX_FRAME;
        uint32_t n = MIN(len, limit - s->tx_size);

        if (n == 0) {
            guest_error("e1000: packet longer than %u bytes dropped", limit);
            s->tx_drop = true;
            return;
        }
        if (!e1000_dma_read(s, addr, s->tx_buf + s->tx_size, n)) {
            guest_error("e1000: TX buffer at 0x%" PRIx64 " is not in RAM",
                        addr);
            s->tx_drop = true;
            return;
        }
        s->tx_size += n;
        addr += n;
        len -= n;
        if (s->tx_tse && s->tx_size == limit && len) {
            /* A full segment and more data in this descriptor. */
            e1000_tx_segment(s, false);
            s->tx_size = s->ctx.hdr_len;
        } else if (s->tx_tse && s->tx_size == limit) {
            /* Full; whether it is the last is known at the next
             * descriptor (or EOP). Keep it. */
            return;
        }
    }
}

static void e1000_process_tx_desc(E1000State *s, const uint8_t *d)
{
    uint64_t addr = ld64(d);
    uint32_t lower = ld32(d + 8), upper = ld32(d + 12);
    uint8_t cmd = lower >> 24;
    unsigned dtyp = (lower >> E1000_TXD_DTYP_SHIFT) & 0xf;
    uint32_t len;

    if ((cmd & E1000_TXD_CMD_DEXT) && dtyp == E1000_TXD_DTYP_CTX) {
        E1000TxContext *c = &s->ctx;
        c->ipcss = d[0];
        c->ipcso = d[1];
        c->ipcse = ld16(d + 2);
        c->tucss = d[4];
        c->tucso = d[5];
        c->tucse = ld16(d + 6);
        c->paylen = lower & E1000_TXD_LEN_MASK;
        c->tucmd = cmd;
        c->hdr_len = d[13];
        c->mss = ld16(d + 14);
        return;
    }
    if (s->tx_size == 0 && !s->tx_drop && s->tx_seg_count == 0) {
        /* First descriptor of a packet: it decides the offloads. */
        if (cmd & E1000_TXD_CMD_DEXT) {
            s->tx_tse = (cmd & E1000_TXD_CMD_TSE) && e1000_tso_ok(s);
            s->tx_drop = (cmd & E1000_TXD_CMD_TSE) && !s->tx_tse;
            s->tx_popts = upper >> 8;
        } else {
            s->tx_popts = 0;
            s->tx_tse = false;
            if (cmd & E1000_TXD_CMD_IC) {
                /* Legacy checksum: CSO and CSS from this descriptor, to
                 * the end of the packet (section 3.3.3). */
                s->ctx.tucss = upper >> 8;
                s->ctx.tucso = lower >> 16;
                s->ctx.tucse = 0;
                s->tx_popts = E1000_POPTS_TXSM;
            }
        }
        s->tx_vle = cmd & E1000_TXD_CMD_VLE;
        s->tx_vlan = upper >> 16;
    }
    if (cmd & E1000_TXD_CMD_DEXT) {
        len = lower & E1000_TXD_LEN_MASK;
    } else {
        len = lower & 0xffff;
    }
    if (s->tx_tse && s->tx_size == s->ctx.hdr_len + s->ctx.mss && len) {
        e1000_tx_segment(s, false);
        s->tx_size = s->ctx.hdr_len;
    }
    e1000_tx_append(s, addr, len);
    if (!(cmd & E1000_TXD_CMD_EOP)) {
        return;
    }
    if (!s->tx_drop && s->tx_size &&
        (!s->tx_tse || s->tx_size > s->ctx.hdr_len)) {
        e1000_tx_segment(s, true);
    }
    e1000_tx_reset_packet(s);
}

/* Processes descriptors from TDH to TDT; at most one ring's worth per
 * call, so a guest cannot keep the device (and its vCPU) busy forever. */
static void e1000_start_xmit(E1000State *s)
{
    uint32_t n = e1000_ring_size(s->tdlen);
    uint64_t base = (uint64_t)s->tdbah << 32 | (s->tdbal & ~0xfu);
    uint32_t budget = n;
    uint32_t cause = 0;

    if (!(s->tctl & E1000_TCTL_EN) || !(s->status & E1000_STATUS_LU) ||
        s->tx_blocked || !n) {
        return;
    }
    if (s->tdh >= n || s->tdt >= n) {
        guest_error("e1000: TDH %u / TDT %u outside a ring of %u",
                    s->tdh, s->tdt, n);
        return;
    }
    while (s->tdh != s->tdt && budget-- && !s->tx_blocked) {
        uint8_t d[E1000_DESC_SIZE];
        uint64_t daddr = base + (uint64_t)s->tdh * E1000_DESC_SIZE;

        if (!e1000_dma_read(s, daddr, d, sizeof(d))) {
            guest_error("e1000: TX descriptor at 0x%" PRIx64 " is not in "
                        "RAM", daddr);
            break;
        }
        e1000_process_tx_desc(s, d);
        if (d[11] & E1000_TXD_CMD_RS) {
            uint8_t sta = d[12] | E1000_TXD_STAT_DD;
            e1000_dma_write(s, daddr + 12, &sta, 1);
            cause |= E1000_ICR_TXDW;
        }
        s->tdh = (s->tdh + 1) % n;
    }
    if (s->tdh == s->tdt) {
        cause |= E1000_ICR_TXQE;
    }
    if (cause) {
        e1000_set_ics(s, cause);
    }
}

/* --- registers ------------------------------------------------------------------------ */

static void e1000_reset(Device *dev);

/* The packet-buffer FIFO pointer registers, stored for diagnostics
 * (drivers save and restore them in self-tests): index or -1. */
static int e1000_fifo_index(uint32_t off)
{
    static const uint32_t regs[10] = {
        E1000_RDFH, E1000_RDFT, E1000_RDFHS, E1000_RDFTS, E1000_RDFPC,
        E1000_TDFH, E1000_TDFT, E1000_TDFHS, E1000_TDFTS, E1000_TDFPC,
    };

    for (int i = 0; i < 10; i++) {
        if (regs[i] == off) {
            return i;
        }
    }
    return -1;
}

static uint32_t e1000_reg_read(E1000State *s, uint32_t off)
{
    uint32_t v;

    if (off >= E1000_STATS_BASE && off < E1000_STATS_END) {
        v = s->stats[E1000_STAT(off)];
        s->stats[E1000_STAT(off)] = 0;  /* clear on read (13.7) */
        return v;
    }
    if (off >= E1000_MTA && off < E1000_MTA + 4 * E1000_MTA_N) {
        return s->mta[(off - E1000_MTA) / 4];
    }
    if (off >= E1000_RA && off < E1000_RA + 8 * E1000_RA_N) {
        return s->ra[(off - E1000_RA) / 4];
    }
    if (off >= E1000_VFTA && off < E1000_VFTA + 4 * E1000_VFTA_N) {
        return s->vfta[(off - E1000_VFTA) / 4];
    }
    if (e1000_fifo_index(off) >= 0) {
        return s->fifo[e1000_fifo_index(off)];
    }
    switch (off) {
    case E1000_CTRL: return s->ctrl;
    case E1000_STATUS: return s->status;
    case E1000_EECD: return e1000_eecd_read(s);
    case E1000_EERD: return s->eerd;
    case E1000_CTRL_EXT: return s->ctrl_ext;
    case E1000_FLA: return s->fla;
    case E1000_MDIC: return s->mdic;
    case E1000_FCAL: return s->fcal;
    case E1000_FCAH: return s->fcah;
    case E1000_FCT: return s->fct;
    case E1000_VET: return s->vet;
    case E1000_FCTTV: return s->fcttv;
    case E1000_TXCW: return s->txcw;
    case E1000_RXCW: return s->rxcw;
    case E1000_LEDCTL: return s->ledctl;
    case E1000_PBA: return s->pba;
    case E1000_ICR:
        v = s->icr;
        s->icr = 0;                     /* read to clear (13.4.17) */
        e1000_update_irq(s);
        return v;
    case E1000_ITR: return s->itr;
    case E1000_IMS: return s->ims;
    case E1000_RCTL: return s->rctl;
    case E1000_RDBAL: return s->rdbal;
    case E1000_RDBAH: return s->rdbah;
    case E1000_RDLEN: return s->rdlen;
    case E1000_RDH: return s->rdh;
    case E1000_RDT: return s->rdt;
    case E1000_RDTR: return s->rdtr;
    case E1000_RXDCTL: return s->rxdctl;
    case E1000_RADV: return s->radv;
    case E1000_RSRPD: return s->rsrpd;
    case E1000_RXCSUM: return s->rxcsum;
    case E1000_TCTL: return s->tctl;
    case E1000_TIPG: return s->tipg;
    case E1000_TDBAL: return s->tdbal;
    case E1000_TDBAH: return s->tdbah;
    case E1000_TDLEN: return s->tdlen;
    case E1000_TDH: return s->tdh;
    case E1000_TDT: return s->tdt;
    case E1000_TIDV: return s->tidv;
    case E1000_TXDCTL: return s->txdctl;
    case E1000_TADV: return s->tadv;
    case E1000_TSPMT: return s->tspmt;
    case E1000_WUC: return s->wuc;
    case E1000_WUFC: return s->wufc;
    case E1000_WUS: return s->wus;
    case E1000_MANC: return s->manc;
    case E1000_AIT: return s->ait;
    case E1000_TXDMAC: return s->txdmac;
    case E1000_ICS:
    case E1000_IMC:
        return 0;                       /* write-only */
    default:
        unimp_log("e1000: read of unknown register 0x%05x", off);
        return UINT32_MAX;
    }
}

static void e1000_reg_write(E1000State *s, uint32_t off, uint32_t val)
{
    if (off >= E1000_STATS_BASE && off < E1000_STATS_END) {
        return;                         /* read-only */
    }
    if (off >= E1000_MTA && off < E1000_MTA + 4 * E1000_MTA_N) {
        s->mta[(off - E1000_MTA) / 4] = val;
        return;
    }
    if (off >= E1000_RA && off < E1000_RA + 8 * E1000_RA_N) {
        s->ra[(off - E1000_RA) / 4] = val;
        return;
    }
    if (off >= E1000_VFTA && off < E1000_VFTA + 4 * E1000_VFTA_N) {
        s->vfta[(off - E1000_VFTA) / 4] = val;
        return;
    }
    if (e1000_fifo_index(off) >= 0) {
        s->fifo[e1000_fifo_index(off)] = val & 0x1fff;
        return;
    }
    switch (off) {
    case E1000_CTRL:
        if (val & E1000_CTRL_RST) {
            e1000_reset(&s->pci.dev);   /* self-clearing software reset */
            return;
        }
        if (val & E1000_CTRL_PHY_RST) {
            e1000_phy_reset(s);
        }
        s->ctrl = val & ~(E1000_CTRL_RST | E1000_CTRL_PHY_RST);
        break;
    case E1000_STATUS:
        break;                          /* read-only */
    case E1000_EECD: e1000_eecd_write(s, val); break;
    case E1000_EERD: e1000_eerd_write(s, val); break;
    case E1000_CTRL_EXT: s->ctrl_ext = val; break;
    case E1000_FLA: s->fla = val; break;
    case E1000_MDIC: e1000_mdic_write(s, val); break;
    case E1000_FCAL: s->fcal = val; break;
    case E1000_FCAH: s->fcah = val & 0xffff; break;
    case E1000_FCT: s->fct = val & 0xffff; break;
    case E1000_VET: s->vet = val & 0xffff; break;
    case E1000_FCTTV: s->fcttv = val & 0xffff; break;
    case E1000_TXCW: s->txcw = val; break;
    case E1000_RXCW: break;
    case E1000_LEDCTL: s->ledctl = val; break;
    case E1000_PBA: s->pba = val & 0xffff; break;
    case E1000_ICR:
        s->icr &= ~val;                 /* write 1s to clear, too */
        e1000_update_irq(s);
        break;
    case E1000_ITR: s->itr = val & 0xffff; e1000_update_irq(s); break;
    case E1000_ICS: e1000_set_ics(s, val); break;
    case E1000_IMS:
        s->ims |= val & E1000_ICR_MASK;
        e1000_update_irq(s);
        break;
    case E1000_IMC:
        s->ims &= ~val;
        e1000_update_irq(s);
        break;
    case E1000_RCTL:
        s->rctl = val;
        net_flush_queued(s->nc);
        break;
    case E1000_RDBAL: s->rdbal = val & ~0xfu; break;
    case E1000_RDBAH: s->rdbah = val; break;
    case E1000_RDLEN: s->rdlen = val & (E1000_RING_MAX - E1000_RING_ALIGN);
        break;
    case E1000_RDH: s->rdh = val & 0xffff; break;
    case E1000_RDT:
        s->rdt = val & 0xffff;
        net_flush_queued(s->nc);        /* new buffers: take held frames */
        break;
    case E1000_RDTR:
        s->rdtr = val & 0xffff;
        if (val & E1000_RDTR_FPD) {
            e1000_rx_timer_cb(s);       /* flush: the delay ends now */
            timer_del(s->rx_timer);
        }
        break;
    case E1000_RXDCTL: s->rxdctl = val; break;
    case E1000_RADV: s->radv = val & 0xffff; break;
    case E1000_RSRPD: s->rsrpd = val & 0xfff; break;
    case E1000_RXCSUM: s->rxcsum = val & 0x7ff; break;
    case E1000_TCTL:
        s->tctl = val;
        e1000_start_xmit(s);
        break;
    case E1000_TIPG: s->tipg = val; break;
    case E1000_TDBAL: s->tdbal = val & ~0xfu; break;
    case E1000_TDBAH: s->tdbah = val; break;
    case E1000_TDLEN: s->tdlen = val & (E1000_RING_MAX - E1000_RING_ALIGN);
        break;
    case E1000_TDH: s->tdh = val & 0xffff; break;
    case E1000_TDT:
        s->tdt = val & 0xffff;
        e1000_start_xmit(s);
        break;
    case E1000_TIDV: s->tidv = val & 0xffff; break;
    case E1000_TXDCTL: s->txdctl = val; break;
    case E1000_TADV: s->tadv = val & 0xffff; break;
    case E1000_TSPMT: s->tspmt = val; break;
    case E1000_WUC: s->wuc = val; break;
    case E1000_WUFC: s->wufc = val; break;
    case E1000_WUS: s->wus &= ~val; break;
    case E1000_MANC: s->manc = val; break;
    case E1000_AIT: s->ait = val & 0xffff; break;
    case E1000_TXDMAC: s->txdmac = val & 1; break;
    default:
        unimp_log("e1000: write 0x%08x to unknown register 0x%05x", val,
                  off);
        break;
    }
}

static uint64_t e1000_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    E1000State *s = opaque;

    if (s->dma_depth) {
        guest_error("e1000: DMA into its own registers refused");
        return UINT32_MAX;
    }
    return e1000_reg_read(s, off & ~3u);
}

static void e1000_mmio_write(void *opaque, uint64_t off, uint64_t val,
                             unsigned size)
{
    E1000State *s = opaque;

    if (s->dma_depth) {
        guest_error("e1000: DMA into its own registers refused");
        return;
    }
    e1000_reg_write(s, off & ~3u, val);
}

static const MemoryRegionOps e1000_mmio_ops = {
    .read = e1000_mmio_read,
    .write = e1000_mmio_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 4, .impl_max = 4,
};

/* BAR1: IOADDR selects a register, IODATA reads or writes it (13.3). */
static uint64_t e1000_io_read(void *opaque, uint64_t off, unsigned size)
{
    E1000State *s = opaque;

    switch (off) {
    case E1000_IOADDR:
        return s->ioaddr;
    case E1000_IODATA:
        if (s->ioaddr >= E1000_MMIO_SIZE) {
            return UINT32_MAX;
        }
        return e1000_mmio_read(s, s->ioaddr, 4);
    default:
        return UINT32_MAX;
    }
}

static void e1000_io_write(void *opaque, uint64_t off, uint64_t val,
                           unsigned size)
{
    E1000State *s = opaque;

    switch (off) {
    case E1000_IOADDR:
        s->ioaddr = val & (E1000_MMIO_SIZE - 4);
        break;
    case E1000_IODATA:
        e1000_mmio_write(s, s->ioaddr, val, 4);
        break;
    default:
        guest_error("e1000: write to reserved I/O offset 0x%" PRIx64, off);
        break;
    }
}

static const MemoryRegionOps e1000_io_ops = {
    .read = e1000_io_read,
    .write = e1000_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 4, .impl_max = 4,
};

/* --- the device ------------------------------------------------------------------------- */

static void e1000_reset(Device *dev)
{
    E1000State *s = e1000_from_device(dev);
    /* (A CTRL.RST from the guest comes here too: the MAC resets, the
     * PCI configuration space does not.) */
    s->ctrl = E1000_CTRL_FD | E1000_CTRL_SLU | E1000_CTRL_SPEED_1000 |
              E1000_CTRL_ASDE;
    s->status = E1000_STATUS_FD | E1000_STATUS_LU | E1000_STATUS_SPEED_1000 |
                E1000_STATUS_ASDV_1000;
    s->eecd = 0;
    s->eerd = 0;
    s->ctrl_ext = 0;
    s->fla = 0;
    s->mdic = E1000_MDIC_R;
    s->fcal = s->fcah = s->fct = 0;
    s->vet = 0x8100;
    s->fcttv = s->txcw = s->rxcw = 0;
    s->ledctl = 0x07068302;
    s->pba = 0x00100030;                /* 48 KiB receive, 16 KiB transmit */
    s->icr = s->itr = s->ims = 0;
    s->rctl = s->rdbal = s->rdbah = s->rdlen = s->rdh = s->rdt = 0;
    s->rdtr = s->rxdctl = s->radv = s->rsrpd = 0;
    s->rxcsum = 0x300;
    s->tctl = s->tdbal = s->tdbah = s->tdlen = s->tdh = s->tdt = 0;
    s->tipg = s->tidv = s->txdctl = s->tadv = s->tspmt = 0;
    memset(s->mta, 0, sizeof(s->mta));
    memset(s->ra, 0, sizeof(s->ra));
    memset(s->vfta, 0, sizeof(s->vfta));
    memset(s->stats, 0, sizeof(s->stats));
    s->wuc = s->wufc = s->wus = s->manc = 0;
    s->ait = s->txdmac = 0;
    memset(s->fifo, 0, sizeof(s->fifo));
    s->ioaddr = 0;
    /* The MAC is loaded from the EEPROM into RAL0/RAH0 at reset. */
    s->ra[0] = ld32(s->mac.a);
    s->ra[1] = ld16(s->mac.a + 4) | E1000_RAH_AV;
    e1000_phy_reset(s);
    e1000_eeprom_init(s);
    s->ee_in = 0;
    s->ee_bits_in = 0;
    s->ee_reading = false;
    s->ee_addr = 0;
    s->ee_bit_out = -1;
    memset(&s->ctx, 0, sizeof(s->ctx));
    e1000_tx_reset_packet(s);
    s->itr_next = 0;
    s->rx_delay_at = s->rx_abs_at = -1;
    if (s->itr_timer) {
        timer_del(s->itr_timer);
        timer_del(s->rx_timer);
    }
    e1000_update_irq(s);
}

static void e1000_device_reset(Device *dev)
{
    E1000State *s = e1000_from_device(dev);

    pci_device_reset(&s->pci);
    e1000_reset(dev);
}

static const PCIDeviceInfo e1000_pci_info = {
    .vendor_id = E1000_VENDOR_ID,
    .device_id = E1000_DEVICE_ID,
    .revision = E1000_REVISION,
    .class_code = E1000_CLASS,
    .subsystem_vendor_id = PCI_SUBVENDOR_ID_REDHAT_QUMRANET,
    .subsystem_id = PCI_SUBDEVICE_ID_QEMU,
};

static const NetClientInfo e1000_net_info = {
    .kind = NET_CLIENT_NIC,
    .type = "nic",
    .size = sizeof(NetClientState),
    .receive = e1000_receive,
    .can_receive = e1000_can_receive,
};

static bool e1000_load_rom(E1000State *s, Machine *m, Error **errp)
{
    const char *name = s->romfile ? s->romfile : "pxe-e1000.rom";
    char *path;
    gchar *data = NULL;
    gsize size = 0;
    uint64_t bar_size = 2048;

    if (s->romfile && !*s->romfile) {
        return true;                    /* romfile= : no option ROM */
    }
    path = machine_find_firmware(m, name);
    if (!path) {
        if (s->romfile) {
            error_setg(errp, "e1000: romfile '%s' not found", name);
            return false;
        }
        /* Not fatal: the NIC works without PXE boot. */
        warn_report("e1000: '%s' not found (install ipxe-qemu): no PXE "
                    "boot", name);
        return true;
    }
    if (!g_file_get_contents(path, &data, &size, NULL) || !size ||
        size > 16 * MiB) {
        error_setg(errp, "e1000: cannot read option ROM '%s'", path);
        g_free(path);
        g_free(data);
        return false;
    }
    g_free(path);
    while (bar_size < size) {
        bar_size <<= 1;
    }
    s->rom = g_new0(MemoryRegion, 1);
    if (!memory_region_init_rom(s->rom, "e1000.rom", bar_size, errp)) {
        g_free(data);
        return false;
    }
    memset(s->rom->host, 0xff, bar_size);
    memcpy(s->rom->host, data, size);
    g_free(data);
    pci_register_bar(&s->pci, PCI_ROM_SLOT, 0, s->rom);
    return true;
}

static bool e1000_realize(Device *dev, Machine *m, Error **errp)
{
    E1000State *s = e1000_from_device(dev);

    if (!net_nic_macaddr(s->macstr, &s->mac, errp)) {
        return false;
    }
    s->pci.info = &e1000_pci_info;
    if (!pci_device_plug(&s->pci, m->pci_bus, errp)) {
        return false;
    }
    s->pci.config[PCI_INTERRUPT_PIN] = 1;   /* INTA */
    s->mmio = g_new0(MemoryRegion, 1);
    s->io = g_new0(MemoryRegion, 1);
    memory_region_init_io(s->mmio, "e1000-mmio", &e1000_mmio_ops, s,
                          E1000_MMIO_SIZE);
    memory_region_init_io(s->io, "e1000-io", &e1000_io_ops, s,
                          E1000_IO_SIZE);
    pci_register_bar(&s->pci, 0, 0, s->mmio);
    pci_register_bar(&s->pci, 1, PCI_BASE_ADDRESS_SPACE_IO, s->io);
    if (!e1000_load_rom(s, m, errp)) {
        return false;
    }
    s->nc = net_nic_new(&e1000_net_info, s->netdev,
                        dev->id ? dev->id : "e1000", errp);
    if (!s->nc) {
        return false;
    }
    s->nc->opaque = s;
    s->tx_buf = g_malloc(E1000_MAX_TX_FRAME + 8) + 4;   /* tag room */
    s->rx_buf = g_malloc(E1000_MAX_RX_FRAME + ETH_ZLEN + E1000_FCS_LEN);
    s->itr_timer = timer_new(CLOCK_VIRTUAL, e1000_itr_timer_cb, s);
    s->rx_timer = timer_new(CLOCK_VIRTUAL, e1000_rx_timer_cb, s);
    return true;
}

static bool e1000_post_load(void *opaque, int version, Error **errp)
{
    E1000State *s = opaque;
    uint32_t n;

    s->rdlen &= E1000_RING_MAX - E1000_RING_ALIGN;
    s->tdlen &= E1000_RING_MAX - E1000_RING_ALIGN;
    n = e1000_ring_size(s->tdlen);
    if (s->ee_addr >= E1000_EEPROM_WORDS || s->tx_size > E1000_MAX_TX_FRAME ||
        (n && (s->tdh >= n || s->tdt >= n))) {
        error_setg(errp, "e1000: inconsistent state (EEPROM address, TX "
                   "packet size or ring indices)");
        return false;
    }
    s->tx_blocked = false;
    if (s->tx_tse && !e1000_tso_ok(s)) {
        s->tx_tse = false;
        s->tx_drop = true;
    }
    e1000_update_irq(s);
    if (s->rx_delay_at >= 0 || s->rx_abs_at >= 0) {
        timer_mod(s->rx_timer, s->rx_abs_at >= 0 &&
                  (s->rx_delay_at < 0 || s->rx_abs_at < s->rx_delay_at) ?
                  s->rx_abs_at : s->rx_delay_at);
    }
    return true;
}

static const VMStateField e1000_ctx_fields[] = {
    VMSTATE_U8(ipcss, E1000TxContext),
    VMSTATE_U8(ipcso, E1000TxContext),
    VMSTATE_U16(ipcse, E1000TxContext),
    VMSTATE_U8(tucss, E1000TxContext),
    VMSTATE_U8(tucso, E1000TxContext),
    VMSTATE_U16(tucse, E1000TxContext),
    VMSTATE_U32(paylen, E1000TxContext),
    VMSTATE_U8(tucmd, E1000TxContext),
    VMSTATE_U8(hdr_len, E1000TxContext),
    VMSTATE_U16(mss, E1000TxContext),
    VMSTATE_END
};

static const VMStateDescription e1000_ctx_vmstate = {
    .name = "e1000/tx-context",
    .version = 1,
    .min_version = 1,
    .fields = e1000_ctx_fields,
};

static const VMStateField e1000_vmstate_fields[] = {
    VMSTATE_PCI_DEVICE(pci, E1000State),
    VMSTATE_U32(ctrl, E1000State),
    VMSTATE_U32(status, E1000State),
    VMSTATE_U32(eecd, E1000State),
    VMSTATE_U32(eerd, E1000State),
    VMSTATE_U32(ctrl_ext, E1000State),
    VMSTATE_U32(fla, E1000State),
    VMSTATE_U32(mdic, E1000State),
    VMSTATE_U32(fcal, E1000State),
    VMSTATE_U32(fcah, E1000State),
    VMSTATE_U32(fct, E1000State),
    VMSTATE_U32(vet, E1000State),
    VMSTATE_U32(fcttv, E1000State),
    VMSTATE_U32(txcw, E1000State),
    VMSTATE_U32(rxcw, E1000State),
    VMSTATE_U32(ledctl, E1000State),
    VMSTATE_U32(pba, E1000State),
    VMSTATE_U32(icr, E1000State),
    VMSTATE_U32(itr, E1000State),
    VMSTATE_U32(ims, E1000State),
    VMSTATE_U32(rctl, E1000State),
    VMSTATE_U32(rdbal, E1000State),
    VMSTATE_U32(rdbah, E1000State),
    VMSTATE_U32(rdlen, E1000State),
    VMSTATE_U32(rdh, E1000State),
    VMSTATE_U32(rdt, E1000State),
    VMSTATE_U32(rdtr, E1000State),
    VMSTATE_U32(rxdctl, E1000State),
    VMSTATE_U32(radv, E1000State),
    VMSTATE_U32(rsrpd, E1000State),
    VMSTATE_U32(rxcsum, E1000State),
    VMSTATE_U32(tctl, E1000State),
    VMSTATE_U32(tipg, E1000State),
    VMSTATE_U32(tdbal, E1000State),
    VMSTATE_U32(tdbah, E1000State),
    VMSTATE_U32(tdlen, E1000State),
    VMSTATE_U32(tdh, E1000State),
    VMSTATE_U32(tdt, E1000State),
    VMSTATE_U32(tidv, E1000State),
    VMSTATE_U32(txdctl, E1000State),
    VMSTATE_U32(tadv, E1000State),
    VMSTATE_U32(tspmt, E1000State),
    VMSTATE_U32_ARRAY(mta, E1000State, E1000_MTA_N),
    VMSTATE_U32_ARRAY(ra, E1000State, 2 * E1000_RA_N),
    VMSTATE_U32_ARRAY(vfta, E1000State, E1000_VFTA_N),
    VMSTATE_U32(wuc, E1000State),
    VMSTATE_U32(wufc, E1000State),
    VMSTATE_U32(wus, E1000State),
    VMSTATE_U32(manc, E1000State),
    VMSTATE_U32(ait, E1000State),
    VMSTATE_U32(txdmac, E1000State),
    VMSTATE_U32_ARRAY(fifo, E1000State, 10),
    VMSTATE_U32_ARRAY(stats, E1000State, E1000_STATS_N),
    VMSTATE_U32(ioaddr, E1000State),
    VMSTATE_U16_ARRAY(phy, E1000State, PHY_REGS),
    VMSTATE_U16_ARRAY(eeprom, E1000State, E1000_EEPROM_WORDS),
    VMSTATE_U32(ee_in, E1000State),
    VMSTATE_U8(ee_bits_in, E1000State),
    VMSTATE_BOOL(ee_reading, E1000State),
    VMSTATE_U8(ee_addr, E1000State),
    VMSTATE_I32(ee_bit_out, E1000State),
    VMSTATE_STRUCT(ctx, E1000State, e1000_ctx_vmstate, E1000TxContext),
    VMSTATE_BOOL(tx_tse, E1000State),
    VMSTATE_U8_ARRAY(tx_hdr, E1000State, 256),
    VMSTATE_U8(tx_popts, E1000State),
    VMSTATE_BOOL(tx_vle, E1000State),
    VMSTATE_U16(tx_vlan, E1000State),
    VMSTATE_I64(itr_next, E1000State),
    VMSTATE_I64(rx_delay_at, E1000State),
    VMSTATE_I64(rx_abs_at, E1000State),
    VMSTATE_END
};

static const VMStateDescription e1000_vmstate = {
    .name = "e1000",
    .version = 1,
    .min_version = 1,
    .fields = e1000_vmstate_fields,
    .post_load = e1000_post_load,
};

static const Property e1000_props[] = {
    DEFINE_PROP_PCI_ADDR(E1000State),
    DEFINE_PROP_STRING("netdev", E1000State, netdev,
                       "the -netdev id this NIC is connected to"),
    DEFINE_PROP_STRING("mac", E1000State, macstr,
                       "MAC address (default 52:54:00:12:34:56 + index)"),
    DEFINE_PROP_STRING("romfile", E1000State, romfile,
                       "option ROM (default pxe-e1000.rom; empty: none)"),
    DEFINE_PROP_END
};

const DeviceType e1000_type = {
    .name = "e1000",
    .desc = "Intel 82540EM Gigabit Ethernet",
    .bus = BUS_PCI,
    .state_size = sizeof(E1000State),
    .user_creatable = true,
    .realize = e1000_realize,
    .reset = e1000_device_reset,
    .props = e1000_props,
    .vmsd = &e1000_vmstate,
};
