/*
 * `-object filter-dump,id=ID,netdev=NETDEV,file=FILE[,maxlen=N]`: every
 * frame that crosses between that netdev and its peer, in both
 * directions, is appended to FILE in the classic libpcap format (magic
 * A1B2C3D4h, version 2.4, link type 1 = Ethernet), readable by tcpdump
 * and tshark. Time stamps are the host's wall clock. A frame longer than
 * maxlen (default 65535) is cut, with its original length recorded.
 * A write error stops the capture with one warning; the guest goes on.
 */
#include "net/net.h"
#include "softmmu/timer.h"

#define PCAP_MAGIC          0xa1b2c3d4u
#define PCAP_VERSION_MAJOR  2
#define PCAP_VERSION_MINOR  4
#define PCAP_LINKTYPE_ETH   1
#define PCAP_DEFAULT_MAXLEN 65535

typedef struct PcapFileHeader {
    uint32_t magic;
    uint16_t version_major, version_minor;
    int32_t thiszone;
    uint32_t sigfigs, snaplen, linktype;
} PcapFileHeader;

typedef struct PcapRecordHeader {
    uint32_t ts_sec, ts_usec, caplen, len;
} PcapRecordHeader;

struct NetDumpState {
    char *id;
    char *path;
    FILE *f;
    uint32_t maxlen;
};

void net_dump_frame(NetDumpState *d, const uint8_t *buf, size_t len)
{
    int64_t now = clock_get_ns(CLOCK_HOST);
    PcapRecordHeader h = {
        .ts_sec = now / NANOSECONDS_PER_SECOND,
        .ts_usec = (now % NANOSECONDS_PER_SECOND) / 1000,
        .caplen = MIN(len, (size_t)d->maxlen),
        .len = len,
    };

    if (!d->f) {
        return;
    }
    if (fwrite(&h, sizeof(h), 1, d->f) != 1 ||
        fwrite(buf, h.caplen, 1, d->f) != 1 || fflush(d->f) != 0) {
        warn_report("filter-dump %s: cannot write '%s' (%s): capture "
                    "stopped", d->id, d->path, strerror(errno));
        fclose(d->f);
        d->f = NULL;
    }
}

NetDumpState *net_dump_new(const char *id, NetClientState *nc,
                           const char *path, uint64_t maxlen, Error **errp)
{
    PcapFileHeader h = {
        .magic = PCAP_MAGIC,
        .version_major = PCAP_VERSION_MAJOR,
        .version_minor = PCAP_VERSION_MINOR,
        .snaplen = maxlen,
        .linktype = PCAP_LINKTYPE_ETH,
    };
    NetDumpState *d;
    FILE *f;

    if (maxlen == 0 || maxlen > UINT32_MAX) {
        error_setg(errp, "maxlen=%" PRIu64 ": from 1 to %u", maxlen,
                   UINT32_MAX);
        return NULL;
    }
    if (nc->dump) {
        error_setg(errp, "netdev '%s' already has a filter-dump", nc->name);
        return NULL;
    }
    f = fopen(path, "wb");
    if (!f) {
        error_setg(errp, "file=%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fwrite(&h, sizeof(h), 1, f) != 1 || fflush(f) != 0) {
        error_setg(errp, "file=%s: %s", path, strerror(errno));
        fclose(f);
        return NULL;
    }
    d = g_new0(NetDumpState, 1);
    d->id = g_strdup(id);
    d->path = g_strdup(path);
    d->f = f;
    d->maxlen = maxlen;
    nc->dump = d;
    return d;
}

void net_dump_free(NetDumpState *d)
{
    if (d) {
        if (d->f) {
            fclose(d->f);
        }
        g_free(d->id);
        g_free(d->path);
        g_free(d);
    }
}
