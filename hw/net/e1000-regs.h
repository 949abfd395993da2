/*
 * Intel 82540EM Gigabit Ethernet Controller: register offsets, bits and
 * descriptor layouts, named as in the "PCI/PCI-X Family of Gigabit
 * Ethernet Controllers Software Developer's Manual" (8254x, rev. 4.0):
 * section 13 (registers), section 3 (descriptors), section 5 (EEPROM)
 * and the PHY register map of section 13.5 (82540EM internal PHY).
 */
#ifndef HW_NET_E1000_REGS_H
#define HW_NET_E1000_REGS_H

/* --- general (13.4.1 - 13.4.11) ----------------------------------------- */
#define E1000_CTRL      0x00000
#define  E1000_CTRL_FD          (1u << 0)
#define  E1000_CTRL_LRST        (1u << 3)
#define  E1000_CTRL_ASDE        (1u << 5)
#define  E1000_CTRL_SLU         (1u << 6)
#define  E1000_CTRL_SPEED_1000  (2u << 8)
#define  E1000_CTRL_RST         (1u << 26)
#define  E1000_CTRL_VME         (1u << 30)
#define  E1000_CTRL_PHY_RST     (1u << 31)
#define E1000_STATUS    0x00008
#define  E1000_STATUS_FD        (1u << 0)
#define  E1000_STATUS_LU        (1u << 1)
#define  E1000_STATUS_TXOFF     (1u << 4)
#define  E1000_STATUS_SPEED_1000 (2u << 6)
#define  E1000_STATUS_ASDV_1000 (2u << 8)
#define E1000_EECD      0x00010
#define  E1000_EECD_SK          (1u << 0)
#define  E1000_EECD_CS          (1u << 1)
#define  E1000_EECD_DI          (1u << 2)
#define  E1000_EECD_DO          (1u << 3)
#define  E1000_EECD_FWE_MASK    (3u << 4)
#define  E1000_EECD_REQ         (1u << 6)
#define  E1000_EECD_GNT         (1u << 7)
#define  E1000_EECD_PRES        (1u << 8)
#define E1000_EERD      0x00014
#define  E1000_EERD_START       (1u << 0)
#define  E1000_EERD_DONE        (1u << 4)
#define  E1000_EERD_ADDR_SHIFT  8
#define  E1000_EERD_DATA_SHIFT  16
#define E1000_CTRL_EXT  0x00018
#define E1000_FLA       0x0001c
#define E1000_MDIC      0x00020
#define  E1000_MDIC_DATA_MASK   0xffffu
#define  E1000_MDIC_REG_SHIFT   16
#define  E1000_MDIC_PHY_SHIFT   21
#define  E1000_MDIC_OP_WRITE    (1u << 26)
#define  E1000_MDIC_OP_READ     (2u << 26)
#define  E1000_MDIC_R           (1u << 28)
#define  E1000_MDIC_I           (1u << 29)
#define  E1000_MDIC_E           (1u << 30)
#define E1000_FCAL      0x00028
#define E1000_FCAH      0x0002c
#define E1000_FCT       0x00030
#define E1000_VET       0x00038
#define E1000_FCTTV     0x00170
#define E1000_TXCW      0x00178
#define E1000_RXCW      0x00180
#define E1000_AIT       0x00458     /* adaptive IFS throttle */
#define E1000_LEDCTL    0x00e00
#define E1000_PBA       0x01000

/* --- interrupts (13.4.17 - 13.4.21) --------------------------------------- */
#define E1000_ICR       0x000c0
#define  E1000_ICR_TXDW         (1u << 0)
#define  E1000_ICR_TXQE         (1u << 1)
#define  E1000_ICR_LSC          (1u << 2)
#define  E1000_ICR_RXSEQ        (1u << 3)
#define  E1000_ICR_RXDMT0       (1u << 4)
#define  E1000_ICR_RXO          (1u << 6)
#define  E1000_ICR_RXT0         (1u << 7)
#define  E1000_ICR_MDAC         (1u << 9)
#define  E1000_ICR_RXCFG        (1u << 10)
#define  E1000_ICR_TXD_LOW      (1u << 15)
#define  E1000_ICR_SRPD         (1u << 16)
#define  E1000_ICR_MASK         0x0001f6dfu
#define E1000_ITR       0x000c4
#define  E1000_ITR_UNIT_NS      256
#define E1000_ICS       0x000c8
#define E1000_IMS       0x000d0
#define E1000_IMC       0x000d8

