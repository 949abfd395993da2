/*
 * The Internet checksum (RFC 1071) and the IPv4/TCP/UDP checksum fixes
 * that NIC offloads (checksum insertion, TCP segmentation) need.
 */
#ifndef NET_CHECKSUM_H
#define NET_CHECKSUM_H

#include "pcemu/common.h"

/* Adds len bytes at buf, as big-endian 16-bit words, to a running sum;
 * an odd length pads the last byte with zero. */
uint32_t net_checksum_add(const uint8_t *buf, size_t len, uint32_t sum);
/* Folds the carries and complements: the value to store. */
uint16_t net_checksum_finish(uint32_t sum);

/* For an Ethernet frame carrying IPv4 (no VLAN tag): fills in the IP
 * header checksum and the TCP or UDP checksum (with the pseudo-header).
 * Frames that are not IPv4 TCP/UDP, fragments and truncated frames are
 * left alone. */
void net_checksum_calculate(uint8_t *frame, size_t len);

/* True if the frame's IPv4 header and TCP/UDP checksum verify (tests). */
bool net_checksum_verify(const uint8_t *frame, size_t len);

#endif
