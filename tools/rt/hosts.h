/* Host names for the real-time commands, from a hosts file (hosts(5)): /etc/hosts, or the file
 * LTCP_HOSTS_FILE names. There is no DNS: the stack has no UDP yet. */
#ifndef LTCP_TOOLS_RT_HOSTS_H
#define LTCP_TOOLS_RT_HOSTS_H

#include <stddef.h>
#include <stdint.h>

#define RT_HOSTS_FILE "/etc/hosts"
#define RT_HOSTS_ENV "LTCP_HOSTS_FILE"

/* The hosts file in use: $LTCP_HOSTS_FILE when it is set and not empty, else /etc/hosts. */
const char *rt_hosts_path(void);

/* The IPv4 address of host: host itself when it is one ("198.18.0.1"), else the address of the
 * first line of the hosts file that names it (as its name or an alias, in any case; IPv6 lines
 * are skipped). 0 with *addr set, or -1 with why (cap bytes) saying what went wrong: not in the
 * file, or the file unreadable. */
int rt_hosts_resolve(const char *host, uint32_t *addr, char *why, size_t cap);

#endif
