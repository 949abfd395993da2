/*
 * The PIIX3 IDE function (00:01.1) over the qtest socket: PCI identity,
 * IDENTIFY by PIO, PIO and DMA reads and writes against a raw image the
 * test creates (checked through the file itself), READ/WRITE MULTIPLE,
 * LBA48 past 2^28 sectors, out-of-range addresses (IDNF, nothing read
 * past the image), FLUSH CACHE, software reset signatures, the ATAPI
 * CD-ROM (IDENTIFY PACKET, INQUIRY, READ CAPACITY, READ(10) by PIO in
 * byte-count-limited chunks and by DMA, READ TOC, GET EVENT STATUS, the
 * empty default drive's NOT READY), hostile PRD tables (no EOT,
 * unassigned memory, too short, the table overwritten by its own
 * transfer) that must neither hang nor crash, and a register fuzz.
 */
#include "libqtest.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define IDE_DEVFN           ((1 << 3) | 1)

#define PCI_VENDOR_ID       0x00
#define PCI_DEVICE_ID       0x02
#define PCI_COMMAND         0x04
#define PCI_CLASS_PROG      0x09
#define PCI_CLASS_DEVICE    0x0a
#define PCI_BAR4            0x20
#define IDETIM              0x40

/* Task file (ATA-6 section 7). */
#define PRI_CMD             0x1f0
#define PRI_CTL             0x3f6
#define SEC_CMD             0x170
#define SEC_CTL             0x376
#define REG_DATA            0
#define REG_ERROR           1
#define REG_FEATURE         1
#define REG_NSECTOR         2
#define REG_LBAL            3
#define REG_LBAM            4
#define REG_LBAH            5
#define REG_DEVICE          6
#define REG_STATUS          7
#define REG_COMMAND         7

#define ERR                 0x01
#define DRQ                 0x08
#define DRDY                0x40
#define BSY                 0x80
#define ABRT                0x04
#define IDNF                0x10
#define DEV_LBA             0x40
#define CTL_NIEN            0x02
#define CTL_SRST            0x04
#define CTL_HOB             0x80

#define CMD_READ_SECTORS    0x20
#define CMD_READ_EXT        0x24
#define CMD_READ_DMA_EXT    0x25
#define CMD_WRITE_EXT       0x34
#define CMD_WRITE_SECTORS   0x30
#define CMD_PACKET          0xa0
#define CMD_IDENTIFY_PACKET 0xa1
#define CMD_READ_MULTIPLE   0xc4
#define CMD_SET_MULTIPLE    0xc6
#define CMD_READ_DMA        0xc8
#define CMD_WRITE_DMA       0xca
#define CMD_CHECK_POWER     0xe5
#define CMD_FLUSH           0xe7
#define CMD_IDENTIFY        0xec
#define CMD_SET_FEATURES    0xef

/* Bus master IDE (SFF-8038i). */
#define BM_BASE             0xc000
#define BM_CMD              0
#define BM_STATUS           2
#define BM_PRD              4
#define BM_START            0x01
#define BM_TO_MEM           0x08
#define BM_ACTIVE           0x01
#define BM_ERROR            0x02
#define BM_INT              0x04
#define PRD_EOT             0x80000000u

#define PRD_TABLE           0x100000
#define DMA_BUF             0x200000

#define DISK_SECTORS        2048            /* 1 MiB */
#define CD_BLOCKS           300

static char *disk_path, *cd_path;

/* Every sector holds its number and a position-dependent pattern, so a
 * sector read from the wrong place never passes. */
static uint8_t pattern(uint64_t sector, unsigned i)
{
    return (uint8_t)(sector * 13 + i * 7 + (sector >> 8));
}

static void fill_sector(uint8_t *buf, uint64_t sector, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        buf[i] = pattern(sector, i);
    }
}

static char *make_image(const char *name, uint64_t sectors, unsigned ssize)
{
    char *path = g_strdup_printf("%s/pcemu-ide-%s-%d.img", g_get_tmp_dir(),
                                 name, (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    uint8_t buf[2048];

    g_assert_cmpint(fd, >=, 0);
    for (uint64_t s = 0; s < sectors; s++) {
        fill_sector(buf, s, ssize);
        g_assert_cmpint(pwrite(fd, buf, ssize, s * ssize), ==, ssize);
    }
    close(fd);
    return path;
}

static void file_read(const char *path, uint64_t off, void *buf, size_t len)
{
    int fd = open(path, O_RDONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, buf, len, off), ==, (ssize_t)len);
    close(fd);
}

static void file_write(const char *path, uint64_t off, const void *buf,
                       size_t len)
{
    int fd = open(path, O_WRONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, buf, len, off), ==, (ssize_t)len);
    close(fd);
}

/* -nodefaults: no empty CD-ROM on ide1 unless a test adds one. */
static QTestState *start(const char *extra)
{
    QTestState *s = qtest_initf("-nodefaults -m 64 -drive file=%s,format=raw,"
                                "if=ide,index=0 %s", disk_path,
                                extra ? extra : "");

    /* What firmware does: I/O decode, bus master, BMIBA, IDE enable. */
    qtest_pci_config_writel(s, IDE_DEVFN, PCI_BAR4, BM_BASE | 1);
    qtest_pci_config_writew(s, IDE_DEVFN, PCI_COMMAND, 0x0005);
    qtest_pci_config_writew(s, IDE_DEVFN, IDETIM, 0x8000);
    qtest_pci_config_writew(s, IDE_DEVFN, IDETIM + 2, 0x8000);
    qtest_irq_intercept_in(s, "ioapic");
    return s;
}

/* Polls the alternate status until BSY clears (the block layer answers
 * on the main loop); never forever. */
