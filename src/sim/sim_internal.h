/* The simulation's private state (src/sim/). */
#ifndef POOLSCREEN_SIM_INTERNAL_H
#define POOLSCREEN_SIM_INTERNAL_H

#include "plan/plan_internal.h"
#include "poolscreen/simulate.h"

struct psc_sim {
  const psc_scenario_t *s;
  psc_plan_t *plan;
  uint64_t seed;
  uint32_t R, nstreets, nsites, nkey;
  uint32_t *key_comm;         /* key communities with residents */
  double p_household;         /* chance a household has an index case */
  psc_sim_replicate_t *rep;   /* R */
  double *street_complete;    /* R x nstreets */
  double *key_complete;       /* R x nkey */
  double *queue;              /* R x nsites: peak queue */
  uint32_t *group_first;      /* per array: first tube, one past its last */
  /* the turnout sweep: door-to-door swabs a minute per street, walk-in
   * swabs per community, and minutes from a sweep's end to its results */
  double *team_rate;
  uint32_t *comm_walk;
  double sweep_tail;
  psc_sim_unit_t *units;
  size_t nunits;
  uint8_t *have; /* R: 1 once replicate r is in (run here or put) */
  int finished;  /* aggregated */
};

/* sim/sim_retests.c: the retest round of one replicate (its plan played
 * into e under variant v): retest k is of a member of tube tube[k].
 * Fills o (psc__lab_replay's output) and comm_done[c], the community's last
 * result with its retests (NaN for a community without tubes). */
int psc__sim_retest_labs(const psc_sim_t *sim, const psc__variant_t *v, const psc__eval_t *e,
                         uint32_t n, const uint32_t *tube, double *comm_done,
                         psc__replay_out_t *o);

#endif
