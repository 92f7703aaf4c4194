/* Host names from a hosts file (hosts(5)). */
#include "rt/hosts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lucidtcp/lucidtcp.h"

#define HOSTS_LINE 1024
#define HOSTS_MAX_LINES 100000 /* a bound on the file's walk: far more than any hosts file */

const char *rt_hosts_path(void) {
  const char *p = getenv(RT_HOSTS_ENV);
  return p && *p ? p : RT_HOSTS_FILE;
}

/* One line: "ADDR NAME [ALIAS...] [# comment]". 1 with *addr set when it names host. */
static int hosts_line(char *line, const char *host, uint32_t *addr) {
  line[strcspn(line, "#")] = '\0';
  char *save = NULL;
  const char *a = strtok_r(line, " \t\r\n", &save);
  uint32_t v;
  if (!a || ltcp_ipv4_parse_text(a, &v) != 0) return 0; /* blank, a comment, IPv6 */
  for (const char *name; (name = strtok_r(NULL, " \t\r\n", &save)) != NULL;)
    if (strcasecmp(name, host) == 0) {
      *addr = v;
      return 1;
    }
  return 0;
}

int rt_hosts_resolve(const char *host, ltcp_endpoint *ep, char *why, size_t cap) {
  ltcp_endpoint e = *ep;
  if (ltcp_addr_parse(host, &e) == 0) { /* an address of either family */
    *ep = e;
    return 0;
  }
  ep->family = LTCP_AF_INET;
  uint32_t *addr = &ep->addr;
  const char *path = rt_hosts_path();
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(why, cap, "cannot resolve '%s': cannot read %s: %s", host, path, strerror(errno));
    return -1;
  }
  char line[HOSTS_LINE];
  int found = 0, whole = 1;
  for (int i = 0; i < HOSTS_MAX_LINES && !found && fgets(line, sizeof line, f); i++) {
    /* The rest of a line longer than the buffer is not the start of another. */
    int starts = whole;
    whole = strchr(line, '\n') != NULL;
    if (starts) found = hosts_line(line, host, addr);
  }
  fclose(f);
  if (!found)
    snprintf(why, cap, "cannot resolve '%s': not an IPv4 address and not in %s (lucidtcp has "
             "no DNS; %s names another hosts file)", host, path, RT_HOSTS_ENV);
  return found ? 0 : -1;
}