/* --- receive (13.4.22 - 13.4.35) ----------------------------------------- */
#define E1000_RCTL      0x00100
#define  E1000_RCTL_EN          (1u << 1)
#define  E1000_RCTL_SBP         (1u << 2)
#define  E1000_RCTL_UPE         (1u << 3)
#define  E1000_RCTL_MPE         (1u << 4)
#define  E1000_RCTL_LPE         (1u << 5)
#define  E1000_RCTL_LBM_MASK    (3u << 6)
#define  E1000_RCTL_RDMTS_SHIFT 8
#define  E1000_RCTL_MO_SHIFT    12
#define  E1000_RCTL_BAM         (1u << 15)
#define  E1000_RCTL_BSIZE_SHIFT 16
#define  E1000_RCTL_VFE         (1u << 18)
#define  E1000_RCTL_BSEX        (1u << 25)
#define  E1000_RCTL_SECRC       (1u << 26)
#define E1000_RDBAL     0x02800
#define E1000_RDBAH     0x02804
#define E1000_RDLEN     0x02808
#define E1000_RDH       0x02810
#define E1000_RDT       0x02818
#define E1000_RDTR      0x02820
#define  E1000_RDTR_FPD         (1u << 31)
#define E1000_RXDCTL    0x02828
#define E1000_RADV      0x0282c
#define E1000_RSRPD     0x02c00
#define E1000_RXCSUM    0x05000
/* Packet buffer FIFO pointers (13.4.37+): diagnostic, stored only. */
#define E1000_RDFH      0x02410
#define E1000_RDFT      0x02418
#define E1000_RDFHS     0x02420
#define E1000_RDFTS     0x02428
#define E1000_RDFPC     0x02430
#define E1000_TXDMAC    0x03000
#define E1000_TDFH      0x03410
#define E1000_TDFT      0x03418
#define E1000_TDFHS     0x03420
#define E1000_TDFTS     0x03428
#define E1000_TDFPC     0x03430
#define E1000_TIMER_UNIT_NS     1024    /* RDTR, RADV, TIDV, TADV */

/* --- transmit (13.4.33 - 13.4.46) --------------------------------------------- */
#define E1000_TCTL      0x00400
#define  E1000_TCTL_EN          (1u << 1)
#define  E1000_TCTL_PSP         (1u << 3)
#define E1000_TIPG      0x00410
#define E1000_TDBAL     0x03800
#define E1000_TDBAH     0x03804
#define E1000_TDLEN     0x03808
#define E1000_TDH       0x03810
#define E1000_TDT       0x03818
#define E1000_TIDV      0x03820
#define E1000_TXDCTL    0x03828
#define E1000_TADV      0x0382c
#define E1000_TSPMT     0x03830

/* --- statistics (13.7): 0x4000 - 0x40fc, all clear on read ----------------- */
#define E1000_STATS_BASE 0x04000
#define E1000_STATS_END  0x04100
#define E1000_STATS_N    ((E1000_STATS_END - E1000_STATS_BASE) / 4)
#define E1000_STAT(off)  (((off) - E1000_STATS_BASE) / 4)
#define E1000_MPC       0x04010
#define E1000_GPRC      0x04074
#define E1000_BPRC      0x04078
#define E1000_MPRC      0x0407c
#define E1000_GPTC      0x04080
#define E1000_GORCL     0x04088
#define E1000_GORCH     0x0408c
#define E1000_GOTCL     0x04090
#define E1000_GOTCH     0x04094
#define E1000_RNBC      0x040a0
#define E1000_RUC       0x040a4
#define E1000_ROC       0x040ac
#define E1000_TORL      0x040c0
#define E1000_TORH      0x040c4
#define E1000_TOTL      0x040c8
#define E1000_TOTH      0x040cc
#define E1000_TPR       0x040d0
#define E1000_TPT       0x040d4
#define E1000_PRC64     0x0405c     /* then 127, 255, 511, 1023, 1522 */
#define E1000_PTC64     0x040d8     /* then 127, 255, 511, 1023, 1522 */
#define E1000_MPTC      0x040f0
#define E1000_BPTC      0x040f4
#define E1000_TSCTC     0x040f8
#define E1000_TSCTFC    0x040fc

