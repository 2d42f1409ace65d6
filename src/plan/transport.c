/* Transport and the labs' inputs: each tube's departure (the next batch
 * of its site), the tubes by site in departure order, each tube's deadline
 * and priority class; then the labs' pull (labs.c) and the runs in lab
 * order. Also the labs' instruments and rates under a variant. */
#include "plan/plan_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint32_t psc__instruments(const psc__ctx_t *x, const psc__variant_t *v, uint32_t l) {
  return psc_scenario_labs(x->s)->instruments[l] + (v->add_inst ? v->add_inst[l] : 0u);
}

double psc__lab_rate(const psc__ctx_t *x, const psc__variant_t *v, uint32_t l) {
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  return (double)psc__instruments(x, v, l) * lb->wells[l] / lb->run_minutes[l];
}

void psc__lab_rates(const psc__ctx_t *x, const psc__variant_t *v, double *rates) {
  for (uint32_t l = 0; l < x->nlabs; l++)
    rates[l] = psc__lab_rate(x, v, l);
}

/* Runs in lab order, each lab's in start order (the runs view's promise);
 * tubes follow their runs. */
static int sort_runs(const psc__ctx_t *x, psc__eval_t *e) {
  uint32_t nr = e->nruns;
  uint32_t *first = calloc(x->nlabs + 1, 4), *pos = psc__malloc(nr + 1, 4);
  uint32_t *u32 = psc__malloc(nr + 1, 4);
  double *f64 = psc__malloc(nr + 1, 8);
  if (!first || !pos || !u32 || !f64) {
    free(first);
    free(pos);
    free(u32);
    free(f64);
    return PSC_ENOMEM;
  }
  /* counting sort by lab: first[l] = runs of the labs before l */
  for (uint32_t r = 0; r < nr; r++)
    if (e->run_lab[r] + 1 < x->nlabs)
      first[e->run_lab[r] + 1]++;
  for (uint32_t l = 0; l + 1 < x->nlabs; l++)
    first[l + 1] += first[l];
  /* within a lab, pop order is start order; ties keep instrument order */
  for (uint32_t r = 0; r < nr; r++)
    pos[r] = first[e->run_lab[r]]++;
  uint32_t *u[] = {e->run_lab, e->run_instrument, e->run_tubes};
  for (int k = 0; k < 3; k++) {
    for (uint32_t r = 0; r < nr; r++)
      u32[pos[r]] = u[k][r];
    memcpy(u[k], u32, nr * 4ull);
  }
  double *d[] = {e->run_begin, e->run_end};
  for (int k = 0; k < 2; k++) {
    for (uint32_t r = 0; r < nr; r++)
      f64[pos[r]] = d[k][r];
    memcpy(d[k], f64, nr * 8ull);
  }
  for (uint32_t t = 0; t < x->pk->ntubes; t++)
    e->run[t] = pos[e->run[t]];
  free(first);
  free(pos);
  free(u32);
  free(f64);
  return 0;
}

