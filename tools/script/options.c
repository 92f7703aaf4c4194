/* lucidtcp script: the runner's options, from the command line or a script's --name=value
 * lines (script_options, declared in script.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lucidtcp/lucidtcp.h"
#include "script/script.h"

void script_options_default(script_options *o) {
  memset(o, 0, sizeof *o);
  o->tolerance_us = 4000;
  o->local_ip = LTCP_IPV4(192, 168, 0, 1);
  o->remote_ip = LTCP_IPV4(192, 0, 2, 1);
  /* 2001:db8::/32, the documentation prefix (RFC 3849), as 192.0.2.0/24 is for IPv4 */
  static const uint8_t local6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
  static const uint8_t remote6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
  memcpy(o->local_ip6, local6, 16);
  memcpy(o->remote_ip6, remote6, 16);
  o->mtu = 1500;
  o->bind_port = 8080;
  o->connect_port = 8080;
}

static int opt_number(const char *v, double lo, double hi, double *out) {
  char *end;
  if (!v || !*v) return -1;
  errno = 0;
  double x = strtod(v, &end);
  if (errno || *end || x < lo || x > hi) return -1;
  *out = x;
  return 0;
}

/* packetdrill options that mean nothing in virtual time. */
static const char *const opt_ignored[] = {"speed", "gateway_ip", "netmask_ip", "init_scripts",
                                          "verbose", "debug", "dry_run", "non_fatal",
                                          "so_filename", "so_flags", "wire_client",
                                          "wire_server", "wire_server_ip", "wire_server_port",
                                          "wire_client_dev", "wire_server_dev"};

static int opt_error(char *err, size_t cap, const char *fmt, const char *name, const char *value) {
  snprintf(err, cap, fmt, name, value ? value : "");
  return -1;
}

static int opt_apply_value(script_options *o, const char *name, const char *v, char *err, size_t cap) {
  double x;
  const char *bad = "--%s: bad value '%s'";
  if (strcmp(name, "tolerance_usecs") == 0) {
    if (opt_number(v, 0, 1e9, &x)) return opt_error(err, cap, bad, name, v);
    o->tolerance_us = (int64_t)x;
  } else if (strcmp(name, "tolerance_percent") == 0) {
    if (opt_number(v, 0, 1000, &x)) return opt_error(err, cap, bad, name, v);
    o->tolerance_percent = x;
  } else if (strcmp(name, "strict_options") == 0) {
    if (v && strcmp(v, "0") != 0 && strcmp(v, "1") != 0) return opt_error(err, cap, bad, name, v);
    o->strict_options = !v || strcmp(v, "1") == 0;
  } else if (strcmp(name, "mtu") == 0) {
    if (opt_number(v, 68, 65535, &x)) return opt_error(err, cap, "--%s: '%s' is not an MTU from 68 to 65535", name, v);
    if (x < 108) { /* RFC 791 allows 68; lucidtcp wants room for 68 bytes of segment */
      snprintf(err, cap, "unsupported: --mtu=%s (lucidtcp's smallest link MTU is 108)", v);
      return 1;
    }
    o->mtu = (uint16_t)x;
  } else if (strcmp(name, "bind_port") == 0 || strcmp(name, "connect_port") == 0) {
    if (opt_number(v, 1, 65535, &x)) return opt_error(err, cap, bad, name, v);
    if (name[0] == 'b') o->bind_port = (uint16_t)x;
    else o->connect_port = (uint16_t)x;
  } else if (strcmp(name, "local_ip") == 0 || strcmp(name, "remote_ip") == 0) {
    ltcp_endpoint ep = {0};
    if (!v || ltcp_addr_parse(v, &ep) != 0)
      return opt_error(err, cap, "--%s: '%s' is not an IPv4 or IPv6 address", name, v);
    if (ep.family == LTCP_AF_INET6) memcpy(name[0] == 'l' ? o->local_ip6 : o->remote_ip6, ep.addr6, 16);
    else if (name[0] == 'l') o->local_ip = ep.addr;
    else o->remote_ip = ep.addr;
  } else {
    return opt_error(err, cap, "unknown option --%s%s", name, "");
  }
  return 0;
}

int script_option_apply(script_options *o, const char *name, const char *value, char *err,
                        size_t errcap) {
  if (strcmp(name, "ip_version") == 0) {
    if (value && (strcmp(value, "ipv4") == 0 || strcmp(value, "ipv6") == 0)) {
      o->ipv6 = value[3] == '6';
      return 0;
    }
    if (value && strcmp(value, "ipv4-mapped-ipv6") == 0) { /* an AF_INET6 socket, IPv4 packets */
      snprintf(err, errcap, "unsupported: --ip_version=%s (lucidtcp has no IPv4-mapped IPv6 "
               "addresses, RFC 4291 §2.5.5.2)", value);
      return 1;
    }
    return opt_error(err, errcap, "--%s: '%s' is not ipv4, ipv6 or ipv4-mapped-ipv6", name, value);
  }
  if (strcmp(name, "define") == 0 || strcmp(name, "D") == 0) {
    if (!value || sc_defines_add(&o->defines, value))
      return opt_error(err, errcap, "--%s: bad or too many names ('%s')", name, value);
    return 0;
  }
  for (size_t i = 0; i < sizeof opt_ignored / sizeof opt_ignored[0]; i++)
    if (strcmp(name, opt_ignored[i]) == 0) return 0;
  if (strcmp(name, "udp_encapsulation") == 0 || strcmp(name, "tcp_md5_secret") == 0) {
    snprintf(err, errcap, "unsupported: --%s (lucidtcp has no %s)", name,
             name[0] == 'u' ? "TCP over UDP (RFC 6951 encapsulation)" : "TCP MD5 signatures (RFC 2385)");
    return 1;
  }
  return opt_apply_value(o, name, value, err, errcap);
}
