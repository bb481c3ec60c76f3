/* Start-up of the runtime. The instrumented program loads this library
 * (dlopen from the plugin's start-up code); its constructor records the
 * start of the run and arranges for the profile to be written however the
 * process ends (exit.c), and for snapshots if asked (snapshot.c).
 *
 * Guarded so that it happens once per process, whatever loads us. */
#define _GNU_SOURCE

#include "rt.h"

__attribute__((constructor)) static void lp_start(void) {
  static int started;
  if (started)
    return;
  started = 1;
  lp_config_init();
  lp_registry_init();
  lp_switch_init();
  lp_exit_init();
  lp_snapshot_init();
}
