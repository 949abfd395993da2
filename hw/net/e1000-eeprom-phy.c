/*
 * e1000 (82540EM): the EEPROM and the PHY. Follows the 8254x Software
 * Developer's Manual, section 5 (EEPROM: the 64-word Microwire part
 * behind EECD, and EERD) and section 13.5 (the internal PHY's registers
 * through MDIC). Emulated: reads (EERD and bit-banged Microwire), the PHY
 * registers drivers read and write, reset and auto-negotiation restart.
 * Not emulated: EEPROM writes and erases (logged), PHY interrupts, cable
 * diagnostics.
 */
#include "hw/net/e1000-int.h"

void e1000_eeprom_init(E1000State *s)
{
    uint16_t *w = s->eeprom;
    uint16_t sum = 0;

    memset(w, 0, sizeof(s->eeprom));
    for (int i = 0; i < 3; i++) {
        w[i] = s->mac.a[2 * i] | s->mac.a[2 * i + 1] << 8;
    }
    w[0x04] = 0xffff;                   /* LED settings: the defaults */
    /* Initialization control 1: signature 01b in bits 15:14, as the
     * manual's EEPROM map requires for the word to be valid. */
    w[E1000_EE_INIT_CTRL1] = 0x4000;
    w[E1000_EE_SUBSYS_ID] = E1000_DEVICE_ID;
    w[E1000_EE_SUBSYS_VENDOR] = E1000_VENDOR_ID;
    w[E1000_EE_DEVICE_ID] = E1000_DEVICE_ID;
    w[E1000_EE_VENDOR_ID] = E1000_VENDOR_ID;
    w[E1000_EE_INIT_CTRL2] = 0x4000;
    for (int i = 0x10; i < E1000_EE_CHECKSUM; i++) {
        w[i] = 0xffff;                  /* unprogrammed */
    }
    for (int i = 0; i < E1000_EE_CHECKSUM; i++) {
        sum += w[i];
    }
    w[E1000_EE_CHECKSUM] = E1000_EEPROM_SUM - sum;
}

/* Microwire, as the 93C46 behind EECD (section 5.3.1): while CS is high,
 * each rising SK edge shifts DI in; after a start bit, the read opcode
 * and six address bits, DO shows a dummy 0 and then, on each rising edge,
 * the data MSB first, continuing into the following words. */
void e1000_eecd_write(E1000State *s, uint32_t val)
{
    uint32_t old = s->eecd;

    s->eecd = val & (E1000_EECD_SK | E1000_EECD_CS | E1000_EECD_DI |
                     E1000_EECD_FWE_MASK | E1000_EECD_REQ);
    if (!(val & E1000_EECD_CS)) {
        s->ee_in = 0;
        s->ee_bits_in = 0;
        s->ee_reading = false;
        return;
    }
    if (!(val & E1000_EECD_SK) || (old & E1000_EECD_SK)) {
        return;                         /* not a rising edge */
    }
    if (s->ee_reading) {
        s->ee_bit_out++;
        return;
    }
    if (s->ee_bits_in == 0 && !(val & E1000_EECD_DI)) {
        return;                         /* leading zeros before the start */
    }
    s->ee_in = s->ee_in << 1 | !!(val & E1000_EECD_DI);
    if (++s->ee_bits_in == 3 + E1000_EE_ADDR_BITS) {
        if ((s->ee_in >> E1000_EE_ADDR_BITS) == E1000_EE_OPCODE_READ) {
            s->ee_reading = true;
            s->ee_addr = s->ee_in & (E1000_EEPROM_WORDS - 1);
            s->ee_bit_out = -1;
        } else {
            unimp_log("e1000: EEPROM opcode %u (only read is emulated)",
                      s->ee_in >> E1000_EE_ADDR_BITS);
        }
    }
}

uint32_t e1000_eecd_read(E1000State *s)
{
    uint32_t v = s->eecd | E1000_EECD_PRES;

    if (s->eecd & E1000_EECD_REQ) {
        v |= E1000_EECD_GNT;
    }
    if (s->ee_reading && s->ee_bit_out >= 0) {
        unsigned word = (s->ee_addr + s->ee_bit_out / 16) %
                        E1000_EEPROM_WORDS;
        if ((s->eeprom[word] >> (15 - s->ee_bit_out % 16)) & 1) {
            v |= E1000_EECD_DO;
        }
    }
    return v;
}

