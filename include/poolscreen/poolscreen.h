/* poolscreen: the umbrella header of the public API.
 *
 * Thread safety of the whole API (a function's own comment says where it
 * differs):
 * - Functions may be called from several threads at once when each works on
 *   its own objects (its own scenario, plan, simulation, decode, diagnostics
 *   list, output directory).
 * - A finished object (psc_scenario_t, psc_plan_t, psc_sim_t, psc_decode_t)
 *   may be read by several threads at once: every function taking it as a
 *   const pointer only reads it (psc_plan_create on one shared scenario from
 *   several threads is fine). It must not be freed while another thread uses
 *   it, nor used after its parent is freed (a plan after its scenario).
 * - A psc_diags_t is not thread-safe: one list per thread of work.
 * - Functions with a threads option run OpenMP regions with that many
 *   threads; they set the OpenMP thread count of the calling thread only,
 *   and restore it. Results never depend on the thread count.
 * - psc_plan_create_writing (and psc_plan_create with background_advice)
 *   start threads of their own: the writer ends before the call returns; a
 *   background advice may still run on the returned plan, which is then
 *   finished but for its advice: psc_plan_advice, the writers and
 *   psc_plan_free wait for it, every other accessor reads as usual.
 * - The library keeps no global state of its own, with two guarded
 *   exceptions, both process-wide by their libraries' design:
 *   GSL's error handler: before the library first uses GSL in a call, it
 *   turns GSL's default handler (which aborts the process) off, and leaves a
 *   handler the program installed in place; it looks at the handler under a
 *   lock, but a program that sets GSL's handler from another thread at that
 *   moment races with it.
 *   HDF5's automatic error printing: functions that read or write HDF5 files
 *   (psc_plan_write_h5, psc_plan_write, psc_decode_run, psc_decode_write,
 *   psc_sim_write) turn it off while they use HDF5 and restore the previous
 *   handler afterwards, inside one library-wide lock, so the handler is never
 *   toggled by two threads at once; their HDF5 parts run one at a time.
 *   Programs that change HDF5's handler themselves should not do it while
 *   another thread is inside one of these functions. */
#ifndef POOLSCREEN_H
#define POOLSCREEN_H

#include "poolscreen/export.h"
#include "poolscreen/version.h"
#include "poolscreen/error.h"
#include "poolscreen/output.h"
#include "poolscreen/params.h"
#include "poolscreen/scenario.h"
#include "poolscreen/plan.h"
#include "poolscreen/otc.h"
#include "poolscreen/decode.h"
#include "poolscreen/simulate.h"
#include "poolscreen/batch.h"
#include "poolscreen/report.h"

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
