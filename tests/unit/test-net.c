/*
 * net/: the packet queue between peers (back-pressure without loss, order,
 * the sent callback), hubs, MAC address parsing and defaults, and the
 * Internet checksum helpers.
 */
#include "net/checksum.h"
#include "net/net.h"
#include "pcemu/opts.h"

typedef struct TestClient {
    NetClientState nc;
    bool full;                  /* can_receive says no */
    bool refuse;                /* receive returns 0 */
    GPtrArray *got;             /* GBytes of each frame */
    unsigned sent_calls;
} TestClient;

static ssize_t tc_receive(NetClientState *nc, const uint8_t *buf, size_t len)
{
    TestClient *t = (TestClient *)nc;

    if (t->refuse) {
        return 0;
    }
    g_ptr_array_add(t->got, g_bytes_new(buf, len));
    return len;
}

static bool tc_can_receive(NetClientState *nc)
{
    return !((TestClient *)nc)->full;
}

static void tc_cleanup(NetClientState *nc)
{
    g_ptr_array_free(((TestClient *)nc)->got, true);
}

static const NetClientInfo tc_info = {
    .kind = NET_CLIENT_NIC,
    .type = "test",
    .size = sizeof(TestClient),
    .receive = tc_receive,
    .can_receive = tc_can_receive,
    .cleanup = tc_cleanup,
};

static TestClient *tc_new(NetClientState *peer, const char *name)
{
    TestClient *t = (TestClient *)net_client_new(&tc_info, peer, name);

    t->got = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    return t;
}

static void tc_sent(NetClientState *nc)
{
    ((TestClient *)nc)->sent_calls++;
}

static uint8_t frame_id(TestClient *t, guint i)
{
    gsize len;
    const uint8_t *p = g_bytes_get_data(g_ptr_array_index(t->got, i), &len);

    g_assert_cmpuint(len, >=, 1);
    return p[0];
}

static void test_direct_delivery(void)
{
    TestClient *a = tc_new(NULL, "a");
    TestClient *b = tc_new(&a->nc, "b");
    uint8_t f[60] = { 7 };

    g_assert_true(a->nc.peer == &b->nc && b->nc.peer == &a->nc);
    g_assert_cmpint(net_send(&a->nc, f, sizeof(f), tc_sent), ==, sizeof(f));
    g_assert_cmpuint(b->got->len, ==, 1);
    g_assert_cmpuint(frame_id(b, 0), ==, 7);
    g_assert_cmpuint(a->sent_calls, ==, 0);
    net_cleanup();
}

static void test_backpressure(void)
{
    TestClient *a = tc_new(NULL, "a");
    TestClient *b = tc_new(&a->nc, "b");
    uint8_t f[60] = { 0 };

    /* A full receiver: frames are kept, in order, and the sender is told
     * to stop; nothing is lost. */
    b->full = true;
    for (int i = 0; i < 3; i++) {
        f[0] = i;
        g_assert_cmpint(net_send(&a->nc, f, sizeof(f), tc_sent), ==, 0);
    }
    g_assert_cmpuint(net_queue_len(&b->nc), ==, 3);
    g_assert_false(net_peer_can_receive(&a->nc));
    /* Still full: a flush delivers nothing. */
    net_flush_queued(&b->nc);
    g_assert_cmpuint(b->got->len, ==, 0);
    /* A receive that refuses keeps the frame too. */
    b->full = false;
    b->refuse = true;
    net_flush_queued(&b->nc);
    g_assert_cmpuint(net_queue_len(&b->nc), ==, 3);
    b->refuse = false;
    /* While frames wait, a new one queues behind them (order). */
    f[0] = 3;
    g_assert_cmpint(net_send(&a->nc, f, sizeof(f), tc_sent), ==, 0);
    net_flush_queued(&b->nc);
    g_assert_cmpuint(b->got->len, ==, 4);
    for (guint i = 0; i < 4; i++) {
        g_assert_cmpuint(frame_id(b, i), ==, i);
    }
    g_assert_cmpuint(a->sent_calls, ==, 4);
    g_assert_cmpuint(net_queue_len(&b->nc), ==, 0);
    net_cleanup();
}

static void test_queue_limit(void)
{
    TestClient *a = tc_new(NULL, "a");
    TestClient *b = tc_new(&a->nc, "b");
    uint8_t f[60] = { 0 };

    /* A sender that cannot stop (no sent callback) is bounded. */
    b->full = true;
    for (int i = 0; i < NET_QUEUE_MAX + 5; i++) {
        net_send(&a->nc, f, sizeof(f), NULL);
    }
    g_assert_cmpuint(net_queue_len(&b->nc), ==, NET_QUEUE_MAX);
    g_assert_cmpuint(b->nc.dropped, ==, 5);
    net_cleanup();
}

