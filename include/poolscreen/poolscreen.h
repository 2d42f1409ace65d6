/* poolscreen: the umbrella header of the public API. */
#ifndef POOLSCREEN_H
#define POOLSCREEN_H

#include "poolscreen/export.h"
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

/* Version of the library, "MAJOR.MINOR.PATCH"; static storage. */
PSC_API const char *psc_version(void);

#ifdef __cplusplus
}
#endif
#endif
