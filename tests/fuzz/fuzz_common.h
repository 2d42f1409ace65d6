/* Shared set-up of the libFuzzer harnesses: a valid plan of a 50 000-resident
 * synthetic city (large enough for compressed columns), made once per
 * process in a private folder removed at exit. */
#ifndef POOLSCREEN_FUZZ_COMMON_H
#define POOLSCREEN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* The folder holding plan.h5 (a valid plan) and results.csv (valid results
 * for it); made on the first call. Aborts when it cannot be made. */
const char *fuzz_dir(void);
/* Writes size bytes to dir/name; returns the path (static buffer). */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

#endif
