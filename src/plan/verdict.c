/* Verdicts (completion, deadline, slack per community, street and the
 * district) and utilisation of sites and labs. */
#include "plan/plan_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void open_unit(psc_verdict_t *v) {
  memset(v, 0, sizeof(*v));
  v->bound = NAN;
  v->sampling_start = INFINITY;
  v->sampling_end = -INFINITY;
  v->complete = -INFINITY;
}

static void close_unit(psc_verdict_t *v, double deadline) {
  if (v->tubes == 0) {
    v->sampling_start = v->sampling_end = v->complete = NAN;
    v->deadline = deadline;
    v->slack = NAN;
    v->met = 1;
    return;
  }
  v->deadline = deadline;
  v->slack = deadline - v->complete;
  v->met = v->complete <= deadline + 1e-9;
}

static void merge(psc_verdict_t *into, const psc_verdict_t *v) {
  into->residents += v->residents;
  into->tubes += v->tubes;
  into->exceptions += v->exceptions;
  if (v->tubes) {
    into->sampling_start = fmin(into->sampling_start, v->sampling_start);
    into->sampling_end = fmax(into->sampling_end, v->sampling_end);
    into->complete = fmax(into->complete, v->complete);
  }
}

void psc__verdicts(const psc__ctx_t *x, psc__eval_t *e) {
  const psc__pack_t *pk = x->pk;
  const psc_communities_t *cm = psc_scenario_communities(x->s);
  const psc_params_t *par = psc_scenario_params(x->s);
  for (uint32_t c = 0; c < x->ncomm; c++) {
    psc_verdict_t *v = &e->comm[c];
    open_unit(v);
    v->residents = cm->population[c];
    v->exceptions = x->comm_exceptions[c];
    for (uint32_t t = pk->comm_tube_first[PSC_STREAMS * c];
         t < pk->comm_tube_first[PSC_STREAMS * (c + 1)]; t++) {
      v->tubes++;
      v->complete = fmax(v->complete, e->reported[t]);
    }
  }
  for (uint32_t k = 0; k < e->nsessions; k++) {
    psc_verdict_t *v = &e->comm[e->ses_comm[k]];
    v->sampling_start = fmin(v->sampling_start, e->ses_start[k]);
    v->sampling_end = fmax(v->sampling_end, e->ses_end[k]);
  }
  for (uint32_t st = 0; st < x->nstreets; st++)
    open_unit(&e->street[st]);
  for (uint32_t c = 0; c < x->ncomm; c++)
    merge(&e->street[cm->street[c]], &e->comm[c]);
  open_unit(&e->district);
  e->missed = 0;
  e->lateness = 0;
  for (uint32_t st = 0; st < x->nstreets; st++) {
    psc_verdict_t *v = &e->street[st];
    close_unit(v, v->tubes ? v->sampling_start + par->deadline_street_h * 60.0 : NAN);
    merge(&e->district, v);
  }
  for (uint32_t c = 0; c < x->ncomm; c++) {
    const psc_verdict_t *sv = &e->street[cm->street[c]];
    close_unit(&e->comm[c], cm->key[c] ? par->deadline_key_h * 60.0 : sv->deadline);
  }
  close_unit(&e->district, par->deadline_district_h * 60.0);
  /* every unit counts once in the objective */
  e->missed_key = e->missed_street = 0;
  for (uint32_t c = 0; c < x->ncomm; c++)
    if (cm->key[c] && !e->comm[c].met) {
      e->missed_key++;
      e->lateness += -e->comm[c].slack;
    }
  for (uint32_t st = 0; st < x->nstreets; st++)
    if (!e->street[st].met) {
      e->missed_street++;
      e->lateness += -e->street[st].slack;
    }
  if (!e->district.met)
    e->lateness += -e->district.slack;
  e->missed = e->missed_key + e->missed_street + !e->district.met;
  e->aged = 0;
  double max_age = par->max_sample_age_hours * 60.0;
  for (uint32_t t = 0; t < pk->ntubes; t++)
    e->aged += e->run_start[t] - e->first_swab[t] > max_age + 1e-9;
}

void psc__utilisation(const psc_plan_t *p, psc_utilisation_t *u) {
  const psc__ctx_t *x = &p->x;
  const psc__eval_t *e = &p->e;
  const psc_sites_t *st = psc_scenario_sites(p->s);
  const psc_labs_t *lb = psc_scenario_labs(p->s);
  memset(u, 0, sizeof(*u));
  double horizon = e->district.complete;
  if (!(horizon > 0))
    return;
  /* sites: swab-minutes over open booth-minutes up to the district's end */
  double *work = calloc(x->nsites + 1, sizeof(double));
  double *inst = calloc(x->nlabs + 1, sizeof(double));
  if (!work || !inst) {
    free(work);
    free(inst);
    return;
  }
  for (uint32_t k = 0; k < e->nsessions; k++)
    work[e->ses_site[k]] += e->ses_residents[k] * 60.0 / st->rate[e->ses_site[k]];
  double w[2] = {0, 0}, cap[2] = {0, 0};
  u->busiest_site = PSC__NONE;
  for (uint32_t i = 0; i < x->nsites; i++) {
    double booths = psc__booths(x, &p->v, i);
    double open = booths * psc__hours_open_between(psc__site_hours_v(x, &p->v, i), 0, horizon);
    int d2d = st->kind[i] == PSC_SITE_DOOR_TO_DOOR;
    w[d2d] += work[i];
    cap[d2d] += open;
    double ui = open > 0 ? work[i] / open : 0;
    if (u->busiest_site == PSC__NONE || ui > u->busiest_site_util) {
      u->busiest_site = i;
      u->busiest_site_util = ui;
    }
  }
  u->sampling = cap[0] > 0 ? w[0] / cap[0] : 0;
  u->door_to_door = cap[1] > 0 ? w[1] / cap[1] : 0;
  double used = 0, avail = 0, tubes = 0, wells = 0;
  for (uint32_t k = 0; k < e->nruns; k++) {
    uint32_t l = e->run_lab[k];
    double end = fmin(e->run_end[k], horizon);
    inst[l] += fmax(0, end - e->run_begin[k]);
    tubes += e->run_tubes[k];
    wells += lb->wells[l];
  }
  u->busiest_lab = PSC__NONE;
  for (uint32_t l = 0; l < x->nlabs; l++) {
    double n = psc__instruments(x, &p->v, l);
    double open = n * psc__hours_open_between(psc__lab_hours_v(x, &p->v, l), 0, horizon);
    used += inst[l];
    avail += open;
    double ul = open > 0 ? inst[l] / open : 0;
    if (u->busiest_lab == PSC__NONE || ul > u->busiest_lab_util) {
      u->busiest_lab = l;
      u->busiest_lab_util = ul;
    }
  }
  u->lab = avail > 0 ? used / avail : 0;
  u->lab_fill = wells > 0 ? tubes / wells : 0;
  double n = p->pk.ntubes;
  for (uint32_t t = 0; t < p->pk.ntubes; t++) {
    u->wait_transport += e->departed[t] - e->sealed[t];
    u->travel += e->arrived[t] - e->departed[t];
    u->wait_lab += e->run_start[t] - e->arrived[t];
    u->run_and_report += e->reported[t] - e->run_start[t];
  }
  if (n > 0) {
    u->wait_transport /= n;
    u->travel /= n;
    u->wait_lab /= n;
    u->run_and_report /= n;
  }
  free(work);
  free(inst);
}
