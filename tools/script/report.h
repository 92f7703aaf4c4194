/* lucidtcp script: how a run ends and what it tells. The first failure or skip ends the run
 * (r->done) and fills the result's reason; detail and note lines add to it; the trace prints
 * events as they happen (--verbose). Owns the text of script_result; script_report prints it. */
#ifndef LTCP_TOOLS_SCRIPT_REPORT_H
#define LTCP_TOOLS_SCRIPT_REPORT_H

#include "script/state.h"

/* Ends the script as failed or skipped at line (the first such call wins). */
void sc_fail(sc_run *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sc_skip(sc_run *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds a line under the result: expected/actual rows, or a note. */
void sc_detail(sc_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sc_note(sc_run *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* One line of the trace, with the stack's time, when tracing. */
void sc_trace(sc_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "1.234567" seconds, in buf (32 bytes). */
const char *sc_fmt_time(ltcp_time_ns t, char *buf);

#endif
