/*
 * Realtek RTL8139C+ 10/100 Fast Ethernet controller, PCI 10EC:8139
 * revision 20h, as QEMU's "rtl8139" (Linux drives this revision with
 * 8139cp; 8139too refuses it). Follows the "RTL8139C(L)+ Advanced PCI
 * Fast Ethernet Controller with Power Management" datasheet (Realtek,
 * rev. 1.6): section 5 (register descriptions), 6 (EEPROM 93C46
 * contents), 9/10 (normal-mode transmit and receive), 11 (C+ mode
 * descriptors, checksum offload, large send, VLAN), plus the Realtek
 * "RTL8139(A/B) Programming guide" for the receive ring.
 *
 * Emulated: BAR0 (256 bytes of I/O) and BAR1 (256 bytes of memory), the
 * same registers in both; IDR/MAR; CR (software reset, RE, TE, BUFE);
 * IMR/ISR (write 1 to clear) driving INTA; TCR (hardware version of the
 * 8139C+, loopback) and RCR (AAP/APM/AM/AB filters with the MAR hash,
 * RBLEN, WRAP); 9346CR with the 93C46 EEPROM bit-banged through it (read,
 * write, EWEN/EWDS; auto-load reloads IDR), CONFIG0-5 behind the config
 * write-enable; the internal PHY's BMCR/BMSR/ANAR/ANLPAR/ANER and MSR
 * (link always up, 100 Mb/s full duplex); TCTR counting at the 33 MHz
 * PCI clock with the TimerInt (TimeOut) interrupt; normal mode: the four
 * TSAD/TSD transmit descriptors used round-robin and the receive ring
 * (RBSTART, CAPR, CBR, the 4-byte status/length header, CRC appended,
 * dword alignment, WRAP); C+ mode (CPCR): normal and high priority
 * transmit rings (TNPDS/THPDS, TPPoll) and the receive ring (RDSAR) of
 * 16-byte descriptors, IP/TCP/UDP checksum insertion, large send (TCP
 * segmentation by MSS), receive checksum checking (PID/IPF/UDPF/TCPF),
 * VLAN tag insertion and removal, the tally counter dump (DTCCR); MPC;
 * the option ROM (Debian's ipxe-qemu pxe-rtl8139.rom).
 * Not emulated: early transmit/receive thresholds (frames move whole),
 * collisions and the other wire errors, wake-on-LAN (the wakeup frame
 * registers are stored only), power management, the CardBus function
 * event registers (stored only), interrupt mitigation (IntrMitigate is
 * stored only), EEPROM ERASE/ERAL/WRAL, the PHY parameter registers
 * (stored only).
 *
 * Guests are hostile: every DMA goes through pci_dma_read/write (a
 * disabled bus master or an unassigned address fails; DMA into our own
 * registers is refused), frame lengths are bounded by the buffers, a
 * TPPoll walks at most one ring (64 descriptors), a frame spanning
 * descriptors is bounded by the 64 KiB assembly buffer, large send uses
 * the frame's real length (never the guest's IP total length) and
 * refuses MSS 0 or headers longer than the frame, the receive ring
 * offsets are reduced modulo the ring size.
 */
#include "hw/pci/pci.h"
#include "hw/machine.h"
#include "net/checksum.h"
#include "net/net.h"
#include "softmmu/memory.h"
#include "softmmu/timer.h"

#define RTL8139_VENDOR_ID       0x10ec
#define RTL8139_DEVICE_ID       0x8139
#define RTL8139_REVISION        0x20        /* C+: Linux picks 8139cp */
#define RTL8139_CLASS           0x020000    /* Ethernet controller */
#define RTL8139_REGS_SIZE       0x100
#define RTL8139_PCI_CLOCK_HZ    33000000LL  /* TCTR counts PCI clocks */

/* --- registers (datasheet section 5), offsets into BAR0 or BAR1 --- */

#define RTL_IDR0        0x00    /* 6 bytes: the MAC address */
#define RTL_MAR0        0x08    /* 8 bytes: multicast hash */
#define RTL_TSD0        0x10    /* 4 x 32: transmit status (normal) */
#define RTL_DTCCR       0x10    /* 64: dump tally counters (C+) */
#define  RTL_DTCCR_CMD          0x08
#define RTL_TSAD0       0x20    /* 4 x 32: transmit address (normal) */
#define RTL_TNPDS       0x20    /* 64: normal priority ring (C+) */
#define RTL_THPDS       0x28    /* 64: high priority ring (C+) */
#define RTL_RBSTART     0x30
#define RTL_ERBCR       0x34    /* 16 */
#define RTL_ERSR        0x36    /* 8 */
#define RTL_CR          0x37    /* 8 */
#define  RTL_CR_BUFE            0x01
#define  RTL_CR_TE              0x04
#define  RTL_CR_RE              0x08
#define  RTL_CR_RST             0x10
#define RTL_CAPR        0x38    /* 16 */
#define RTL_CBR         0x3a    /* 16 */
#define RTL_IMR         0x3c    /* 16 */
#define RTL_ISR         0x3e    /* 16 */
#define  RTL_INT_ROK            0x0001
#define  RTL_INT_RER            0x0002
#define  RTL_INT_TOK            0x0004
#define  RTL_INT_TER            0x0008
#define  RTL_INT_RXOVW          0x0010  /* C+: RDU, no receive descriptor */
#define  RTL_INT_PUN            0x0020  /* packet underrun / link change */
#define  RTL_INT_FOVW           0x0040
#define  RTL_INT_TDU            0x0080  /* C+: no transmit descriptor */
#define  RTL_INT_SWINT          0x0100  /* C+ */
#define  RTL_INT_LENCHG         0x2000
#define  RTL_INT_TIMEOUT        0x4000
#define  RTL_INT_SERR           0x8000
#define  RTL_INT_MASK           0xe1ff
#define RTL_TCR         0x40    /* 32 */
#define  RTL_TCR_CLRABT         0x00000001
#define  RTL_TCR_LBK_SHIFT      17
#define  RTL_TCR_LBK_MASK       (3u << 17)
#define  RTL_TCR_WMASK          0x030707f1u /* IFG, LBK, CRC, MXDMA, TXRR */
#define  RTL_TCR_HWVERID        0x74800000u /* RTL8139C+ (30:26, 23:22) */
#define RTL_RCR         0x44    /* 32 */
#define  RTL_RCR_AAP            0x0001
#define  RTL_RCR_APM            0x0002
#define  RTL_RCR_AM             0x0004
#define  RTL_RCR_AB             0x0008
#define  RTL_RCR_WRAP           0x0080
#define  RTL_RCR_RBLEN_SHIFT    11
#define  RTL_RCR_WMASK          0x0f03ffbfu
#define RTL_TCTR        0x48    /* 32 */
#define RTL_MPC         0x4c    /* 32: missed packets (24 bits) */
#define RTL_9346CR      0x50    /* 8 */
#define  RTL_9346_EEDO          0x01
#define  RTL_9346_EEDI          0x02
#define  RTL_9346_EESK          0x04
#define  RTL_9346_EECS          0x08
#define  RTL_9346_EEM_SHIFT     6
#define  RTL_EEM_NORMAL         0
#define  RTL_EEM_AUTOLOAD       1
#define  RTL_EEM_PROGRAM        2
#define  RTL_EEM_CONFIG         3
#define RTL_CONFIG0     0x51
#define RTL_CONFIG1     0x52
#define  RTL_CONFIG1_IOMAP      0x04
#define  RTL_CONFIG1_MEMMAP     0x08
#define RTL_TIMERINT    0x54    /* 32 */
#define RTL_MSR         0x58    /* 8: media status */
#define  RTL_MSR_LINKB          0x04    /* 1: link down */
#define  RTL_MSR_SPEED_10       0x08
#define RTL_CONFIG3     0x59
#define RTL_CONFIG4     0x5a
#define RTL_HLTCLK      0x5b    /* 8139too writes 'R'/'H' here */
#define RTL_MULINT      0x5c    /* 16 */
#define RTL_RERID       0x5e    /* 8 */
#define RTL_TSAD        0x60    /* 16: transmit status of all descs */
#define RTL_BMCR        0x62    /* 16 */
#define  RTL_BMCR_RESET         0x8000
#define  RTL_BMCR_SPD100        0x2000
#define  RTL_BMCR_ANE           0x1000
#define  RTL_BMCR_RESTART       0x0200
#define  RTL_BMCR_DUPLEX        0x0100
#define RTL_BMSR        0x64    /* 16 */
#define  RTL_BMSR_DEFAULT       0x782d  /* 10/100 HD/FD, AN done, link */
#define RTL_ANAR        0x66
#define RTL_ANLPAR      0x68
#define RTL_ANER        0x6a
#define RTL_DIS         0x6c
#define RTL_FCSC        0x6e
#define RTL_NWAYTR      0x70
#define RTL_REC         0x72
#define RTL_CSCR        0x74
#define RTL_PHY1_PARM   0x78    /* 32 */
#define RTL_TW_PARM     0x7c    /* 32 */
#define RTL_PHY2_PARM   0x80    /* 8 */
#define RTL_WAKE_BASE   0x84    /* CRC0-7, Wakeup0-7, LSBCRC0-7 */
#define RTL_WAKE_END    0xd4
#define RTL_CONFIG5     0xd8
#define RTL_TPPOLL      0xd9    /* 8 */
#define  RTL_TPPOLL_FSWINT      0x01
#define  RTL_TPPOLL_NPQ         0x40
#define  RTL_TPPOLL_HPQ         0x80
#define RTL_CPCR        0xe0    /* 16: C+ command */
#define  RTL_CPCR_TXENB         0x0001
#define  RTL_CPCR_RXENB         0x0002
#define  RTL_CPCR_MULRW         0x0008
#define  RTL_CPCR_DAC           0x0010
#define  RTL_CPCR_RXCHKSUM      0x0020
#define  RTL_CPCR_RXVLAN        0x0040
#define  RTL_CPCR_WMASK         0x007b
#define RTL_INTRMIT     0xe2    /* 16: interrupt mitigation */
#define RTL_RDSAR       0xe4    /* 64: C+ receive ring */
#define RTL_ETTH        0xec    /* 8: early transmit threshold */
#define RTL_FER         0xf0    /* 32 x 4: CardBus function events */

