/*
 * fw_cfg (QEMU's docs/specs/fw_cfg.rst) over the qtest socket: the
 * signature and feature bits, the items the pc board fills from the
 * command line, the file directory, DMA reads and skips compared with
 * port reads, and hostile DMA (bad descriptor, bad target, 4 GiB length,
 * writes) that must end in the error bit, never in a crash.
 */
#include "libqtest.h"

#include <string.h>

#define FW_CFG_CTL              0x510
#define FW_CFG_DATA             0x511
#define FW_CFG_DMA_HI           0x514
#define FW_CFG_DMA_LO           0x518

#define FW_CFG_SIGNATURE        0x00
#define FW_CFG_ID               0x01
#define FW_CFG_RAM_SIZE         0x03
#define FW_CFG_NB_CPUS          0x05
#define FW_CFG_MAX_CPUS         0x0f
#define FW_CFG_FILE_DIR         0x19
#define FW_CFG_FILE_FIRST       0x20

#define DMA_CTL_ERROR           0x01
#define DMA_CTL_READ            0x02
#define DMA_CTL_SKIP            0x04
#define DMA_CTL_SELECT          0x08
#define DMA_CTL_WRITE           0x10

/* Guest RAM used by the tests: a descriptor and a target buffer. */
#define DESC_ADDR               0x10000ULL
#define BUF_ADDR                0x20000ULL
/* Nothing decodes this on the pc board without firmware (PCI hole). */
#define UNASSIGNED_MEM          0xd0000000ULL

#define RAM_MB                  256

static QTestState *start(void)
{
    return qtest_initf("-m %d -smp 2", RAM_MB);
}

static void fw_cfg_select(QTestState *s, uint16_t key)
{
    qtest_outw(s, FW_CFG_CTL, key);
}

static void fw_cfg_read(QTestState *s, void *buf, size_t len)
{
    uint8_t *p = buf;

    for (size_t i = 0; i < len; i++) {
        p[i] = qtest_inb(s, FW_CFG_DATA);
    }
}

static uint64_t fw_cfg_get_le(QTestState *s, uint16_t key, unsigned len)
{
    uint8_t b[8];
    uint64_t v = 0;

    fw_cfg_select(s, key);
    fw_cfg_read(s, b, len);
    for (unsigned i = 0; i < len; i++) {
        v |= (uint64_t)b[i] << (8 * i);
    }
    return v;
}

typedef struct FileEntry {
    uint32_t size;
    uint16_t select;
    char name[57];
} FileEntry;

/* Reads the directory through the data port. Caller frees. */
static FileEntry *read_dir(QTestState *s, uint32_t *count)
{
    uint8_t be[4];
    FileEntry *f;

    fw_cfg_select(s, FW_CFG_FILE_DIR);
    fw_cfg_read(s, be, 4);
    *count = (uint32_t)be[0] << 24 | be[1] << 16 | be[2] << 8 | be[3];
    g_assert_cmpuint(*count, <, 0x1000);
    f = g_new0(FileEntry, *count);
    for (uint32_t i = 0; i < *count; i++) {
        uint8_t e[64];

        fw_cfg_read(s, e, sizeof(e));
        f[i].size = (uint32_t)e[0] << 24 | e[1] << 16 | e[2] << 8 | e[3];
        f[i].select = e[4] << 8 | e[5];
        g_assert_cmpuint(e[6] | e[7], ==, 0);   /* reserved */
        memcpy(f[i].name, e + 8, 56);
        g_assert(memchr(e + 8, 0, 56));         /* NUL-terminated */
    }
    return f;
}

static const FileEntry *find_file(const FileEntry *f, uint32_t n,
                                  const char *name)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!strcmp(f[i].name, name)) {
            return &f[i];
        }
    }
    return NULL;
}

/* Writes a FWCfgDmaAccess at desc and starts it with two 32-bit writes
 * to the big-endian address register, high half first, as SeaBIOS does.
 * Returns the control field the device wrote back. */
