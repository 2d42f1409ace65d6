/* report.html: one self-contained page (Chart.js inlined, data embedded as
 * JSON, no network) showing a plan, a simulation or a batch in charts and
 * tables; docs/report.md describes what each page shows. */
#ifndef POOLSCREEN_REPORT_H
#define POOLSCREEN_REPORT_H

#include <stdio.h>

#include "poolscreen/batch.h"
#include "poolscreen/export.h"
#include "poolscreen/output.h"
#include "poolscreen/plan.h"
#include "poolscreen/simulate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes the page of a plan, a simulation or a batch (after psc_batch_run)
 * to f. Deterministic: the same input gives the same bytes. Returns 0,
 * PSC_EINVAL or PSC_ENOMEM; the caller checks f for write errors. */
PSC_API int psc_report_plan(const psc_plan_t *p, FILE *f);
PSC_API int psc_report_sim(const psc_sim_t *sim, FILE *f);
PSC_API int psc_report_batch(const psc_batch_t *b, FILE *f);

/* The command's whole output set with report.html in it: psc_plan_write's
 * files plus report.html, psc_sim_write's plus report.html; all renamed
 * only when every one is complete. Same returns as those functions. */
PSC_API int psc_report_write_plan(const psc_plan_t *p, const char *outdir, int with_csv,
                                  int threads);
PSC_API int psc_report_write_sim(const psc_sim_t *sim, const char *outdir);
/* The same into an output set opened before the computation
 * (poolscreen/output.h); the set is committed. */
PSC_API int psc_report_write_plan_to(const psc_plan_t *p, psc_outset_t *set, int with_csv,
                                     int threads);
PSC_API int psc_report_write_sim_to(const psc_sim_t *sim, psc_outset_t *set);
/* psc_plan_create_writing (poolscreen/plan.h) with report.html in the set. */
PSC_API int psc_report_plan_create_writing(const psc_scenario_t *s,
                                           const psc_plan_options_t *opt, psc_outset_t *set,
                                           int with_csv, psc_plan_t **out, int *write_rc);

#ifdef __cplusplus
}
#endif
#endif
