/* Host names for the real-time commands, from a hosts file (hosts(5)): /etc/hosts, or the file
 * LTCP_HOSTS_FILE names. There is no DNS: the stack has no UDP yet. */
#ifndef LTCP_TOOLS_RT_HOSTS_H
#define LTCP_TOOLS_RT_HOSTS_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtcp/common.h"

#define RT_HOSTS_FILE "/etc/hosts"
#define RT_HOSTS_ENV "LTCP_HOSTS_FILE"

/* The hosts file in use: $LTCP_HOSTS_FILE when it is set and not empty, else /etc/hosts. */
const char *rt_hosts_path(void);

/* The address of host into ep (family and address; the port untouched): host itself when it is
 * one ("198.18.0.1", "2001:db8::1"), else the IPv4 address of the first line of the hosts file
 * that names it (as its name or an alias, in any case; IPv6 lines are skipped). 0, or -1 with
 * why (cap bytes) saying what went wrong: not in the file, or the file unreadable. */
int rt_hosts_resolve(const char *host, ltcp_endpoint *ep, char *why, size_t cap);

#endif
