/* Two lucidtcp stacks over the simulated network: a client sends a message, the server reads it
 * and answers, both close. Virtual time, so it runs at once and prints the same every time.
 *
 *   cc sim_message.c $(pkg-config --cflags --libs lucidtcp) -o sim_message && ./sim_message
 *
 * The loop is the one every driver runs (lucidtcp/stack.h): let the applications make their
 * socket calls, then let the network deliver the next packet or fire the next timer. */
#include <stdio.h>
#include <string.h>

#include <lucidtcp/lucidtcp.h>
#include <lucidtcp/sim.h>

#define CLIENT_ADDR LTCP_IPV4(198, 18, 0, 1)
#define SERVER_ADDR LTCP_IPV4(198, 18, 0, 2)
#define PORT 7
#define MAX_STEPS 100000 /* a bound on the loop: this exchange needs a few dozen */

static const char message[] = "hello over a simulated network";

typedef struct app {
  ltcp_stack *client, *server;
  int cfd, lfd, sfd; /* client socket, listener, the server's accepted socket */
  int sent, replied, done;
  char got[128];
  size_t got_len;
} app;

static double seconds(ltcp_time_ns t) { return (double)t / 1e9; }

/* The server: accept, read until the client's FIN, answer, close. */
static void server_step(app *a) {
  if (a->replied) return;
  if (a->sfd < 0) {
    ltcp_endpoint peer;
    a->sfd = ltcp_accept(a->server, a->lfd, &peer);
    if (a->sfd < 0) return; /* EAGAIN: nobody yet */
    char addr[16];
    printf("%7.3f s  server: connection from %s:%u\n", seconds(ltcp_stack_now(a->server)),
           ltcp_ipv4_format(peer.addr, addr), peer.port);
  }
  for (;;) {
    ssize_t n = ltcp_recv(a->server, a->sfd, a->got + a->got_len,
                          sizeof a->got - 1 - a->got_len, 0);
    if (n > 0) {
      a->got_len += (size_t)n;
      continue;
    }
    if (n < 0) return; /* EAGAIN: more to come */
    break;             /* 0: the client's FIN, the whole message is here */
  }
  a->got[a->got_len] = '\0';
  printf("%7.3f s  server: got \"%s\"\n", seconds(ltcp_stack_now(a->server)), a->got);
  char reply[160];
  int len = snprintf(reply, sizeof reply, "%zu bytes received", a->got_len);
  ltcp_send(a->server, a->sfd, reply, (size_t)len, 0);
  ltcp_close(a->server, a->sfd); /* the reply, then a FIN */
  ltcp_close(a->server, a->lfd);
  a->replied = 1;
}

/* The client: once connected, send the message and a FIN; print the reply; close. */
static void client_step(app *a) {
  ltcp_pollfd p = {.fd = a->cfd, .events = LTCP_POLLOUT | LTCP_POLLIN};
  if (a->done || ltcp_poll(a->client, &p, 1) == 0) return;
  if (!a->sent && (p.revents & LTCP_POLLOUT)) {
    printf("%7.3f s  client: connected, sending \"%s\"\n", seconds(ltcp_stack_now(a->client)),
           message);
    ltcp_send(a->client, a->cfd, message, strlen(message), 0);
    ltcp_shutdown(a->client, a->cfd, LTCP_SHUT_WR);
    a->sent = 1;
  }
  char buf[160];
  ssize_t n = ltcp_recv(a->client, a->cfd, buf, sizeof buf - 1, 0);
  if (n > 0) {
    buf[n] = '\0';
    printf("%7.3f s  client: reply \"%s\"\n", seconds(ltcp_stack_now(a->client)), buf);
  } else if (n == 0) {
    ltcp_close(a->client, a->cfd);
    a->done = 1;
  }
}

static ltcp_stack *new_stack(uint32_t addr) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.msl_ns = LTCP_SEC(1); /* TIME-WAIT lasts 2 s of virtual time */
  return ltcp_stack_new(&cfg);
}

/* Sockets: a listener on the server, a connecting socket on the client. */
static int open_sockets(app *a) {
  ltcp_endpoint local = {.addr = SERVER_ADDR, .port = PORT}, remote = {.addr = SERVER_ADDR, .port = PORT};
  a->lfd = ltcp_socket(a->server);
  if (a->lfd < 0 || ltcp_bind(a->server, a->lfd, &local) != 0 ||
      ltcp_listen(a->server, a->lfd, 8) != 0)
    return -1;
  a->cfd = ltcp_socket(a->client);
  if (a->cfd < 0) return -1;
  ltcp_connect(a->client, a->cfd, &remote); /* -1 with EINPROGRESS: the SYN is on its way */
  return 0;
}

/* Steps the applications and the network until both stacks hold no connection. */
static int run(ltcp_sim *sim, app *a) {
  for (int i = 0; i < MAX_STEPS; i++) {
    server_step(a);
    client_step(a);
    if (a->done && ltcp_stack_connection_count(a->client) == 0 &&
        ltcp_stack_connection_count(a->server) == 0)
      return 0;
    ltcp_time_ns next = ltcp_sim_next_time(sim);
    if (next == LTCP_TIME_NEVER) break;
    ltcp_sim_step(sim, next);
  }
  return -1;
}

int main(void) {
  printf("lucidtcp %s: two stacks over a simulated network, 10 ms each way\n", ltcp_version());
  app a = {.cfd = -1, .lfd = -1, .sfd = -1};
  a.client = new_stack(CLIENT_ADDR);
  a.server = new_stack(SERVER_ADDR);
  ltcp_sim *sim = ltcp_sim_new(1);
  if (!a.client || !a.server || !sim) return 1;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(10)};
  int c = ltcp_sim_add_stack(sim, a.client), s = ltcp_sim_add_stack(sim, a.server);
  int rc = c < 0 || s < 0 || ltcp_sim_link(sim, c, s, &path, &path) != 0 || open_sockets(&a);
  if (rc == 0) rc = run(sim, &a);
  if (rc == 0)
    printf("%7.3f s  both ends closed (the client after TIME-WAIT)\n", seconds(ltcp_sim_now(sim)));
  else
    fprintf(stderr, "sim_message: the exchange did not finish\n");
  ltcp_sim_free(sim);
  ltcp_stack_free(a.client);
  ltcp_stack_free(a.server);
  return rc == 0 ? 0 : 1;
}