static uint8_t wait_not_busy(QTestState *s, uint16_t ctl)
{
    uint8_t st = 0;

    for (int i = 0; i < 100000; i++) {
        st = qtest_inb(s, ctl);
        if (!(st & BSY)) {
            return st;
        }
        g_usleep(10);
    }
    g_assert_not_reached();
    return st;
}

static void set_lba28(QTestState *s, uint16_t cmd, unsigned unit,
                      uint32_t lba, uint8_t count)
{
    qtest_outb(s, cmd + REG_DEVICE, DEV_LBA | unit << 4 | (lba >> 24 & 0xf));
    qtest_outb(s, cmd + REG_NSECTOR, count);
    qtest_outb(s, cmd + REG_LBAL, lba);
    qtest_outb(s, cmd + REG_LBAM, lba >> 8);
    qtest_outb(s, cmd + REG_LBAH, lba >> 16);
}

static void set_lba48(QTestState *s, uint64_t lba, uint16_t count)
{
    qtest_outb(s, PRI_CMD + REG_DEVICE, DEV_LBA);
    qtest_outb(s, PRI_CMD + REG_NSECTOR, count >> 8);
    qtest_outb(s, PRI_CMD + REG_LBAL, lba >> 24);
    qtest_outb(s, PRI_CMD + REG_LBAM, lba >> 32);
    qtest_outb(s, PRI_CMD + REG_LBAH, lba >> 40);
    qtest_outb(s, PRI_CMD + REG_NSECTOR, count);
    qtest_outb(s, PRI_CMD + REG_LBAL, lba);
    qtest_outb(s, PRI_CMD + REG_LBAM, lba >> 8);
    qtest_outb(s, PRI_CMD + REG_LBAH, lba >> 16);
}

static void pio_read(QTestState *s, uint16_t cmd, void *buf, size_t len)
{
    uint16_t *p = buf;

    for (size_t i = 0; i < len / 2; i++) {
        p[i] = qtest_inw(s, cmd + REG_DATA);
    }
}

static void pio_write(QTestState *s, uint16_t cmd, const void *buf,
                      size_t len)
{
    const uint16_t *p = buf;

    for (size_t i = 0; i < len / 2; i++) {
        qtest_outw(s, cmd + REG_DATA, p[i]);
    }
}

static void check_sector(const uint8_t *buf, uint64_t sector, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        if (buf[i] != pattern(sector, i)) {
            g_error("sector %" G_GUINT64_FORMAT " byte %u: %02x, expected "
                    "%02x", sector, i, buf[i], pattern(sector, i));
        }
    }
}

/* --- tests ---------------------------------------------------------------- */

static void test_pci_ids(void)
{
    QTestState *s = qtest_init("-nodefaults");

    g_assert_cmphex(qtest_pci_config_readw(s, IDE_DEVFN, PCI_VENDOR_ID), ==,
                    0x8086);
    g_assert_cmphex(qtest_pci_config_readw(s, IDE_DEVFN, PCI_DEVICE_ID), ==,
                    0x7010);
    g_assert_cmphex(qtest_pci_config_readw(s, IDE_DEVFN, PCI_CLASS_DEVICE),
                    ==, 0x0101);
    g_assert_cmphex(qtest_pci_config_readb(s, IDE_DEVFN, PCI_CLASS_PROG), ==,
                    0x80);
    /* BAR4 is 16 bytes of I/O. */
    qtest_pci_config_writel(s, IDE_DEVFN, PCI_BAR4, 0xffffffff);
    g_assert_cmphex(qtest_pci_config_readl(s, IDE_DEVFN, PCI_BAR4) & 0xffff,
                    ==, 0xfff1);
    /* Nothing on the channels: every register reads 0 (no device). */
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS), ==, 0);
    g_assert_cmphex(qtest_inb(s, SEC_CMD + REG_STATUS), ==, 0);
    qtest_outb(s, PRI_CMD + REG_NSECTOR, 0x55);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_NSECTOR), ==, 0);
    qtest_quit(s);
}

static void test_identify(void)
{
    QTestState *s = start(NULL);
    uint16_t id[256];
    char model[41];
    uint8_t sum = 0;

    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS) & (DRDY | BSY), ==,
                    DRDY);
    qtest_outb(s, PRI_CMD + REG_DEVICE, 0);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_IDENTIFY);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, DRQ);
    g_assert_true(qtest_get_irq(s, 14));
    pio_read(s, PRI_CMD, id, sizeof(id));
    /* Reading the status register acknowledges the interrupt. */
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS) & DRQ, ==, 0);
    g_assert_false(qtest_get_irq(s, 14));

    g_assert_cmphex(id[0], ==, 0x0040);
    for (int i = 0; i < 20; i++) {
        model[2 * i] = id[27 + i] >> 8;
        model[2 * i + 1] = id[27 + i];
    }
    model[40] = 0;
    g_assert_true(g_str_has_prefix(model, "QEMU HARDDISK "));
    g_assert_cmpuint(id[60] | (uint32_t)id[61] << 16, ==, DISK_SECTORS);
    g_assert_cmpuint(id[100] | (uint32_t)id[101] << 16, ==, DISK_SECTORS);
    g_assert_cmphex(id[83] & (1 << 10), !=, 0);         /* LBA48 */
    g_assert_cmphex(id[49] & (3 << 8), ==, 3 << 8);     /* LBA, DMA */
    for (int i = 0; i < 512; i++) {
        sum += ((uint8_t *)id)[i];
    }
    g_assert_cmphex(id[255] & 0xff, ==, 0xa5);
    g_assert_cmphex(sum, ==, 0);

    /* The absent slave reads 0 and ignores commands. */
    qtest_outb(s, PRI_CMD + REG_DEVICE, 0x10);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS), ==, 0);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_IDENTIFY);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS), ==, 0);
    g_assert_false(qtest_get_irq(s, 14));
    qtest_quit(s);
}

