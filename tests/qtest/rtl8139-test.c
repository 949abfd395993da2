/*
 * The RTL8139C+ over qtest, with a UDP socket back end so the test is the
 * wire: PCI identity (revision 20h for 8139cp), the 93C46 EEPROM
 * bit-banged through 9346CR as Linux does, software reset, normal-mode
 * transmit through TSAD/TSD and receive into the ring buffer (header,
 * CRC, dword alignment, wrap with and without WRAP, overflow without
 * loss), C+ mode transmit and receive descriptor rings with checksum
 * offload, large send and VLAN tags, the TimerInt interrupt, INTA
 * through the PIIX3 routing, hostile descriptors and lengths, the iPXE
 * option ROM, -nic model=rtl8139 with libslirp.
 */
#include "libqtest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NIC_SLOT        4
#define NIC_DEVFN       (NIC_SLOT << 3)
#define PIIX3_DEVFN     0x08
#define NIC_GSI         11
#define BAR0            0xc000u         /* I/O */
#define BAR1            0xfebc0000u     /* memory */
#define ROM_ADDR        0xfeb00000u

/* Registers (RTL8139C+ datasheet, section 5). */
#define IDR0    0x00
#define MAR0    0x08
#define TSD0    0x10
#define DTCCR   0x10
#define TSAD0   0x20
#define TNPDS   0x20
#define RBSTART 0x30
#define CR      0x37
#define CAPR    0x38
#define CBR     0x3a
#define IMR     0x3c
#define ISR     0x3e
#define TCR     0x40
#define RCR     0x44
#define TCTR    0x48
#define MPC     0x4c
#define CR9346  0x50
#define CONFIG1 0x52
#define TIMERINT 0x54
#define MSR     0x58
#define TSAD    0x60
#define BMCR    0x62
#define BMSR    0x64
#define TPPOLL  0xd9
#define CPCR    0xe0
#define RDSAR   0xe4

#define CR_BUFE 0x01
#define CR_TE   0x04
#define CR_RE   0x08
#define CR_RST  0x10
#define INT_ROK 0x0001
#define INT_RER 0x0002
#define INT_TOK 0x0004
#define INT_TER 0x0008
#define INT_RXOVW 0x0010
#define INT_TDU 0x0080
#define INT_SWINT 0x0100
#define INT_TIMEOUT 0x4000
#define RCR_AAP 0x01
#define RCR_APM 0x02
#define RCR_AM  0x04
#define RCR_AB  0x08
#define RCR_WRAP 0x80
#define TSD_OWN 0x2000
#define TSD_TOK 0x8000
#define TSD_TABT 0x40000000u
#define CPCR_TX 0x01
#define CPCR_RX 0x02
#define CPCR_RXCSUM 0x20
#define CPCR_RXVLAN 0x40

#define OWN     (1u << 31)
#define EOR     (1u << 30)
#define FS      (1u << 29)
#define LS      (1u << 28)
#define LGSEN   (1u << 27)
#define IPCS    (1u << 18)
#define UDPCS   (1u << 17)
#define TCPCS   (1u << 16)
#define TAGC    (1u << 17)
#define RX_PID_TCP (1u << 16)
#define RX_PID_UDP (2u << 16)
#define RX_TCPF (1u << 13)
#define RX_UDPF (1u << 14)
#define RX_IPF  (1u << 15)
#define RX_TAVA (1u << 16)

#define TX_BUF  0x100000u
#define RX_RING 0x200000u               /* normal-mode ring buffer */
#define CP_TX   0x300000u
#define CP_RX   0x301000u
#define CP_BUF  0x310000u
#define RING_8K 8192

static const uint8_t nic_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

typedef struct Wire {
    QTestState *qts;
    int sock;
    struct sockaddr_in nic_addr;
} Wire;

/* --- helpers ------------------------------------------------------------------ */

static uint8_t r8(QTestState *s, uint32_t off)
{
    return qtest_readb(s, BAR1 + off);
}

static uint16_t r16(QTestState *s, uint32_t off)
{
    return qtest_readw(s, BAR1 + off);
}

static uint32_t r32(QTestState *s, uint32_t off)
{
    return qtest_readl(s, BAR1 + off);
}

static void w8(QTestState *s, uint32_t off, uint8_t v)
{
    qtest_writeb(s, BAR1 + off, v);
}

static void w16(QTestState *s, uint32_t off, uint16_t v)
{
    qtest_writew(s, BAR1 + off, v);
}

