/* lucidtcp ss: lists the connections of a running serve, connect or get through its control
 * socket (--control PATH, rt/control.h), one line per connection as `ss -tin` does, with a
 * state filter as ss takes it. Needs no device and no privilege beyond the socket's mode. */
#ifndef LTCP_TOOLS_RT_SS_H
#define LTCP_TOOLS_RT_SS_H

extern const char ss_usage[];
/* argv holds the arguments after "ss". The exit status: 0; 1 when the control socket cannot be
 * reached or answers wrongly; 2 for a bad option. */
int ss_main(int argc, char **argv);

#endif
