/*
 * isa-debug-exit: a write of v ends pcemu with status (v << 1) | 1 (QEMU's
 * convention), at any width and either port of its two; status-mode=raw
 * makes it v; other ports and reads do nothing. Also isa-debugcon, the
 * other port test programs use: its bytes reach the chardev and a read
 * returns E9h.
 */
#include "libqtest.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_exit_byte(void)
{
    QTestState *s = qtest_init("-device isa-debug-exit");

    /* reads are harmless: the next command still gets an answer */
    g_assert_cmphex(qtest_inb(s, 0x501), ==, 0);
    g_assert_cmphex(qtest_inb(s, 0x502), ==, 0);
    qtest_outb(s, 0x501, 0x10);
    g_assert_cmpint(qtest_wait_exit(s), ==, 0x21);
    qtest_quit(s);
}

static void test_exit_word_second_port(void)
{
    QTestState *s = qtest_init("-device isa-debug-exit");

    qtest_outw(s, 0x502, 0x0003);
    g_assert_cmpint(qtest_wait_exit(s), ==, 0x07);
    qtest_quit(s);
}

static void test_exit_iobase(void)
{
    QTestState *s = qtest_init("-device isa-debug-exit,iobase=0xf4,"
                               "iosize=4");

    qtest_outb(s, 0x501, 0x10);             /* nothing there now */
    qtest_outl(s, 0xf4, 0x00000000);
    g_assert_cmpint(qtest_wait_exit(s), ==, 0x01);
    qtest_quit(s);
}

static void test_exit_raw(void)
{
    QTestState *s = qtest_init("-device isa-debug-exit,status-mode=raw");

    qtest_outb(s, 0x501, 42);
    g_assert_cmpint(qtest_wait_exit(s), ==, 42);
    qtest_quit(s);
}

static void test_bad_status_mode(void)
{
    char *cmd = g_strdup_printf("%s -accel qtest -display none -device "
                                "isa-debug-exit,status-mode=odd",
                                g_getenv("PCEMU_BINARY"));
    char *err = NULL;
    int status;

    g_assert_true(g_spawn_command_line_sync(cmd, NULL, &err, &status, NULL));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, "status-mode must be 'qemu'"));
    g_free(err);
    g_free(cmd);
}

static void test_debugcon(void)
{
    char *path = g_strdup_printf("%s/pcemu-debugcon-%d", g_get_tmp_dir(),
                                 (int)getpid());
    QTestState *s;
    char *text = NULL;
    gsize len = 0;

    s = qtest_initf("-chardev file,id=seabios,path=%s "
                    "-device isa-debugcon,iobase=0x402,chardev=seabios "
                    "-device isa-debugcon", path);
    g_assert_cmphex(qtest_inb(s, 0x402), ==, 0xe9);
    g_assert_cmphex(qtest_inb(s, 0xe9), ==, 0xe9);
    qtest_outb(s, 0x402, 'O');
    qtest_outb(s, 0x402, 'K');
    qtest_outb(s, 0xe9, 'x');               /* no chardev: vanishes */
    /* the port is one byte wide: of a word only the low byte is ours */
    qtest_outw(s, 0x402, 0x0a21);
    qtest_outb(s, 0x402, '\n');
    for (int i = 0; i < 500; i++) {
        g_free(text);
        text = NULL;
        if (g_file_get_contents(path, &text, &len, NULL) && len >= 4) {
            break;
        }
        g_usleep(10000);
    }
    g_assert_cmpstr(text, ==, "OK!\n");
    g_free(text);
    qtest_quit(s);
    unlink(path);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/debug-exit/byte", test_exit_byte);
    g_test_add_func("/debug-exit/word-second-port",
                    test_exit_word_second_port);
    g_test_add_func("/debug-exit/iobase", test_exit_iobase);
    g_test_add_func("/debug-exit/raw", test_exit_raw);
    g_test_add_func("/debug-exit/bad-status-mode", test_bad_status_mode);
    g_test_add_func("/debug-exit/debugcon", test_debugcon);
    return g_test_run();
}
