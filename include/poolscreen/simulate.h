/* Monte Carlo of a whole screening round: infections, turnout, sampling,
 * transport, labs with failures and outages, and the retest round, replicate
 * by replicate around the plan; deterministic at any thread count. */
#ifndef POOLSCREEN_SIMULATE_H
#define POOLSCREEN_SIMULATE_H

#include <stddef.h>
#include <stdint.h>

#include "poolscreen/export.h"
#include "poolscreen/plan.h"
#include "poolscreen/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct psc_sim psc_sim_t;

typedef struct {
  uint32_t replicates; /* default 1000 */
  int threads;         /* 0: the runtime's default */
  uint64_t seed;       /* 0: the scenario's seed */
  /* called after each replicate with the number done, from one thread at a
   * time but possibly not the calling thread (an OpenMP worker): it must not
   * call back into this simulation; may be NULL */
  void (*progress)(void *ctx, uint32_t done, uint32_t total);
  void *progress_ctx;
  /* a share of the replicates for one of nranks processes (MPI): replicates
   * r with r % nranks == rank run here; the others come in through
   * psc_sim_record_put, then psc_sim_finish aggregates. nranks 0 or 1: every
   * replicate, aggregated at once. */
  int rank, nranks;
} psc_sim_options_t;

PSC_API psc_sim_options_t psc_sim_options_default(void);

/* Figures of one replicate. Times in minutes after T0. */
typedef struct {
  double district_complete;
  double tests_per_person;
  uint32_t positives, found, missed, false_positives, failed_runs, no_shows;
  double isolation_mean, isolation_p95; /* first swab to temporary control, detected positives */
  double lab_utilisation;
} psc_sim_replicate_t;

/* Aggregated over replicates, for one unit (a street, a key community or the
 * district): the share of replicates meeting the deadline with its 95 %
 * Wilson interval, and completion quantiles. */
typedef struct {
  int level; /* 0 key community, 1 street, 2 district */
  uint32_t index;
  double p_met, p_met_lo, p_met_hi, complete_p50, complete_p95;
} psc_sim_unit_t;

/* Plans the scenario (the plan every replicate is played around), then runs
 * the replicates. Returns 0 and a new simulation (free with psc_sim_free),
 * PSC_EINVAL, or PSC_ENOMEM. The simulation keeps a pointer to s. */
PSC_API int psc_sim_run(const psc_scenario_t *s, const psc_sim_options_t *opt, psc_sim_t **out);
PSC_API void psc_sim_free(psc_sim_t *sim);
/* Moving replicates between processes (MPI): replicate r's figures, street
 * and key-community completions and peak queues as psc_sim_record_size()
 * doubles (every field exact). get: 0, or PSC_EINVAL when r is out of range
 * or was not run here; put: 0 or PSC_EINVAL. psc_sim_finish aggregates a
 * simulation run with nranks > 1 once every replicate is in (0, PSC_EINVAL
 * when one is missing or it is finished, PSC_ENOMEM); until then only the
 * record functions and psc_sim_free may be called. */
PSC_API size_t psc_sim_record_size(const psc_sim_t *sim);
PSC_API int psc_sim_record_get(const psc_sim_t *sim, uint32_t r, double *rec);
PSC_API int psc_sim_record_put(psc_sim_t *sim, uint32_t r, const double *rec);
PSC_API int psc_sim_finish(psc_sim_t *sim);
PSC_API uint32_t psc_sim_replicates(const psc_sim_t *sim);
PSC_API const psc_sim_replicate_t *psc_sim_replicate(const psc_sim_t *sim, uint32_t r);
PSC_API size_t psc_sim_units(const psc_sim_t *sim);
PSC_API const psc_sim_unit_t *psc_sim_unit(const psc_sim_t *sim, size_t i);
/* Completion of street st / community c in replicate r (NAN without tubes). */
PSC_API double psc_sim_street_complete(const psc_sim_t *sim, uint32_t r, uint32_t st);
/* The plan the replicates were played around. */
PSC_API const psc_plan_t *psc_sim_plan(const psc_sim_t *sim);
/* Peak queue at each site (residents waiting), mean and maximum over
 * replicates. */
PSC_API double psc_sim_peak_queue_mean(const psc_sim_t *sim, uint32_t site);
PSC_API double psc_sim_peak_queue_max(const psc_sim_t *sim, uint32_t site);
/* Writes OUTDIR/sim.h5 (every replicate's figures) and OUTDIR/sim_summary.csv
 * (see docs/simulate.md), renamed into place together. 0, PSC_EIO, PSC_EHDF5.
 * Its HDF5 part runs under the library's HDF5 lock (see poolscreen.h). */
PSC_API int psc_sim_write(const psc_sim_t *sim, const char *outdir);

#ifdef __cplusplus
}
#endif
#endif
