/* fuzz_script: the packetdrill runner of `lucidtcp script` (tools/script): each input is a
 * script, parsed and run against a fresh stack in virtual time (script_run_text), its result
 * and report discarded. The runner's own bounds (events, virtual time, %{ }% nesting) keep a
 * run short; a script that FAILs or SKIPs is fine, a crash or undefined behaviour is not. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "script/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 65536) return 0;
  script_options o;
  script_options_default(&o);
  static script_result res;
  script_run_text("fuzz.pkt", (const char *)data, size, &o, &res);
  return 0;
}
