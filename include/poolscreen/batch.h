/* Planning batches: one base scenario and many variants of it (explicit
 * changes, table edits, grids of values), planned (and optionally
 * simulated) side by side; the batch file format is in docs/batch.md. */
#ifndef POOLSCREEN_BATCH_H
#define POOLSCREEN_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "poolscreen/error.h"
#include "poolscreen/export.h"
#include "poolscreen/output.h"
#include "poolscreen/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct psc_batch psc_batch_t;

/* Reads and checks a batch file. Every problem goes to diags with the batch
 * file's line and column (changes that name no parameter or table field, bad
 * parameter values, grid syntax, unknown sections and keys with "did you
 * mean"); the base scenario is not loaded yet. Returns 0 and a new batch in
 * *out (free with psc_batch_free), PSC_EINPUT (errors in diags), PSC_EINVAL
 * or PSC_ENOMEM. */
PSC_API int psc_batch_load(const char *path, psc_diags_t *diags, psc_batch_t **out);
/* Frees a batch; accepts NULL. */
PSC_API void psc_batch_free(psc_batch_t *b);

/* Number of variants (the baseline, if any, is variant 0). */
PSC_API uint32_t psc_batch_variants(const psc_batch_t *b);
/* Name of variant v ("baseline", the [variant NAME], the grid values) and
 * its changes as "name=value; name=value" (without [base]); static for the
 * batch's life. NULL when v is out of range. */
PSC_API const char *psc_batch_variant_name(const psc_batch_t *b, uint32_t v);
PSC_API const char *psc_batch_variant_changes(const psc_batch_t *b, uint32_t v);
/* The base scenario's INI path as the batch file resolved it, or NULL for
 * the embedded default. */
PSC_API const char *psc_batch_scenario_path(const psc_batch_t *b);

typedef struct {
  int threads;         /* variants run at once (OpenMP); 0: the runtime's default */
  uint32_t replicates; /* > 0: simulate each variant with this many replicates */
  int lenient;         /* unknown scenario.ini keys are warnings */
  /* a share of the variants for one of nranks processes (MPI): variants v
   * with v % nranks == rank run here, the others are left for
   * psc_batch_record_put; nranks 0 or 1: every variant */
  int rank, nranks;
  /* called after each variant with the number done here (one thread at a
   * time); may be NULL */
  void (*progress)(void *ctx, uint32_t done, uint32_t total);
  void *progress_ctx;
} psc_batch_options_t;

PSC_API psc_batch_options_t psc_batch_options_default(void);

/* What one variant's plan (and simulation) gives. Times in minutes after T0;
 * resources are counted against the unchanged base scenario. */
typedef struct {
  int done;                           /* 1 once the variant ran */
  uint32_t residents, tubes, exceptions;
  uint32_t streets, streets_met, keys, keys_met, district_met;
  double district_complete, lower_bound, gap; /* gap = complete - bound */
  double tests_per_person;            /* tubes (first-stage tests) per resident */
  const char *bottleneck;             /* "labs", "sampling", "door-to-door", "transport" */
  double bottleneck_util;             /* utilisation of that resource to completion */
  double lab_util, lab_fill, sampling_util;
  int64_t booths_added, teams_added, instruments_added;
  double lab_tubes_per_day_added, swabs_per_day_added;
  /* with replicates: the weakest unit of each level (0 key community,
   * 1 street, 2 district): P(met) and its 95 % Wilson interval; NaN when
   * the level has no unit */
  uint32_t replicates;
  double p_met[3], p_lo[3], p_hi[3];
  double sim_tests_per_person, sim_complete_p50, sim_complete_p95, sim_missed;
} psc_batch_result_t;

/* Plans (and with replicates simulates) every variant: each variant's
 * scenario is the base loaded through psc_scenario_load_with with [base],
 * the variant's and the grid point's changes, so every check of a scenario
 * applies. Variants run in parallel, each on one thread, so results are the
 * same at any thread count. Problems of a variant's scenario go to diags
 * (each once, sorted), and the function returns PSC_EINPUT. Returns 0,
 * PSC_EINPUT, PSC_EINVAL or PSC_ENOMEM. */
PSC_API int psc_batch_run(psc_batch_t *b, const psc_batch_options_t *opt, psc_diags_t *diags);

/* Moving results between processes (MPI): a variant's result and unit
 * verdicts as psc_batch_record_size(b) doubles (every field exactly), read
 * where the variant ran and put into the batch of the process that writes
 * the outputs. psc_batch_write needs every variant done. Both return 0 or
 * PSC_EINVAL (not run, v out of range, or the variant not done here). */
PSC_API size_t psc_batch_record_size(const psc_batch_t *b);
PSC_API int psc_batch_record_get(const psc_batch_t *b, uint32_t v, double *rec);
PSC_API int psc_batch_record_put(psc_batch_t *b, uint32_t v, const double *rec);

/* Result of variant v after psc_batch_run (NULL when out of range). */
PSC_API const psc_batch_result_t *psc_batch_result(const psc_batch_t *b, uint32_t v);

/* Per-unit verdicts: units are the communities, then the streets, then the
 * district of the base scenario (psc_batch_units of them). For variant v
 * and unit u: completion (minutes after T0, NaN without residents), slack,
 * the unit's lower bound (psc_verdict_t's bound) and met; any pointer may be
 * NULL. Returns 0 or PSC_EINVAL. */
PSC_API uint32_t psc_batch_units(const psc_batch_t *b);
PSC_API int psc_batch_unit_verdict(const psc_batch_t *b, uint32_t v, uint32_t u, double *complete,
                                   double *slack, double *bound, int *met);
/* The base scenario (loaded by psc_batch_run), for names of units; NULL
 * before. */
PSC_API const psc_scenario_t *psc_batch_base(const psc_batch_t *b);

/* Writes OUTDIR/batch.csv, batch.h5 and (report) report.html as one set:
 * all under temporary names, renamed only when every one is complete.
 * Returns 0, PSC_EIO, PSC_EHDF5, PSC_ENOMEM or PSC_EINVAL (not run, or a
 * variant not done). */
PSC_API int psc_batch_write(const psc_batch_t *b, const char *outdir, int report);
/* The same into an output set opened before the computation
 * (poolscreen/output.h); the set is committed. */
PSC_API int psc_batch_write_to(const psc_batch_t *b, psc_outset_t *set, int report);

#ifdef __cplusplus
}
#endif
#endif