static void test_pio_rw(void)
{
    QTestState *s = start(NULL);
    uint8_t buf[3 * 512], file[3 * 512];

    /* READ SECTORS, two sectors, one interrupt per DRQ block. */
    set_lba28(s, PRI_CMD, 0, 100, 2);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_READ_SECTORS);
    for (int i = 0; i < 2; i++) {
        g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, DRQ);
        g_assert_true(qtest_get_irq(s, 14));
        qtest_inb(s, PRI_CMD + REG_STATUS);
        if (i == 0) {
            pio_read(s, PRI_CMD, buf, 512);
        } else {
            /* 32-bit accesses move four bytes at a time. */
            for (int j = 0; j < 128; j++) {
                uint32_t v = qtest_inl(s, PRI_CMD);
                memcpy(buf + 512 + 4 * j, &v, 4);
            }
        }
    }
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, 0);
    check_sector(buf, 100, 512);
    check_sector(buf + 512, 101, 512);

    /* WRITE SECTORS, three sectors; the interrupt follows each block. */
    for (int i = 0; i < 3; i++) {
        memset(buf + 512 * i, 0xa0 + i, 512);
    }
    set_lba28(s, PRI_CMD, 0, 7, 3);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_WRITE_SECTORS);
    for (int i = 0; i < 3; i++) {
        g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, DRQ);
        pio_write(s, PRI_CMD, buf + 512 * i, 512);
        wait_not_busy(s, PRI_CTL);
        g_assert_true(qtest_get_irq(s, 14));
        qtest_inb(s, PRI_CMD + REG_STATUS);
    }
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, 0);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_FLUSH);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRDY | ERR), ==, DRDY);
    g_assert_true(qtest_get_irq(s, 14));
    file_read(disk_path, 7 * 512, file, sizeof(file));
    g_assert_cmpmem(file, sizeof(file), buf, sizeof(buf));
    /* The neighbours are untouched. */
    file_read(disk_path, 6 * 512, file, 512);
    check_sector(file, 6, 512);
    file_read(disk_path, 10 * 512, file, 512);
    check_sector(file, 10, 512);
    /* Restore for the other tests. */
    for (int i = 7; i < 10; i++) {
        fill_sector(buf, i, 512);
        file_write(disk_path, i * 512, buf, 512);
    }
    qtest_quit(s);
}

static void test_multiple(void)
{
    QTestState *s = start(NULL);
    uint8_t buf[8 * 512];

    qtest_outb(s, PRI_CMD + REG_DEVICE, 0);
    qtest_outb(s, PRI_CMD + REG_NSECTOR, 3);    /* not a power of two */
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_SET_MULTIPLE);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & ERR, ==, ERR);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_ERROR), ==, ABRT);
    qtest_outb(s, PRI_CMD + REG_NSECTOR, 4);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_SET_MULTIPLE);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & ERR, ==, 0);

    set_lba28(s, PRI_CMD, 0, 1000, 8);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_READ_MULTIPLE);
    for (int blk = 0; blk < 2; blk++) {
        g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, DRQ);
        g_assert_true(qtest_get_irq(s, 14));
        qtest_inb(s, PRI_CMD + REG_STATUS);
        g_assert_false(qtest_get_irq(s, 14));
        pio_read(s, PRI_CMD, buf + blk * 2048, 2048);
    }
    for (int i = 0; i < 8; i++) {
        check_sector(buf + 512 * i, 1000 + i, 512);
    }
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & DRQ, ==, 0);
    qtest_quit(s);
}

/* A sparse image past 2^28 sectors: LBA48 reaches it, LBA28 cannot. */
static void test_lba48(void)
{
    char *path = g_strdup_printf("%s/pcemu-ide-big-%d.img", g_get_tmp_dir(),
                                 (int)getpid());
    uint64_t sectors = (1ULL << 28) + 4096, lba = (1ULL << 28) + 5;
    uint8_t buf[512];
    uint16_t id[256];
    QTestState *s;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

    g_assert_cmpint(fd, >=, 0);
    if (ftruncate(fd, sectors * 512)) {
        close(fd);
        unlink(path);
        g_test_skip("no sparse 128 GiB file here");
        return;
    }
    fill_sector(buf, lba, 512);
    g_assert_cmpint(pwrite(fd, buf, 512, lba * 512), ==, 512);
    close(fd);

    s = qtest_initf("-nodefaults -drive file=%s,format=raw,if=ide", path);
    qtest_outb(s, PRI_CMD + REG_DEVICE, 0);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_IDENTIFY);
    wait_not_busy(s, PRI_CTL);
    pio_read(s, PRI_CMD, id, sizeof(id));
    g_assert_cmphex(id[60] | (uint32_t)id[61] << 16, ==, 0x0fffffff);
    g_assert_cmpuint(id[100] | (uint64_t)id[101] << 16 |
                     (uint64_t)id[102] << 32, ==, sectors);

    set_lba48(s, lba, 1);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_READ_EXT);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, DRQ);
    pio_read(s, PRI_CMD, buf, 512);
    check_sector(buf, lba, 512);
    /* HOB reads the high bytes of the address left in the registers. */
    qtest_outb(s, PRI_CTL, CTL_HOB);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_LBAL), ==, (lba >> 24) & 0xff);
    qtest_outb(s, PRI_CTL, 0);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_LBAL), ==, lba & 0xff);

    /* WRITE SECTORS EXT lands at the same place in the file. */
    memset(buf, 0x5a, 512);
    set_lba48(s, lba + 1, 1);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_WRITE_EXT);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, DRQ);
    pio_write(s, PRI_CMD, buf, 512);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, 0);
    qtest_quit(s);
    file_read(path, (lba + 1) * 512, buf, 512);
    for (int i = 0; i < 512; i++) {
        g_assert_cmphex(buf[i], ==, 0x5a);
    }
    unlink(path);
    g_free(path);
}

