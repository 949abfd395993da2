/*
 * The e1000 (82540EM) over qtest, with a UDP socket back end so the test
 * is the wire: PCI identity, the EEPROM through EERD and Microwire
 * bit-banging (checksum BABAh), the PHY through MDIC, a frame out of the
 * transmit ring and one into the receive ring with its interrupt (PIIX3
 * PIRQ routing programmed as SeaBIOS would), checksum offload and TCP
 * segmentation checked on the wire, a hostile-register fuzz, and
 * libslirp: a DHCP DISCOVER gets an OFFER, hostfwd accepts a TCP
 * connection, -nic and -net build the NIC.
 */
#include "libqtest.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NIC_SLOT        4
#define NIC_DEVFN       (NIC_SLOT << 3)
#define PIIX3_DEVFN     0x08
#define NIC_GSI         11
#define BAR0            0xfebc0000u
#define BAR1            0xc000u

#define CTRL_REG 0x0000
#define STATUS  0x0008
#define EECD    0x0010
#define EERD    0x0014
#define MDIC    0x0020
#define ICR     0x00c0
#define ITR     0x00c4
#define ICS     0x00c8
#define IMS     0x00d0
#define IMC     0x00d8
#define RCTL    0x0100
#define TCTL    0x0400
#define RDBAL   0x2800
#define RDBAH   0x2804
#define RDLEN   0x2808
#define RDH     0x2810
#define RDT     0x2818
#define TDBAL   0x3800
#define TDBAH   0x3804
#define TDLEN   0x3808
#define TDH     0x3810
#define TDT     0x3818
#define GPTC    0x4080
#define TPR     0x40d0
#define RAL0    0x5400
#define RAH0    0x5404

#define ICR_TXDW    0x01
#define ICR_TXQE    0x02
#define ICR_RXT0    0x80
#define RCTL_EN     0x02
#define RCTL_UPE    0x08
#define RCTL_BAM    0x8000
#define RCTL_SECRC  (1u << 26)
#define TCTL_EN     0x02

#define TX_RING     0x100000u
#define TX_BUF      0x110000u
#define RX_RING     0x120000u
#define RX_BUF      0x130000u
#define RING_N      8

static const uint8_t nic_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

typedef struct Wire {
    QTestState *qts;
    int sock;           /* the test's end of the UDP wire */
    struct sockaddr_in nic_addr;
} Wire;

/* --- helpers ---------------------------------------------------------------- */

static uint32_t rd(QTestState *s, uint32_t off)
{
    return qtest_readl(s, BAR0 + off);
}

static void wr(QTestState *s, uint32_t off, uint32_t v)
{
    qtest_writel(s, BAR0 + off, v);
}

static int udp_bound(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sa);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sa, &len), ==, 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static uint16_t free_tcp_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sa);

    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sa, &len), ==, 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static void nic_pci_setup(QTestState *s)
{
    qtest_pci_config_writel(s, NIC_DEVFN, 0x10, BAR0);
    qtest_pci_config_writel(s, NIC_DEVFN, 0x14, BAR1);
    qtest_pci_config_writew(s, NIC_DEVFN, 0x04, 0x0007);   /* IO MEM MASTER */
    /* INTA of slot 4 is PIRQD; route it to IRQ 11 as SeaBIOS would. */
    qtest_pci_config_writeb(s, PIIX3_DEVFN, 0x63, NIC_GSI);
}

/* The machine with an e1000 on a UDP wire to this test. */
static Wire wire_start(void)
{
    Wire w;
    uint16_t test_port, nic_port;
    int tmp = udp_bound(&nic_port);

    close(tmp);                         /* a free port for the NIC's end */
    w.sock = udp_bound(&test_port);
    w.qts = qtest_initf("-netdev socket,id=n0,udp=127.0.0.1:%u,"
                        "localaddr=127.0.0.1:%u "
                        "-device e1000,netdev=n0,addr=%02x.0,"
                        "mac=52:54:00:12:34:56", test_port, nic_port,
                        NIC_SLOT);
    memset(&w.nic_addr, 0, sizeof(w.nic_addr));
    w.nic_addr.sin_family = AF_INET;
    w.nic_addr.sin_port = htons(nic_port);
    w.nic_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    nic_pci_setup(w.qts);
    return w;
}

static void wire_stop(Wire *w)
{
    qtest_quit(w->qts);
    close(w->sock);
}

/* A frame from the NIC, or -1 after timeout_ms. */
static ssize_t wire_recv(Wire *w, uint8_t *buf, size_t size, int timeout_ms)
{
    struct pollfd p = { .fd = w->sock, .events = POLLIN };

    if (poll(&p, 1, timeout_ms) <= 0) {
        return -1;
    }
    return recv(w->sock, buf, size, 0);
}

static void tx_setup(QTestState *s)
{
    qtest_memset(s, TX_RING, 0, RING_N * 16);
    wr(s, TDBAL, TX_RING);
    wr(s, TDBAH, 0);
    wr(s, TDLEN, RING_N * 16);
    wr(s, TDH, 0);
    wr(s, TDT, 0);
    wr(s, TCTL, TCTL_EN);
}

static void put_desc(QTestState *s, uint32_t ring, unsigned i, uint64_t addr,
                     uint32_t lower, uint32_t upper)
{
    uint64_t d = ring + i * 16;

    qtest_writeq(s, d, addr);
    qtest_writel(s, d + 8, lower);
    qtest_writel(s, d + 12, upper);
}

