/*
 * The Internet checksum (RFC 1071, RFC 791 for the IPv4 header, RFC 793
 * and RFC 768 for the TCP and UDP pseudo-header).
 */
#include "net/checksum.h"
#include "net/net.h"

#define ETH_P_IP        0x0800
#define IP_PROTO_TCP    6
#define IP_PROTO_UDP    17

uint32_t net_checksum_add(const uint8_t *buf, size_t len, uint32_t sum)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        sum += (uint32_t)buf[i] << 8 | buf[i + 1];
        if (sum & 0x80000000u) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
    }
    if (len & 1) {
        sum += (uint32_t)buf[len - 1] << 8;
    }
    return sum;
}

uint16_t net_checksum_finish(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum & 0xffff;
}

/* Locates the IPv4 header and the L4 header; false if not IPv4 TCP/UDP,
 * a fragment, or truncated. */
static bool net_ipv4_l4(const uint8_t *frame, size_t len, size_t *ip,
                        size_t *l4, size_t *l4_len, uint8_t *proto)
{
    size_t ihl, tot;

    if (len < ETH_HLEN + 20 ||
        (frame[12] << 8 | frame[13]) != ETH_P_IP ||
        (frame[ETH_HLEN] >> 4) != 4) {
        return false;
    }
    *ip = ETH_HLEN;
    ihl = (frame[ETH_HLEN] & 0xf) * 4;
    tot = frame[ETH_HLEN + 2] << 8 | frame[ETH_HLEN + 3];
    if (ihl < 20 || tot < ihl || ETH_HLEN + tot > len) {
        return false;
    }
    /* More-fragments set or a non-zero offset: not a whole datagram. */
    if ((frame[ETH_HLEN + 6] & 0x3f) || frame[ETH_HLEN + 7]) {
        return false;
    }
    *proto = frame[ETH_HLEN + 9];
    *l4 = ETH_HLEN + ihl;
    *l4_len = tot - ihl;
    return (*proto == IP_PROTO_TCP && *l4_len >= 20) ||
           (*proto == IP_PROTO_UDP && *l4_len >= 8);
}

static uint32_t net_pseudo_header(const uint8_t *iph, uint8_t proto,
                                  size_t l4_len)
{
    uint32_t sum = net_checksum_add(iph + 12, 8, 0);   /* src, dst */

    return sum + proto + (uint32_t)l4_len;
}

void net_checksum_calculate(uint8_t *frame, size_t len)
{
    size_t ip, l4, l4_len, ihl, csum_off;
    uint8_t proto;
    uint16_t c;

    if (!net_ipv4_l4(frame, len, &ip, &l4, &l4_len, &proto)) {
        return;
    }
    ihl = l4 - ip;
    frame[ip + 10] = frame[ip + 11] = 0;
    c = net_checksum_finish(net_checksum_add(frame + ip, ihl, 0));
    frame[ip + 10] = c >> 8;
    frame[ip + 11] = c;

    csum_off = l4 + (proto == IP_PROTO_TCP ? 16 : 6);
    frame[csum_off] = frame[csum_off + 1] = 0;
    c = net_checksum_finish(net_checksum_add(frame + l4, l4_len,
                            net_pseudo_header(frame + ip, proto, l4_len)));
    if (proto == IP_PROTO_UDP && c == 0) {
        c = 0xffff;             /* RFC 768: zero means "no checksum" */
    }
    frame[csum_off] = c >> 8;
    frame[csum_off + 1] = c;
}

bool net_checksum_verify(const uint8_t *frame, size_t len)
{
    size_t ip, l4, l4_len;
    uint8_t proto;

    if (!net_ipv4_l4(frame, len, &ip, &l4, &l4_len, &proto)) {
        return false;
    }
    return net_checksum_finish(net_checksum_add(frame + ip, l4 - ip, 0)) == 0
        && net_checksum_finish(net_checksum_add(frame + l4, l4_len,
                net_pseudo_header(frame + ip, proto, l4_len))) == 0;
}