void e1000_eerd_write(E1000State *s, uint32_t val)
{
    unsigned addr = (val >> E1000_EERD_ADDR_SHIFT) & 0xff;

    s->eerd = val & 0xff00;
    if (!(val & E1000_EERD_START)) {
        return;
    }
    if (addr < E1000_EEPROM_WORDS) {
        s->eerd |= E1000_EERD_DONE |
                   (uint32_t)s->eeprom[addr] << E1000_EERD_DATA_SHIFT;
    } else {
        guest_error("e1000: EERD word %u beyond the EEPROM", addr);
        s->eerd |= E1000_EERD_DONE | 0xffffu << E1000_EERD_DATA_SHIFT;
    }
}

void e1000_phy_reset(E1000State *s)
{
    memset(s->phy, 0, sizeof(s->phy));
    s->phy[PHY_CTRL] = 0x1140;          /* AN enable, full duplex, 1000 */
    s->phy[PHY_STATUS] = 0x796d;        /* 10/100 caps, AN done, link up */
    s->phy[PHY_ID1] = 0x0141;           /* Marvell OUI: 82540EM's PHY */
    s->phy[PHY_ID2] = 0x0c20;
    s->phy[PHY_AUTONEG_ADV] = 0x0de1;
    s->phy[PHY_LP_ABILITY] = 0x45e1;    /* partner: all 10/100 modes */
    s->phy[PHY_AUTONEG_EXP] = 0x000d;
    s->phy[PHY_1000T_CTRL] = 0x0e00;
    s->phy[PHY_1000T_STATUS] = 0x3c00;  /* partner 1000 FD/HD, rx OK */
    s->phy[PHY_EXT_STATUS] = 0x3000;    /* 1000BASE-T FD/HD capable */
    s->phy[PHY_SPEC_CTRL] = 0x0360;
    s->phy[PHY_SPEC_STATUS] = 0xac00;   /* 1000, FD, resolved, link */
    s->phy[PHY_EXT_SPEC_CTRL] = 0x0d60;
}

void e1000_mdic_write(E1000State *s, uint32_t val)
{
    unsigned phy = (val >> E1000_MDIC_PHY_SHIFT) & 0x1f;
    unsigned reg = (val >> E1000_MDIC_REG_SHIFT) & 0x1f;
    uint16_t data = val & E1000_MDIC_DATA_MASK;

    val &= ~(E1000_MDIC_E | E1000_MDIC_R);
    if (phy != E1000_PHY_ADDR) {
        val |= E1000_MDIC_E;            /* no PHY answers there */
    } else if ((val & (3u << 26)) == E1000_MDIC_OP_READ) {
        val = (val & ~E1000_MDIC_DATA_MASK) | s->phy[reg];
    } else if ((val & (3u << 26)) == E1000_MDIC_OP_WRITE) {
        switch (reg) {
        case PHY_CTRL:
            if (data & PHY_CTRL_RESET) {
                e1000_phy_reset(s);
                break;
            }
            /* Restart auto-negotiation completes at once: the link
             * partner is always there. */
            s->phy[PHY_CTRL] = data & ~(PHY_CTRL_RESET | PHY_CTRL_RESTART_AN);
            s->phy[PHY_STATUS] |= PHY_STATUS_AN_COMPLETE;
            break;
        case PHY_AUTONEG_ADV:
        case PHY_NEXT_PAGE_TX:
        case PHY_1000T_CTRL:
        case PHY_SPEC_CTRL:
        case PHY_INT_ENABLE:
        case PHY_EXT_SPEC_CTRL:
        case 0x16: case 0x18: case 0x19: case 0x1a: case 0x1d: case 0x1e:
            s->phy[reg] = data;         /* page/LED/test registers: kept */
            break;
        default:
            guest_error("e1000: write to read-only PHY register %u", reg);
            break;
        }
    } else {
        val |= E1000_MDIC_E;
    }
    s->mdic = val | E1000_MDIC_R;
    if (val & E1000_MDIC_I) {
        e1000_set_ics(s, E1000_ICR_MDAC);
    }
}