static void test_out_of_range(void)
{
    QTestState *s = start(NULL);

    /* The last sector is fine; one past it and a run crossing the end
     * are IDNF. */
    set_lba28(s, PRI_CMD, 0, DISK_SECTORS - 1, 1);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_READ_SECTORS);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, DRQ);
    for (int i = 0; i < 256; i++) {
        qtest_inw(s, PRI_CMD);
    }
    set_lba28(s, PRI_CMD, 0, DISK_SECTORS, 1);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_READ_SECTORS);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, ERR);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_ERROR) & IDNF, ==, IDNF);
    g_assert_true(qtest_get_irq(s, 14));

    set_lba28(s, PRI_CMD, 0, DISK_SECTORS - 2, 4);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_WRITE_SECTORS);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, ERR);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_ERROR) & IDNF, ==, IDNF);

    /* LBA28 address bits in the device register, far outside. */
    set_lba28(s, PRI_CMD, 0, 0x0ffffff0, 0);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_READ_DMA);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, ERR);

    /* Unknown commands abort; the device stays usable. */
    qtest_outb(s, PRI_CMD + REG_COMMAND, 0x77);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & ERR, ==, ERR);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_ERROR), ==, ABRT);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_CHECK_POWER);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & ERR, ==, 0);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_NSECTOR), ==, 0xff);
    qtest_quit(s);
}

static void test_srst(void)
{
    QTestState *s = start("-drive if=ide,index=2,media=cdrom");

    qtest_outb(s, PRI_CMD + REG_NSECTOR, 0x33);
    qtest_outb(s, PRI_CTL, CTL_SRST);
    g_assert_cmphex(qtest_inb(s, PRI_CTL) & BSY, ==, BSY);
    qtest_outb(s, PRI_CTL, 0);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS), ==, DRDY | 0x10);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_NSECTOR), ==, 1);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_LBAL), ==, 1);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_LBAM), ==, 0);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_ERROR), ==, 1);

    qtest_outb(s, SEC_CTL, CTL_SRST);
    qtest_outb(s, SEC_CTL, 0);
    g_assert_cmphex(qtest_inb(s, SEC_CMD + REG_LBAM), ==, 0x14);
    g_assert_cmphex(qtest_inb(s, SEC_CMD + REG_LBAH), ==, 0xeb);
    /* IDENTIFY DEVICE on a packet device aborts with the signature. */
    qtest_outb(s, SEC_CMD + REG_LBAM, 0);
    qtest_outb(s, SEC_CMD + REG_COMMAND, CMD_IDENTIFY);
    g_assert_cmphex(wait_not_busy(s, SEC_CTL) & ERR, ==, ERR);
    g_assert_cmphex(qtest_inb(s, SEC_CMD + REG_LBAM), ==, 0x14);
    g_assert_true(qtest_get_irq(s, 15));
    /* nIEN hides the interrupt line. */
    qtest_outb(s, SEC_CTL, CTL_NIEN);
    g_assert_false(qtest_get_irq(s, 15));
    qtest_outb(s, SEC_CTL, 0);
    g_assert_true(qtest_get_irq(s, 15));
    qtest_quit(s);
}

/* --- DMA ------------------------------------------------------------------ */

static void prd_set(QTestState *s, unsigned i, uint32_t addr, uint32_t len,
                    bool eot)
{
    qtest_writel(s, PRD_TABLE + 8 * i, addr);
    qtest_writel(s, PRD_TABLE + 8 * i + 4, (len & 0xffff) |
                 (eot ? PRD_EOT : 0));
}

/* Issues a DMA command with the engine started after it, as Linux does;
 * returns the bus-master status at the end. */
static uint8_t dma_cmd(QTestState *s, uint8_t cmd, uint32_t lba,
                       uint8_t count, bool to_mem)
{
    uint8_t st;

    qtest_outl(s, BM_BASE + BM_PRD, PRD_TABLE);
    qtest_outb(s, BM_BASE + BM_STATUS, BM_INT | BM_ERROR);
    qtest_outb(s, BM_BASE + BM_CMD, to_mem ? BM_TO_MEM : 0);
    set_lba28(s, PRI_CMD, 0, lba, count);
    qtest_outb(s, PRI_CMD + REG_COMMAND, cmd);
    qtest_outb(s, BM_BASE + BM_CMD, (to_mem ? BM_TO_MEM : 0) | BM_START);
    wait_not_busy(s, PRI_CTL);
    st = qtest_inb(s, BM_BASE + BM_STATUS);
    qtest_outb(s, BM_BASE + BM_CMD, 0);
    return st;
}

