/* simulate's retest round on the plan's lab model: each retest is sampled
 * by its community's team once its pooled result is out, leaves when
 * sampled and is run by psc__lab_replay, the planner's own pull, after the
 * replicate's runs already under way and before every pooled tube not yet
 * in a run (which the retests may delay). Run failures (with their cap of
 * three failed runs per tube) and lab outages apply to the retest round as
 * they do to the plan's. */
#include "sim/sim_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  double ready;
  uint32_t k;
} ready_t;

static int cmp_ready(const void *a, const void *b) {
  const ready_t *x = a, *y = b;
  if (x->ready != y->ready)
    return x->ready < y->ready ? -1 : 1;
  return (x->k > y->k) - (x->k < y->k);
}

int psc__sim_retest_labs(const psc_sim_t *sim, const psc__variant_t *v, const psc__eval_t *e,
                         uint32_t n, const uint32_t *tube, double *comm_done,
                         psc__replay_out_t *o) {
  const psc_plan_t *p = sim->plan;
  const psc__ctx_t *x = &p->x;
  const psc__pack_t *pk = &p->pk;
  const psc_sites_t *st = psc_scenario_sites(sim->s);
  const psc_labs_t *lb = psc_scenario_labs(sim->s);
  const psc_communities_t *cm = psc_scenario_communities(sim->s);
  const psc_params_t *par = psc_scenario_params(sim->s);
  int rc = PSC_ENOMEM;
  ready_t *order = psc__malloc(n + 1, sizeof(ready_t));
  uint32_t *site = psc__malloc(n + 1, 4), *inst = psc__malloc(x->nlabs + 1, 4);
  double *dep = psc__malloc(n + 1, 8), *free_at = calloc(x->nsites + 1, 8);
  double *deadline = psc__malloc(pk->ntubes + 1, 8);
  if (!order || !site || !inst || !dep || !free_at || !deadline)
    goto done;
  /* a team is free for retests once its plan sessions are over */
  for (uint32_t k = 0; k < e->nsessions; k++)
    free_at[e->ses_site[k]] = fmax(free_at[e->ses_site[k]], e->ses_end[k]);
  for (uint32_t k = 0; k < n; k++)
    order[k] = (ready_t){e->reported[tube[k]], k};
  qsort(order, n, sizeof(ready_t), cmp_ready);
  for (uint32_t j = 0; j < n; j++) {
    uint32_t k = order[j].k, c = pk->tube_comm[tube[k]];
    /* of the community's door-to-door teams the one free first, else of
     * its walk-in sites (as decode does) */
    uint32_t i = PSC__NONE;
    for (int pass = 0; pass < 2 && i == PSC__NONE; pass++) {
      const uint32_t *near = (pass ? x->near_site : x->near_team) + (size_t)c * PSC__NEAR_SITES;
      for (int q = 0; q < PSC__NEAR_SITES && near[q] != PSC__NONE; q++)
        if (i == PSC__NONE || free_at[near[q]] < free_at[i])
          i = near[q];
    }
    if (i == PSC__NONE)
      i = e->site[tube[k]];
    const psc__hours_t *h = psc__site_hours_v(x, v, i);
    double rate = psc__booths(x, v, i) * st->rate[i] * (v->site_mult ? v->site_mult[i] : 1.0);
    double start = psc__hours_next_open(h, fmax(order[j].ready, free_at[i]));
    free_at[i] = psc__hours_advance(h, start, 60.0 / rate);
    site[k] = i;
    dep[k] = free_at[i];
  }
  for (uint32_t t = 0; t < pk->ntubes; t++) {
    uint32_t c = pk->tube_comm[t];
    deadline[t] = cm->key[c] ? e->comm[c].deadline : e->street[cm->street[c]].deadline;
  }
  for (uint32_t l = 0; l < x->nlabs; l++)
    inst[l] = psc__instruments(x, v, l);
  psc__replay_in_t in = {
      .m = {.nlabs = x->nlabs, .nsites = x->nsites, .inst = inst, .wells = lb->wells,
            .run_min = lb->run_minutes, .hours = v->lab_hours ? v->lab_hours : x->lab_hours,
            .near_lab = x->near_lab, .near_lab_min = x->near_lab_min,
            .outages = v->outages ? sim->s : NULL, .report_min = par->report_minutes,
            .planned = !par->run_start_eager, .hold = v->hold, .run_failure = v->run_failure,
            .fail_seed = v->fail_seed, .fail_domain = PSC__RNG_RETEST_FAIL},
      .nruns = e->nruns, .run_lab = e->run_lab, .run_inst = e->run_instrument,
      .run_start = e->run_begin, .run_end = e->run_end, .ntubes = pk->ntubes,
      .tube_lab = e->lab, .tube_run = e->run, .tube_arrived = e->arrived,
      .tube_deadline = deadline, .tube_reported = e->reported, .nretests = n,
      .rt_site = site, .rt_departed = dep};
  if ((rc = psc__lab_replay(&in, o)))
    goto done;
  /* each community's last result: its tubes as re-timed, then its retests */
  for (uint32_t c = 0; c < x->ncomm; c++) {
    double d = NAN;
    for (uint32_t t = pk->comm_tube_first[3 * c]; t < pk->comm_tube_first[3 * c + 3]; t++)
      d = isnan(d) ? o->tube_reported[t] : fmax(d, o->tube_reported[t]);
    comm_done[c] = d;
  }
  for (uint32_t k = 0; k < n; k++) {
    uint32_t c = pk->tube_comm[tube[k]];
    comm_done[c] = fmax(comm_done[c], o->rt_reported[k]);
  }
done:
  free(order);
  free(site);
  free(inst);
  free(dep);
  free(free_at);
  free(deadline);
  return rc;
}
