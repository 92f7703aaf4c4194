/* lucidtcp script: %{ }% code blocks. Each statement is "assert EXPR[, message]", EXPR on tcpi_*
 * fields (tcpi_state, tcpi_snd_mss, tcpi_rcv_mss, tcpi_rto, tcpi_rtt, tcpi_rttvar,
 * tcpi_retransmits) and Linux's TCP_* state names, evaluated here; other Python is skipped. */
#ifndef LTCP_TOOLS_SCRIPT_CODE_H
#define LTCP_TOOLS_SCRIPT_CODE_H

#include "script/state.h"

/* Runs the block of ev against info, the socket under test's status (full: all fields known;
 * else only info->state): a false assertion fails the script. */
void sc_code_run(sc_run *r, const sc_event *ev, const ltcp_tcp_info *info, int full);

#endif