static void test_dma_rw(void)
{
    QTestState *s = start(NULL);
    uint8_t buf[16 * 512], file[16 * 512];

    /* Two descriptors: 3 sectors, then 13. */
    prd_set(s, 0, DMA_BUF, 3 * 512, false);
    prd_set(s, 1, DMA_BUF + 0x10000, 13 * 512, true);
    g_assert_cmphex(dma_cmd(s, CMD_READ_DMA, 200, 16, true) &
                    (BM_INT | BM_ERROR | BM_ACTIVE), ==, BM_INT);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS) & (ERR | DRQ), ==, 0);
    qtest_bufread(s, DMA_BUF, buf, 3 * 512);
    qtest_bufread(s, DMA_BUF + 0x10000, buf + 3 * 512, 13 * 512);
    for (int i = 0; i < 16; i++) {
        check_sector(buf + 512 * i, 200 + i, 512);
    }

    /* WRITE DMA from one descriptor, checked in the file. */
    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = i * 31 + 5;
    }
    qtest_bufwrite(s, DMA_BUF, buf, sizeof(buf));
    prd_set(s, 0, DMA_BUF, sizeof(buf), true);
    g_assert_cmphex(dma_cmd(s, CMD_WRITE_DMA, 300, 16, false) &
                    (BM_INT | BM_ERROR | BM_ACTIVE), ==, BM_INT);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS) & ERR, ==, 0);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_FLUSH);
    wait_not_busy(s, PRI_CTL);
    file_read(disk_path, 300 * 512, file, sizeof(file));
    g_assert_cmpmem(file, sizeof(file), buf, sizeof(buf));
    for (int i = 300; i < 316; i++) {
        fill_sector(buf, i, 512);
        file_write(disk_path, i * 512, buf, 512);
    }

    /* READ DMA EXT with the engine started first. */
    qtest_memset(s, DMA_BUF, 0, 1024);
    prd_set(s, 0, DMA_BUF, 1024, true);
    qtest_outl(s, BM_BASE + BM_PRD, PRD_TABLE);
    qtest_outb(s, BM_BASE + BM_STATUS, BM_INT);
    qtest_outb(s, BM_BASE + BM_CMD, BM_TO_MEM | BM_START);
    set_lba48(s, 1500, 2);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_READ_DMA_EXT);
    wait_not_busy(s, PRI_CTL);
    g_assert_cmphex(qtest_inb(s, BM_BASE + BM_STATUS) & BM_INT, ==, BM_INT);
    qtest_outb(s, BM_BASE + BM_CMD, 0);
    qtest_bufread(s, DMA_BUF, buf, 1024);
    check_sector(buf, 1500, 512);
    check_sector(buf + 512, 1501, 512);
    qtest_quit(s);
}

static void test_dma_hostile(void)
{
    QTestState *s = start(NULL);
    uint8_t st;

    /* A descriptor pointing into unassigned memory (the PCI hole): the
     * error bit, an aborted command, an interrupt. */
    prd_set(s, 0, 0xe0000000, 512, true);
    st = dma_cmd(s, CMD_READ_DMA, 0, 1, true);
    g_assert_cmphex(st & (BM_ERROR | BM_INT | BM_ACTIVE), ==,
                    BM_ERROR | BM_INT);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS) & (ERR | BSY | DRQ),
                    ==, ERR);

    /* The table itself outside RAM. */
    qtest_outl(s, BM_BASE + BM_PRD, 0xe0001000);
    qtest_outb(s, BM_BASE + BM_STATUS, BM_INT | BM_ERROR);
    set_lba28(s, PRI_CMD, 0, 0, 1);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_WRITE_DMA);
    qtest_outb(s, BM_BASE + BM_CMD, BM_START);
    wait_not_busy(s, PRI_CTL);
    g_assert_cmphex(qtest_inb(s, BM_BASE + BM_STATUS) & BM_ERROR, ==,
                    BM_ERROR);
    qtest_outb(s, BM_BASE + BM_CMD, 0);

    /* Too short: SFF-8038i's "Interrupt 0, Active 0"; no hang. */
    prd_set(s, 0, DMA_BUF, 512, true);
    st = dma_cmd(s, CMD_READ_DMA, 0, 2, true);
    g_assert_cmphex(st & (BM_ERROR | BM_INT | BM_ACTIVE), ==, 0);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS) & (BSY | DRQ), ==, 0);

    /* No EOT anywhere and 2-byte descriptors: the walk stops at the
     * descriptor limit, long before 256 sectors are moved. */
    for (unsigned i = 0; i < 8192; i += 512) {
        uint8_t tbl[512 * 8];

        for (unsigned j = 0; j < 512; j++) {
            uint32_t w[2] = { DMA_BUF, 2 };
            memcpy(tbl + 8 * j, w, 8);
        }
        qtest_bufwrite(s, PRD_TABLE + 8 * i, tbl, sizeof(tbl));
    }
    st = dma_cmd(s, CMD_READ_DMA, 0, 0, true);
    g_assert_cmphex(st & BM_ACTIVE, ==, 0);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS) & (BSY | DRQ), ==, 0);

    /* The transfer overwrites its own table with disk data. */
    prd_set(s, 0, PRD_TABLE, 0, false);     /* 64 KiB over the table */
    prd_set(s, 1, DMA_BUF, 0, true);
    st = dma_cmd(s, CMD_READ_DMA, 0, 0, true);
    g_assert_cmphex(qtest_inb(s, PRI_CMD + REG_STATUS) & (BSY | DRQ), ==, 0);

    /* Bus mastering off in PCICMD: the engine cannot reach memory. */
    qtest_pci_config_writew(s, IDE_DEVFN, PCI_COMMAND, 0x0001);
    prd_set(s, 0, DMA_BUF, 512, true);
    qtest_pci_config_writew(s, IDE_DEVFN, PCI_COMMAND, 0x0001);
    st = dma_cmd(s, CMD_READ_DMA, 0, 1, true);
    g_assert_cmphex(st & BM_ERROR, ==, BM_ERROR);
    qtest_pci_config_writew(s, IDE_DEVFN, PCI_COMMAND, 0x0005);

    /* Starting the engine with no command does nothing. */
    qtest_outb(s, BM_BASE + BM_STATUS, BM_INT | BM_ERROR);
    qtest_outb(s, BM_BASE + BM_CMD, BM_START);
    g_assert_cmphex(qtest_inb(s, BM_BASE + BM_STATUS), ==, BM_ACTIVE);
    qtest_outb(s, BM_BASE + BM_CMD, 0);

    /* Still a working disk. */
    prd_set(s, 0, DMA_BUF, 512, true);
    st = dma_cmd(s, CMD_READ_DMA, 42, 1, true);
    g_assert_cmphex(st & (BM_ERROR | BM_INT), ==, BM_INT);
    {
        uint8_t buf[512];
        qtest_bufread(s, DMA_BUF, buf, 512);
        check_sector(buf, 42, 512);
    }
    qtest_quit(s);
}

