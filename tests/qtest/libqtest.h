/*
 * The qtest client for device tests: starts pcemu with no CPU
 * (-accel qtest) and a given command line, and drives ports, memory, the
 * virtual clock and IRQ lines over the qtest socket. See
 * docs/qtest-protocol.md for the wire protocol.
 *
 * Every function aborts the test (g_assert) on a protocol error or a dead
 * emulator: a test failure, not something to handle.
 */
#ifndef TESTS_QTEST_LIBQTEST_H
#define TESTS_QTEST_LIBQTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

typedef struct QTestState QTestState;

/* Starts "$PCEMU_BINARY -accel qtest -qtest unix:SOCK -display none
 * -net none <extra_args>" (printf-style) and waits for the connection. */
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
QTestState *qtest_init(const char *extra_args);
/* Kills the emulator (SIGTERM), checks it did not crash (no death by
 * another signal) and exited with the expected status (0 unless set
 * below; not checked after qtest_wait_exit returned it). */
void qtest_quit(QTestState *s);
void qtest_set_expected_status(QTestState *s, int status);
/* Exit status of an emulator that ended on its own (waits up to 10 s);
 * -1 if it is still running. */
int qtest_wait_exit(QTestState *s);

void qtest_outb(QTestState *s, uint16_t port, uint8_t v);
void qtest_outw(QTestState *s, uint16_t port, uint16_t v);
void qtest_outl(QTestState *s, uint16_t port, uint32_t v);
uint8_t qtest_inb(QTestState *s, uint16_t port);
uint16_t qtest_inw(QTestState *s, uint16_t port);
uint32_t qtest_inl(QTestState *s, uint16_t port);

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t v);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t v);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t v);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t v);
uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
void qtest_memread(QTestState *s, uint64_t addr, void *buf, size_t len);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *buf,
                    size_t len);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t v, size_t len);
/* The same as qtest_memread/memwrite, with base64 on the wire (b64read,
 * b64write). */
void qtest_bufread(QTestState *s, uint64_t addr, void *buf, size_t len);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *buf,
                    size_t len);

/* Advances the virtual clock by ns (0: to the next timer deadline) and
 * returns the new virtual time in ns. */
int64_t qtest_clock_step(QTestState *s, int64_t ns);
int64_t qtest_clock_step_next(QTestState *s);
/* Moves the virtual clock to an absolute time; returns it. */
int64_t qtest_clock_set(QTestState *s, int64_t ns);
/* The current virtual time in ns (the clock does not move). */
int64_t qtest_clock_get(QTestState *s);

/* Starts watching the GSI lines (IOAPIC inputs 0-23); afterwards
 * qtest_get_irq reports the current level of each, as seen from the
 * async "IRQ raise/lower N" messages. */
void qtest_irq_intercept_in(QTestState *s, const char *qom_path);
bool qtest_get_irq(QTestState *s, int gsi);
/* The same watch (pcemu has one set of GSI lines, whatever the path). */
void qtest_irq_intercept_out(QTestState *s, const char *qom_path);
/* Drives GSI gsi to level, as a device would (set_irq_in). */
void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int gsi, int level);

/* PCI configuration through ports 0xcf8/0xcfc (mechanism #1). */
uint32_t qtest_pci_config_readl(QTestState *s, int devfn, int reg);
uint16_t qtest_pci_config_readw(QTestState *s, int devfn, int reg);
uint8_t qtest_pci_config_readb(QTestState *s, int devfn, int reg);
void qtest_pci_config_writel(QTestState *s, int devfn, int reg, uint32_t v);
void qtest_pci_config_writew(QTestState *s, int devfn, int reg, uint16_t v);
void qtest_pci_config_writeb(QTestState *s, int devfn, int reg, uint8_t v);

/* Sends a raw protocol line, returns the reply line (caller frees). */
char *qtest_raw(QTestState *s, const char *line);

#endif