static void rx_setup(QTestState *s, uint32_t rctl)
{
    for (unsigned i = 0; i < RING_N; i++) {
        put_desc(s, RX_RING, i, RX_BUF + i * 2048, 0, 0);
    }
    wr(s, RDBAL, RX_RING);
    wr(s, RDBAH, 0);
    wr(s, RDLEN, RING_N * 16);
    wr(s, RDH, 0);
    wr(s, RDT, RING_N - 1);
    wr(s, RCTL, rctl);
}

/* Waits (host time) until RDH leaves old; the main loop handles the
 * back end's fd between our commands. */
static bool wait_rdh(QTestState *s, uint32_t old, int timeout_ms)
{
    for (int i = 0; i < timeout_ms; i++) {
        if (rd(s, RDH) != old) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

static uint16_t csum_add(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += p[i] << 8 | p[i + 1];
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

/* IPv4 header and TCP/UDP checksums of a frame verify. */
static bool frame_csums_ok(const uint8_t *f, size_t len)
{
    size_t ihl = (f[14] & 0xf) * 4, tot = f[16] << 8 | f[17];
    uint32_t ph;

    if (14 + tot > len || csum_add(f + 14, ihl, 0) != 0xffff) {
        return false;
    }
    ph = csum_add(f + 26, 8, 0) + f[23] + (uint32_t)(tot - ihl);
    return csum_add(f + 14 + ihl, tot - ihl, ph) == 0xffff;
}

/* An Ethernet/IPv4 header pair; l4 filled by the caller. */
static size_t build_ipv4(uint8_t *f, const uint8_t *dst, uint8_t proto,
                         size_t l4_len, const char *src_ip,
                         const char *dst_ip)
{
    size_t tot = 20 + l4_len;

    memcpy(f, dst, 6);
    memcpy(f + 6, nic_mac, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    memset(f + 14, 0, 20);
    f[14] = 0x45;
    f[16] = tot >> 8;
    f[17] = tot;
    f[18] = 0x12;
    f[19] = 0x34;
    f[22] = 64;
    f[23] = proto;
    inet_pton(AF_INET, src_ip, f + 26);
    inet_pton(AF_INET, dst_ip, f + 30);
    return 14 + tot;
}

/* --- tests -------------------------------------------------------------------- */

static void test_pci_ids(void)
{
    QTestState *s = qtest_initf("-netdev hubport,id=h0,hubid=0 "
                                "-device e1000,netdev=h0,addr=%02x.0",
                                NIC_SLOT);

    g_assert_cmphex(qtest_pci_config_readw(s, NIC_DEVFN, 0x00), ==, 0x8086);
    g_assert_cmphex(qtest_pci_config_readw(s, NIC_DEVFN, 0x02), ==, 0x100e);
    g_assert_cmphex(qtest_pci_config_readl(s, NIC_DEVFN, 0x08) >> 8, ==,
                    0x020000);
    g_assert_cmphex(qtest_pci_config_readb(s, NIC_DEVFN, 0x3d), ==, 1);
    /* BAR0: 128 KiB of memory; BAR1: I/O. */
    qtest_pci_config_writel(s, NIC_DEVFN, 0x10, 0xffffffff);
    g_assert_cmphex(qtest_pci_config_readl(s, NIC_DEVFN, 0x10), ==,
                    0xfffe0000);
    qtest_pci_config_writel(s, NIC_DEVFN, 0x14, 0xffffffff);
    g_assert_cmphex(qtest_pci_config_readl(s, NIC_DEVFN, 0x14) & 1, ==, 1);
    nic_pci_setup(s);
    /* Link up at 1000 Mb/s full duplex; RAL0/RAH0 hold the MAC. */
    g_assert_cmphex(rd(s, STATUS) & 0xc3, ==, 0x83);
    g_assert_cmphex(rd(s, RAL0), ==, 0x12005452);
    g_assert_cmphex(rd(s, RAH0), ==, 0x80005634);
    /* The same registers through IOADDR/IODATA. */
    qtest_outl(s, BAR1, STATUS);
    g_assert_cmphex(qtest_inl(s, BAR1 + 4), ==, rd(s, STATUS));
    qtest_quit(s);
}

static void test_eeprom(void)
{
    QTestState *s = qtest_initf("-device e1000,addr=%02x.0,"
                                "mac=52:54:00:ab:cd:ef", NIC_SLOT);
    uint16_t words[64], sum = 0, mw = 0;

    nic_pci_setup(s);
    for (int i = 0; i < 64; i++) {
        uint32_t v;
        wr(s, EERD, i << 8 | 1);
        v = rd(s, EERD);
        g_assert_cmphex(v & 0x10, ==, 0x10);        /* DONE */
        words[i] = v >> 16;
        sum += words[i];
    }
    g_assert_cmphex(sum, ==, 0xbaba);
    g_assert_cmphex(words[0], ==, 0x5452);
    g_assert_cmphex(words[1], ==, 0xab00);
    g_assert_cmphex(words[2], ==, 0xefcd);

    /* Microwire: CS, start bit, opcode 10b, address 2, then 16 bits. */
    wr(s, EECD, 0x40);                              /* REQ */
    g_assert_cmphex(rd(s, EECD) & 0x80, ==, 0x80);  /* GNT */
    wr(s, EECD, 0x42);                              /* CS */
    {
        uint32_t bits = 0x6 << 6 | 2;               /* 110 000010 */
        for (int i = 8; i >= 0; i--) {
            uint32_t di = (bits >> i) & 1 ? 0x04 : 0;
            wr(s, EECD, 0x42 | di);
            wr(s, EECD, 0x43 | di);                 /* SK up */
            wr(s, EECD, 0x42 | di);
        }
        for (int i = 0; i < 16; i++) {
            wr(s, EECD, 0x43);
            mw = mw << 1 | !!(rd(s, EECD) & 0x08);
            wr(s, EECD, 0x42);
        }
    }
    wr(s, EECD, 0x40);
    g_assert_cmphex(mw, ==, words[2]);
    qtest_quit(s);
}

static uint16_t mdic_read(QTestState *s, unsigned reg)
{
    uint32_t v;

    wr(s, MDIC, 2u << 26 | 1u << 21 | reg << 16);
    v = rd(s, MDIC);
    g_assert_cmphex(v & (1u << 28), !=, 0);         /* ready */
    g_assert_cmphex(v & (1u << 30), ==, 0);         /* no error */
    return v & 0xffff;
}

static void test_phy(void)
{
    QTestState *s = qtest_initf("-device e1000,addr=%02x.0", NIC_SLOT);

    nic_pci_setup(s);
    g_assert_cmphex(mdic_read(s, 2), ==, 0x0141);
    g_assert_cmphex(mdic_read(s, 3), ==, 0x0c20);
    g_assert_cmphex(mdic_read(s, 1) & 0x0024, ==, 0x0024);  /* link, AN */
    g_assert_cmphex(mdic_read(s, 10) & 0x0c00, ==, 0x0c00); /* 1000 FD/HD */
    /* Another PHY address answers with an error. */
    wr(s, MDIC, 2u << 26 | 2u << 21 | 1u << 16);
    g_assert_cmphex(rd(s, MDIC) & (1u << 30), !=, 0);
    qtest_quit(s);
}

static void test_tx(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t frame[100], got[2048];
    ssize_t n;

    for (unsigned i = 0; i < sizeof(frame); i++) {
        frame[i] = i * 7;
    }
    memcpy(frame, "\xff\xff\xff\xff\xff\xff", 6);
    qtest_memwrite(s, TX_BUF, frame, sizeof(frame));
    tx_setup(s);
    wr(s, IMS, ICR_TXDW);
    /* Legacy descriptor: EOP | IFCS | RS. */
    put_desc(s, TX_RING, 0, TX_BUF, sizeof(frame) | 0x0b << 24, 0);
    wr(s, TDT, 1);
    n = wire_recv(&w, got, sizeof(got), 2000);
    g_assert_cmpint(n, ==, sizeof(frame));
    g_assert_cmpmem(got, n, frame, sizeof(frame));
    g_assert_cmphex(qtest_readb(s, TX_RING + 12) & 1, ==, 1);   /* DD */
    g_assert_cmpuint(rd(s, TDH), ==, 1);
    g_assert_cmpuint(rd(s, GPTC), ==, 1);
    g_assert_cmpuint(rd(s, GPTC), ==, 0);                       /* R/C */
    g_assert_cmphex(rd(s, ICR) & (ICR_TXDW | ICR_TXQE), ==,
                    ICR_TXDW | ICR_TXQE);
    g_assert_cmphex(rd(s, ICR), ==, 0);                         /* R/C */
    wire_stop(&w);
}

static void test_rx_irq(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t frame[200], got[2048];
    uint64_t desc_hi;

    qtest_irq_intercept_in(s, "ioapic");
    rx_setup(s, RCTL_EN | RCTL_BAM | RCTL_SECRC);
    wr(s, IMS, ICR_RXT0);
    g_assert_false(qtest_get_irq(s, NIC_GSI));

    /* Not for us (another unicast MAC): filtered out. */
    memset(frame, 0x5a, sizeof(frame));
    memcpy(frame, "\x52\x54\x00\x99\x99\x99", 6);
    sendto(w.sock, frame, sizeof(frame), 0,
           (struct sockaddr *)&w.nic_addr, sizeof(w.nic_addr));
    g_assert_false(wait_rdh(s, 0, 200));

    memcpy(frame, nic_mac, 6);
    sendto(w.sock, frame, sizeof(frame), 0,
           (struct sockaddr *)&w.nic_addr, sizeof(w.nic_addr));
    g_assert_true(wait_rdh(s, 0, 2000));
    g_assert_cmpuint(rd(s, RDH), ==, 1);
    desc_hi = qtest_readq(s, RX_RING + 8);
    g_assert_cmpuint(desc_hi & 0xffff, ==, sizeof(frame));      /* length */
    g_assert_cmphex((desc_hi >> 32) & 0x03, ==, 0x03);          /* DD EOP */
    qtest_memread(s, RX_BUF, got, sizeof(frame));
    g_assert_cmpmem(got, sizeof(frame), frame, sizeof(frame));
    g_assert_cmpuint(rd(s, TPR), ==, 1);
    g_assert_true(qtest_get_irq(s, NIC_GSI));
    g_assert_cmphex(rd(s, ICR) & ICR_RXT0, ==, ICR_RXT0);
    g_assert_false(qtest_get_irq(s, NIC_GSI));

    /* A short frame arrives padded to 60 bytes, plus the FCS without
     * SECRC. */
    wr(s, RCTL, RCTL_EN | RCTL_BAM);
    sendto(w.sock, frame, 42, 0, (struct sockaddr *)&w.nic_addr,
           sizeof(w.nic_addr));
    g_assert_true(wait_rdh(s, 1, 2000));
    g_assert_cmpuint(qtest_readw(s, RX_RING + 16 + 8), ==, 64);

    /* ICS raises, IMC masks. */
    wr(s, ICS, ICR_RXT0);
    g_assert_true(qtest_get_irq(s, NIC_GSI));
    wr(s, IMC, ICR_RXT0);
    g_assert_false(qtest_get_irq(s, NIC_GSI));
    wire_stop(&w);
}

/* The ring fills: frames wait in the back end, none is lost, and they
 * arrive in order once the guest gives buffers back. */
static void test_rx_backpressure(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t frame[100];

    rx_setup(s, RCTL_EN | RCTL_BAM | RCTL_SECRC);
    wr(s, RDT, 2);                      /* room for two frames */
    memcpy(frame, nic_mac, 6);
    memset(frame + 6, 0, sizeof(frame) - 6);
    for (int i = 0; i < 5; i++) {
        frame[20] = i;
        sendto(w.sock, frame, sizeof(frame), 0,
               (struct sockaddr *)&w.nic_addr, sizeof(w.nic_addr));
    }
    for (int i = 0; i < 500 && rd(s, RDH) != 2; i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(rd(s, RDH), ==, 2);
    g_usleep(50000);
    g_assert_cmpuint(rd(s, RDH), ==, 2);
    wr(s, RDT, 7);
    for (int i = 0; i < 2000 && rd(s, RDH) != 5; i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(rd(s, RDH), ==, 5);
    for (int i = 0; i < 5; i++) {
        g_assert_cmpuint(qtest_readb(s, RX_BUF + i * 2048 + 20), ==, i);
    }
    wire_stop(&w);
}

/* Context descriptor + data descriptor with IXSM|TXSM: the checksums on
 * the wire verify. */
static void test_tx_csum_offload(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t f[200], got[2048];
    size_t len = build_ipv4(f, (const uint8_t *)"\xff\xff\xff\xff\xff\xff",
                            17, 8 + 50, "10.0.2.15", "10.0.2.2");
    uint32_t ph;
    ssize_t n;

    f[34] = 0x12; f[35] = 0x34; f[36] = 0x00; f[37] = 0x35;  /* ports */
    f[38] = 0; f[39] = 58;
    for (int i = 0; i < 50; i++) {
        f[42 + i] = i;
    }
    /* As a driver does: the UDP field holds the pseudo-header sum. */
    ph = csum_add(f + 26, 8, 0) + 17 + 58;
    ph = (ph & 0xffff) + (ph >> 16);
    f[40] = ph >> 8;
    f[41] = ph;
    qtest_memwrite(s, TX_BUF, f, len);
    tx_setup(s);
    /* Context: IPCSS 14, IPCSO 24, IPCSE 33; TUCSS 34, TUCSO 40. */
    put_desc(s, TX_RING, 0, 14 | 24 << 8 | 33ull << 16 | 34ull << 32 |
             40ull << 40, 0x20u << 24 | 0x02 << 24, 0);
    /* Data: DTYP 1, DEXT|EOP|RS, POPTS IXSM|TXSM. */
    put_desc(s, TX_RING, 1, TX_BUF, len | 1u << 20 | 0x29u << 24, 0x3 << 8);
    wr(s, TDT, 2);
    n = wire_recv(&w, got, sizeof(got), 2000);
    g_assert_cmpint(n, ==, len);
    g_assert_true(frame_csums_ok(got, n));
    g_assert_cmpmem(got + 42, 50, f + 42, 50);
    wire_stop(&w);
}

/* TSO: 3000 bytes of payload, MSS 1000: three segments with their own
 * lengths, sequence numbers, IDs and checksums; FIN/PSH on the last. */
static void test_tx_tso(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    enum { PAY = 3000, MSS = 1000, HDR = 54 };
    uint8_t f[HDR + PAY], got[2048];
    uint32_t ph;

    build_ipv4(f, nic_mac, 6, 20 + PAY, "10.0.2.15", "10.0.2.2");
    memset(f + 34, 0, 20);
    f[34] = 0x04; f[35] = 0x00; f[36] = 0x00; f[37] = 0x50;
    f[38] = 0x10; f[39] = 0x00; f[40] = 0x00; f[41] = 0x00;  /* seq */
    f[46] = 0x50;                                           /* doff 5 */
    f[47] = 0x19;                                           /* FIN PSH ACK */
    f[48] = 0xff; f[49] = 0xff;
    for (int i = 0; i < PAY; i++) {
        f[HDR + i] = i * 13;
    }
    /* Linux's TSO setup: IP length and checksum 0, TCP field the
     * pseudo-header sum without length. */
    f[16] = f[17] = 0;
    ph = csum_add(f + 26, 8, 0) + 6;
    ph = (ph & 0xffff) + (ph >> 16);
    f[50] = ph >> 8;
    f[51] = ph;
    qtest_memwrite(s, TX_BUF, f, sizeof(f));
    tx_setup(s);
    /* Context: TSE|TCP|IP, PAYLEN, HDRLEN 54, MSS 1000. */
    put_desc(s, TX_RING, 0, 14 | 24 << 8 | 33ull << 16 | 34ull << 32 |
             50ull << 40, PAY | 0x27u << 24, (uint32_t)HDR << 8 |
             (uint32_t)MSS << 16);
    /* Two data descriptors, the split inside the second segment. */
    put_desc(s, TX_RING, 1, TX_BUF, 1500 | 1u << 20 | 0x24u << 24, 0x3 << 8);
    put_desc(s, TX_RING, 2, TX_BUF + 1500, (sizeof(f) - 1500) | 1u << 20 |
             0x2du << 24, 0x3 << 8);
    wr(s, TDT, 3);
    for (int i = 0; i < 3; i++) {
        ssize_t n = wire_recv(&w, got, sizeof(got), 2000);
        uint32_t seq;

        g_assert_cmpint(n, ==, HDR + MSS);
        g_assert_true(frame_csums_ok(got, n));
        g_assert_cmpuint(got[16] << 8 | got[17], ==, 40 + MSS);
        g_assert_cmpuint(got[18] << 8 | got[19], ==, 0x1234 + i);
        seq = (uint32_t)got[38] << 24 | got[39] << 16 | got[40] << 8 |
              got[41];
        g_assert_cmphex(seq, ==, 0x10000000u + i * MSS);
        g_assert_cmphex(got[47], ==, i == 2 ? 0x19 : 0x10);
        g_assert_cmpmem(got + HDR, MSS, f + HDR + i * MSS, MSS);
    }
    g_assert_cmphex(qtest_readb(s, TX_RING + 2 * 16 + 12) & 1, ==, 1);
    wire_stop(&w);
}

/* Hostile guest: rings over the device's own registers and outside RAM,
 * random descriptors and indices. Only "still answers" is asserted. */
static void test_fuzz(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    static const uint32_t regs[] = {
        CTRL_REG, EECD, EERD, MDIC, ICR, ITR, ICS, IMS, IMC, RCTL, TCTL,
        RDBAL, RDBAH, RDLEN, RDH, RDT, TDBAL, TDBAH, TDLEN, TDH, TDT,
        0x2820, 0x282c, 0x5000, RAL0, RAH0, 0x5200, 0x1ffff & ~3u,
    };
    GRand *r = g_rand_new_with_seed(8254);
    uint8_t junk[16 * RING_N];

    /* A transmit ring that is the device's own register block. */
    wr(s, TDBAL, BAR0);
    wr(s, TDLEN, 4096);
    wr(s, TCTL, TCTL_EN);
    wr(s, TDT, 200);
    /* Descriptors full of junk, pointing anywhere. */
    for (unsigned i = 0; i < sizeof(junk); i++) {
        junk[i] = g_rand_int(r);
    }
    qtest_memwrite(s, TX_RING, junk, sizeof(junk));
    qtest_memwrite(s, RX_RING, junk, sizeof(junk));
    for (int i = 0; i < 3000; i++) {
        uint32_t reg = regs[g_rand_int_range(r, 0, G_N_ELEMENTS(regs))];
        uint32_t v = g_rand_int(r);

        switch (g_rand_int_range(r, 0, 4)) {
        case 0: v = TX_RING; reg = TDBAL; break;
        case 1: v &= 0xff; break;
        default: break;
        }
        if (g_rand_boolean(r)) {
            wr(s, reg, v);
        } else {
            rd(s, reg);
        }
        if (i % 500 == 0) {
            uint8_t f[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
            sendto(w.sock, f, sizeof(f), 0,
                   (struct sockaddr *)&w.nic_addr, sizeof(w.nic_addr));
        }
    }
    g_rand_free(r);
    g_assert_cmphex(qtest_pci_config_readw(s, NIC_DEVFN, 0), ==, 0x8086);
    wire_stop(&w);
}

/* --- libslirp ------------------------------------------------------------------ */

static void user_nic_setup(QTestState *s)
{
    nic_pci_setup(s);
    tx_setup(s);
    rx_setup(s, RCTL_EN | RCTL_BAM | RCTL_SECRC);
}

static size_t build_dhcp_discover(uint8_t *f)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    enum { BOOTP_LEN = 548 };
    size_t len = build_ipv4(f, bcast, 17, 8 + BOOTP_LEN, "0.0.0.0",
                            "255.255.255.255");
    uint8_t *u = f + 34, *b = u + 8;
    uint16_t c;

    memset(u, 0, 8 + BOOTP_LEN);
    u[1] = 68;
    u[3] = 67;
    u[4] = (8 + BOOTP_LEN) >> 8;
    u[5] = (uint8_t)(8 + BOOTP_LEN);
    b[0] = 1;                               /* BOOTREQUEST */
    b[1] = 1;                               /* Ethernet */
    b[2] = 6;
    b[4] = 0xde; b[5] = 0xad; b[6] = 0xbe; b[7] = 0xef;    /* xid */
    b[10] = 0x80;                           /* broadcast reply */
    memcpy(b + 28, nic_mac, 6);
    b[236] = 99; b[237] = 130; b[238] = 83; b[239] = 99;   /* cookie */
    b[240] = 53; b[241] = 1; b[242] = 1;    /* DHCPDISCOVER */
    b[243] = 255;
    c = ~csum_add(f + 14, 20, 0);
    f[24] = c >> 8;
    f[25] = c;
    return len;
}

/* Sends a frame through the TX ring (descriptor i). */
static void send_frame(QTestState *s, unsigned i, const uint8_t *f,
                       size_t len)
{
    qtest_memwrite(s, TX_BUF + i * 2048, f, len);
    put_desc(s, TX_RING, i, TX_BUF + i * 2048, len | 0x0b << 24, 0);
    wr(s, TDT, i + 1);
}

static void test_slirp_dhcp(void)
{
    QTestState *s = qtest_initf("-netdev user,id=u0 -device e1000,"
                                "netdev=u0,addr=%02x.0,"
                                "mac=52:54:00:12:34:56", NIC_SLOT);
    uint8_t f[1024], got[2048];
    size_t len = build_dhcp_discover(f);
    bool offer = false;
    uint32_t rdh = 0;

    user_nic_setup(s);
    send_frame(s, 0, f, len);
    for (int tries = 0; tries < 4 && !offer; tries++) {
        if (!wait_rdh(s, rdh, 2000)) {
            break;
        }
        while (rdh != rd(s, RDH)) {
            uint16_t n = qtest_readw(s, RX_RING + rdh * 16 + 8);
            qtest_memread(s, RX_BUF + rdh * 2048, got, MIN(n, sizeof(got)));
            /* UDP 67 -> 68, BOOTREPLY, xid, option 53 = OFFER (2). */
            if (n > 282 && got[23] == 17 && got[35] == 67 &&
                got[37] == 68 && got[42] == 2 &&
                !memcmp(got + 46, "\xde\xad\xbe\xef", 4)) {
                g_assert_cmpmem(got + 58, 4, "\x0a\x00\x02\x0f", 4);
                g_assert_cmpmem(got + 282, 3, "\x35\x01\x02", 3);
                offer = true;
            }
            rdh = (rdh + 1) % RING_N;
        }
    }
    g_assert_true(offer);
    qtest_quit(s);
}

static void test_slirp_hostfwd(void)
{
    uint16_t port = free_tcp_port();
    QTestState *s = qtest_initf("-netdev user,id=u0,hostfwd=tcp:127.0.0.1:"
                                "%u-:22 -device e1000,netdev=u0,addr=%02x.0",
                                port, NIC_SLOT);
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_port = htons(port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    uint8_t got[64];

    user_nic_setup(s);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    /* Slirp now asks the guest network who has 10.0.2.15 (ARP), on its
     * way to the SYN. */
    g_assert_true(wait_rdh(s, 0, 3000));
    qtest_memread(s, RX_BUF, got, sizeof(got));
    g_assert_cmphex(got[12] << 8 | got[13], ==, 0x0806);
    g_assert_cmpmem(got + 38, 4, "\x0a\x00\x02\x0f", 4);
    close(fd);
    qtest_quit(s);
}

/* Two machines on one wire: A listens, B connects (QEMU's stream format,
 * a length before each frame); frames cross both ways into the rings. */
static void test_socket_stream(void)
{
    uint16_t port = free_tcp_port();
    QTestState *a = qtest_initf("-netdev socket,id=n0,listen=127.0.0.1:%u "
                                "-device e1000,netdev=n0,addr=%02x.0,"
                                "mac=52:54:00:12:34:56", port, NIC_SLOT);
    QTestState *b = qtest_initf("-netdev socket,id=n0,connect=127.0.0.1:%u "
                                "-device e1000,netdev=n0,addr=%02x.0,"
                                "mac=52:54:00:12:34:57", port, NIC_SLOT);
    QTestState *both[2] = { a, b };
    uint8_t f[300], got[300];

    for (int i = 0; i < 2; i++) {
        nic_pci_setup(both[i]);
        tx_setup(both[i]);
        rx_setup(both[i], RCTL_EN | RCTL_BAM | RCTL_SECRC);
    }
    for (int i = 0; i < 2; i++) {
        QTestState *from = both[i], *to = both[1 - i];
        uint32_t rdh = rd(to, RDH);

        memset(f, 0, sizeof(f));
        memcpy(f, "\xff\xff\xff\xff\xff\xff", 6);
        for (unsigned k = 12; k < sizeof(f); k++) {
            f[k] = k + i;
        }
        /* A's listener may still be accepting B: retry until it lands. */
        for (int tries = 0; tries < RING_N - 1; tries++) {
            send_frame(from, tries, f, sizeof(f));
            if (wait_rdh(to, rdh, 300)) {
                break;
            }
        }
        g_assert_cmpuint(rd(to, RDH), !=, rdh);
        qtest_memread(to, RX_BUF + rdh * 2048, got, sizeof(got));
        g_assert_cmpmem(got, sizeof(got), f, sizeof(f));
    }
    qtest_quit(b);
    qtest_quit(a);
}

/* -object filter-dump: a frame out and a frame in, as pcap records. */
static void test_filter_dump(void)
{
    char *path = g_strdup_printf("/tmp/e1000-test-%d.pcap", (int)getpid());
    uint16_t test_port, nic_port;
    int tmp = udp_bound(&nic_port);
    Wire w;
    uint8_t out[80], in[90], got[256];
    gchar *pcap;
    gsize len;
    const uint8_t *p;
    uint32_t rec_len[2];

    close(tmp);
    w.sock = udp_bound(&test_port);
    w.qts = qtest_initf("-netdev socket,id=n0,udp=127.0.0.1:%u,"
                        "localaddr=127.0.0.1:%u "
                        "-object filter-dump,id=f0,netdev=n0,file=%s "
                        "-device e1000,netdev=n0,addr=%02x.0,"
                        "mac=52:54:00:12:34:56", test_port, nic_port, path,
                        NIC_SLOT);
    memset(&w.nic_addr, 0, sizeof(w.nic_addr));
    w.nic_addr.sin_family = AF_INET;
    w.nic_addr.sin_port = htons(nic_port);
    w.nic_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    nic_pci_setup(w.qts);
    tx_setup(w.qts);
    rx_setup(w.qts, RCTL_EN | RCTL_BAM | RCTL_SECRC);

    memset(out, 0xa5, sizeof(out));
    memset(in, 0x3c, sizeof(in));
    memcpy(in, nic_mac, 6);
    send_frame(w.qts, 0, out, sizeof(out));
    g_assert_cmpint(wire_recv(&w, got, sizeof(got), 2000), ==, sizeof(out));
    sendto(w.sock, in, sizeof(in), 0, (struct sockaddr *)&w.nic_addr,
           sizeof(w.nic_addr));
    g_assert_true(wait_rdh(w.qts, 0, 2000));
    wire_stop(&w);

    g_assert_true(g_file_get_contents(path, &pcap, &len, NULL));
    g_assert_cmpuint(len, ==, 24 + 16 + sizeof(out) + 16 + sizeof(in));
    p = (const uint8_t *)pcap;
    g_assert_cmphex(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24,
                    ==, 0xa1b2c3d4);
    g_assert_cmpuint(p[20], ==, 1);                 /* Ethernet */
    p += 24;
    for (int i = 0; i < 2; i++) {
        rec_len[i] = p[8] | p[9] << 8;              /* caplen */
        g_assert_cmpuint(rec_len[i], ==, i ? sizeof(in) : sizeof(out));
        g_assert_cmpmem(p + 16, rec_len[i], i ? in : out, rec_len[i]);
        p += 16 + rec_len[i];
    }
    g_free(pcap);
    unlink(path);
    g_free(path);
}

/* -netdev tap: a frame from the ring appears on the host interface, and
 * one sent into the interface reaches the ring. Needs root and
 * /dev/net/tun; skipped otherwise. */
static void test_tap(void)
{
    char ifname[IFNAMSIZ];
    struct ifreq ifr = { 0 };
    struct sockaddr_ll ll = { .sll_family = AF_PACKET };
    QTestState *s;
    uint8_t out[100], in[100], got[2048];
    bool seen = false;
    int ctl, pk;

    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK)) {
        g_test_skip("needs root and /dev/net/tun");
        return;
    }
    snprintf(ifname, sizeof(ifname), "pcemut%d", (int)getpid() % 100000);
    s = qtest_initf("-netdev tap,id=t0,ifname=%s,script=no,downscript=no "
                    "-device e1000,netdev=t0,addr=%02x.0,"
                    "mac=52:54:00:12:34:56", ifname, NIC_SLOT);
    nic_pci_setup(s);
    tx_setup(s);
    rx_setup(s, RCTL_EN | RCTL_BAM | RCTL_SECRC | RCTL_UPE);

    ctl = socket(AF_INET, SOCK_DGRAM, 0);
    g_strlcpy(ifr.ifr_name, ifname, IFNAMSIZ);
    g_assert_cmpint(ioctl(ctl, SIOCGIFFLAGS, &ifr), ==, 0);
    ifr.ifr_flags |= IFF_UP;
    g_assert_cmpint(ioctl(ctl, SIOCSIFFLAGS, &ifr), ==, 0);
    close(ctl);
    pk = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    g_assert_cmpint(pk, >=, 0);
    ll.sll_protocol = htons(ETH_P_ALL);
    ll.sll_ifindex = if_nametoindex(ifname);
    g_assert_cmpint(ll.sll_ifindex, >, 0);
    g_assert_cmpint(bind(pk, (struct sockaddr *)&ll, sizeof(ll)), ==, 0);

    memset(out, 0x77, sizeof(out));
    memcpy(out, "\x52\x54\x00\xaa\xbb\xcc", 6);
    memcpy(out + 6, nic_mac, 6);
    out[12] = 0x88;                     /* a local experimental type */
    out[13] = 0xb5;
    send_frame(s, 0, out, sizeof(out));
    for (int i = 0; i < 50 && !seen; i++) {
        struct pollfd p = { .fd = pk, .events = POLLIN };
        if (poll(&p, 1, 100) > 0) {
            ssize_t n = recv(pk, got, sizeof(got), 0);
            seen = n == sizeof(out) && !memcmp(got, out, sizeof(out));
        }
    }
    g_assert_true(seen);

    memcpy(in, out, sizeof(in));
    memcpy(in, nic_mac, 6);
    memcpy(in + 6, "\x52\x54\x00\xaa\xbb\xcc", 6);
    in[20] = 0x42;
    g_assert_cmpint(sendto(pk, in, sizeof(in), 0, (struct sockaddr *)&ll,
                           sizeof(ll)), ==, sizeof(in));
    seen = false;
    for (uint32_t rdh = 0; !seen && wait_rdh(s, rdh, 2000);
         rdh = (rdh + 1) % RING_N) {
        qtest_memread(s, RX_BUF + rdh * 2048, got, sizeof(in));
        seen = !memcmp(got, in, sizeof(in));
    }
    g_assert_true(seen);
    close(pk);
    qtest_quit(s);
}

/* A frame longer than one buffer spans descriptors (BSIZE 256): EOP only
 * on the last; without LPE a frame over 1522 bytes is dropped. */
static void test_rx_multi_desc(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t frame[600], got[600], big[2000];

    rx_setup(s, RCTL_EN | RCTL_SECRC | 3u << 16);   /* BSIZE 256 */
    for (unsigned i = 0; i < sizeof(frame); i++) {
        frame[i] = i * 3 + 1;
    }
    memcpy(frame, nic_mac, 6);
    sendto(w.sock, frame, sizeof(frame), 0,
           (struct sockaddr *)&w.nic_addr, sizeof(w.nic_addr));
    g_assert_true(wait_rdh(s, 0, 2000));
    for (int i = 0; i < 200 && rd(s, RDH) != 3; i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(rd(s, RDH), ==, 3);
    for (int i = 0; i < 3; i++) {
        uint64_t hi = qtest_readq(s, RX_RING + i * 16 + 8);
        g_assert_cmpuint(hi & 0xffff, ==, i < 2 ? 256 : 88);
        g_assert_cmphex((hi >> 32) & 3, ==, i < 2 ? 1 : 3);     /* DD, EOP */
        qtest_memread(s, RX_BUF + i * 2048, got + i * 256,
                      i < 2 ? 256 : 88);
    }
    g_assert_cmpmem(got, sizeof(frame), frame, sizeof(frame));

    memset(big, 0x11, sizeof(big));
    memcpy(big, nic_mac, 6);
    sendto(w.sock, big, sizeof(big), 0, (struct sockaddr *)&w.nic_addr,
           sizeof(w.nic_addr));
    g_assert_false(wait_rdh(s, 3, 200));
    wire_stop(&w);
}

/* ITR: a second interrupt within ITR x 256 ns of the first waits for
 * the virtual clock. */
static void test_itr(void)
{
    QTestState *s = qtest_initf("-device e1000,addr=%02x.0", NIC_SLOT);

    nic_pci_setup(s);
    qtest_irq_intercept_in(s, "ioapic");
    wr(s, ITR, 1000);                   /* 256 us */
    wr(s, IMS, ICR_TXDW);
    wr(s, ICS, ICR_TXDW);
    g_assert_true(qtest_get_irq(s, NIC_GSI));
    rd(s, ICR);
    g_assert_false(qtest_get_irq(s, NIC_GSI));
    wr(s, ICS, ICR_TXDW);
    g_assert_false(qtest_get_irq(s, NIC_GSI));
    qtest_clock_step(s, 200 * 1000);
    g_assert_false(qtest_get_irq(s, NIC_GSI));
    qtest_clock_step(s, 60 * 1000);
    g_assert_true(qtest_get_irq(s, NIC_GSI));
    qtest_quit(s);
}

static void test_nic_shorthands(void)
{
    QTestState *s = qtest_initf("-nic user,model=e1000,mac=52:54:00:00:00:07");

    /* The first free slot after the board's devices has the NIC. */
    bool found = false;
    for (int slot = 2; slot < 32 && !found; slot++) {
        if (qtest_pci_config_readw(s, slot << 3, 2) == 0x100e) {
            found = true;
        }
    }
    g_assert_true(found);
    qtest_quit(s);

    s = qtest_initf("-net nic,model=e1000,macaddr=52:54:00:00:00:08 "
                    "-net user");
    found = false;
    for (int slot = 2; slot < 32 && !found; slot++) {
        if (qtest_pci_config_readw(s, slot << 3, 2) == 0x100e) {
            found = true;
        }
    }
    g_assert_true(found);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/e1000/pci-ids", test_pci_ids);
    g_test_add_func("/e1000/eeprom", test_eeprom);
    g_test_add_func("/e1000/phy", test_phy);
    g_test_add_func("/e1000/tx", test_tx);
    g_test_add_func("/e1000/rx-irq", test_rx_irq);
    g_test_add_func("/e1000/rx-backpressure", test_rx_backpressure);
    g_test_add_func("/e1000/rx-multi-desc", test_rx_multi_desc);
    g_test_add_func("/e1000/itr", test_itr);
    g_test_add_func("/e1000/tx-csum-offload", test_tx_csum_offload);
    g_test_add_func("/e1000/tx-tso", test_tx_tso);
    g_test_add_func("/e1000/fuzz", test_fuzz);
    g_test_add_func("/e1000/socket-stream", test_socket_stream);
    g_test_add_func("/e1000/filter-dump", test_filter_dump);
    g_test_add_func("/e1000/tap", test_tap);
    g_test_add_func("/e1000/slirp-dhcp", test_slirp_dhcp);
    g_test_add_func("/e1000/slirp-hostfwd", test_slirp_hostfwd);
    g_test_add_func("/e1000/nic-shorthands", test_nic_shorthands);
    return g_test_run();
}