/* --- filters (13.5) ------------------------------------------------------- */
#define E1000_MTA       0x05200     /* 128 x 32 bits */
#define E1000_MTA_N     128
#define E1000_RA        0x05400     /* 16 x (RAL, RAH) */
#define E1000_RA_N      16
#define  E1000_RAH_AV           (1u << 31)
#define E1000_VFTA      0x05600     /* 128 x 32 bits */
#define E1000_VFTA_N    128
#define E1000_WUC       0x05800
#define E1000_WUFC      0x05808
#define E1000_WUS       0x05810     /* write 1s to clear */
#define E1000_MANC      0x05820

/* --- receive descriptor (3.2.3), 16 bytes ------------------------------------- */
#define E1000_RXD_STAT_DD       0x01
#define E1000_RXD_STAT_EOP      0x02
#define E1000_RXD_STAT_IXSM     0x04
#define E1000_RXD_STAT_VP       0x08

/* --- transmit descriptors (3.3), 16 bytes ------------------------------------- */
/* Legacy: addr(8), length(2), CSO(1), CMD(1), STA(1), CSS(1), special(2). */
#define E1000_TXD_CMD_EOP       0x01
#define E1000_TXD_CMD_IFCS      0x02
#define E1000_TXD_CMD_IC        0x04    /* legacy: insert checksum */
#define E1000_TXD_CMD_TSE       0x04    /* data: TCP segmentation */
#define E1000_TXD_CMD_RS        0x08
#define E1000_TXD_CMD_DEXT      0x20
#define E1000_TXD_CMD_VLE       0x40
#define E1000_TXD_CMD_IDE       0x80
#define E1000_TXD_STAT_DD       0x01
/* Extended: DTYP in bits 23:20 of the command dword. */
#define E1000_TXD_DTYP_SHIFT    20
#define E1000_TXD_DTYP_CTX      0x0
#define E1000_TXD_DTYP_DATA     0x1
#define E1000_TXD_LEN_MASK      0x000fffffu
/* Context descriptor TUCMD (the command byte). */
#define E1000_TUCMD_TCP         0x01
#define E1000_TUCMD_IP          0x02
#define E1000_TUCMD_TSE         0x04
/* Data descriptor POPTS. */
#define E1000_POPTS_IXSM        0x01
#define E1000_POPTS_TXSM        0x02

/* --- EEPROM (5.6): 64 words of Microwire (93C46), word 3Fh makes the sum
 * of all words BABAh. ------------------------------------------------------ */
#define E1000_EEPROM_WORDS      64
#define E1000_EEPROM_SUM        0xbaba
#define E1000_EE_INIT_CTRL1     0x0a
#define E1000_EE_SUBSYS_ID      0x0b
#define E1000_EE_SUBSYS_VENDOR  0x0c
#define E1000_EE_DEVICE_ID      0x0d
#define E1000_EE_VENDOR_ID      0x0e
#define E1000_EE_INIT_CTRL2     0x0f
#define E1000_EE_CHECKSUM       0x3f
#define E1000_EE_OPCODE_READ    0x6     /* start bit 1, opcode 10b */
#define E1000_EE_ADDR_BITS      6

/* --- PHY (13.5: 82540EM internal PHY, at MDIO address 1) ---------------- */
#define E1000_PHY_ADDR          1
#define PHY_CTRL                0x00    /* BMCR */
#define  PHY_CTRL_RESET             0x8000
#define  PHY_CTRL_RESTART_AN        0x0200
#define PHY_STATUS              0x01    /* BMSR */
#define  PHY_STATUS_LINK            0x0004
#define  PHY_STATUS_AN_COMPLETE     0x0020
#define PHY_ID1                 0x02
#define PHY_ID2                 0x03
#define PHY_AUTONEG_ADV         0x04    /* ANAR */
#define PHY_LP_ABILITY          0x05    /* ANLPAR */
#define PHY_AUTONEG_EXP         0x06
#define PHY_NEXT_PAGE_TX        0x07
#define PHY_LP_NEXT_PAGE        0x08
#define PHY_1000T_CTRL          0x09
#define PHY_1000T_STATUS        0x0a
#define PHY_EXT_STATUS          0x0f
#define PHY_SPEC_CTRL           0x10
#define PHY_SPEC_STATUS         0x11
#define PHY_INT_ENABLE          0x12
#define PHY_INT_STATUS          0x13
#define PHY_EXT_SPEC_CTRL       0x14
#define PHY_RX_ERR_CNTR         0x15
#define PHY_REGS                0x20

#endif
