/* lucidtcp analyze CAPTURE... [FILTER]: both endpoints' RFC 9293 states and the faults of
 * every TCP connection in a capture (docs/analyze.md). */
#ifndef LTCP_TOOLS_ANALYZE_H
#define LTCP_TOOLS_ANALYZE_H

#include <stddef.h>

#include "diagram/diagram.h"

extern const char analyze_usage[];
/* argv holds the arguments after "analyze". Returns the exit status: 0, 1 (a finding at or
 * above --fail-on), 2 (usage, or a capture that cannot be read). */
int analyze_main(int argc, char **argv);

/* lucidtcp diagram --from CAPTURE: the transitions of both ends of every connection, inferred
 * as analyze infers them, and the states they were left in; 0, or -1 with a message in err. */
int analyze_transitions(const char *path, diag_counts *d, char *err, size_t cap);

#endif