/* --- ATAPI ---------------------------------------------------------------- */

/* Sends a packet to the CD-ROM on ide1 master; limit is the PIO byte
 * count limit. Returns the status once the device wants data moved or
 * is done. */
static uint8_t atapi_send(QTestState *s, const uint8_t *pkt, uint16_t limit,
                          bool dma)
{
    qtest_outb(s, SEC_CMD + REG_DEVICE, 0);
    qtest_outb(s, SEC_CMD + REG_FEATURE, dma ? 1 : 0);
    qtest_outb(s, SEC_CMD + REG_LBAM, limit);
    qtest_outb(s, SEC_CMD + REG_LBAH, limit >> 8);
    qtest_outb(s, SEC_CMD + REG_COMMAND, CMD_PACKET);
    g_assert_cmphex(wait_not_busy(s, SEC_CTL) & DRQ, ==, DRQ);
    g_assert_cmphex(qtest_inb(s, SEC_CMD + REG_NSECTOR) & 3, ==, 1);
    pio_write(s, SEC_CMD, pkt, 12);
    return wait_not_busy(s, SEC_CTL);
}

/* Collects a PIO reply chunk by chunk; returns its length. */
static size_t atapi_reply(QTestState *s, uint8_t *buf, size_t max,
                          unsigned *chunks)
{
    size_t got = 0;
    uint8_t st;

    *chunks = 0;
    while ((st = wait_not_busy(s, SEC_CTL)) & DRQ) {
        unsigned n = qtest_inb(s, SEC_CMD + REG_LBAM) |
                     qtest_inb(s, SEC_CMD + REG_LBAH) << 8;

        g_assert_true(qtest_get_irq(s, 15));
        g_assert_cmphex(qtest_inb(s, SEC_CMD + REG_NSECTOR) & 3, ==, 2);
        qtest_inb(s, SEC_CMD + REG_STATUS);
        g_assert_cmpuint(got + n, <=, max);
        pio_read(s, SEC_CMD, buf + got, n);
        got += n;
        (*chunks)++;
    }
    g_assert_cmphex(st & ERR, ==, 0);
    g_assert_cmphex(qtest_inb(s, SEC_CMD + REG_NSECTOR) & 3, ==, 3);
    return got;
}

static void atapi_sense(QTestState *s, uint8_t *key, uint8_t *asc)
{
    uint8_t pkt[12] = { 0x03, 0, 0, 0, 18 };
    uint8_t buf[18];
    unsigned chunks;

    atapi_send(s, pkt, 18, false);
    g_assert_cmpuint(atapi_reply(s, buf, sizeof(buf), &chunks), ==, 18);
    *key = buf[2] & 0xf;
    *asc = buf[12];
}

