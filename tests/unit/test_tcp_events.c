/* The engine's event queue (src/tcp/events.h): bounded, oldest first, and a burst of drop events
 * never crowds out the state changes behind it (drop events keep out of the last eighth). The
 * engine alone (tests/support/engine_fake.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/engine_fake.h"
#include "tcp/events.h"

static const ltcp_stack_config ev_cfg = {.event_capacity = 16};

static void ev_state(ef_engine *e, ltcp_state to) {
  ltcp_event ev = {.kind = LTCP_EV_STATE, .fd = -1, .old_state = LTCP_CLOSED, .new_state = to};
  ltcp_events_emit(&e->eng, &ev);
}

static void test_drop_events_leave_room_for_state_changes(void **state) {
  (void)state;
  ef_engine e;
  ef_engine_init(&e, &ev_cfg, LTCP_SEC(1));
  for (int i = 0; i < 100; i++) ltcp_events_drop(&e.eng, LTCP_DROP_TCP_REASSEMBLY_FULL, NULL);
  assert_int_equal(e.stats.events_lost, 100 - 14); /* 14 = 16 - 16/8 */
  assert_int_equal(e.stats.drops[LTCP_DROP_TCP_REASSEMBLY_FULL], 100); /* counted all the same */
  ev_state(&e, LTCP_SYN_SENT);
  ev_state(&e, LTCP_ESTABLISHED);
  assert_int_equal(e.stats.state_events_lost, 0);
  ev_state(&e, LTCP_FIN_WAIT_1); /* the queue is full now */
  assert_int_equal(e.stats.state_events_lost, 1);
  ltcp_event ev;
  for (int i = 0; i < 14; i++) {
    assert_true(ltcp_events_next(&e.eng, &ev));
    assert_int_equal(ev.kind, LTCP_EV_DROP);
  }
  assert_true(ltcp_events_next(&e.eng, &ev));
  assert_int_equal(ev.new_state, LTCP_SYN_SENT);
  assert_true(ltcp_events_next(&e.eng, &ev));
  assert_int_equal(ev.new_state, LTCP_ESTABLISHED);
  assert_false(ltcp_events_next(&e.eng, &ev));
  ef_engine_free(&e);
}

static void test_no_events_when_capacity_is_zero(void **state) {
  (void)state;
  ef_engine e;
  ltcp_stack_config cfg = {.event_capacity = 0};
  ef_engine_init(&e, &cfg, LTCP_SEC(1));
  ltcp_events_drop(&e.eng, LTCP_DROP_TCP_CHECKSUM, NULL);
  ev_state(&e, LTCP_SYN_SENT);
  ltcp_event ev;
  assert_false(ltcp_events_next(&e.eng, &ev));
  assert_int_equal(e.stats.events_lost, 0);
  assert_int_equal(e.stats.drops[LTCP_DROP_TCP_CHECKSUM], 1);
  ef_engine_free(&e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_drop_events_leave_room_for_state_changes),
      cmocka_unit_test(test_no_events_when_capacity_is_zero),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