/* Normal-mode transmit status (TSD0-3). */
#define RTL_TSD_SIZE_MASK       0x00001fffu
#define RTL_TSD_OWN             0x00002000u
#define RTL_TSD_TUN             0x00004000u
#define RTL_TSD_TOK             0x00008000u
#define RTL_TSD_ERTXTH_MASK     0x003f0000u
#define RTL_TSD_TABT            0x40000000u
#define RTL_TX_MAX_NORMAL       1792    /* largest normal-mode frame */

/* Normal-mode receive header status (the first 16 bits of each entry). */
#define RTL_RXS_ROK             0x0001
#define RTL_RXS_BAR             0x2000
#define RTL_RXS_PAM             0x4000
#define RTL_RXS_MAR             0x8000

/* C+ descriptors (section 11): opts1, opts2, buffer address (64). */
#define CP_DESC_SIZE            16
#define CP_RING_MAX             64      /* descriptors per ring */
#define CP_OWN                  (1u << 31)
#define CP_EOR                  (1u << 30)
#define CP_FS                   (1u << 29)
#define CP_LS                   (1u << 28)
#define CP_TX_LGSEN             (1u << 27)
#define CP_TX_MSS_SHIFT         16
#define CP_TX_MSS_MASK          0x7ff
#define CP_TX_IPCS              (1u << 18)
#define CP_TX_UDPCS             (1u << 17)
#define CP_TX_TCPCS             (1u << 16)
#define CP_TX_LEN_MASK          0xffff
#define CP_TX_TAGC              (1u << 17)  /* opts2 */
#define CP_RX_MAR               (1u << 26)
#define CP_RX_PAM               (1u << 25)
#define CP_RX_BAR               (1u << 24)
#define CP_RX_RES               (1u << 20)
#define CP_RX_PID_SHIFT         16          /* 1 TCP, 2 UDP, 3 IP */
#define CP_RX_IPF               (1u << 15)
#define CP_RX_UDPF              (1u << 14)
#define CP_RX_TCPF              (1u << 13)
#define CP_RX_LEN_MASK          0x1fff
#define CP_RX_TAVA              (1u << 16)  /* opts2 */

#define RTL_FCS_LEN             4
#define RTL_MAX_RX_FRAME        (CP_RX_LEN_MASK - RTL_FCS_LEN)
#define RTL_TX_BUF_SIZE         NET_MAX_FRAME       /* one C+ frame */
#define RTL_SEG_BUF_SIZE        2304    /* headers + MSS (11 bits) + tag */
#define RTL_EEPROM_WORDS        64      /* 93C46 in 16-bit mode */

enum {
    EE_IDLE,            /* waiting for the start bit */
    EE_CMD,             /* opcode and address */
    EE_READ,            /* shifting data out */
    EE_WRITE_DATA,      /* shifting data in */
    EE_DONE,            /* command complete until CS drops */
};

typedef struct RTL8139State {
    PCIDevice pci;

    /* guest-visible state */
    uint8_t idr[6];
    uint8_t mar[8];
    uint32_t tsd[4];            /* C+: DTCCR in tsd[0..1] */
    uint32_t tsad[4];           /* C+: TNPDS tsad[0..1], THPDS [2..3] */
    uint32_t rbstart;
    uint16_t erbcr;
    uint8_t ersr;
    uint8_t cr;                 /* RE, TE (RST and BUFE are derived) */
    uint16_t capr, cbr;
    uint16_t imr, isr;
    uint32_t tcr, rcr;
    int64_t tctr_base;          /* virtual ns at which TCTR was 0 */
    uint32_t mpc;
    uint8_t cr9346;
    uint8_t config0, config1, config3, config4, config5;
    uint32_t timerint;
    uint16_t mulint;
    uint16_t bmcr, anar, dis, fcsc, nwaytr, rec, cscr;
    uint32_t phy1_parm, tw_parm;
    uint8_t phy2_parm;
    uint8_t wake[RTL_WAKE_END - RTL_WAKE_BASE];
    uint16_t cpcr, intrmit;
    uint32_t rdsar[2];
    uint8_t etth;
    uint32_t femr;
    /* normal-mode transmit: next descriptor and those handed to us */
    uint8_t tx_next;
    uint8_t tx_pending;         /* bit i: TSDi written with OWN clear */
    /* C+ mode ring positions and the frame being gathered */
    uint32_t cp_tx_idx[2];      /* normal, high priority */
    uint32_t cp_rx_idx;
    bool cp_tx_in_frame;
    bool cp_tx_drop;
    uint32_t cp_tx_len;
    uint32_t cp_tx_opts1, cp_tx_opts2;  /* of the first descriptor */
    /* 93C46 EEPROM */
    uint16_t eeprom[RTL_EEPROM_WORDS];
    uint8_t ee_state, ee_bits, ee_addr;
    uint16_t ee_shift;
    bool ee_do, ee_sk, ee_we;
    /* tally counters (DTCCR dump layout) */
    uint64_t tc_tx_ok, tc_rx_ok, tc_tx_err;
    uint32_t tc_rx_err;
    uint16_t tc_miss, tc_fae;
    uint32_t tc_tx_1col, tc_tx_mcol;
    uint64_t tc_rx_phys, tc_rx_bcast;
    uint32_t tc_rx_mcast;
    uint16_t tc_tx_abt, tc_tx_undrn;

    /* wiring */
    char *netdev;               /* "netdev" property */
    char *macstr;               /* "mac" property */
    char *romfile;              /* "romfile" property */
    MACAddr mac;
    NetClientState *nc;
    MemoryRegion *io, *mmio, *rom;
    Timer *timer;               /* TCTR reaching TimerInt */
    uint8_t *tx_buf;            /* RTL_TX_BUF_SIZE + room for a tag */
    uint8_t *seg_buf;           /* one large-send segment */
    uint8_t *rx_buf;
    bool tx_blocked;            /* the back end is full: wait for sent */
    int dma_depth;              /* > 0 while we do DMA: reentry guard */
} RTL8139State;

static void rtl8139_classic_tx(RTL8139State *s);
static void rtl8139_cp_tx(RTL8139State *s, int ring);
static ssize_t rtl8139_do_receive(RTL8139State *s, const uint8_t *buf,
                                  size_t len);