static uint32_t dma_run(QTestState *s, uint64_t desc, uint32_t control,
                        uint32_t len, uint64_t addr)
{
    uint32_t be[4] = {
        GUINT32_TO_BE(control), GUINT32_TO_BE(len),
        GUINT32_TO_BE((uint32_t)(addr >> 32)), GUINT32_TO_BE((uint32_t)addr),
    };

    qtest_memwrite(s, desc, be, sizeof(be));
    qtest_outl(s, FW_CFG_DMA_HI, GUINT32_TO_BE((uint32_t)(desc >> 32)));
    qtest_outl(s, FW_CFG_DMA_LO, GUINT32_TO_BE((uint32_t)desc));
    return GUINT32_FROM_BE(qtest_readl(s, desc));
}

static uint32_t dma_select_read(QTestState *s, uint16_t key, uint32_t len,
                                uint64_t addr)
{
    return dma_run(s, DESC_ADDR,
                   (uint32_t)key << 16 | DMA_CTL_SELECT | DMA_CTL_READ,
                   len, addr);
}

/* ---- traditional interface -------------------------------------------- */

static void test_signature(void)
{
    QTestState *s = start();
    char sig[8];

    fw_cfg_select(s, FW_CFG_SIGNATURE);
    fw_cfg_read(s, sig, sizeof(sig));
    g_assert(!memcmp(sig, "QEMU", 4));
    /* Past the end of an item: zeroes. */
    g_assert(!memcmp(sig + 4, "\0\0\0\0", 4));

    /* Selecting again starts from offset 0. */
    fw_cfg_select(s, FW_CFG_SIGNATURE);
    g_assert_cmpuint(qtest_inb(s, FW_CFG_DATA), ==, 'Q');
    g_assert_cmpuint(qtest_inb(s, FW_CFG_DATA), ==, 'E');
    fw_cfg_select(s, FW_CFG_SIGNATURE);
    g_assert_cmpuint(qtest_inb(s, FW_CFG_DATA), ==, 'Q');

    /* Items are write-protected: a data write changes nothing. */
    fw_cfg_select(s, FW_CFG_SIGNATURE);
    qtest_outb(s, FW_CFG_DATA, 'X');
    fw_cfg_select(s, FW_CFG_SIGNATURE);
    fw_cfg_read(s, sig, 4);
    g_assert(!memcmp(sig, "QEMU", 4));

    /* The old write channel (bit 14) names the same item. */
    fw_cfg_select(s, 0x4000 | FW_CFG_SIGNATURE);
    fw_cfg_read(s, sig, 4);
    g_assert(!memcmp(sig, "QEMU", 4));
    qtest_quit(s);
}

static void test_id(void)
{
    QTestState *s = start();

    /* Bit 0 traditional interface, bit 1 DMA. */
    g_assert_cmphex(fw_cfg_get_le(s, FW_CFG_ID, 4), ==, 3);
    qtest_quit(s);
}

static void test_unknown_key(void)
{
    QTestState *s = start();
    static const uint16_t keys[] = { 0x3fff, 0x1f, 0x8fff, 0xffff, 0x2fff };

    for (unsigned i = 0; i < G_N_ELEMENTS(keys); i++) {
        fw_cfg_select(s, keys[i]);
        for (int j = 0; j < 16; j++) {
            g_assert_cmpuint(qtest_inb(s, FW_CFG_DATA), ==, 0);
        }
    }
    qtest_quit(s);
}

static void test_machine_items(void)
{
    QTestState *s = start();

    g_assert_cmpuint(fw_cfg_get_le(s, FW_CFG_RAM_SIZE, 8), ==,
                     (uint64_t)RAM_MB << 20);
    g_assert_cmpuint(fw_cfg_get_le(s, FW_CFG_NB_CPUS, 2), ==, 2);
    g_assert_cmpuint(fw_cfg_get_le(s, FW_CFG_MAX_CPUS, 2), >=, 2);
    qtest_quit(s);
}

