/* libFuzzer harness: results.csv as arbitrary bytes, decoded against a
 * valid plan. Every input must end in a clean decode or positioned
 * diagnostics: no crash, hang or leak. */
#include "fuzz_common.h"

#include <stdio.h>

#include "poolscreen/poolscreen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char plan[512];
  snprintf(plan, sizeof plan, "%s/plan.h5", fuzz_dir());
  const char *csv = fuzz_write("fuzzed.csv", data, size);
  psc_diags_t *d = psc_diags_create();
  psc_decode_t *dc = NULL;
  if (psc_decode_run(plan, csv, d, &dc) == 0)
    psc_decode_free(dc);
  psc_diags_free(d);
  return 0;
}