static RTL8139State *rtl8139_from_device(Device *dev)
{
    return container_of(dev, RTL8139State, pci.dev);
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

static inline uint32_t ld32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void st32(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static inline void st16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static inline void st64(uint8_t *p, uint64_t v)
{
    st32(p, v);
    st32(p + 4, v >> 32);
}

/* --- interrupts ------------------------------------------------------------ */

/* INTA is asserted while ISR & IMR is non-zero (section 5, ISR). */
static void rtl8139_update_irq(RTL8139State *s)
{
    pci_set_irq(&s->pci, (s->isr & s->imr & RTL_INT_MASK) != 0);
}

static void rtl8139_set_isr(RTL8139State *s, uint16_t bits)
{
    s->isr |= bits;
    rtl8139_update_irq(s);
}

/* --- DMA ---------------------------------------------------------------------- */

static bool rtl8139_dma_read(RTL8139State *s, uint64_t addr, void *buf,
                             size_t len)
{
    bool ok;

    s->dma_depth++;
    ok = pci_dma_read(&s->pci, addr, buf, len);
    s->dma_depth--;
    return ok;
}

static bool rtl8139_dma_write(RTL8139State *s, uint64_t addr,
                              const void *buf, size_t len)
{
    bool ok;

    s->dma_depth++;
    ok = pci_dma_write(&s->pci, addr, buf, len);
    s->dma_depth--;
    return ok;
}

/* --- timer (TCTR, TimerInt) ------------------------------------------------ */

static uint32_t rtl8139_tctr(RTL8139State *s)
{
    int64_t ns = clock_get_ns(CLOCK_VIRTUAL) - s->tctr_base;

    return (uint64_t)ns * RTL8139_PCI_CLOCK_HZ / NANOSECONDS_PER_SECOND;
}

/* Arms the timer for the next time TCTR equals TimerInt (0: off). */
static void rtl8139_timer_arm(RTL8139State *s)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    int64_t period = (int64_t)(1ULL << 32) * NANOSECONDS_PER_SECOND /
                     RTL8139_PCI_CLOCK_HZ;
    int64_t at;

    if (!s->timer) {
        return;
    }
    if (!s->timerint) {
        timer_del(s->timer);
        return;
    }
    at = s->tctr_base + ((int64_t)s->timerint * NANOSECONDS_PER_SECOND +
                         RTL8139_PCI_CLOCK_HZ - 1) / RTL8139_PCI_CLOCK_HZ;
    if (at <= now) {
        at += ((now - at) / period + 1) * period;
    }
    timer_mod(s->timer, at);
}

static void rtl8139_timer_cb(void *opaque)
{
    RTL8139State *s = opaque;

    rtl8139_set_isr(s, RTL_INT_TIMEOUT);
    rtl8139_timer_arm(s);               /* again after TCTR wraps */
}

/* --- 93C46 EEPROM behind 9346CR (section 6) ---------------------------- */

/* Contents as the datasheet's table: 8129h signature, IDs, MAC at word 7. */
static void rtl8139_eeprom_init(RTL8139State *s)
{
    memset(s->eeprom, 0, sizeof(s->eeprom));
    s->eeprom[0] = 0x8129;
    s->eeprom[1] = RTL8139_VENDOR_ID;
    s->eeprom[2] = RTL8139_DEVICE_ID;
    s->eeprom[3] = PCI_SUBVENDOR_ID_REDHAT_QUMRANET;
    s->eeprom[4] = PCI_SUBDEVICE_ID_QEMU;
    s->eeprom[5] = 0x4020;              /* MAX_LAT 40h, MIN_GNT 20h */
    for (int i = 0; i < 3; i++) {
        s->eeprom[7 + i] = s->mac.a[2 * i] | s->mac.a[2 * i + 1] << 8;
    }
}

/* Auto-load (EEM = 01b): the MAC comes back from the EEPROM. */
static void rtl8139_eeprom_autoload(RTL8139State *s)
{
    for (int i = 0; i < 3; i++) {
        s->idr[2 * i] = s->eeprom[7 + i];
        s->idr[2 * i + 1] = s->eeprom[7 + i] >> 8;
    }
}

/* The EECS/EESK/EEDI pins as the driver sets them in programming mode:
 * start bit, 2-bit opcode, 6-bit address, then 16 data bits, each
 * sampled on SK's rising edge; DO gives a dummy 0, then D15..D0, and a
 * read goes on with the next word while SK keeps clocking. */
static void rtl8139_eeprom_pins(RTL8139State *s, uint8_t val)
{
    bool cs = val & RTL_9346_EECS, sk = val & RTL_9346_EESK;
    bool di = val & RTL_9346_EEDI;
    bool rising = sk && !s->ee_sk;

    s->ee_sk = sk;
    if (!cs) {
        s->ee_state = EE_IDLE;
        s->ee_do = true;                /* ready */
        return;
    }
    if (!rising) {
        return;
    }
    switch (s->ee_state) {
    case EE_IDLE:
        if (di) {                       /* leading zeros are ignored */
            s->ee_state = EE_CMD;
            s->ee_bits = 0;
            s->ee_shift = 0;
        }
        break;
    case EE_CMD:
        s->ee_shift = s->ee_shift << 1 | di;
        if (++s->ee_bits < 8) {
            break;
        }
        s->ee_addr = s->ee_shift & 0x3f;
        s->ee_bits = 0;
        switch (s->ee_shift >> 6) {
        case 2:                         /* READ */
            s->ee_shift = s->eeprom[s->ee_addr];
            s->ee_do = false;           /* the dummy zero */
            s->ee_state = EE_READ;
            break;
        case 1:                         /* WRITE */
            s->ee_shift = 0;
            s->ee_state = EE_WRITE_DATA;
            break;
        case 0:
            if ((s->ee_addr >> 4) == 3) {
                s->ee_we = true;        /* EWEN */
            } else if ((s->ee_addr >> 4) == 0) {
                s->ee_we = false;       /* EWDS */
            } else {
                unimp_log("rtl8139: EEPROM ERAL/WRAL not emulated");
            }
            s->ee_state = EE_DONE;
            break;
        default:
            unimp_log("rtl8139: EEPROM ERASE not emulated");
            s->ee_state = EE_DONE;
            break;
        }
        break;
    case EE_READ:
        s->ee_do = s->ee_shift >> 15;
        s->ee_shift <<= 1;
        if (++s->ee_bits == 16) {
            s->ee_bits = 0;
            s->ee_addr = (s->ee_addr + 1) % RTL_EEPROM_WORDS;
            s->ee_shift = s->eeprom[s->ee_addr];
        }
        break;
    case EE_WRITE_DATA:
        s->ee_shift = s->ee_shift << 1 | di;
        if (++s->ee_bits == 16) {
            if (s->ee_we) {
                s->eeprom[s->ee_addr] = s->ee_shift;
            } else {
                guest_error("rtl8139: EEPROM write without EWEN ignored");
            }
            s->ee_do = true;            /* ready at once */
            s->ee_state = EE_DONE;
        }
        break;
    default:
        break;
    }
}

static void rtl8139_9346cr_write(RTL8139State *s, uint8_t val)
{
    unsigned eem = val >> RTL_9346_EEM_SHIFT;

    if (eem == RTL_EEM_AUTOLOAD) {
        rtl8139_eeprom_autoload(s);
        s->cr9346 = 0;                  /* back to normal when done */
        return;
    }
    s->cr9346 = val & 0xce;
    if (eem == RTL_EEM_PROGRAM) {
        rtl8139_eeprom_pins(s, val);
    }
}

static uint8_t rtl8139_9346cr_read(RTL8139State *s)
{
    uint8_t v = s->cr9346 & ~RTL_9346_EEDO;

    if ((s->cr9346 >> RTL_9346_EEM_SHIFT) == RTL_EEM_PROGRAM && s->ee_do) {
        v |= RTL_9346_EEDO;
    }
    return v;
}

/* --- receive ------------------------------------------------------------------ */

/* Ethernet CRC as the MAR hash uses it: the top 6 bits of the
 * big-endian CRC-32 of the destination address. */
static unsigned rtl8139_mcast_hash(const uint8_t *addr)
{
    uint32_t crc = 0xffffffffu;

    for (int i = 0; i < ETH_ALEN; i++) {
        uint8_t b = addr[i];
        for (int k = 0; k < 8; k++, b >>= 1) {
            uint32_t carry = (crc >> 31) ^ (b & 1);
            crc <<= 1;
            if (carry) {
                crc ^= 0x04c11db7u;
            }
        }
    }
    return crc >> 26;
}

static uint32_t rtl8139_crc32(const uint8_t *p, size_t len)
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

/* The address filter (RCR AAP/APM/AM/AB, MAR): 0 to drop, else the
 * kind of match: RTL_RXS_BAR, _MAR or _PAM (0x1 for promiscuous). */
static unsigned rtl8139_rx_filter(RTL8139State *s, const uint8_t *buf)
{
    if (!memcmp(buf, "\xff\xff\xff\xff\xff\xff", ETH_ALEN)) {
        return (s->rcr & RTL_RCR_AB) ? RTL_RXS_BAR : 0;
    }
    if (buf[0] & 1) {
        unsigned h = rtl8139_mcast_hash(buf);
        if ((s->rcr & RTL_RCR_AM) && (s->mar[h >> 3] & (1u << (h & 7)))) {
            return RTL_RXS_MAR;
        }
        return 0;
    }
    if ((s->rcr & RTL_RCR_APM) && !memcmp(buf, s->idr, ETH_ALEN)) {
        return RTL_RXS_PAM;
    }
    return (s->rcr & RTL_RCR_AAP) ? 1 : 0;
}

static bool rtl8139_cplus_rx(RTL8139State *s)
{
    return s->cpcr & RTL_CPCR_RXENB;
}

static uint32_t rtl8139_rx_ring_size(RTL8139State *s)
{
    return 8192u << ((s->rcr >> RTL_RCR_RBLEN_SHIFT) & 3);
}

/* BUFE: the driver has read everything (CAPR + 16 == CBR, the ring's
 * 16-byte offset quirk of the programming guide). */
static bool rtl8139_rx_empty(RTL8139State *s)
{
    uint32_t size = rtl8139_rx_ring_size(s);

    return ((uint32_t)(s->capr + 16) % size) == s->cbr % size;
}

/* Writes len bytes at ring offset off; with WRAP set (and a ring under
 * 64 KiB) the tail continues past the end, as the driver reserved room
 * there, otherwise it wraps to RBSTART. */
static void rtl8139_ring_write(RTL8139State *s, uint32_t off,
                               const uint8_t *buf, size_t len)
{
    uint32_t size = rtl8139_rx_ring_size(s);
    size_t first = len;

    if (!(s->rcr & RTL_RCR_WRAP) || size == 65536) {
        first = MIN(len, (size_t)(size - off));
    }
    if (!rtl8139_dma_write(s, s->rbstart + off, buf, first) ||
        (first < len &&
         !rtl8139_dma_write(s, s->rbstart, buf + first, len - first))) {
        guest_error("rtl8139: receive ring at 0x%08x is not in RAM",
                    s->rbstart);
    }
}

/* Normal mode: header (status, length with CRC), frame, CRC, then CBR
 * moves to the next dword. */
static ssize_t rtl8139_rx_ring(RTL8139State *s, size_t size, unsigned match)
{
    uint32_t ring = rtl8139_rx_ring_size(s);
    uint32_t rd = (uint32_t)(s->capr + 16) % ring;
    uint32_t wr = s->cbr % ring;
    uint32_t need = (4 + size + 3) & ~3u;
    uint32_t avail = rd == wr ? ring : (rd - wr + ring) % ring;
    uint8_t hdr[4];
    uint16_t status = RTL_RXS_ROK;

    if (need >= ring) {
        guest_error("rtl8139: %zu-byte frame cannot fit a %u-byte ring",
                    size, ring);
        s->mpc = (s->mpc + 1) & 0xffffff;
        return -1;
    }
    /* Strictly less: a full ring must not look empty (CBR == CAPR+16). */
    if (need >= avail) {
        return 0;
    }
    if (match != 1) {
        status |= match;
    }
    st16(hdr, status);
    st16(hdr + 2, size);
    rtl8139_ring_write(s, wr, hdr, 4);
    rtl8139_ring_write(s, (wr + 4) % ring, s->rx_buf, size);
    s->cbr = (wr + need) % ring;
    return size;
}

/* C+ mode: the frame into as many descriptors as it needs (FS on the
 * first, LS with the status on the last). */
static ssize_t rtl8139_rx_desc(RTL8139State *s, size_t size, unsigned match,
                               uint32_t opts2)
{
    uint64_t base = (uint64_t)s->rdsar[1] << 32 | s->rdsar[0];
    uint32_t idx = s->cp_rx_idx, room = 0, status = 0;
    unsigned n = 0;
    uint8_t d[CP_DESC_SIZE];
    size_t done = 0;

    /* First check that owned descriptors can take it all. */
    while (room < size) {
        uint32_t opts1;
        if (n == CP_RING_MAX) {
            guest_error("rtl8139: C+ receive ring too small for %zu bytes",
                        size);
            return -1;
        }
        if (!rtl8139_dma_read(s, base + idx * CP_DESC_SIZE, d, sizeof(d))) {
            guest_error("rtl8139: C+ receive descriptor not in RAM");
            return -1;
        }
        opts1 = ld32(d);
        if (!(opts1 & CP_OWN)) {
            return 0;                   /* wait for the driver */
        }
        room += opts1 & CP_RX_LEN_MASK;
        n++;
        idx = (opts1 & CP_EOR) ? 0 : (idx + 1) % CP_RING_MAX;
        if (idx == s->cp_rx_idx && room < size) {
            guest_error("rtl8139: C+ receive ring too small for %zu bytes",
                        size);
            return -1;
        }
    }
    if (match == RTL_RXS_BAR) {
        status |= CP_RX_BAR;
    } else if (match == RTL_RXS_MAR) {
        status |= CP_RX_MAR;
    } else if (match == RTL_RXS_PAM) {
        status |= CP_RX_PAM;
    }
    if (s->cpcr & RTL_CPCR_RXCHKSUM) {
        const uint8_t *f = s->rx_buf;
        size_t flen = size - RTL_FCS_LEN;
        if (flen >= ETH_HLEN + 20 && ldbe16(f + 12) == 0x0800 &&
            (f[ETH_HLEN] >> 4) == 4) {
            unsigned ihl = (f[ETH_HLEN] & 0xf) * 4;
            uint8_t proto = f[ETH_HLEN + 9];
            unsigned pid = proto == 6 ? 1 : proto == 17 ? 2 : 3;
            bool ip_ok = ihl >= 20 && ETH_HLEN + ihl <= flen &&
                net_checksum_finish(net_checksum_add(f + ETH_HLEN, ihl,
                                                     0)) == 0;
            status |= pid << CP_RX_PID_SHIFT;
            if (!ip_ok) {
                status |= CP_RX_IPF;
            }
            if (pid != 3 && !net_checksum_verify(f, flen)) {
                status |= pid == 1 ? CP_RX_TCPF : CP_RX_UDPF;
            }
        }
    }
    idx = s->cp_rx_idx;
    for (unsigned i = 0; i < n; i++) {
        uint64_t daddr = base + idx * CP_DESC_SIZE;
        uint32_t opts1, chunk;
        uint64_t baddr;

        rtl8139_dma_read(s, daddr, d, sizeof(d));
        opts1 = ld32(d);
        baddr = (uint64_t)ld32(d + 12) << 32 | ld32(d + 8);
        chunk = MIN((size_t)(opts1 & CP_RX_LEN_MASK), size - done);
        if (chunk && !rtl8139_dma_write(s, baddr, s->rx_buf + done, chunk)) {
            guest_error("rtl8139: C+ receive buffer at 0x%" PRIx64
                        " is not in RAM", baddr);
        }
        done += chunk;
        opts1 &= CP_EOR;
        opts1 |= i == 0 ? CP_FS : 0;
        if (i == n - 1) {
            opts1 |= CP_LS | status | size;
            st32(d + 4, opts2);
        } else {
            opts1 |= chunk;
            st32(d + 4, 0);
        }
        st32(d, opts1);
        rtl8139_dma_write(s, daddr, d, 8);
        idx = (ld32(d) & CP_EOR) ? 0 : (idx + 1) % CP_RING_MAX;
    }
    s->cp_rx_idx = idx;
    return size;
}

static bool rtl8139_rx_enabled(RTL8139State *s)
{
    return s->cr & RTL_CR_RE;
}

/* Returns len when consumed (or dropped), 0 when it must wait. */
static ssize_t rtl8139_do_receive(RTL8139State *s, const uint8_t *frame,
                                  size_t len)
{
    unsigned match;
    size_t size;
    uint32_t opts2 = 0, fcs;
    ssize_t r;

    if (!rtl8139_rx_enabled(s) || len < ETH_HLEN) {
        return len;
    }
    match = rtl8139_rx_filter(s, frame);
    if (!match) {
        return len;
    }
    if (len > RTL_MAX_RX_FRAME) {
        s->mpc = (s->mpc + 1) & 0xffffff;
        return len;
    }
    memcpy(s->rx_buf, frame, len);
    size = len;
    if (rtl8139_cplus_rx(s) && (s->cpcr & RTL_CPCR_RXVLAN) &&
        size >= ETH_HLEN + 4 && ldbe16(s->rx_buf + 12) == 0x8100) {
        /* Tag removal: TAVA and the TCI, byte-swapped as the
         * descriptor stores it. */
        uint16_t tci = ldbe16(s->rx_buf + 14);
        opts2 = CP_RX_TAVA | (uint16_t)(tci >> 8 | tci << 8);
        memmove(s->rx_buf + 12, s->rx_buf + 16, size - 16);
        size -= 4;
    }
    /* Short frames arrive padded (the wire minimum), with the CRC. */
    if (size < ETH_ZLEN) {
        memset(s->rx_buf + size, 0, ETH_ZLEN - size);
        size = ETH_ZLEN;
    }
    fcs = rtl8139_crc32(s->rx_buf, size);
    st32(s->rx_buf + size, fcs);
    size += RTL_FCS_LEN;

    if (rtl8139_cplus_rx(s)) {
        r = rtl8139_rx_desc(s, size, match, opts2);
    } else {
        r = rtl8139_rx_ring(s, size, match);
    }
    if (r == 0) {
        /* No room: the frame waits in the back end's queue (never
         * dropped here); RXOVW/RDU tell the driver. */
        rtl8139_set_isr(s, RTL_INT_RXOVW);
        return 0;
    }
    if (r < 0) {
        s->tc_rx_err++;
        rtl8139_set_isr(s, RTL_INT_RER);
        return len;
    }
    s->tc_rx_ok++;
    if (match == RTL_RXS_BAR) {
        s->tc_rx_bcast++;
    } else if (match == RTL_RXS_MAR) {
        s->tc_rx_mcast++;
    } else {
        s->tc_rx_phys++;
    }
    rtl8139_set_isr(s, RTL_INT_ROK);
    return len;
}

static ssize_t rtl8139_receive(NetClientState *nc, const uint8_t *buf,
                               size_t len)
{
    return rtl8139_do_receive(nc->opaque, buf, len);
}

/* --- transmit -------------------------------------------------------------- */

static void rtl8139_tx_sent(NetClientState *nc)
{
    RTL8139State *s = nc->opaque;

    if (s->tx_blocked && !net_queue_len(nc->peer)) {
        s->tx_blocked = false;
        rtl8139_classic_tx(s);
        rtl8139_cp_tx(s, 1);
        rtl8139_cp_tx(s, 0);
    }
}

/* Puts a frame on the wire (or back into our receiver in loopback). A
 * queued frame counts as sent; the rings wait for the sent callback. */
static void rtl8139_emit(RTL8139State *s, uint8_t *buf, size_t len)
{
    if (len < ETH_ZLEN) {               /* the MAC pads short frames */
        memset(buf + len, 0, ETH_ZLEN - len);
        len = ETH_ZLEN;
    }
    s->tc_tx_ok++;
    if (((s->tcr & RTL_TCR_LBK_MASK) >> RTL_TCR_LBK_SHIFT) == 3) {
        rtl8139_do_receive(s, buf, len);
        return;
    }
    if (net_send(s->nc, buf, len, rtl8139_tx_sent) == 0) {
        s->tx_blocked = true;
    }
}

/* Normal mode: descriptors in round-robin order from tx_next, each sent
 * once its TSD was written with OWN clear (section 9). */
static void rtl8139_classic_tx(RTL8139State *s)
{
    while (!s->tx_blocked && (s->cr & RTL_CR_TE) &&
           !(s->cpcr & RTL_CPCR_TXENB) &&
           (s->tx_pending & (1u << s->tx_next))) {
        unsigned i = s->tx_next;
        uint32_t size = s->tsd[i] & RTL_TSD_SIZE_MASK;

        s->tx_pending &= ~(1u << i);
        s->tx_next = (i + 1) % 4;
        if (size > RTL_TX_MAX_NORMAL ||
            !rtl8139_dma_read(s, s->tsad[i], s->tx_buf, size)) {
            guest_error("rtl8139: TSD%u: %u bytes at 0x%08x aborted", i,
                        size, s->tsad[i]);
            s->tsd[i] |= RTL_TSD_OWN | RTL_TSD_TABT;
            s->tc_tx_err++;
            s->tc_tx_abt++;
            rtl8139_set_isr(s, RTL_INT_TER);
            continue;
        }
        rtl8139_emit(s, s->tx_buf, size);
        s->tsd[i] |= RTL_TSD_OWN | RTL_TSD_TOK;
        rtl8139_set_isr(s, RTL_INT_TOK);
    }
}

/* IPv4 header of a frame: ihl, the L4 length (bounded by the frame, never
 * taken from the guest's total length alone) and the protocol. */
static bool rtl8139_ipv4(const uint8_t *f, size_t len, unsigned *ihl,
                         size_t *l4_len, uint8_t *proto)
{
    size_t tot;

    if (len < ETH_HLEN + 20 || ldbe16(f + 12) != 0x0800 ||
        (f[ETH_HLEN] >> 4) != 4) {
        return false;
    }
    *ihl = (f[ETH_HLEN] & 0xf) * 4;
    tot = ldbe16(f + ETH_HLEN + 2);
    if (*ihl < 20 || ETH_HLEN + *ihl > len || tot < *ihl) {
        return false;
    }
    tot = MIN(tot, len - ETH_HLEN);
    *l4_len = tot - *ihl;
    *proto = f[ETH_HLEN + 9];
    return true;
}

static void rtl8139_ip_csum(uint8_t *f, unsigned ihl)
{
    uint8_t *ip = f + ETH_HLEN;

    ip[10] = ip[11] = 0;
    stbe16(ip + 10, net_checksum_finish(net_checksum_add(ip, ihl, 0)));
}

/* TCP (csum at 16) or UDP (at 6) checksum with the pseudo-header. */
static void rtl8139_l4_csum(uint8_t *f, unsigned ihl, size_t l4_len,
                            uint8_t proto)
{
    uint8_t *ip = f + ETH_HLEN, *l4 = ip + ihl;
    unsigned off = proto == 6 ? 16 : 6;
    uint32_t sum;
    uint16_t c;

    if (l4_len < off + 2u) {
        return;
    }
    l4[off] = l4[off + 1] = 0;
    sum = net_checksum_add(ip + 12, 8, 0) + proto + (uint32_t)l4_len;
    c = net_checksum_finish(net_checksum_add(l4, l4_len, sum));
    if (proto == 17 && c == 0) {
        c = 0xffff;
    }
    stbe16(l4 + off, c);
}

/* Adds the 802.1Q tag after the addresses when the first descriptor had
 * TAGC; buf has 4 bytes of room in front. */
static void rtl8139_cp_emit(RTL8139State *s, uint8_t *buf, size_t len)
{
    if (s->cp_tx_opts2 & CP_TX_TAGC) {
        uint16_t sw = s->cp_tx_opts2 & 0xffff;
        uint8_t *out = buf - 4;
        memmove(out, buf, 12);
        stbe16(out + 12, 0x8100);
        stbe16(out + 14, (uint16_t)(sw >> 8 | sw << 8));
        rtl8139_emit(s, out, len + 4);
        memmove(buf, out, 12);
        return;
    }
    rtl8139_emit(s, buf, len);
}

/* Large send (section 11): IPv4/TCP only; each segment carries the
 * headers with the IP total length, identification and checksum, the
 * TCP sequence number and checksum redone, FIN and PSH only on the
 * last. */
static void rtl8139_cp_tso(RTL8139State *s, uint8_t *f, size_t len,
                           unsigned mss)
{
    unsigned ihl, thl, hdr;
    size_t l4_len, pay, off;
    uint8_t proto;
    uint16_t id;
    uint32_t seq;
    uint8_t *seg = s->seg_buf + 4;

    if (!mss || !rtl8139_ipv4(f, len, &ihl, &l4_len, &proto) || proto != 6 ||
        l4_len < 20) {
        guest_error("rtl8139: large send of a frame that is not IPv4 TCP "
                    "or with MSS 0: dropped");
        s->tc_tx_err++;
        return;
    }
    thl = (f[ETH_HLEN + ihl + 12] >> 4) * 4;
    hdr = ETH_HLEN + ihl + thl;
    if (thl < 20 || hdr > len) {
        guest_error("rtl8139: large send with a %u-byte TCP header in a "
                    "%zu-byte frame: dropped", thl, len);
        s->tc_tx_err++;
        return;
    }
    pay = len - hdr;
    id = ldbe16(f + ETH_HLEN + 4);
    seq = (uint32_t)ldbe16(f + ETH_HLEN + ihl + 4) << 16 |
          ldbe16(f + ETH_HLEN + ihl + 6);
    off = 0;
    do {
        size_t n = MIN((size_t)mss, pay - off);
        uint8_t *tcp = seg + ETH_HLEN + ihl;
        bool last = off + n >= pay;

        memcpy(seg, f, hdr);
        memcpy(seg + hdr, f + hdr + off, n);
        stbe16(seg + ETH_HLEN + 2, ihl + thl + n);
        stbe16(seg + ETH_HLEN + 4, id++);
        stbe16(tcp + 4, (seq + off) >> 16);
        stbe16(tcp + 6, seq + off);
        if (!last) {
            tcp[13] &= ~0x09;           /* FIN, PSH */
        }
        rtl8139_ip_csum(seg, ihl);
        rtl8139_l4_csum(seg, ihl, thl + n, proto);
        rtl8139_cp_emit(s, seg, hdr + n);
        off += n;
    } while (off < pay);
}

static void rtl8139_cp_frame(RTL8139State *s)
{
    uint8_t *f = s->tx_buf;
    size_t len = s->cp_tx_len;
    uint32_t o1 = s->cp_tx_opts1;
    unsigned ihl;
    size_t l4_len;
    uint8_t proto;

    if (o1 & CP_TX_LGSEN) {
        rtl8139_cp_tso(s, f, len, (o1 >> CP_TX_MSS_SHIFT) & CP_TX_MSS_MASK);
        return;
    }
    if ((o1 & (CP_TX_IPCS | CP_TX_TCPCS | CP_TX_UDPCS)) &&
        rtl8139_ipv4(f, len, &ihl, &l4_len, &proto)) {
        if (o1 & CP_TX_IPCS) {
            rtl8139_ip_csum(f, ihl);
        }
        if (((o1 & CP_TX_TCPCS) && proto == 6) ||
            ((o1 & CP_TX_UDPCS) && proto == 17)) {
            rtl8139_l4_csum(f, ihl, l4_len, proto);
        }
    }
    rtl8139_cp_emit(s, f, len);
}

/* C+ mode: walks ring (0 normal, 1 high priority) from its index while
 * descriptors are ours, at most one ring's worth (section 11). */
static void rtl8139_cp_tx(RTL8139State *s, int ring)
{
    uint64_t base = (uint64_t)s->tsad[2 * ring + 1] << 32 |
                    s->tsad[2 * ring];
    bool sent = false;

    if (!(s->cr & RTL_CR_TE) || !(s->cpcr & RTL_CPCR_TXENB)) {
        return;
    }
    for (unsigned n = 0; n < CP_RING_MAX && !s->tx_blocked; n++) {
        uint32_t idx = s->cp_tx_idx[ring];
        uint64_t daddr = base + idx * CP_DESC_SIZE, baddr;
        uint8_t d[CP_DESC_SIZE];
        uint32_t opts1, len;

        if (!rtl8139_dma_read(s, daddr, d, sizeof(d))) {
            guest_error("rtl8139: C+ transmit descriptor at 0x%" PRIx64
                        " is not in RAM", daddr);
            break;
        }
        opts1 = ld32(d);
        if (!(opts1 & CP_OWN)) {
            if (n == 0) {
                rtl8139_set_isr(s, RTL_INT_TDU);
            }
            break;
        }
        baddr = (uint64_t)ld32(d + 12) << 32 | ld32(d + 8);
        len = opts1 & CP_TX_LEN_MASK;
        if (opts1 & CP_FS) {
            if (s->cp_tx_in_frame) {
                guest_error("rtl8139: C+ frame without LS dropped");
            }
            s->cp_tx_in_frame = true;
            s->cp_tx_drop = false;
            s->cp_tx_len = 0;
            s->cp_tx_opts1 = opts1;
            s->cp_tx_opts2 = ld32(d + 4);
        } else if (!s->cp_tx_in_frame) {
            guest_error("rtl8139: C+ descriptor without FS skipped");
            s->cp_tx_in_frame = true;
            s->cp_tx_drop = true;
            s->cp_tx_len = 0;
        }
        if (!s->cp_tx_drop) {
            if (len > RTL_TX_BUF_SIZE - 4 - s->cp_tx_len) {
                guest_error("rtl8139: C+ frame over %u bytes dropped",
                            RTL_TX_BUF_SIZE - 4);
                s->cp_tx_drop = true;
            } else if (len && !rtl8139_dma_read(s, baddr,
                                                s->tx_buf + s->cp_tx_len,
                                                len)) {
                guest_error("rtl8139: C+ transmit buffer at 0x%" PRIx64
                            " is not in RAM", baddr);
                s->cp_tx_drop = true;
            } else {
                s->cp_tx_len += len;
            }
        }
        /* Hand the descriptor back as a status descriptor: OWN clear,
         * no error bits (the command bits 27:16 must not survive: MSS
         * values there would read as TxError/underrun). */
        st32(d, opts1 & (CP_EOR | CP_FS | CP_LS | CP_TX_LEN_MASK));
        rtl8139_dma_write(s, daddr, d, 4);
        s->cp_tx_idx[ring] = (opts1 & CP_EOR) ? 0 : (idx + 1) % CP_RING_MAX;
        if (opts1 & CP_LS) {
            if (s->cp_tx_drop) {
                s->tc_tx_err++;
                rtl8139_set_isr(s, RTL_INT_TER);
            } else {
                rtl8139_cp_frame(s);
                sent = true;
            }
            s->cp_tx_in_frame = false;
            s->cp_tx_drop = false;
            s->cp_tx_len = 0;
        }
    }
    if (sent) {
        rtl8139_set_isr(s, RTL_INT_TOK);
    }
}

/* DTCCR: the 64-byte tally counter block to a 64-byte aligned address. */
static void rtl8139_dump_tally(RTL8139State *s)
{
    uint64_t addr = ((uint64_t)s->tsd[1] << 32 | s->tsd[0]) & ~63ull;
    uint8_t b[64];

    st64(b + 0, s->tc_tx_ok);
    st64(b + 8, s->tc_rx_ok);
    st64(b + 16, s->tc_tx_err);
    st32(b + 24, s->tc_rx_err);
    st16(b + 28, s->tc_miss);
    st16(b + 30, s->tc_fae);
    st32(b + 32, s->tc_tx_1col);
    st32(b + 36, s->tc_tx_mcol);
    st64(b + 40, s->tc_rx_phys);
    st64(b + 48, s->tc_rx_bcast);
    st32(b + 56, s->tc_rx_mcast);
    st16(b + 60, s->tc_tx_abt);
    st16(b + 62, s->tc_tx_undrn);
    if (!rtl8139_dma_write(s, addr, b, sizeof(b))) {
        guest_error("rtl8139: tally dump to 0x%" PRIx64 " not in RAM", addr);
    }
    s->tsd[0] &= ~RTL_DTCCR_CMD;
}

/* --- registers ------------------------------------------------------------- */

static void rtl8139_soft_reset(RTL8139State *s);

static bool rtl8139_config_unlocked(RTL8139State *s)
{
    return (s->cr9346 >> RTL_9346_EEM_SHIFT) == RTL_EEM_CONFIG;
}

/* Width of the register that holds byte off, and its first byte. */
static unsigned rtl8139_reg_width(uint32_t off, uint32_t *base)
{
    if ((off >= RTL_TSD0 && off < RTL_RBSTART + 4) ||
        (off >= RTL_TCR && off < RTL_MPC + 4) ||
        (off >= RTL_TIMERINT && off < RTL_TIMERINT + 4) ||
        (off >= RTL_PHY1_PARM && off < RTL_TW_PARM + 4) ||
        (off >= RTL_RDSAR && off < RTL_RDSAR + 8) ||
        off >= RTL_FER) {
        *base = off & ~3u;
        return 4;
    }
    if (off == RTL_ERBCR || off == RTL_ERBCR + 1 ||
        (off >= RTL_CAPR && off < RTL_ISR + 2) ||
        (off >= RTL_MULINT && off < RTL_MULINT + 2) ||
        (off >= RTL_TSAD && off < RTL_CSCR + 2) ||
        (off >= RTL_CPCR && off < RTL_INTRMIT + 2)) {
        *base = off & ~1u;
        return 2;
    }
    *base = off;
    return 1;
}

static uint16_t rtl8139_tsad_summary(RTL8139State *s)
{
    uint16_t v = 0;

    for (int i = 0; i < 4; i++) {
        v |= (s->tsd[i] & RTL_TSD_OWN ? 1 : 0) << i;
        v |= (s->tsd[i] & RTL_TSD_TABT ? 1 : 0) << (4 + i);
        v |= (s->tsd[i] & RTL_TSD_TUN ? 1 : 0) << (8 + i);
        v |= (s->tsd[i] & RTL_TSD_TOK ? 1 : 0) << (12 + i);
    }
    return v;
}

static uint32_t rtl8139_reg_read(RTL8139State *s, uint32_t base)
{
    if (base < RTL_IDR0 + 6) {
        return s->idr[base];
    }
    if (base >= RTL_MAR0 && base < RTL_MAR0 + 8) {
        return s->mar[base - RTL_MAR0];
    }
    if (base >= RTL_TSD0 && base < RTL_TSAD0) {
        return s->tsd[(base - RTL_TSD0) / 4];
    }
    if (base >= RTL_TSAD0 && base < RTL_RBSTART) {
        return s->tsad[(base - RTL_TSAD0) / 4];
    }
    if (base >= RTL_WAKE_BASE && base < RTL_WAKE_END) {
        return s->wake[base - RTL_WAKE_BASE];
    }
    switch (base) {
    case 0x06:
    case 0x07:
        return 0;                       /* IDR's reserved pad */
    case RTL_RBSTART: return s->rbstart;
    case RTL_ERBCR: return s->erbcr;
    case RTL_ERSR: return s->ersr;
    case RTL_CR:
        return s->cr | (rtl8139_rx_empty(s) ? RTL_CR_BUFE : 0);
    case RTL_CAPR: return s->capr;
    case RTL_CBR: return s->cbr;
    case RTL_IMR: return s->imr;
    case RTL_ISR: return s->isr;
    case RTL_TCR: return s->tcr | RTL_TCR_HWVERID;
    case RTL_RCR: return s->rcr;
    case RTL_TCTR: return rtl8139_tctr(s);
    case RTL_MPC: return s->mpc;
    case RTL_9346CR: return rtl8139_9346cr_read(s);
    case RTL_CONFIG0: return s->config0;
    case RTL_CONFIG1: return s->config1;
    case RTL_TIMERINT: return s->timerint;
    case RTL_MSR: return 0;             /* link up (LINKB 0), 100 Mb/s */
    case RTL_CONFIG3: return s->config3;
    case RTL_CONFIG4: return s->config4;
    case RTL_HLTCLK: return 0;
    case RTL_MULINT: return s->mulint;
    case RTL_RERID: return RTL8139_REVISION;
    case RTL_TSAD: return rtl8139_tsad_summary(s);
    case RTL_BMCR: return s->bmcr;
    case RTL_BMSR: return RTL_BMSR_DEFAULT;
    case RTL_ANAR: return s->anar;
    case RTL_ANLPAR: return 0x45e1;     /* ack, pause, 10/100 HD/FD */
    case RTL_ANER: return 0x0001;       /* partner can auto-negotiate */
    case RTL_DIS: return s->dis;
    case RTL_FCSC: return s->fcsc;
    case RTL_NWAYTR: return s->nwaytr;
    case RTL_REC: return s->rec;
    case RTL_CSCR: return s->cscr;
    case RTL_PHY1_PARM: return s->phy1_parm;
    case RTL_TW_PARM: return s->tw_parm;
    case RTL_PHY2_PARM: return s->phy2_parm;
    case RTL_CONFIG5: return s->config5;
    case RTL_TPPOLL: return 0;          /* NPQ/HPQ clear when polled */
    case RTL_CPCR: return s->cpcr;
    case RTL_INTRMIT: return s->intrmit;
    case RTL_RDSAR: return s->rdsar[0];
    case RTL_RDSAR + 4: return s->rdsar[1];
    case RTL_ETTH: return s->etth;
    case RTL_FER: return 0;
    case RTL_FER + 4: return s->femr;
    case RTL_FER + 8: return 0x10;      /* FPSR: general wakeup present */
    case RTL_FER + 12: return 0;
    default:
        unimp_log("rtl8139: read of reserved register 0x%02x", base);
        return UINT32_MAX;
    }
}

static uint32_t merge(uint32_t old, uint32_t val, uint32_t mask)
{
    return (old & ~mask) | (val & mask);
}

/* val holds the written bytes at their place in the register, mask says
 * which bytes were written. */
static void rtl8139_reg_write(RTL8139State *s, uint32_t base, uint32_t val,
                              uint32_t mask)
{
    uint8_t b = val;

    if (base < RTL_IDR0 + 6) {
        s->idr[base] = b;
        return;
    }
    if (base >= RTL_MAR0 && base < RTL_MAR0 + 8) {
        s->mar[base - RTL_MAR0] = b;
        return;
    }
    if (base >= RTL_TSD0 && base < RTL_TSAD0) {
        unsigned i = (base - RTL_TSD0) / 4;
        if (s->cpcr & RTL_CPCR_TXENB) {
            /* C+: DTCCR; the command bit starts the dump. */
            s->tsd[i] = merge(s->tsd[i], val, mask);
            if (i == 0 && (s->tsd[0] & RTL_DTCCR_CMD)) {
                rtl8139_dump_tally(s);
            }
            return;
        }
        /* SIZE, OWN, ERTXTH are the driver's; the status bits clear
         * when the descriptor is handed over. Writing OWN clear
         * transmits (section 9). */
        val = merge(s->tsd[i], val, mask);
        s->tsd[i] = val & (RTL_TSD_SIZE_MASK | RTL_TSD_OWN |
                           RTL_TSD_ERTXTH_MASK);
        if (!(val & RTL_TSD_OWN)) {
            s->tx_pending |= 1u << i;
            rtl8139_classic_tx(s);
        }
        return;
    }
    if (base >= RTL_TSAD0 && base < RTL_RBSTART) {
        unsigned i = (base - RTL_TSAD0) / 4;
        s->tsad[i] = merge(s->tsad[i], val, mask);
        if (s->cpcr & RTL_CPCR_TXENB) {
            s->cp_tx_idx[i / 2] = 0;    /* a new ring starts at entry 0 */
        }
        return;
    }
    if (base >= RTL_WAKE_BASE && base < RTL_WAKE_END) {
        s->wake[base - RTL_WAKE_BASE] = b;
        return;
    }
    switch (base) {
    case 0x06:
    case 0x07:
        break;
    case RTL_RBSTART: s->rbstart = merge(s->rbstart, val, mask); break;
    case RTL_ERBCR: break;              /* read-only */
    case RTL_ERSR: break;
    case RTL_CR:
        if (b & RTL_CR_RST) {
            rtl8139_soft_reset(s);
            break;
        }
        if (!(b & RTL_CR_TE)) {
            s->cp_tx_idx[0] = s->cp_tx_idx[1] = 0;
            s->cp_tx_in_frame = false;
        }
        if (!(b & RTL_CR_RE)) {
            s->cp_rx_idx = 0;
        }
        s->cr = b & (RTL_CR_RE | RTL_CR_TE);
        rtl8139_classic_tx(s);
        net_flush_queued(s->nc);
        break;
    case RTL_CAPR:
        s->capr = merge(s->capr, val, mask);
        net_flush_queued(s->nc);        /* room again: take held frames */
        break;
    case RTL_CBR: break;                /* read-only */
    case RTL_IMR:
        s->imr = merge(s->imr, val, mask) & RTL_INT_MASK;
        rtl8139_update_irq(s);
        break;
    case RTL_ISR:
        s->isr &= ~(val & mask);        /* write 1 to clear */
        rtl8139_update_irq(s);
        /* 8139cp acknowledges receive bits after refilling its ring:
         * frames held for want of descriptors go now. */
        net_flush_queued(s->nc);
        break;
    case RTL_TCR:
        val = merge(s->tcr, val, mask);
        s->tcr = val & RTL_TCR_WMASK & ~RTL_TCR_CLRABT;
        break;
    case RTL_RCR:
        s->rcr = merge(s->rcr, val, mask) & RTL_RCR_WMASK;
        net_flush_queued(s->nc);
        break;
    case RTL_TCTR:
        s->tctr_base = clock_get_ns(CLOCK_VIRTUAL);     /* any write: 0 */
        rtl8139_timer_arm(s);
        break;
    case RTL_MPC: s->mpc = 0; break;    /* any write clears */
    case RTL_9346CR: rtl8139_9346cr_write(s, b); break;
    case RTL_CONFIG0: break;            /* boot ROM size: read-only */
    case RTL_CONFIG1:
        if (rtl8139_config_unlocked(s)) {
            s->config1 = (s->config1 & (RTL_CONFIG1_IOMAP |
                                        RTL_CONFIG1_MEMMAP)) |
                         (b & ~(RTL_CONFIG1_IOMAP | RTL_CONFIG1_MEMMAP));
        }
        break;
    case RTL_TIMERINT:
        s->timerint = merge(s->timerint, val, mask);
        rtl8139_timer_arm(s);
        break;
    case RTL_MSR: break;
    case RTL_CONFIG3:
        if (rtl8139_config_unlocked(s)) {
            s->config3 = b;
        }
        break;
    case RTL_CONFIG4:
        if (rtl8139_config_unlocked(s)) {
            s->config4 = b;
        }
        break;
    case RTL_HLTCLK: break;
    case RTL_MULINT: s->mulint = merge(s->mulint, val, mask) & 0x0fff; break;
    case RTL_RERID: break;
    case RTL_TSAD: break;
    case RTL_BMCR:
        val = merge(s->bmcr, val, mask);
        if (val & RTL_BMCR_RESET) {
            s->bmcr = RTL_BMCR_SPD100 | RTL_BMCR_ANE | RTL_BMCR_DUPLEX;
            s->anar = 0x05e1;
        } else {
            s->bmcr = val & ~RTL_BMCR_RESTART;  /* self-clearing */
        }
        break;
    case RTL_BMSR: break;
    case RTL_ANAR: s->anar = merge(s->anar, val, mask); break;
    case RTL_ANLPAR: break;
    case RTL_ANER: break;
    case RTL_DIS: s->dis = 0; break;
    case RTL_FCSC: s->fcsc = 0; break;
    case RTL_NWAYTR: s->nwaytr = merge(s->nwaytr, val, mask); break;
    case RTL_REC: s->rec = 0; break;
    case RTL_CSCR: s->cscr = merge(s->cscr, val, mask); break;
    case RTL_PHY1_PARM: s->phy1_parm = merge(s->phy1_parm, val, mask); break;
    case RTL_TW_PARM: s->tw_parm = merge(s->tw_parm, val, mask); break;
    case RTL_PHY2_PARM: s->phy2_parm = b; break;
    case RTL_CONFIG5: s->config5 = b & 0x7f; break;
    case RTL_TPPOLL:
        if (b & RTL_TPPOLL_FSWINT) {
            rtl8139_set_isr(s, RTL_INT_SWINT);
        }
        if (b & RTL_TPPOLL_HPQ) {
            rtl8139_cp_tx(s, 1);
        }
        if (b & RTL_TPPOLL_NPQ) {
            rtl8139_cp_tx(s, 0);
        }
        break;
    case RTL_CPCR:
        s->cpcr = merge(s->cpcr, val, mask) & RTL_CPCR_WMASK;
        net_flush_queued(s->nc);
        break;
    case RTL_INTRMIT: s->intrmit = merge(s->intrmit, val, mask); break;
    case RTL_RDSAR:
    case RTL_RDSAR + 4:
        s->rdsar[(base - RTL_RDSAR) / 4] =
            merge(s->rdsar[(base - RTL_RDSAR) / 4], val, mask);
        s->cp_rx_idx = 0;
        break;
    case RTL_ETTH: s->etth = b & 0x3f; break;
    case RTL_FER: break;
    case RTL_FER + 4: s->femr = merge(s->femr, val, mask); break;
    case RTL_FER + 8: break;
    case RTL_FER + 12: break;
    default:
        unimp_log("rtl8139: write 0x%x to reserved register 0x%02x", val,
                  base);
        break;
    }
}

/* Both BARs: any size at any offset; bytes are gathered per register so
 * side effects (transmit, W1C) happen once per access. */
static uint64_t rtl8139_regs_read(void *opaque, uint64_t off, unsigned size)
{
    RTL8139State *s = opaque;
    uint64_t v = 0;

    if (s->dma_depth) {
        guest_error("rtl8139: DMA into its own registers refused");
        return UINT64_MAX;
    }
    for (unsigned i = 0; i < size; i++) {
        uint32_t o = (off + i) & 0xff, base;
        rtl8139_reg_width(o, &base);
        v |= (uint64_t)((rtl8139_reg_read(s, base) >> (8 * (o - base))) &
                        0xff) << (8 * i);
    }
    return v;
}

static void rtl8139_regs_write(void *opaque, uint64_t off, uint64_t val,
                               unsigned size)
{
    RTL8139State *s = opaque;
    unsigned i = 0;

    if (s->dma_depth) {
        guest_error("rtl8139: DMA into its own registers refused");
        return;
    }
    while (i < size) {
        uint32_t o = (off + i) & 0xff, base, v = 0, m = 0;
        unsigned w = rtl8139_reg_width(o, &base);

        while (i < size && ((off + i) & 0xff) < base + w &&
               ((off + i) & 0xff) >= base) {
            unsigned sh = 8 * (((off + i) & 0xff) - base);
            v |= (uint32_t)((val >> (8 * i)) & 0xff) << sh;
            m |= 0xffu << sh;
            i++;
        }
        rtl8139_reg_write(s, base, v, m);
    }
}

static const MemoryRegionOps rtl8139_regs_ops = {
    .read = rtl8139_regs_read,
    .write = rtl8139_regs_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

/* --- the device ------------------------------------------------------------- */

/* CR.RST (section 5, CR): transmitter and receiver stop, the buffer
 * pointers return to their start, interrupts clear; IDR, MAR and the
 * PCI configuration are kept. */
static void rtl8139_soft_reset(RTL8139State *s)
{
    for (int i = 0; i < 4; i++) {
        s->tsd[i] = RTL_TSD_OWN;
    }
    s->tx_next = 0;
    s->tx_pending = 0;
    s->cr = 0;
    s->capr = 0xfff0;                   /* CAPR + 16 == CBR: empty */
    s->cbr = 0;
    s->imr = 0;
    s->isr = 0;
    s->erbcr = 0;
    s->ersr = 0;
    s->cpcr = 0;
    s->cp_tx_idx[0] = s->cp_tx_idx[1] = 0;
    s->cp_rx_idx = 0;
    s->cp_tx_in_frame = false;
    s->cp_tx_drop = false;
    s->cp_tx_len = 0;
    s->cp_tx_opts1 = s->cp_tx_opts2 = 0;
    rtl8139_update_irq(s);
}

static void rtl8139_reset(Device *dev)
{
    RTL8139State *s = rtl8139_from_device(dev);

    rtl8139_eeprom_init(s);
    rtl8139_eeprom_autoload(s);         /* IDR from the EEPROM at power-on */
    memset(s->mar, 0, sizeof(s->mar));
    memset(s->tsad, 0, sizeof(s->tsad));
    s->rbstart = 0;
    s->tcr = 0;
    s->rcr = 0;
    s->tctr_base = clock_get_ns(CLOCK_VIRTUAL);
    s->mpc = 0;
    s->cr9346 = 0;
    s->config1 = RTL_CONFIG1_IOMAP | RTL_CONFIG1_MEMMAP;
    s->config3 = 0;
    s->config4 = 0;
    s->config5 = 0;
    s->timerint = 0;
    s->mulint = 0;
    s->bmcr = RTL_BMCR_SPD100 | RTL_BMCR_ANE | RTL_BMCR_DUPLEX;
    s->anar = 0x05e1;
    s->dis = s->fcsc = s->nwaytr = s->rec = 0;
    s->cscr = 0;
    s->phy1_parm = s->tw_parm = 0;
    s->phy2_parm = 0;
    memset(s->wake, 0, sizeof(s->wake));
    s->intrmit = 0;
    s->rdsar[0] = s->rdsar[1] = 0;
    s->etth = 0;
    s->femr = 0;
    s->ee_state = EE_IDLE;
    s->ee_bits = s->ee_addr = 0;
    s->ee_shift = 0;
    s->ee_do = true;
    s->ee_sk = false;
    s->ee_we = false;
    s->tc_tx_ok = s->tc_rx_ok = s->tc_tx_err = 0;
    s->tc_rx_err = 0;
    s->tc_miss = s->tc_fae = 0;
    s->tc_tx_1col = s->tc_tx_mcol = 0;
    s->tc_rx_phys = s->tc_rx_bcast = 0;
    s->tc_rx_mcast = 0;
    s->tc_tx_abt = s->tc_tx_undrn = 0;
    if (s->timer) {
        timer_del(s->timer);
    }
    rtl8139_soft_reset(s);
}

static void rtl8139_device_reset(Device *dev)
{
    RTL8139State *s = rtl8139_from_device(dev);

    pci_device_reset(&s->pci);
    rtl8139_reset(dev);
}

static const PCIDeviceInfo rtl8139_pci_info = {
    .vendor_id = RTL8139_VENDOR_ID,
    .device_id = RTL8139_DEVICE_ID,
    .revision = RTL8139_REVISION,
    .class_code = RTL8139_CLASS,
    .subsystem_vendor_id = PCI_SUBVENDOR_ID_REDHAT_QUMRANET,
    .subsystem_id = PCI_SUBDEVICE_ID_QEMU,
};

static const NetClientInfo rtl8139_net_info = {
    .kind = NET_CLIENT_NIC,
    .type = "nic",
    .size = sizeof(NetClientState),
    /* No can_receive: a stopped receiver drops as the wire would, an
     * enabled one decides frame by frame (room depends on the size). */
    .receive = rtl8139_receive,
};

/* The option ROM (PCI ROM BAR), as the e1000's; CONFIG0.BS gives its
 * size class. */
static bool rtl8139_load_rom(RTL8139State *s, Machine *m, Error **errp)
{
    const char *name = s->romfile ? s->romfile : "pxe-rtl8139.rom";
    char *path;
    gchar *data = NULL;
    gsize size = 0;
    uint64_t bar_size = 8192;

    s->config0 = 0;
    if (s->romfile && !*s->romfile) {
        return true;                    /* romfile= : no option ROM */
    }
    path = machine_find_firmware(m, name);
    if (!path) {
        if (s->romfile) {
            error_setg(errp, "rtl8139: romfile '%s' not found", name);
            return false;
        }
        warn_report("rtl8139: '%s' not found (install ipxe-qemu): no PXE "
                    "boot", name);
        return true;
    }
    if (!g_file_get_contents(path, &data, &size, NULL) || !size ||
        size > 16 * MiB) {
        error_setg(errp, "rtl8139: cannot read option ROM '%s'", path);
        g_free(path);
        g_free(data);
        return false;
    }
    g_free(path);
    while (bar_size < size) {
        bar_size <<= 1;
    }
    s->rom = g_new0(MemoryRegion, 1);
    if (!memory_region_init_rom(s->rom, "rtl8139.rom", bar_size, errp)) {
        g_free(data);
        return false;
    }
    memset(s->rom->host, 0xff, bar_size);
    memcpy(s->rom->host, data, size);
    g_free(data);
    pci_register_bar(&s->pci, PCI_ROM_SLOT, 0, s->rom);
    /* BS2-0: 1 = 8 KiB ... 5 = 128 KiB. */
    for (uint64_t sz = 8192; sz <= bar_size && s->config0 < 5; sz <<= 1) {
        s->config0++;
    }
    return true;
}

static bool rtl8139_realize(Device *dev, Machine *m, Error **errp)
{
    RTL8139State *s = rtl8139_from_device(dev);

    if (!net_nic_macaddr(s->macstr, &s->mac, errp)) {
        return false;
    }
    s->pci.info = &rtl8139_pci_info;
    if (!pci_device_plug(&s->pci, m->pci_bus, errp)) {
        return false;
    }
    s->pci.config[PCI_INTERRUPT_PIN] = 1;   /* INTA */
    s->io = g_new0(MemoryRegion, 1);
    s->mmio = g_new0(MemoryRegion, 1);
    memory_region_init_io(s->io, "rtl8139-io", &rtl8139_regs_ops, s,
                          RTL8139_REGS_SIZE);
    memory_region_init_io(s->mmio, "rtl8139-mmio", &rtl8139_regs_ops, s,
                          RTL8139_REGS_SIZE);
    pci_register_bar(&s->pci, 0, PCI_BASE_ADDRESS_SPACE_IO, s->io);
    pci_register_bar(&s->pci, 1, 0, s->mmio);
    if (!rtl8139_load_rom(s, m, errp)) {
        return false;
    }
    s->nc = net_nic_new(&rtl8139_net_info, s->netdev,
                        dev->id ? dev->id : "rtl8139", errp);
    if (!s->nc) {
        return false;
    }
    s->nc->opaque = s;
    s->tx_buf = g_malloc(RTL_TX_BUF_SIZE + 4) + 4;     /* tag room */
    s->seg_buf = g_malloc(RTL_SEG_BUF_SIZE + 4);
    s->rx_buf = g_malloc(NET_MAX_FRAME + ETH_ZLEN + RTL_FCS_LEN);
    s->timer = timer_new(CLOCK_VIRTUAL, rtl8139_timer_cb, s);
    return true;
}

static bool rtl8139_post_load(void *opaque, int version, Error **errp)
{
    RTL8139State *s = opaque;

    if (s->tx_next > 3 || s->cp_tx_idx[0] >= CP_RING_MAX ||
        s->cp_tx_idx[1] >= CP_RING_MAX || s->cp_rx_idx >= CP_RING_MAX ||
        s->ee_addr >= RTL_EEPROM_WORDS || s->ee_state > EE_DONE ||
        s->ee_bits > 16) {
        error_setg(errp, "rtl8139: inconsistent state (descriptor index "
                   "or EEPROM state out of range)");
        return false;
    }
    s->tx_pending &= 0xf;
    s->tx_blocked = false;
    /* The partly gathered C+ frame is not saved: drop it up to LS. */
    if (s->cp_tx_in_frame) {
        s->cp_tx_drop = true;
    }
    s->cp_tx_len = 0;
    rtl8139_update_irq(s);
    rtl8139_timer_arm(s);
    return true;
}

static const VMStateField rtl8139_vmstate_fields[] = {
    VMSTATE_PCI_DEVICE(pci, RTL8139State),
    VMSTATE_U8_ARRAY(idr, RTL8139State, 6),
    VMSTATE_U8_ARRAY(mar, RTL8139State, 8),
    VMSTATE_U32_ARRAY(tsd, RTL8139State, 4),
    VMSTATE_U32_ARRAY(tsad, RTL8139State, 4),
    VMSTATE_U32(rbstart, RTL8139State),
    VMSTATE_U16(erbcr, RTL8139State),
    VMSTATE_U8(ersr, RTL8139State),
    VMSTATE_U8(cr, RTL8139State),
    VMSTATE_U16(capr, RTL8139State),
    VMSTATE_U16(cbr, RTL8139State),
    VMSTATE_U16(imr, RTL8139State),
    VMSTATE_U16(isr, RTL8139State),
    VMSTATE_U32(tcr, RTL8139State),
    VMSTATE_U32(rcr, RTL8139State),
    VMSTATE_I64(tctr_base, RTL8139State),
    VMSTATE_U32(mpc, RTL8139State),
    VMSTATE_U8(cr9346, RTL8139State),
    VMSTATE_U8(config0, RTL8139State),
    VMSTATE_U8(config1, RTL8139State),
    VMSTATE_U8(config3, RTL8139State),
    VMSTATE_U8(config4, RTL8139State),
    VMSTATE_U8(config5, RTL8139State),
    VMSTATE_U32(timerint, RTL8139State),
    VMSTATE_U16(mulint, RTL8139State),
    VMSTATE_U16(bmcr, RTL8139State),
    VMSTATE_U16(anar, RTL8139State),
    VMSTATE_U16(dis, RTL8139State),
    VMSTATE_U16(fcsc, RTL8139State),
    VMSTATE_U16(nwaytr, RTL8139State),
    VMSTATE_U16(rec, RTL8139State),
    VMSTATE_U16(cscr, RTL8139State),
    VMSTATE_U32(phy1_parm, RTL8139State),
    VMSTATE_U32(tw_parm, RTL8139State),
    VMSTATE_U8(phy2_parm, RTL8139State),
    VMSTATE_U8_ARRAY(wake, RTL8139State, RTL_WAKE_END - RTL_WAKE_BASE),
    VMSTATE_U16(cpcr, RTL8139State),
    VMSTATE_U16(intrmit, RTL8139State),
    VMSTATE_U32_ARRAY(rdsar, RTL8139State, 2),
    VMSTATE_U8(etth, RTL8139State),
    VMSTATE_U32(femr, RTL8139State),
    VMSTATE_U8(tx_next, RTL8139State),
    VMSTATE_U8(tx_pending, RTL8139State),
    VMSTATE_U32_ARRAY(cp_tx_idx, RTL8139State, 2),
    VMSTATE_U32(cp_rx_idx, RTL8139State),
    VMSTATE_BOOL(cp_tx_in_frame, RTL8139State),
    VMSTATE_BOOL(cp_tx_drop, RTL8139State),
    VMSTATE_U32(cp_tx_opts1, RTL8139State),
    VMSTATE_U32(cp_tx_opts2, RTL8139State),
    VMSTATE_U16_ARRAY(eeprom, RTL8139State, RTL_EEPROM_WORDS),
    VMSTATE_U8(ee_state, RTL8139State),
    VMSTATE_U8(ee_bits, RTL8139State),
    VMSTATE_U8(ee_addr, RTL8139State),
    VMSTATE_U16(ee_shift, RTL8139State),
    VMSTATE_BOOL(ee_do, RTL8139State),
    VMSTATE_BOOL(ee_sk, RTL8139State),
    VMSTATE_BOOL(ee_we, RTL8139State),
    VMSTATE_U64(tc_tx_ok, RTL8139State),
    VMSTATE_U64(tc_rx_ok, RTL8139State),
    VMSTATE_U64(tc_tx_err, RTL8139State),
    VMSTATE_U32(tc_rx_err, RTL8139State),
    VMSTATE_U16(tc_miss, RTL8139State),
    VMSTATE_U16(tc_fae, RTL8139State),
    VMSTATE_U32(tc_tx_1col, RTL8139State),
    VMSTATE_U32(tc_tx_mcol, RTL8139State),
    VMSTATE_U64(tc_rx_phys, RTL8139State),
    VMSTATE_U64(tc_rx_bcast, RTL8139State),
    VMSTATE_U32(tc_rx_mcast, RTL8139State),
    VMSTATE_U16(tc_tx_abt, RTL8139State),
    VMSTATE_U16(tc_tx_undrn, RTL8139State),
    VMSTATE_END
};

static const VMStateDescription rtl8139_vmstate = {
    .name = "rtl8139",
    .version = 1,
    .min_version = 1,
    .fields = rtl8139_vmstate_fields,
    .post_load = rtl8139_post_load,
};

static const Property rtl8139_props[] = {
    DEFINE_PROP_PCI_ADDR(RTL8139State),
    DEFINE_PROP_STRING("netdev", RTL8139State, netdev,
                       "the -netdev id this NIC is connected to"),
    DEFINE_PROP_STRING("mac", RTL8139State, macstr,
                       "MAC address (default 52:54:00:12:34:56 + index)"),
    DEFINE_PROP_STRING("romfile", RTL8139State, romfile,
                       "option ROM (default pxe-rtl8139.rom; empty: none)"),
    DEFINE_PROP_END
};

const DeviceType rtl8139_type = {
    .name = "rtl8139",
    .desc = "Realtek RTL8139C+ Fast Ethernet",
    .bus = BUS_PCI,
    .state_size = sizeof(RTL8139State),
    .user_creatable = true,
    .realize = rtl8139_realize,
    .reset = rtl8139_device_reset,
    .props = rtl8139_props,
    .vmsd = &rtl8139_vmstate,
};