static void test_file_dir(void)
{
    QTestState *s = start();
    uint32_t n;
    FileEntry *f = read_dir(s, &n);
    const FileEntry *e820, *boot;
    uint8_t e[20];
    uint64_t addr, len;

    g_assert_cmpuint(n, >=, 2);
    for (uint32_t i = 0; i < n; i++) {
        g_assert_cmpuint(f[i].select, >=, FW_CFG_FILE_FIRST);
        g_assert_cmpuint(f[i].select, <, 0x4000);
        if (i) {
            /* sorted by name, keys unique */
            g_assert_cmpint(strcmp(f[i - 1].name, f[i].name), <, 0);
            g_assert_cmpuint(f[i - 1].select, !=, f[i].select);
        }
    }

    boot = find_file(f, n, "bootorder");
    g_assert(boot);

    e820 = find_file(f, n, "etc/e820");
    g_assert(e820);
    g_assert_cmpuint(e820->size, >=, 20);
    g_assert_cmpuint(e820->size % 20, ==, 0);
    /* The first entry: RAM from 0, all of it below 4 GiB here. */
    fw_cfg_select(s, e820->select);
    fw_cfg_read(s, e, sizeof(e));
    addr = len = 0;
    for (int i = 7; i >= 0; i--) {
        addr = addr << 8 | e[i];
        len = len << 8 | e[8 + i];
    }
    g_assert_cmphex(addr, ==, 0);
    g_assert_cmphex(len, ==, (uint64_t)RAM_MB << 20);
    g_assert_cmpuint(e[16] | e[17] << 8 | e[18] << 16 | e[19] << 24, ==, 1);

    g_free(f);
    qtest_quit(s);
}

/* ---- DMA ---------------------------------------------------------------- */

static void test_dma_signature(void)
{
    QTestState *s = start();
    uint64_t hi = GUINT32_FROM_BE(qtest_inl(s, FW_CFG_DMA_HI));
    uint64_t lo = GUINT32_FROM_BE(qtest_inl(s, FW_CFG_DMA_LO));

    g_assert_cmphex(hi << 32 | lo, ==, 0x51454d5520434647ULL);
    g_assert_cmpuint(qtest_inb(s, FW_CFG_DMA_HI), ==, 'Q');
    g_assert_cmpuint(qtest_inb(s, FW_CFG_DMA_LO + 3), ==, 'G');
    qtest_quit(s);
}