static void test_free_purges(void)
{
    TestClient *a = tc_new(NULL, "a");
    TestClient *b = tc_new(&a->nc, "b");
    uint8_t f[60] = { 0 };

    b->full = true;
    net_send(&a->nc, f, sizeof(f), tc_sent);
    net_client_free(&a->nc);
    /* The gone sender's frame is gone too, and b has no peer. */
    g_assert_cmpuint(net_queue_len(&b->nc), ==, 0);
    g_assert_null(b->nc.peer);
    g_assert_cmpint(net_send(&b->nc, f, sizeof(f), NULL), ==, sizeof(f));
    net_cleanup();
}

static void test_hub(void)
{
    NetClientState *p0 = net_hub_add_port(5, NULL, NULL);
    NetClientState *p1 = net_hub_add_port(5, NULL, NULL);
    NetClientState *p2 = net_hub_add_port(5, NULL, NULL);
    TestClient *a = tc_new(p0, "a");
    TestClient *b = tc_new(p1, "b");
    TestClient *c = tc_new(p2, "c");
    uint8_t f[60] = { 9 };

    net_send(&a->nc, f, sizeof(f), NULL);
    g_assert_cmpuint(a->got->len, ==, 0);   /* not echoed back */
    g_assert_cmpuint(b->got->len, ==, 1);
    g_assert_cmpuint(c->got->len, ==, 1);
    /* A busy port's peer gets its copy later. */
    c->full = true;
    net_send(&b->nc, f, sizeof(f), NULL);
    g_assert_cmpuint(a->got->len, ==, 1);
    g_assert_cmpuint(c->got->len, ==, 1);
    c->full = false;
    net_flush_queued(&c->nc);
    g_assert_cmpuint(c->got->len, ==, 2);
    net_cleanup();
}

static void test_hubport_opts(void)
{
    Error *err = NULL;
    Opts *o = opts_parse("hubport,hubid=70000", "type", &err);

    g_assert_null(net_hubport_new("h", o, NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
    opts_free(o);
}

static void test_macaddr(void)
{
    MACAddr m, d1, d2;
    Error *err = NULL;

    g_assert_true(net_parse_macaddr("52:54:00:ab:CD:ef", &m));
    g_assert_cmpmem(m.a, 6, "\x52\x54\x00\xab\xcd\xef", 6);
    g_assert_false(net_parse_macaddr("52:54:00:ab:cd", &m));
    g_assert_false(net_parse_macaddr("52:54:00:ab:cd:ef:00", &m));
    g_assert_false(net_parse_macaddr("52:54:00:ab:cd:1ef", &m));
    g_assert_false(net_parse_macaddr("x2:54:00:ab:cd:ef", &m));
    g_assert_false(net_nic_macaddr("01:00:5e:00:00:01", &m, &err));
    g_assert_nonnull(err);
    error_free(err);
    /* Defaults: QEMU's base address, each NIC the next one. */
    net_default_macaddr(&d1);
    net_default_macaddr(&d2);
    g_assert_cmpmem(d1.a, 5, "\x52\x54\x00\x12\x34", 5);
    g_assert_cmpuint((uint8_t)(d2.a[5] - d1.a[5]), ==, 1);
}

static void test_checksum(void)
{
    /* RFC 1071's example: 0001 f203 f4f5 f6f7 sums to ddf2. */
    static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5,
                                   0xf6, 0xf7 };
    uint8_t f[14 + 20 + 8 + 5] = { 0 };

    g_assert_cmphex(net_checksum_finish(net_checksum_add(rfc, 8, 0)), ==,
                    (uint16_t)~0xddf2);
    /* An odd length pads with zero. */
    g_assert_cmphex(net_checksum_add((const uint8_t *)"\x12", 1, 0), ==,
                    0x1200);
    /* A UDP/IPv4 frame: calculate, then verify; a flipped bit fails. */
    f[12] = 0x08;
    f[14] = 0x45;
    f[17] = 20 + 8 + 5;
    f[22] = 64;
    f[23] = 17;
    memcpy(f + 26, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    f[35] = 68;
    f[37] = 67;
    f[39] = 13;
    memcpy(f + 42, "hello", 5);
    g_assert_false(net_checksum_verify(f, sizeof(f)));
    net_checksum_calculate(f, sizeof(f));
    g_assert_true(net_checksum_verify(f, sizeof(f)));
    f[44] ^= 1;
    g_assert_false(net_checksum_verify(f, sizeof(f)));
    /* Truncated frames are left alone. */
    net_checksum_calculate(f, 30);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net/direct-delivery", test_direct_delivery);
    g_test_add_func("/net/backpressure", test_backpressure);
    g_test_add_func("/net/queue-limit", test_queue_limit);
    g_test_add_func("/net/free-purges", test_free_purges);
    g_test_add_func("/net/hub", test_hub);
    g_test_add_func("/net/hubport-opts", test_hubport_opts);
    g_test_add_func("/net/macaddr", test_macaddr);
    g_test_add_func("/net/checksum", test_checksum);
    return g_test_run();
}
