/* The subcommands that run a stack on a TUN device: serve, connect and get. */
#ifndef LTCP_TOOLS_SERVE_H
#define LTCP_TOOLS_SERVE_H

/* Each takes the arguments after its name and returns the exit status. */
int serve_main(int argc, char **argv);
int connect_main(int argc, char **argv);
int get_main(int argc, char **argv);

/* Their help texts. */
const char *serve_usage(void);
const char *connect_usage(void);
const char *get_usage(void);

#endif