static void test_atapi(void)
{
    char *arg = g_strdup_printf("-cdrom %s", cd_path);
    QTestState *s = start(arg);
    uint8_t buf[8192], key, asc;
    uint16_t id[256];
    unsigned chunks;

    qtest_outb(s, SEC_CMD + REG_DEVICE, 0);
    qtest_outb(s, SEC_CMD + REG_COMMAND, CMD_IDENTIFY_PACKET);
    g_assert_cmphex(wait_not_busy(s, SEC_CTL) & (DRQ | ERR), ==, DRQ);
    pio_read(s, SEC_CMD, id, sizeof(id));
    g_assert_cmphex(id[0], ==, 0x85c0);

    {
        uint8_t pkt[12] = { 0x12, 0, 0, 0, 36 };    /* INQUIRY */
        atapi_send(s, pkt, 0x100, false);
        g_assert_cmpuint(atapi_reply(s, buf, sizeof(buf), &chunks), ==, 36);
        g_assert_cmphex(buf[0], ==, 0x05);
        g_assert_true(!memcmp(buf + 16, "QEMU DVD-ROM", 12));
    }
    {
        uint8_t pkt[12] = { 0x25 };                 /* READ CAPACITY */
        atapi_send(s, pkt, 8, false);
        g_assert_cmpuint(atapi_reply(s, buf, sizeof(buf), &chunks), ==, 8);
        g_assert_cmpuint(buf[3] | buf[2] << 8, ==, CD_BLOCKS - 1);
        g_assert_cmpuint(buf[6] << 8 | buf[7], ==, 2048);
    }
    {
        /* READ(10) of 3 blocks at 10 with a 2048-byte limit: 3 chunks;
         * with 0x1001 (odd): even chunks of 0x1000. */
        uint8_t pkt[12] = { 0x28, 0, 0, 0, 0, 10, 0, 0, 3 };
        atapi_send(s, pkt, 2048, false);
        g_assert_cmpuint(atapi_reply(s, buf, sizeof(buf), &chunks), ==,
                         3 * 2048);
        g_assert_cmpuint(chunks, ==, 3);
        for (int i = 0; i < 3; i++) {
            check_sector(buf + 2048 * i, 10 + i, 2048);
        }
        pkt[8] = 4;
        atapi_send(s, pkt, 0x1001, false);
        g_assert_cmpuint(atapi_reply(s, buf, sizeof(buf), &chunks), ==,
                         4 * 2048);
        g_assert_cmpuint(chunks, ==, 2);
        check_sector(buf + 3 * 2048, 13, 2048);
    }
    {
        /* READ(12) by DMA. */
        uint8_t pkt[12] = { 0xa8, 0, 0, 0, 0, 200, 0, 0, 0, 2 };
        prd_set(s, 0, DMA_BUF, 4096, true);
        qtest_outl(s, BM_BASE + 8 + BM_PRD, PRD_TABLE);
        qtest_outb(s, BM_BASE + 8 + BM_STATUS, BM_INT | BM_ERROR);
        qtest_outb(s, BM_BASE + 8 + BM_CMD, BM_TO_MEM | BM_START);
        atapi_send(s, pkt, 0, true);
        g_assert_cmphex(wait_not_busy(s, SEC_CTL) & (ERR | DRQ), ==, 0);
        g_assert_cmphex(qtest_inb(s, BM_BASE + 8 + BM_STATUS) &
                        (BM_INT | BM_ERROR), ==, BM_INT);
        qtest_outb(s, BM_BASE + 8 + BM_CMD, 0);
        qtest_bufread(s, DMA_BUF, buf, 4096);
        check_sector(buf, 200, 2048);
        check_sector(buf + 2048, 201, 2048);
    }
    {
        /* READ TOC format 0: track 1 at 0, lead-out at CD_BLOCKS. */
        uint8_t pkt[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 100 };
        atapi_send(s, pkt, 100, false);
        g_assert_cmpuint(atapi_reply(s, buf, sizeof(buf), &chunks), ==, 20);
        g_assert_cmphex(buf[2], ==, 1);
        g_assert_cmphex(buf[6], ==, 1);
        g_assert_cmphex(buf[14], ==, 0xaa);
        g_assert_cmpuint(buf[18] << 8 | buf[19], ==, CD_BLOCKS);
        pkt[2] = 1;                     /* session info */
        atapi_send(s, pkt, 100, false);
        g_assert_cmpuint(atapi_reply(s, buf, sizeof(buf), &chunks), ==, 12);
        pkt[2] = 2;                     /* raw TOC, MSF */
        pkt[1] = 2;
        atapi_send(s, pkt, 100, false);
        g_assert_cmpuint(atapi_reply(s, buf, sizeof(buf), &chunks), ==,
                         4 + 4 * 11);
    }
    {
        /* GET CONFIGURATION: current profile CD-ROM. */
        uint8_t pkt[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0, 64 };
        size_t n;
        atapi_send(s, pkt, 64, false);
        n = atapi_reply(s, buf, sizeof(buf), &chunks);
        g_assert_cmpuint(n, >=, 8);
        g_assert_cmphex(buf[6] << 8 | buf[7], ==, 0x0008);
    }
    {
        /* MODE SENSE(10) page 2Ah; an unknown page is refused. */
        uint8_t pkt[12] = { 0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 64 };
        atapi_send(s, pkt, 64, false);
        g_assert_cmpuint(atapi_reply(s, buf, sizeof(buf), &chunks), ==, 30);
        g_assert_cmphex(buf[8], ==, 0x2a);
        pkt[2] = 0x22;
        g_assert_cmphex(atapi_send(s, pkt, 64, false) & ERR, ==, ERR);
        atapi_sense(s, &key, &asc);
        g_assert_cmphex(key, ==, 5);
        g_assert_cmphex(asc, ==, 0x24);
    }
    {
        /* Past the end: ILLEGAL REQUEST / LBA OUT OF RANGE. */
        uint8_t pkt[12] = { 0x28, 0, 0, 0, CD_BLOCKS >> 8, CD_BLOCKS & 0xff,
                            0, 0, 1 };
        g_assert_cmphex(atapi_send(s, pkt, 2048, false) & ERR, ==, ERR);
        g_assert_cmphex(qtest_inb(s, SEC_CMD + REG_ERROR) >> 4, ==, 5);
        atapi_sense(s, &key, &asc);
        g_assert_cmphex(key, ==, 5);
        g_assert_cmphex(asc, ==, 0x21);
    }
    {
        /* Eject, then TEST UNIT READY says NOT READY; load: UNIT
         * ATTENTION once, then ready. */
        uint8_t eject[12] = { 0x1b, 0, 0, 0, 0x02 };
        uint8_t load[12] = { 0x1b, 0, 0, 0, 0x03 };
        uint8_t tur[12] = { 0 };
        g_assert_cmphex(atapi_send(s, eject, 0, false) & ERR, ==, 0);
        g_assert_cmphex(atapi_send(s, tur, 0, false) & ERR, ==, ERR);
        atapi_sense(s, &key, &asc);
        g_assert_cmphex(key, ==, 2);
        g_assert_cmphex(asc, ==, 0x3a);
        g_assert_cmphex(atapi_send(s, load, 0, false) & ERR, ==, 0);
        g_assert_cmphex(atapi_send(s, tur, 0, false) & ERR, ==, ERR);
        atapi_sense(s, &key, &asc);
        g_assert_cmphex(key, ==, 6);
        g_assert_cmphex(asc, ==, 0x28);
        g_assert_cmphex(atapi_send(s, tur, 0, false) & ERR, ==, 0);
    }
    qtest_quit(s);
    g_free(arg);
}

