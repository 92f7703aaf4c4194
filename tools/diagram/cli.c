/* lucidtcp diagram: options, --from's file, the DOT text, dot. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diagram/diagram.h"

#define DIAG_EXIT_FAIL 1
#define DIAG_EXIT_USAGE 2

const char diagram_usage[] =
    "usage: lucidtcp diagram [--format svg|png|dot] [-o FILE] [--from FILE] [--title TEXT]\n"
    "\n"
    "Draws RFC 9293's state diagram (section 3.3.2, Figure 5) with Graphviz: the eleven states\n"
    "and every arc of the state table lucidtcp's engine is checked against, each labelled with\n"
    "its event and action ('rcv SYN / snd SYN,ACK'). The arcs of section 3.10 that end any\n"
    "state (ABORT, an RST, a timeout) are dashed.\n"
    "\n"
    "With --from FILE, each arc is labelled with how often a run took it and why, the arcs\n"
    "never taken are grey, and the states where connections were left at the end are drawn\n"
    "twice-framed with their count. FILE (or - for standard input) is one of:\n"
    "  a capture (pcap, pcapng, gzip'd), whose connections' states are inferred as\n"
    "      lucidtcp analyze infers them (both ends of each connection)\n"
    "  lucidtcp demo --format json output (JSON Lines)\n"
    "  a --trace log of serve, connect or get (their standard error)\n"
    "which is told from its first bytes.\n"
    "\n"
    "options:\n"
    "  --format svg|png|dot   the picture (default svg), or the DOT text itself, which needs\n"
    "                         no Graphviz (Debian: apt install graphviz)\n"
    "  -o FILE                write to FILE (default: standard output)\n"
    "  --from FILE            count the transitions in FILE\n"
    "  --title TEXT           a title above the diagram\n"
    "\n"
    "exit status: 0; 1 when dot failed; 2 for a bad option, a file that cannot be read, or\n"
    "dot missing for svg or png.\n";

typedef struct diag_cli {
  const char *format, *out, *from, *title;
} diag_cli;

static int diag_usage(const char *fmt, const char *arg) {
  fprintf(stderr, "lucidtcp diagram: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'lucidtcp help diagram'.\n");
  return DIAG_EXIT_USAGE;
}

static int diag_parse(diag_cli *c, int argc, char **argv) {
  static const char *const valued[] = {"--format", "-o", "--from", "--title", "--output"};
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v = NULL;
    size_t k;
    for (k = 0; k < sizeof valued / sizeof valued[0]; k++) {
      size_t n = strlen(valued[k]);
      if (strncmp(a, valued[k], n) != 0 || (a[n] != '\0' && (a[n] != '=' || n == 2))) continue;
      v = a[n] == '=' ? a + n + 1 : (i + 1 < argc ? argv[++i] : NULL);
      if (!v) return diag_usage("option %s needs a value", valued[k]);
      break;
    }
    if (k == 0 && strcmp(v, "svg") && strcmp(v, "png") && strcmp(v, "dot"))
      return diag_usage("--format wants svg, png or dot, not '%s'", v);
    if (k == 0) c->format = v;
    else if (k == 1 || k == 4) c->out = v;
    else if (k == 2) c->from = v;
    else if (k == 3) c->title = v;
    else return diag_usage("unknown option '%s'", a);
  }
  return 0;
}

/* Standard input into a temporary file, so its first bytes can be looked at and read again. */
static FILE *diag_stdin_copy(void) {
  FILE *t = tmpfile();
  char buf[8192];
  size_t n;
  while (t && (n = fread(buf, 1, sizeof buf, stdin)) > 0)
    if (fwrite(buf, 1, n, t) != n) return fclose(t), NULL;
  if (t) rewind(t);
  return t;
}

static void diag_load_notes(const diag_cli *cli, const diag_counts *c) {
  if (c->transitions == 0)
    fprintf(stderr, "lucidtcp diagram: no state changes in '%s' (a demo --format json, a "
            "--trace log or a capture was expected)\n", cli->from);
  if (c->untracked)
    fprintf(stderr, "lucidtcp diagram: %llu connections beyond %u: their end states are not "
            "counted\n", (unsigned long long)c->untracked, DIAG_KEYS_MAX);
}

/* --from's file into c: 0, or DIAG_EXIT_USAGE after a message. */
static int diag_load(const diag_cli *cli, diag_counts *c, diag_capture_reader capture) {
  int is_stdin = strcmp(cli->from, "-") == 0;
  FILE *f = is_stdin ? diag_stdin_copy() : fopen(cli->from, "rb");
  if (!f) {
    fprintf(stderr, "lucidtcp diagram: cannot read '%s': %s\n", cli->from, strerror(errno));
    return DIAG_EXIT_USAGE;
  }
  unsigned char head[64];
  size_t n = fread(head, 1, sizeof head, f);
  diag_input kind = diag_detect(head, n);
  if (kind == DIAG_IN_CAPTURE) {
    fclose(f);
    char err[512];
    if (is_stdin) return diag_usage("%s", "a capture is read from a file: give --from its name");
    if (!capture)
      return diag_usage("'%s' is a capture: this lucidtcp was built without libpcap", cli->from);
    if (capture(cli->from, c, err, sizeof err) != 0) {
      fprintf(stderr, "lucidtcp diagram: %s\n", err);
      return DIAG_EXIT_USAGE;
    }
  } else {
    rewind(f);
    diag_read_log(c, f, kind);
    fclose(f);
  }
  diag_load_notes(cli, c);
  return 0;
}

/* The DOT text in memory (for dot's pipe) or straight to the output. */
static int diag_emit(const diag_cli *cli, const diag_counts *c) {
  if (strcmp(cli->format, "dot") == 0) {
    FILE *out = cli->out ? fopen(cli->out, "w") : stdout;
    if (!out) {
      fprintf(stderr, "lucidtcp diagram: cannot write '%s': %s\n", cli->out, strerror(errno));
      return DIAG_EXIT_USAGE;
    }
    diag_write_dot(out, c, cli->title);
    int bad = ferror(out) | (cli->out ? fclose(out) != 0 : fflush(out) != 0);
    return bad ? DIAG_EXIT_FAIL : 0;
  }
  char *text = NULL, err[256];
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (!mem) return DIAG_EXIT_FAIL;
  diag_write_dot(mem, c, cli->title);
  fclose(mem);
  fflush(stdout);
  int rc = diag_render(text, len, cli->format, cli->out, err, sizeof err);
  free(text);
  if (rc == -1) {
    fprintf(stderr, "lucidtcp diagram: Graphviz's dot is not installed (or not on PATH): it "
            "draws the %s (Debian: apt install graphviz); --format dot writes the DOT text "
            "without it\n", cli->format);
    return DIAG_EXIT_USAGE;
  }
  if (rc != 0) fprintf(stderr, "lucidtcp diagram: %s\n", err);
  return rc == 0 ? 0 : DIAG_EXIT_FAIL;
}

int diagram_main(int argc, char **argv, diag_capture_reader capture) {
  for (int i = 0; i < argc; i++)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      fputs(diagram_usage, stdout);
      return 0;
    }
  diag_cli cli = {.format = "svg"};
  int rc = diag_parse(&cli, argc, argv);
  if (rc) return rc;
  diag_counts *c = NULL;
  if (cli.from) {
    if (!(c = diag_counts_new())) return DIAG_EXIT_FAIL;
    rc = diag_load(&cli, c, capture);
  }
  if (rc == 0) rc = diag_emit(&cli, c);
  diag_counts_free(c);
  return rc;
}
