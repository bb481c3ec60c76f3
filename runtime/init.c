/* Start-up and exit of the runtime. The instrumented program loads this
 * library (dlopen from the plugin's start-up code); its constructor records
 * the start of the run and arranges the flush at normal exit. on_exit is
 * used rather than atexit because it passes the exit status.
 *
 * Guarded so that it happens once per process, whatever loads us. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "rt.h"

static int lp_flushed; /* the final flush ran (exit handlers run once) */

static void lp_at_exit(int status, void *arg) {
  (void)arg;
  if (lp_flushed)
    return;
  lp_flushed = 1;
  lp_write_profile(status, 1);
}

__attribute__((constructor)) static void lp_start(void) {
  static int started;
  if (started)
    return;
  started = 1;
  lp_config_init();
  lp_registry_init();
  on_exit(lp_at_exit, NULL);
}
