/*
 * The e1000 (82540EM) model's private header: its state, shared by
 * e1000.c (registers, rings, interrupts) and e1000-eeprom-phy.c (the
 * EEPROM behind EECD/EERD and the PHY behind MDIC). See e1000.c.
 */
#ifndef HW_NET_E1000_INT_H
#define HW_NET_E1000_INT_H

#include "hw/net/e1000-regs.h"
#include "hw/pci/pci.h"
#include "net/net.h"
#include "softmmu/timer.h"

#define E1000_VENDOR_ID         0x8086
#define E1000_DEVICE_ID         0x100e      /* 82540EM desktop */

#define E1000_MAX_TX_FRAME      0x10000     /* one frame or TSO segment */
#define E1000_MAX_RX_FRAME      16384       /* with LPE */
#define E1000_MAX_STD_FRAME     1522        /* without LPE, with a tag */
#define E1000_FCS_LEN           4
#define E1000_DESC_SIZE         16
#define E1000_RING_ALIGN        128         /* RDLEN/TDLEN granularity */
#define E1000_RING_MAX          0x100000    /* RDLEN/TDLEN bits 19:7 */

typedef struct E1000TxContext {
    uint8_t ipcss, ipcso;
    uint16_t ipcse;
    uint8_t tucss, tucso;
    uint16_t tucse;
    uint32_t paylen;
    uint8_t tucmd;
    uint8_t hdr_len;
    uint16_t mss;
} E1000TxContext;

typedef struct E1000State {
    PCIDevice pci;

    /* guest-visible state */
    uint32_t ctrl, status, eecd, eerd, ctrl_ext, fla, mdic;
    uint32_t fcal, fcah, fct, vet, fcttv, txcw, rxcw, ledctl, pba;
    uint32_t icr, itr, ims;
    uint32_t rctl, rdbal, rdbah, rdlen, rdh, rdt, rdtr, rxdctl, radv, rsrpd;
    uint32_t rxcsum;
    uint32_t tctl, tipg, tdbal, tdbah, tdlen, tdh, tdt, tidv, txdctl, tadv;
    uint32_t tspmt;
    uint32_t mta[E1000_MTA_N];
    uint32_t ra[2 * E1000_RA_N];
    uint32_t vfta[E1000_VFTA_N];
    uint32_t wuc, wufc, wus, manc;
    uint32_t ait, txdmac;
    uint32_t fifo[10];          /* RDFH..RDFPC, TDFH..TDFPC */
    uint32_t stats[E1000_STATS_N];
    uint32_t ioaddr;
    uint16_t phy[PHY_REGS];
    uint16_t eeprom[E1000_EEPROM_WORDS];
    /* Microwire shift register (EECD bit-banging) */
    uint32_t ee_in;             /* bits shifted in */
    uint8_t ee_bits_in;
    bool ee_reading;
    uint8_t ee_addr;
    int32_t ee_bit_out;         /* -1: the dummy 0 before data */
    /* transmit context and the packet being assembled */
    E1000TxContext ctx;
    bool tx_tse;                /* current packet uses TSO */
    uint8_t tx_popts;
    uint32_t tx_size;           /* bytes in tx_buf */
    uint32_t tx_seg_count;      /* TSO segments sent of this packet */
    uint32_t tx_pay_sent;       /* TSO payload bytes sent of this packet */
    uint8_t tx_hdr[256];        /* TSO: the headers as the guest wrote them */
    bool tx_vle;
    uint16_t tx_vlan;
    bool tx_drop;               /* bad packet: skip to EOP */
    /* interrupt moderation, virtual ns */
    int64_t itr_next;           /* earliest next interrupt (ITR) */
    int64_t rx_delay_at;        /* RXT0 due (RDTR/RADV), -1 none */
    int64_t rx_abs_at;          /* RADV absolute deadline, -1 none */

    /* wiring */
    char *netdev;               /* "netdev" property */
    char *macstr;               /* "mac" property */
    char *romfile;              /* "romfile" property */
    MACAddr mac;
    NetClientState *nc;
    MemoryRegion *mmio, *io, *rom;
    Timer *itr_timer, *rx_timer;
    uint8_t *tx_buf;            /* E1000_MAX_TX_FRAME + tag room */
    uint8_t *rx_buf;
    bool tx_blocked;            /* the back end is full; wait for sent */
    int dma_depth;              /* > 0 while we do DMA: reentry guard */
} E1000State;

/* e1000.c */
void e1000_set_ics(E1000State *s, uint32_t bits);

/* e1000-eeprom-phy.c */
void e1000_eeprom_init(E1000State *s);
void e1000_eecd_write(E1000State *s, uint32_t val);
uint32_t e1000_eecd_read(E1000State *s);
void e1000_eerd_write(E1000State *s, uint32_t val);
void e1000_phy_reset(E1000State *s);
void e1000_mdic_write(E1000State *s, uint32_t val);

#endif
