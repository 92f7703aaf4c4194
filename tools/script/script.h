/* lucidtcp script: runs packetdrill scripts against a lucidtcp stack in virtual time.
 *
 * The script plays the remote host (192.0.2.1 by default, 2001:db8::2 with --ip_version=ipv6); a
 * fresh stack is the local one (192.168.0.1, 2001:db8::1). '<' packets are injected at their times, '>' packets are matched against what
 * the stack sends (flags, sequence and ack numbers relative to the ISNs, window when given,
 * options, timing within the tolerance), system calls map onto the ltcp_* socket API with
 * packetdrill's descriptors (3 and up), and blocking calls are emulated by moving virtual time
 * until they complete. Nothing runs in a shell: backtick commands that configure or inspect a
 * stack (sysctl, ss, netstat, sockstat | grep -c) are mapped onto lucidtcp's own settings and
 * connection table, and reported as notes where lucidtcp has no equivalent. */
#ifndef LTCP_TOOLS_SCRIPT_H
#define LTCP_TOOLS_SCRIPT_H

#include <stdint.h>
#include <stdio.h>

#include "lucidtcp/common.h"
#include "script/ast.h"

typedef struct script_options {
  int64_t tolerance_us;       /* --tolerance_usecs: default 4000, as packetdrill */
  double tolerance_percent;   /* --tolerance_percent: of the time since the previous event */
  int ipv6;                   /* --ip_version=ipv6: the script's packets and sockets are IPv6 */
  uint32_t local_ip;          /* --local_ip: the stack's address; default 192.168.0.1 */
  uint32_t remote_ip;         /* --remote_ip: the script's address; default 192.0.2.1 */
  uint8_t local_ip6[16];      /* --local_ip with an IPv6 address; default 2001:db8::1 */
  uint8_t remote_ip6[16];     /* --remote_ip with an IPv6 address; default 2001:db8::2 */
  uint16_t mtu;               /* --mtu: default 1500 */
  uint16_t bind_port;         /* --bind_port: bind(..., ...) uses it; default 8080 */
  uint16_t connect_port;      /* --connect_port: connect(..., ...) uses it; default 8080 */
  int strict_options;         /* --strict_options: TCP options compared in their layout too */
  sc_defines defines;         /* -D NAME */
  FILE *trace;                /* when not NULL: every event and packet as it happens */
} script_options;

void script_options_default(script_options *o);
/* Applies one option ("tolerance_usecs", "4000"), as on a script's --name=value line or the
 * command line. Returns 0, -1 for a bad value or unknown option (message in err), or 1 when
 * the option asks for something lucidtcp cannot do (ipv4-mapped-ipv6): the script is skipped. */
int script_option_apply(script_options *o, const char *name, const char *value, char *err,
                        size_t errcap);

typedef enum script_outcome { SCRIPT_PASS, SCRIPT_FAIL, SCRIPT_SKIP } script_outcome;

#define SCRIPT_REASON_LEN 512
#define SCRIPT_DETAIL_LEN 4096
#define SCRIPT_NOTES_LEN 2048

typedef struct script_result {
  script_outcome outcome;
  int line;                          /* where it failed or was skipped (0: the whole file) */
  char reason[SCRIPT_REASON_LEN];    /* one line, without file:line */
  char detail[SCRIPT_DETAIL_LEN];    /* lines: expected and actual, with their times */
  char notes[SCRIPT_NOTES_LEN];      /* lines: commands with no lucidtcp equivalent */
  ltcp_time_ns end_ns;               /* virtual time when the script ended */
  uint32_t events;                   /* events run */
} script_result;

/* Runs the script in text (name is used in messages). */
void script_run_text(const char *name, const char *text, size_t len, const script_options *o,
                     script_result *r);
/* Reads and runs a file; a file that cannot be read FAILs. */
void script_run_file(const char *path, const script_options *o, script_result *r);
/* Prints "PASS name", "FAIL name:line: reason" or "SKIP name:line: reason", then the detail
 * and note lines indented by two spaces. */
void script_report(FILE *out, const char *name, const script_result *r);

/* The `lucidtcp script` command: argv[0] is the first argument after "script". Prints one line
 * per script and "N passed, N failed, N skipped"; returns 0 when none failed, 1 when one did,
 * 2 for a bad option. */
int script_main(int argc, char **argv);
extern const char script_usage[];

#endif