static void w32(QTestState *s, uint32_t off, uint32_t v)
{
    qtest_writel(s, BAR1 + off, v);
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

static void nic_pci_setup(QTestState *s)
{
    qtest_pci_config_writel(s, NIC_DEVFN, 0x10, BAR0);
    qtest_pci_config_writel(s, NIC_DEVFN, 0x14, BAR1);
    qtest_pci_config_writew(s, NIC_DEVFN, 0x04, 0x0007);   /* IO MEM MASTER */
    /* INTA of slot 4 is PIRQD; route it to IRQ 11 as SeaBIOS would. */
    qtest_pci_config_writeb(s, PIIX3_DEVFN, 0x63, NIC_GSI);
}

static Wire wire_start_mac(const char *mac)
{
    Wire w;
    uint16_t test_port, nic_port;
    int tmp = udp_bound(&nic_port);

    close(tmp);
    w.sock = udp_bound(&test_port);
    w.qts = qtest_initf("-netdev socket,id=n0,udp=127.0.0.1:%u,"
                        "localaddr=127.0.0.1:%u "
                        "-device rtl8139,netdev=n0,addr=%02x.0,mac=%s",
                        test_port, nic_port, NIC_SLOT, mac);
    memset(&w.nic_addr, 0, sizeof(w.nic_addr));
    w.nic_addr.sin_family = AF_INET;
    w.nic_addr.sin_port = htons(nic_port);
    w.nic_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    nic_pci_setup(w.qts);
    return w;
}

static Wire wire_start(void)
{
    return wire_start_mac("52:54:00:12:34:56");
}

static void wire_stop(Wire *w)
{
    qtest_quit(w->qts);
    close(w->sock);
}

static ssize_t wire_recv(Wire *w, uint8_t *buf, size_t size, int timeout_ms)
{
    struct pollfd p = { .fd = w->sock, .events = POLLIN };

    if (poll(&p, 1, timeout_ms) <= 0) {
        return -1;
    }
    return recv(w->sock, buf, size, 0);
}

static void wire_send(Wire *w, const uint8_t *f, size_t len)
{
    g_assert_cmpint(sendto(w->sock, f, len, 0,
                           (struct sockaddr *)&w->nic_addr,
                           sizeof(w->nic_addr)), ==, (ssize_t)len);
}

/* Waits (host time) until the 16-bit register leaves old. */
static bool wait_r16_change(QTestState *s, uint32_t off, uint16_t old,
                            int timeout_ms)
{
    for (int i = 0; i < timeout_ms; i++) {
        if (r16(s, off) != old) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

/* Waits until ISR has any of bits. */
static bool wait_isr(QTestState *s, uint16_t bits, int timeout_ms)
{
    for (int i = 0; i < timeout_ms; i++) {
        if (r16(s, ISR) & bits) {
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

/* IPv4 header and TCP/UDP checksums of an untagged frame verify. */
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

/* Ethernet + IPv4 + TCP (20-byte header) or UDP with pay bytes of
 * payload; checksums left wrong on purpose. */
static size_t build_frame(uint8_t *f, const uint8_t *dst, uint8_t proto,
                          size_t pay)
{
    size_t l4 = proto == 6 ? 20 : 8, tot = 20 + l4 + pay;

    memcpy(f, dst, 6);
    memcpy(f + 6, "\x52\x54\x00\xaa\xbb\xcc", 6);
    f[12] = 0x08;
    f[13] = 0x00;
    memset(f + 14, 0, 20 + l4);
    f[14] = 0x45;
    f[16] = tot >> 8;
    f[17] = tot;
    f[18] = 0x12;
    f[19] = 0x34;
    f[22] = 64;
    f[23] = proto;
    f[24] = 0xde;                       /* wrong IP checksum */
    f[25] = 0xad;
    memcpy(f + 26, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    f[34] = 0x30;
    f[35] = 0x39;
    f[36] = 0x00;
    f[37] = 0x50;
    if (proto == 6) {
        f[38] = 0x10; f[39] = 0x20; f[40] = 0x30; f[41] = 0x40; /* seq */
        f[46] = 0x50;                   /* data offset 5 */
        f[47] = 0x19;                   /* FIN PSH ACK */
        f[48] = 0xff;
        f[50] = 0xbe;                   /* wrong checksum */
        f[51] = 0xef;
    } else {
        f[38] = (8 + pay) >> 8;
        f[39] = 8 + pay;
        f[40] = 0xbe;
        f[41] = 0xef;
    }
    for (size_t i = 0; i < pay; i++) {
        f[14 + 20 + l4 + i] = i * 13 + 1;
    }
    return 14 + tot;
}

static uint32_t crc32_le(const uint8_t *p, size_t len)
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

/* --- EEPROM bit-banging as Linux 8139cp does (9346CR programming mode) */

#define EE_SK   0x04
#define EE_CS   0x08
#define EE_DI   0x02
#define EE_DO   0x01
#define EE_ENB  (0x80 | EE_CS)

static void ee_cmd(QTestState *s, uint32_t cmd, int len)
{
    for (int i = len - 1; i >= 0; i--) {
        uint8_t d = (cmd >> i) & 1 ? EE_DI : 0;
        w8(s, CR9346, EE_ENB | d);
        w8(s, CR9346, EE_ENB | d | EE_SK);
    }
    w8(s, CR9346, EE_ENB);
}

static uint16_t ee_read(QTestState *s, unsigned addr, int addr_len)
{
    uint16_t v = 0;

    w8(s, CR9346, EE_ENB & ~EE_CS);
    w8(s, CR9346, EE_ENB);
    ee_cmd(s, addr | 6u << addr_len, 3 + addr_len);
    for (int i = 0; i < 16; i++) {
        w8(s, CR9346, EE_ENB | EE_SK);
        v = v << 1 | (r8(s, CR9346) & EE_DO);
        w8(s, CR9346, EE_ENB);
    }
    w8(s, CR9346, 0);
    return v;
}

/* --- tests -------------------------------------------------------------------- */

static void test_pci_ids(void)
{
    QTestState *s = qtest_initf("-netdev hubport,id=h0,hubid=0 "
                                "-device rtl8139,netdev=h0,addr=%02x.0",
                                NIC_SLOT);

    g_assert_cmphex(qtest_pci_config_readw(s, NIC_DEVFN, 0x00), ==, 0x10ec);
    g_assert_cmphex(qtest_pci_config_readw(s, NIC_DEVFN, 0x02), ==, 0x8139);
    g_assert_cmphex(qtest_pci_config_readb(s, NIC_DEVFN, 0x08), ==, 0x20);
    g_assert_cmphex(qtest_pci_config_readl(s, NIC_DEVFN, 0x08) >> 8, ==,
                    0x020000);
    g_assert_cmphex(qtest_pci_config_readb(s, NIC_DEVFN, 0x3d), ==, 1);
    /* BAR0: 256 bytes of I/O; BAR1: 256 bytes of memory. */
    qtest_pci_config_writel(s, NIC_DEVFN, 0x10, 0xffffffff);
    g_assert_cmphex(qtest_pci_config_readl(s, NIC_DEVFN, 0x10) & 0xffff,
                    ==, 0xff01);
    qtest_pci_config_writel(s, NIC_DEVFN, 0x14, 0xffffffff);
    g_assert_cmphex(qtest_pci_config_readl(s, NIC_DEVFN, 0x14), ==,
                    0xffffff00);
    nic_pci_setup(s);
    /* IDR holds the MAC, in both BARs. */
    for (int i = 0; i < 6; i++) {
        g_assert_cmphex(r8(s, IDR0 + i), ==, nic_mac[i]);
        g_assert_cmphex(qtest_inb(s, BAR0 + IDR0 + i), ==, nic_mac[i]);
    }
    g_assert_cmphex(r32(s, IDR0), ==, 0x12005452);
    /* The 8139C+ hardware version in TCR; link up at 100 Mb/s. */
    g_assert_cmphex(r32(s, TCR) & 0x7cc00000, ==, 0x74800000);
    g_assert_cmphex(r8(s, 0x43), ==, 0x74);
    g_assert_cmphex(r8(s, MSR) & 0x0c, ==, 0);
    g_assert_cmphex(r16(s, BMSR) & 0x0024, ==, 0x0024);
    /* A write through I/O is seen through memory. */
    qtest_outl(s, BAR0 + MAR0, 0xa5a5f00f);
    g_assert_cmphex(r32(s, MAR0), ==, 0xa5a5f00f);
    qtest_quit(s);
}

static void test_eeprom(void)
{
    QTestState *s = qtest_initf("-device rtl8139,addr=%02x.0,"
                                "mac=52:54:00:ab:cd:ef", NIC_SLOT);

    nic_pci_setup(s);
    /* 8139cp tries an 8-bit address first: a 93C46 answers with the
     * bits shifted, so that is not the 8129h signature... */
    g_assert_cmphex(ee_read(s, 0, 8), !=, 0x8129);
    /* ...and with 6-bit addresses it is. */
    g_assert_cmphex(ee_read(s, 0, 6), ==, 0x8129);
    g_assert_cmphex(ee_read(s, 1, 6), ==, 0x10ec);
    g_assert_cmphex(ee_read(s, 2, 6), ==, 0x8139);
    g_assert_cmphex(ee_read(s, 7, 6), ==, 0x5452);
    g_assert_cmphex(ee_read(s, 8, 6), ==, 0xab00);
    g_assert_cmphex(ee_read(s, 9, 6), ==, 0xefcd);

    /* A write needs EWEN first. */
    w8(s, CR9346, EE_ENB & ~EE_CS);
    w8(s, CR9346, EE_ENB);
    ee_cmd(s, (5u << 6) | 0x20, 9);                 /* WRITE 20h */
    ee_cmd(s, 0x1234, 16);
    w8(s, CR9346, 0);
    g_assert_cmphex(ee_read(s, 0x20, 6), ==, 0);
    w8(s, CR9346, EE_ENB & ~EE_CS);
    w8(s, CR9346, EE_ENB);
    ee_cmd(s, (4u << 6) | 0x30, 9);                 /* EWEN */
    w8(s, CR9346, 0);
    w8(s, CR9346, EE_ENB & ~EE_CS);
    w8(s, CR9346, EE_ENB);
    ee_cmd(s, (5u << 6) | 0x20, 9);
    ee_cmd(s, 0x1234, 16);
    w8(s, CR9346, 0);
    w8(s, CR9346, EE_ENB);
    g_assert_cmphex(r8(s, CR9346) & EE_DO, ==, EE_DO);  /* ready */
    w8(s, CR9346, 0);
    g_assert_cmphex(ee_read(s, 0x20, 6), ==, 0x1234);

    /* Auto-load brings the MAC back into IDR. */
    w8(s, CR9346, 0xc0);
    w32(s, IDR0, 0);
    w8(s, CR9346, 0x40);
    g_assert_cmphex(r8(s, CR9346) & 0xc0, ==, 0);
    g_assert_cmphex(r8(s, IDR0 + 5), ==, 0xef);
    g_assert_cmphex(r32(s, IDR0), ==, 0xab005452);
    qtest_quit(s);
}

static void test_reset(void)
{
    QTestState *s = qtest_initf("-device rtl8139,addr=%02x.0", NIC_SLOT);

    nic_pci_setup(s);
    g_assert_cmphex(r8(s, CR), ==, CR_BUFE);
    g_assert_cmphex(r16(s, CAPR), ==, 0xfff0);
    g_assert_cmphex(r32(s, TSD0) & TSD_OWN, ==, TSD_OWN);
    g_assert_cmphex(r16(s, TSAD) & 0xf, ==, 0xf);
    w16(s, IMR, 0xffff);
    w8(s, CR, CR_RE | CR_TE);
    w32(s, MAR0, 0x11223344);
    w16(s, CPCR, CPCR_TX);
    g_assert_cmphex(r8(s, CR) & (CR_RE | CR_TE), ==, CR_RE | CR_TE);
    g_assert_cmphex(r16(s, IMR), ==, 0xe1ff);
    w8(s, CR, CR_RST);
    g_assert_cmphex(r8(s, CR), ==, CR_BUFE);       /* RST done at once */
    g_assert_cmphex(r16(s, IMR), ==, 0);
    g_assert_cmphex(r16(s, CPCR), ==, 0);
    g_assert_cmphex(r32(s, MAR0), ==, 0x11223344);  /* kept */
    g_assert_cmphex(r8(s, IDR0), ==, 0x52);
    /* CONFIG1 is protected until 9346CR enables config writes. */
    w8(s, CONFIG1, 0x21);
    g_assert_cmphex(r8(s, CONFIG1) & 0x21, ==, 0);
    w8(s, CR9346, 0xc0);
    w8(s, CONFIG1, 0x21);
    g_assert_cmphex(r8(s, CONFIG1) & 0x21, ==, 0x21);
    /* BMCR reset and restart self-clear. */
    w16(s, BMCR, 0x8000);
    g_assert_cmphex(r16(s, BMCR), ==, 0x3100);
    qtest_quit(s);
}

static void test_classic_tx(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t frame[300], got[2048];
    ssize_t n;

    w8(s, CR, CR_TE);
    w16(s, IMR, INT_TOK);
    /* Five frames: the descriptors go round-robin 0, 1, 2, 3, 0. */
    for (int k = 0; k < 5; k++) {
        unsigned i = k % 4;
        size_t len = 100 + 40 * k;

        for (size_t j = 0; j < len; j++) {
            frame[j] = j * 7 + k;
        }
        memcpy(frame, "\xff\xff\xff\xff\xff\xff", 6);
        qtest_memwrite(s, TX_BUF + i * 0x800, frame, len);
        w32(s, TSAD0 + 4 * i, TX_BUF + i * 0x800);
        w32(s, TSD0 + 4 * i, len);              /* OWN clear: send */
        n = wire_recv(&w, got, sizeof(got), 2000);
        g_assert_cmpint(n, ==, len);
        g_assert_cmpmem(got, n, frame, len);
        g_assert_cmphex(r32(s, TSD0 + 4 * i) & (TSD_OWN | TSD_TOK), ==,
                        TSD_OWN | TSD_TOK);
        g_assert_cmphex(r16(s, ISR) & INT_TOK, ==, INT_TOK);
        w16(s, ISR, INT_TOK);
        g_assert_cmphex(r16(s, ISR) & INT_TOK, ==, 0);
    }
    /* Out of order: TSD2 before TSD1 waits for TSD1. */
    qtest_memwrite(s, TX_BUF, frame, 64);
    w32(s, TSAD0 + 8, TX_BUF);
    w32(s, TSD0 + 8, 64);
    g_assert_cmpint(wire_recv(&w, got, sizeof(got), 200), ==, -1);
    w32(s, TSAD0 + 4, TX_BUF);
    w32(s, TSD0 + 4, 70);
    g_assert_cmpint(wire_recv(&w, got, sizeof(got), 2000), ==, 70);
    g_assert_cmpint(wire_recv(&w, got, sizeof(got), 2000), ==, 64);
    /* A short frame is padded to 60 bytes with zeros. */
    memset(frame, 0xee, 20);
    qtest_memwrite(s, TX_BUF, frame, 20);
    qtest_memset(s, TX_BUF + 20, 0x77, 60);
    w32(s, TSAD0 + 12, TX_BUF);
    w32(s, TSD0 + 12, 20);
    n = wire_recv(&w, got, sizeof(got), 2000);
    g_assert_cmpint(n, ==, 60);
    g_assert_cmphex(got[19], ==, 0xee);
    g_assert_cmphex(got[20], ==, 0);
    g_assert_cmphex(got[59], ==, 0);
    /* Too long for the normal mode (over 1792): aborted, TER. */
    w32(s, TSAD0, TX_BUF);
    w32(s, TSD0, 0x1fff);
    g_assert_cmphex(r32(s, TSD0) & TSD_TABT, ==, TSD_TABT);
    g_assert_cmphex(r16(s, ISR) & INT_TER, ==, INT_TER);
    g_assert_cmpint(wire_recv(&w, got, sizeof(got), 100), ==, -1);
    wire_stop(&w);
}

static void rx_ring_setup(QTestState *s, uint32_t rcr)
{
    qtest_memset(s, RX_RING, 0, RING_8K + 16 + 2048);
    w32(s, RBSTART, RX_RING);
    w32(s, RCR, rcr);                   /* RBLEN 0: 8 KiB + 16 */
    w8(s, CR, CR_RE | CR_TE);
}

/* Reads the next packet of the ring at *cur and moves CAPR past it as
 * 8139too does; returns the frame length without the CRC. */
static size_t rx_ring_take(QTestState *s, uint32_t *cur, uint8_t *buf,
                           bool wrap_bit, uint16_t *status)
{
    uint8_t hdr[4];
    size_t len, n;

    qtest_memread(s, RX_RING + *cur, hdr, 4);
    *status = hdr[0] | hdr[1] << 8;
    len = hdr[2] | hdr[3] << 8;
    g_assert_cmpuint(len, >=, 64);
    n = len;
    if (!wrap_bit && *cur + 4 + n > RING_8K) {
        size_t first = RING_8K - (*cur + 4);
        qtest_memread(s, RX_RING + *cur + 4, buf, first);
        qtest_memread(s, RX_RING, buf + first, n - first);
    } else {
        qtest_memread(s, RX_RING + *cur + 4, buf, n);
    }
    g_assert_cmphex(crc32_le(buf, n - 4), ==,
                    buf[n - 4] | buf[n - 3] << 8 | buf[n - 2] << 16 |
                    (uint32_t)buf[n - 1] << 24);
    *cur = (*cur + 4 + len + 3) & ~3u;
    *cur %= RING_8K;
    w16(s, CAPR, *cur - 16);
    return len - 4;
}

static void test_classic_rx(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t frame[1600], got[2048];
    uint32_t cur = 0;
    uint16_t status, cbr;
    bool crossed = false;

    qtest_irq_intercept_in(s, "ioapic");
    rx_ring_setup(s, RCR_APM | RCR_AB);
    w16(s, IMR, INT_ROK);
    g_assert_false(qtest_get_irq(s, NIC_GSI));

    /* Another unicast address: filtered out. */
    memset(frame, 0x5a, sizeof(frame));
    memcpy(frame, "\x52\x54\x00\x99\x99\x99", 6);
    wire_send(&w, frame, 100);
    g_assert_false(wait_r16_change(s, CBR, 0, 200));
    /* Multicast without AM: filtered out. */
    memcpy(frame, "\x01\x00\x5e\x00\x00\x01", 6);
    wire_send(&w, frame, 100);
    g_assert_false(wait_r16_change(s, CBR, 0, 200));

    /* Ours: header with ROK and PAM, length with the CRC. */
    memcpy(frame, nic_mac, 6);
    for (int i = 12; i < 101; i++) {
        frame[i] = i;
    }
    wire_send(&w, frame, 101);
    g_assert_true(wait_r16_change(s, CBR, 0, 2000));
    g_assert_cmphex(r16(s, CBR), ==, (4 + 105 + 3) & ~3);
    g_assert_cmphex(r8(s, CR) & CR_BUFE, ==, 0);
    g_assert_cmphex(r16(s, ISR) & INT_ROK, ==, INT_ROK);
    g_assert_true(qtest_get_irq(s, NIC_GSI));
    g_assert_cmpuint(rx_ring_take(s, &cur, got, false, &status), ==, 101);
    g_assert_cmphex(status, ==, 0x4001);
    g_assert_cmpmem(got, 101, frame, 101);
    g_assert_cmphex(r8(s, CR) & CR_BUFE, ==, CR_BUFE);
    w16(s, ISR, INT_ROK);                       /* write 1 to clear */
    g_assert_cmphex(r16(s, ISR), ==, 0);
    g_assert_false(qtest_get_irq(s, NIC_GSI));

    /* Broadcast: BAR. Short frames are padded to 60 (+4 CRC). */
    memcpy(frame, "\xff\xff\xff\xff\xff\xff", 6);
    cbr = r16(s, CBR);
    wire_send(&w, frame, 42);
    g_assert_true(wait_r16_change(s, CBR, cbr, 2000));
    g_assert_cmpuint(rx_ring_take(s, &cur, got, false, &status), ==, 60);
    g_assert_cmphex(status, ==, 0x2001);
    g_assert_cmpmem(got, 42, frame, 42);
    g_assert_cmphex(got[59], ==, 0);

    /* Round the 8 KiB ring: frames of 1000 bytes wrap to RBSTART. */
    for (int k = 0; k < 12; k++) {
        size_t len;
        memcpy(frame, nic_mac, 6);
        for (int i = 12; i < 1000; i++) {
            frame[i] = i * 3 + k;
        }
        cbr = r16(s, CBR);
        wire_send(&w, frame, 1000);
        g_assert_true(wait_r16_change(s, CBR, cbr, 2000));
        crossed |= cur + 4 + 1004 > RING_8K;
        len = rx_ring_take(s, &cur, got, false, &status);
        g_assert_cmpuint(len, ==, 1000);
        g_assert_cmpmem(got, 1000, frame, 1000);
        g_assert_cmphex(r16(s, CBR), ==, cur);
    }
    g_assert_true(crossed);                         /* it wrapped */
    wire_stop(&w);
}

/* WRAP set: a packet crossing the end continues past it. */
static void test_classic_rx_wrap_bit(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t frame[1500], got[2048];
    uint32_t cur = 0;
    uint16_t status, cbr;
    bool crossed = false;

    rx_ring_setup(s, RCR_APM | RCR_WRAP);
    memcpy(frame, nic_mac, 6);
    for (int k = 0; k < 12; k++) {
        for (int i = 12; i < 1400; i++) {
            frame[i] = i + k;
        }
        cbr = r16(s, CBR);
        wire_send(&w, frame, 1400);
        g_assert_true(wait_r16_change(s, CBR, cbr, 2000));
        crossed |= cur + 4 + 1404 > RING_8K;
        g_assert_cmpuint(rx_ring_take(s, &cur, got, true, &status), ==,
                         1400);
        g_assert_cmpmem(got, 1400, frame, 1400);
    }
    g_assert_true(crossed);
    wire_stop(&w);
}

/* Waits until the ring holds a packet (CR.BUFE clear). */
static bool wait_not_empty(QTestState *s, int timeout_ms)
{
    for (int i = 0; i < timeout_ms; i++) {
        if (!(r8(s, CR) & CR_BUFE)) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

/* A full ring: RXOVW, and the frames wait (none dropped) until CAPR
 * makes room. */
static void test_classic_rx_overflow(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t frame[1500], got[2048];
    uint32_t cur = 0;
    uint16_t status, cbr;

    rx_ring_setup(s, RCR_APM);
    memcpy(frame, nic_mac, 6);
    for (int k = 0; k < 10; k++) {
        memset(frame + 12, k, sizeof(frame) - 12);
        cbr = r16(s, CBR);
        wire_send(&w, frame, 1400);
        /* 5 x 1408 bytes fit the 8 KiB ring, the 6th does not. */
        g_assert_true(wait_r16_change(s, CBR, cbr, k < 5 ? 2000 : 100) ==
                      (k < 5));
    }
    g_assert_cmphex(r16(s, ISR) & INT_RXOVW, ==, INT_RXOVW);
    g_assert_cmpuint(r32(s, MPC), ==, 0);
    for (int j = 0; j < 10; j++) {
        g_assert_true(wait_not_empty(s, 2000));
        g_assert_cmpuint(rx_ring_take(s, &cur, got, false, &status), ==,
                         1400);
        g_assert_cmphex(status, ==, 0x4001);
        g_assert_cmphex(got[100], ==, j);       /* in order, none lost */
    }
    g_assert_false(wait_not_empty(s, 100));
    wire_stop(&w);
}

static void cp_setup(QTestState *s, uint16_t cpcr)
{
    w16(s, CPCR, cpcr | CPCR_TX | CPCR_RX);
    w32(s, TNPDS, CP_TX);
    w32(s, TNPDS + 4, 0);
    w32(s, RDSAR, CP_RX);
    w32(s, RDSAR + 4, 0);
    w8(s, CR, CR_RE | CR_TE);
}

static void put_desc(QTestState *s, uint32_t ring, unsigned i,
                     uint32_t opts1, uint32_t opts2, uint64_t addr)
{
    qtest_writel(s, ring + 16 * i, opts1);
    qtest_writel(s, ring + 16 * i + 4, opts2);
    qtest_writeq(s, ring + 16 * i + 8, addr);
}

static void test_cplus_tx(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t frame[600], got[2048];
    ssize_t n;

    cp_setup(s, 0);
    for (int i = 0; i < 600; i++) {
        frame[i] = i * 11;
    }
    memcpy(frame, "\xff\xff\xff\xff\xff\xff", 6);
    qtest_memwrite(s, CP_BUF, frame, sizeof(frame));
    /* One frame in one descriptor, then one over three. */
    put_desc(s, CP_TX, 0, OWN | FS | LS | 200, 0, CP_BUF);
    put_desc(s, CP_TX, 1, OWN | FS | 100, 0, CP_BUF);
    put_desc(s, CP_TX, 2, OWN | 200, 0, CP_BUF + 100);
    put_desc(s, CP_TX, 3, OWN | EOR | LS | 300, 0, CP_BUF + 300);
    w16(s, IMR, INT_TOK);
    w8(s, TPPOLL, 0x40);
    n = wire_recv(&w, got, sizeof(got), 2000);
    g_assert_cmpint(n, ==, 200);
    g_assert_cmpmem(got, n, frame, 200);
    n = wire_recv(&w, got, sizeof(got), 2000);
    g_assert_cmpint(n, ==, 600);
    g_assert_cmpmem(got, n, frame, 600);
    g_assert_cmphex(qtest_readl(s, CP_TX) & OWN, ==, 0);
    g_assert_cmphex(qtest_readl(s, CP_TX), ==, FS | LS | 200);
    g_assert_cmphex(qtest_readl(s, CP_TX + 48), ==, EOR | LS | 300);
    g_assert_cmphex(r16(s, ISR) & INT_TOK, ==, INT_TOK);
    /* EOR: the next one is entry 0 again, with a VLAN tag to insert
     * (opts2 holds the TCI byte-swapped, as 8139cp writes it). */
    put_desc(s, CP_TX, 0, OWN | FS | LS | EOR | 100, TAGC | 0x2301,
             CP_BUF);
    w8(s, TPPOLL, 0x40);
    n = wire_recv(&w, got, sizeof(got), 2000);
    g_assert_cmpint(n, ==, 104);
    g_assert_cmpmem(got, 12, frame, 12);
    g_assert_cmphex(got[12], ==, 0x81);
    g_assert_cmphex(got[13], ==, 0x00);
    g_assert_cmphex(got[14], ==, 0x01);
    g_assert_cmphex(got[15], ==, 0x23);
    g_assert_cmpmem(got + 16, 88, frame + 12, 88);
    /* Nothing owned: TDU. SWInt on request. */
    w16(s, ISR, 0xffff);
    w8(s, TPPOLL, 0x41);
    g_assert_cmphex(r16(s, ISR) & (INT_TDU | INT_SWINT), ==,
                    INT_TDU | INT_SWINT);
    /* The tally counters: three frames sent. */
    w32(s, DTCCR + 4, 0);
    w32(s, DTCCR, (CP_BUF + 0x1000) | 8);
    g_assert_cmphex(r32(s, DTCCR) & 8, ==, 0);
    g_assert_cmpuint(qtest_readq(s, CP_BUF + 0x1000), ==, 3);
    wire_stop(&w);
}

static void test_cplus_csum(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t f[400], got[2048];
    size_t len;
    ssize_t n;

    cp_setup(s, 0);
    /* TCP: IPCS | TCPCS fill both checksums. */
    len = build_frame(f, nic_mac, 6, 300);
    g_assert_false(frame_csums_ok(f, len));
    qtest_memwrite(s, CP_BUF, f, len);
    put_desc(s, CP_TX, 0, OWN | FS | LS | IPCS | TCPCS | len, 0, CP_BUF);
    /* UDP with IPCS | UDPCS, split over two descriptors. */
    len = build_frame(f, nic_mac, 17, 101);
    qtest_memwrite(s, CP_BUF + 0x800, f, len);
    put_desc(s, CP_TX, 1, OWN | FS | IPCS | UDPCS | 20, 0, CP_BUF + 0x800);
    put_desc(s, CP_TX, 2, OWN | LS | IPCS | UDPCS | (len - 20), 0,
             CP_BUF + 0x800 + 20);
    /* Without offload bits the frame goes as written. */
    put_desc(s, CP_TX, 3, OWN | FS | LS | len, 0, CP_BUF + 0x800);
    w8(s, TPPOLL, 0x40);
    n = wire_recv(&w, got, sizeof(got), 2000);
    g_assert_cmpint(n, ==, 14 + 20 + 20 + 300);
    g_assert_true(frame_csums_ok(got, n));
    n = wire_recv(&w, got, sizeof(got), 2000);
    g_assert_cmpint(n, ==, len);
    g_assert_true(frame_csums_ok(got, n));
    g_assert_cmpmem(got + 42, len - 42, f + 42, len - 42);
    n = wire_recv(&w, got, sizeof(got), 2000);
    g_assert_cmpint(n, ==, len);
    g_assert_false(frame_csums_ok(got, n));
    g_assert_cmpmem(got, n, f, len);
    wire_stop(&w);
}

static void test_cplus_tso(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    static uint8_t f[4000], got[2048];
    size_t len = build_frame(f, nic_mac, 6, 2500);
    uint32_t seq = 0x10203040;
    ssize_t n;

    cp_setup(s, 0);
    qtest_memwrite(s, CP_BUF, f, len);
    put_desc(s, CP_TX, 0, OWN | FS | LGSEN | 1000u << 16 | 54, 0, CP_BUF);
    put_desc(s, CP_TX, 1, OWN | LS | LGSEN | 1000u << 16 | (len - 54), 0,
             CP_BUF + 54);
    w8(s, TPPOLL, 0x40);
    for (int k = 0; k < 3; k++) {
        size_t pay = k < 2 ? 1000 : 500;
        n = wire_recv(&w, got, sizeof(got), 2000);
        g_assert_cmpint(n, ==, 54 + pay);
        g_assert_true(frame_csums_ok(got, n));
        g_assert_cmpuint(got[16] << 8 | got[17], ==, 40 + pay);
        g_assert_cmpuint(got[18] << 8 | got[19], ==, 0x1234 + k);
        g_assert_cmpuint((uint32_t)got[38] << 24 | got[39] << 16 |
                         got[40] << 8 | got[41], ==, seq + 1000 * k);
        /* FIN and PSH only on the last segment. */
        g_assert_cmphex(got[47], ==, k < 2 ? 0x10 : 0x19);
        g_assert_cmpmem(got + 54, pay, f + 54 + 1000 * k, pay);
    }
    g_assert_cmpint(wire_recv(&w, got, sizeof(got), 100), ==, -1);
    /* The status descriptors carry no error bits (MSS bits cleared). */
    g_assert_cmphex(qtest_readl(s, CP_TX + 16) & 0x0fff0000u, ==, 0);
    wire_stop(&w);
}

static void cp_rx_give(QTestState *s, unsigned n, uint32_t size)
{
    for (unsigned i = 0; i < n; i++) {
        put_desc(s, CP_RX, i, OWN | (i == n - 1 ? EOR : 0) | size, 0,
                 CP_BUF + 0x800 * i);
    }
}

static void test_cplus_rx(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t f[2000], got[2048];
    size_t len;
    uint32_t o1;

    qtest_irq_intercept_in(s, "ioapic");
    cp_setup(s, CPCR_RXCSUM | CPCR_RXVLAN);
    w32(s, RCR, RCR_APM | RCR_AB);
    w16(s, IMR, INT_ROK);
    cp_rx_give(s, 4, 1536);

    /* TCP with good checksums: PID TCP, no TCPF. */
    len = build_frame(f, nic_mac, 6, 200);
    {
        /* make the checksums right */
        size_t ihl = 20, tot = len - 14;
        uint16_t c;
        f[24] = f[25] = 0;
        c = ~csum_add(f + 14, ihl, 0);
        f[24] = c >> 8; f[25] = c;
        f[50] = f[51] = 0;
        c = ~csum_add(f + 34, tot - ihl,
                      csum_add(f + 26, 8, 0) + 6 + (uint32_t)(tot - ihl));
        f[50] = c >> 8; f[51] = c;
    }
    g_assert_true(frame_csums_ok(f, len));
    wire_send(&w, f, len);
    g_assert_true(wait_isr(s, INT_ROK, 2000));
    g_assert_true(qtest_get_irq(s, NIC_GSI));
    o1 = qtest_readl(s, CP_RX);
    g_assert_cmphex(o1 & (OWN | FS | LS), ==, FS | LS);
    g_assert_cmphex(o1 & 0x1fff, ==, len + 4);
    g_assert_cmphex(o1 & (3u << 16), ==, RX_PID_TCP);
    g_assert_cmphex(o1 & (RX_TCPF | RX_IPF), ==, 0);
    g_assert_cmphex(o1 & (1u << 25), ==, 1u << 25);    /* PAM */
    qtest_memread(s, CP_BUF, got, len + 4);
    g_assert_cmpmem(got, len, f, len);
    w16(s, ISR, INT_ROK);
    g_assert_false(qtest_get_irq(s, NIC_GSI));

    /* A bad TCP checksum sets TCPF. */
    f[51] ^= 0xff;
    wire_send(&w, f, len);
    g_assert_true(wait_isr(s, INT_ROK, 2000));
    o1 = qtest_readl(s, CP_RX + 16);
    g_assert_cmphex(o1 & (OWN | FS | LS | RX_TCPF), ==, FS | LS | RX_TCPF);
    w16(s, ISR, INT_ROK);

    /* A tagged broadcast: the tag moves to opts2 (TAVA). */
    memset(f, 0x33, 100);
    memcpy(f, "\xff\xff\xff\xff\xff\xff", 6);
    f[12] = 0x81; f[13] = 0x00; f[14] = 0x01; f[15] = 0x23;
    f[16] = 0x08; f[17] = 0x06;
    wire_send(&w, f, 100);
    g_assert_true(wait_isr(s, INT_ROK, 2000));
    o1 = qtest_readl(s, CP_RX + 32);
    g_assert_cmphex(o1 & 0x1fff, ==, 96 + 4);
    g_assert_cmphex(o1 & (1u << 24), ==, 1u << 24);    /* BAR */
    g_assert_cmphex(qtest_readl(s, CP_RX + 36), ==, RX_TAVA | 0x2301);
    qtest_memread(s, CP_BUF + 0x1000, got, 96);
    g_assert_cmpmem(got, 12, f, 12);
    g_assert_cmpmem(got + 12, 84, f + 16, 84);
    w16(s, ISR, INT_ROK);

    /* A frame larger than one buffer spans descriptors: 3 + EOR wrap. */
    memset(f, 0x44, 1500);
    memcpy(f, nic_mac, 6);
    f[12] = 0x88; f[13] = 0xb5;
    put_desc(s, CP_RX, 3, OWN | EOR | 1024, 0, CP_BUF + 0x1800);
    put_desc(s, CP_RX, 0, OWN | 1024, 0, CP_BUF);
    wire_send(&w, f, 1500);
    g_assert_true(wait_isr(s, INT_ROK, 2000));
    o1 = qtest_readl(s, CP_RX + 48);
    g_assert_cmphex(o1 & (OWN | FS | LS | EOR), ==, FS | EOR);
    o1 = qtest_readl(s, CP_RX);
    g_assert_cmphex(o1 & (OWN | FS | LS), ==, LS);
    g_assert_cmphex(o1 & 0x1fff, ==, 1504);
    wire_stop(&w);
}

/* No descriptor owned: RDU (RXOVW) and the frame waits until the driver
 * gives one back and acknowledges. */
static void test_cplus_rx_hold(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t f[200];

    cp_setup(s, 0);
    w32(s, RCR, RCR_APM);
    put_desc(s, CP_RX, 0, EOR | 1536, 0, CP_BUF);      /* not ours */
    memset(f, 0x66, sizeof(f));
    memcpy(f, nic_mac, 6);
    wire_send(&w, f, sizeof(f));
    g_assert_true(wait_isr(s, INT_RXOVW, 2000));
    g_assert_cmphex(r16(s, ISR) & INT_ROK, ==, 0);
    put_desc(s, CP_RX, 0, OWN | EOR | 1536, 0, CP_BUF);
    w16(s, ISR, INT_RXOVW);
    g_assert_true(wait_isr(s, INT_ROK, 2000));
    g_assert_cmphex(qtest_readl(s, CP_RX) & 0x1fff, ==, 204);
    g_assert_cmphex(qtest_readb(s, CP_BUF + 199), ==, 0x66);
    wire_stop(&w);
}

static void test_timer(void)
{
    QTestState *s = qtest_initf("-device rtl8139,addr=%02x.0", NIC_SLOT);
    uint32_t t0, t1;

    nic_pci_setup(s);
    qtest_irq_intercept_in(s, "ioapic");
    w32(s, TCTR, 0);
    t0 = r32(s, TCTR);
    qtest_clock_step(s, 1000000);               /* 1 ms: 33000 clocks */
    t1 = r32(s, TCTR);
    g_assert_cmpuint(t1 - t0, >=, 32990);
    g_assert_cmpuint(t1 - t0, <=, 33010);
    w16(s, IMR, INT_TIMEOUT);
    w32(s, TCTR, 0);
    w32(s, TIMERINT, 66000);                    /* 2 ms */
    qtest_clock_step(s, 1900000);
    g_assert_cmphex(r16(s, ISR) & INT_TIMEOUT, ==, 0);
    g_assert_false(qtest_get_irq(s, NIC_GSI));
    qtest_clock_step(s, 200000);
    g_assert_cmphex(r16(s, ISR) & INT_TIMEOUT, ==, INT_TIMEOUT);
    g_assert_true(qtest_get_irq(s, NIC_GSI));
    w16(s, ISR, INT_TIMEOUT);
    g_assert_false(qtest_get_irq(s, NIC_GSI));
    qtest_quit(s);
}

/* Hostile descriptors and lengths: nothing hangs, nothing crashes, the
 * device still works afterwards. */
static void test_hostile(void)
{
    Wire w = wire_start();
    QTestState *s = w.qts;
    uint8_t f[200], got[2048];
    size_t len;
    GRand *r = g_rand_new_with_seed(8139);

    cp_setup(s, CPCR_RXCSUM);
    w32(s, RCR, RCR_APM | RCR_AB | RCR_AAP);
    /* 64 owned descriptors, no LS, no EOR: one pass, then stop. */
    for (int i = 0; i < 64; i++) {
        put_desc(s, CP_TX, i, OWN | (i == 0 ? FS : 0) | 0xffff, 0, CP_BUF);
    }
    w8(s, TPPOLL, 0x40);
    g_assert_cmphex(qtest_readl(s, CP_TX + 63 * 16) & OWN, ==, 0);
    g_assert_cmpint(wire_recv(&w, got, sizeof(got), 100), ==, -1);
    /* Descriptors pointing outside RAM, a ring at the top of memory. */
    put_desc(s, CP_TX, 0, OWN | FS | LS | EOR | 100, 0, 0xfffffffff000ull);
    w8(s, TPPOLL, 0x40);
    w32(s, TNPDS, 0xfffffff0);
    w8(s, TPPOLL, 0x40);
    w32(s, TNPDS, CP_TX);
    /* TSO with MSS 0, with a header longer than the frame, on UDP. */
    len = build_frame(f, nic_mac, 6, 100);
    qtest_memwrite(s, CP_BUF, f, len);
    put_desc(s, CP_TX, 0, OWN | FS | LS | LGSEN | len, 0, CP_BUF);
    f[46] = 0xf0;                               /* 60-byte TCP header */
    qtest_memwrite(s, CP_BUF + 0x400, f, 60);
    put_desc(s, CP_TX, 1, OWN | FS | LS | LGSEN | 10u << 16 | 60, 0,
             CP_BUF + 0x400);
    len = build_frame(f, nic_mac, 17, 100);
    qtest_memwrite(s, CP_BUF + 0x800, f, len);
    put_desc(s, CP_TX, 2, OWN | FS | LS | LGSEN | 10u << 16 | len, 0,
             CP_BUF + 0x800);
    /* IP total length far beyond the frame, IHL 15 with a short frame. */
    len = build_frame(f, nic_mac, 6, 100);
    f[16] = 0xff; f[17] = 0xff;
    qtest_memwrite(s, CP_BUF + 0xc00, f, len);
    put_desc(s, CP_TX, 3, OWN | FS | LS | LGSEN | 8u << 16 | len, 0,
             CP_BUF + 0xc00);
    f[14] = 0x4f;
    qtest_memwrite(s, CP_BUF + 0x1000, f, 40);
    put_desc(s, CP_TX, 4, OWN | FS | LS | IPCS | TCPCS | 40, 0,
             CP_BUF + 0x1000);
    put_desc(s, CP_TX, 5, 0, 0, 0);
    w8(s, TPPOLL, 0x40);
    /* Only the oversized-IP-length frame is sent (segmented by the
     * frame's real length: 100 bytes in 8-byte segments), and the
     * IHL-15 one as it was. */
    for (int k = 0; k < 13; k++) {
        ssize_t n = wire_recv(&w, got, sizeof(got), 2000);
        g_assert_cmpint(n, ==, k < 12 ? 54 + 8 : 60);   /* padded */
    }
    g_assert_cmpint(wire_recv(&w, got, sizeof(got), 2000), ==, 60);
    g_assert_cmpint(wire_recv(&w, got, sizeof(got), 100), ==, -1);

    /* Receive: zero-size descriptors all round the ring (no hang, the
     * frame is dropped with RER), then a ring without EOR. */
    for (int i = 0; i < 64; i++) {
        put_desc(s, CP_RX, i, OWN | (i == 63 ? EOR : 0), 0, CP_BUF);
    }
    w32(s, RDSAR, CP_RX);
    memset(f, 0x77, sizeof(f));
    memcpy(f, nic_mac, 6);
    w16(s, ISR, 0xffff);
    wire_send(&w, f, sizeof(f));
    g_assert_true(wait_isr(s, INT_RER, 2000));
    w16(s, ISR, 0xffff);
    for (int i = 0; i < 64; i++) {
        put_desc(s, CP_RX, i, OWN | 10, 0, 0xfffffffff000ull + i);
    }
    wire_send(&w, f, sizeof(f));
    g_assert_true(wait_isr(s, INT_ROK | INT_RER, 2000));

    /* Normal mode: a receive ring where CAPR points anywhere. */
    w8(s, CR, CR_RST);
    w32(s, RBSTART, 0xfffff000);
    w32(s, RCR, RCR_AAP | RCR_AB | 3 << 11);    /* 64 KiB */
    w8(s, CR, CR_RE | CR_TE);
    w16(s, CAPR, 0x1234);
    w16(s, ISR, 0xffff);
    wire_send(&w, f, sizeof(f));
    g_assert_true(wait_isr(s, INT_ROK | INT_RER, 2000));

    /* Random register writes. */
    for (int i = 0; i < 3000; i++) {
        uint32_t off = g_rand_int_range(r, 0, 0x100);
        uint32_t v = g_rand_int(r);
        if (off == CR && (v & CR_RST)) {
            v &= ~CR_RST;
        }
        switch (g_rand_int_range(r, 0, 3)) {
        case 0: w8(s, off, v); break;
        case 1: w16(s, off & ~1u, v); break;
        default: w32(s, off & ~3u, v); break;
        }
        if (i % 300 == 0) {
            wire_send(&w, f, sizeof(f));
        }
    }
    g_rand_free(r);

    /* Still working: reset and send a normal-mode frame. */
    w8(s, CR, CR_RST);
    w32(s, TCR, 0);                             /* no loopback */
    w8(s, CR, CR_TE);
    memset(f, 0x21, sizeof(f));
    qtest_memwrite(s, TX_BUF, f, 100);
    w32(s, TSAD0, TX_BUF);
    w32(s, TSD0, 100);
    for (int tries = 0; tries < 500; tries++) {
        ssize_t n = wire_recv(&w, got, sizeof(got), 1000);
        g_assert_cmpint(n, >, 0);
        if (n == 100 && !memcmp(got, f, 100)) {
            break;
        }
    }
    g_assert_cmphex(r32(s, TSD0) & TSD_TOK, ==, TSD_TOK);
    wire_stop(&w);
}

/* The iPXE option ROM from Debian's ipxe-qemu, with the PCI data
 * structure naming this device, where SeaBIOS looks for it. */
static void test_option_rom(void)
{
    QTestState *s;
    uint32_t size, pcir;

    if (!g_file_test("/usr/lib/ipxe/qemu/pxe-rtl8139.rom", G_FILE_TEST_EXISTS)) {
        g_test_skip("ipxe-qemu is not installed");
        return;
    }
    s = qtest_initf("-device rtl8139,addr=%02x.0", NIC_SLOT);
    qtest_pci_config_writel(s, NIC_DEVFN, 0x30, 0xfffffffe);
    size = ~(qtest_pci_config_readl(s, NIC_DEVFN, 0x30) & ~0x7ffu) + 1;
    g_assert_cmpuint(size, >=, 8192);
    qtest_pci_config_writel(s, NIC_DEVFN, 0x30, ROM_ADDR | 1);
    qtest_pci_config_writew(s, NIC_DEVFN, 0x04, 0x0002);
    g_assert_cmphex(qtest_readw(s, ROM_ADDR), ==, 0xaa55);
    pcir = qtest_readw(s, ROM_ADDR + 0x18);
    g_assert_cmphex(qtest_readl(s, ROM_ADDR + pcir), ==, 0x52494350);
    g_assert_cmphex(qtest_readw(s, ROM_ADDR + pcir + 4), ==, 0x10ec);
    g_assert_cmphex(qtest_readw(s, ROM_ADDR + pcir + 6), ==, 0x8139);
    qtest_quit(s);

    /* romfile= (empty): no ROM BAR. */
    s = qtest_initf("-device rtl8139,addr=%02x.0,romfile=", NIC_SLOT);
    qtest_pci_config_writel(s, NIC_DEVFN, 0x30, 0xfffffffe);
    g_assert_cmphex(qtest_pci_config_readl(s, NIC_DEVFN, 0x30), ==, 0);
    qtest_quit(s);
}

/* -nic user,model=rtl8139 with libslirp: a DHCP DISCOVER from the C+
 * transmit ring gets an OFFER into the receive ring. */
static void test_slirp_dhcp(void)
{
    QTestState *s = qtest_initf("-nic user,model=rtl8139,mac=52:54:00:12:"
                                "34:56");
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint8_t f[700], got[2048];
    int devfn = -1;
    size_t len;
    uint16_t c;

    for (int slot = 1; slot < 32 && devfn < 0; slot++) {
        if (qtest_pci_config_readl(s, slot << 3, 0) == 0x813910ec) {
            devfn = slot << 3;
        }
    }
    g_assert_cmpint(devfn, >=, 0);
    qtest_pci_config_writel(s, devfn, 0x14, BAR1);
    qtest_pci_config_writew(s, devfn, 0x04, 0x0006);
    cp_setup(s, CPCR_RXCSUM);
    w32(s, RCR, RCR_APM | RCR_AB);
    cp_rx_give(s, 4, 1536);

    len = build_frame(f, bcast, 17, 548);
    memcpy(f + 6, nic_mac, 6);
    memset(f + 26, 0, 4);
    memset(f + 30, 0xff, 4);
    f[34] = 0; f[35] = 68; f[36] = 0; f[37] = 67;
    memset(f + 42, 0, 548);
    f[42] = 1; f[43] = 1; f[44] = 6;
    f[46] = 0xde; f[47] = 0xad; f[48] = 0xbe; f[49] = 0xef;
    f[52] = 0x80;
    memcpy(f + 42 + 28, nic_mac, 6);
    f[42 + 236] = 99; f[42 + 237] = 130; f[42 + 238] = 83;
    f[42 + 239] = 99;
    f[42 + 240] = 53; f[42 + 241] = 1; f[42 + 242] = 1; f[42 + 243] = 255;
    f[24] = f[25] = 0;
    c = ~csum_add(f + 14, 20, 0);
    f[24] = c >> 8;
    f[25] = c;
    f[40] = f[41] = 0;                          /* no UDP checksum */
    qtest_memwrite(s, TX_BUF, f, len);
    put_desc(s, CP_TX, 0, OWN | FS | LS | EOR | len, 0, TX_BUF);
    w8(s, TPPOLL, 0x40);
    g_assert_true(wait_isr(s, INT_ROK, 5000));
    g_assert_cmphex(qtest_readl(s, CP_RX) & (OWN | FS | LS), ==, FS | LS);
    qtest_memread(s, CP_BUF, got, 300);
    g_assert_cmphex(got[23], ==, 17);                   /* UDP */
    g_assert_cmphex(got[36] << 8 | got[37], ==, 68);    /* to the client */
    g_assert_cmphex(got[42], ==, 2);                    /* BOOTREPLY */
    g_assert_cmpmem(got + 46, 4, "\xde\xad\xbe\xef", 4);
    g_assert_cmphex(got[58], ==, 10);                   /* yiaddr 10.x */
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtl8139/pci-ids", test_pci_ids);
    g_test_add_func("/rtl8139/eeprom", test_eeprom);
    g_test_add_func("/rtl8139/reset", test_reset);
    g_test_add_func("/rtl8139/classic-tx", test_classic_tx);
    g_test_add_func("/rtl8139/classic-rx", test_classic_rx);
    g_test_add_func("/rtl8139/classic-rx-wrap-bit", test_classic_rx_wrap_bit);
    g_test_add_func("/rtl8139/classic-rx-overflow", test_classic_rx_overflow);
    g_test_add_func("/rtl8139/cplus-tx", test_cplus_tx);
    g_test_add_func("/rtl8139/cplus-csum", test_cplus_csum);
    g_test_add_func("/rtl8139/cplus-tso", test_cplus_tso);
    g_test_add_func("/rtl8139/cplus-rx", test_cplus_rx);
    g_test_add_func("/rtl8139/cplus-rx-hold", test_cplus_rx_hold);
    g_test_add_func("/rtl8139/timer", test_timer);
    g_test_add_func("/rtl8139/hostile", test_hostile);
    g_test_add_func("/rtl8139/option-rom", test_option_rom);
    g_test_add_func("/rtl8139/slirp-dhcp", test_slirp_dhcp);
    return g_test_run();
}
