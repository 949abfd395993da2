/*
 * The networking options of the command line (QEMU's syntax):
 *   -netdev TYPE,id=ID[,...]       a back end: user, socket, tap, hubport
 *   -nic TYPE[,model=M][,mac=A][,...] | none   back end plus NIC in one
 *   -net nic[,model=M][,macaddr=A][,netdev=ID] | -net TYPE[,...] | none
 *                                  the legacy pair, joined by hub 0
 * With none of these (and no -nodefaults) the pc gets QEMU's default:
 * an e1000 on a user back end.
 */
#ifndef NET_NET_OPTS_H
#define NET_NET_OPTS_H

#include "pcemu/common.h"

typedef struct Machine Machine;

/* Called by the command-line parser for each option; a malformed one is
 * a user error (one line, exit 1). The strings must outlive the call
 * (argv). */
void net_opt_netdev(const char *arg);
void net_opt_nic(const char *arg);
void net_opt_net(const char *arg);
/* -object: pcemu's only object type is filter-dump (a pcap capture of a
 * netdev's traffic, net/dump.c). */
void net_opt_object(const char *arg);

/* Creates the back ends and the NICs the options asked for (or the
 * default NIC), on the machine m, before -device devices are created
 * (they may name a netdev). */
bool net_init_clients(Machine *m, bool nodefaults, Error **errp);

/* Forgets the options (tests). */
void net_opts_reset(void);

#endif