static void test_dma_read_file(void)
{
    QTestState *s = start();
    uint32_t n;
    FileEntry *f = read_dir(s, &n);
    const FileEntry *e820 = find_file(f, n, "etc/e820");
    uint8_t *dma, *port;
    uint8_t tail[16];

    g_assert(e820);
    dma = g_malloc(e820->size);
    port = g_malloc(e820->size);
    qtest_memset(s, BUF_ADDR, 0xaa, e820->size + 16);

    g_assert_cmphex(dma_select_read(s, e820->select, e820->size, BUF_ADDR),
                    ==, 0);
    qtest_memread(s, BUF_ADDR, dma, e820->size);
    fw_cfg_select(s, e820->select);
    fw_cfg_read(s, port, e820->size);
    g_assert(!memcmp(dma, port, e820->size));
    /* Exactly length bytes were written. */
    qtest_memread(s, BUF_ADDR + e820->size, tail, sizeof(tail));
    for (unsigned i = 0; i < sizeof(tail); i++) {
        g_assert_cmphex(tail[i], ==, 0xaa);
    }

    /* The whole directory by DMA matches the port read too. */
    {
        uint32_t dir_len = 4 + 64 * n;
        uint8_t *a = g_malloc(dir_len), *b = g_malloc(dir_len);

        g_assert_cmphex(dma_select_read(s, FW_CFG_FILE_DIR, dir_len,
                                        BUF_ADDR), ==, 0);
        qtest_memread(s, BUF_ADDR, a, dir_len);
        fw_cfg_select(s, FW_CFG_FILE_DIR);
        fw_cfg_read(s, b, dir_len);
        g_assert(!memcmp(a, b, dir_len));
        g_free(a);
        g_free(b);
    }

    /* A read past the end fills zeroes. */
    qtest_memset(s, BUF_ADDR, 0xaa, 16);
    g_assert_cmphex(dma_select_read(s, FW_CFG_SIGNATURE, 16, BUF_ADDR), ==, 0);
    qtest_memread(s, BUF_ADDR, tail, sizeof(tail));
    g_assert(!memcmp(tail, "QEMU\0\0\0\0\0\0\0\0\0\0\0\0", 16));

    /* DMA and the data port share the offset. */
    fw_cfg_select(s, FW_CFG_SIGNATURE);
    g_assert_cmpuint(qtest_inb(s, FW_CFG_DATA), ==, 'Q');
    g_assert_cmphex(dma_run(s, DESC_ADDR, DMA_CTL_READ, 2, BUF_ADDR), ==, 0);
    g_assert_cmphex(qtest_readw(s, BUF_ADDR), ==, 'E' | 'M' << 8);
    g_assert_cmpuint(qtest_inb(s, FW_CFG_DATA), ==, 'U');

    /* The address register reads the signature again afterwards. */
    g_assert_cmphex(GUINT32_FROM_BE(qtest_inl(s, FW_CFG_DMA_HI)), ==,
                    0x51454d55);

    g_free(dma);
    g_free(port);
    g_free(f);
    qtest_quit(s);
}

static void test_dma_skip(void)
{
    QTestState *s = start();
    uint32_t n;
    FileEntry *f = read_dir(s, &n);
    uint8_t first[64], second[64];

    g_assert_cmpuint(n, >=, 2);
    /* Select the directory and skip its count. */
    g_assert_cmphex(dma_run(s, DESC_ADDR,
                            FW_CFG_FILE_DIR << 16 | DMA_CTL_SELECT |
                            DMA_CTL_SKIP, 4, 0), ==, 0);
    g_assert_cmphex(dma_run(s, DESC_ADDR, DMA_CTL_READ, 64, BUF_ADDR), ==, 0);
    qtest_memread(s, BUF_ADDR, first, sizeof(first));
    g_assert_cmpstr((char *)first + 8, ==, f[0].name);
    /* Skip, then the port reads the entry after the next one. */
    g_assert_cmphex(dma_run(s, DESC_ADDR, DMA_CTL_SKIP, 64, 0), ==, 0);
    if (n >= 3) {
        fw_cfg_read(s, second, sizeof(second));
        g_assert_cmpstr((char *)second + 8, ==, f[2].name);
    }
    /* Skipping past the end is harmless: reads are then zero. */
    g_assert_cmphex(dma_run(s, DESC_ADDR, DMA_CTL_SKIP, 0xffffffff, 0), ==, 0);
    g_assert_cmpuint(qtest_inb(s, FW_CFG_DATA), ==, 0);
    /* The offset stops at the end: no 32-bit wrap back into the data. */
    g_assert_cmphex(dma_run(s, DESC_ADDR,
                            FW_CFG_SIGNATURE << 16 | DMA_CTL_SELECT |
                            DMA_CTL_SKIP, 0xffffffff, 0), ==, 0);
    g_assert_cmphex(dma_run(s, DESC_ADDR, DMA_CTL_SKIP, 2, 0), ==, 0);
    g_assert_cmpuint(qtest_inb(s, FW_CFG_DATA), ==, 0);

    g_free(f);
    qtest_quit(s);
}

static void check_alive(QTestState *s)
{
    char sig[4];

    fw_cfg_select(s, FW_CFG_SIGNATURE);
    fw_cfg_read(s, sig, 4);
    g_assert(!memcmp(sig, "QEMU", 4));
}

