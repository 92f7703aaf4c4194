/* lucidtcp analyze CAPTURE... [FILTER]: both endpoints' RFC 9293 states and the faults of
 * every TCP connection in a capture (docs/analyze.md). */
#ifndef LTCP_TOOLS_ANALYZE_H
#define LTCP_TOOLS_ANALYZE_H

extern const char analyze_usage[];
/* argv holds the arguments after "analyze". Returns the exit status: 0, 1 (a finding at or
 * above --fail-on), 2 (usage, or a capture that cannot be read). */
int analyze_main(int argc, char **argv);

#endif