/* QEMU's pc has an empty CD-ROM at ide1-cd0 unless -nodefaults. */
static void test_atapi_empty(void)
{
    QTestState *s = qtest_init("");
    uint8_t tur[12] = { 0 }, gesn[12] = { 0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    uint8_t buf[8], key, asc;
    unsigned chunks;

    qtest_irq_intercept_in(s, "ioapic");
    g_assert_cmphex(qtest_inb(s, SEC_CMD + REG_LBAM), ==, 0x14);
    g_assert_cmphex(atapi_send(s, tur, 0, false) & ERR, ==, ERR);
    g_assert_cmphex(qtest_inb(s, SEC_CMD + REG_ERROR) >> 4, ==, 2);
    atapi_sense(s, &key, &asc);
    g_assert_cmphex(key, ==, 2);
    g_assert_cmphex(asc, ==, 0x3a);
    atapi_send(s, gesn, 8, false);
    g_assert_cmpuint(atapi_reply(s, buf, sizeof(buf), &chunks), ==, 8);
    g_assert_cmphex(buf[5] & 2, ==, 0);         /* no medium */
    qtest_quit(s);
}

/* --- fuzz ------------------------------------------------------------------ */

/* Random accesses to every register of both channels and the engine,
 * with the engine's table in RAM and random memory behind it. The only
 * check: pcemu neither crashes nor hangs, and the disk still reads. */
static void test_fuzz(void)
{
    char *arg = g_strdup_printf("-cdrom %s", cd_path);
    QTestState *s = start(arg);
    GRand *r = g_rand_new_with_seed(1234);
    static const uint16_t ports[] = {
        PRI_CMD, PRI_CMD + 1, PRI_CMD + 2, PRI_CMD + 3, PRI_CMD + 4,
        PRI_CMD + 5, PRI_CMD + 6, PRI_CMD + 7, PRI_CTL,
        SEC_CMD, SEC_CMD + 1, SEC_CMD + 2, SEC_CMD + 3, SEC_CMD + 4,
        SEC_CMD + 5, SEC_CMD + 6, SEC_CMD + 7, SEC_CTL,
        BM_BASE, BM_BASE + 2, BM_BASE + 4, BM_BASE + 8, BM_BASE + 10,
        BM_BASE + 12,
    };
    uint8_t buf[512];

    for (int i = 0; i < 64; i++) {
        uint32_t w[2] = { g_rand_int(r) % 0x400000,
                          g_rand_int(r) & 0x8000fffe };
        qtest_memwrite(s, PRD_TABLE + 8 * i, w, 8);
    }
    for (int i = 0; i < 6000; i++) {
        uint16_t port = ports[g_rand_int_range(r, 0, G_N_ELEMENTS(ports))];
        uint32_t v = g_rand_int(r);

        if (port == BM_BASE + 4 || port == BM_BASE + 12) {
            v = PRD_TABLE + (v & 0x1f8);
        }
        if ((port == PRI_CMD + 7 || port == SEC_CMD + 7) && (v & 1)) {
            /* Mostly real commands. */
            static const uint8_t cmds[] = {
                0x20, 0x24, 0x25, 0x29, 0x30, 0x34, 0x35, 0x39, 0x40, 0x42,
                0x70, 0x90, 0x91, 0xa0, 0xa1, 0xc4, 0xc5, 0xc6, 0xc8, 0xca,
                0xe0, 0xe1, 0xe5, 0xe7, 0xea, 0xec, 0xef, 0xf8, 0x08, 0x00,
            };
            v = cmds[(v >> 1) % G_N_ELEMENTS(cmds)];
        }
        switch (g_rand_int_range(r, 0, 6)) {
        case 0:
            qtest_outb(s, port, v);
            break;
        case 1:
            qtest_outw(s, port, v);
            break;
        case 2:
            qtest_outl(s, port, v);
            break;
        case 3:
            qtest_inb(s, port);
            break;
        case 4:
            qtest_inw(s, port);
            break;
        default:
            qtest_inl(s, port);
            break;
        }
    }
    /* Reset the channel the hard way, then read a sector. */
    qtest_outb(s, BM_BASE, 0);
    qtest_outb(s, PRI_CTL, CTL_SRST);
    qtest_outb(s, PRI_CTL, 0);
    wait_not_busy(s, PRI_CTL);
    set_lba28(s, PRI_CMD, 0, 77, 1);
    qtest_outb(s, PRI_CMD + REG_COMMAND, CMD_READ_SECTORS);
    g_assert_cmphex(wait_not_busy(s, PRI_CTL) & (DRQ | ERR), ==, DRQ);
    pio_read(s, PRI_CMD, buf, 512);
    /* The fuzz may have written the disk, but not sector 77's image
     * content is what we check: read it from the file instead. */
    {
        uint8_t file[512];
        file_read(disk_path, 77 * 512, file, 512);
        g_assert_cmpmem(buf, 512, file, 512);
    }
    g_rand_free(r);
    qtest_quit(s);
    g_free(arg);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    disk_path = make_image("disk", DISK_SECTORS, 512);
    cd_path = make_image("cd", CD_BLOCKS, 2048);

    g_test_add_func("/ide/pci-ids", test_pci_ids);
    g_test_add_func("/ide/identify", test_identify);
    g_test_add_func("/ide/pio-rw", test_pio_rw);
    g_test_add_func("/ide/multiple", test_multiple);
    g_test_add_func("/ide/lba48", test_lba48);
    g_test_add_func("/ide/out-of-range", test_out_of_range);
    g_test_add_func("/ide/srst", test_srst);
    g_test_add_func("/ide/dma-rw", test_dma_rw);
    g_test_add_func("/ide/dma-hostile", test_dma_hostile);
    g_test_add_func("/ide/atapi", test_atapi);
    g_test_add_func("/ide/atapi-empty", test_atapi_empty);
    /* Last: it may write anywhere on the disk. */
    g_test_add_func("/ide/fuzz", test_fuzz);
    ret = g_test_run();
    unlink(disk_path);
    unlink(cd_path);
    return ret;
}