static void test_dma_hostile(void)
{
    QTestState *s = start();
    uint64_t ram_end = (uint64_t)RAM_MB << 20;

    /* Target outside guest memory. */
    g_assert_cmphex(dma_select_read(s, FW_CFG_SIGNATURE, 4, UNASSIGNED_MEM),
                    ==, DMA_CTL_ERROR);
    check_alive(s);

    /* Target runs off the end of RAM. */
    g_assert_cmphex(dma_select_read(s, FW_CFG_FILE_DIR, 0x1000,
                                    ram_end - 0x10),
                    ==, DMA_CTL_ERROR);
    check_alive(s);

    /* A 4 GiB length from low RAM: copies, zero-fills to the end of RAM,
     * then meets the PCI hole. Must neither allocate 4 GiB nor hang. */
    g_assert_cmphex(dma_select_read(s, FW_CFG_SIGNATURE, 0xffffffff,
                                    ram_end - 0x100000), ==, DMA_CTL_ERROR);
    g_assert_cmphex(qtest_readl(s, ram_end - 0x100000), ==, 0x554d4551);
    g_assert_cmphex(qtest_readl(s, ram_end - 4), ==, 0);
    check_alive(s);

    /* Target wrapping around the top of the address space. */
    g_assert_cmphex(dma_select_read(s, FW_CFG_SIGNATURE, 0x100,
                                    0xffffffffffffff80ULL), ==, DMA_CTL_ERROR);
    check_alive(s);

    /* Writes are refused: no item is writable. */
    qtest_memwrite(s, BUF_ADDR, "EVIL", 4);
    g_assert_cmphex(dma_run(s, DESC_ADDR,
                            FW_CFG_SIGNATURE << 16 | DMA_CTL_SELECT |
                            DMA_CTL_WRITE, 4, BUF_ADDR), ==, DMA_CTL_ERROR);
    check_alive(s);

    /* Descriptor outside guest memory: nothing to write back to, and
     * nothing breaks. */
    qtest_outl(s, FW_CFG_DMA_HI, 0);
    qtest_outl(s, FW_CFG_DMA_LO, GUINT32_TO_BE((uint32_t)UNASSIGNED_MEM));
    check_alive(s);
    /* Descriptor at the very top of the address space. */
    qtest_outl(s, FW_CFG_DMA_HI, 0xffffffff);
    qtest_outl(s, FW_CFG_DMA_LO, GUINT32_TO_BE(0xfffffff8));
    check_alive(s);

    /* A descriptor that targets itself. */
    g_assert_cmphex(dma_select_read(s, FW_CFG_FILE_DIR, 16, DESC_ADDR), ==,
                    0);
    check_alive(s);

    /* Random descriptors: only "did not crash or hang". */
    {
        GRand *r = g_rand_new_with_seed(0xf00dcafe);

        for (int i = 0; i < 200; i++) {
            uint32_t ctl = g_rand_int(r) & 0x003f001f;
            uint32_t len = g_rand_int(r) & 0xffff;
            uint64_t addr = g_rand_boolean(r) ?
                            BUF_ADDR + (g_rand_int(r) & 0xffff) :
                            (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);

            dma_run(s, DESC_ADDR, ctl, len, addr);
        }
        g_rand_free(r);
    }
    check_alive(s);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fw_cfg/signature", test_signature);
    g_test_add_func("/fw_cfg/id", test_id);
    g_test_add_func("/fw_cfg/unknown-key", test_unknown_key);
    g_test_add_func("/fw_cfg/machine-items", test_machine_items);
    g_test_add_func("/fw_cfg/file-dir", test_file_dir);
    g_test_add_func("/fw_cfg/dma/signature", test_dma_signature);
    g_test_add_func("/fw_cfg/dma/read-file", test_dma_read_file);
    g_test_add_func("/fw_cfg/dma/skip", test_dma_skip);
    g_test_add_func("/fw_cfg/dma/hostile", test_dma_hostile);
    return g_test_run();
}