int psc__transport_and_labs(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e) {
  const psc__pack_t *pk = x->pk;
  const psc_params_t *par = psc_scenario_params(x->s);
  const psc_communities_t *cm = psc_scenario_communities(x->s);
  const uint32_t nt = pk->ntubes;
  const double batch = par->batch_minutes;
  /* departures, then tubes by (site, departure): two stable counting sorts */
  uint32_t maxb = 0;
  for (uint32_t t = 0; t < nt; t++) {
    double b = ceil(e->sealed[t] / batch - 1e-9);
    e->departed[t] = b * batch;
    maxb = (uint32_t)b > maxb ? (uint32_t)b : maxb;
  }
  uint32_t nb = maxb + 2;
  uint32_t *cnt = calloc(nb + 1, 4), *by_dep = psc__malloc(nt + 1, 4);
  uint32_t *by_site = psc__malloc(nt + 1, 4), *site_first = calloc(x->nsites + 2, 4);
  double *deadline = psc__malloc(nt + 1, 8), *street_start = psc__malloc(x->nstreets + 1, 8);
  uint32_t *cls = psc__malloc(nt + 1, 4), *street_cls = psc__malloc(x->nstreets + 2, 4);
  double *dl = psc__malloc(x->nstreets + 2, 8);
  uint32_t *inst = psc__malloc(x->nlabs + 1, 4);
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  psc__labmodel_t m = {.nlabs = x->nlabs, .nsites = x->nsites, .inst = inst, .wells = lb->wells,
                       .run_min = lb->run_minutes,
                       .hours = v->lab_hours ? v->lab_hours : x->lab_hours,
                       .near_lab = x->near_lab, .near_lab_min = x->near_lab_min,
                       .outages = v->outages ? x->s : NULL, .report_min = par->report_minutes,
                       .planned = !par->run_start_eager, .hold = v->hold,
                       .align_end = v->align_end,
                       .run_failure = v->run_failure, .fail_seed = v->fail_seed,
                       .fail_domain = PSC__RNG_FAIL};
  int rc = 0;
  if (!cnt || !by_dep || !by_site || !site_first || !deadline || !street_start || !cls ||
      !street_cls || !dl || !inst) {
    rc = PSC_ENOMEM;
    goto done;
  }
  for (uint32_t t = 0; t < nt; t++)
    cnt[(uint32_t)(e->departed[t] / batch + 0.5) + 1]++;
  for (uint32_t b = 0; b < nb; b++)
    cnt[b + 1] += cnt[b];
  for (uint32_t t = 0; t < nt; t++)
    by_dep[cnt[(uint32_t)(e->departed[t] / batch + 0.5)]++] = t;
  for (uint32_t t = 0; t < nt; t++)
    site_first[e->site[t] + 1]++;
  for (uint32_t i = 0; i < x->nsites; i++)
    site_first[i + 1] += site_first[i];
  {
    uint32_t *cur = cnt; /* reuse: per site cursor (nb >= nsites is not given) */
    if (nb < x->nsites + 1) {
      cur = calloc(x->nsites + 1, 4);
      if (!cur) {
        rc = PSC_ENOMEM;
        goto done;
      }
    }
    memcpy(cur, site_first, x->nsites * 4ull);
    for (uint32_t j = 0; j < nt; j++) {
      uint32_t t = by_dep[j];
      by_site[cur[e->site[t]]++] = t;
    }
    if (cur != cnt)
      free(cur);
  }
  /* each tube's deadline: its key community's, or its street's (which the
   * sampling schedule has just fixed by the street's first swab) */
  for (uint32_t i = 0; i < x->nstreets; i++)
    street_start[i] = INFINITY;
  for (uint32_t t = 0; t < nt; t++) {
    uint32_t st = cm->street[pk->tube_comm[t]];
    street_start[st] = fmin(street_start[st], e->first_swab[t]);
  }
  /* priority classes: the distinct deadlines (each street's, and the key
   * communities' at index nstreets), ranked earliest first */
  for (uint32_t i = 0; i < x->nstreets; i++)
    dl[i] = street_start[i] + par->deadline_street_h * 60.0;
  dl[x->nstreets] = par->deadline_key_h * 60.0;
  for (uint32_t i = 0; i <= x->nstreets; i++) {
    uint32_t rank = 0;
    for (uint32_t j = 0; j <= x->nstreets; j++)
      rank += dl[j] < dl[i] || (dl[j] == dl[i] && j < i);
    street_cls[i] = rank;
  }
  for (uint32_t t = 0; t < nt; t++) {
    uint32_t c = pk->tube_comm[t];
    uint32_t k = cm->key[c] ? x->nstreets : cm->street[c];
    deadline[t] = dl[k];
    cls[t] = street_cls[k];
    e->run[t] = PSC__NONE;
  }
  for (uint32_t l = 0; l < x->nlabs; l++)
    inst[l] = psc__instruments(x, v, l);
  if ((rc = psc__pull_labs(&m, by_site, site_first, nt, deadline, cls, x->nstreets + 1, e)))
    goto done;
  for (uint32_t t = 0; t < nt && !rc; t++)
    if (e->run[t] == PSC__NONE)
      rc = PSC_EINFEASIBLE; /* a tube no lab it can reach ever runs */
  if (!rc)
    rc = sort_runs(x, e);
done:
  free(inst);
  free(cnt);
  free(by_dep);
  free(by_site);
  free(site_first);
  free(deadline);
  free(street_start);
  free(cls);
  free(street_cls);
  free(dl);
  return rc;
}
