/* poolscreen: the umbrella header of the public API. */
#ifndef POOLSCREEN_H
#define POOLSCREEN_H

#include "poolscreen/export.h"
#include "poolscreen/version.h"
#include "poolscreen/error.h"
#include "poolscreen/params.h"
#include "poolscreen/scenario.h"
#include "poolscreen/plan.h"
#include "poolscreen/otc.h"
#include "poolscreen/decode.h"
#include "poolscreen/simulate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the library the program runs with, "MAJOR.MINOR.PATCH"
 * (semantic versioning; PSC_VERSION is the headers' version), in static
 * storage. Output files record it (plan.h5's poolscreen_version attribute).
 * Thread-safe. */
PSC_API const char *psc_version(void);
/* The same as a number, MAJOR * 10000 + MINOR * 100 + PATCH, to compare with
 * PSC_VERSION_NUMBER. Thread-safe. */
PSC_API int psc_version_number(void);

#ifdef __cplusplus
}
#endif
#endif
