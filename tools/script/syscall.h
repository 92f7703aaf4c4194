/* lucidtcp script: system calls, mapped onto the ltcp_* socket API. Owns the script's
 * descriptors (3 and up, "= 4" naming the one a call returns), the call in progress, and which
 * socket is under test; a call that would block on a blocking socket stays in progress until
 * sc_syscall_retry completes it. */
#ifndef LTCP_TOOLS_SCRIPT_SYSCALL_H
#define LTCP_TOOLS_SCRIPT_SYSCALL_H

#include "script/state.h"

/* Issues the call now; end is when the script says it returns (t1...t2), else now. 0 when it
 * was made (done, or blocked and in progress), -1 when it was not (unsupported or bad
 * arguments: the script is failed or skipped). */
int sc_syscall_run(sc_run *r, const sc_event *ev, ltcp_time_ns end);
/* Retries the blocking call; finishes it when done. */
void sc_syscall_retry(sc_run *r);
/* The connection state for tcpi_state: the socket under test (full: all of info), or else the
 * last connection it held (only info->state). */
void sc_under_test_status(sc_run *r, ltcp_tcp_info *info, int *full);

#endif
